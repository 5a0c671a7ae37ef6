"""Entering an ITA result: the total, per-tool, per-indicator and per-OIT-item scores of one year.

`ResultEntry` bundles the result form and three formsets whose forms follow that year's catalogue
(one form per tool, indicator and OIT item) and validates them together; ``changes()`` gives what
``ita.services.save_result`` stores (atomically, at the `version` the form was opened with: a stale save
raises `StaleResult` and changes nothing, and the bound forms keep what was typed).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ScoreField
from core.thai import to_thai_digits

from .models import AssessmentResult, IndicatorScore, OITItemScore, ToolScore


class ConfirmForm(forms.Form):
    """The approver's confirmation: the version of the figures they saw, and an optional comment."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )


def _textarea(rows=2):
    return forms.Textarea(attrs={"rows": rows, "class": "form-control form-control-sm"})


class ErrorClassesMixin:
    """After validation, mark the inputs of invalid fields for Bootstrap (is-invalid, aria-invalid).

    Templates that place inputs by hand (the score tables) then only add the error text after
    the input; crispy-rendered forms do the same on their own.
    """

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"

    def label_inputs(self, subject):
        """Accessible names of the inputs of a table row ("Score: 3. การใช้อำนาจ")."""
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("aria-label", f"{field.label}: {subject}")


class ResultForm(forms.ModelForm):
    total_score = ScoreField(label=_("Total score"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = AssessmentResult
        fields = ["total_score", "summary", "notes"]
        widgets = {"summary": _textarea(3), "notes": _textarea(2)}


class _ScoreWithIssuesForm(ErrorClassesMixin, forms.Form):
    """A score that may carry free text; text without a score is refused (the score row holds it)."""

    text_fields = ()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("score") is None and "score" not in self.errors:
            if any((cleaned.get(name) or "").strip() for name in self.text_fields):
                self.add_error("score", _("Enter the score for the text you typed, or clear the text."))
        return cleaned


class ToolScoreForm(_ScoreWithIssuesForm):
    score = ScoreField(required=False, label=_("Score"))
    issues_to_improve = forms.CharField(required=False, label=_("Issues to improve"), widget=_textarea(2))
    text_fields = ("issues_to_improve",)

    def __init__(self, *args, obj, **kwargs):
        self.obj = obj
        super().__init__(*args, **kwargs)
        self.label_inputs(f"{obj.code} {obj.name}")


class IndicatorScoreForm(_ScoreWithIssuesForm):
    score = ScoreField(required=False, label=_("Score"))
    assessment_points = forms.CharField(
        required=False, label=_("Assessment points"), widget=_textarea(2)
    )
    issues_to_improve = forms.CharField(required=False, label=_("Issues to improve"), widget=_textarea(2))
    text_fields = ("assessment_points", "issues_to_improve")

    def __init__(self, *args, obj, **kwargs):
        self.obj = obj
        super().__init__(*args, **kwargs)
        self.label_inputs(f"{to_thai_digits(obj.number)}. {obj.name}")


class OITItemScoreForm(ErrorClassesMixin, forms.Form):
    score = ScoreField(required=False, label=_("Score"))

    def __init__(self, *args, obj, **kwargs):
        self.obj = obj
        super().__init__(*args, **kwargs)
        self.label_inputs(f"{obj.code} {obj.title}")


class CatalogueFormSet(forms.BaseFormSet):
    """Exactly one form per catalogue object (tool, indicator or OIT item), in catalogue order.

    The number of forms comes from the catalogue, never from the posted management form.
    """

    def __init__(self, *args, objects, **kwargs):
        self.objects = list(objects)
        super().__init__(*args, **kwargs)

    def total_form_count(self):
        return len(self.objects)

    def initial_form_count(self):
        return len(self.objects)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "obj": self.objects[index]}


ToolScoreFormSet = forms.formset_factory(ToolScoreForm, formset=CatalogueFormSet, extra=0)
IndicatorScoreFormSet = forms.formset_factory(IndicatorScoreForm, formset=CatalogueFormSet, extra=0)
OITItemScoreFormSet = forms.formset_factory(OITItemScoreForm, formset=CatalogueFormSet, extra=0)


class ResultEntry:
    """The whole entry page: result form + tool, indicator and OIT item formsets."""

    def __init__(self, year, tools, indicators, oit_items, instance=None, data=None):
        self.year = year
        self.instance = instance or AssessmentResult(year=year)
        tool_initial, ind_initial, oit_initial = [], [], []
        if instance is not None and instance.pk:
            by_tool = {s.tool_id: s for s in instance.tool_scores.all()}
            by_ind = {s.indicator_id: s for s in instance.indicator_scores.all()}
            by_item = {s.item_id: s for s in instance.oit_scores.all()}
            for tool in tools:
                s = by_tool.get(tool.pk)
                tool_initial.append({"score": s.score, "issues_to_improve": s.issues_to_improve} if s else {})
            for ind in indicators:
                s = by_ind.get(ind.pk)
                ind_initial.append(
                    {"score": s.score, "assessment_points": s.assessment_points,
                     "issues_to_improve": s.issues_to_improve} if s else {}
                )
            for item in oit_items:
                s = by_item.get(item.pk)
                oit_initial.append({"score": s.score} if s else {})
        self.form = ResultForm(
            data, instance=self.instance, initial={"version": self.instance.version if self.instance.pk else 0}
        )
        self.tools = ToolScoreFormSet(data, objects=tools, prefix="tools", initial=tool_initial or None)
        self.indicators = IndicatorScoreFormSet(
            data, objects=indicators, prefix="indicators", initial=ind_initial or None
        )
        self.oit = OITItemScoreFormSet(data, objects=oit_items, prefix="oit", initial=oit_initial or None)
        self.stale = False

    @property
    def parts(self):
        return [self.form, self.tools, self.indicators, self.oit]

    def is_valid(self):
        return all([part.is_valid() for part in self.parts])  # a list: validate every part

    @property
    def error_count(self):
        count = len(self.form.errors)
        for formset in (self.tools, self.indicators, self.oit):
            count += len(formset.non_form_errors()) + sum(len(f.errors) for f in formset.forms)
        return count

    def blocks(self):
        """[(tool form, [indicator forms of that tool])] in tool order, for the template."""
        by_tool = {}
        for form in self.indicators.forms:
            by_tool.setdefault(form.obj.tool_id, []).append(form)
        return [(form, by_tool.get(form.obj.pk, [])) for form in self.tools.forms]

    def changes(self) -> dict:
        """The keyword arguments of ``ita.services.save_result`` for what was typed (after ``is_valid``)."""
        data = self.form.cleaned_data
        fields = {"total_score": data["total_score"], "summary": data["summary"], "notes": data["notes"]}
        return dict(
            year=self.year, instance=self.instance if self.instance.pk else None, fields=fields,
            tool_scores=[
                ToolScore(tool=f.obj, score=f.cleaned_data["score"],
                          issues_to_improve=f.cleaned_data["issues_to_improve"].strip())
                for f in self.tools.forms if f.cleaned_data.get("score") is not None
            ],
            indicator_scores=[
                IndicatorScore(indicator=f.obj, score=f.cleaned_data["score"],
                               assessment_points=f.cleaned_data["assessment_points"].strip(),
                               issues_to_improve=f.cleaned_data["issues_to_improve"].strip())
                for f in self.indicators.forms if f.cleaned_data.get("score") is not None
            ],
            oit_scores=[
                OITItemScore(item=f.obj, score=f.cleaned_data["score"])
                for f in self.oit.forms if f.cleaned_data.get("score") is not None
            ],
            expected_version=data.get("version"),
        )
