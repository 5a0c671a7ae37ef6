"""The importer (measures/importing): pasted text, DOCX and XLSX → a preview → measures and progress entries.

The three seeds (text extracted from real PDF reports) are imported from their text, applied to a fresh
organisation and printed: every cell of the seed's tables must come back, column by column and in
order, in the PDF of the matching layout (compared with tests/helpers/pdf.py: NFKC, whitespace
and <p> ignored, each column cropped on its own because rows break across pages).
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from measures.importing import (
    ImportedMeasure,
    ImportedStep,
    ImportPreview,
    ImportRefused,
    apply_import,
    read_import,
)
from measures.importing.headings import column_field
from measures.importing.steps import split_measure, split_steps
from measures.models import Measure, MeasureStep
from reports.documents.data import build_document_data
from reports.models import Document, DocumentStatus, ProgressEntry
from reports.printing.rendering import render_document_pdf

from .factories import MeasureFactory
from .helpers.files import HEADINGS_A, measures_docx_bytes, zip_bytes
from .helpers.pdf import assert_in_order, column_text, norm, page_texts, printed_widths
from .helpers.seeds import SEEDS, seed_table, seed_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are compared by their English msgid (the Thai translation comes later)."""
    with translation.override("en"):
        yield


def steps_of(measure: Measure):
    return [(s.label, s.text, [(c.label, c.text) for c in s.children]) for s in measure.top_steps()]


# --- the seeds: read, apply, print ------------------------------------------------------------------

def test_seed_000_preview():
    preview = read_import(text=seed_text(SEEDS["000"]))
    assert (preview.source, preview.layout) == ("text", "A")
    assert preview.columns == ["measure", "steps", "responsible", "timeline", "output", "outcome"]
    assert preview.unplaced == []
    assert [m.title for m in preview.measures] == [
        "๑. คุณภาพการดำเนินการ",
        "๓. หน่วยงานจัดให้มีการประเมินความเสี่ยงในการทุจริตในประเด็นการเบิกเงินกำหนดมาตรการสำหรับการป้องกัน"
        "การทุจริตจากการเบิกเงินที่เป็นเท็จตลอดจนบังคับใช้จนเกิดผลสัมฤทธิ์",
        "๑.คุณภาพการดำเนินการ",
    ]
    first = preview.measures[0]
    assert first.group_heading == "มาตรการสร้างความโปร่งใสในการใช้งบประมาณและการจัดซื้อจัดจ้าง"
    assert [m.group_heading for m in preview.measures[1:]] == ["มาตรการเพิ่มประสิทธิภาพการดำเนินงานและการสื่อสารกับบุคคลภายนอก"] * 2
    assert first.guideline.splitlines()[0].startswith("๑. ประชุมชี้แจงให้บุคลากร")
    assert first.guideline.splitlines()[1].startswith("๒) จัดทำการประชาสัมพันธ์")
    assert [s.label for s in first.steps] == ["๑)", "๒)"]
    assert first.steps[0].text.startswith("จัดประชุมบุคลากรภายในชี้แจง")
    assert first.responsible_text == "สำนักปลัด กองคลัง"
    assert first.timeline_text == "ตุลาคม ๒๕๖๗ ถึง มีนาคม ๒๕๖๘"
    # measure 2 numbers its steps ๓) ๔): kept as written; measure 3 "๑." "๒." is automatic numbering
    assert [s.label for s in preview.measures[1].steps] == ["๓)", "๔)"]
    assert [s.label for s in preview.measures[2].steps] == ["", ""]
    assert preview.measures[2].output.splitlines()[1].startswith("๒.เผยแพร่ขั้นตอน")


