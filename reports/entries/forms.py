"""The form of one progress entry (what was done, outcome, status, activity dates) with the optional new
evidence of the same save: one file (checked by content, reports/entries/evidence.py) and one link, each with a
"public" checkbox (Evidence.is_public: shown on the published report's public page)."""
from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.forms import BEDateField, BEDateInput
from core.thai import file_size

from ..models import EntryStatus, ProgressEntry
from .evidence import allowed_types_text, check_upload, max_bytes

EVIDENCE_FIELDS = ("evidence_file", "evidence_file_title", "evidence_file_public",
                   "evidence_url", "evidence_url_title", "evidence_url_public")
PUBLIC_LABEL = _("Public (shown on the published report's public page)")


class EntryForm(forms.ModelForm):
    activity_start = BEDateField(
        label=capfirst(_("activities from")), required=False,
        widget=BEDateInput(attrs={"placeholder": _("e.g. 14/1/2568")}),
    )
    activity_end = BEDateField(
        label=capfirst(_("activities until")), required=False,
        widget=BEDateInput(attrs={"placeholder": _("e.g. 14/1/2568")}),
    )
    # The entry version the form was loaded with; the save is refused when someone saved meanwhile.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    evidence_file = forms.FileField(label=_("Add a file"), required=False)
    evidence_file_title = forms.CharField(label=_("Description of the file"), max_length=300, required=False)
    evidence_file_public = forms.BooleanField(label=PUBLIC_LABEL, required=False)
    evidence_url = forms.URLField(
        label=_("Add a link"), required=False, max_length=1000, assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    evidence_url_title = forms.CharField(label=_("Description of the link"), max_length=300, required=False)
    evidence_url_public = forms.BooleanField(label=PUBLIC_LABEL, required=False)

    class Meta:
        model = ProgressEntry
        fields = ["output", "outcome", "status", "status_reason", "activity_start", "activity_end"]
        widgets = {
            "output": forms.Textarea(attrs={"rows": 6}),
            "outcome": forms.Textarea(attrs={"rows": 4}),
            "status_reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "output": _("One paragraph a line: each line is printed as its own paragraph in the report."),
            "outcome": _("One paragraph a line: each line is printed as its own paragraph in the report."),
            "status_reason": _("Required when the measure was not done."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checked_upload = None  # reports.entries.evidence.CheckedUpload of a valid evidence_file
        if not self.is_bound:
            self.initial["version"] = self.instance.version
        self.fields["evidence_file"].help_text = _("%(types)s, at most %(max)s.") % {
            "types": allowed_types_text(), "max": file_size(max_bytes()),
        }
        self.fields["evidence_file"].widget.attrs["accept"] = (
            ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,application/pdf,image/jpeg,image/png"
        )

    @staticmethod
    def _text(value: str) -> str:
        """Browsers send CRLF line ends from a textarea; stored texts use \n."""
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()

    def clean_output(self):
        return self._text(self.cleaned_data["output"])

    def clean_outcome(self):
        return self._text(self.cleaned_data["outcome"])

    def clean_status_reason(self):
        return self._text(self.cleaned_data["status_reason"])

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            self.checked_upload = check_upload(upload)
        return upload

    def clean_evidence_url(self):
        url = (self.cleaned_data.get("evidence_url") or "").strip()
        if url and urlsplit(url).scheme.lower() not in ("http", "https"):
            raise forms.ValidationError(_("Enter a web address that starts with http:// or https://."),
                                        code="scheme")
        return url

    def clean_evidence_file_title(self):
        return self.cleaned_data["evidence_file_title"].strip()

    def clean_evidence_url_title(self):
        return self.cleaned_data["evidence_url_title"].strip()

    def clean(self):
        data = super().clean()
        if data.get("status") == EntryStatus.NOT_DONE and not data.get("status_reason"):
            self.add_error("status_reason", forms.ValidationError(
                _("Say why the measure was not done."), code="reason_required"))
        start, end = data.get("activity_start"), data.get("activity_end")
        if start and end and end < start:
            self.add_error("activity_end", forms.ValidationError(
                _("The activities cannot end before they start."), code="end_before_start"))
        if data.get("evidence_file_title") and not data.get("evidence_file") and "evidence_file" not in self.errors:
            self.add_error("evidence_file", forms.ValidationError(
                _("Choose the file this description is for."), code="file_missing"))
        if data.get("evidence_url_title") and not data.get("evidence_url") and "evidence_url" not in self.errors:
            self.add_error("evidence_url", forms.ValidationError(
                _("Enter the link this description is for."), code="url_missing"))
        return data

    def entry_data(self) -> dict:
        """The entry fields for services.save_entry."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}
