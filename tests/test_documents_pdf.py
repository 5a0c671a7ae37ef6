"""Documents as PDF: the data dict, every layout, digits, pages, fonts, memo cover, watermark, the three
seed documents rebuilt from the demo data.

How the text is checked. Extracted text is compared after NFKC and with all whitespace removed (Thai
lines wrap without spaces; NFKC turns ำ into ํ + า as the glyphs say). A table row may break across
pages, and then the extracted text of a page interleaves the parts of its cells; so a column is read on
its own: ``pdftotext -raw`` cropped to that column's x-range (reports.printing.rendering.column_edges) on every
landscape page, the repeated heading taken out, the pages joined. Each cell's text must then appear in
that column, whole and in order. pdftotext comes from Debian's poppler-utils (`make test` installs it).
"""
from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest

from core.thai import to_thai_digits
from measures import cells
from measures.layouts import layout_columns
from measures.models import Measure
from orgs.models import Division
from reports.documents.data import build_document_data
from reports.models import Document, DocumentStatus, Memo
from reports.pdf import render_pdf
from reports.printing.rendering import (
    RenderOptions,
    content_disposition,
    document_context,
    pdf_filename,
    render_document_pdf,
    sarabun_safe,
)

from .factories import OrganisationFactory
from .helpers.builders import GROUPS, TOOL_NAMES, URL_TEXT, make_report, make_result_and_year
from .helpers.pdf import (
    LANDSCAPE,
    assert_in_order,
    column_text,
    font_names,
    norm,
    page_sizes,
    page_texts,
    printed_widths,
    reader,
)
from .helpers.seeds import SEEDS, progress_document, seed_table
from .helpers.pdf import page_streams

pytestmark = pytest.mark.django_db

PORTRAIT = (595, 842)
ARABIC = re.compile(r"[0-9]")
THAI_DIGIT = re.compile(r"[๐-๙]")
URL = re.compile(r"https?://\S+")
LATIN_TOKEN = re.compile(r"\b[A-Za-z][A-Za-z0-9]*\b")
PARAGRAPH = "ตามที่เทศบาลได้เข้าร่วมการประเมินคุณธรรมและความโปร่งใส นั้น"


# --- reading PDFs ---------------------------------------------------------------------------------

def body_digits_outside_urls_and_latin(text: str) -> list[str]:
    """Arabic digits that are neither in a URL nor in a Latin token (O17, ITA2025 …)."""
    text = LATIN_TOKEN.sub(" ", URL.sub(" ", text))
    return ARABIC.findall(text)


@pytest.fixture
def org(db):
    org = OrganisationFactory(name="เทศบาลตำบลทดสอบ", district="เมือง", province="ขอนแก่น", slug="test-org")
    Division.objects.create(organisation=org, name="สำนักปลัด", order=1)
    Division.objects.create(organisation=org, name="กองคลัง", order=2)
    return org


# --- the data -----------------------------------------------------------------------------------------

