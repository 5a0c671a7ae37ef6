"""The text of each document table column, from model objects: the functions the column declarations of
``measures.layouts`` bind to their keys (the HTML pages, the PDF, the DOCX export and the public page all
print what these return, through the document data of ``reports.documents.data``).

Pure functions (no queries beyond the related managers of the objects passed; prefetch with
``Measure.objects.with_details()`` for lists). Return values:

* ``str`` for one-line cells (responsible, timeline);
* ``list[str]`` for cells of paragraphs or numbered lines: one item per paragraph/line, no empty items;
  templates print each item as its own paragraph (or ``<br>``-separated line).

Digits: typed text is returned as typed; automatic numbers (step markers) are Thai digits. With
``arabic_digits=True`` every digit of the returned text (typed ones included) is Arabic, for documents
that chose Arabic digits (``Document.arabic_digits``).

Markers (measures/numbering.py, shared with the measure page): a step's ``label`` is printed as written
but in the document's digits ("1." prints "๑."); without a label, a number the user typed at the start
of the text ("1." "๑." "1)" "(1)" "๑)") is the marker (one number, never "๑. 1."); otherwise automatic
numbering, "๑." "๒." … for top-level steps and "(๑)" "(๒)" … for sub-items, counted among the siblings.
A marker and its text are separated by one space.
"""
from __future__ import annotations

from core.thai import format_date, format_month, format_month_range, to_arabic_digits, to_thai_digits
from measures.numbering import step_lines


def _digits(text: str, arabic_digits: bool) -> str:
    return to_arabic_digits(text) if arabic_digits else text


def paragraphs(text: str, *, arabic_digits: bool = False) -> list[str]:
    """Non-empty lines of a text field, stripped: one item per paragraph or numbered line."""
    return [_digits(line.strip(), arabic_digits) for line in (text or "").splitlines() if line.strip()]


# --- measure columns ----------------------------------------------------------------------------

def measure_cell(measure, *, arabic_digits: bool = False) -> list[str]:
    """Column มาตรการ/แนวทาง or มาตรการ/กิจกรรม (layouts A, C): the title, then each guideline line as
    written. Layout D, which has a column of its own for the guideline, uses title_cell + guideline_cell."""
    return title_cell(measure, arabic_digits=arabic_digits) + guideline_cell(measure, arabic_digits=arabic_digits)


def title_cell(measure, *, arabic_digits: bool = False) -> list[str]:
    """Column มาตรการ (layout D): the title only."""
    return paragraphs(measure.title, arabic_digits=arabic_digits)


def guideline_cell(measure, *, arabic_digits: bool = False) -> list[str]:
    """Column แนวทางการปฏิบัติ (layout D): the guideline lines as written."""
    return paragraphs(measure.guideline, arabic_digits=arabic_digits)


def _step_lines(measure, arabic_digits: bool, due: str | None) -> list[str]:
    suffix = None
    if due is not None:
        def suffix(step):
            return f"({due_text(step.due_date, due, arabic_digits=arabic_digits)})" if step.due_date else None
    return step_lines(measure, arabic_digits=arabic_digits, suffix=suffix)


def steps_cell(measure, *, arabic_digits: bool = False) -> list[str]:
    """Column ขั้นตอน/วิธีการปฏิบัติ: one line per step, each sub-item on its own line after its step,
    "<marker> <text>" (see ``measures.numbering.step_marker``)."""
    return _step_lines(measure, arabic_digits, None)


def due_text(day, style: str = "full", *, arabic_digits: bool = False) -> str:
    """"ภายในวันที่ ๓๑ มีนาคม ๒๕๗๐" (style "abbr": "ภายในวันที่ ๓๑ มี.ค. ๒๕๗๐")."""
    return f"ภายในวันที่ {format_date(day, style='abbr' if style == 'abbr' else 'full', thai_digits=not arabic_digits)}"


def steps_due_cell(measure, style: str = "full", *, arabic_digits: bool = False) -> list[str]:
    """Column ขั้นตอน/วิธีการปฏิบัติ of the plan layouts that print due dates: the lines of
    ``steps_cell``, each step with a due date followed by "(ภายในวันที่ …)"."""
    return _step_lines(measure, arabic_digits, style)


def method_cell(measure, *, arabic_digits: bool = False) -> list[str]:
    """Column ขั้นตอนหรือวิธีการ/มาตรการ (layout B, which has no measure column): the guideline lines
    (unnumbered method paragraphs) followed by the steps as in ``steps_cell``."""
    return guideline_cell(measure, arabic_digits=arabic_digits) + steps_cell(measure, arabic_digits=arabic_digits)


def responsible_cell(measure, *, arabic_digits: bool = False) -> str:
    """Column หน่วยงานผู้รับผิดชอบ/ผู้รับผิดชอบ: ``responsible_text`` as written (it may hold line breaks)
    when filled in, otherwise the division names in their order, joined by a space."""
    if measure.responsible_text.strip():
        return _digits(measure.responsible_text.strip(), arabic_digits)
    names = [d.name for d in sorted(measure.divisions.all(), key=lambda d: (d.order, d.name))]
    return _digits(" ".join(names), arabic_digits)


