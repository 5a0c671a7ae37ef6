"""The document table layouts: the one declaration of every column (heading, width, cell text, importer
synonyms, what it prints of what staff typed), of the columns of each layout and of the layouts of each kind.

Everything that prints or reads a document table asks this module: the document data and its approval
snapshot (``reports.documents.data``), the HTML page and the PDF (``reports.printing.rendering`` and the one table
template ``reports/templates/reports/document/_table.html``, also included by the public page), the DOCX
export (``reports.exports.docx``), the settings page (``reports.documents.settings``) and the importer
(``measures.importing.headings``). To add a column to a layout, declare it in ``COLUMNS`` (its cell text
a function of ``measures.cells`` or a small one here) and name it in the layout's entry of ``LAYOUTS``.

Why here, in ``measures``: the importer (``measures.importing``) sits below ``reports`` in the layers and
reads the headings and synonyms; the cell texts are pure functions of a measure and its progress entry
(``measures.cells``, duck-typed: no import of ``reports``), so the whole declaration fits in one module
that both apps can read. (Splitting it, the declaration here and the cell texts bound by key in
``reports`` through a hook, would put one column in two apps again.)

Frozen with a document. ``reports.documents.data.build_document_data`` writes each layout's columns (keys,
headings, order), every column's width and the analysis tables into the document data, and an approval
freezes that data: an approved document prints with the columns and widths it was approved with,
whatever this module says later. A column's text is frozen as the values the data holds (``Column.value``); how stored values
become printed lines (``Column.lines``) is code, like the templates.

Kinds are named by their values ("analysis", "measures", "progress": ``reports.models.DocumentKind``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from django.utils.translation import gettext_lazy as _

from . import cells

ANALYSIS, MEASURES, PROGRESS = "analysis", "measures", "progress"
OUTCOME_LEAD = "ผลลัพธ์: "  # the outcome inside layout B's single column การดำเนินการ


def _stored(key: str):
    def lines(measure: dict, keys) -> list[str]:
        return list(measure.get(key) or [])
    return lines


@dataclass(frozen=True)
class Column:
    """One column a document table may show.

    ``value(measure, entry, month_style)`` is what the document data holds for the column under
    ``key`` (``entry``: the measure's progress entry or None); None for a column printed from other
    values. ``lines(measure_data, keys)`` is what a cell prints, from the measure's data and the keys of
    the table's columns (default: the stored value). ``weight``: the relative width. ``prints``: the
    typed fields (``TYPED_FIELDS``) its cells print. ``synonyms``: regular expressions a column heading
    (``measures.importing.headings.normalise``: no white space, lower case) matches when an imported
    table's column fills this column's field (the fields the import stores: measures.importing.table;
    the cells of any other column are listed as not placed); ``match_order``: headings are tried
    against the columns with synonyms in this order. ``sub_lines``: the lines follow the measure's
    ``step_levels`` (sub-items indented). ``breaks``: how the PDF breaks its lines ("words": at Thai
    word boundaries, "divisions": division names whole, "none"). ``fit_cells``: the column is at least
    as wide as its short pieces of text (numbers, division names)."""

    key: str
    heading: str
    weight: int
    prints: frozenset[str] = frozenset()
    value: Callable | None = None
    lines: Callable | None = None
    synonyms: tuple[str, ...] = ()
    match_order: int = 100
    sub_lines: bool = False
    breaks: str = "words"
    fit_cells: bool = False

    def cell_lines(self, measure: dict, keys) -> list[str]:
        return (self.lines or _stored(self.key))(measure, keys)


def _measure(fn):
    return lambda measure, entry, month_style: fn(measure)


def _entry(fn):
    return lambda measure, entry, month_style: fn(entry) if entry is not None else []


def _weakness_lines(m: dict, keys) -> list[str]:
    # No weakness typed: the measure's own title names it, unless another column prints the title.
    if m.get("weakness"):
        return list(m["weakness"])
    return [] if {"measure", "title"} & set(keys) else list(m.get("title") or [])


def _action_lines(m: dict, keys) -> list[str]:
    outcome = list(m.get("outcome") or [])
    if outcome:
        outcome[0] = OUTCOME_LEAD + outcome[0]
    return list(m.get("output") or []) + list(m.get("progress_notes") or []) + outcome


# The typed fields of the measure form, its step rows and the progress entry form, in the order the
# settings page names them (tests/test_typed_fields_printed.py fills each with a marker and checks that
# every layout prints what its columns declare).
TYPED_FIELDS: dict[str, str] = {  # field -> what the settings page calls it
    "group_heading": _("group heading"),              # Measure.group_heading: a group row above its measures
    "title": _("measure"),                            # Measure.title
    "guideline": _("guideline"),                      # Measure.guideline
    "weakness": _("weakness it answers"),             # Measure.weakness
    "steps": _("steps"),                              # MeasureStep.text (top-level)
    "sub_steps": _("sub-items of the steps"),         # MeasureStep.text (sub-items)
    "step_due": _("due dates of the steps"),          # MeasureStep.due_date
    "responsible": _("responsible divisions"),        # Measure.responsible_text, else Measure.divisions
    "timeline": _("timeline of the measure"),         # Measure.timeline_text, else start_month/end_month
    "monitoring": _("monitoring"),                    # Measure.monitoring
    "output": _("what was done"),                     # ProgressEntry.output
    "outcome": _("outcome"),                          # ProgressEntry.outcome
    "status_reason": _("reason for the status"),      # ProgressEntry.status_reason (after the status)
    "activity_dates": _("activity dates"),            # ProgressEntry.activity_start/activity_end
}

# Every column, in the order the settings page lists them (layout A's columns may be any of them).
COLUMNS: dict[str, Column] = {c.key: c for c in (
    Column("number", "ลำดับที่", 5, lines=lambda m, keys: [m["number_text"]],
           synonyms=(r"^(ลำดับที่|ลำดับ|ที่|ข้อ|no|no\.|#)$",), match_order=10, breaks="none", fit_cells=True),
    Column("measure", "มาตรการ/แนวทาง", 19, frozenset({"title", "guideline"}), _measure(cells.measure_cell),
           synonyms=(r"^(มาตรการ|กิจกรรม|โครงการ)",), match_order=110),
    Column("title", "มาตรการ", 16, frozenset({"title"}), _measure(cells.title_cell),
           synonyms=(r"^มาตรการ$",), match_order=100),
    Column("guideline", "แนวทางการปฏิบัติ", 20, frozenset({"guideline"}), _measure(cells.guideline_cell),
           synonyms=(r"^แนวทางการปฏิบัติ", r"^(แนวทาง|แนวทางการดำเนินการ)$"), match_order=40),
    Column("steps", "ขั้นตอน/วิธีการปฏิบัติ", 25, frozenset({"steps", "sub_steps"}), _measure(cells.steps_cell),
           synonyms=(r"^(ขั้นตอน|วิธีการ)",), match_order=31, sub_lines=True),
    Column("steps_due", "ขั้นตอน/วิธีการปฏิบัติ และกำหนดแล้วเสร็จ", 27, frozenset({"steps", "sub_steps", "step_due"}),
           lambda measure, entry, month_style: cells.steps_due_cell(measure, month_style), sub_lines=True),
    # layout B: "ขั้นตอนหรือวิธีการ/มาตรการ" also holds the unnumbered method paragraphs
    Column("method", "ขั้นตอนหรือวิธีการ/มาตรการ", 26, frozenset({"guideline", "steps", "sub_steps"}),
           _measure(cells.method_cell), synonyms=(r"^(ขั้นตอน|วิธีการ).*มาตรการ$",), match_order=30),
    Column("weakness", "ประเด็นที่เป็นข้อบกพร่อง/จุดอ่อนจากการประเมิน", 17, frozenset({"weakness"}),
           _measure(cells.weakness_cell), _weakness_lines,
           synonyms=(r"^ประเด็นที่เป็นข้อบกพร่อง", r"จุดอ่อน", r"^ข้อบกพร่อง"), match_order=20),
    Column("responsible", "หน่วยงานผู้รับผิดชอบ", 11, frozenset({"responsible"}), _measure(cells.responsible_lines),
           synonyms=(r"ผู้รับผิดชอบ", r"^(หน่วยงาน|หน่วยงานที่รับผิดชอบ)$"), match_order=60,
           breaks="divisions", fit_cells=True),
    Column("timeline", "ระยะเวลาการดำเนินการ", 11, frozenset({"timeline"}),
           lambda measure, entry, month_style: cells.timeline_cell(measure, style=month_style),
           lambda m, keys: [m["timeline"]] if m.get("timeline") else [],
           synonyms=(r"ระยะเวลา", r"^กำหนดเวลา", r"^ช่วงเวลา", r"^เวลา$"), match_order=90),
    Column("monitoring", "การรายงานผลและการกำกับติดตาม กำหนดเวลาแล้วเสร็จ", 22, frozenset({"monitoring"}),
           _measure(cells.monitoring_cell), synonyms=(r"กำกับติดตาม", r"^การรายงานผล", r"^การติดตาม"), match_order=50),
    Column("plan_monitoring", "การกำกับติดตาม", 16, frozenset({"monitoring"}), _measure(cells.plan_monitoring_cell)),
    Column("output", "สรุปผลการดำเนินการ", 21, frozenset({"output", "status_reason", "activity_dates"}),
           _entry(cells.output_cell),
           lambda m, keys: list(m.get("output") or []) + list(m.get("progress_notes") or []),
           synonyms=(r"^สรุปผล", r"^ผลการดำเนิน", r"^(การดำเนินการ|ผลการปฏิบัติ)$", r"output"), match_order=80),
    Column("outcome", "ผลลัพธ์/ความสำเร็จ", 16, frozenset({"outcome"}), _entry(cells.outcome_cell),
           synonyms=(r"^ผลลัพธ์", r"outcome", r"ผลสัมฤทธิ์", r"^ความสำเร็จ"), match_order=70),
    Column("action", "การดำเนินการ", 24, frozenset({"output", "outcome", "status_reason", "activity_dates"}),
           lines=_action_lines),
)}
DEFAULT_WEIGHT = 15  # a column this module no longer declares (kept in an old document's data)


@dataclass(frozen=True)
class TableLayout:
    """The columns of a layout, (key, heading) in print order. ``by_tool``: one table per tool
    (๑.ด้าน IIT, ๒.ด้าน EIT, ๓.ด้าน OIT) without group-heading rows; ``own_columns``: a document may
    choose its own columns, order and headings (``Document.columns``)."""

    columns: tuple[tuple[str, str], ...]
    by_tool: bool = False
    own_columns: bool = False


LAYOUTS: dict[str, TableLayout] = {
    # the 12-month report (seed 000)
    "A": TableLayout((
        ("measure", "มาตรการ/แนวทาง"),
        ("steps", "ขั้นตอน/วิธีการปฏิบัติ"),
        ("responsible", "หน่วยงานผู้รับผิดชอบ"),
        ("timeline", "ระยะเวลาการดำเนินการ"),
        ("output", "สรุปผลการดำเนินการ"),
        ("outcome", "ผลลัพธ์/ความสำเร็จ"),
    ), own_columns=True),
    # the 6-month report by tool (seed 002)
    "B": TableLayout((
        ("weakness", "ประเด็นที่เป็นข้อบกพร่อง/จุดอ่อนจากการประเมิน"),
        ("method", "ขั้นตอนหรือวิธีการ/มาตรการ"),
        ("responsible", "ผู้รับผิดชอบ"),
        ("monitoring", "การรายงานผลและการกำกับติดตาม กำหนดเวลาแล้วเสร็จ"),
        ("action", "การดำเนินการ"),
    ), by_tool=True),
    "C": TableLayout((
        ("number", "ลำดับที่"),
        ("measure", "มาตรการหรือกิจกรรมที่ดำเนินการ"),
        ("steps", "ขั้นตอนหรือวิธีการปฏิบัติ"),
        ("timeline", "ช่วงระยะเวลาในการดำเนินการ"),
        ("responsible", "ผู้รับผิดชอบ"),
        ("output", "ผลการดำเนินการ (output)"),
        ("outcome", "ผลลัพธ์หรือผลสัมฤทธิ์ในการดำเนินการ (outcome/result)"),
    )),
    "D": TableLayout((
        ("title", "มาตรการ"),
        ("guideline", "แนวทางการปฏิบัติ"),
        ("steps", "ขั้นตอน/วิธีการปฏิบัติ"),
        ("responsible", "ผู้รับผิดชอบ"),
        ("plan_monitoring", "การกำกับติดตาม"),
    )),
    # A measures plan in the shape of the 12-month report without its progress columns: everything
    # staff type for a plan, the steps with their due dates, the timeline.
    "E": TableLayout((
        ("weakness", "ประเด็นที่เป็นข้อบกพร่อง/จุดอ่อนจากการประเมิน"),
        ("measure", "มาตรการ/แนวทาง"),
        ("steps_due", "ขั้นตอน/วิธีการปฏิบัติ"),
        ("responsible", "หน่วยงานผู้รับผิดชอบ"),
        ("timeline", "ระยะเวลาการดำเนินการ"),
        ("plan_monitoring", "การกำกับติดตาม"),
    )),
    # A numbered measures plan in the shape of layout C without its progress columns.
    "F": TableLayout((
        ("number", "ลำดับที่"),
        ("measure", "มาตรการหรือกิจกรรม"),
        ("steps_due", "ขั้นตอนหรือวิธีการปฏิบัติ"),
        ("timeline", "ช่วงระยะเวลาในการดำเนินการ"),
        ("responsible", "ผู้รับผิดชอบ"),
    )),
}


@dataclass(frozen=True)
class KindLayouts:
    """Per kind of document: the layouts offered (the first is a new document's default), the typed
    fields its documents print (a progress report prints the progress and what identifies each measure;
    weakness, monitoring and step due dates are the plan's) and the content without which a layout is
    not offered."""

    layouts: tuple[str, ...]
    typed_fields: tuple[str, ...] = ()
    essential: frozenset[str] = frozenset()


KINDS: dict[str, KindLayouts] = {
    MEASURES: KindLayouts(("E", "F", "D"),
                          ("group_heading", "title", "guideline", "weakness", "steps", "sub_steps", "step_due",
                           "responsible", "timeline", "monitoring"),
                          frozenset({"title", "steps"})),
    PROGRESS: KindLayouts(("A", "B", "C"),
                          ("group_heading", "title", "guideline", "steps", "sub_steps", "responsible", "timeline",
                           "output", "outcome", "status_reason", "activity_dates"),
                          frozenset({"output", "outcome"})),
    ANALYSIS: KindLayouts(()),
}


@dataclass(frozen=True)
class FixedColumn:
    """A column of an analysis table (fixed columns; the cells are the analysis template's)."""

    heading: str
    weight: int
    numeric: bool = False  # scores and numbers: set apart (right-aligned on the web, "score" in the PDF)


# The tables of the ITA result analysis (an analysis document, and the front of a measures plan).
ANALYSIS_TABLES: dict[str, tuple[FixedColumn, ...]] = {
    "tools": (FixedColumn("เครื่องมือการประเมิน", 24), FixedColumn("ตัวชี้วัด", 30),
              FixedColumn("คะแนน", 12, numeric=True), FixedColumn("ประเด็นที่ต้องแก้ไข", 34)),
    "strengths": (FixedColumn("ลำดับที่", 10), FixedColumn("ตัวชี้วัด", 70), FixedColumn("คะแนน", 20, numeric=True)),
    "weaknesses": (FixedColumn("ลำดับที่", 10), FixedColumn("ตัวชี้วัด/ข้อการประเมิน", 70),
                   FixedColumn("คะแนน", 20, numeric=True)),
    "development": (FixedColumn("ตัวชี้วัด", 28), FixedColumn("ประเด็นการประเมิน", 36),
                    FixedColumn("ประเด็นที่ควรพัฒนา", 36)),
}


# --- reading the declaration ------------------------------------------------------------------------

class ColumnsError(ValueError):
    """Document.columns is not a list of known column keys."""


def column(key: str) -> Column:
    """The column of ``key``; a key no longer declared (in an old document's data) prints its stored
    value at the default width."""
    return COLUMNS.get(key) or Column(key, key, DEFAULT_WEIGHT)


def column_keys() -> tuple[str, ...]:
    return tuple(COLUMNS)


def default_headings() -> dict[str, str]:
    return {key: c.heading for key, c in COLUMNS.items()}


def weights() -> dict[str, int]:
    """Every column's relative width (what a document's data freezes)."""
    return {key: c.weight for key, c in COLUMNS.items()}


def analysis_tables() -> dict[str, list[dict]]:
    """The analysis tables as a document's data freezes them: {name: [{"heading", "weight", "numeric"}]}."""
    return {name: [{"heading": c.heading, "weight": c.weight, "numeric": c.numeric} for c in columns]
            for name, columns in ANALYSIS_TABLES.items()}


def layout_columns(layout: str) -> list[tuple[str, str]]:
    """(key, heading) of the layout's own columns, in print order."""
    return list(LAYOUTS[layout].columns)


def layout_keys(layout: str) -> list[str]:
    return [key for key, _heading in LAYOUTS[layout].columns]


def by_tool(layout: str) -> bool:
    return layout in LAYOUTS and LAYOUTS[layout].by_tool


def resolve_columns(layout: str, overrides=None) -> list[dict]:
    """[{"key", "heading"}] of a layout; ``overrides`` (Document.columns, for a layout with
    ``own_columns``) is a list of keys or {"key", "heading"} dicts giving the order and, optionally, the
    headings."""
    if overrides and LAYOUTS[layout].own_columns:
        columns = []
        for item in overrides:
            key, heading = (item, "") if isinstance(item, str) else (item.get("key"), item.get("heading") or "")
            if key not in COLUMNS:
                raise ColumnsError(f"unknown column key {key!r}")
            columns.append({"key": key, "heading": heading.strip() or COLUMNS[key].heading})
        return columns
    return [{"key": key, "heading": heading} for key, heading in LAYOUTS[layout].columns]


def validate_columns(value) -> list[str]:
    """Problems of a Document.columns value (for forms): [] when it is usable."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list):
        return ["not a list"]
    try:
        resolve_columns("A", value)
    except (ColumnsError, AttributeError) as exc:
        return [str(exc)]
    return []


def column_values(measure, entry, month_style: str) -> dict:
    """What the document data holds of every column for one measure (and its entry, or None)."""
    return {key: c.value(measure, entry, month_style) for key, c in COLUMNS.items() if c.value is not None}


def printed_fields(layout: str, columns=None) -> frozenset[str]:
    """The typed fields a layout prints (``columns``: its [{"key", ...}], default its own columns)."""
    keys = [c["key"] for c in columns] if columns is not None else layout_keys(layout)
    fields = set().union(*(column(key).prints for key in keys))
    if not by_tool(layout):
        fields.add("group_heading")
    return frozenset(fields)


def layouts_for(kind: str) -> tuple[str, ...]:
    """The layouts a document of ``kind`` may print in."""
    return KINDS[kind].layouts if kind in KINDS else ()


def default_layout(kind: str) -> str:
    layouts = layouts_for(kind)
    return layouts[0] if layouts else ""


def left_out_fields(kind: str, layout: str, columns=None) -> list[str]:
    """The typed fields of ``kind`` that ``layout`` (with ``columns``, an ``own_columns`` layout) does
    not print."""
    if not layout:
        return []
    printed = printed_fields(layout, columns)
    return [field for field in (KINDS[kind].typed_fields if kind in KINDS else ()) if field not in printed]


def check() -> None:
    """The declaration is whole: every layout's columns declared, every column's printed fields typed
    fields, every kind's layouts able to show its essential content."""
    for code, table in LAYOUTS.items():
        unknown = [key for key, _h in table.columns if key not in COLUMNS]
        assert not unknown, f"layout {code}: undeclared columns {unknown}"
    for key, c in COLUMNS.items():
        assert c.prints <= set(TYPED_FIELDS), f"column {key}: unknown typed fields"
        assert c.breaks in ("words", "divisions", "none"), f"column {key}: breaks {c.breaks!r}"
    for kind, decl in KINDS.items():
        for layout in decl.layouts:
            assert decl.essential <= printed_fields(layout), f"{kind}: layout {layout} lacks essential content"


check()


def import_field(heading: str) -> str:
    """The column whose synonyms a normalised heading matches (``measures.importing.headings``), "" for
    none: the columns with synonyms are tried in ``match_order``."""
    for c in sorted((c for c in COLUMNS.values() if c.synonyms), key=lambda c: c.match_order):
        if any(re.search(pattern, heading) for pattern in c.synonyms):
            return c.key
    return ""
