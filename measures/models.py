"""Measures (มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน) of a fiscal year and their steps."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.datacache import UpdateBumpsQuerySet

REPORT_ROUND_CHOICES = [(3, _("3 months")), (6, _("6 months")), (9, _("9 months")), (12, _("12 months"))]


def default_report_rounds():
    return [6, 12]


class MeasureQuerySet(UpdateBumpsQuerySet):
    def for_org(self, org):
        return self.filter(organisation=org)

    def for_year(self, fiscal_year):
        return self.filter(fiscal_year=fiscal_year)

    def with_details(self):
        """Everything a list or a document shows, in a fixed number of queries."""
        return self.prefetch_related(
            "divisions",
            "tools",
            "indicators",
            "oit_items",
            models.Prefetch("steps", queryset=MeasureStep.objects.order_by("parent_id", "order", "pk")),
        )


class Measure(models.Model):
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="measures", verbose_name=_("organisation")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"), db_index=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    group_heading = models.CharField(
        _("group heading"), max_length=500, blank=True,
        help_text=_("Measures with the same heading are shown together under it."),
    )
    title = models.CharField(_("measure"), max_length=1000)
    guideline = models.TextField(
        _("guideline"), blank=True, help_text=_("One item per line; numbering is kept as typed.")
    )
    weakness = models.TextField(_("weakness it answers"), blank=True)
    tools = models.ManyToManyField("ita.Tool", blank=True, related_name="measures", verbose_name=_("tools"))
    indicators = models.ManyToManyField(
        "ita.Indicator", blank=True, related_name="measures", verbose_name=_("indicators")
    )
    oit_items = models.ManyToManyField(
        "ita.OITItem", blank=True, related_name="measures", verbose_name=_("OIT items")
    )
    divisions = models.ManyToManyField(
        "orgs.Division", blank=True, related_name="measures", verbose_name=_("responsible divisions")
    )
    responsible_text = models.TextField(
        _("responsible (as written)"), blank=True,
        help_text=_("Shown instead of the list of divisions when filled in."),
    )
    start_month = models.DateField(_("start month"), null=True, blank=True)
    end_month = models.DateField(_("end month"), null=True, blank=True)
    timeline_text = models.CharField(
        _("timeline (as written)"), max_length=500, blank=True,
        help_text=_("E.g. “throughout the fiscal year”; shown instead of the months when filled in."),
    )
    report_rounds = models.JSONField(_("report rounds (months)"), default=default_report_rounds, blank=True)
    monitoring = models.TextField(_("monitoring"), blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies",
        verbose_name=_("copied from"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[divisions])
    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["organisation", "fiscal_year", "order", "pk"]
        indexes = [models.Index(fields=["organisation", "fiscal_year", "order"])]

    def __str__(self):
        return self.title

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.start_month and self.end_month and self.end_month < self.start_month:
            raise ValidationError({"end_month": _("The end month is before the start month.")})

    def top_steps(self):
        """Top-level steps in order, each with `.children` (sub-items in order); uses prefetched steps."""
        steps = sorted(self.steps.all(), key=lambda s: (s.order, s.pk))
        by_parent = {}
        for step in steps:
            by_parent.setdefault(step.parent_id, []).append(step)
        for step in steps:
            step.children = by_parent.get(step.pk, [])
        return by_parent.get(None, [])


class MeasureStep(models.Model):
    """An ordered step of a measure; a step with a parent is a sub-item ("(๑)" level)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="steps", verbose_name=_("measure"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="sub_items",
        verbose_name=_("parent step"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    label = models.CharField(
        _("number as written"), max_length=20, blank=True,
        help_text=_("Leave empty for automatic numbering (๑. for steps, (๑) for sub-items)."),
    )
    text = models.TextField(_("text"))
    due_date = models.DateField(_("due date"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["measure", "parent_id", "order", "pk"]

    def __str__(self):
        return self.text[:80]

    @property
    def level(self):
        return 2 if self.parent_id else 1
