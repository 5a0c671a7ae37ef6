"""The progress report side of an import of measures (measures/importing/apply.py): with a round, the
draft progress report of that round (the existing draft, or a new one in the preview's layout) gets the
imported results of the new measures. Registered with ``register_round_filler`` (reports/apps.py); runs
inside the import's transaction."""
from __future__ import annotations

from django.utils.translation import gettext as _

from measures.importing import ImportPreview, ImportRefused
from measures.layouts import validate_columns

from ..models import Document, DocumentKind, DocumentStatus, EntryStatus, Layout
from ..workflow.rules import WorkflowError
from ..workflow.transitions import create_document
from .services import ensure_entries, save_entry

# preview column field -> Document.columns key (layout A)
COLUMN_KEY = {
    "measure": "measure", "title": "title", "guideline": "guideline", "steps": "steps", "method": "method",
    "weakness": "weakness", "responsible": "responsible", "timeline": "timeline", "monitoring": "monitoring",
    "output": "output", "outcome": "outcome", "number": "number",
}


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


def fill_round(org, fiscal_year: int, round: int, preview: ImportPreview, measures, actor):
    """(document, number of entries filled) for the new ``measures`` (in the order of ``preview.measures``)."""
    filled = 0
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
    return document, filled


def register() -> None:
    from measures.importing.apply import register_round_filler

    register_round_filler(fill_round)