def test_data_is_plain_json_with_everything_the_document_shows(org):
    document = make_report(org, 3, layout="A")
    Memo.objects.create(document=document, department="สำนักปลัด", subject="เรื่องทดสอบ", addressee="นายก",
                        body="เรื่องเดิม\n\n" + PARAGRAPH, date=date(2025, 1, 14))
    data = build_document_data(Document.objects.get(pk=document.pk))
    assert json.loads(json.dumps(data)) == data
    assert data["organisation"]["place"] == "อำเภอเมือง จังหวัดขอนแก่น"
    assert data["title_lines"][-2:] == ["ประจำปีงบประมาณ พ.ศ. ๒๕๖๘ รอบ ๖ เดือน", "(เดือนตุลาคม ๒๕๖๗ - มีนาคม ๒๕๖๘)"]
    assert data["round_months"] == "เดือนตุลาคม ๒๕๖๗ - มีนาคม ๒๕๖๘"
    assert [c["heading"] for c in data["columns"]["A"]] == [h for _, h in layout_columns("A")]
    first = data["measures"][0]
    assert first["group"] == GROUPS[0] and first["tools"] == ["IIT"]
    assert first["steps"][:3] == [
        "๑. " + Measure.objects.get(pk=first["id"]).top_steps()[0].text,
        "(๑) ข้อย่อยที่ ๑ ของขั้นตอนแรก มาตรการที่ ๑ จัดทำสื่อประชาสัมพันธ์ในรูปแบบอินโฟกราฟิก",
        "(๒) ข้อย่อยที่ ๒ ของขั้นตอนแรก มาตรการที่ ๑ จัดทำสื่อประชาสัมพันธ์ในรูปแบบอินโฟกราฟิก",
    ]
    assert first["step_levels"] == [1, 2, 2, 1, 1]
    assert first["timeline"] == "ต.ค. ๖๗ – มี.ค. ๖๘"  # the document's month style (abbr)
    assert first["responsible"] == ["สำนักปลัด กองคลัง"]
    assert first["output"][0].startswith("ดำเนินการประชุมชี้แจงแล้ว") and first["has_entry"]
    assert data["memo"]["saved"] and data["memo"]["date"] == "๑๔ มกราคม ๒๕๖๘"
    assert data["memo"]["body"] == [{"text": "เรื่องเดิม", "heading": True}, {"text": PARAGRAPH, "heading": False}]
    assert data["signer"] == {"name": "นางสาวสมหญิง ใจดี", "position": "นักวิเคราะห์นโยบายและแผน", "role": "ผู้รายงาน"}
    assert data["is_draft"] and data["layout"] == "A" and data["analysis"] is None


@pytest.mark.parametrize("kind", ["progress", "measures"])
def test_data_takes_a_fixed_number_of_queries(org, kind, django_assert_max_num_queries):
    make_result_and_year(org, year=2567)
    small = make_report(org, 3, kind=kind, fiscal_year=2568)
    other = OrganisationFactory()
    make_result_and_year(other, year=2567)
    big = make_report(other, 40, kind=kind, fiscal_year=2568)
    counts = []
    for document in (small, big):
        document = Document.objects.select_related("organisation").get(pk=document.pk)
        with django_assert_max_num_queries(16) as captured:
            build_document_data(document)
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_layout_a_column_overrides_and_month_style(org):
    document = make_report(org, 2, layout="A")
    document.columns = [{"key": "measure", "heading": "มาตรการ/กิจกรรม"}, "steps", {"key": "timeline", "heading": "ระยะเวลา"}]
    document.month_style = "full"
    document.save()
    data = build_document_data(document)
    assert data["columns"]["A"] == [
        {"key": "measure", "heading": "มาตรการ/กิจกรรม"},
        {"key": "steps", "heading": "ขั้นตอน/วิธีการปฏิบัติ"},
        {"key": "timeline", "heading": "ระยะเวลา"},
    ]
    assert data["columns"]["C"][0] == {"key": "number", "heading": "ลำดับที่"}  # other layouts keep theirs
    assert data["measures"][0]["timeline"] == "ตุลาคม ๒๕๖๗ ถึง มีนาคม ๒๕๖๘"


# --- every layout -------------------------------------------------------------------------------------

# column key -> what the column must show for each measure (from the models, through measures.cells)
EXPECTED = {
    "measure": lambda m, e: cells.measure_cell(m),
    "title": lambda m, e: cells.title_cell(m),
    "guideline": lambda m, e: cells.guideline_cell(m),
    "steps": lambda m, e: cells.steps_cell(m),
    "steps_due": lambda m, e: cells.steps_due_cell(m, "abbr"),
    "method": lambda m, e: cells.method_cell(m),
    "weakness": lambda m, e: cells.weakness_cell(m),
    "responsible": lambda m, e: [cells.responsible_cell(m)],
    "timeline": lambda m, e: [cells.timeline_cell(m, style="abbr")],
    "monitoring": lambda m, e: cells.monitoring_cell(m),
    "output": lambda m, e: cells.output_cell(e),
    "outcome": lambda m, e: cells.outcome_cell(e),
    "action": lambda m, e: cells.output_cell(e) + [f"ผลลัพธ์: {line}" for line in cells.outcome_cell(e)],
}


def rendered_pdf(document, **options):
    document = Document.objects.select_related("organisation").get(pk=document.pk)
    return render_document_pdf(build_document_data(document), RenderOptions(**options))


