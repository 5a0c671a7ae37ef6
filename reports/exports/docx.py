"""A document as an editable Word file (DOCX), from the same data and options as its PDF.

    data = document_data(document)                  # reports.documents.views: the snapshot once approved
    content = render_document_docx(data, RenderOptions(layout="B"))   # bytes

Same content and order as the PDF templates (reports/templates/reports/document/): the memo cover
(portrait, when chosen), the ITA result analysis (portrait; in front of a measures plan, or the whole
of an analysis document), then on landscape A4 pages the title lines, organisation and place, the
foreword (คำนำ) and preamble, the table of the chosen layout (A-F: the layout's columns and
headings, layout B one table per tool section, group-heading rows spanning all columns) and the
signature block. Texts come from ``reports.printing.rendering.prepared`` (Sarabun-safe, in the document's
digits: Thai unless the document or the options say Arabic); the literal numbers of the templates
("๑." of the analysis headings) follow the same choice.

Word specifics: every run names the font Sarabun for ascii, hAnsi, eastAsia and cs (Thai is a complex
script in Word, so the cs font and the complex-script size ``w:szCs`` are what Word uses for it); tables
have fixed column widths (the PDF's relative widths: the columns' weights of measures.layouts, as the
document's data froze them) and repeat their
header row on every page (``w:tblHeader``); the Sarabun faces are embedded in the file
(reports/exports/docx_fonts.py), so it looks the same where Sarabun is not installed. A draft carries
"ฉบับร่าง" in the page header instead of the PDF's watermark. Nothing here queries the database.
"""
from __future__ import annotations

import io

from django.core.files.storage import default_storage
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from core.thai import to_arabic_digits, to_thai_digits

from ..models import DocumentKind
from .docx_fonts import embed_sarabun
from ..printing.rendering import (
    LANDSCAPE_MARGINS_MM,
    WATERMARK,
    RenderOptions,
    analysis_development,
    analysis_tables,
    chosen_layout,
    layout_columns,
    prepared,
    table_sections,
)

FONT = "Sarabun"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Sizes of reports/templates/reports/document/_report.css, in points.
BODY_PT = 12
TABLE_PT = 11
TITLE_PT = 14
PLACE_PT = 13
COVER_TITLE_PT = 18
COVER_ORG_PT = 16
INTRO_HEADING_PT = 16
SECTION_PT = 13
PORTRAIT_MARGINS_MM = {"top": 20, "right": 20, "bottom": 18, "left": 30}
A4_MM = (210, 297)
DOTS = "........................................"


# --- runs and paragraphs --------------------------------------------------------------------------