def test_seed_002_preview_sections_and_method_column():
    preview = read_import(text=seed_text(SEEDS["002"]))
    assert preview.layout == "B" and preview.unplaced == []
    assert preview.columns == ["weakness", "method", "responsible", "monitoring", "output"]
    assert [m.tools for m in preview.measures] == [["IIT"]] * 3 + [["EIT"]] * 3 + [["OIT"]]
    first, second, third = preview.measures[:3]
    assert first.title == first.weakness.replace("\n", " ")
    assert norm(first.title) == norm("การพัฒนาวิธีการเผยแพร่และประชาสัมพันธ์แผนการใช้จ่ายงบประมาณประจำปี")
    assert [s.label for s in first.steps] == ["-", "–", "-"]  # dashes run together by the extraction
    assert [norm(s.text) for s in second.steps][1:] == ["รายงานผู้บริหาร", norm("เผยแพร่ข้อมูลบนเว็บไซต์ หน่วยงาน และช่องทางอื่นๆ")]
    assert third.steps == [] and norm(third.guideline).startswith("หน่วยงานต้องเพิ่มช่องทางการติดต่อ")
    assert preview.measures[3].responsible_text.startswith("๑.สำนักปลัด ๒.กองคลัง")


def test_seed_004_preview_continuation_row():
    preview = read_import(text=seed_text(SEEDS["004"]))
    assert preview.layout == "A"
    assert preview.columns == ["measure", "steps", "timeline", "responsible", "output", "outcome"]
    assert len(preview.measures) == 2
    first = preview.measures[0]
    assert norm(first.title) == norm("การปฏิบัติงานหรือการให้บริการประชาชน ตามขั้นตอนและระยะเวลา")
    assert len(first.steps) == 5  # ๑–๓ in the row, ๔ and ๕ in the continuation row (first cell empty)
    assert norm(first.steps[4].text).startswith(norm("นำคู่มือที่สร้างขึ้น"))
    assert first.timeline_text == "ต.ค. ๖๕ – มี.ค. ๖๖"
    assert preview.measures[1].timeline_text == "ตลอดปีงบประมาณ พ.ศ. ๒๕๖๗"


@pytest.mark.parametrize("key", ["000", "002", "004"])
def test_seed_round_trip_to_pdf(catalogue, org_a, staff_a, key):
    seed = SEEDS[key]
    table = seed_table(seed)
    preview = read_import(text=seed_text(seed))
    assert len(preview.measures) == len(table.rows)
    result = apply_import(org_a, seed.fiscal_year, preview, round=seed.round, actor=staff_a)
    assert len(result.measures) == len(table.rows) and result.entries == len(table.rows)
    document = result.document
    assert (document.kind, document.round, document.status) == ("progress", seed.round, DocumentStatus.DRAFT)
    assert document.entries.count() == len(table.rows)
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.APPROVED)  # no watermark in the crops
    data = build_document_data(Document.objects.select_related("organisation").get(pk=document.pk))
    assert data["layout"] == seed.layout
    columns = data["columns"][seed.layout]
    assert [norm(c["heading"]) for c in columns] == [norm(h) for h in table.headings]
    pdf = render_document_pdf(data)
    keys = [c["key"] for c in columns]
    for index, heading in enumerate(table.headings):
        column = column_text(pdf, keys, index, heading, printed_widths(document))
        assert_in_order(column, [row.cells[index] for row in table.rows], f"seed {key}, column {heading}")
    text = norm(page_texts(pdf))
    for group in table.groups:
        assert norm(group) in text
    if seed.layout == "B":
        assert_in_order(text, ["๑.ด้านIIT", "๒.ด้านEIT", "๓.ด้านOIT"], "sections")
        assert [[t.code for t in m.tools.all()] for m in Measure.objects.for_org(org_a).order_by("order")] == [
            [row.tool] for row in table.rows]


# --- cells: steps, sub-items, digits, headings --------------------------------------------------------