@pytest.mark.parametrize("layout", ["A", "B", "C", "D", "E", "F"])
def test_each_layout_prints_its_headings_and_every_measure_and_step_in_order(org, layout):
    kind = "measures" if layout in "DEF" else "progress"
    document = make_report(org, 5, layout=layout, kind=kind, status=DocumentStatus.APPROVED)
    pdf = rendered_pdf(document)
    text = norm(page_texts(pdf))
    headings = layout_columns(layout)
    for _, heading in headings:
        assert norm(heading) in text, heading
    measures = list(Measure.objects.with_details().filter(organisation=org).order_by("order"))
    if layout == "B":  # one section per tool: IIT, EIT, OIT
        measures.sort(key=lambda m: ("IIT", "EIT", "OIT").index(m.tools.all()[0].code))
    entries = {e.measure_id: e for e in document.entries.all()}
    keys = [key for key, _ in headings]
    for index, (key, heading) in enumerate(headings):
        if key not in EXPECTED:
            continue
        column = column_text(pdf, keys, index, heading, printed_widths(document))
        expected = [line for m in measures for line in EXPECTED[key](m, entries.get(m.pk))]
        assert_in_order(column, expected, f"layout {layout}, column {heading}")
    if layout == "B":
        assert_in_order(text, ["๑.ด้านIIT", "๒.ด้านEIT", "๓.ด้านOIT"], "tool sections")
    if layout in ("C", "F"):
        assert_in_order(column_text(pdf, keys, 0, "ลำดับที่", printed_widths(document)),
                        [to_thai_digits(i) for i in range(1, 6)], "numbers")
    if layout in ("A", "C", "D", "E", "F"):
        assert_in_order(text, [GROUPS[0], GROUPS[1]], "group headings")
    # pages: landscape tables, Sarabun only
    assert set(page_sizes(pdf)) == {LANDSCAPE}
    assert font_names(pdf) <= {"Sarabun", "Sarabun-Bold"} and "Sarabun" in font_names(pdf)
    assert "ลงชื่อ" in text and norm("(นางสาวสมหญิง ใจดี)") in text


@pytest.mark.parametrize("layout", ["A", "B", "C", "D", "E", "F"])
def test_thai_digits_everywhere_except_urls_and_latin_tokens(org, layout):
    kind = "measures" if layout in "DEF" else "progress"
    pdf = rendered_pdf(make_report(org, 3, layout=layout, kind=kind))
    texts = page_texts(pdf)
    whole = "\n".join(texts)
    assert THAI_DIGIT.search(whole)
    assert "หน้า ๑ จาก" in texts[0]
    assert body_digits_outside_urls_and_latin(whole) == []
    assert URL_TEXT in whole  # typed URLs keep their digits and letters


def test_arabic_digits_switch(org):
    document = make_report(org, 3, layout="C")
    switched_for_this_pdf = rendered_pdf(document, arabic_digits=True)
    Document.objects.filter(pk=document.pk).update(arabic_digits=True)
    for pdf in (switched_for_this_pdf, rendered_pdf(document)):
        whole = "\n".join(page_texts(pdf))
        assert not THAI_DIGIT.search(whole), THAI_DIGIT.findall(whole)[:5]
        assert "หน้า 1 จาก" in whole
        assert norm("(เดือนตุลาคม 2567 - มีนาคม 2568)") in norm(whole)
        assert norm("1. ขั้นตอนที่ 1 ของมาตรการที่ 1") in norm(whole)


def test_layout_override_and_organisation_default(org):
    org.default_layout = "B"
    org.save()
    document = make_report(org, 3, layout="")
    assert build_document_data(document)["layout"] == "B"
    text = norm(page_texts(rendered_pdf(document, layout="C")))
    assert norm("ผลการดำเนินการ (output)") in text and norm("๑.ด้าน IIT") not in text


# --- the analysis ------------------------------------------------------------------------------------

