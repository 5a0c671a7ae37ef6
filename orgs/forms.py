"""Organisation settings: profile (with the emblem), divisions and members."""
from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.utils.crypto import get_random_string
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from PIL import Image

from core.forms import ScoreField

from .models import Division, Membership, Organisation, Role

EMBLEM_MAX_BYTES = 2 * 1024 * 1024
EMBLEM_FORMATS = {"PNG", "JPEG"}
EMBLEM_INVALID = _("Upload the emblem as a PNG or JPEG image.")
EMBLEM_TOO_BIG = _("The emblem must be smaller than 2 MB.")
# An emblem prints about 3 cm wide; a small file can still claim a huge image (a "pixel bomb" that makes
# every memo PDF decode hundreds of megapixels), so its sides are bounded too.
EMBLEM_MAX_SIDE = 4000
EMBLEM_TOO_MANY_PIXELS = _("The emblem must be at most 4000 × 4000 pixels.")
# Letters and digits that cannot be mistaken for each other when read aloud or copied by hand.
TEMP_PASSWORD_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def check_emblem(upload):
    """Raise ValidationError unless ``upload`` is a real PNG or JPEG image under 2 MB (by content)."""
    if upload.size is not None and upload.size > EMBLEM_MAX_BYTES:
        raise forms.ValidationError(EMBLEM_TOO_BIG, code="too_big")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind, size = image.format, image.size
            image.verify()
    except Exception:  # Pillow raises many kinds of errors on broken or foreign data
        raise forms.ValidationError(EMBLEM_INVALID, code="invalid_image") from None
    finally:
        upload.seek(0)
    if kind not in EMBLEM_FORMATS:
        raise forms.ValidationError(EMBLEM_INVALID, code="invalid_image")
    if max(size) > EMBLEM_MAX_SIDE:
        raise forms.ValidationError(EMBLEM_TOO_MANY_PIXELS, code="too_many_pixels")


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(
        label=capfirst(Organisation._meta.get_field("website").verbose_name), required=False, assume_scheme="https"
    )

    class Meta:
        model = Organisation
        fields = [
            "name", "kind", "district", "province", "website", "address", "phone", "email",
            "strength_threshold", "default_layout", "allow_self_approval", "require_two_factor_approvers", "emblem",
        ]
        field_classes = {"strength_threshold": ScoreField}
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"emblem": {"invalid_image": EMBLEM_INVALID, "invalid": EMBLEM_INVALID}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["emblem"].widget.attrs["accept"] = "image/png,image/jpeg"
        self.fields["strength_threshold"].widget.attrs["class"] = "score-input"

    def clean_emblem(self):
        upload = self.cleaned_data.get("emblem")
        if isinstance(upload, UploadedFile):
            check_emblem(upload)
        return upload


class DivisionForm(forms.ModelForm):
    class Meta:
        model = Division
        fields = ["name"]

    def __init__(self, *args, organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = Division.objects.filter(organisation=self.organisation, name=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("A division with this name already exists."), code="duplicate")
        return name


class AddMemberForm(forms.Form):
    """Give an existing account a role in this organisation (or reactivate its old membership)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail address of the account"),
                             help_text=_("Both must match the account: a username alone tells nothing."))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STAFF)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)

    def __init__(self, *args, organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, prefix="add", **kwargs)

    def clean(self):
        """The account must match the username and its e-mail address. One answer whether the username
        is unknown, inactive or has another address, so the form never reveals which accounts exist in
        other organisations."""
        cleaned = super().clean()
        username, email = (cleaned.get("username") or "").strip(), (cleaned.get("email") or "").strip()
        if not username or not email:
            return cleaned
        user = get_user_model().objects.filter(username=username, email__iexact=email, is_active=True).first()
        if user is None:
            self.add_error("username", forms.ValidationError(
                _("No active account has this username and e-mail address."), code="unknown"))
        elif Membership.objects.filter(user=user, organisation=self.organisation, is_active=True).exists():
            self.add_error("username", forms.ValidationError(
                _("This user is already a member of the organisation."), code="member"))
        else:
            self.user = user
            cleaned["username"] = username
        return cleaned

    def save(self):
        membership, _created = Membership.objects.update_or_create(
            user=self.user, organisation=self.organisation,
            defaults={"role": self.cleaned_data["role"], "position": self.cleaned_data["position"],
                      "is_active": True},
        )
        return membership


class NewUserForm(forms.ModelForm):
    """Create an account with a temporary password and make it a member."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STAFF)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)

    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, prefix="new", **kwargs)
        self.fields["first_name"].required = True

    def save(self, commit=True):
        user = super().save(commit=False)
        self.temporary_password = get_random_string(12, TEMP_PASSWORD_CHARS)
        user.set_password(self.temporary_password)
        user.save()
        return Membership.objects.create(
            user=user, organisation=self.organisation,
            role=self.cleaned_data["role"], position=self.cleaned_data["position"],
        )


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "position"]


def leaves_no_admin(membership, role=None, active=None) -> bool:
    """True when changing ``membership`` to ``role`` / ``active`` would leave the organisation
    without an active administrator."""
    if not (membership.role == Role.ADMIN and membership.is_active):
        return False  # it is not an administrator now: nothing is lost
    role = membership.role if role is None else role
    active = membership.is_active if active is None else active
    if role == Role.ADMIN and active:
        return False
    return not Membership.objects.filter(
        organisation=membership.organisation, role=Role.ADMIN, is_active=True
    ).exclude(pk=membership.pk).exists()