def test_steps_sub_items_and_both_digit_systems():
    guideline, steps = split_steps(
        "<p>๑. ประชุม</p><p>(๑) ย่อยหนึ่ง (๒) ย่อยสอง</p> ๒) แจ้งเวียน 3. เผยแพร่ พ.ศ. ๒๕๖๖ คะแนน ๐.๐๐ ข้อ ๑ และข้อ ๒")
    assert guideline == []
    assert [(s.label, s.text) for s in steps] == [
        ("", "ประชุม"), ("๒)", "แจ้งเวียน"), ("3.", "เผยแพร่ พ.ศ. ๒๕๖๖ คะแนน ๐.๐๐ ข้อ ๑ และข้อ ๒")]
    assert [(s.label, s.text) for s in steps[0].sub_items] == [("", "ย่อยหนึ่ง"), ("", "ย่อยสอง")]
    _, arabic = split_steps("1. one\n2. two\n(1) sub")
    assert [s.label for s in arabic] == ["1.", "2."] and arabic[1].sub_items[0].label == "(1)"
    guideline, steps = split_steps("วิธีการทั่วไป\n๑. ขั้นแรก", method=True)
    assert guideline == ["วิธีการทั่วไป"] and [s.text for s in steps] == ["ขั้นแรก"]
    assert split_measure("<p>ชื่อมาตรการ</p><p>๑. แนวทางหนึ่ง</p>") == ("ชื่อมาตรการ", ["๑. แนวทางหนึ่ง"])


@pytest.mark.parametrize("heading, field", [
    ("มาตรการ/แนวทาง", "measure"), ("มาตรการ / กิจกรรม", "measure"), ("มาตรการหรือกิจกรรมที่ดำเนินการ", "measure"),
    ("ขั้นตอน/วิธีการปฏิบัติ", "steps"), ("ขั้นตอนและวิธีการปฏิบัติ", "steps"), ("ขั้นตอนหรือวิธีการ/มาตรการ", "method"),
    ("หน่วยงาน ผู้รับผิดชอบ", "responsible"), ("ผู้รับผิดชอบ", "responsible"),
    ("ระยะเวลาการ ดำเนินการ", "timeline"), ("ช่วงระยะเวลาในการดำเนินการ", "timeline"),
    ("ผลการดำเนินการ (output)", "output"), ("การดำเนินการ", "output"), ("สรุปผลการดำเนินการตาม มาตรการหรือกิจกรรม", "output"),
    ("ผลลัพธ์หรือผลสัมฤทธิ์ในการดำเนินการ (outcome/result)", "outcome"), ("ผลลัพธ์/ความสำเร็จ", "outcome"),
    ("การรายงานผลและการกำกับติดตาม กำหนดเวลาแล้วเสร็จ", "monitoring"), ("การกำกับติดตาม", "monitoring"),
    ("ประเด็นที่เป็น ข้อบกพร่อง/จุดอ่อน จากการประเมิน", "weakness"), ("ลำดับที่", "number"),
    ("แนวทางการปฏิบัติ", "guideline"), ("มาตรการ", "title"), ("หมายเหตุ", ""),
])
def test_heading_variants(heading, field):
    assert column_field(heading) == field


def test_layout_c_with_number_column_and_unknown_column_goes_to_unplaced():
    text = (
        "ลำดับที่\tมาตรการหรือกิจกรรมที่ดำเนินการ\tขั้นตอนหรือวิธีการปฏิบัติ\tช่วงระยะเวลาในการดำเนินการ\t"
        "ผู้รับผิดชอบ\tผลการดำเนินการ (output)\tผลลัพธ์หรือผลสัมฤทธิ์ในการดำเนินการ (outcome/result)\tหมายเหตุ\n"
        "๑\tจัดทำคู่มือ\t๑. ร่าง (๑) ร่างแรก (๒) ร่างสอง ๒. ประกาศ\tตลอดปี\tสำนักปลัด\tทำแล้ว\tดีขึ้น\tโน้ต\n"
    )
    preview = read_import(text=text)
    assert preview.layout == "C"
    assert preview.columns[-1] == "" and preview.columns[0] == "number"
    measure, = preview.measures
    assert measure.title == "จัดทำคู่มือ" and [s.text for s in measure.steps] == ["ร่าง", "ประกาศ"]
    assert [s.text for s in measure.steps[0].sub_items] == ["ร่างแรก", "ร่างสอง"]
    assert preview.unplaced == ["row ๑, column หมายเหตุ: โน้ต"]  # row numbers in Thai digits