def test_analysis_document(org):
    make_result_and_year(org, year=2565, total="91.93")
    document = Document.objects.create(organisation=org, fiscal_year=2566, kind="analysis", status="approved")
    data = build_document_data(document)
    analysis = data["analysis"]
    assert analysis["level"] == "A" and analysis["total"] == "๙๑.๙๓"
    assert [s["score"] for s in analysis["strengths"]] == sorted((s["score"] for s in analysis["strengths"]), reverse=True)
    pdf = render_document_pdf(data)
    text = norm(page_texts(pdf))
    assert norm("พบว่ามีผลคะแนน ๙๑.๙๓ คะแนน ระดับผลการประเมิน A") in text
    # strengths: indicator and score, high to low (threshold 85.00)
    assert_in_order(text, ["จุดแข็ง", "ตัวชี้วัดที่ ๑ การปฏิบัติหน้าที่", "๙๕.๘๐", "ตัวชี้วัดที่ ๔ การใช้ทรัพย์สินของราชการ",
                           "๙๕.๒๐", "ตัวชี้วัดที่ ๓ การใช้อำนาจ", "๙๔.๖๐"], "strengths")
    # weaknesses: the lowest first, then OIT items scored 0
    assert_in_order(text, ["จุดอ่อน", "ตัวชี้วัดที่ ๖ คุณภาพการดำเนินงาน", "๗๘.๘๔", "ตัวชี้วัดที่ ๘ การปรับปรุงการทำงาน",
                           "ตัวชี้วัดที่ ๗ ประสิทธิภาพการสื่อสาร", "O๑๗ E-Service", "๐.๐๐"], "weaknesses")
    # the 10 indicators grouped by tool with the issues per tool, then one table per tool
    assert_in_order(text, [TOOL_NAMES["IIT"], "๑. การปฏิบัติหน้าที่", "ประเด็นที่ต้องแก้ไขของเครื่องมือ IIT",
                           TOOL_NAMES["EIT"], "๖. คุณภาพการดำเนินงาน", TOOL_NAMES["OIT"], "๑๐. การป้องกันการทุจริต"],
                    "indicators by tool")
    for number in range(1, 11):
        assert norm(f"ประเด็นการประเมินของตัวชี้วัดที่ {to_thai_digits(number)}") in text
        assert norm(f"ประเด็นที่ควรพัฒนาของตัวชี้วัดที่ {to_thai_digits(number)}") in text
    # one table per tool (a table that goes on over a page break repeats its header row: the last
    # row goes over with the signature, which never stands alone on a page)
    assert text.count(norm("ตัวชี้วัดประเด็นการประเมินประเด็นที่ควรพัฒนา")) >= 3
    assert norm("๔.๑") in text and norm("๔.๓") in text
    assert set(page_sizes(pdf)) == {PORTRAIT}
    assert body_digits_outside_urls_and_latin("\n".join(page_texts(pdf))) == []


def test_measures_plan_is_preceded_by_the_analysis(org):
    make_result_and_year(org, year=2567)
    document = make_report(org, 3, kind="measures", fiscal_year=2568)
    with_analysis = rendered_pdf(document)
    texts = [norm(t) for t in page_texts(with_analysis)]
    sizes = page_sizes(with_analysis)
    assert sizes[0] == PORTRAIT and sizes[-1] == LANDSCAPE
    first_table = next(i for i, t in enumerate(texts) if norm("แนวทางการปฏิบัติ") in t)
    assert norm("พบว่ามีผลคะแนน") in "".join(texts[:first_table])
    without = rendered_pdf(document, analysis=False)
    assert norm("พบว่ามีผลคะแนน") not in norm(page_texts(without))
    assert set(page_sizes(without)) == {LANDSCAPE}


# --- pages, memo, watermark -----------------------------------------------------------------------------

def test_long_report_repeats_the_header_row_and_numbers_pages(org):
    document = make_report(org, 40, layout="A", status=DocumentStatus.PUBLISHED)
    pdf = rendered_pdf(document)
    texts = [norm(t) for t in page_texts(pdf)]
    total = len(texts)
    assert total >= 10
    header = norm("".join(h for _, h in layout_columns("A")))
    for number, text in enumerate(texts, start=1):
        assert norm(f"หน้า {to_thai_digits(number)} จาก {to_thai_digits(total)}") in text
        assert header in text, f"page {number} has no header row"
    assert "หน้า๒จาก" in texts[1]
    assert "ฉบับร่าง" not in "".join(texts)  # published: no watermark


