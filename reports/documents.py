"""What a document shows, as plain data: ``build_document_data(document) -> dict``.

The templates of reports/templates/reports/document/ render *only* from this dict (through
``reports.rendering``), so a draft built from live data and a frozen approval snapshot of the same
dict print the same document. The dict is JSON-serialisable: strings, ints, bools, lists, dicts and
None; no model objects, no dates, no Decimals.

Digits. Every text is in the document's canonical form: automatic numbers (step markers, years,
dates, scores, round months) in Thai digits, typed text exactly as typed (URLs and Latin tokens keep
their Arabic digits). A document printed with Arabic digits is the same dict passed through
``with_arabic_digits`` (every digit of every string, typed ones included — what ``reports.cells``
does with ``arabic_digits=True``). ``data["arabic_digits"]`` records the document's own choice.

Layout. ``data["layout"]`` is the layout the document prints in (its own, else the organisation's
default; always D for a measures plan); every measure carries the texts of every column of every
layout, so a preview in another layout needs no database. ``data["columns"]`` holds the resolved
headings of each layout (layout A may have per-document headings and order, ``Document.columns``).

Shape (abridged)::

    {"version": 1, "kind": "progress", "kind_label": "รายงานผลการดำเนินการ", "status": "draft",
     "is_draft": True, "revision": 1, "fiscal_year": 2566, "fiscal_year_text": "๒๕๖๖",
     "round": 6, "round_text": "รอบ ๖ เดือน", "round_months": "เดือนตุลาคม ๒๕๖๕ - มีนาคม ๒๕๖๖",
     "layout": "B", "arabic_digits": False, "month_style": "full",
     "organisation": {"name", "district", "province", "place", "slug", "emblem" (storage name or "")},
     "title_lines": [str], "title": str, "intro": [paragraph], "preamble": [paragraph],
     "columns": {"A": [{"key", "heading"}], "B": [...], "C": [...], "D": [...]},
     "measures": [{"id", "number", "number_text", "group", "tools": ["IIT"], "measure": [line],
                   "title": [line], "guideline": [line], "steps": [line], "step_levels": [1|2],
                   "method": [line], "weakness": [line], "responsible": [line], "timeline": str,
                   "monitoring": [line], "plan_monitoring": [line],
                   "output": [line], "outcome": [line], "has_entry": bool, "entry_status": str,
                   "evidence": [{"id", "kind": "file"|"link", "title", "url", "file" (storage name),
                                 "name", "content_type", "size"}]}],
     "signer": {"name", "position", "role"},
     "memo": {"saved": bool, "department", "reference", "date", "subject", "addressee",
              "body": [{"text", "heading": bool}], "closing", "signer_name", "signer_position"},
     "analysis": None | {see analysis_data()}}

Queries: a fixed number whatever the number of measures (organisation, measures and their five
prefetches, entries, memo, and for an analysis or a measures plan the ITA result with its scores and
the catalogue of that year).
"""
from __future__ import annotations

import re
from datetime import date

from django.db.models import Prefetch
from django.utils import timezone

from core.thai import format_date, format_month, format_number, round_range, to_arabic_digits, to_thai_digits
from measures.models import Measure

from . import cells
from .models import Document, DocumentKind, DocumentStatus, Layout, MonthStyle

VERSION = 1

# --- fixed document text (Thai, verbatim from the real documents; not translatable UI) ---------

KIND_LABELS = {
    DocumentKind.ANALYSIS: "การวิเคราะห์ผลการประเมิน ITA",
    DocumentKind.MEASURES: "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
    DocumentKind.PROGRESS: "รายงานผลการดำเนินการ",
}
PROGRESS_TITLE = "รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
MEASURES_TITLE = "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
ANALYSIS_TITLE = "การวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ"
ANALYSIS_SUBTITLE = "(Integrity and Transparency Assessment: ITA)"
ITA_FULL = "การประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ"

