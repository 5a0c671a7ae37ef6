"""Organisation settings: profile (with the emblem), divisions and members."""
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.files.uploadedfile import UploadedFile
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
    # The profile's version when the page was opened (orgs.services.save_profile refuses a stale save).
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
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
        self.fields["version"].initial = self.instance.version
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


class InviteForm(forms.Form):
    """Invite someone by e-mail address with a role (orgs/invitations.py sends the link)."""

    email = forms.EmailField(label=_("E-mail address"),
                             help_text=_("The invitation link is sent to this address."))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STAFF)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)

    def __init__(self, *args, fixed_role=None, **kwargs):
        super().__init__(*args, prefix="invite", **kwargs)
        if fixed_role:
            self.fields["role"].choices = [(fixed_role, Role(fixed_role).label)]
            self.fields["role"].initial = fixed_role


class AcceptForm(UserCreationForm):
    """The invitee's new account: a username, their name and a password (Django's password validators,
    checked against the username, name and the invitation's e-mail address)."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "first_name", "last_name"]

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.email = email
        self.fields["first_name"].required = True
        self.fields["password1"].widget.attrs["autocomplete"] = "new-password"
        self.fields["password2"].widget.attrs["autocomplete"] = "new-password"


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "position"]
