"""Reading what a PDF shows, and the documents of the PDF typography tests.

Text is compared after NFKC with all whitespace removed (Thai lines wrap without spaces; NFKC turns
ำ into ํ + า as the glyphs say). A table row may break across pages, and then the extracted text of a
page interleaves the parts of its cells; so a column is read on its own: ``pdftotext -raw`` cropped to
that column's x-range (reports.printing.rendering.column_edges) on every landscape page. pdftotext comes from
Debian's poppler-utils (`make test` installs it); pages are read with pypdf.

The typography tests (word breaks in Thai table cells, page breaks) print documents with long Thai
texts (``thai_document``) and read them line by line (``page_lines``, ``column_lines``).
"""
from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from datetime import date

import pypdf

from core.thai import to_thai_digits
from ita.models import Tool
from measures.models import Measure, MeasureStep
from orgs.models import Division
from reports.documents.data import build_document_data
from reports.models import Document, DocumentStatus, ProgressEntry
from reports.printing.rendering import RenderOptions, column_edges, document_context
from reports.printing.thai_words import segment

LANDSCAPE = (842, 595)


# --- reading PDFs ---------------------------------------------------------------------------------

def norm(text) -> str:
    """NFKC, all whitespace and <p> tags removed (a list of paragraphs is joined first)."""
    if isinstance(text, (list, tuple)):
        text = "".join(text)
    return re.sub(r"\s+|</?p>", "", unicodedata.normalize("NFKC", text or ""))


def norm_plain(text) -> str:
    """NFKC and all whitespace removed, tags kept (the typography checks)."""
    if isinstance(text, (list, tuple)):
        text = "".join(text)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def page_sizes(pdf: bytes) -> list[tuple[int, int]]:
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader(pdf).pages]


def font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in reader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]).split("+", 1)[-1])
    return names


def pdftotext(pdf: bytes, *args) -> str:
    return subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def printed_widths(document, **options) -> list[str]:
    """The table's column widths as the PDF prints them (they widen to fit headings and division names)."""
    document = Document.objects.select_related("organisation").get(pk=document.pk)
    return [c["width"] for c in document_context(build_document_data(document), RenderOptions(**options))["columns"]]


def column_text(pdf: bytes, keys: list[str], index: int, heading: str, widths=None) -> str:
    """The normalised text of table column ``index`` over all landscape pages, its heading removed
    (``widths``: the printed widths, ``printed_widths``; by default the plain column weights)."""
    left, right = column_edges(keys, widths)[index]
    out = []
    for number, (width, height) in enumerate(page_sizes(pdf), start=1):
        if (width, height) != LANDSCAPE:
            continue
        text = norm(pdftotext(
            pdf, "-raw", "-f", str(number), "-l", str(number), "-x", str(int(left) + 1), "-y", "30",
            "-W", str(int(right - left) - 2), "-H", str(height - 30 - 45)))
        out.append(text.replace(norm(heading), "", 1) if norm(heading) else text)
    return "".join(out)


def assert_in_order(haystack: str, needles, what=""):
    position = 0
    for needle in needles:
        needle = norm(needle)
        if not needle:
            continue
        found = haystack.find(needle, position)
        assert found >= 0, f"{what}: not found (in order) after position {position}: {needle[:80]}"
        position = found + len(needle)


# --- documents with long Thai texts (the typography tests) ----------------------------------------

TOOLS = (("IIT", "แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน"), ("EIT", "แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก"),
         ("OIT", "แบบตรวจการเปิดเผยข้อมูลสาธารณะ"))