# Column key -> default heading, per layout (ita-domain.md §4, verbatim).
LAYOUT_COLUMNS: dict[str, list[tuple[str, str]]] = {
    Layout.A: [
        ("measure", "มาตรการ/แนวทาง"),
        ("steps", "ขั้นตอน/วิธีการปฏิบัติ"),
        ("responsible", "หน่วยงานผู้รับผิดชอบ"),
        ("timeline", "ระยะเวลาการดำเนินการ"),
        ("output", "สรุปผลการดำเนินการ"),
        ("outcome", "ผลลัพธ์/ความสำเร็จ"),
    ],
    Layout.B: [
        ("weakness", "ประเด็นที่เป็นข้อบกพร่อง/จุดอ่อนจากการประเมิน"),
        ("method", "ขั้นตอนหรือวิธีการ/มาตรการ"),
        ("responsible", "ผู้รับผิดชอบ"),
        ("monitoring", "การรายงานผลและการกำกับติดตาม กำหนดเวลาแล้วเสร็จ"),
        ("output", "การดำเนินการ"),
    ],
    Layout.C: [
        ("number", "ลำดับที่"),
        ("measure", "มาตรการหรือกิจกรรมที่ดำเนินการ"),
        ("steps", "ขั้นตอนหรือวิธีการปฏิบัติ"),
        ("timeline", "ช่วงระยะเวลาในการดำเนินการ"),
        ("responsible", "ผู้รับผิดชอบ"),
        ("output", "ผลการดำเนินการ (output)"),
        ("outcome", "ผลลัพธ์หรือผลสัมฤทธิ์ในการดำเนินการ (outcome/result)"),
    ],
    Layout.D: [
        ("title", "มาตรการ"),
        ("guideline", "แนวทางการปฏิบัติ"),
        ("steps", "ขั้นตอน/วิธีการปฏิบัติ"),
        ("responsible", "ผู้รับผิดชอบ"),
        ("plan_monitoring", "การกำกับติดตาม"),
    ],
}
# Every key a column may show (Document.columns may use any of them, in layout A).
COLUMN_KEYS = (
    "number", "measure", "title", "guideline", "steps", "method", "weakness", "responsible",
    "timeline", "monitoring", "plan_monitoring", "output", "outcome",
)
DEFAULT_HEADINGS = {
    "number": "ลำดับที่",
    "measure": "มาตรการ/แนวทาง",
    "title": "มาตรการ",
    "guideline": "แนวทางการปฏิบัติ",
    "steps": "ขั้นตอน/วิธีการปฏิบัติ",
    "method": "ขั้นตอนหรือวิธีการ/มาตรการ",
    "weakness": "ประเด็นที่เป็นข้อบกพร่อง/จุดอ่อนจากการประเมิน",
    "responsible": "หน่วยงานผู้รับผิดชอบ",
    "timeline": "ระยะเวลาการดำเนินการ",
    "monitoring": "การรายงานผลและการกำกับติดตาม กำหนดเวลาแล้วเสร็จ",
    "plan_monitoring": "การกำกับติดตาม",
    "output": "สรุปผลการดำเนินการ",
    "outcome": "ผลลัพธ์/ความสำเร็จ",
}
assert set(DEFAULT_HEADINGS) == set(COLUMN_KEYS)

TOOL_ORDER = ("IIT", "EIT", "OIT")
NEW_LEVEL_TEXT = {
    "excellent": "ผ่านดีเยี่ยม",
    "good": "ผ่านดี",
    "pass": "ผ่าน",
    "improve": "ต้องปรับปรุง",
    "urgent": "ต้องปรับปรุงโดยด่วน",
}
# A paragraph of one short word group (no space) is a heading: เรื่องเดิม / ข้อเท็จจริง / ข้อพิจารณา.
MEMO_HEADING_MAX = 30


class ColumnsError(ValueError):
    """Document.columns is not a list of known column keys."""


# --- small helpers -----------------------------------------------------------------------------

def thai(value) -> str:
    return to_thai_digits(value)


def blocks(text: str) -> list[str]:
    """Paragraphs separated by an empty line, stripped; single line breaks inside are kept."""
    return [b.strip() for b in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if b.strip()]


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def split_title(title: str) -> list[str]:
    """A typed title in the lines the real documents use: break before ประจำปีงบประมาณ and (เดือน…)."""
    parts = re.split(r"\s*(?=ประจำปีงบประมาณ|\(เดือน)", " ".join(title.split()))
    return [p.strip() for p in parts if p.strip()]


def round_text(round_: int) -> str:
    return f"รอบ {thai(round_)} เดือน" if round_ else ""


def round_months_text(fiscal_year: int, round_: int) -> str:
    """"เดือนตุลาคม ๒๕๖๕ - มีนาคม ๒๕๖๖" for round 6 of fiscal year 2566 ("" without a round)."""
    if not round_:
        return ""
    start, end = round_range(fiscal_year, round_)
    return f"เดือน{format_month(start)} - {format_month(end)}"


