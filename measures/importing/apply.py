"""Saving a previewed import: the measures, and with a round the entries of that round's progress report.

``apply_import`` is one transaction: an error anywhere (a refused report, a database error) saves
nothing. Measures are created by ``create_imported_measures`` (steps through measures.services'
step writer, history attributed to the actor); the round's progress report is filled by the function
that reports registers with ``register_round_filler`` (reports/entries/measure_import.py: the report created
with ``reports.workflow.transitions.create_document`` or the existing draft of that round, each new measure's entry
filled with ``reports.entries.services.save_entry``). measures never imports reports.
"""
from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.thai import to_thai_digits
from ita.models import Indicator, OITItem, Tool
from measures.models import Measure, default_report_rounds
from measures.services import StepRow, _save_steps, catalogue_year_for
from orgs.access import ROLE_RANK, role_of
from orgs.models import Role

from . import ImportedMeasure, ImportPreview, ImportRefused, ImportResult

ROUNDS = (3, 6, 9, 12)
# reports' filler of a round's progress report: (org, fiscal_year, round, preview, measures, actor) ->
# (document, number of entries filled); raises ImportRefused when the report refuses.
_round_filler: list[Callable] = []


def register_round_filler(filler: Callable) -> None:
    _round_filler[:] = [filler]


def _step_rows(measure: ImportedMeasure) -> list[StepRow]:
    rows = []
    for step in measure.steps:
        rows.append(StepRow(text=step.text, level=1, label=step.label, due_date=step.due_date))
        for sub in step.sub_items:
            rows.append(StepRow(text=sub.text, level=2, label=sub.label, due_date=sub.due_date))
    return rows


def create_imported_measures(org, fiscal_year: int, measures: list[ImportedMeasure], *, actor,
                             report_round: int | None = None) -> list[Measure]:
    """Create the measures in their order after the existing measures of the year, with steps,
    sub-items, tools (when the catalogue has them) and the divisions named in the responsible text."""
    tools = {t.code: t for t in Tool.objects.all()}
    divisions = list(org.divisions.all()) if hasattr(org, "divisions") else []
    catalogue = catalogue_year_for(fiscal_year)
    indicators = {i.number: i for i in Indicator.objects.filter(year=catalogue)} if catalogue else {}
    oit_items = {i.code: i for i in OITItem.objects.filter(year=catalogue)} if catalogue else {}
    with transaction.atomic():
        last = Measure.objects.for_org(org).for_year(fiscal_year).aggregate(m=Max("order"))["m"]
        order = 0 if last is None else last + 1
        created = []
        for imported in measures:
            rounds = default_report_rounds() if imported.report_rounds is None else sorted(imported.report_rounds)
            if report_round and report_round not in rounds:
                rounds = sorted([*rounds, report_round])
            measure = Measure(
                organisation=org, fiscal_year=fiscal_year, order=order,
                group_heading=imported.group_heading, title=imported.title, guideline=imported.guideline,
                weakness=imported.weakness, responsible_text=imported.responsible_text,
                timeline_text=imported.timeline_text, monitoring=imported.monitoring, report_rounds=rounds,
                start_month=imported.start_month, end_month=imported.end_month,
            )
            measure._history_user = actor
            try:
                measure.full_clean(validate_unique=False)
            except ValidationError as exc:
                problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in exc.message_dict.items())
                raise ImportRefused(_("Measure %(number)s (%(title)s) cannot be saved: %(problems)s") % {
                    "number": to_thai_digits(len(created) + 1), "title": imported.title[:80], "problems": problems}) from exc
            measure.save()
            codes = [c for c in imported.tools if c in tools]
            if codes:
                measure.tools.set([tools[c] for c in codes])
            if imported.divisions is None:
                named = [d for d in divisions if d.name and d.name in imported.responsible_text]
            else:
                named = [d for d in divisions if d.name in imported.divisions]
            if named:
                measure.divisions.set(named)
            if imported.indicators:
                measure.indicators.set([indicators[n] for n in imported.indicators if n in indicators])
            if imported.oit_items:
                measure.oit_items.set([oit_items[c] for c in imported.oit_items if c in oit_items])
            _save_steps(measure, _step_rows(imported), actor)
            created.append(measure)
            order += 1
    return created


def apply_import(org, fiscal_year: int, preview: ImportPreview, *, round: int | None = None, actor) -> ImportResult:
    if round not in (None, *ROUNDS):
        raise ImportRefused(_("Choose the round of the progress report: 3, 6, 9 or 12 months."))
    role = role_of(actor, org)
    if role is None or ROLE_RANK[Role(role)] < ROLE_RANK[Role.STAFF]:
        raise ImportRefused(_("You are not a member of this organisation."))
    if not preview.measures:
        raise ImportRefused(_("There is nothing to import: no measure was found in the table."))
    with transaction.atomic():
        measures = create_imported_measures(org, fiscal_year, preview.measures, actor=actor, report_round=round)
        document = None
        filled = 0
        if round:
            if not _round_filler:
                raise RuntimeError("no progress report filler registered (reports/apps.py)")
            document, filled = _round_filler[0](org, fiscal_year, round, preview, measures, actor)
    return ImportResult(measures=measures, entries=filled, document=document)