def _set_fonts(rpr, size_pt=None):
    """Sarabun for every script of a run (or style) properties element, and both sizes."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size_pt is not None:
        half_points = str(int(round(size_pt * 2)))
        for tag in ("w:sz", "w:szCs"):
            element = rpr.find(qn(tag))
            if element is None:
                element = OxmlElement(tag)
                rpr.append(element)
            element.set(qn("w:val"), half_points)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:bidi"), "th-TH")


def _run(paragraph, text: str, *, bold=False, size=None, color=None):
    """A run of ``text`` (line breaks kept as breaks) in Sarabun."""
    size = size or BODY_PT
    parts = (text or "").split("\n")
    run = paragraph.add_run(parts[0])
    for part in parts[1:]:
        run.add_break()
        run.add_text(part)
    if bold:
        run.bold = True
        rpr = run._r.get_or_add_rPr()
        bcs = OxmlElement("w:bCs")
        rpr.append(bcs)
    if color is not None:
        run.font.color.rgb = color
    run.font.size = Pt(size)
    _set_fonts(run._r.get_or_add_rPr(), size)
    return run


def _spacing(paragraph, *, before=0, after=0, indent_first=None, left_indent=None, line=None):
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if indent_first is not None:
        fmt.first_line_indent = indent_first
    if left_indent is not None:
        fmt.left_indent = left_indent
    if line is not None:
        fmt.line_spacing = line


class Writer:
    """Builds the Word document part by part, in the order of the PDF templates."""

    def __init__(self, data: dict, context: dict):
        self.data = data
        self.ctx = context
        self.arabic = data["arabic_digits"]
        self.doc = WordDocument()
        self._started = False
        self._in_memo = False
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_PT)
        _set_fonts(normal.element.get_or_add_rPr(), BODY_PT)
        _spacing(normal, after=0)

    # digits of the templates' literal text
    def digits(self, text) -> str:
        return to_arabic_digits(text) if self.arabic else to_thai_digits(text)

    # --- sections --------------------------------------------------------------------------------

    def section(self, *, landscape: bool):
        """Start a new page section (the first call reuses the document's first section)."""
        if self._started:
            section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        else:
            section = self.doc.sections[0]
            self._started = True
        short, long_ = Mm(A4_MM[0]), Mm(A4_MM[1])
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = long_, short
            margins = LANDSCAPE_MARGINS_MM
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = short, long_
            margins = PORTRAIT_MARGINS_MM
        section.top_margin = Mm(margins["top"])
        section.bottom_margin = Mm(margins["bottom"])
        section.left_margin = Mm(margins["left"])
        section.right_margin = Mm(margins["right"])
        header = section.header
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0]
        paragraph.text = ""
        if self.ctx["watermark"]:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, self.ctx["watermark"], bold=True, size=BODY_PT, color=RGBColor(0x99, 0x99, 0x99))
        footer = section.footer
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.text = ""
        if not self._in_memo:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(paragraph, "หน้า ", size=BODY_PT)
            self._field(paragraph, "PAGE")
            _run(paragraph, " จาก ", size=BODY_PT)
            self._field(paragraph, "SECTIONPAGES" if self.ctx["show_memo"] else "NUMPAGES")
        self.width_mm = (A4_MM[1] if landscape else A4_MM[0]) - margins["left"] - margins["right"]
        return section

    def _field(self, paragraph, name):
        """A page-number field in the document's digits (Word's ThaiArabic switch for Thai digits)."""
        field = OxmlElement("w:fldSimple")
        switch = "" if self.arabic else " \\* ThaiArabic"
        field.set(qn("w:instr"), f" {name}{switch} ")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = self.digits("1")
        run.append(text)
        field.append(run)
        paragraph._p.append(field)
        _set_fonts(run.get_or_add_rPr() if hasattr(run, "get_or_add_rPr") else _rpr_of(run), BODY_PT)

    def page_break(self):
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- blocks ----------------------------------------------------------------------------------

    def paragraph(self, text="", *, bold=False, size=None, align=None, before=0, after=0, indent=False):
        paragraph = self.doc.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        _spacing(paragraph, before=before, after=after, indent_first=Mm(12) if indent else None)
        if text:
            _run(paragraph, text, bold=bold, size=size)
        return paragraph

    def heading(self, text, size=SECTION_PT):
        paragraph = self.paragraph(text, bold=True, size=size, before=8, after=3)
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def title_block(self, title_lines, *, cover=False):
        title_size = COVER_TITLE_PT if cover else TITLE_PT
        for line in title_lines:
            self.paragraph(line, bold=True, size=title_size, align=WD_ALIGN_PARAGRAPH.CENTER)
        org = self.data["organisation"]
        self.paragraph(org["name"], bold=True, size=COVER_ORG_PT if cover else TITLE_PT,
                       align=WD_ALIGN_PARAGRAPH.CENTER, before=6)
        self.paragraph(org["place"], bold=True, size=COVER_ORG_PT if cover else PLACE_PT,
                       align=WD_ALIGN_PARAGRAPH.CENTER, after=10)

    def intro(self):
        self.paragraph("คำนำ", bold=True, size=INTRO_HEADING_PT, align=WD_ALIGN_PARAGRAPH.CENTER, after=10)
        for text in self.data["intro"]:
            self.paragraph(text, indent=True, after=6)

    def preamble(self):
        for text in self.data["preamble"]:
            self.paragraph(text, indent=True, after=6)

    def signature(self):
        signer = self.data["signer"]
        lines = [
            f"ลงชื่อ {DOTS} {signer['role']}",
            f"({signer['name'] or DOTS})",
            signer["position"] or f"ตำแหน่ง {DOTS}",
        ]
        for i, line in enumerate(lines):
            paragraph = self.paragraph(line, align=WD_ALIGN_PARAGRAPH.CENTER, before=24 if i == 0 else 0)
            paragraph.paragraph_format.left_indent = Mm(self.width_mm / 2)
            paragraph.paragraph_format.keep_with_next = i < len(lines) - 1

    # --- tables ----------------------------------------------------------------------------------

    def table(self, headings, weights, *, size=TABLE_PT):
        """A bordered table with a repeated header row and fixed column widths (relative ``weights``)."""
        table = self.doc.add_table(rows=1, cols=len(headings))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        total = sum(weights)
        widths = [Mm(self.width_mm * w / total) for w in weights]
        for col, width in zip(table.columns, widths):
            col.width = width
        table._widths = widths
        header = table.rows[0]
        tr_pr = header._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for cell, text, width in zip(header.cells, headings, widths):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(paragraph, text, bold=True, size=size)
            _shade(cell, "E7E7E7")
        return table

    def fixed_table(self, name):
        """An analysis table: its headings and widths as the document's data holds them."""
        columns = self.ctx["analysis_tables"][name]
        return self.table([c["heading"] for c in columns], [c["weight"] for c in columns])

    def row(self, table, cells, *, size=TABLE_PT):
        """A row; each cell is a list of (text, sub) paragraphs."""
        row = table.add_row()
        for cell, lines, width in zip(row.cells, cells, table._widths):
            cell.width = width
            _fill(cell, lines, size=size)
        return row

    def group_row(self, table, text):
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        paragraph = merged.paragraphs[0]
        _run(paragraph, text, bold=True, size=TABLE_PT)
        _shade(merged, "F3F3F3")
        return row

    def report_table(self):
        columns = self.ctx["columns"]
        headings = [c["heading"] for c in columns]
        weights = [c["weight"] for c in columns]
        for section in self.ctx["sections"]:
            if section["heading"]:
                self.heading(section["heading"])
            table = self.table(headings, weights)
            for row in section["rows"]:
                if "group" in row:
                    self.group_row(table, row["group"])
                else:
                    self.row(table, [[(line["text"], line["sub"]) for line in cell["lines"]]
                                     for cell in row["cells"]])
            self.paragraph(after=4)

    # --- analysis --------------------------------------------------------------------------------

    def analysis(self):
        analysis = self.ctx["analysis"]
        d = self.digits
        if analysis.get("provisional"):  # the mark of a provisional catalogue (older snapshots lack it)
            self.paragraph(analysis["provisional"], bold=True, after=6)
        self.heading(f"{d('1.')} ผลคะแนนการประเมิน")
        self.paragraph(analysis["sentence"], indent=True, after=6)
        for text in analysis["summary"]:
            self.paragraph(text, indent=True, after=6)
        table = self.fixed_table("tools")
        for tool in analysis["tools"]:
            rows = []
            for ind in tool["indicators"]:
                rows.append(self.row(table, [[], [(f"{ind['number']}. {ind['name']}", False)],
                                             [(ind["score"], False)], []]))
            if not rows:
                continue
            first = [(tool["label"], False)] + ([(f"คะแนน {tool['score']}", False)] if tool["score"] else [])
            tool_cell = rows[0].cells[0].merge(rows[-1].cells[0]) if len(rows) > 1 else rows[0].cells[0]
            _fill(tool_cell, first)
            issues_cell = rows[0].cells[3].merge(rows[-1].cells[3]) if len(rows) > 1 else rows[0].cells[3]
            _fill(issues_cell, [(line, False) for line in tool["issues"]])
        self.paragraph(after=4)

        self.heading(f"{d('2.')} จุดแข็ง")
        self.paragraph(f"ตัวชี้วัดที่มีคะแนนตั้งแต่ {analysis['threshold']} คะแนนขึ้นไป เรียงจากคะแนนสูงไปต่ำ",
                       indent=True, after=4)
        if analysis["strengths"]:
            table = self.fixed_table("strengths")
            for n, ind in enumerate(analysis["strengths"], start=1):
                self.row(table, [[(d(n), False)], [(f"ตัวชี้วัดที่ {ind['number']} {ind['name']}", False)],
                                 [(ind["score"], False)]])
        else:
            self.paragraph("ไม่มีตัวชี้วัดที่มีคะแนนถึงเกณฑ์", indent=True)

        self.heading(f"{d('3.')} จุดอ่อน")
        self.paragraph("ตัวชี้วัดที่มีคะแนนต่ำ ซึ่งต้องนำไปกำหนดมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
                       indent=True, after=4)
        weak = analysis["weaknesses"] + analysis["oit_zero"]
        if weak:
            table = self.fixed_table("weaknesses")
            for n, w in enumerate(weak, start=1):
                self.row(table, [[(d(n), False)], [(w["text"], False)], [(w["score"], False)]])

        development = analysis_development(analysis, arabic_digits=self.data["arabic_digits"])
        if development:  # optional: nothing typed, no section
            self.heading(f"{d('4.')} ประเด็นที่ควรพัฒนา จำแนกตามเครื่องมือการประเมิน")
        for tool in development:
            score = f" คะแนน {tool['score']}" if tool["score"] else ""
            self.heading(f"{d('4.')}{tool['number']} {tool['label']}{score}", size=BODY_PT)
            table = self.fixed_table("development")
            for ind in tool["indicators"]:
                name = f"{ind['number']}. {ind['name']}" + (f" ({ind['score']})" if ind["score"] else "")
                self.row(table, [[(name, False)], [(line, False) for line in ind["assessment_points"]],
                                 [(line, False) for line in ind["issues"]]])
        self.paragraph(after=4)

    # --- memo ------------------------------------------------------------------------------------

    def memo(self):
        memo = self.ctx["memo"]
        emblem = self.data["organisation"]["emblem"]
        if emblem:
            try:
                with default_storage.open(emblem, "rb") as fh:
                    self.doc.add_paragraph().add_run().add_picture(io.BytesIO(fh.read()), height=Mm(15))
            except Exception:  # noqa: BLE001 - an unreadable emblem leaves the cover without it, as the PDF
                pass
        self.paragraph("บันทึกข้อความ", bold=True, size=24, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
        self._memo_field([("ส่วนราชการ", memo["department"])])
        self._memo_field([("ที่", memo["reference"]), ("วันที่", memo["date"])])
        self._memo_field([("เรื่อง", memo["subject"])])
        paragraph = self.paragraph(before=6, after=6)
        _run(paragraph, "เรียน", bold=True, size=BODY_PT)
        _run(paragraph, f" {memo['addressee']}", size=BODY_PT)
        if memo.get("through"):
            _run(paragraph, f" ผ่าน{memo['through']}", size=BODY_PT)
        for block in memo["body"]:
            if block["heading"]:
                self.paragraph(block["text"], bold=True, before=4)
            else:
                self.paragraph(block["text"], indent=True, after=4)
        if memo["closing"]:
            self.paragraph(memo["closing"], indent=True, before=6)
        lines = [f"({memo['signer_name'] or DOTS})"] + ([memo["signer_position"]] if memo["signer_position"] else [])
        for i, line in enumerate(lines):
            paragraph = self.paragraph(line, align=WD_ALIGN_PARAGRAPH.CENTER, before=36 if i == 0 else 0)
            paragraph.paragraph_format.left_indent = Mm(self.width_mm / 2)
        decision = memo.get("decision")
        if decision:  # the executive's ความเห็น/คำสั่ง, from the approval event
            self.paragraph("ความเห็น/คำสั่ง", bold=True, before=18)
            self.paragraph(decision["text"], bold=True, indent=True)
            lines = [f"({decision['name']})", decision["position"], decision["date"], "อนุมัติผ่านระบบอิเล็กทรอนิกส์"]
            for i, line in enumerate(line for line in lines if line):
                paragraph = self.paragraph(line, align=WD_ALIGN_PARAGRAPH.CENTER, before=12 if i == 0 else 0)
                paragraph.paragraph_format.left_indent = Mm(self.width_mm / 2)

    def _memo_field(self, pairs):
        paragraph = self.paragraph(after=2)
        for i, (label, value) in enumerate(pairs):
            _run(paragraph, ("    " if i else "") + label, bold=True, size=BODY_PT)
            _run(paragraph, f" {value}" if value else f" {DOTS}", size=BODY_PT)

    # --- the whole document ----------------------------------------------------------------------

    def build(self) -> bytes:
        ctx, data = self.ctx, self.data
        if ctx["show_memo"]:
            self._in_memo = True
            self.section(landscape=False)
            self._in_memo = False
            self.memo()
        if not ctx["show_report"]:
            pass  # the memo cover alone
        elif ctx["kind"] == DocumentKind.ANALYSIS:
            self.section(landscape=False)
            self.title_block(data["title_lines"])
            if data["intro"]:
                self.intro()
                self.page_break()
            self.preamble()
            if ctx["analysis"]:
                self.analysis()
            else:
                self.paragraph(f"ยังไม่มีผลการประเมิน ITA ประจำปีงบประมาณ พ.ศ. {self.digits(data['fiscal_year'] - 1)}")
            self.signature()
        else:
            if ctx["show_analysis"]:
                self.section(landscape=False)
                self.title_block(ctx["analysis"]["title_lines"])
                self.analysis()
            self.section(landscape=True)
            if data["intro"]:
                self.title_block(data["title_lines"], cover=True)
                self.page_break()
                self.intro()
                self.page_break()
            else:
                self.title_block(data["title_lines"])
            self.preamble()
            self.report_table()
            self.signature()
        for root in (self.doc.element, self.doc.styles.element,
                     *(s.header._element for s in self.doc.sections),
                     *(s.footer._element for s in self.doc.sections)):
            for rpr in root.iter(qn("w:rPr")):
                _reorder(rpr)
        embed_sarabun(self.doc)  # the file carries its fonts (reports/exports/docx_fonts.py)
        core = self.doc.core_properties
        core.title = data["title"]
        core.author = data["organisation"]["name"]
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


# The order of w:rPr children the schema requires (Word refuses some files with another order).
RPR_ORDER = [qn(f"w:{tag}") for tag in (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
    "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
    "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
    "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath")]


def _reorder(rpr):
    children = list(rpr)
    ordered = sorted(children, key=lambda el: RPR_ORDER.index(el.tag) if el.tag in RPR_ORDER else len(RPR_ORDER))
    if ordered != children:
        for child in children:
            rpr.remove(child)
        for child in ordered:
            rpr.append(child)


def _rpr_of(run):
    rpr = OxmlElement("w:rPr")
    run.insert(0, rpr)
    return rpr


def _shade(cell, fill: str):
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)


