"""Exports: a document as Word (DOCX, same content as its PDF, the approval snapshot once approved), the
measures and entries of a fiscal year as Excel (XLSX, re-importable, deterministic), and the public CSV
open data (organisations, ITA results). Staff exports are for members only (another organisation: 404)."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from urllib.parse import unquote

import docx
import openpyxl
import pytest
from django.urls import reverse
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from ita.models import AssessmentResult, ToolScore
from measures.layouts import layout_columns
from measures.models import Measure
from reports.exports.xlsx import ENTRY_KEYS, MEASURE_KEYS
from reports.models import Document, DocumentKind, Memo
from reports.workflow import transitions

from .factories import AssessmentYearFactory, MeasureFactory, MeasureStepFactory, OrganisationFactory, confirm_result
from .helpers.builders import GROUPS, URL_TEXT, make_report, make_result_and_year, tools

pytestmark = pytest.mark.django_db

THAI_DIGIT = re.compile(r"[๐-๙]")
ARABIC = re.compile(r"[0-9]")
URL = re.compile(r"https?://\S+")
LATIN_TOKEN = re.compile(r"\b[A-Za-z][A-Za-z0-9]*\b")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- helpers ---------------------------------------------------------------------------------------

def docx_url(document, **query):
    url = reverse("reports:docx", args=[document.organisation.slug, document.pk])
    if query:
        url += "?o=1&" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def get_docx(client, document, **query):
    response = client.get(docx_url(document, **query))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == DOCX_TYPE
    return docx.Document(io.BytesIO(response.content)), response


def paragraph_texts(word) -> list[str]:
    """Every paragraph of the body in document order, table cells included (row by row)."""
    texts = []
    body = word.element.body
    for element in body.iter(qn("w:p")):
        texts.append("".join(t.text or "" for t in element.iter(qn("w:t"))))
    return [t for t in texts if t]


def assert_in_order(texts: list[str], needles: list[str], what=""):
    whole = "\n".join(texts)
    position = 0
    for needle in needles:
        found = whole.find(needle, position)
        assert found >= 0, f"{what}: {needle!r} missing or out of order"
        position = found + len(needle)


def table_header(table) -> list[str]:
    return [cell.text for cell in table.rows[0].cells]


def report_tables(word, headings):
    return [t for t in word.tables if table_header(t) == headings]


def digits_outside_urls_and_latin(text: str) -> list[str]:
    return ARABIC.findall(LATIN_TOKEN.sub(" ", URL.sub(" ", text)))


def ordered_measures(org, fiscal_year=2568):
    return list(Measure.objects.with_details().filter(organisation=org, fiscal_year=fiscal_year).order_by("order"))


# --- DOCX ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["A", "B", "C", "D", "E", "F"])
def test_docx_of_each_layout_has_title_headings_and_every_measure_and_step_in_order(client, staff_a, org_a, layout):
    kind = "measures" if layout in "DEF" else "progress"
    document = make_report(org_a, 5, layout=layout, kind=kind)
    client.force_login(staff_a)
    word, _ = get_docx(client, document)
    texts = paragraph_texts(word)

    if kind == "progress":
        title = ["รายงานผลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
                 "ประจำปีงบประมาณ พ.ศ. ๒๕๖๘ รอบ ๖ เดือน", "(เดือนตุลาคม ๒๕๖๗ - มีนาคม ๒๕๖๘)"]
    else:
        title = ["มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", "ประจำปีงบประมาณ พ.ศ. ๒๕๖๘"]
    assert_in_order(texts, [*title, "เทศบาลตำบลเอ", "อำเภอเมือง จังหวัดขอนแก่น", URL_TEXT], "title block")
    for line in title:
        assert line in texts  # each title line is a paragraph of its own, verbatim

    headings = [heading for _, heading in layout_columns(layout)]
    tables = report_tables(word, headings)
    assert tables, f"no table with the headings of layout {layout}"
    assert len(tables) == (3 if layout == "B" else 1)  # B: one table per tool section

    measures = ordered_measures(org_a)
    if layout == "B":
        measures.sort(key=lambda m: ("IIT", "EIT", "OIT").index(m.tools.all()[0].code))
        assert_in_order(texts, ["๑.ด้าน IIT", "๒.ด้าน EIT", "๓.ด้าน OIT"], "tool sections")
    title_key = {"A": "measure", "B": "weakness", "C": "measure", "D": "title", "E": "measure", "F": "measure"}[layout]
    expected = []
    for m in measures:
        expected.append(m.title if title_key != "weakness" else m.weakness)
        for step in m.top_steps():
            expected.append(step.text)
            expected.extend(sub.text for sub in step.children)
    assert_in_order(texts, expected, f"layout {layout}: measures and steps")
    if layout in ("A", "C", "D", "E", "F"):
        assert_in_order(texts, [GROUPS[0], GROUPS[1]], "group headings")
        table = tables[0]
        group_rows = [row for row in table.rows if row.cells[0].text == GROUPS[0]]
        span = group_rows[0]._tr.tc_lst[0].tcPr.find(qn("w:gridSpan"))
        assert span is not None and int(span.get(qn("w:val"))) == len(headings)  # spans all columns
    if kind == "progress":
        assert_in_order(texts, ["ดำเนินการประชุมชี้แจงแล้ว เมื่อวันที่ ๑๑ กุมภาพันธ์ ๒๕๖๘ (มาตรการที่ ๑)"], "output")

    for table in tables:
        header_pr = table.rows[0]._tr.trPr
        assert header_pr is not None and header_pr.find(qn("w:tblHeader")) is not None
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        assert table.rows[1]._tr.trPr is None or table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    last = word.sections[-1]
    assert last.orientation == WD_ORIENT.LANDSCAPE and last.page_width > last.page_height
    assert round(last.page_width.mm) == 297 and round(last.page_height.mm) == 210
    assert_in_order(texts, ["ลงชื่อ", "(นางสาวสมหญิง ใจดี)", "นักวิเคราะห์นโยบายและแผน"], "signature")
    # Thai digits everywhere except typed URLs and Latin tokens (IIT, O17)
    whole = "\n".join(texts)
    assert THAI_DIGIT.search(whole) and digits_outside_urls_and_latin(whole) == []


def test_docx_runs_are_in_sarabun_with_complex_script_font_and_size(client, staff_a, org_a):
    document = make_report(org_a, 2, layout="A")
    client.force_login(staff_a)
    word, _ = get_docx(client, document)
    runs = [r for r in word.element.body.iter(qn("w:r")) if "".join(t.text or "" for t in r.iter(qn("w:t")))]
    assert len(runs) > 20
    for run in runs:
        fonts = run.rPr.find(qn("w:rFonts"))
        assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "cs")} == {"Sarabun"}
        assert run.rPr.find(qn("w:szCs")) is not None
    normal = word.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:cs")) == "Sarabun"


def test_docx_arabic_digits_when_the_document_says_so(client, staff_a, org_a):
    document = make_report(org_a, 3, layout="C", arabic=True)
    client.force_login(staff_a)
    texts = paragraph_texts(get_docx(client, document)[0])
    whole = "\n".join(texts)
    assert not THAI_DIGIT.search(whole), THAI_DIGIT.findall(whole)[:5]
    assert "(เดือนตุลาคม 2567 - มีนาคม 2568)" in texts
    assert_in_order(texts, ["1", "2", "3"], "layout C numbers")
    assert any(t.startswith("1. ขั้นตอนที่ 1 ของมาตรการที่ 1") for t in texts)
    # the options of the page apply too: layout A, and Thai digits (box unticked) for this download only
    thai = "\n".join(paragraph_texts(get_docx(client, document, layout="A")[0]))
    assert "๑. ขั้นตอนที่ ๑" in thai and "มาตรการ/แนวทาง" in thai and not ARABIC.search(URL.sub("", thai))
    arabic = "\n".join(paragraph_texts(get_docx(client, document, layout="A", arabic_digits="on")[0]))
    assert "1. ขั้นตอนที่ 1" in arabic and not THAI_DIGIT.search(arabic)


def test_docx_file_name_and_draft_marker(client, staff_a, org_a):
    document = make_report(org_a, 1, layout="A")
    client.force_login(staff_a)
    word, response = get_docx(client, document)
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ita-progress-2568-r6-org-a.docx"; filename*=UTF-8\'\'')
    assert unquote(disposition.split("UTF-8''", 1)[1]) == "รายงานผลการดำเนินการ_รอบ_6_เดือน_2568_เทศบาลตำบลเอ.docx"
    assert "ฉบับร่าง" in word.sections[-1].header.paragraphs[0].text  # a draft says so on every page
    footer = word.sections[-1].footer._element
    assert any("PAGE" in f.get(qn("w:instr")) and "ThaiArabic" in f.get(qn("w:instr"))
               for f in footer.iter(qn("w:fldSimple")))


def test_analysis_document_docx_is_portrait_with_its_tables(client, staff_a, org_a):
    make_result_and_year(org_a, year=2565, total="91.93")
    document = Document.objects.create(organisation=org_a, fiscal_year=2566, kind="analysis",
                                       signer_name="นายทดสอบ ใจดี")
    client.force_login(staff_a)
    word, _ = get_docx(client, document)
    texts = paragraph_texts(word)
    assert_in_order(texts, [
        "การวิเคราะห์ผลการประเมินคุณธรรมและความโปร่งใสในการดำเนินงานของหน่วยงานภาครัฐ",
        "(Integrity and Transparency Assessment: ITA)", "ประจำปีงบประมาณ พ.ศ. ๒๕๖๕",
        "๑. ผลคะแนนการประเมิน", "พบว่ามีผลคะแนน ๙๑.๙๓ คะแนน ระดับผลการประเมิน A",
        "๒. จุดแข็ง", "ตัวชี้วัดที่ ๑ การปฏิบัติหน้าที่", "๙๕.๘๐",
        "๓. จุดอ่อน", "ตัวชี้วัดที่ ๖ คุณภาพการดำเนินงาน", "๗๘.๘๔", "O๑๗ E-Service",
        "๔. ประเด็นที่ควรพัฒนา จำแนกตามเครื่องมือการประเมิน", "๔.๑ แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน (IIT)",
        "ประเด็นที่ควรพัฒนาของตัวชี้วัดที่ ๑", "(นายทดสอบ ใจดี)"], "analysis")
    per_tool = report_tables(word, ["ตัวชี้วัด", "ประเด็นการประเมิน", "ประเด็นที่ควรพัฒนา"])
    assert len(per_tool) == 3  # one table per tool
    assert {s.orientation for s in word.sections} == {WD_ORIENT.PORTRAIT}
    tools_table = report_tables(word, ["เครื่องมือการประเมิน", "ตัวชี้วัด", "คะแนน", "ประเด็นที่ต้องแก้ไข"])[0]
    assert len(tools_table.rows) == 1 + 10  # the ten indicators; the tool cells are merged down
    assert digits_outside_urls_and_latin("\n".join(texts)) == []


def test_measures_plan_docx_puts_the_analysis_in_front_and_the_memo_cover_first(client, staff_a, org_a):
    make_result_and_year(org_a, year=2567)
    document = make_report(org_a, 2, kind="measures")
    Memo.objects.create(document=document, department="สำนักปลัด", subject="ขออนุมัติมาตรการ",
                        addressee="นายกเทศมนตรีตำบลเอ", body="เรื่องเดิม\n\nข้อความเดิม")
    client.force_login(staff_a)
    word, _ = get_docx(client, document)
    texts = paragraph_texts(word)
    assert_in_order(texts, ["บันทึกข้อความ", "ขออนุมัติมาตรการ", "นายกเทศมนตรีตำบลเอ", "เรื่องเดิม", "ข้อความเดิม",
                            "พบว่ามีผลคะแนน", "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน", "แนวทางการปฏิบัติ"])
    orientations = [s.orientation for s in word.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    without = paragraph_texts(get_docx(client, document, memo="", analysis="")[0])
    assert "บันทึกข้อความ" not in without and not any("พบว่ามีผลคะแนน" in t for t in without)


def test_approved_document_exports_its_snapshot(client, staff_a, approver_a, org_a):
    measure = MeasureFactory(organisation=org_a, fiscal_year=2568, title="มาตรการเดิม", report_rounds=[6, 12])
    MeasureStepFactory(measure=measure, order=1, text="ขั้นตอนเดิม")
    document = transitions.create_document(org_a, fiscal_year=2568, kind=DocumentKind.PROGRESS, round=6,
                                           actor=staff_a, notify=False)
    transitions.submit_document(document, actor=staff_a, notify=False)
    transitions.approve_document(document, actor=approver_a, notify=False)
    Measure.objects.filter(pk=measure.pk).update(title="มาตรการใหม่")
    measure.steps.update(text="ขั้นตอนใหม่")

    client.force_login(staff_a)
    texts = paragraph_texts(get_docx(client, Document.objects.get(pk=document.pk))[0])
    assert "มาตรการเดิม" in texts and "๑. ขั้นตอนเดิม" in texts
    assert "มาตรการใหม่" not in "\n".join(texts) and "ขั้นตอนใหม่" not in "\n".join(texts)
    # a draft reads live data
    draft = make_report(org_a, 0, layout="A", round_=12)
    assert "มาตรการใหม่" in paragraph_texts(get_docx(client, draft)[0])


def test_docx_is_for_members_only(client, staff_a, staff_b, org_a):
    document = make_report(org_a, 1, layout="A")
    response = client.get(docx_url(document))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(staff_b)
    assert client.get(docx_url(document)).status_code == 404
    # org B's user opening org A's document through their own workspace: 404 as well
    assert client.get(reverse("reports:docx", args=["org-b", document.pk])).status_code == 404


def test_document_page_and_list_link_the_exports(client, staff_a, org_a):
    document = make_report(org_a, 1, layout="A")
    client.force_login(staff_a)
    page = client.get(reverse("reports:detail", args=[org_a.slug, document.pk]))
    assert page.status_code == 200 and docx_url(document) in page.text and "data-docx-link" in page.text
    index = client.get(reverse("reports:index", args=[org_a.slug]))
    assert reverse("reports:xlsx", args=[org_a.slug, 2568]) in index.text


# --- XLSX ------------------------------------------------------------------------------------------

def xlsx_url(org, fiscal_year=2568):
    return reverse("reports:xlsx", args=[org.slug, fiscal_year])


def sheet_rows(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    keys = rows[0]
    return [dict(zip(keys, row)) for row in rows[2:]]


def test_xlsx_has_keys_thai_headings_one_row_per_step_and_the_entries(client, staff_a, org_a):
    document = make_report(org_a, 3, layout="A")
    plain = MeasureFactory(organisation=org_a, fiscal_year=2568, order=99, title="มาตรการไม่มีขั้นตอน")
    client.force_login(staff_a)
    response = client.get(xlsx_url(org_a))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="ita-measures-2568-org-a.xlsx"')
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["measures", "entries"]
    ws = wb["measures"]
    assert [c.value for c in ws[1]] == MEASURE_KEYS
    assert ws["C2"].value == "มาตรการ" and ws["S2"].value == "ขั้นตอน/วิธีการปฏิบัติ"
    rows = sheet_rows(ws)
    measures = ordered_measures(org_a)
    expected = []
    for number, m in enumerate(measures, start=1):
        steps = [x for i, s in enumerate(m.top_steps(), 1)
                 for x in [(str(i), 1, s)] + [(f"{i}.{j}", 2, c) for j, c in enumerate(s.children, 1)]]
        for step_no, level, step in steps or [(None, None, None)]:
            expected.append((number, m.title, step_no, level, step.text if step else None))
    assert [(r["measure_no"], r["title"], r["step_no"], r["step_level"], r["step_text"]) for r in rows] == expected
    first = rows[0]
    assert first["group_heading"] == GROUPS[0] and first["tools"] == "IIT"
    assert first["divisions"] == "สำนักปลัด | กองคลัง" and first["report_rounds"] == "6 | 12"
    assert first["guideline"].splitlines()[1].startswith("แนวทางที่ ๑.๒")
    assert first["start_month"].date().isoformat() == "2024-10-01"
    # continuation rows repeat the measure's columns
    same = [r for r in rows if r["measure_no"] == 1]
    assert len(same) == 5 and {r["guideline"] for r in same} == {first["guideline"]}
    assert rows[-1]["title"] == plain.title and rows[-1]["step_text"] is None

    entries = wb["entries"]
    assert [c.value for c in entries[1]] == ENTRY_KEYS
    entry_rows = sheet_rows(entries)
    assert [(r["round"], r["measure_no"], r["status"]) for r in entry_rows] == [(6, n, "done") for n in (1, 2, 3)]
    assert entry_rows[0]["output"].startswith("ดำเนินการประชุมชี้แจงแล้ว") and entry_rows[0]["revision"] == 1
    assert document.entries.count() == 3


def test_xlsx_two_exports_are_byte_identical_and_take_fixed_queries(client, staff_a, org_a,
                                                                      django_assert_max_num_queries):
    make_report(org_a, 2, layout="A")
    client.force_login(staff_a)
    first = client.get(xlsx_url(org_a)).content
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01" in core
    second = client.get(xlsx_url(org_a)).content
    assert first == second
    # more measures, the same number of queries
    with django_assert_max_num_queries(16):
        client.get(xlsx_url(org_a))
    for i in range(6):
        MeasureStepFactory(measure=MeasureFactory(organisation=org_a, fiscal_year=2568, order=50 + i))
    with django_assert_max_num_queries(16):
        assert client.get(xlsx_url(org_a)).status_code == 200


def test_xlsx_only_of_the_members_organisation(client, staff_a, staff_b, org_a, org_b):
    MeasureFactory(organisation=org_b, fiscal_year=2568, title="มาตรการของบี")
    MeasureFactory(organisation=org_a, fiscal_year=2568, title="มาตรการของเอ")
    assert client.get(xlsx_url(org_a)).status_code == 302
    client.force_login(staff_b)
    assert client.get(xlsx_url(org_a)).status_code == 404
    wb = openpyxl.load_workbook(io.BytesIO(client.get(xlsx_url(org_b)).content))
    assert [r["title"] for r in sheet_rows(wb["measures"])] == ["มาตรการของบี"]


# --- CSV open data ---------------------------------------------------------------------------------

def read_csv(response) -> list[dict]:
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_open_data_organisations_csv(client, org_a, org_b, settings):
    org_a.website = "https://www.a.go.th"
    org_a.save()
    response = client.get(reverse("public:opendata_organisations"))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "public, max-age=3600"
    rows = {r["slug"]: r for r in read_csv(response)}
    assert set(rows) == {"org-a", "org-b"}
    a = rows["org-a"]
    assert (a["name"], a["kind"], a["district"], a["province"], a["website"]) == (
        "เทศบาลตำบลเอ", "sub_municipality", "เมือง", "ขอนแก่น", "https://www.a.go.th")
    assert a["public_url"] == f"{settings.SITE_URL}/o/org-a/"
    assert rows["org-b"]["kind"] == "sao"


def test_open_data_results_csv(client, org_a, org_b, django_assert_max_num_queries):
    make_result_and_year(org_a, year=2565, total="91.93")
    confirm_result(AssessmentResult.objects.get(organisation=org_a))
    by_code = tools()
    new_year = AssessmentYearFactory(year=2567, scale="new")
    result = AssessmentResult.objects.create(organisation=org_b, year=new_year, total_score=Decimal("96.10"))
    for code, score in (("IIT", "97.00"), ("EIT", "95.00"), ("OIT", "96.50")):
        ToolScore.objects.create(result=result, tool=by_code[code], score=Decimal(score))
    confirm_result(result)
    for i in range(3):  # more organisations with results: the same queries
        other = OrganisationFactory()
        confirm_result(AssessmentResult.objects.create(organisation=other, year=new_year, total_score=Decimal("50")))
    # Entered but never confirmed by an approver: not published.
    AssessmentResult.objects.create(organisation=OrganisationFactory(slug="org-unconfirmed"), year=new_year,
                                    total_score=Decimal("77"))
    with django_assert_max_num_queries(3):
        response = client.get(reverse("public:opendata_results"))
    assert response.status_code == 200 and response["Cache-Control"] == "public, max-age=3600"
    rows = read_csv(response)
    assert list(rows[0]) == ["organisation", "year", "scale", "total", "IIT", "EIT", "OIT", "official_level",
                             "official_level_text"]
    by_org = {r["organisation"]: r for r in rows}
    a = by_org["org-a"]
    assert (a["year"], a["total"], a["IIT"], a["EIT"], a["OIT"], a["official_level"]) == (
        "2565", "91.93", "93.20", "82.64", "91.50", "A")
    b = by_org["org-b"]
    assert (b["year"], b["total"], b["official_level"], b["official_level_text"]) == (
        "2567", "96.10", "excellent", "ผ่านดีเยี่ยม")
    assert len(rows) == 5 and "org-unconfirmed" not in by_org


def test_open_data_needs_no_sign_in_and_only_get(client, org_a):
    for name in ("public:opendata_organisations", "public:opendata_results"):
        assert client.get(reverse(name)).status_code == 200
        assert client.post(reverse(name)).status_code == 405
