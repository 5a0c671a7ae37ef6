"""Filters of the measures list: by division, tool and indicator (django-filter)."""
import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField

from core.forms import ListedChoices, PlainSelect
from ita.models import Indicator, Tool
from orgs.models import Division

from .models import Measure


class _ListedChoices(ListedChoices):
    def objects(self):
        return self.field.rows()


class _ListedChoiceField(ModelChoiceField):
    """Its rows are read once per form (``rows()``): by the select, by the check of the chosen value, and by
    the list that shows the measures' own divisions, tools and indicators with the same objects."""
    iterator = _ListedChoices
    _rows = None

    def _set_queryset(self, queryset):
        self._rows = None
        super()._set_queryset(queryset)

    queryset = property(ModelChoiceField._get_queryset, _set_queryset)

    def rows(self) -> list:
        if self._rows is None:
            self._rows = list(self.queryset.all())
        return self._rows

    def to_python(self, value):
        """The chosen row among the rows (no query of its own): the same row, and the same error, as
        Django's field finds by ``queryset.get(pk=value)``."""
        if value in self.empty_values or (self.null_label is not None and value == self.null_value):
            return super().to_python(value)
        self.validate_no_null_characters(value)
        try:
            key = int(value)
        except (TypeError, ValueError):
            key = None
        found = next((row for row in self.rows() if row.pk == key), None) if key is not None else None
        if found is not None:
            return found
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result._rows = None
        return result


class ChoiceFilter(django_filters.ModelChoiceFilter):
    """A filter by one related row, in a plain select (core.forms.PlainSelect) read by one query."""
    field_class = _ListedChoiceField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, widget=PlainSelect(attrs={"class": "form-select form-select-sm"}), **kwargs)


class MeasureFilter(django_filters.FilterSet):
    division = ChoiceFilter(
        field_name="divisions", queryset=Division.objects.none(), label=_("Division"),
        empty_label=_("All divisions"), distinct=True,
    )
    tool = ChoiceFilter(
        field_name="tools", queryset=Tool.objects.all(), label=_("Tool"), empty_label=_("All tools"),
        distinct=True,
    )
    indicator = ChoiceFilter(
        field_name="indicators", queryset=Indicator.objects.none(), label=_("Indicator"),
        empty_label=_("All indicators"), distinct=True,
    )

    class Meta:
        model = Measure
        fields = ["division", "tool", "indicator"]

    def __init__(self, data=None, queryset=None, *, org, fiscal_year, catalogue_year, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["division"].queryset = Division.objects.filter(organisation=org)
        # The catalogue of the year, plus any indicator this organisation's measures of the year use.
        used = Measure.indicators.through.objects.filter(
            measure__organisation=org, measure__fiscal_year=fiscal_year
        ).values("indicator_id")
        in_catalogue = Q(year=catalogue_year) if catalogue_year else Q(pk__in=[])
        self.filters["indicator"].queryset = (
            Indicator.objects.filter(in_catalogue | Q(pk__in=used)).select_related("tool")
            .order_by("year__year", "tool__order", "number")
        )
        self.form.fields["indicator"].label_from_instance = lambda i: f"{i.tool.code} {i.number}. {i.name}"