def test_rows_split_over_lines_continuation_and_repeated_headings():
    text = "\n".join([
        "รายงานผล ประจำปี",  # text before the table: ignored
        HEADINGS_A,
        "มาตรการกลุ่มที่หนึ่ง\t\t\t\t\t",
        "มาตรการ",  # a row that PDF extraction split over three lines
        "ที่หนึ่ง\t๑. ขั้นแรก",
        "๒. ขั้นสอง\tกองคลัง\tตุลาคม ๒๕๖๗\tประชุมแล้ว\tดี",
        "",
        "- ๒ -",  # a page number
        "",
        HEADINGS_A.replace("หน่วยงานผู้รับผิดชอบ", "หน่วยงาน ผู้รับผิดชอบ"),  # the heading row of the next page
        "\t๓. ขั้นสาม\t\t\t\t",  # the row continues on the next page
        "มาตรการที่สอง\t๑. อีกขั้น\tสำนักปลัด\tตลอดปี\t\t",
        "",
        "ลงชื่อ ผู้จัดทำ",
        "(นางสาว ตัวอย่าง)",
    ])
    preview = read_import(text=text)
    first, second = preview.measures
    assert first.title == "มาตรการ ที่หนึ่ง"  # the wrapped line joined with a space
    assert [s.text for s in first.steps] == ["ขั้นแรก", "ขั้นสอง", "ขั้นสาม"]
    assert (first.responsible_text, first.timeline_text, first.output, first.outcome) == (
        "กองคลัง", "ตุลาคม ๒๕๖๗", "ประชุมแล้ว", "ดี")
    assert first.group_heading == second.group_heading == "มาตรการกลุ่มที่หนึ่ง"
    assert second.title == "มาตรการที่สอง" and second.output == ""
    assert preview.unplaced == []


def test_markdown_table_with_paragraph_cells():
    text = (
        "๑.ด้าน EIT\n\n"
        "| มาตรการ/แนวทาง | ขั้นตอน/วิธีการปฏิบัติ | ผู้รับผิดชอบ |\n|---|---|---|\n"
        "| <p>ชื่อ</p> <p>๑. แนวทาง</p> | <p>๑. หนึ่ง</p> <p>๒. สอง</p> | กองช่าง |\n"
    )
    preview = read_import(text=text)
    measure, = preview.measures
    assert (measure.title, measure.guideline, measure.tools) == ("ชื่อ", "๑. แนวทาง", ["EIT"])
    assert [s.text for s in measure.steps] == ["หนึ่ง", "สอง"]


# --- DOCX and XLSX ---------------------------------------------------------------------------------

def test_docx_with_merged_group_row_section_and_continuation(org_a, staff_a):
    preview = read_import(upload=SimpleUploadedFile("ไม่ใช่.txt", measures_docx_bytes()))  # the name does not matter
    assert preview.source == "docx" and preview.layout == "A"
    first, second = preview.measures
    assert first.group_heading == second.group_heading == "มาตรการเพิ่มประสิทธิภาพการสื่อสาร"
    assert first.tools == ["EIT"]
    assert [(s.text, [c.text for c in s.sub_items]) for s in first.steps] == [
        ("จัดทำสื่อ", ["แผ่นพับ"]), ("ประกาศ", []), ("รายงานผล", [])]
    assert (first.responsible_text, first.output) == ("สำนักปลัด", "เผยแพร่แล้ว")
    result = apply_import(org_a, 2568, preview, actor=staff_a)
    assert result.document is None and result.entries == 0
    measure = Measure.objects.with_details().get(pk=result.measures[0].pk)
    assert steps_of(measure) == [("", "จัดทำสื่อ", [("", "แผ่นพับ")]), ("", "ประกาศ", []), ("", "รายงานผล", [])]
    assert [d.name for d in measure.divisions.all()] == ["สำนักปลัด"]