DIVISIONS = ("สำนักปลัด", "กองคลัง", "กองช่าง", "กองสาธารณสุขและสิ่งแวดล้อม")
# Words libthai splits inside (จัด|ทำ, ผู้|บริหาร, รับ|ผิดชอบ, กอง|งาน …) and a mai yamok after a space.
SENTENCES = (
    "ผู้บริหารมอบหมายให้กองงานที่รับผิดชอบจัดทำรายงานการประเมินความเสี่ยงการทุจริตแล้วรายงานให้ผู้บริหารทราบ",
    "จัดประชุมชี้แจงบุคลากรภายในหน่วยงานให้มีส่วนร่วมในการจัดทำแผนการดำเนินงานและแผนการใช้จ่ายงบประมาณ",
    "ประชาสัมพันธ์ให้บุคลากรภายในทราบถึงขั้นตอนและระยะเวลาในการดำเนินการผ่านช่องทางออนไลน์และบอร์ดประชาสัมพันธ์",
    "เผยแพร่กระบวนการจัดซื้อจัดจ้างให้ครบตามองค์ประกอบโดยเปิดเผยข้อมูลการจัดหาพัสดุรายเดือนบนเว็บไซต์ของหน่วยงาน",
    "ประชาชนในพื้นที่มีการรับรู้ข้อมูลต่าง ๆ ในการมาติดต่อขอรับบริการ รวมทั้งมีความพึงพอใจในการให้บริการของหน่วยงาน",
    "ทบทวนขั้นตอนและระยะเวลาที่ใช้ในการให้บริการแต่ละขั้นตอนไว้ในคู่มือหรือมาตรฐานการปฏิบัติงานให้เป็นปัจจุบัน",
)


def sentences(i: int, count: int) -> str:
    return " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(count))


def add_divisions(org) -> list[Division]:
    return [Division.objects.get_or_create(organisation=org, name=name, defaults={"order": i})[0]
            for i, name in enumerate(DIVISIONS, start=1)]


def thai_measures(org, count: int, fiscal_year: int = 2570, *, long: int = 1) -> list[Measure]:
    """``count`` measures with long Thai texts (``long`` sentences per step), two or three
    divisions each, grouped three by three, each of one tool (IIT, EIT, OIT in turn)."""
    divisions = add_divisions(org)
    tools = [Tool.objects.get_or_create(code=code, defaults={"name": name, "order": i})[0]
             for i, (code, name) in enumerate(TOOLS, start=1)]
    measures = []
    for i in range(1, count + 1):
        n = to_thai_digits(i)
        measure = Measure.objects.create(
            organisation=org, fiscal_year=fiscal_year, order=i,
            group_heading=f"มาตรการส่งเสริมความโปร่งใสกลุ่มที่ {to_thai_digits((i - 1) // 3 + 1)}",
            title=f"มาตรการที่ {n} {SENTENCES[i % len(SENTENCES)]}",
            guideline=f"แนวทางที่ {n}.๑ {SENTENCES[(i + 1) % len(SENTENCES)]}",
            weakness=f"จุดอ่อนที่ {n} {SENTENCES[(i + 2) % len(SENTENCES)]}",
            monitoring=f"เจ้าหน้าที่ผู้รับผิดชอบรายงานผลต่อผู้บริหารทุก ๖ เดือน (มาตรการที่ {n})",
            start_month=date(fiscal_year - 544, 10, 1), end_month=date(fiscal_year - 543, 3, 1))
        measure.divisions.add(divisions[(i - 1) % 4], divisions[i % 4], *divisions[2:3] * (i % 3 == 0))
        measure.tools.add(tools[(i - 1) % 3])
        for s in range(1, 3):
            step = MeasureStep.objects.create(measure=measure, order=s, text=sentences(i + s, long))
            if s == 1:
                MeasureStep.objects.create(measure=measure, parent=step, order=1, text=sentences(i + 3, 1))
        measures.append(measure)
    return measures


def thai_document(org, count: int, *, kind: str = "progress", layout: str = "A", long: int = 1,
                  fiscal_year: int = 2570) -> Document:
    """An approved document (no watermark) over ``count`` new measures; a progress report has an
    entry with long Thai output and outcome for each."""
    measures = thai_measures(org, count, fiscal_year, long=long)
    document = Document.objects.create(
        organisation=org, fiscal_year=fiscal_year, kind=kind, round=12 if kind == "progress" else 0,
        layout=layout, status=DocumentStatus.APPROVED, preamble=SENTENCES[0],
        signer_name="นางสาวสมหญิง ใจดี", signer_position="นักวิเคราะห์นโยบายและแผน")
    if kind == "progress":
        for measure in measures:
            ProgressEntry.objects.create(
                document=document, measure=measure, status="done",
                output=f"{sentences(measure.order + 2, long)} เมื่อวันที่ ๑๑ กุมภาพันธ์ ๒๕๖๘",
                outcome=sentences(measure.order + 4, 1))
    return document


