"""The measure form (all fields of a measure), its month picker and the flat step formset."""
from __future__ import annotations

from datetime import date

from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.forms import BEDateField, BEMonthField, ModelMultipleChoiceField
from core.thai import be_year, fiscal_year_range, format_month
from ita.models import Indicator, OITItem, Tool
from orgs.models import Division

from .models import REPORT_ROUND_CHOICES, Measure
from .services import StepRow, catalogue_year_for

OTHER_MONTH = "other"


# --- month picker ------------------------------------------------------------------

def fiscal_year_months(fiscal_year: int) -> list[date]:
    """First days of the 12 months of a BE fiscal year, October to September."""
    start = fiscal_year_range(fiscal_year)[0]
    return [date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1) for i in range(12)]


class FiscalMonthWidget(forms.MultiWidget):
    """A <select> of the 12 months of the fiscal year ("ตุลาคม ๒๕๖๗" …) plus "another month", which
    shows a text box taking any month as month/B.E. year ("3/2569", "มี.ค. 69")."""

    template_name = "measures/widgets/fiscal_month.html"

    def __init__(self, months=(), attrs=None):
        self.months = list(months)
        select = forms.Select(attrs={"class": "form-select", "data-month-select": ""})
        text = forms.TextInput(attrs={
            "class": "form-control", "data-month-other": "", "placeholder": _("e.g. 10/2567"),
            "aria-label": _("Another month (month/B.E. year)"),
        })
        super().__init__([select, text], attrs)
        self.set_choices()

    def set_choices(self):
        self.widgets[0].choices = (
            [("", "—")]
            + [(m.isoformat()[:7], format_month(m)) for m in self.months]
            + [(OTHER_MONTH, _("Another month…"))]
        )

    def __deepcopy__(self, memo):
        obj = super().__deepcopy__(memo)
        obj.months = list(self.months)
        obj.set_choices()
        return obj

    def value_from_datadict(self, data, files, name):
        choice, typed = super().value_from_datadict(data, files, name)
        if choice and choice != OTHER_MONTH:
            typed = ""  # a month picked from the list wins over a hidden, stale typed text
        return [choice, typed]

    def decompress(self, value):
        if isinstance(value, date):
            value = value.replace(day=1)
            if value in self.months:
                return [value.isoformat()[:7], ""]
            return [OTHER_MONTH, f"{value.month}/{be_year(value)}"]
        return ["", ""]


class FiscalMonthField(forms.MultiValueField):
    """Cleans to the first day of the chosen month, or None."""

    default_error_messages = {
        "other_missing": _("Type the month, e.g. 10/2567."),
    }

    def __init__(self, *, months=(), **kwargs):
        kwargs.setdefault("required", False)
        fields = (forms.CharField(required=False), BEMonthField(required=False))
        super().__init__(fields, require_all_fields=False, widget=FiscalMonthWidget(months), **kwargs)
        self.months = list(months)

    def compress(self, data_list):
        if not data_list:
            return None
        choice, typed = (list(data_list) + [None, None])[:2]
        if choice and choice != OTHER_MONTH:
            try:
                year, month = (int(x) for x in choice.split("-"))
                return date(year, month, 1)
            except ValueError:
                raise forms.ValidationError(BEMonthField.default_error_messages["invalid"], code="invalid")
        if choice == OTHER_MONTH and not typed:
            raise forms.ValidationError(self.error_messages["other_missing"], code="other_missing")
        return typed or None


# --- the measure ----------------------------------------------------------------------

class IndicatorChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.tool.code} {obj.number}. {obj.name}"


class OITChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"


class DivisionChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MeasureForm(forms.ModelForm):
    """All fields of a measure. Choices: the organisation's divisions and the catalogue of the
    assessment year fiscal_year − 1 (or the nearest loaded), plus whatever the measure already has."""

    tools = ModelMultipleChoiceField(
        queryset=Tool.objects.all(), required=False, widget=forms.CheckboxSelectMultiple,
        label=capfirst(_("tools")),
    )
    indicators = IndicatorChoiceField(
        queryset=Indicator.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=capfirst(_("indicators")),
    )
    oit_items = OITChoiceField(
        queryset=OITItem.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=capfirst(_("OIT items")),
    )
    divisions = DivisionChoiceField(
        queryset=Division.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=capfirst(_("responsible divisions")),
    )
    report_rounds = forms.TypedMultipleChoiceField(
        choices=REPORT_ROUND_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        label=capfirst(_("report rounds (months)")),
    )
    # The version the form was loaded with (edit only); compared when saving.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Measure
        fields = [
            "group_heading", "title", "weakness", "guideline", "tools", "indicators", "oit_items",
            "divisions", "responsible_text", "start_month", "end_month", "timeline_text", "report_rounds",
            "monitoring",
        ]
        widgets = {
            "group_heading": forms.TextInput(attrs={"list": "group-headings"}),
            "title": forms.Textarea(attrs={"rows": 2}),
            "weakness": forms.Textarea(attrs={"rows": 3}),
            "guideline": forms.Textarea(attrs={"rows": 4}),
            "responsible_text": forms.Textarea(attrs={"rows": 2}),
            "monitoring": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, org, fiscal_year, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fiscal_year = fiscal_year
        self.catalogue_year = catalogue_year_for(fiscal_year)
        instance_pk = self.instance.pk
        in_catalogue = Q(year=self.catalogue_year, retired=False) if self.catalogue_year else Q(pk__in=[])
        has_indicator = has_item = Q(pk__in=[])
        if instance_pk:  # keep what the measure has even when it is from another catalogue year
            has_indicator = Q(pk__in=Measure.indicators.through.objects.filter(measure_id=instance_pk)
                              .values("indicator_id"))
            has_item = Q(pk__in=Measure.oit_items.through.objects.filter(measure_id=instance_pk)
                         .values("oititem_id"))
        self.fields["indicators"].queryset = (
            Indicator.objects.filter(in_catalogue | has_indicator).select_related("tool")
            .order_by("year__year", "tool__order", "number")
        )
        self.fields["oit_items"].queryset = (
            OITItem.objects.filter(in_catalogue | has_item).order_by("year__year", "number")
        )
        self.fields["divisions"].queryset = Division.objects.filter(organisation=org)
        months = fiscal_year_months(fiscal_year)
        for name in ("start_month", "end_month"):
            old = self.fields[name]
            self.fields[name] = FiscalMonthField(months=months, label=old.label, help_text=old.help_text)
        if instance_pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_title(self):
        return self.cleaned_data["title"].strip()


# --- steps ----------------------------------------------------------------------------------

class StepForm(forms.Form):
    """One row of the step list. ``level``: 1 step, 2 sub-item of the nearest step above."""

    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    level = forms.TypedChoiceField(
        choices=[(1, "1"), (2, "2")], coerce=int, initial=1, widget=forms.HiddenInput, required=False,
        empty_value=1,
    )
    label = forms.CharField(
        label=_("number as written"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("auto")}),
    )
    text = forms.CharField(
        label=_("text"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )
    due_date = BEDateField(
        label=_("due date"), required=False,
        widget=BEDateField.widget(attrs={"class": "form-control form-control-sm", "placeholder": _("e.g. 14/1/2568")}),
    )

    def has_changed(self):
        # A row left completely empty is ignored, whatever its level.
        return any(self.data.get(self.add_prefix(name), "").strip() for name in ("id", "label", "text", "due_date"))


class BaseStepFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        # Rows are added, removed and moved in the browser: every row may be left empty (then ignored).
        return {**super().get_form_kwargs(index), "empty_permitted": True}

    def clean(self):
        if any(self.errors):
            return
        first = True
        for form in self.forms:
            if not form.has_changed():
                continue
            if first and form.cleaned_data.get("level") == 2:
                form.add_error("level", _("A sub-item must follow a step."))
            first = False

    def step_rows(self) -> list[StepRow]:
        rows = []
        for form in self.forms:
            if not form.has_changed():
                continue
            data = form.cleaned_data
            rows.append(StepRow(
                id=data.get("id"), level=data.get("level") or 1, label=data.get("label", "").strip(),
                text=data["text"].strip(), due_date=data.get("due_date"),
            ))
        return rows


StepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=0, max_num=500, validate_max=True)

STEP_PREFIX = "steps"


def step_initial(measure: Measure) -> list[dict]:
    """Formset initial data for a measure's steps, in display order (uses prefetched steps)."""
    rows = []
    for step in measure.top_steps():
        rows.append({"id": step.pk, "level": 1, "label": step.label, "text": step.text, "due_date": step.due_date})
        for sub in step.children:
            rows.append({"id": sub.pk, "level": 2, "label": sub.label, "text": sub.text, "due_date": sub.due_date})
    return rows


def make_step_formset(data=None, initial=None):
    formset = StepFormSet(data, initial=initial, prefix=STEP_PREFIX)
    return formset


# --- copy from the previous year ----------------------------------------------------------

class CopyForm(forms.Form):
    measures = ModelMultipleChoiceField(
        queryset=Measure.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one measure to copy.")},
    )
    confirm_duplicates = forms.BooleanField(required=False)

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].queryset = sources
