"""Forms of the document pages: how to print (layout, digits, memo cover) and the memo's fields."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BEDateField

from .documents import layouts_for
from .models import DocumentKind, Layout, Memo
from .rendering import RenderOptions

CHECKBOX = forms.CheckboxInput(attrs={"class": "form-check-input"})
SUBMITTED = "o"  # hidden field: the options form was sent (an unticked box then means "no")


class RenderOptionsForm(forms.Form):
    """Printing options, read from the query string of the preview and PDF links."""

    o = forms.CharField(required=False, widget=forms.HiddenInput, initial="1")
    layout = forms.ChoiceField(label=_("Layout"), required=False)
    arabic_digits = forms.BooleanField(label=_("Arabic digits"), required=False, widget=CHECKBOX)
    memo = forms.BooleanField(label=_("Memo cover in front"), required=False, widget=CHECKBOX)
    analysis = forms.BooleanField(label=_("ITA result analysis in front"), required=False, widget=CHECKBOX)

    def __init__(self, document, data=None, *, has_memo=False, has_analysis=True):
        self.document = document
        if data is not None and SUBMITTED not in data:
            data = None  # a plain link: the document's own settings
        initial = {
            "o": "1", "layout": "", "arabic_digits": document.arabic_digits, "memo": has_memo,
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
                arabic_digits=self.initial["arabic_digits"], memo=self.initial["memo"],
                analysis=self.initial["analysis"],
            )
        data = self.cleaned_data
        return RenderOptions(
            layout=data.get("layout") or None,
            arabic_digits=data["arabic_digits"],
            memo=data["memo"],
            analysis=data.get("analysis", True),
        )

    def is_default(self) -> bool:
        """True when the options are the document's own (what the stored, published PDF shows)."""
        opts = self.options()
        return (not opts.layout and opts.arabic_digits == self.initial["arabic_digits"]
                and opts.memo == self.initial["memo"] and opts.analysis == self.initial["analysis"])

    def query(self) -> str:
        """The query string that repeats these options in the preview and PDF links."""
        from django.http import QueryDict

        q = QueryDict(mutable=True)
        opts = self.options()
        q["o"] = "1"
        if opts.layout:
            q["layout"] = opts.layout
        for name in ("arabic_digits", "memo"):
            if getattr(opts, name):
                q[name] = "on"
        if "analysis" in self.fields and opts.analysis:
            q["analysis"] = "on"
        return q.urlencode()


class MemoForm(forms.ModelForm):
    date = BEDateField(label=_("date"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    class Meta:
        model = Memo
        fields = ["department", "reference", "date", "subject", "addressee", "body", "closing",
                  "signer_name", "signer_position"]
        widgets = {
            "subject": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 10}),
        }