def effective_layout(document: Document, override: str | None = None) -> str:
    """The layout the document prints in: a measures plan is always D; otherwise the override, the
    document's own layout, the organisation's default, A."""
    if document.kind == DocumentKind.MEASURES:
        return Layout.D
    if document.kind == DocumentKind.ANALYSIS:
        return ""
    for candidate in (override, document.layout, document.organisation.default_layout, Layout.A):
        if candidate in Layout.values:
            return candidate
    return Layout.A


def resolve_columns(layout: str, overrides=None) -> list[dict]:
    """[{"key", "heading"}] of a layout; ``overrides`` (Document.columns, layout A only) is a list of
    keys or {"key", "heading"} dicts giving the order and, optionally, the headings."""
    if overrides and layout == Layout.A:
        columns = []
        for item in overrides:
            key, heading = (item, "") if isinstance(item, str) else (item.get("key"), item.get("heading") or "")
            if key not in COLUMN_KEYS:
                raise ColumnsError(f"unknown column key {key!r}")
            columns.append({"key": key, "heading": heading.strip() or DEFAULT_HEADINGS[key]})
        return columns
    return [{"key": key, "heading": heading} for key, heading in LAYOUT_COLUMNS[layout]]


def validate_columns(value) -> list[str]:
    """Problems of a Document.columns value (for forms): [] when it is usable."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list):
        return ["not a list"]
    try:
        resolve_columns(Layout.A, value)
    except (ColumnsError, AttributeError) as exc:
        return [str(exc)]
    return []


def with_arabic_digits(data):
    """The same data with every Thai digit of every string turned into an Arabic digit."""
    if isinstance(data, str):
        return to_arabic_digits(data)
    if isinstance(data, list):
        return [with_arabic_digits(item) for item in data]
    if isinstance(data, dict):
        return {key: with_arabic_digits(value) for key, value in data.items()}
    return data


def map_strings(data, func):
    """``data`` with ``func`` applied to every string value (keys untouched)."""
    if isinstance(data, str):
        return func(data)
    if isinstance(data, list):
        return [map_strings(item, func) for item in data]
    if isinstance(data, dict):
        return {key: map_strings(value, func) for key, value in data.items()}
    return data


# --- measures ------------------------------------------------------------------------------------

def plan_monitoring(measure) -> list[str]:
    """Column การกำกับติดตาม of the measures plan: the monitoring lines as typed; when there are
    none, the report rounds ("รายงานผลการดำเนินงานตามมาตรการ", "-รอบ ๖ เดือน", "-รอบ ๑๒ เดือน")."""
    typed = cells.monitoring_cell(measure)
    if typed:
        return typed
    rounds = sorted(r for r in (measure.report_rounds or []) if isinstance(r, int))
    if not rounds:
        return []
    return ["รายงานผลการดำเนินงานตามมาตรการ", *(f"-รอบ {thai(r)} เดือน" for r in rounds)]


def step_levels(measure) -> list[int]:
    """The level (1 step, 2 sub-item) of each line of ``cells.steps_cell``, in the same order."""
    levels = []
    for step in measure.top_steps():
        levels.append(1)
        levels.extend(2 for _ in step.children)
    return levels


def evidence_data(entry) -> list[dict]:
    """The evidence of an entry: links and stored files (storage name; pages turn it into a URL)."""
    if entry is None:
        return []
    return [
        {"id": ev.pk, "kind": ev.kind, "title": ev.title, "url": ev.url, "file": ev.file.name or "",
         "name": ev.original_name, "content_type": ev.content_type, "size": ev.size}
        for ev in entry.evidence.all()
    ]


def measure_data(measure, number: int, entry, month_style: str) -> dict:
    entry_output = cells.output_cell(entry) if entry is not None else []
    entry_outcome = cells.outcome_cell(entry) if entry is not None else []
    return {
        "id": measure.pk,
        "number": number,
        "number_text": thai(number),
        "group": measure.group_heading.strip(),
        "tools": sorted((t.code for t in measure.tools.all()),
                        key=lambda c: (TOOL_ORDER.index(c) if c in TOOL_ORDER else 9, c)),
        "measure": cells.measure_cell(measure),
        "title": cells.title_cell(measure),
        "guideline": cells.guideline_cell(measure),
        "steps": cells.steps_cell(measure),
        "step_levels": step_levels(measure),
        "method": cells.method_cell(measure),
        "weakness": cells.weakness_cell(measure),
        "responsible": lines(cells.responsible_cell(measure)),
        "timeline": cells.timeline_cell(measure, style=month_style),
        "monitoring": cells.monitoring_cell(measure),
        "plan_monitoring": plan_monitoring(measure),
        "output": entry_output,
        "outcome": entry_outcome,
        "has_entry": entry is not None,
        "entry_status": entry.status if entry is not None else "",
        "evidence": evidence_data(entry),
    }


def _measures(document: Document) -> list:
    return list(
        Measure.objects.with_details()
        .filter(organisation_id=document.organisation_id, fiscal_year=document.fiscal_year)
        .order_by("order", "pk")
    )


def _entries(document: Document) -> dict:
    if document.pk is None or document.kind != DocumentKind.PROGRESS:
        return {}
    return {e.measure_id: e for e in document.entries.prefetch_related("evidence")}


def _in_report(measure, document, entries) -> bool:
    """A progress report shows the measures reported in its round, and any measure it has an entry for."""
    if measure.pk in entries or not document.round:
        return True
    rounds = measure.report_rounds or []
    return not rounds or document.round in rounds


# --- titles, memo ---------------------------------------------------------------------------------

def standard_title_lines(document: Document) -> list[str]:
    fy = thai(document.fiscal_year)
    if document.kind == DocumentKind.ANALYSIS:
        return [ANALYSIS_TITLE, ANALYSIS_SUBTITLE, f"ประจำปีงบประมาณ พ.ศ. {thai(document.fiscal_year - 1)}"]
    if document.kind == DocumentKind.MEASURES:
        return [MEASURES_TITLE, f"ประจำปีงบประมาณ พ.ศ. {fy}"]
    title = [PROGRESS_TITLE, f"ประจำปีงบประมาณ พ.ศ. {fy} {round_text(document.round)}".strip()]
    if document.round:
        title.append(f"({round_months_text(document.fiscal_year, document.round)})")
    return title


def title_lines(document: Document) -> list[str]:
    if not document.title.strip():
        return standard_title_lines(document)
    title = split_title(document.title)
    if (document.kind == DocumentKind.PROGRESS and document.round in (3, 6, 9)
            and "รอบ" not in document.title):
        title += [round_text(document.round), f"({round_months_text(document.fiscal_year, document.round)})"]
    return title


def addressee_for(org) -> str:
    """นายกเทศมนตรีตำบลหนองเสม็ด for เทศบาลตำบลหนองเสม็ด; นายก + name for the others."""
    if org.name.startswith("เทศบาล"):
        return "นายกเทศมนตรี" + org.name.removeprefix("เทศบาล")
    return "นายก" + org.name


def memo_initial(document: Document) -> dict:
    """Memo field values for a document that has no memo yet (what the memo form starts from)."""
    org = document.organisation
    fy = thai(document.fiscal_year)
    if document.kind == DocumentKind.MEASURES:
        subject = f"ขออนุมัติ{MEASURES_TITLE} ประจำปีงบประมาณ พ.ศ. {fy}"
        background = (f"ตามที่สำนักงาน ป.ป.ช. ได้ประกาศผล{ITA_FULL} (ITA) ประจำปีงบประมาณ พ.ศ. "
                      f"{thai(document.fiscal_year - 1)} นั้น")
        consideration = (f"{org.name} ได้วิเคราะห์ผลการประเมินและจัดทำ{MEASURES_TITLE} ประจำปีงบประมาณ "
                         f"พ.ศ. {fy} เรียบร้อยแล้ว จึงขออนุมัติมาตรการดังกล่าว รายละเอียดปรากฏตามเอกสารแนบท้าย")
    elif document.kind == DocumentKind.ANALYSIS:
        subject = f"รายงานผลการวิเคราะห์{ITA_FULL} (ITA) ประจำปีงบประมาณ พ.ศ. {thai(document.fiscal_year - 1)}"
        background = (f"ตามที่{org.name} ได้เข้ารับ{ITA_FULL} (ITA) ประจำปีงบประมาณ พ.ศ. "
                      f"{thai(document.fiscal_year - 1)} นั้น")
        consideration = "จึงขอรายงานผลการวิเคราะห์การประเมินดังกล่าว รายละเอียดปรากฏตามเอกสารแนบท้าย"
    else:
        subject = " ".join(title_lines(document))
        background = (f"ตามที่{org.name} ได้กำหนด{MEASURES_TITLE} ประจำปีงบประมาณ พ.ศ. {fy} "
                      "และได้ดำเนินการตามมาตรการดังกล่าว นั้น")
        consideration = (f"จึงขอรายงานผลการดำเนินการตาม{MEASURES_TITLE} ประจำปีงบประมาณ พ.ศ. {fy} "
                         f"{round_text(document.round)} รายละเอียดปรากฏตามเอกสารแนบท้าย").replace("  ", " ")
    return {
        "department": org.name,
        "reference": "",
        "date": timezone.localdate(),
        "subject": subject,
        "addressee": addressee_for(org),
        "body": f"เรื่องเดิม\n\n{background}\n\nข้อพิจารณา\n\n{consideration}",
        "closing": "จึงเรียนมาเพื่อโปรดพิจารณา",
        "signer_name": document.signer_name,
        "signer_position": document.signer_position,
    }


def memo_body(text: str) -> list[dict]:
    return [
        {"text": block, "heading": len(block) <= MEMO_HEADING_MAX and not re.search(r"\s", block)}
        for block in blocks(text)
    ]


def memo_data(values: dict, saved: bool) -> dict:
    memo_date = values.get("date")
    return {
        "saved": saved,
        "department": values.get("department", ""),
        "reference": values.get("reference", ""),
        "date": format_date(memo_date) if isinstance(memo_date, date) else "",
        "subject": values.get("subject", ""),
        "addressee": values.get("addressee", ""),
        "body": memo_body(values.get("body", "")),
        "closing": values.get("closing", ""),
        "signer_name": values.get("signer_name", ""),
        "signer_position": values.get("signer_position", ""),
    }


def _memo(document: Document) -> dict:
    from .models import Memo

    memo = None
    if document.pk is not None:
        memo = Memo.objects.filter(document_id=document.pk).first()
    if memo is None:
        return memo_data(memo_initial(document), saved=False)
    fields = ("department", "reference", "date", "subject", "addressee", "body", "closing",
              "signer_name", "signer_position")
    return memo_data({name: getattr(memo, name) for name in fields}, saved=True)


# --- ITA result analysis ----------------------------------------------------------------------------

def _score(value) -> str:
    return format_number(value) if value is not None else ""


def analysis_data(org, assessment_year: int) -> dict | None:
    """The analysis of the organisation's ITA result of ``assessment_year`` (None when not entered).

    Strengths, weaknesses and the per-tool grouping come from ita.analysis (threshold: the
    organisation's strength threshold)."""
    from ita import analysis
    from ita.models import AssessmentResult, IndicatorScore, OITItemScore, Tool, ToolScore

    result = (
        AssessmentResult.objects.filter(organisation=org, year__year=assessment_year)
        .select_related("year")
        .prefetch_related(
            Prefetch("tool_scores", queryset=ToolScore.objects.select_related("tool")),
            Prefetch("indicator_scores", queryset=IndicatorScore.objects.select_related("indicator__tool")),
            Prefetch("oit_scores", queryset=OITItemScore.objects.select_related("item")),
        )
        .first()
    )
    if result is None:
        return None
    tools = list(Tool.objects.filter(weights__year=result.year).order_by("order", "code")) or list(
        Tool.objects.order_by("order", "code"))
    indicators = list(result.year.indicators.select_related("tool").order_by("number"))

    tool_inputs, ind_inputs, item_inputs = analysis.inputs_from_result(result, tools, indicators)
    found = analysis.analyse(tool_inputs, ind_inputs, item_inputs, threshold=org.strength_threshold)
    summary = analysis.level_summary(result.total_score, result.tool_score_map(), result.year.scale)
    level = summary.old if summary.scale == "old" else NEW_LEVEL_TEXT.get(str(summary.new or ""), "")
    year_text = thai(assessment_year)
    total = format_number(result.total_score)
    sentence = (f"จากผล{ITA_FULL} (ITA) ประจำปีงบประมาณ พ.ศ. {year_text} ของ{org.name} "
                f"พบว่ามีผลคะแนน {total} คะแนน")
    if level:
        sentence += f" ระดับผลการประเมิน {level}"

    def indicator(i):
        return {"number": thai(i.number), "name": i.name, "tool": i.tool, "score": _score(i.score),
                "assessment_points": lines(i.assessment_points), "issues": lines(i.issues)}

    groups = []
    for number, group in enumerate(found.groups, start=1):
        issues = lines(group.tool.issues) or [
            line for i in group.indicators for line in lines(i.issues)
        ]
        groups.append({
            "number": thai(number),
            "code": group.code,
            "name": group.tool.name,
            "label": f"{group.tool.name} ({group.code})" if group.tool.name else group.code,
            "score": _score(group.tool.score),
            "issues": issues,
            "indicators": [indicator(i) for i in group.indicators],
            "weaknesses": [_weakness(w) for w in group.weaknesses],
        })
    from ita.catalogue_queries import provisional_mark

    mark = provisional_mark(result.year)
    return {
        "assessment_year": assessment_year,
        "assessment_year_text": year_text,
        # "ชุดตัวชี้วัดชั่วคราว (ใช้ของปี …)" when the year's catalogue is provisional, else ""
        "provisional": mark["text"] if mark else "",
        "title_lines": [ANALYSIS_TITLE, ANALYSIS_SUBTITLE, f"ประจำปีงบประมาณ พ.ศ. {year_text}"],
        "total": total,
        "level": level or "",
        "level_old": summary.old or "",
        "level_new": NEW_LEVEL_TEXT.get(str(summary.new or ""), ""),
        "scale": summary.scale,
        "sentence": sentence,
        "threshold": format_number(found.threshold),
        "summary": blocks(result.summary),
        "strengths": [indicator(i) for i in found.strengths],
        "weaknesses": [_weakness(w) for w in found.weaknesses],
        "oit_zero": [_weakness(w) for w in found.oit_zero],
        "tools": groups,
    }


def _weakness(w) -> dict:
    if w.kind == "oit":
        code = thai(w.item.code)
        return {"kind": "oit", "tool": w.tool, "text": f"{code} {w.item.title}", "score": _score(w.score),
                "issues": []}
    ind = w.indicator
    return {"kind": "indicator", "tool": w.tool, "text": f"ตัวชี้วัดที่ {thai(ind.number)} {ind.name}",
            "score": _score(w.score), "issues": lines(ind.issues), "below_threshold": w.below_threshold}


# --- the whole document -------------------------------------------------------------------------------

def build_document_data(document: Document) -> dict:
    """Everything ``document`` shows, from live data (see the module docstring for the shape)."""
    org = document.organisation
    layout = effective_layout(document)
    month_style = document.month_style if document.month_style in MonthStyle.values else MonthStyle.FULL

    measures = []
    if document.kind in (DocumentKind.MEASURES, DocumentKind.PROGRESS):
        entries = _entries(document)
        chosen = [m for m in _measures(document)
                  if document.kind != DocumentKind.PROGRESS or _in_report(m, document, entries)]
        measures = [measure_data(m, n, entries.get(m.pk), month_style) for n, m in enumerate(chosen, start=1)]

    analysis = None
    if document.kind in (DocumentKind.ANALYSIS, DocumentKind.MEASURES):
        analysis = analysis_data(org, document.fiscal_year - 1)

    try:
        columns = {lay: resolve_columns(lay, document.columns) for lay in LAYOUT_COLUMNS}
    except (ColumnsError, AttributeError, TypeError):
        columns = {lay: resolve_columns(lay) for lay in LAYOUT_COLUMNS}
    lines_ = title_lines(document)
    return {
        "version": VERSION,
        "kind": str(document.kind),
        "kind_label": KIND_LABELS.get(document.kind, ""),
        "status": str(document.status),
        "is_draft": document.status in (DocumentStatus.DRAFT, DocumentStatus.SUBMITTED),
        "revision": document.revision,
        "fiscal_year": document.fiscal_year,
        "fiscal_year_text": thai(document.fiscal_year),
        "round": document.round,
        "round_text": round_text(document.round),
        "round_months": round_months_text(document.fiscal_year, document.round),
        "layout": layout,
        "arabic_digits": bool(document.arabic_digits),
        "month_style": month_style,
        "organisation": {
            "name": org.name,
            "district": org.district,
            "province": org.province,
            "place": f"อำเภอ{org.district} จังหวัด{org.province}",
            "slug": org.slug,
            "emblem": org.emblem.name if org.emblem else "",
        },
        "title_lines": lines_,
        "title": " ".join(lines_),
        "intro": blocks(document.intro),
        "preamble": blocks(document.preamble),
        "columns": columns,
        "measures": measures,
        "signer": {
            "name": document.signer_name.strip(),
            "position": document.signer_position.strip(),
            "role": document.signer_role.strip() or "ผู้รายงาน",
        },
        "memo": _memo(document),
        "analysis": analysis,
    }
