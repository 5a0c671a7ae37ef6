"""What a document shows, as plain data: ``build_document_data(document) -> dict``.

The templates of reports/templates/reports/document/ render *only* from this dict (through
``reports.printing.rendering``), so a draft built from live data and a frozen approval snapshot of the same
dict print the same document. The dict is JSON-serialisable: strings, ints, bools, lists, dicts and
None; no model objects, no dates, no Decimals.

Digits. Every text is in the document's canonical form: automatic numbers (step markers, years,
dates, scores, round months) in Thai digits, typed text exactly as typed (URLs and Latin tokens keep
their Arabic digits). A document printed with Arabic digits is the same dict passed through
``with_arabic_digits`` (every digit of every string, typed ones included — what ``measures.cells``
does with ``arabic_digits=True``). ``data["arabic_digits"]`` records the document's own choice.

Layout. ``data["layout"]`` is the layout the document prints in: its own when the kind may use it
(measures.layouts.KINDS), else (a progress report) the organisation's default, else the kind's default
(the first of its layouts: A for a progress report, E for a measures plan); every measure carries the
texts of every column (``measures.layouts.column_values``), so a preview in another layout needs no
database. ``data["columns"]`` holds the resolved headings of each layout (layout A may have
per-document headings and order, ``Document.columns``), ``data["weights"]`` every column's relative
width and ``data["analysis_tables"]`` the headings and widths of the analysis tables: an approval
freezes them with the texts, so an approved document prints with the layout it was
approved with. The declaration of columns, layouts and kinds: measures/layouts.py.

Shape (abridged)::

    {"version": 1, "kind": "progress", "kind_label": "รายงานผลการดำเนินการ", "status": "draft",
     "is_draft": True, "revision": 1, "fiscal_year": 2566, "fiscal_year_text": "๒๕๖๖",
     "round": 6, "round_text": "รอบ ๖ เดือน", "round_months": "เดือนตุลาคม ๒๕๖๕ - มีนาคม ๒๕๖๖",
     "layout": "B", "arabic_digits": False, "month_style": "full",
     "organisation": {"name", "district", "province", "place", "slug", "emblem" (storage name or "")},
     "title_lines": [str], "title": str, "intro": [paragraph], "preamble": [paragraph],
     "columns": {"A": [{"key", "heading"}], "B": [...], "C": [...], "D": [...], "E": [...], "F": [...]},
     "weights": {column key: relative width},
     "analysis_tables": {"tools" | "strengths" | "weaknesses" | "development": [{"heading", "weight", "numeric"}]},
     "measures": [{"id", "number", "number_text", "group", "tools": ["IIT"], "measure": [line],
                   "title": [line], "guideline": [line], "steps": [line], "steps_due": [line],
                   "step_levels": [1|2],
                   "method": [line], "weakness": [line], "responsible": [line], "timeline": str,
                   "monitoring": [line], "plan_monitoring": [line],
                   "output": [line], "outcome": [line], "progress_notes": [line],
                   "has_entry": bool, "entry_status": str,
                   "evidence": [{"id", "kind": "file"|"link", "title", "url", "file" (storage name),
                                 "name", "content_type", "size"}]}],
     "signer": {"name", "position", "role"},
     "memo": {"saved": bool, "department", "reference", "date", "subject", "addressee", "through",
              "body": [{"text", "heading": bool}], "closing", "signer_name", "signer_position",
              "decision": None | {"text", "name", "position", "date"} (added on reading, not frozen)},
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
from measures import cells, layouts
from measures.models import Measure

from ..models import Document, DocumentKind, DocumentStatus, MonthStyle

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
    """The layout the document prints in: the first of the override, the document's own layout, (a
    progress report) the organisation's default, that the kind may use (``measures.layouts.layouts_for``);
    else the kind's default (A for a progress report, E for a measures plan, "" for an analysis)."""
    allowed = layouts.layouts_for(document.kind)
    candidates = [override, document.layout]
    if document.kind == DocumentKind.PROGRESS:
        candidates.append(document.organisation.default_layout)
    for candidate in candidates:
        if candidate and candidate in allowed:
            return candidate
    return layouts.default_layout(document.kind)


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


