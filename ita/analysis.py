"""The analysis of an ITA result (the การวิเคราะห์ผลการประเมิน document of ita-domain.md §4).

Pure functions on plain data: no database, no Django models, no translations. The view turns
models into the small input records below, and templates turn the output into words.

Rules (documented in one place, tested in tests/test_analysis.py):

* **Strengths**: every indicator scoring at or above the organisation's strength threshold
  (default 85.00: 85.00 is a strength, 84.99 is not), sorted from the highest score down; ties by
  indicator number.
* **Weaknesses**: every indicator scoring below the threshold, sorted from the lowest score up
  (ties by number). When fewer than ``MIN_WEAKNESSES`` (3) indicators are below the threshold,
  the list is completed with the next-lowest indicators up to three, and an indicator tied with
  the last one taken is taken too (the organisation still has to name what to improve even when
  every indicator passes, as the published analyses do). Such an entry has ``below_threshold``
  False; it may also appear among the strengths.
* **OIT items scored 0** are weaknesses of their own (the item was not published), in item order.
* Indicators or items without a score are left out of strengths and weaknesses.
* Everything is also grouped per tool (IIT, EIT, OIT in the order given), with the tool's score
  and free-text issues, and each indicator's ประเด็นการประเมิน / ประเด็นที่ควรพัฒนา.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from . import levels

DEFAULT_THRESHOLD = Decimal("85")
MIN_WEAKNESSES = 3


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class ToolInput:
    code: str
    name: str = ""
    score: Decimal | None = None
    issues: str = ""


@dataclass(frozen=True)
class IndicatorInput:
    id: int
    number: int
    name: str
    tool: str  # tool code
    score: Decimal | None = None
    assessment_points: str = ""  # ประเด็นการประเมิน
    issues: str = ""  # ประเด็นที่ควรพัฒนา


@dataclass(frozen=True)
class OITItemInput:
    id: int
    code: str
    number: int
    title: str
    score: Decimal | None = None
    indicator_id: int | None = None
    tool: str = "OIT"


@dataclass(frozen=True)
class Weakness:
    """An indicator or an OIT item to improve; ``kind`` is "indicator" or "oit"."""

    kind: str
    tool: str
    score: Decimal
    indicator: IndicatorInput | None = None
    item: OITItemInput | None = None
    below_threshold: bool = True

    @property
    def issues(self) -> str:
        return self.indicator.issues if self.indicator else ""


@dataclass
class ToolGroup:
    tool: ToolInput
    indicators: list[IndicatorInput] = field(default_factory=list)  # by number, scored or not
    strengths: list[IndicatorInput] = field(default_factory=list)
    weaknesses: list[Weakness] = field(default_factory=list)  # indicators, then OIT items scored 0

    @property
    def code(self) -> str:
        return self.tool.code


@dataclass
class Analysis:
    threshold: Decimal
    strengths: list[IndicatorInput]
    weaknesses: list[Weakness]  # indicators only, lowest first
    oit_zero: list[Weakness]  # OIT items scored 0, in item order
    groups: list[ToolGroup]
    unscored: list[IndicatorInput]

    @property
    def all_weaknesses(self) -> list[Weakness]:
        return self.weaknesses + self.oit_zero


def normalise(indicator: IndicatorInput) -> IndicatorInput:
    score = _dec(indicator.score)
    return indicator if score is indicator.score else replace(indicator, score=score)


def strengths(indicators, threshold=DEFAULT_THRESHOLD) -> list[IndicatorInput]:
    """Indicators scoring at or above ``threshold``, highest first (ties by number)."""
    threshold = _dec(threshold)
    chosen = [i for i in map(normalise, indicators) if i.score is not None and i.score >= threshold]
    return sorted(chosen, key=lambda i: (-i.score, i.number))


def weaknesses(indicators, threshold=DEFAULT_THRESHOLD, minimum=MIN_WEAKNESSES) -> list[Weakness]:
    """Indicators below ``threshold``, or at least the ``minimum`` lowest (ties at the cut kept)."""
    threshold = _dec(threshold)
    scored = sorted(
        (i for i in map(normalise, indicators) if i.score is not None), key=lambda i: (i.score, i.number)
    )
    chosen = [i for i in scored if i.score < threshold]
    if len(chosen) < minimum and scored:
        cut = scored[min(minimum, len(scored)) - 1].score
        chosen = [i for i in scored if i.score < threshold or i.score <= cut]
    return [
        Weakness(kind="indicator", tool=i.tool, score=i.score, indicator=i, below_threshold=i.score < threshold)
        for i in chosen
    ]


def oit_zero_items(items) -> list[Weakness]:
    """OIT items scored exactly 0, in item order."""
    zero = [it for it in items if _dec(it.score) is not None and _dec(it.score) == 0]
    return [
        Weakness(kind="oit", tool=it.tool, score=Decimal("0"), item=it)
        for it in sorted(zero, key=lambda it: (it.number, it.code))
    ]


def analyse(tools, indicators, oit_items=(), threshold=DEFAULT_THRESHOLD, minimum=MIN_WEAKNESSES) -> Analysis:
    """The whole analysis; ``tools`` gives the order of the groups (tools not listed get a group too)."""
    threshold = _dec(threshold) if threshold is not None else DEFAULT_THRESHOLD
    indicators = [normalise(i) for i in indicators]
    strong = strengths(indicators, threshold)
    weak = weaknesses(indicators, threshold, minimum)
    zero = oit_zero_items(oit_items)

    groups: dict[str, ToolGroup] = {t.code: ToolGroup(tool=t) for t in tools}
    for code in [i.tool for i in indicators] + [w.tool for w in zero]:
        groups.setdefault(code, ToolGroup(tool=ToolInput(code=code)))
    for ind in sorted(indicators, key=lambda i: i.number):
        groups[ind.tool].indicators.append(ind)
    for ind in strong:
        groups[ind.tool].strengths.append(ind)
    for w in weak + zero:
        groups[w.tool].weaknesses.append(w)

    return Analysis(
        threshold=threshold,
        strengths=strong,
        weaknesses=weak,
        oit_zero=zero,
        groups=list(groups.values()),
        unscored=[i for i in sorted(indicators, key=lambda i: i.number) if i.score is None],
    )


def measure_prefill(weakness: Weakness, weakness_text: str) -> dict:
    """GET parameters that prefill a new measure answering ``weakness`` (see measures:create).

    ``weakness_text`` is what the measure's "weakness it answers" starts with: the indicator's
    ประเด็นที่ควรพัฒนา when given, otherwise a sentence the caller builds (it is translated text).
    Lists are repeated parameters: ``tools=OIT&oit_items=12&indicators=5``.
    """
    params = {"weakness": weakness_text, "tools": [weakness.tool]}
    if weakness.kind == "indicator":
        params["indicators"] = [weakness.indicator.id]
    else:
        params["oit_items"] = [weakness.item.id]
        if weakness.item.indicator_id:
            params["indicators"] = [weakness.item.indicator_id]
    return params


@dataclass(frozen=True)
class LevelSummary:
    """A result's level on both scales; ``official`` is the one of the year's scale ("old"/"new")."""

    old: str | None
    new: object  # levels.NewLevel or None
    scale: str
    missing_tools: tuple = ()  # tools whose score the new scale needs but is missing

    @property
    def official(self):
        return self.old if self.scale == "old" else self.new

    @property
    def old_tone(self) -> str:
        """Bootstrap colour of the old-scale level: AA/A pass, B/C below, D/E/F far below."""
        return {"AA": "success", "A": "success", "B": "warning", "C": "warning"}.get(self.old, "danger")

    @property
    def new_tone(self) -> str:
        return {
            levels.NewLevel.EXCELLENT: "success", levels.NewLevel.GOOD: "success",
            levels.NewLevel.PASS: "primary", levels.NewLevel.IMPROVE: "warning",
            levels.NewLevel.URGENT: "danger",
        }.get(self.new, "secondary")

    @property
    def official_tone(self) -> str:
        return self.old_tone if self.scale == "old" else self.new_tone


def level_summary(total, tool_scores: dict, scale: str) -> LevelSummary:
    """Both levels of a total and its tool scores ({"IIT": Decimal, ...}); see ita/levels.py."""
    missing = tuple(code for code in levels.TOOLS if tool_scores.get(code) is None)
    return LevelSummary(
        old=levels.old_level(total),
        new=levels.new_level(total, tool_scores),
        scale=scale,
        missing_tools=missing,
    )


def inputs_from_result(result, tools, indicators):
    """The analysis inputs of an AssessmentResult (duck-typed: no queries of its own).

    `tools` and `indicators` are the catalogue of the result's year, in order; the result's
    tool_scores, indicator_scores and oit_scores (with `item`) must be prefetched.
    """
    tool_scores = {s.tool_id: s for s in result.tool_scores.all()}
    ind_scores = {s.indicator_id: s for s in result.indicator_scores.all()}
    tool_inputs = [
        ToolInput(
            code=t.code, name=t.name,
            score=tool_scores[t.pk].score if t.pk in tool_scores else None,
            issues=tool_scores[t.pk].issues_to_improve if t.pk in tool_scores else "",
        )
        for t in tools
    ]
    ind_inputs = []
    for ind in indicators:
        s = ind_scores.get(ind.pk)
        ind_inputs.append(IndicatorInput(
            id=ind.pk, number=ind.number, name=ind.name, tool=ind.tool.code,
            score=s.score if s else None,
            assessment_points=s.assessment_points if s else "",
            issues=s.issues_to_improve if s else "",
        ))
    item_inputs = [
        OITItemInput(
            id=s.item.pk, code=s.item.code, number=s.item.number, title=s.item.title,
            score=s.score, indicator_id=s.item.indicator_id,
        )
        for s in sorted(result.oit_scores.all(), key=lambda s: s.item.number)
    ]
    return tool_inputs, ind_inputs, item_inputs
