"""Forms of the document pages: how to print (layout, digits, memo cover) and the memo's fields."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BEDateField
from measures.layouts import layouts_for

from ..models import DocumentKind, Layout, Memo
from ..printing.rendering import RenderOptions
from .data import department_text

CHECKBOX = forms.CheckboxInput(attrs={"class": "form-check-input"})
SUBMITTED = "o"  # hidden field: the options form was sent (an unticked box then means "no")
# What to print of the memo cover: "" the document alone, "on" memo + document, "only" the memo alone.
MEMO_WITH, MEMO_ONLY = "on", "only"
MEMO_CHOICES = [("", _("Document only")), (MEMO_WITH, _("Memo cover + document")),
                (MEMO_ONLY, _("Memo cover only"))]


class RenderOptionsForm(forms.Form):
    """Printing options, read from the query string of the preview and PDF links."""

    o = forms.CharField(required=False, widget=forms.HiddenInput, initial="1")
    layout = forms.ChoiceField(label=_("Layout"), required=False)
    arabic_digits = forms.BooleanField(label=_("Arabic digits"), required=False, widget=CHECKBOX)
    memo = forms.ChoiceField(label=_("Memo cover"), required=False, choices=MEMO_CHOICES)
    analysis = forms.BooleanField(label=_("ITA result analysis in front"), required=False, widget=CHECKBOX)

    def __init__(self, document, data=None, *, has_memo=False, has_analysis=True):
        """``has_memo``: whether the document's own print starts with the memo cover (a saved memo; for
        a published document, whether the approver published it with the memo)."""
        self.document = document
        if data is not None and SUBMITTED not in data:
            data = None  # a plain link: the document's own settings
        initial = {
            "o": "1", "layout": "", "arabic_digits": document.arabic_digits, "memo": MEMO_WITH if has_memo else "",
            "analysis": has_analysis,
        }
        super().__init__(data, initial=initial)
        labels = dict(Layout.choices)
        offered = layouts_for(document.kind)
        self.fields["layout"].choices = [("", _("The document's layout"))] + [(v, labels[v]) for v in offered]
        if not offered:
            del self.fields["layout"]
        if document.kind != DocumentKind.MEASURES:
            del self.fields["analysis"]

    def options(self) -> RenderOptions:
        """The RenderOptions chosen (the document's own settings when the form was not sent or is invalid)."""
        if not self.is_bound or not self.is_valid():
            return RenderOptions(
                arabic_digits=self.initial["arabic_digits"], memo=bool(self.initial["memo"]),
                analysis=self.initial["analysis"],
            )
        data = self.cleaned_data
        return RenderOptions(
            layout=data.get("layout") or None,
            arabic_digits=data["arabic_digits"],
            memo=data["memo"] in (MEMO_WITH, MEMO_ONLY),
            memo_only=data["memo"] == MEMO_ONLY,
            analysis=data.get("analysis", True),
        )

    def is_default(self) -> bool:
        """True when the options are the document's own (what the stored, published PDF shows)."""
        opts = self.options()
        return (not opts.layout and opts.arabic_digits == self.initial["arabic_digits"] and not opts.memo_only
                and opts.memo == bool(self.initial["memo"])
                and ("analysis" not in self.fields or opts.analysis == self.initial["analysis"]))

    def query(self, *, memo: str | None = None) -> str:
        """The query string that repeats these options in the preview and PDF links; ``memo`` ("",
        "on", "only") replaces the memo choice (the publish form's previews of each choice)."""
        from dataclasses import replace

        from django.http import QueryDict

        q = QueryDict(mutable=True)
        opts = self.options()
        if memo is not None:
            opts = replace(opts, memo=memo in (MEMO_WITH, MEMO_ONLY), memo_only=memo == MEMO_ONLY)
        q["o"] = "1"
        if opts.layout:
            q["layout"] = opts.layout
        if opts.arabic_digits:
            q["arabic_digits"] = "on"
        if opts.memo:
            q["memo"] = MEMO_ONLY if opts.memo_only else MEMO_WITH
        if "analysis" in self.fields and opts.analysis:
            q["analysis"] = "on"
        return q.urlencode()


class MemoForm(forms.ModelForm):
    """The memo cover's fields. ส่วนราชการ is the responsible division with the organisation: choose the
    division (of this organisation only), or type the line as it should print."""

    date = BEDateField(label=_("date"), required=False)
    # The document's version when the page was opened: a save after someone else changed the draft is refused.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organisation=None, document_version=None, **kwargs):
        super().__init__(*args, **kwargs)
        from orgs.models import Division

        if document_version is not None:
            self.fields["version"].initial = document_version

        division = self.fields["division"]
        division.queryset = (Division.objects.filter(organisation=organisation).order_by("order", "name")
                             if organisation is not None else Division.objects.none())
        division.empty_label = _("(none)")
        division.error_messages["invalid_choice"] = _("Choose a division of this organisation.")
        example = department_text("สำนักปลัด", organisation.name if organisation is not None else "")
        self.fields["department"].help_text = _(
            "Empty: the division and the organisation, e.g. “%(example)s”.") % {"example": example}
        self.fields["through"].help_text = _(
            "Printed after the addressee as “%(through)s”. Empty: none.") % {"through": "ผ่าน …"}
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")
        division.widget.attrs["class"] = "form-select form-select-sm"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("division") and not (cleaned.get("department") or "").strip() \
                and "division" not in self.errors:
            self.add_error("division", _("Choose the responsible division, or type the department line."))
        return cleaned

    class Meta:
        model = Memo
        fields = ["division", "department", "reference", "date", "subject", "addressee", "through", "body",
                  "closing", "signer_name", "signer_position"]
        widgets = {
            "subject": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 12}),
        }