# --- reading lines (the typography tests) --------------------------------------------------------

def page_streams(pdf: bytes) -> list[tuple]:
    """Each page's size and decoded content stream: what is drawn, glyph by glyph."""
    return [(tuple(page.mediabox), page.get_contents().get_data()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def page_lines(pdf: bytes) -> list[list[str]]:
    """Each page's non-empty lines (``pdftotext -raw``), the page-number footer left out."""
    pages = []
    for number in range(1, len(page_sizes(pdf)) + 1):
        text = pdftotext(pdf, "-raw", "-f", str(number), "-l", str(number))
        pages.append([line.strip() for line in text.splitlines()
                      if line.strip() and not re.fullmatch(r"หน้า \S+ จาก \S+|- \S+ -", line.strip())])
    return pages


def column_lines(pdf: bytes, keys, widths, index: int) -> list[list[str]]:
    """The lines of table column ``index`` on each landscape page (``pdftotext -raw`` cropped to
    the column's x-range as printed, the page's top and bottom margins left out)."""
    left, right = column_edges(keys, widths)[index]
    pages = []
    for number, (width, height) in enumerate(page_sizes(pdf), start=1):
        if (width, height) != LANDSCAPE:
            continue
        text = pdftotext(pdf, "-raw", "-f", str(number), "-l", str(number), "-x", str(int(left) + 1),
                         "-y", "30", "-W", str(int(right - left) - 2), "-H", str(height - 30 - 45))
        pages.append([line for line in text.splitlines() if norm_plain(line)])
    return pages


THAI = re.compile("[\u0e01-\u0e5b]")


def word_offsets(text: str) -> set[int]:
    """Where a line may end inside ``text`` (offsets in the normalised text): between two of
    pythainlp's words, or inside a word with no Thai in it (a URL, "E-Service": Latin rules)."""
    offsets, position = {0}, 0
    for token in segment(text):
        length = len(norm_plain(token))
        if not THAI.search(token):
            offsets.update(range(position, position + length))
        position += length
        offsets.add(position)
    return offsets


def _breaks(lines) -> list[int]:
    ends, position = [], 0
    for line in lines:
        position += len(norm_plain(line))
        ends.append(position)
    return ends


def column_break_problems(pages: list[list[str]], heading: str, paragraphs) -> tuple[list[str], int]:
    """(line ends inside a word, number of line ends checked) in one column: its heading, repeated
    on each page, and its paragraphs (one per printed paragraph, in order)."""
    problems, checked = [], 0
    head = norm_plain(heading)
    body = []
    for lines in pages:
        lines = [line for line in lines if norm_plain(line)]
        taken, k = "", 0
        while k < len(lines) and taken != head and head.startswith(taken + norm_plain(lines[k])):
            taken += norm_plain(lines[k])
            k += 1
        if head and taken == head:
            allowed = word_offsets(heading)
            for end in _breaks(lines[:k])[:-1]:
                checked += 1
                if end not in allowed:
                    problems.append(f"heading {heading!r} broken as {[norm_plain(x) for x in lines[:k]]}")
            lines = lines[k:]
        body.extend(lines)
    text = "".join(norm_plain(line) for line in body)
    ends = _breaks(body)
    cursor = 0
    for paragraph in paragraphs:
        wanted = norm_plain(paragraph)
        if not wanted:
            continue
        at = text.find(wanted, cursor)
        if at < 0:
            problems.append(f"not printed whole, in order: {wanted[:60]}")
            continue
        allowed = {at + offset for offset in word_offsets(paragraph)}
        for end in ends:
            if at < end < at + len(wanted):
                checked += 1
                if end not in allowed:
                    problems.append(f"line ends inside a word: …{text[max(at, end - 12):end]}|{text[end:end + 12]}…")
        cursor = at + len(wanted)
    return problems, checked
