"""Saving a previewed import: the measures, and with a round the entries of that round's progress report.

``apply_import`` is one transaction: an error anywhere (a refused report, a database error) saves
nothing. Measures are created by ``create_imported_measures`` (steps through measures.services'
step writer, history attributed to the actor); the progress report is created with
``reports.services.create_document`` (or the existing draft of that round is reused) and each new
measure's entry is filled with ``reports.services.save_entry``.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.thai import to_thai_digits
from ita.models import Indicator, OITItem, Tool
from measures.models import Measure, default_report_rounds
from measures.services import StepRow, _save_steps, catalogue_year_for
from orgs.access import ROLE_RANK
from orgs.models import Role
from reports.documents import validate_columns
from reports.models import Document, DocumentKind, DocumentStatus, EntryStatus, Layout
from reports.services import WorkflowError, create_document, ensure_entries, role_of, save_entry

from . import ImportedMeasure, ImportPreview, ImportRefused, ImportResult

ROUNDS = (3, 6, 9, 12)
# preview column field -> Document.columns key (layout A)
COLUMN_KEY = {
    "measure": "measure", "title": "title", "guideline": "guideline", "steps": "steps", "method": "method",
    "weakness": "weakness", "responsible": "responsible", "timeline": "timeline", "monitoring": "monitoring",
    "output": "output", "outcome": "outcome", "number": "number",
}


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


def _report(org, fiscal_year: int, round_: int, preview: ImportPreview, actor) -> Document:
    """The draft progress report of the round: the existing one, or a new one in the preview's layout
    (layout A with the columns and headings of the imported table)."""
    existing = (Document.objects.for_org(org)
                .filter(fiscal_year=fiscal_year, kind=DocumentKind.PROGRESS, round=round_)
                .order_by("-revision").first())
    if existing is not None:
        if existing.status != DocumentStatus.DRAFT:
            raise ImportRefused(_(
                "The progress report of this round is %(status)s, so no entries can be added to it. Import "
                "without a round, or start a new revision of the report first."
            ) % {"status": existing.get_status_display()})
        ensure_entries(existing)
        return existing
    try:
        document = create_document(org, fiscal_year=fiscal_year, kind=DocumentKind.PROGRESS, round=round_,
                                   actor=actor, notify=False)
    except WorkflowError as exc:
        raise ImportRefused(str(exc)) from exc
    changed = []
    if preview.layout in Layout.values:
        document.layout = preview.layout
        changed.append("layout")
    if preview.layout == Layout.A:
        columns = [{"key": COLUMN_KEY[f], "heading": h}
                   for f, h in zip(preview.columns, preview.headings) if f in COLUMN_KEY]
        if columns and not validate_columns(columns):
            document.columns = columns
            changed.append("columns")
    if changed:
        document.save(update_fields=changed)
    return document


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
            document = _report(org, fiscal_year, round, preview, actor)
            entries = {e.measure_id: e for e in document.entries.filter(measure__in=measures)}
            for measure, imported in zip(measures, preview.measures):
                entry = entries.get(measure.pk)
                if entry is None:
                    continue
                data = {"output": imported.output, "outcome": imported.outcome}
                if imported.status in EntryStatus.values:
                    data["status"] = imported.status
                    data["status_reason"] = imported.status_reason
                elif imported.output.strip():
                    data["status"] = EntryStatus.DONE
                try:
                    save_entry(entry, data=data, expected_version=entry.version, actor=actor)
                except WorkflowError as exc:
                    raise ImportRefused(str(exc)) from exc
                filled += 1
            document.refresh_from_db()
    return ImportResult(measures=measures, entries=filled, document=document)
