"""Filters of the measures list: by division, tool and indicator (django-filter)."""
import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ita.models import Indicator, Tool
from orgs.models import Division

from .models import Measure


class MeasureFilter(django_filters.FilterSet):
    division = django_filters.ModelChoiceFilter(
        field_name="divisions", queryset=Division.objects.none(), label=_("Division"),
        empty_label=_("All divisions"), distinct=True,
    )
    tool = django_filters.ModelChoiceFilter(
        field_name="tools", queryset=Tool.objects.all(), label=_("Tool"), empty_label=_("All tools"),
        distinct=True,
    )
    indicator = django_filters.ModelChoiceFilter(
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
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
