"""Forms of the workflow pages: a new document (kind, fiscal year, round) and the transitions that carry
input (submit: the version the page showed; return: a required comment; approve: an optional comment;
withdraw: a required reason). The rules themselves stay in reports/workflow/rules.py and transitions.py;
these forms only read and check what the page sent."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.thai import fiscal_year_of, to_thai_digits

from ..models import DocumentKind, ReportRound

PROGRESS_ROUNDS = (ReportRound.MONTHS_3, ReportRound.MONTHS_6, ReportRound.MONTHS_9, ReportRound.MONTHS_12)
COMMENT_MAX_LENGTH = 5000


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


def fiscal_year_choices(current: int | None = None) -> list[tuple[int, str]]:
    """The fiscal years a new document may be for: the current one and one either side (B.E.)."""
    current = current or current_fiscal_year()
    return [(year, to_thai_digits(year)) for year in (current - 1, current, current + 1)]


class CreateDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=DocumentKind.choices)
    fiscal_year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)
    round = forms.TypedChoiceField(
        label=_("Round"), coerce=int, required=False, empty_value=ReportRound.NONE,
        choices=[("", "—")] + [(r.value, r.label) for r in PROGRESS_ROUNDS],
        help_text=_("Progress reports only."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = current_fiscal_year()
        self.fields["fiscal_year"].choices = fiscal_year_choices(current)
        self.fields["fiscal_year"].initial = current

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == DocumentKind.PROGRESS:
            if not cleaned.get("round"):
                self.add_error("round", _("Choose the round of the progress report."))
        elif "round" in cleaned:
            cleaned["round"] = ReportRound.NONE  # only a progress report has a round
        return cleaned


class SubmitForm(forms.Form):
    """``version``: the document version the page showed (a submit from an outdated page is refused)."""

    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


def _comment_field(label, *, required, message=None):
    error_messages = {"required": message} if message else {}
    return forms.CharField(
        label=label, required=required, max_length=COMMENT_MAX_LENGTH, error_messages=error_messages,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class ReturnForm(forms.Form):
    comment = _comment_field(_("What needs to be changed"), required=True,
                             message=_("Say what needs to be changed."))


class ApproveForm(forms.Form):
    comment = _comment_field(_("Comment (optional)"), required=False)


class WithdrawForm(forms.Form):
    reason = _comment_field(_("Reason for withdrawal"), required=True,
                            message=_("Give the reason for withdrawing the document."))


PUBLISH_ALONE, PUBLISH_WITH_MEMO = "alone", "with_memo"


class PublishForm(forms.Form):
    """What the public gets: the document alone (the default: publishing the internal memo is a
    deliberate act of the executive) or the document with its memo cover in front."""

    memo = forms.ChoiceField(
        label=_("What the public gets"), required=False,
        choices=[(PUBLISH_ALONE, _("The document alone")),
                 (PUBLISH_WITH_MEMO, _("The document with its memo cover in front (with your approval)"))],
        error_messages={"invalid_choice": _("Choose the document alone or the document with its memo cover.")},
        widget=forms.RadioSelect,
    )

    def publish_memo(self) -> bool:
        return self.cleaned_data.get("memo") == PUBLISH_WITH_MEMO
