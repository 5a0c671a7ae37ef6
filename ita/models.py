"""The ITA catalogue (per assessment year, loaded from data files) and organisations' results."""
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import levels

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class LevelScale(models.TextChoices):
    OLD = "old", _("AA–F scale (up to 2565)")
    NEW = "new", _("Pass levels (from 2566)")


class AssessmentYear(models.Model):
    """One ITA assessment year (Buddhist era), e.g. 2567, with the catalogue valid that year."""

    year = models.PositiveSmallIntegerField(_("assessment year (B.E.)"), unique=True)
    scale = models.CharField(_("official level scale"), max_length=3, choices=LevelScale.choices)
    notes = models.TextField(_("notes"), blank=True)
    # A provisional catalogue: the NACC manual of this year is not out yet, so the catalogue is a copy
    # of year ``based_on``'s; replaced when the real one is loaded (ita/catalogue_changes.py).
    provisional = models.BooleanField(_("provisional catalogue"), default=False)
    based_on = models.PositiveSmallIntegerField(_("copied from assessment year"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment year")
        verbose_name_plural = _("assessment years")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class Tool(models.Model):
    """IIT, EIT or OIT: the same three tools every year; their weights are per year."""

    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("assessment tool")
        verbose_name_plural = _("assessment tools")
        ordering = ["order"]

    def __str__(self):
        return self.code


class ToolWeight(models.Model):
    year = models.ForeignKey(AssessmentYear, on_delete=models.CASCADE, related_name="tool_weights")
    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="weights")
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("tool weight")
        verbose_name_plural = _("tool weights")
        ordering = ["year", "tool__order"]
        constraints = [models.UniqueConstraint(fields=["year", "tool"], name="toolweight_unique")]

    def __str__(self):
        return f"{self.year} {self.tool}: {self.weight}"


class Indicator(models.Model):
    year = models.ForeignKey(
        AssessmentYear, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("year")
    )
    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("tool"))
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=300)
    alt_names = models.CharField(_("other spellings"), max_length=500, blank=True)
    uncertain = models.BooleanField(_("to be checked"), default=False)
    source_note = models.CharField(_("source"), max_length=500, blank=True)
    # Gone from the year's catalogue but kept because measures or results point at it.
    retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["year", "number"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="indicator_unique")]

    def __str__(self):
        return f"{self.number}. {self.name}"


class SubIndicator(models.Model):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="sub_indicators", verbose_name=_("indicator")
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=300)
    uncertain = models.BooleanField(_("to be checked"), default=False)
    source_note = models.CharField(_("source"), max_length=500, blank=True)
    retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        verbose_name = _("sub-indicator")
        verbose_name_plural = _("sub-indicators")
        ordering = ["indicator", "code"]
        constraints = [models.UniqueConstraint(fields=["indicator", "code"], name="subindicator_unique")]

    def __str__(self):
        return f"{self.code} {self.name}"


class OITItem(models.Model):
    """One OIT item of one year: the same code (O17) means different things in different years."""

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.CASCADE, related_name="oit_items", verbose_name=_("year")
    )
    code = models.CharField(_("code"), max_length=10)
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=500)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="oit_items", null=True, blank=True
    )
    sub_indicator = models.ForeignKey(
        SubIndicator, on_delete=models.PROTECT, related_name="oit_items", null=True, blank=True
    )
    # Which portal documents answer this item in ITAS, "|"-separated kind slugs (public/links.py):
    # analysis, measures, progress (every round), progress-6, progress-12, ...
    portal_documents = models.CharField(_("answered by portal documents"), max_length=100, blank=True)
    # Which fiscal year's document answers the item: assessment year + offset (0 or -1: O26 of 2569 is
    # answered by the 12-month report of FY 2568, which exists during the assessment).
    portal_document_fy_offset = models.SmallIntegerField(_("fiscal year of the answering document"), default=0)
    uncertain = models.BooleanField(_("to be checked"), default=False)
    source_note = models.CharField(_("source"), max_length=500, blank=True)
    retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        verbose_name = _("OIT item")
        verbose_name_plural = _("OIT items")
        ordering = ["year", "number"]
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="oititem_unique")]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def portal_document_kinds(self):
        """The kind slugs as written: ["analysis", "measures"], ["progress-12"]."""
        return [k for k in self.portal_documents.split("|") if k]

    def answering_fiscal_year(self) -> int:
        """The fiscal year whose documents answer this item (assessment year + offset)."""
        return self.year.year + self.portal_document_fy_offset


class AssessmentResultQuerySet(models.QuerySet):
    def for_org(self, org):
        return self.filter(organisation=org)


class AssessmentResult(models.Model):
    """An organisation's ITA result of one assessment year. The level is computed, never typed."""

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="results", verbose_name=_("organisation")
    )
    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="results", verbose_name=_("assessment year")
    )
    total_score = models.DecimalField(_("total score"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    summary = models.TextField(_("summary"), blank=True)
    notes = models.TextField(_("notes about the figures"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AssessmentResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("ITA result")
        verbose_name_plural = _("ITA results")
        ordering = ["organisation", "-year__year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="result_unique_org_year")
        ]

    def __str__(self):
        return f"{self.organisation} {self.year}"

    def tool_score_map(self):
        """{"IIT": Decimal, ...} from the (possibly prefetched) tool scores."""
        return {ts.tool.code: ts.score for ts in self.tool_scores.all()}

    @property
    def level_old(self):
        return levels.old_level(self.total_score)

    @property
    def level_new(self):
        return levels.new_level(self.total_score, self.tool_score_map())

    @property
    def official_level(self):
        """The level on the scale NACC used that year."""
        return self.level_old if self.year.scale == LevelScale.OLD else self.level_new


class ToolScore(models.Model):
    result = models.ForeignKey(AssessmentResult, on_delete=models.CASCADE, related_name="tool_scores")
    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, verbose_name=_("tool"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    issues_to_improve = models.TextField(_("issues to improve"), blank=True)

    class Meta:
        verbose_name = _("tool score")
        verbose_name_plural = _("tool scores")
        ordering = ["tool__order"]
        constraints = [models.UniqueConstraint(fields=["result", "tool"], name="toolscore_unique")]

    def __str__(self):
        return f"{self.tool}: {self.score}"


class IndicatorScore(models.Model):
    result = models.ForeignKey(AssessmentResult, on_delete=models.CASCADE, related_name="indicator_scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, verbose_name=_("indicator"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    assessment_points = models.TextField(_("assessment points"), blank=True)  # ประเด็นการประเมิน
    issues_to_improve = models.TextField(_("issues to improve"), blank=True)  # ประเด็นที่ควรพัฒนา

    class Meta:
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")
        ordering = ["indicator__number"]
        constraints = [models.UniqueConstraint(fields=["result", "indicator"], name="indicatorscore_unique")]

    def __str__(self):
        return f"{self.indicator}: {self.score}"


class OITItemScore(models.Model):
    result = models.ForeignKey(AssessmentResult, on_delete=models.CASCADE, related_name="oit_scores")
    item = models.ForeignKey(OITItem, on_delete=models.PROTECT, verbose_name=_("OIT item"))
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    remark = models.CharField(_("remark"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("OIT item score")
        verbose_name_plural = _("OIT item scores")
        ordering = ["item__number"]
        constraints = [models.UniqueConstraint(fields=["result", "item"], name="oitscore_unique")]

    def __str__(self):
        return f"{self.item.code}: {self.score}"
