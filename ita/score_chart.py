"""The line chart of an organisation's total and per-tool ITA scores per assessment year (inline SVG,
template ita/_score_chart.html): on the dashboard and on the organisation's public page."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from core.thai import format_number, to_thai_digits

TOOL_CODES = ("IIT", "EIT", "OIT")


@dataclass
class ChartPoint:
    x: float
    y: float
    year: int
    value: Decimal

    @property
    def label(self) -> str:
        return format_number(self.value)

    @property
    def cx(self) -> str:
        return f"{self.x:.1f}"

    @property
    def cy(self) -> str:
        return f"{self.y:.1f}"


@dataclass
class ChartSeries:
    key: str
    label: str
    points: list[ChartPoint] = field(default_factory=list)

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points))


@dataclass
class ScoreChart:
    """Geometry of the line chart of scores per assessment year (drawn as inline SVG)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_ticks: list[tuple[str, str]]  # (x as SVG text, label)
    y_ticks: list[tuple[str, str]]
    series: list[ChartSeries]
    rows: list[dict]  # the same data as a table: year, total, IIT, EIT, OIT

    @property
    def empty(self) -> bool:
        return not self.rows


def score_chart(results, width=640, height=260) -> ScoreChart:
    """Chart of the total and per-tool scores of ``results`` (AssessmentResults with tool scores)."""
    left, right, top, bottom = 44, width - 16, 16, height - 30
    ordered = sorted(results, key=lambda r: r.year.year)
    rows = []
    for r in ordered:
        tools = r.tool_score_map()
        rows.append({"year": r.year.year, "total": r.total_score, **{c: tools.get(c) for c in TOOL_CODES}})
    values = [v for row in rows for k, v in row.items() if k != "year" and v is not None]
    floor = min(values, default=Decimal("0"))
    y_min = max(0, int((floor - 5) // 10 * 10)) if values else 0
    y_step = 10 if 100 - y_min > 30 else 5

    def y_of(value) -> float:
        return bottom - (float(value) - y_min) / (100 - y_min) * (bottom - top)

    years = [row["year"] for row in rows]
    span = (years[-1] - years[0]) if len(years) > 1 else 0

    def x_of(year) -> float:
        if not span:
            return (left + right) / 2
        return left + 24 + (year - years[0]) / span * (right - left - 48)

    series = [ChartSeries("total", str(_("Total score")))] + [ChartSeries(c, c) for c in TOOL_CODES]
    for s in series:
        for row in rows:
            if row[s.key] is not None:
                s.points.append(ChartPoint(x_of(row["year"]), y_of(row[s.key]), row["year"], row[s.key]))
    return ScoreChart(
        width=width, height=height, left=left, right=right, top=top, bottom=bottom,
        x_ticks=[(f"{x_of(y):.1f}", to_thai_digits(y)) for y in years],
        y_ticks=[(f"{y_of(v):.1f}", to_thai_digits(v)) for v in range(y_min, 101, y_step)],
        series=[s for s in series if s.points],
        rows=rows,
    )
