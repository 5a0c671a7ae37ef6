"""Import measures (and progress entries) from existing documents: pasted table text (from Word or a
PDF), DOCX and XLSX. Two steps, so the user sees a preview before anything is saved:

    preview = read_import(text=...)            # or read_import(upload=<UploadedFile>)
    result = apply_import(org, fiscal_year, preview, round=6 or None, actor=user)   # atomic

Errors the user must read (unknown format, empty, too large, no recognisable heading) raise
ImportRefused with a translatable message (English msgid, Thai translation).

Modules: text.py (pasted text), office.py (DOCX/XLSX, zip-bomb and XML checks), headings.py (column
headings), steps.py (cells into steps and sub-items), table.py (rows into measures), apply.py (saving).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


class ImportRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportedStep:
    text: str
    label: str = ""  # the number as written ("๑.", "(๑)"); "" = automatic
    sub_items: list["ImportedStep"] = field(default_factory=list)
    due_date: date | None = None


@dataclass
class ImportedMeasure:
    title: str
    group_heading: str = ""
    guideline: str = ""
    weakness: str = ""
    responsible_text: str = ""
    timeline_text: str = ""
    monitoring: str = ""
    tools: list[str] = field(default_factory=list)  # "IIT" / "EIT" / "OIT" (layout B sections)
    steps: list[ImportedStep] = field(default_factory=list)
    output: str = ""  # progress entry: what was done (one paragraph a line)
    outcome: str = ""
    # Read from our own XLSX export (own_xlsx.py); the defaults mean "not given by the source".
    start_month: date | None = None
    end_month: date | None = None
    report_rounds: list[int] | None = None  # None = the default rounds
    divisions: list[str] | None = None  # division names; None = guess from responsible_text
    indicators: list[int] = field(default_factory=list)  # indicator numbers (catalogue of fiscal year − 1)
    oit_items: list[str] = field(default_factory=list)  # OIT item codes (same catalogue)
    status: str = ""  # progress entry status (reports.models.EntryStatus value); "" = from output
    status_reason: str = ""


@dataclass
class ImportPreview:
    source: str  # "text" | "docx" | "xlsx"
    layout: str  # the layout whose headings were recognised: "A" | "B" | "C" | "D" | "xlsx"
    headings: list[str]  # the column headings as found
    columns: list[str]  # the field each column was mapped to ("" = not placed)
    measures: list[ImportedMeasure]
    unplaced: list[str]  # cells that could not be placed, each "row N, column X: text"


@dataclass
class ImportResult:
    measures: list  # the created measures.Measure objects
    entries: int  # progress entries created or filled
    document: object | None  # the progress report (reports.Document) when a round was given


MAX_BYTES = 10 * 1024 * 1024  # pasted text or uploaded file
# Bounds on the shape of a table, so that reading (and saving) takes bounded time whatever the input: real
# measure tables have tens of rows of a few columns.
MAX_CELLS = 50_000  # table cells in all (tab-separated or markdown cells, DOCX/XLSX cells)
MAX_MEASURES = 1_000  # measures in one import


def too_many_cells():
    from django.utils.translation import gettext as _

    return ImportRefused(_("The table has too many cells to import at once (more than 50,000). Import the "
                           "table in parts."))


def too_many_measures():
    from django.utils.translation import gettext as _

    return ImportRefused(_("The table has too many measures to import at once (more than 1,000). Import the "
                           "table in parts."))


def _too_large():
    from django.utils.translation import gettext as _

    return ImportRefused(_("The text or file is too large to import (more than 10 MB). Import the table in parts."))


def _empty():
    from django.utils.translation import gettext as _

    return ImportRefused(_("There is nothing to import: the text or file is empty."))


def read_import(*, text: str | None = None, upload=None) -> ImportPreview:
    """Read pasted text or an uploaded file (a Django UploadedFile or any binary file object) into a
    preview; nothing is saved. The type of an upload is decided by its content, never by its name:
    a ZIP holding word/document.xml (DOCX) or xl/workbook.xml (XLSX), or UTF-8 text."""
    from .office import read_office
    from .text import read_text

    if upload is not None:
        size = getattr(upload, "size", None)
        if size is not None and size > MAX_BYTES:
            raise _too_large()
        upload.seek(0)
        data = upload.read(MAX_BYTES + 1)
        upload.seek(0)
        if len(data) > MAX_BYTES:
            raise _too_large()
        if not data.strip():
            raise _empty()
        if data.startswith(b"PK\x03\x04"):
            return _bounded(read_office(data))
        try:
            decoded = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            decoded = None
        if decoded is None or "\x00" in decoded:
            from .office import _unknown

            raise _unknown()
        text = decoded
    if text is None or not text.strip():
        raise _empty()
    if len(text) > MAX_BYTES or len(text.encode("utf-8")) > MAX_BYTES:
        raise _too_large()
    return _bounded(read_text(text))


def _bounded(preview: ImportPreview) -> ImportPreview:
    if len(preview.measures) > MAX_MEASURES:
        raise too_many_measures()
    return preview


def apply_import(org, fiscal_year: int, preview: ImportPreview, *, round: int | None = None, actor) -> ImportResult:
    """Save the previewed measures (and, with a round, their progress entries) in one transaction."""
    from .apply import apply_import as _apply

    return _apply(org, fiscal_year, preview, round=round, actor=actor)
