"""The OIT register: for each organisation and assessment year, one row per OIT item of that year's
catalogue, each with its answers (links, or files hosted here) and the health of its links.

Items that the portal's own documents answer are answered without a row answer (oit/register.py reads
them from reports.documents.portal_answers); a row holds what the organisation discloses elsewhere.
"""
from __future__ import annotations

from pathlib import PurePosixPath
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.datacache import UpdateBumpsQuerySet

BROKEN_AFTER = 2  # failed checks in a row
CHECKS_KEPT = 10  # per answer


class RegisterStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    CONFIRMED = "confirmed", _("Confirmed")


class Register(models.Model):
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="oit_registers",
                                     verbose_name=_("organisation"))
    year = models.PositiveSmallIntegerField(_("assessment year"))  # Buddhist era
    status = models.CharField(_("status"), max_length=20, choices=RegisterStatus.choices,
                              default=RegisterStatus.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # What the public sees: the register as it was confirmed (oit/register.py: snapshot_of).
    confirmed_snapshot = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UpdateBumpsQuerySet.as_manager()

    class Meta:
        verbose_name = _("OIT register")
        verbose_name_plural = _("OIT registers")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="oit_register_unique")]

    def __str__(self):
        return f"{self.organisation} {self.year}"


class RowQuerySet(UpdateBumpsQuerySet):
    organisation_lookup = "register__organisation_id"


class Row(models.Model):
    """One OIT item of the register's year. The item's code, number and title are kept with the row: a
    provisional catalogue replaced by the real one keeps the rows (matched again by number and title)."""

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="rows")
    item = models.ForeignKey("ita.OITItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    code = models.CharField(_("item"), max_length=10)
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=500)
    note = models.TextField(_("note"), blank=True)
    division = models.ForeignKey("orgs.Division", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("responsible division"))
    history = HistoricalRecords()

    objects = RowQuerySet.as_manager()

    class Meta:
        ordering = ["number", "code"]
        constraints = [models.UniqueConstraint(fields=["register", "code"], name="oit_row_unique")]

    def __str__(self):
        return f"{self.code} {self.title}"


class AnswerKind(models.TextChoices):
    LINK = "link", _("Link")
    FILE = "file", _("File")


class Health(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked yet")
    HEALTHY = "healthy", _("Opens")
    FAILING = "failing", _("Failed once")
    BROKEN = "broken", _("Broken")


def answer_upload_to(answer, filename):
    """Files under a generated name: the uploaded name is kept only as data."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"oit/{answer.row.register.organisation_id}/{uuid4().hex}{suffix}"


# The error codes of a failed link check (oit.linkcheck), as the pages say them.
LINK_ERRORS = {
    "timeout": _("no answer in time"),
    "connect": _("the website could not be reached"),
    "tls": _("the secure connection failed"),
    "redirects": _("too many redirects"),
    "http": _("the website answered with an error"),
    "invalid": _("not a web address"),
    "blocked": _("a private or local address (not checked)"),
    "deadline": _("not checked in time"),
    "other": _("another error"),
}


class AnswerQuerySet(UpdateBumpsQuerySet):
    organisation_lookup = "row__register__organisation_id"


class Answer(models.Model):
    row = models.ForeignKey(Row, on_delete=models.CASCADE, related_name="answers")
    kind = models.CharField(_("kind"), max_length=10, choices=AnswerKind.choices)
    url = models.URLField(_("address"), max_length=1000, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to=answer_upload_to, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    order = models.PositiveIntegerField(default=0)
    needs_review = models.BooleanField(_("carried from last year, to review"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # link health (links only)
    health = models.CharField(_("link health"), max_length=20, choices=Health.choices, default=Health.UNCHECKED)
    failures_in_row = models.PositiveSmallIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=20, blank=True)
    final_url = models.URLField(max_length=1000, blank=True)
    broken_notified_at = models.DateTimeField(null=True, blank=True)  # one e-mail until it is fixed
    history = HistoricalRecords(excluded_fields=["health", "failures_in_row", "last_checked_at", "last_status",
                                                 "last_error", "final_url", "broken_notified_at"])

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title or self.url or self.original_name

    @property
    def label(self) -> str:
        return self.title or self.url or self.original_name

    @property
    def last_error_label(self) -> str:
        """The last check's error in words (the stored code when it is unknown)."""
        return LINK_ERRORS.get(self.last_error, self.last_error)


class LinkCheck(models.Model):
    """One check of a link answer (the last CHECKS_KEPT are kept)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField()
    ok = models.BooleanField()
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=20, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    final_url = models.URLField(max_length=1000, blank=True)
    elapsed_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        indexes = [models.Index(fields=["answer", "-checked_at"], name="oit_check_answer_at")]


class RegisterAction(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CARRIED = "carried", _("Carried forward from the previous year")


class RegisterEvent(models.Model):
    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=RegisterAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
