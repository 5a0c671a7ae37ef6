"""Organisations (อปท.), their divisions (ส่วนราชการ) and who works in them."""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.datacache import UpdateBumpsQuerySet


class OrganisationKind(models.TextChoices):
    PAO = "pao", _("Provincial Administrative Organisation")  # อบจ.
    CITY = "city", _("City Municipality")  # เทศบาลนคร
    TOWN = "town", _("Town Municipality")  # เทศบาลเมือง
    SUBDISTRICT_MUNICIPALITY = "sub_municipality", _("Subdistrict Municipality")  # เทศบาลตำบล
    SAO = "sao", _("Subdistrict Administrative Organisation")  # อบต.
    OTHER = "other", _("Other")


# Workspace paths under /w/ that are not an organisation: no organisation may have these slugs.
RESERVED_SLUGS = frozenset({"catalogue", "installation", "province"})


def validate_not_reserved(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address name is reserved; choose another."), code="reserved")


class OrganisationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Organisations in which the user has an active membership."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__is_active=True).distinct()


class Organisation(models.Model):
    code = models.CharField(
        _("organisation code"), max_length=20, blank=True, default="",
        help_text=_("The code of the national list of local administrative organisations (unique when set)."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    district = models.CharField(_("district (amphoe)"), max_length=100)
    province = models.CharField(_("province"), max_length=100)
    slug = models.SlugField(
        _("public address name"),
        max_length=60,
        unique=True,
        help_text=_("Used in public links, e.g. /o/phaktob/. Never change it once links are published."),
        validators=[validate_not_reserved],
    )
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("telephone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    emblem = models.ImageField(_("emblem"), upload_to="emblems/", blank=True)
    strength_threshold = models.DecimalField(
        _("strength threshold"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("85.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Indicators scoring at or above this are listed as strengths."),
    )
    default_layout = models.CharField(
        _("default report layout"), max_length=1, default="A",
        choices=[("A", "A"), ("B", "B"), ("C", "C")],
        help_text=_("Layout of progress reports unless a document chooses another."),
    )
    allow_self_approval = models.BooleanField(
        _("allow approving one's own submission"), default=False,
    )
    require_two_factor_approvers = models.BooleanField(
        _("require two-factor sign-in of approvers"), default=False,
        help_text=_("Approvers and administrators of the organisation must sign in with a code from an "
                    "authenticator app as well as the password."),
    )

    # Moves on with every save of the profile page (orgs.services.save_profile): a save from a page opened
    # before another administrator's save is refused (optimistic locking).
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)

    objects = OrganisationQuerySet.as_manager()
    # Settings (self-approval included) are part of the audit trail: every change is kept, shown on the
    # organisation's history page.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["province", "district", "name"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="organisation_unique_code"),
        ]
        # The province table, /stats/<province>/ and the directory's order read the organisations of a
        # province: without it each of their queries scans every organisation of the country.
        indexes = [models.Index(fields=["province", "district", "name"], name="organisation_by_province")]

    def __str__(self):
        return self.name


class Division(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="divisions", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = UpdateBumpsQuerySet.as_manager()

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["organisation", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="division_unique_name")
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")
    APPROVER = "approver", _("Approver")
    ADMIN = "admin", _("Organisation administrator")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    position = models.CharField(_("position"), max_length=200, blank=True)
    divisions = models.ManyToManyField(
        Division, blank=True, related_name="memberships", verbose_name=_("divisions"),
        help_text=_("Reminders of steps go to the staff of the measure's divisions (to all staff when none is set)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org")
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"

    @property
    def can_approve(self):
        return self.role in (Role.APPROVER, Role.ADMIN)

    @property
    def is_org_admin(self):
        return self.role == Role.ADMIN


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    REVOKED = "revoked", _("revoked")


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=InvitationStatus.PENDING)


class Invitation(models.Model):
    """An invitation by e-mail to join an organisation with a role (orgs/invitations.py). Only the SHA-256
    hash of the link's token is stored; a resend replaces it (the old link dies)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisation")
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    position = models.CharField(_("position"), max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=InvitationStatus.choices,
                              default=InvitationStatus.PENDING)
    sent_count = models.PositiveIntegerField(_("times sent"), default=1)
    expires_at = models.DateTimeField(_("expires"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("invited by"),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("accepted by"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = InvitationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.email} → {self.organisation} ({self.get_role_display()})"

    @property
    def is_usable(self):
        return self.status == InvitationStatus.PENDING and self.expires_at > timezone.now()


class OversightScope(models.Model):
    """Read-only oversight of the organisations of a province (the province's local administration office),
    or of the whole country (``province`` empty). Granted by installation administrators."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oversight_scopes",
                             verbose_name=_("user"))
    province = models.CharField(_("province"), max_length=100, blank=True,
                                help_text=_("Empty: the whole country."))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("granted by"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("oversight scope")
        verbose_name_plural = _("oversight scopes")
        constraints = [models.UniqueConstraint(fields=["user", "province"], name="oversight_unique_user_province")]

    def __str__(self):
        return f"{self.user} · {self.province or '*'}"
