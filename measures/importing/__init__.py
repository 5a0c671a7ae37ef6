"""Import measures (and progress entries) from existing documents: pasted table text (from Word or a
PDF), DOCX and XLSX. Two steps, so the user sees a preview before anything is saved:

    preview = read_import(text=...)            # or read_import(upload=<UploadedFile>)
    result = apply_import(org, fiscal_year, preview, round=6 or None, actor=user)   # atomic

Errors the user must read (unknown format, empty, too large, no recognisable heading) raise
ImportRefused with a Thai-translatable message. (Being written: see the modules of this package.)
"""
from __future__ import annotations

from dataclasses import dataclass, field


class ImportRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportedStep:
    text: str
    label: str = ""  # the number as written ("๑.", "(๑)"); "" = automatic
    sub_items: list["ImportedStep"] = field(default_factory=list)


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


def read_import(*, text: str | None = None, upload=None) -> ImportPreview:
    raise ImportRefused("not implemented yet")


def apply_import(org, fiscal_year: int, preview: ImportPreview, *, round: int | None = None, actor) -> ImportResult:
    raise ImportRefused("not implemented yet")