def long_memo(document):
    paragraphs = "\n\n".join(
        f"ย่อหน้าที่ {to_thai_digits(i)} ตามที่หน่วยงานได้ดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายใน"
        "หน่วยงาน ประจำปีงบประมาณ พ.ศ. ๒๕๖๘ ได้จัดประชุมชี้แจงบุคลากร จัดทำสื่อประชาสัมพันธ์ และเผยแพร่ข้อมูล"
        "ผ่านเว็บไซต์ของหน่วยงานอย่างต่อเนื่อง" for i in range(1, 16))
    return Memo.objects.create(
        document=document, department="งานประชาสัมพันธ์ สำนักปลัดเทศบาล", reference="ขก ๕๓๑๐๑/๔๑",
        date=date(2025, 1, 14), subject="รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใส",
        addressee="นายกเทศมนตรีตำบลทดสอบ", body=f"เรื่องเดิม\n\n{paragraphs}\n\nข้อพิจารณา\n\nจึงขอรายงาน",
        signer_name="นางสาวนัทธมน ชำปฏี", signer_position="ผู้ช่วยนักประชาสัมพันธ์",
    )


def test_memo_cover_is_portrait_numbered_from_page_two_and_report_counts_its_own_pages(org):
    document = make_report(org, 2, layout="A")
    long_memo(document)
    pdf = rendered_pdf(document, memo=True)
    texts = page_texts(pdf)
    sizes = page_sizes(pdf)
    memo_pages = [i for i, size in enumerate(sizes) if size == PORTRAIT]
    assert memo_pages[0] == 0 and len(memo_pages) >= 2 and sizes[len(memo_pages)] == LANDSCAPE
    first, second = norm(texts[0]), norm(texts[1])
    assert first.startswith(norm("ฉบับร่าง")) or "บันทึกข้อความ" in first
    assert "บันทึกข้อความ" in first and "-๑-" not in first  # no number on the memo's first page
    assert "-๒-" in second
    for label in ("ส่วนราชการ", "ที่", "วันที่", "เรื่อง", "เรียน"):
        assert norm(label) in first
    assert norm("ขก ๕๓๑๐๑/๔๑") in first and norm("๑๔ มกราคม ๒๕๖๘") in first
    memo_text = norm(texts[: len(memo_pages)])
    assert_in_order(memo_text, ["เรื่องเดิม", "ย่อหน้าที่ ๑ ", "ย่อหน้าที่ ๑๕", "ข้อพิจารณา", "จึงเรียนมาเพื่อโปรดพิจารณา",
                                "(นางสาวนัทธมน ชำปฏี)", "ผู้ช่วยนักประชาสัมพันธ์"], "memo")
    report_pages = len(sizes) - len(memo_pages)
    assert norm(f"หน้า ๑ จาก {to_thai_digits(report_pages)}") in norm(texts[len(memo_pages)])
    assert not re.search("หน้า[๐-๙]+จาก", first)  # the memo has no "หน้า … จาก …" footer
    # without the option, no memo
    assert set(page_sizes(rendered_pdf(document, memo=False))) == {LANDSCAPE}


def test_memo_defaults_from_the_document_when_none_is_saved(org):
    document = make_report(org, 1, layout="A")
    pdf = rendered_pdf(document, memo=True, arabic_digits=True)
    first = norm(page_texts(pdf)[0])
    assert norm("นายกเทศมนตรีตำบลทดสอบ") in first
    assert norm("รอบ 6 เดือน") in first and "-2-" not in first


def test_memo_emblem_is_read_through_the_storage(org, settings, tmp_path):
    from django.core.files.base import ContentFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (60, 60), "navy").save(buffer, "PNG")
    org.emblem.save("garuda.png", ContentFile(buffer.getvalue()))
    document = make_report(org, 1)
    pdf = rendered_pdf(document, memo=True)
    first = reader(pdf).pages[0]
    assert len(first["/Resources"].get("/XObject", {})) == 1


def test_drafts_carry_the_watermark_on_every_page(org):
    document = make_report(org, 6, layout="B", status=DocumentStatus.SUBMITTED)
    texts = page_texts(rendered_pdf(document, memo=True))
    assert len(texts) >= 3 and all("ฉบับร่าง" in t for t in texts)
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.APPROVED)
    assert not any("ฉบับร่าง" in t for t in page_texts(rendered_pdf(document)))


