"""The measures and progress entries of one fiscal year as an Excel workbook (XLSX).

    content = measures_workbook(org, fiscal_year)        # bytes

Column layout (what the XLSX importer reads back: "the column layout of our own XLSX export").
Both sheets have the same two header rows:

* row 1: the column **keys** in English (``MEASURE_COLUMNS`` / ``ENTRY_COLUMNS`` below); an importer
  finds the columns by these keys, in any order, so a column moved or added by hand does no harm;
* row 2: the Thai headings, for people (ignored on import);
* data from row 3 on.

Sheet ``measures``: one row per measure step, in document order (a step followed by its sub-items).
A measure without steps has one row with the step columns empty. The measure columns (``measure_no``
to ``oit_items``) are **repeated on every row of the measure**, identical, so the sheet may be sorted or
filtered without losing which measure a row belongs to; rows belong together by ``measure_no`` (1, 2,
… in the order of the measures), and an importer takes the measure's fields from its first row.
Step columns: ``step_no`` ("1", "2" for steps, "1.1", "1.2" for the sub-items of step 1; the position,
not the printed number), ``step_level`` (1 step, 2 sub-item), ``step_label`` (the number as written;
empty: automatic ๑. / (๑)), ``step_text``, ``step_due_date``.
Multi-value cells: ``tools``, ``divisions``, ``indicators`` (numbers), ``oit_items`` (codes) and
``report_rounds`` are separated by " | "; multi-line texts (guideline, monitoring, …) keep their line
breaks inside the cell. Dates are real Excel dates (``start_month``/``end_month``: the first of the
month, format yyyy-mm; ``step_due_date`` yyyy-mm-dd, Christian era as Excel stores dates). An
empty text is an empty cell (read it back as "").

Sheet ``entries``: one row per progress entry of the latest revision of each round's progress report
of that fiscal year, by round then measure order; ``measure_no`` is the measure's number in sheet
``measures`` (empty for a measure of another year), ``measure_title`` repeats its title for reading.

Deterministic: the workbook properties are fixed (no creation or modification time, no creator
name) and the ZIP entries carry a fixed timestamp, so two exports of the same data are byte-identical
(export → import → export can be compared).
"""
from __future__ import annotations

import datetime
import io
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.workbook.properties import CalcProperties
from openpyxl.writer.excel import ExcelWriter

from core.inert import inert_xlsx_row
from measures.models import Measure

from ..models import Document, DocumentKind, ProgressEntry

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEPARATOR = " | "
FIXED_TIME = datetime.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

MEASURE_COLUMNS: list[tuple[str, str]] = [
    ("measure_no", "ลำดับมาตรการ"),
    ("group_heading", "หัวข้อกลุ่มมาตรการ"),
    ("title", "มาตรการ"),
    ("guideline", "แนวทางการปฏิบัติ"),
    ("weakness", "ประเด็นที่เป็นข้อบกพร่อง/จุดอ่อนจากการประเมิน"),
    ("tools", "เครื่องมือการประเมิน"),
    ("responsible_text", "ผู้รับผิดชอบ (ตามที่เขียน)"),
    ("divisions", "หน่วยงานผู้รับผิดชอบ"),
    ("start_month", "เดือนที่เริ่ม"),
    ("end_month", "เดือนที่สิ้นสุด"),
    ("timeline_text", "ระยะเวลาการดำเนินการ (ตามที่เขียน)"),
    ("report_rounds", "รอบการรายงาน (เดือน)"),
    ("monitoring", "การรายงานผลและการกำกับติดตาม"),
    ("indicators", "ตัวชี้วัด"),
    ("oit_items", "ข้อการประเมิน OIT"),
    ("step_no", "ลำดับขั้นตอน"),
    ("step_level", "ระดับขั้นตอน"),
    ("step_label", "เลขข้อตามที่เขียน"),
    ("step_text", "ขั้นตอน/วิธีการปฏิบัติ"),
    ("step_due_date", "กำหนดเสร็จของขั้นตอน"),
]
ENTRY_COLUMNS: list[tuple[str, str]] = [
    ("round", "รอบการรายงาน (เดือน)"),
    ("revision", "ครั้งที่แก้ไข"),
    ("document_status", "สถานะเอกสาร"),
    ("measure_no", "ลำดับมาตรการ"),
    ("measure_title", "มาตรการ"),
    ("status", "สถานะการดำเนินการ"),
    ("status_reason", "เหตุผล"),
    ("output", "ผลการดำเนินการ (output)"),
    ("outcome", "ผลลัพธ์ (outcome)"),
    ("activity_start", "ดำเนินการตั้งแต่"),
    ("activity_end", "ดำเนินการถึง"),
    ("evidence", "หลักฐาน"),
]
MEASURE_KEYS = [key for key, _ in MEASURE_COLUMNS]
ENTRY_KEYS = [key for key, _ in ENTRY_COLUMNS]
DATE_FORMATS = {"start_month": "yyyy-mm", "end_month": "yyyy-mm", "step_due_date": "yyyy-mm-dd",
                "activity_start": "yyyy-mm-dd", "activity_end": "yyyy-mm-dd"}
WIDTHS = {"title": 40, "guideline": 40, "weakness": 30, "step_text": 50, "monitoring": 30, "output": 50,
          "outcome": 40, "measure_title": 40, "group_heading": 30, "evidence": 40}