def xlsx_bytes() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ชื่อเอกสาร"])
    sheet.append(["มาตรการ", "แนวทางการปฏิบัติ", "ขั้นตอน/วิธีการปฏิบัติ", "ผู้รับผิดชอบ", "การกำกับติดตาม"])
    sheet.append(["กลุ่มมาตรการ ก"])
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=5)
    sheet.append(["จัดซื้อโปร่งใส", "แนวทาง ๑\nแนวทาง ๒", "1. วางแผน\n2. ประกาศ", "กองคลัง", "รายงานรอบ ๖ เดือน"])
    sheet.append([None, None, "3. สรุปผล", None, None])
    sheet.append(["มาตรการสอง", None, "๑. ขั้นเดียว", "สำนักปลัด", None])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_layout_d(org_a, staff_a):
    preview = read_import(upload=SimpleUploadedFile("plan.xlsx", xlsx_bytes()))
    assert preview.source == "xlsx" and preview.layout == "D"
    assert preview.columns == ["title", "guideline", "steps", "responsible", "monitoring"]
    first, second = preview.measures
    assert (first.title, first.guideline, first.monitoring) == ("จัดซื้อโปร่งใส", "แนวทาง ๑\nแนวทาง ๒", "รายงานรอบ ๖ เดือน")
    assert [(s.label, s.text) for s in first.steps] == [("1.", "วางแผน"), ("2.", "ประกาศ"), ("3.", "สรุปผล")]
    assert first.group_heading == second.group_heading == "กลุ่มมาตรการ ก"
    assert second.title == "มาตรการสอง"
    apply_import(org_a, 2568, preview, actor=staff_a)
    stored = Measure.objects.for_org(org_a).order_by("order")
    assert [m.title for m in stored] == ["จัดซื้อโปร่งใส", "มาตรการสอง"]
    assert [s.label for s in stored[0].top_steps()] == ["1.", "2.", "3."]


# --- refusals ------------------------------------------------------------------------------------------

