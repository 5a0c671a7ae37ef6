"""The national picture (public): how many organisations have published their measures plan and their 6-
and 12-month reports, for the current and the previous fiscal year, by province and by type; the
distribution of ITA levels and scores per assessment year; the provinces' average scores. From published
documents and confirmed results only. Three aggregate queries for any number of organisations (the figures
are grouped in the database; only the confirmed results of the years shown come to Python, for their
levels). The pages are cached like every public page (core/pagecache.py, scope "site": any publication or
confirmation anywhere makes the next request compute them again)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from core.thai import fiscal_year_of
from ita import levels
from ita.models import SNAPSHOT_TOOL_CODES, AssessmentResult, LevelScale
from orgs.models import Organisation, OrganisationKind
from reports.models import Document, DocumentKind, DocumentStatus

SLOTS = (("measures", DocumentKind.MEASURES, 0), ("progress-6", DocumentKind.PROGRESS, 6),
         ("progress-12", DocumentKind.PROGRESS, 12))
SCORE_BINS = [(Decimal(low), Decimal(low + 10)) for low in range(0, 100, 10)]


@dataclass
class Group:
    """One province, district or type: organisations, and per fiscal year how many published each slot."""

    key: str
    label: str
    organisations: int = 0
    published: dict = field(default_factory=dict)  # (fiscal year, slot) -> organisations
    scores: list = field(default_factory=list)  # confirmed totals of the latest assessment year shown

    def share(self, fiscal_year: int, slot: str) -> float:
        return self.published.get((fiscal_year, slot), 0) / self.organisations if self.organisations else 0.0

    @property
    def average(self) -> Decimal | None:
        return (sum(self.scores) / len(self.scores)).quantize(Decimal("0.01")) if self.scores else None


@dataclass
class Picture:
    province: str  # "" for the whole country
    fiscal_years: list
    assessment_years: list
    organisations: int
    groups: list  # by province (national) or district (a province)
    kinds: list  # by type
    level_counts: dict  # assessment year -> Counter(level label)
    level_order: dict  # assessment year -> [level labels in order]
    score_bins: dict  # assessment year -> [(low, high, count)]
    results: dict  # assessment year -> number of confirmed results


def _level(row) -> str:
    total = Decimal(str(row["public_total"]))
    if row["year__scale"] == LevelScale.OLD:
        return levels.old_level(total) or ""
    tools = {code: Decimal(str(row[f"public_{code}"])) for code in SNAPSHOT_TOOL_CODES
             if row.get(f"public_{code}") not in (None, "")}
    level = levels.new_level(total, tools)
    return str(level.label) if level is not None else ""


def picture(province: str = "", today=None) -> Picture:
    today = today or timezone.localdate()
    current = fiscal_year_of(today)
    fiscal_years = [current, current - 1]
    assessment_years = [current - 1, current - 2]
    by = "organisation__district" if province else "organisation__province"
    orgs = Organisation.objects.filter(province=province) if province else Organisation.objects.all()

    groups: dict[str, Group] = {}
    kinds: dict[str, Group] = {value: Group(value, str(label)) for value, label in OrganisationKind.choices}
    total = 0
    for row in orgs.values("district" if province else "province", "kind").annotate(n=Count("pk")):
        key = row["district" if province else "province"] or "–"
        groups.setdefault(key, Group(key, key)).organisations += row["n"]
        kinds[row["kind"]].organisations += row["n"]
        total += row["n"]

    documents = Document.objects.filter(status=DocumentStatus.PUBLISHED, fiscal_year__in=fiscal_years)
    if province:
        documents = documents.filter(organisation__province=province)
    slot_of = {(kind, round_): slot for slot, kind, round_ in SLOTS}
    for row in (documents.filter(kind__in=[DocumentKind.MEASURES, DocumentKind.PROGRESS])
                .values(by, "organisation__kind", "fiscal_year", "kind", "round")
                .annotate(n=Count("organisation", distinct=True))):
        slot = slot_of.get((row["kind"], row["round"]))
        if slot is None:
            continue
        key = (row["fiscal_year"], slot)
        group = groups.get(row[by] or "–")
        if group is not None:
            group.published[key] = group.published.get(key, 0) + row["n"]
        kind = kinds[row["organisation__kind"]]
        kind.published[key] = kind.published.get(key, 0) + row["n"]

    results = AssessmentResult.objects.with_public_figures().filter(year__year__in=assessment_years)
    if province:
        results = results.filter(organisation__province=province)
    level_counts = {year: Counter() for year in assessment_years}
    bins = {year: Counter() for year in assessment_years}
    counts = Counter()
    for row in results.values(by, "organisation__kind", "year__year", "year__scale", "public_total",
                              *(f"public_{code}" for code in SNAPSHOT_TOOL_CODES)):
        if row["public_total"] in (None, ""):
            continue
        year, score = row["year__year"], Decimal(str(row["public_total"]))
        counts[year] += 1
        level_counts[year][_level(row)] += 1
        bins[year][min(int(score // 10), 9)] += 1
        if year == assessment_years[0]:
            group = groups.get(row[by] or "–")
            if group is not None:
                group.scores.append(score)
            kinds[row["organisation__kind"]].scores.append(score)

    order = {}
    for year in assessment_years:
        scale_levels = ([label for label in ("AA", "A", "B", "C", "D", "E", "F")]
                        if any(label in ("AA", "A", "B", "C", "D", "E", "F") for label in level_counts[year])
                        else [str(level.label) for level in levels.NewLevel])
        order[year] = scale_levels
    return Picture(
        province=province, fiscal_years=fiscal_years, assessment_years=assessment_years, organisations=total,
        groups=sorted(groups.values(), key=lambda g: g.label),
        kinds=[k for k in kinds.values() if k.organisations],
        level_counts=level_counts, level_order=order,
        score_bins={year: [(low, high, bins[year][i]) for i, (low, high) in enumerate(SCORE_BINS)]
                    for year in assessment_years},
        results=dict(counts),
    )