def _join(values) -> str:
    return SEPARATOR.join(str(v) for v in values if str(v).strip())


def measure_rows(org, fiscal_year: int) -> tuple[list[dict], dict]:
    """(rows of sheet "measures", {measure pk: measure_no})."""
    measures = list(
        Measure.objects.for_org(org).for_year(fiscal_year).with_details().order_by("order", "pk")
    )
    rows, numbers = [], {}
    for number, measure in enumerate(measures, start=1):
        numbers[measure.pk] = number
        base = {
            "measure_no": number,
            "group_heading": measure.group_heading,
            "title": measure.title,
            "guideline": measure.guideline,
            "weakness": measure.weakness,
            "tools": _join(t.code for t in sorted(measure.tools.all(), key=lambda t: (t.order, t.code))),
            "responsible_text": measure.responsible_text,
            "divisions": _join(d.name for d in sorted(measure.divisions.all(), key=lambda d: (d.order, d.name))),
            "start_month": measure.start_month,
            "end_month": measure.end_month,
            "timeline_text": measure.timeline_text,
            "report_rounds": _join(sorted(r for r in (measure.report_rounds or []) if isinstance(r, int))),
            "monitoring": measure.monitoring,
            "indicators": _join(i.number for i in sorted(measure.indicators.all(), key=lambda i: i.number)),
            "oit_items": _join(i.code for i in sorted(measure.oit_items.all(), key=lambda i: (i.number, i.code))),
        }
        steps = []
        for i, step in enumerate(measure.top_steps(), start=1):
            steps.append((str(i), 1, step))
            steps.extend((f"{i}.{j}", 2, sub) for j, sub in enumerate(step.children, start=1))
        if not steps:
            rows.append(base)
        for step_no, level, step in steps:
            rows.append({**base, "step_no": step_no, "step_level": level, "step_label": step.label,
                         "step_text": step.text, "step_due_date": step.due_date})
    return rows, numbers


def entry_rows(org, fiscal_year: int, numbers: dict) -> list[dict]:
    """Rows of sheet "entries": the latest revision of each round's progress report."""
    documents = Document.objects.for_org(org).filter(fiscal_year=fiscal_year, kind=DocumentKind.PROGRESS)
    latest = {}
    for document in documents.order_by("round", "revision"):
        latest[document.round] = document
    entries = (
        ProgressEntry.objects.filter(document__in=list(latest.values()))
        .select_related("document", "measure").prefetch_related("evidence")
        .order_by("document__round", "measure__order", "measure_id")
    )
    rows = []
    for entry in entries:
        evidence = [ev.url if ev.kind == "link" else (ev.original_name or ev.title) for ev in entry.evidence.all()]
        rows.append({
            "round": entry.document.round,
            "revision": entry.document.revision,
            "document_status": entry.document.status,
            "measure_no": numbers.get(entry.measure_id),
            "measure_title": entry.measure.title,
            "status": entry.status,
            "status_reason": entry.status_reason,
            "output": entry.output,
            "outcome": entry.outcome,
            "activity_start": entry.activity_start,
            "activity_end": entry.activity_end,
            "evidence": "\n".join(e for e in evidence if e),
        })
    return rows


def _sheet(ws, columns, rows):
    bold = Font(bold=True)
    ws.append([key for key, _ in columns])
    ws.append([heading for _, heading in columns])
    inert_xlsx_row(ws[1])
    inert_xlsx_row(ws[2])
    for cell in ws[1]:
        cell.font = bold
    for cell in ws[2]:
        cell.font = bold
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append([row.get(key, None) if row.get(key, None) != "" else None for key, _ in columns])
        inert_xlsx_row(ws[ws.max_row])
        for (key, _), cell in zip(columns, ws[ws.max_row]):
            cell.alignment = wrap
            if key in DATE_FORMATS and cell.value is not None:
                cell.number_format = DATE_FORMATS[key]
    ws.freeze_panes = "A3"
    for index, (key, _) in enumerate(columns):
        letter = ws.cell(row=1, column=index + 1).column_letter
        ws.column_dimensions[letter].width = WIDTHS.get(key, 14)


def build_workbook(org, fiscal_year: int) -> Workbook:
    rows, numbers = measure_rows(org, fiscal_year)
    wb = Workbook()
    measures_ws = wb.active
    measures_ws.title = "measures"
    _sheet(measures_ws, MEASURE_COLUMNS, rows)
    _sheet(wb.create_sheet("entries"), ENTRY_COLUMNS, entry_rows(org, fiscal_year, numbers))
    props = wb.properties
    props.creator = None
    props.lastModifiedBy = None
    props.title = f"{org.name} {fiscal_year}"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    wb.calculation = CalcProperties(fullCalcOnLoad=False)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The XLSX bytes with fixed properties and fixed ZIP timestamps (openpyxl's save_workbook would
    stamp the modification time)."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def measures_workbook(org, fiscal_year: int) -> bytes:
    """The XLSX of the measures and progress entries of ``fiscal_year``."""
    return workbook_bytes(build_workbook(org, fiscal_year))


def xlsx_filename(org, fiscal_year: int) -> str:
    return f"มาตรการและผลการดำเนินการ_{fiscal_year}_{org.name}.xlsx".replace(" ", "_")


def ascii_xlsx_filename(org, fiscal_year: int) -> str:
    return f"ita-measures-{fiscal_year}-{org.slug}.xlsx"
