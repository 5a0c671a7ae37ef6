"""What the dashboard of an organisation shows for one fiscal year, gathered in a fixed number of
queries (eight, whatever the amount of data; see tests/test_dashboard.py, tests/test_dashboard_cycle.py):

1. the fiscal years that have measures or documents, and the number of measures of the year (one UNION
   query),
2. and 3. every ITA result of the organisation with its tool scores (the last result, the chart and
   the checklist's result line),
4. the steps of the year due by the end of this month and not yet reported done,
5. every document of the year (the progress reports and the checklist) and the documents waiting in the
   workflow, of any year: submitted or approved, not yet published (the inbox),
6. and 7. the OIT items the portal answers and the year's published documents (workspace.cycle._oit_line),
8. the OIT register of the year (workspace.cycle._register_line).

What the eight queries give is kept in the shared cache while the organisation's data is unchanged
(core/datacache.py: per organisation, year, day and language); only the viewer's part, which documents
wait for their decision, is worked out on every request.

The default year is the current fiscal year (from today's date); the year picker offers every year
from the first with data (or answering a result) to the current one.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Value
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import datacache
from core.thai import fiscal_year_of, to_arabic_digits
from ita.analysis import LevelSummary, level_summary
from ita.models import AssessmentResult, ToolScore
from ita.score_chart import ScoreChart, score_chart
from measures.models import Measure, MeasureStep
from reports.models import Document, DocumentKind, EntryStatus, ProgressEntry

from . import cycle

REPORT_ROUNDS = (6, 12)
YEAR_MIN, YEAR_MAX = 2500, 2800  # a ?year= outside this is ignored (as the measures pages do)


def today() -> date:
    """Today in the site's time zone (a function so that tests can replace it)."""
    return timezone.localdate()


def parse_year(value) -> int | None:
    """A BE fiscal year from a query parameter (Thai digits allowed), or None."""
    try:
        year = int(to_arabic_digits(value or "").strip())
    except ValueError:
        return None
    return year if YEAR_MIN <= year <= YEAR_MAX else None


def default_fiscal_year(on: date) -> int:
    """The fiscal year the dashboard opens on: the current one (the year's checklist is for it)."""
    return fiscal_year_of(on)


def year_figures(org, fiscal_year: int) -> tuple[set[int], int]:
    """The fiscal years that have measures or documents, and the number of measures of ``fiscal_year``:
    one UNION query (each year with measures and their number; a year with documents counts 0)."""
    measures = (Measure.objects.for_org(org).order_by().values("fiscal_year").annotate(n=Count("pk"))
                .values_list("fiscal_year", "n"))
    documents = Document.objects.for_org(org).order_by().values_list("fiscal_year", Value(0))
    rows = list(measures.union(documents))
    return {year for year, _n in rows}, sum(n for year, n in rows if year == fiscal_year)


# --- the dashboard ------------------------------------------------------------------------------

@dataclass
class ReportState:
    round: int
    document: Document | None

    @property
    def label(self) -> str:
        return self.document.get_status_display() if self.document else str(_("Not started"))

    @property
    def status(self) -> str:
        return self.document.status if self.document else "not_started"


@dataclass
class Dashboard:
    fiscal_year: int
    current_fiscal_year: int
    today: date
    year_options: list[int]
    years_with_data: set[int]
    last_result: AssessmentResult | None
    last_levels: LevelSummary | None
    last_tools: dict
    measure_count: int
    due_this_month: list[MeasureStep]
    overdue: list[MeasureStep]
    reports: list[ReportState]
    chart: ScoreChart
    checklist: list[cycle.ChecklistLine] = field(default_factory=list)
    in_workflow: list[Document] = field(default_factory=list)  # submitted or approved, of any year
    waiting: list[cycle.WaitingDocument] = field(default_factory=list)  # in_workflow as the viewer sees it

    @property
    def waiting_for_me(self) -> list[cycle.WaitingDocument]:
        return [w for w in self.waiting if w.for_me]


def build(org, requested_year=None, on: date | None = None, *, role: str | None = None, user=None) -> Dashboard:
    """The dashboard of ``org`` for ``requested_year`` (default: the current fiscal year). ``role`` and
    ``user``: the viewer, for the documents waiting for their decision."""
    on = on or today()
    fiscal_year = parse_year(requested_year) or default_fiscal_year(on)
    dashboard = datacache.get_or_build("dashboard", org.pk, (org.slug, fiscal_year, on.isoformat(), get_language()),
                                       lambda: _build(org, fiscal_year, on))
    dashboard.waiting = cycle.waiting_documents(org, role, user, dashboard.in_workflow)
    return dashboard


def _build(org, fiscal_year: int, on: date) -> Dashboard:
    """The organisation's part of the dashboard: the same for every viewer on the day."""
    with_data, measure_count = year_figures(org, fiscal_year)

    results = list(
        AssessmentResult.objects.for_org(org).select_related("year").prefetch_related(
            Prefetch("tool_scores", queryset=ToolScore.objects.select_related("tool"))
        ).order_by("-year__year")
    )
    last = next((r for r in results if r.year.year < fiscal_year), None)

    month_end = on.replace(day=calendar.monthrange(on.year, on.month)[1])
    done = ProgressEntry.objects.filter(
        measure=OuterRef("measure"), status=EntryStatus.DONE, document__fiscal_year=fiscal_year
    )
    steps = list(
        MeasureStep.objects.filter(
            measure__organisation=org, measure__fiscal_year=fiscal_year,
            due_date__isnull=False, due_date__lte=month_end,
        )
        .exclude(Exists(done))
        .select_related("measure")
        .order_by("due_date", "measure__order", "order", "pk")
    )

    # The documents of the year and those waiting in the workflow (of any year), in one query.
    read = list(
        Document.objects.for_org(org).filter(Q(fiscal_year=fiscal_year) | Q(status__in=cycle.WAITING))
        .without_snapshot().select_related("submitted_by", "approved_by")
        .order_by("kind", "round", "-revision")
    )
    for doc in read:
        doc.organisation = org
    documents = [doc for doc in read if doc.fiscal_year == fiscal_year]
    latest = {}
    for doc in documents:
        if doc.kind == DocumentKind.PROGRESS:
            latest.setdefault(doc.round, doc)

    # Every fiscal year from the first with data (or answering a result) to the current one, and the chosen one.
    known = set(with_data) | {fiscal_year_of(on)} | {r.year.year + 1 for r in results}
    options = set(range(min(known), max(known) + 1)) | {fiscal_year}
    return Dashboard(
        fiscal_year=fiscal_year,
        current_fiscal_year=fiscal_year_of(on),
        today=on,
        year_options=sorted(options, reverse=True),
        years_with_data=with_data,
        last_result=last,
        last_levels=level_summary(last.total_score, last.tool_score_map(), last.year.scale) if last else None,
        last_tools=last.tool_score_map() if last else {},
        measure_count=measure_count,
        due_this_month=[s for s in steps if s.due_date >= on],
        overdue=[s for s in steps if s.due_date < on],
        reports=[ReportState(n, latest.get(n)) for n in REPORT_ROUNDS],
        chart=score_chart(results),
        checklist=cycle.checklist(org, fiscal_year, documents, results, on),
        in_workflow=[doc for doc in read if doc.status in cycle.WAITING],
    )