def timeline_cell(measure, style: str = "full", *, arabic_digits: bool = False) -> str:
    """Column ระยะเวลาการดำเนินการ: ``timeline_text`` when filled in, otherwise the month range,
    "ตุลาคม ๒๕๖๗ ถึง มีนาคม ๒๕๖๘" (style "full") or "ต.ค. ๖๗ – มี.ค. ๖๘" (style "abbr"); a single month
    is written once; "" when there is neither."""
    if measure.timeline_text.strip():
        return _digits(measure.timeline_text.strip(), arabic_digits)
    start, end = measure.start_month, measure.end_month
    if start and end:
        return format_month_range(start, end, style=style, thai_digits=not arabic_digits)
    if start or end:
        return format_month(start or end, style=style, thai_digits=not arabic_digits)
    return ""


def monitoring_cell(measure, *, arabic_digits: bool = False) -> list[str]:
    """Column การรายงานผลและการกำกับติดตาม / การกำกับติดตาม: the monitoring lines as written."""
    return paragraphs(measure.monitoring, arabic_digits=arabic_digits)


def responsible_lines(measure, *, arabic_digits: bool = False) -> list[str]:
    """``responsible_cell`` as its non-empty lines (what the document data holds)."""
    return paragraphs(responsible_cell(measure, arabic_digits=arabic_digits))


def plan_monitoring_cell(measure) -> list[str]:
    """Column การกำกับติดตาม of the measures plan: the monitoring lines as typed; when there are
    none, the report rounds ("รายงานผลการดำเนินงานตามมาตรการ", "-รอบ ๖ เดือน", "-รอบ ๑๒ เดือน")."""
    typed = monitoring_cell(measure)
    if typed:
        return typed
    rounds = sorted(r for r in (measure.report_rounds or []) if isinstance(r, int))
    if not rounds:
        return []
    return ["รายงานผลการดำเนินงานตามมาตรการ", *(f"-รอบ {to_thai_digits(r)} เดือน" for r in rounds)]


def weakness_cell(measure, *, arabic_digits: bool = False) -> list[str]:
    """Column ประเด็นที่เป็นข้อบกพร่อง/จุดอ่อนจากการประเมิน (layout B): the weakness paragraphs."""
    return paragraphs(measure.weakness, arabic_digits=arabic_digits)


# --- progress entry columns -----------------------------------------------------------------------

def output_cell(entry, *, arabic_digits: bool = False) -> list[str]:
    """Column สรุปผลการดำเนินการ / การดำเนินการ / ผลการดำเนินการ: what was done, one item a paragraph."""
    return paragraphs(entry.output, arabic_digits=arabic_digits)


def outcome_cell(entry, *, arabic_digits: bool = False) -> list[str]:
    """Column ผลลัพธ์/ความสำเร็จ / ผลลัพธ์หรือผลสัมฤทธิ์: the outcome, one item a paragraph."""
    return paragraphs(entry.outcome, arabic_digits=arabic_digits)


ENTRY_STATUS_TEXT = {
    "not_started": "ยังไม่ได้ดำเนินการ",
    "in_progress": "อยู่ระหว่างดำเนินการ",
    "done": "ดำเนินการแล้ว",
    "not_done": "ไม่ได้ดำเนินการ",
}


def activity_text(entry, style: str = "full", *, arabic_digits: bool = False) -> str:
    """When the activities took place, as typed in the entry: "ดำเนินการระหว่างวันที่ ๑ ตุลาคม ๒๕๖๙
    ถึงวันที่ ๓๑ มีนาคม ๒๕๗๐", "ดำเนินการเมื่อวันที่ …" (one day), "เริ่มดำเนินการวันที่ …" (start
    only), "ดำเนินการถึงวันที่ …" (end only); "" without dates."""
    start, end = entry.activity_start, entry.activity_end
    date_style = "abbr" if style == "abbr" else "full"

    def day(d):
        return format_date(d, style=date_style, thai_digits=not arabic_digits)

    if start and end:
        if start == end:
            return f"ดำเนินการเมื่อวันที่ {day(start)}"
        return f"ดำเนินการระหว่างวันที่ {day(start)} ถึงวันที่ {day(end)}"
    if start:
        return f"เริ่มดำเนินการวันที่ {day(start)}"
    if end:
        return f"ดำเนินการถึงวันที่ {day(end)}"
    return ""


def status_note(entry, *, arabic_digits: bool = False) -> list[str]:
    """The reason typed for the entry's status, after the status: "ไม่ได้ดำเนินการ: <reason>" (one
    item a line of the reason); [] without a reason."""
    reason = paragraphs(entry.status_reason, arabic_digits=arabic_digits)
    if not reason:
        return []
    status = ENTRY_STATUS_TEXT.get(entry.status, "")
    first = f"{status}: {reason[0]}" if status else reason[0]
    return [first, *reason[1:]]