def test_data_with_emoji_renders(org):
    document = make_report(org, 2, emoji=True)
    Document.objects.filter(pk=document.pk).update(preamble="ข้อความ 🙏 ทดสอบ ☃ หิมะ")
    pdf = rendered_pdf(document)  # would raise UnexpectedFontError with the emoji left in
    text = norm(page_texts(pdf))
    assert norm("ส่งเสริมการเปิดเผยข้อมูลและการมีส่วนร่วมของประชาชนในการตรวจสอบการดำเนินงาน") in text
    assert "😀" not in text and "✅" not in text
    assert norm("ข้อความ ทดสอบ หิมะ") in text
    assert font_names(pdf) <= {"Sarabun", "Sarabun-Bold"}


def test_sarabun_safe_keeps_thai_and_punctuation():
    assert sarabun_safe("น้ำ ทำ “ITA” – ๒๕๖๘ 😀 ok") == "น้ำ ทำ “ITA” – ๒๕๖๘ ok"
    assert sarabun_safe("ค่า\u00a0๑๐๐ Ｏ１７") == "ค่า\u00a0๑๐๐ O17"  # full-width letters fold to ASCII
    assert sarabun_safe("a\nb\tc") == "a\nb\tc"


def test_sarabun_safe_fast_path_ranges_are_in_the_font():
    from reports.printing.rendering import SAFE_RANGES, sarabun_codepoints

    ranges = re.findall(r"(.)-(.)", SAFE_RANGES, re.S)
    assert ranges and all(c in sarabun_codepoints() for lo, hi in ranges for c in range(ord(lo), ord(hi) + 1))


def test_render_pdf_joins_parts_with_their_own_page_counters():
    css = "<style>@page { @bottom-center { content: counter(page) '/' counter(pages) } }</style>"
    pdf = render_pdf([css + "<p>หนึ่ง</p>" * 60, css + "<p>สอง</p>"])
    texts = page_texts(pdf)
    assert len(texts) >= 3
    assert texts[-1].strip().endswith("1/1") and "1/" in texts[0]


def test_context_is_a_pure_function_of_the_data(org, django_assert_num_queries):
    data = build_document_data(make_report(org, 2, layout="B"))
    with django_assert_num_queries(0):
        context = document_context(data, RenderOptions(layout="C", arabic_digits=True))
    assert context["layout"] == "C" and context["counter_style"] == "decimal"
    assert context["sections"][0]["rows"][1]["cells"][0]["lines"][0]["text"] == "1"


def test_thai_file_name():
    data = {"kind": "progress", "kind_label": "รายงานผลการดำเนินการ", "round": 6, "fiscal_year": 2566,
            "revision": 1, "organisation": {"name": "องค์การบริหารส่วนตำบลด่านช้าง", "slug": "danchang"}}
    assert pdf_filename(data) == "รายงานผลการดำเนินการ_รอบ_6_เดือน_2566_องค์การบริหารส่วนตำบลด่านช้าง.pdf"
    header = content_disposition(data)
    assert header.startswith('inline; filename="ita-progress-2566-r6-danchang.pdf"; filename*=UTF-8\'\'%E0%B8')
    assert header.isascii()


# --- the three seed documents, rebuilt from the demo data ---------------------------------------------

