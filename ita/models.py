"""The ITA catalogue (per assessment year, loaded from data files) and organisations' results.

A result is public only once an approver confirmed it (ita/services.py): the confirmation freezes the
figures into ``AssessmentResult.confirmed_snapshot``, and the public site and the open data read that
snapshot only, so a later correction stays internal until it is confirmed in turn.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.fields.json import KT
from django.utils.translation import gettext_lazy as _

from core.datacache import UpdateBumpsQuerySet

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
    # Which portal documents answer this item in ITAS, "|"-separated kind slugs (reports/documents/links.py):
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


SNAPSHOT_TOOL_CODES = ("IIT", "EIT", "OIT")


class AssessmentResultQuerySet(UpdateBumpsQuerySet):
    def for_org(self, org):
        return self.filter(organisation=org)

    def confirmed(self):
        """Results with confirmed figures (the public ones), whatever was changed since."""
        return self.filter(confirmed_at__isnull=False, confirmed_snapshot__isnull=False)

    def with_public_figures(self):
        """Confirmed results with the confirmed total and tool scores annotated from the snapshot (the
        snapshot itself is not loaded): what the public pages and the open data show, see ``public_view``."""
        return self.confirmed().defer("confirmed_snapshot").annotate(
            public_total=KT("confirmed_snapshot__total_score"),
            **{f"public_{code}": KT(f"confirmed_snapshot__tools__{code}") for code in SNAPSHOT_TOOL_CODES},
        )


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
    # The last confirmation (ita/services.py): who, when, of which version, and the figures it froze.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="+", verbose_name=_("confirmed by"),
    )
    confirmed_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    confirmed_snapshot = models.JSONField(_("confirmed figures"), null=True, blank=True, editable=False)

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

    # --- confirmation ---------------------------------------------------------------------------

    @property
    def was_confirmed(self) -> bool:
        """Confirmed figures exist (the public sees them), current or not."""
        return self.confirmed_at is not None

    @property
    def is_confirmed(self) -> bool:
        """The current figures are the confirmed ones (nothing awaits confirmation)."""
        return self.confirmed_at is not None and self.confirmed_version == self.version

    @property
    def correction_pending(self) -> bool:
        """Confirmed once, changed since: the public still sees the last confirmed figures."""
        return self.confirmed_at is not None and self.confirmed_version != self.version

    @property
    def awaiting_confirmation(self) -> bool:
        """Never confirmed, or changed since the last confirmation."""
        return not self.is_confirmed

    def public_view(self) -> ConfirmedResult | None:
        """The confirmed figures as the public sees them, or None when never confirmed. Reads the
        annotations of ``with_public_figures`` when present, else the snapshot."""
        if self.confirmed_at is None:
            return None
        if hasattr(self, "public_total"):
            total = self.public_total
            tools = {code: getattr(self, f"public_{code}") for code in SNAPSHOT_TOOL_CODES}
        else:
            snapshot = self.confirmed_snapshot or {}
            total, tools = snapshot.get("total_score"), snapshot.get("tools", {})
        if total is None:
            return None
        return ConfirmedResult(
            result=self, year=self.year, total_score=Decimal(str(total)),
            tools={code: Decimal(str(score)) for code, score in tools.items() if score not in (None, "")},
            confirmed_at=self.confirmed_at,
        )


@dataclass(frozen=True)
class ConfirmedResult:
    """The confirmed figures of a result (what the public sees): the same reading interface as an
    AssessmentResult for ``score_chart``, ``result_row`` and the open data."""

    result: AssessmentResult
    year: AssessmentYear
    total_score: Decimal
    tools: dict = field(default_factory=dict)
    confirmed_at: object = None

    @property
    def organisation(self):
        return self.result.organisation

    def tool_score_map(self):
        return dict(self.tools)

    @property
    def level_old(self):
        return levels.old_level(self.total_score)

    @property
    def level_new(self):
        return levels.new_level(self.total_score, self.tools)

    @property
    def official_level(self):
        return self.level_old if self.year.scale == LevelScale.OLD else self.level_new


class ResultAction(models.TextChoices):
    ENTER = "enter", _("entered")
    EDIT = "edit", _("changed")
    CORRECT = "correct", _("corrected after confirmation")
    CONFIRM = "confirm", _("confirmed")
    AUTO_CONFIRM = "auto_confirm", _("confirmed on the introduction of confirmation (already public)")


SAVE_ACTIONS = (ResultAction.ENTER, ResultAction.EDIT, ResultAction.CORRECT)


class ResultEvent(models.Model):
    """One step in the life of a result: entered, changed, corrected, confirmed (ita/services.py)."""

    result = models.ForeignKey(AssessmentResult, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=ResultAction.choices)
    version = models.PositiveIntegerField(_("result version"), default=1)  # the result's version after the step
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(_("name"), max_length=300, blank=True)  # kept if the user is deleted
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("ITA result event")
        verbose_name_plural = _("ITA result events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.result} {self.action} {self.at:%Y-%m-%d %H:%M}"


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