def png_bytes() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = zlib.compress(b"\x00\x00\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.mark.parametrize("kwargs, words", [
    ({"text": ""}, "empty"),
    ({"text": "  \n\t\n"}, "empty"),
    ({"upload": SimpleUploadedFile("a.docx", b"")}, "empty"),
    ({"text": "ก" * (4 * 1024 * 1024)}, "too large"),  # 12 MB in UTF-8
    ({"upload": SimpleUploadedFile("big.txt", b"a\tb\n" * (11 * 1024 * 1024 // 4))}, "too large"),
    ({"upload": SimpleUploadedFile("table.docx", png_bytes())}, "cannot be imported"),
    ({"upload": SimpleUploadedFile("table.docx", zip_bytes({"readme.txt": b"hello"}))}, "neither"),
    ({"text": "ชื่อ\tที่อยู่\nนาย ก\tกรุงเทพ\n"}, "No table with known column headings"),
    ({"text": "ข้อความธรรมดาไม่มีตาราง"}, "No table with known column headings"),
])
def test_refusals(kwargs, words):
    with pytest.raises(ImportRefused) as caught:
        read_import(**kwargs)
    assert words in caught.value.message


def test_zip_bomb_is_refused_without_unpacking():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/zeros.bin", "w") as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(60):
                member.write(block)
    data = out.getvalue()
    assert len(data) < 1024 * 1024  # small on disk, 60 MB unpacked
    with pytest.raises(ImportRefused) as caught:
        read_import(upload=SimpleUploadedFile("bomb.docx", data))
    assert "50 MB" in caught.value.message


def test_docx_with_a_dtd_is_refused():
    import docx

    good = measures_docx_bytes()
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    xml = members["word/document.xml"]
    head, rest = xml.split(b"?>", 1)
    members["word/document.xml"] = head + b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + rest
    with pytest.raises(ImportRefused) as caught:
        read_import(upload=SimpleUploadedFile("x.docx", zip_bytes(members)))
    assert "XML declarations" in caught.value.message
    assert docx.Document(io.BytesIO(good))  # the unmodified file is fine


# --- applying ------------------------------------------------------------------------------------------

def simple_preview(*titles, output="ทำแล้ว") -> ImportPreview:
    measures = [ImportedMeasure(title=t, steps=[ImportedStep("ขั้นแรก", sub_items=[ImportedStep("ย่อย")]),
                                                ImportedStep("ขั้นสอง", label="ข.")],
                                output=output, outcome="ผลดี", group_heading="กลุ่ม")
                for t in titles]
    return ImportPreview(source="text", layout="A", headings=[], columns=[], measures=measures, unplaced=[])


def test_apply_orders_after_existing_measures_and_fills_the_round(org_a, staff_a):
    MeasureFactory(organisation=org_a, fiscal_year=2568, order=0, title="มีอยู่แล้ว")
    result = apply_import(org_a, 2568, simple_preview("ใหม่หนึ่ง", "ใหม่สอง"), round=9, actor=staff_a)
    titles = list(Measure.objects.for_org(org_a).for_year(2568).order_by("order").values_list("title", flat=True))
    assert titles == ["มีอยู่แล้ว", "ใหม่หนึ่ง", "ใหม่สอง"]
    new = Measure.objects.with_details().get(pk=result.measures[0].pk)
    assert steps_of(new) == [("", "ขั้นแรก", [("", "ย่อย")]), ("ข.", "ขั้นสอง", [])]
    assert new.group_heading == "กลุ่ม" and 9 in new.report_rounds
    assert new.history.first().history_user == staff_a
    document = result.document
    assert (document.round, document.status, document.created_by) == (9, DocumentStatus.DRAFT, staff_a)
    entry = ProgressEntry.objects.get(document=document, measure=new)
    assert (entry.output, entry.outcome, entry.status) == ("ทำแล้ว", "ผลดี", "done")
    # the same round again: the draft is reused, a measure without output stays "not started"
    again = apply_import(org_a, 2568, simple_preview("ใหม่สาม", output=""), round=9, actor=staff_a)
    assert again.document.pk == document.pk
    assert ProgressEntry.objects.get(document=document, measure=again.measures[0]).status == "not_started"
    assert Document.objects.for_org(org_a).count() == 1


def test_apply_is_atomic_when_a_later_measure_fails(org_a, staff_a):
    preview = simple_preview("หนึ่ง", "สอง")
    preview.measures[1].steps = [ImportedStep(text=None)]  # NOT NULL: the database refuses the second measure
    with pytest.raises(Exception):
        apply_import(org_a, 2568, preview, round=6, actor=staff_a)
    assert Measure.objects.count() == 0 and MeasureStep.objects.count() == 0
    assert Document.objects.count() == 0 and ProgressEntry.objects.count() == 0


def test_apply_is_atomic_when_the_round_is_no_longer_a_draft(org_a, staff_a):
    apply_import(org_a, 2568, simple_preview("หนึ่ง"), round=6, actor=staff_a)
    Document.objects.filter(organisation=org_a).update(status=DocumentStatus.SUBMITTED)
    with pytest.raises(ImportRefused):
        apply_import(org_a, 2568, simple_preview("สอง"), round=6, actor=staff_a)
    assert list(Measure.objects.for_org(org_a).values_list("title", flat=True)) == ["หนึ่ง"]


def test_apply_refuses_another_organisations_staff_and_nothing_to_import(org_a, org_b, staff_a, staff_b):
    with pytest.raises(ImportRefused):
        apply_import(org_a, 2568, simple_preview("หนึ่ง"), actor=staff_b)
    with pytest.raises(ImportRefused):
        apply_import(org_a, 2568, simple_preview(), actor=staff_a)
    with pytest.raises(ImportRefused):
        apply_import(org_a, 2568, simple_preview("หนึ่ง"), round=5, actor=staff_a)
    assert Measure.objects.count() == 0
    apply_import(org_b, 2568, simple_preview("ของบี"), actor=staff_b)
    assert Measure.objects.for_org(org_a).count() == 0 and Measure.objects.for_org(org_b).count() == 1