def _fill(cell, lines, *, size=TABLE_PT):
    """One paragraph per line of the cell (a step's sub-item indented); the cell's first paragraph
    is reused so no empty paragraph is left in front."""
    paragraphs = cell.paragraphs
    for i, (text, sub) in enumerate(lines):
        paragraph = paragraphs[0] if i == 0 and not paragraphs[0].text else cell.add_paragraph()
        _spacing(paragraph, after=2, left_indent=Mm(5) if sub else None)
        _run(paragraph, text, size=size)


def docx_context(data: dict, options: RenderOptions) -> tuple[dict, dict]:
    """(the data as printed, what to print): the same decisions as reports.printing.rendering.document_context."""
    data = prepared(data, options)
    layout = chosen_layout(data, options)
    kind = data["kind"]
    analysis = data["analysis"]
    memo = data["memo"]
    return data, {
        "kind": kind,
        "layout": layout,
        "columns": layout_columns(data, layout),
        "sections": table_sections(data, layout) if layout else [],
        "show_memo": options.memo_only or (memo["saved"] if options.memo is None else bool(options.memo)),
        "show_report": not options.memo_only,
        "memo": memo,
        "show_analysis": kind == DocumentKind.ANALYSIS or (
            kind == DocumentKind.MEASURES and options.analysis and analysis is not None),
        "analysis": analysis,
        "analysis_tables": analysis_tables(data),
        "watermark": WATERMARK if data["is_draft"] else "",
    }


def render_document_docx(data: dict, options: RenderOptions = RenderOptions()) -> bytes:
    """The DOCX of a document's data (a build_document_data dict or a frozen snapshot of it)."""
    printed, context = docx_context(data, options)
    return Writer(printed, context).build()


def docx_filename(pdf_name: str) -> str:
    """The PDF's file name with the .docx suffix."""
    return pdf_name.removesuffix(".pdf") + ".docx"