@pytest.mark.parametrize("key", ["000", "002", "004"])
def test_seed_documents_render_with_their_own_headings_and_cells(catalogue, key):
    from demo.loader import load_organisation, read_data

    seed = SEEDS[key]
    load_organisation(read_data(seed.slug))
    document = progress_document(seed)
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.APPROVED)  # no watermark in the crops
    data = build_document_data(Document.objects.select_related("organisation").get(pk=document.pk))
    pdf = render_document_pdf(data)
    text = norm(page_texts(pdf))
    table = seed_table(seed)
    layout = data["layout"]
    keys = [c["key"] for c in data["columns"][layout]]
    assert [norm(c["heading"]) for c in data["columns"][layout]] == [norm(h) for h in table.headings]
    for heading in table.headings:
        assert norm(heading) in text
    for index, heading in enumerate(table.headings):
        column = column_text(pdf, keys, index, heading, printed_widths(document))
        assert_in_order(column, [row.cells[index] for row in table.rows], f"seed {key}, column {heading}")
    assert_in_order(text, data["title_lines"] + [data["organisation"]["name"], data["organisation"]["place"]], "title")
    assert_in_order(text, data["preamble"], "preamble")
    if seed.layout == "B":
        assert_in_order(text, ["๑.ด้านIIT", "๒.ด้านEIT", "๓.ด้านOIT"], "sections")
    if key == "004":
        memo_pdf = render_document_pdf(data, RenderOptions(memo=True))
        memo_text = norm(page_texts(memo_pdf)[0])
        memo = document.memo
        for value in (memo.department, memo.reference, "๑๔ มกราคม ๒๕๖๘", memo.subject, memo.addressee,
                      memo.closing, f"({memo.signer_name})", memo.signer_position):
            assert norm(value) in memo_text, value
    if key == "000":
        assert norm("คำนำ") in text and norm(data["intro"][0][:200]) in text
        assert norm("(นางสาว ทิพวรรณ นามวงษ์)") in text and norm("ผู้จัดทำ") in text


# --- the faster layout paths (reports.pdf.speedups) draw exactly what WeasyPrint draws ----------------

def speedup_documents(org):
    """Every document kind and layout, a draft with memo and watermark, rows split across pages."""
    make_result_and_year(org, year=2567)
    documents = [(make_report(org, 12, layout="A", status=DocumentStatus.APPROVED, fiscal_year=2569), {})]
    for year, layout in enumerate("BCD", start=2570):
        documents.append((make_report(org, 4, layout=layout, fiscal_year=year), {"layout": layout}))
    draft = make_report(org, 3, layout="A", status=DocumentStatus.SUBMITTED, emoji=True, fiscal_year=2573)
    long_memo(draft)
    documents.append((draft, {"memo": True}))
    documents.append((make_report(org, 3, kind="measures", fiscal_year=2568), {}))
    analysis = Document.objects.create(organisation=org, fiscal_year=2568, kind="analysis", status="approved")
    documents.append((analysis, {}))
    return documents


def test_speedups_draw_the_same_pages_as_weasyprint(org, monkeypatch):
    from weasyprint import draw as weasyprint_draw

    from reports.pdf import speedups

    assert speedups.is_installed()  # importing reports.pdf installs them
    drawn, rebuilt = [0], [0]  # text boxes drawn, and their layouts built again, with the speedups
    original_draw_text, original_reactivate = weasyprint_draw.draw_text, speedups._ORIGINALS["reactivate"]

    def draw_text(*args, **kwargs):
        drawn[0] += speedups.is_installed()
        return original_draw_text(*args, **kwargs)

    def reactivate(*args, **kwargs):
        rebuilt[0] += speedups.is_installed()
        return original_reactivate(*args, **kwargs)

    monkeypatch.setattr(weasyprint_draw, "draw_text", draw_text)
    monkeypatch.setitem(speedups._ORIGINALS, "reactivate", reactivate)
    try:
        for document, options in speedup_documents(org):
            fast = rendered_pdf(document, **options)
            speedups.uninstall()
            try:
                plain = rendered_pdf(document, **options)
            finally:
                speedups.install()
            assert page_streams(fast) == page_streams(plain), (document.kind, document.layout, options)
            assert page_texts(fast) == page_texts(plain)
    finally:
        speedups.install()
    # Most drawn lines used the layout kept from line breaking instead of building it again.
    assert drawn[0] > 1000 and rebuilt[0] < drawn[0] / 4, (rebuilt[0], drawn[0])


def test_speedups_install_is_idempotent_and_uninstall_restores_weasyprint():
    from weasyprint.text import line_break

    from reports.pdf import speedups

    speedups.install()
    speedups.install()
    assert speedups.is_installed() and line_break.Layout.setup is speedups.setup
    from weasyprint.layout import inline

    assert inline.strut is speedups.strut and line_break.strut is speedups.strut
    speedups.uninstall()
    try:
        assert not speedups.is_installed()
        assert line_break.Layout.setup is speedups._ORIGINALS["setup"]
        assert line_break.first_line_metrics is speedups._ORIGINALS["first_line_metrics"]
        assert inline.strut is line_break.strut is speedups._ORIGINALS["strut"]
    finally:
        speedups.install()