def progress_notes(entry, month_style: str) -> list[str]:
    """What the entry says besides its output and outcome: when the activities took place, and the
    reason typed for its status (printed after the output)."""
    if entry is None:
        return []
    activity = cells.activity_text(entry, month_style)
    return ([activity] if activity else []) + cells.status_note(entry)


def measure_data(measure, number: int, entry, month_style: str) -> dict:
    """One measure of the document: what identifies it, the values of every column
    (measures.layouts.column_values) and, in a progress report, its entry's notes and evidence."""
    return {
        "id": measure.pk,
        "number": number,
        "number_text": thai(number),
        "group": measure.group_heading.strip(),
        "tools": sorted((t.code for t in measure.tools.all()),
                        key=lambda c: (TOOL_ORDER.index(c) if c in TOOL_ORDER else 9, c)),
        **layouts.column_values(measure, entry, month_style),
        "step_levels": step_levels(measure),
        "progress_notes": progress_notes(entry, month_style),
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


# The ผ่าน line of a memo (seed 004: "เรียน นายกเทศมนตรีตำบลหนองเสม็ด ผ่านปลัดเทศบาล"): the permanent
# secretary through whom a division writes to the executive, by the kind of organisation.
THROUGH_BY_PREFIX = (
    ("เทศบาล", "ปลัดเทศบาล"),
    ("องค์การบริหารส่วนตำบล", "ปลัดองค์การบริหารส่วนตำบล"),
    ("องค์การบริหารส่วนจังหวัด", "ปลัดองค์การบริหารส่วนจังหวัด"),
)

# The label of the document's signature ("ลงชื่อ ...... ผู้จัดทำ"), per kind, when none is typed: a
# plan is prepared (seed 000 "ผู้จัดทำ"), an analysis analysed, a progress report reported (seed 002).
SIGNER_ROLES = {
    DocumentKind.MEASURES: "ผู้จัดทำ",
    DocumentKind.ANALYSIS: "ผู้วิเคราะห์",
    DocumentKind.PROGRESS: "ผู้รายงาน",
}


def default_signer_role(kind: str) -> str:
    return SIGNER_ROLES.get(kind, "ผู้รายงาน")


def through_for(org) -> str:
    for prefix, through in THROUGH_BY_PREFIX:
        if org.name.startswith(prefix):
            return through
    return ""


def department_text(division_name: str, org_name: str) -> str:
    """ส่วนราชการ of a memo: the responsible division with the organisation ("สำนักปลัด เทศบาลตำบลพักทัน")."""
    return " ".join(part for part in (division_name.strip(), org_name.strip()) if part)


def default_memo_division(document: Document, membership=None, divisions=None):
    """The division a new memo comes from: the preparer's own division (``membership``: theirs in the
    organisation), else สำนักปลัด (which holds the ITA work in most organisations), else the
    organisation's first division; None without divisions. ``divisions``: the organisation's, when the
    caller has them (else one query; a second one for the preparer's own)."""
    from orgs.models import Division

    if divisions is None:
        divisions = list(Division.objects.filter(organisation_id=document.organisation_id)
                         .order_by("order", "name"))
    if membership is not None:
        own = set(membership.divisions.through.objects.filter(membership_id=membership.pk)
                  .values_list("division_id", flat=True))
        for division in divisions:
            if division.pk in own:
                return division
    for division in divisions:
        if division.name.startswith("สำนักปลัด"):
            return division
    return divisions[0] if divisions else None


def memo_sections(document: Document) -> list[tuple[str, str]]:
    """The default body of a new memo, per kind, in the sections of seed 004 and the regulations on
    official correspondence: เรื่องเดิม / ข้อเท็จจริง / ข้อพิจารณา / ข้อเสนอ."""
    org = document.organisation
    fy = thai(document.fiscal_year)
    assessed = thai(document.fiscal_year - 1)
    website = f"เว็บไซต์ของ{org.name}"
    if document.kind == DocumentKind.MEASURES:
        return [
            ("เรื่องเดิม", f"ตามที่{org.name} ได้เข้ารับ{ITA_FULL} (Integrity and Transparency Assessment : ITA) "
                           f"ประจำปีงบประมาณ พ.ศ. {assessed} นั้น"),
            ("ข้อเท็จจริง", "สำนักงาน ป.ป.ช. กำหนดให้หน่วยงานที่เข้ารับการประเมินนำผลการประเมินไปวิเคราะห์ "
                            f"และจัดทำ{MEASURES_TITLE} เพื่อแก้ไขจุดอ่อนและพัฒนาการดำเนินงาน "
                            "และเผยแพร่ต่อสาธารณะ"),
            ("ข้อพิจารณา", f"{org.name} ได้วิเคราะห์ผลการประเมินและจัดทำ{MEASURES_TITLE} "
                           f"ประจำปีงบประมาณ พ.ศ. {fy} เรียบร้อยแล้ว รายละเอียดปรากฏตามเอกสารแนบท้าย"),
            ("ข้อเสนอ", f"เห็นควรอนุมัติ{MEASURES_TITLE} ประจำปีงบประมาณ พ.ศ. {fy} และเผยแพร่ทาง{website}"),
        ]
    if document.kind == DocumentKind.ANALYSIS:
        return [
            ("เรื่องเดิม", f"ตามที่{org.name} ได้เข้ารับ{ITA_FULL} (Integrity and Transparency Assessment : ITA) "
                           f"ประจำปีงบประมาณ พ.ศ. {assessed} นั้น"),
            ("ข้อเท็จจริง", "สำนักงาน ป.ป.ช. ได้ประกาศผลการประเมินแล้ว และกำหนดให้หน่วยงานนำผลการประเมิน"
                            f"ไปวิเคราะห์เพื่อจัดทำ{MEASURES_TITLE}"),
            ("ข้อพิจารณา", f"{org.name} ได้วิเคราะห์ผลการประเมินดังกล่าวเรียบร้อยแล้ว "
                           "รายละเอียดปรากฏตามเอกสารแนบท้าย"),
            ("ข้อเสนอ", f"เห็นควรนำผลการวิเคราะห์ไปจัดทำ{MEASURES_TITLE} ประจำปีงบประมาณ พ.ศ. {fy} "
                        f"และเผยแพร่ทาง{website}"),
        ]
    report = f"ผลการดำเนินการตาม{MEASURES_TITLE} ประจำปีงบประมาณ พ.ศ. {fy} {round_text(document.round)}".strip()
    return [
        ("เรื่องเดิม", f"ตามที่{org.name} ได้กำหนด{MEASURES_TITLE} ประจำปีงบประมาณ พ.ศ. {fy} "
                       "และได้ดำเนินการตามมาตรการดังกล่าว นั้น"),
        ("ข้อเท็จจริง", "การประเมินคุณธรรมและความโปร่งใส (ITA) กำหนดให้หน่วยงานรายงานผลการดำเนินการ"
                        "ตามมาตรการ และเผยแพร่ต่อสาธารณะ"),
        ("ข้อพิจารณา", f"จึงขอรายงาน{report} รายละเอียดปรากฏตามเอกสารแนบท้าย"),
        ("ข้อเสนอ", f"เห็นควรเผยแพร่รายงานดังกล่าวทาง{website}"),
    ]


def memo_initial(document: Document, user=None, membership=None, divisions=None) -> dict:
    """Memo field values for a document that has no memo yet (what the memo form starts from);
    ``user``: the member who opens the form (their division, name and position are the defaults),
    ``membership``: theirs in the organisation when the caller has it (else looked up);
    ``divisions``: the organisation's divisions in order when the caller has them (else queried)."""
    from orgs.models import Membership

    org = document.organisation
    fy = thai(document.fiscal_year)
    if document.kind == DocumentKind.MEASURES:
        subject = f"ขออนุมัติ{MEASURES_TITLE} ประจำปีงบประมาณ พ.ศ. {fy}"
    elif document.kind == DocumentKind.ANALYSIS:
        subject = f"รายงานผลการวิเคราะห์{ITA_FULL} (ITA) ประจำปีงบประมาณ พ.ศ. {thai(document.fiscal_year - 1)}"
    else:
        subject = " ".join(title_lines(document))
    signer_name, signer_position = document.signer_name, document.signer_position
    if user is not None and user.is_authenticated:
        # a superuser's stand-in (orgs.access.SuperuserMembership) is no membership: look the real one up
        if not isinstance(membership, Membership) or membership.organisation_id != org.pk:
            membership = Membership.objects.filter(user=user, organisation_id=org.pk).first()
        if not signer_name:
            signer_name = user.get_full_name().strip()
            signer_position = signer_position or (membership.position if membership else "")
    division = default_memo_division(document, membership, divisions)
    return {
        "division": division,
        "division_name": division.name if division else "",
        "organisation_name": org.name,
        "department": "",
        "reference": "",
        "date": timezone.localdate(),
        "subject": subject,
        "addressee": addressee_for(org),
        "through": through_for(org),
        "body": "\n\n".join(f"{heading}\n\n{text}" for heading, text in memo_sections(document)),
        "closing": "จึงเรียนมาเพื่อโปรดพิจารณา",
        "signer_name": signer_name,
        "signer_position": signer_position,
    }


def memo_body(text: str) -> list[dict]:
    return [
        {"text": block, "heading": len(block) <= MEMO_HEADING_MAX and not re.search(r"\s", block)}
        for block in blocks(text)
    ]


def memo_data(values: dict, saved: bool) -> dict:
    """The memo as printed. ``decision`` (the executive's ความเห็น/คำสั่ง) is None here: it is not
    part of what was approved but the record of the approval, added from the APPROVE workflow event
    when an approved document is read (reports.printing.stored_pdf.document_snapshot)."""
    memo_date = values.get("date")
    department = (values.get("department") or "").strip() or department_text(
        values.get("division_name", ""), values.get("organisation_name", ""))
    return {
        "saved": saved,
        "department": department,
        "reference": values.get("reference", ""),
        "date": format_date(memo_date) if isinstance(memo_date, date) else "",
        "subject": values.get("subject", ""),
        "addressee": values.get("addressee", ""),
        "through": values.get("through", ""),
        "body": memo_body(values.get("body", "")),
        "closing": values.get("closing", ""),
        "signer_name": values.get("signer_name", ""),
        "signer_position": values.get("signer_position", ""),
        "decision": None,
    }


MEMO_FIELDS = ("department", "reference", "date", "subject", "addressee", "through", "body", "closing",
               "signer_name", "signer_position")


def _memo(document: Document) -> dict:
    from ..models import Memo

    memo = None
    if document.pk is not None:
        memo = Memo.objects.filter(document_id=document.pk).select_related("division").first()
    if memo is None:
        return memo_data(memo_initial(document), saved=False)
    values = {name: getattr(memo, name) for name in MEMO_FIELDS}
    values["division_name"] = memo.division.name if memo.division else ""
    values["organisation_name"] = document.organisation.name
    return memo_data(values, saved=True)


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
        columns = {lay: layouts.resolve_columns(lay, document.columns) for lay in layouts.LAYOUTS}
    except (layouts.ColumnsError, AttributeError, TypeError):
        columns = {lay: layouts.resolve_columns(lay) for lay in layouts.LAYOUTS}
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
        "weights": layouts.weights(),
        "analysis_tables": layouts.analysis_tables(),
        "measures": measures,
        "signer": {
            "name": document.signer_name.strip(),
            "position": document.signer_position.strip(),
            "role": document.signer_role.strip() or default_signer_role(document.kind),
        },
        "memo": _memo(document),
        "analysis": analysis,
    }
