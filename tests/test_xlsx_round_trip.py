"""Our own XLSX export is re-importable: export → import → export gives the same content.

In the same organisation and fiscal year (after removing the originals) the second export is
byte-identical; into another organisation the sheets are identical cell by cell and every ZIP member
except the workbook properties (whose title names the organisation) is byte-identical."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.audit import sanctioned_removal
from ita.models import OITItem
from measures.importing import apply_import, read_import
from measures.models import Measure
from reports.entries import services as entry_services
from reports.exports.xlsx import measures_workbook
from reports.models import Document, DocumentKind
from reports.workflow import transitions

from .factories import (
    AssessmentYearFactory, DivisionFactory, IndicatorFactory, MeasureFactory, MeasureStepFactory,
    MembershipFactory, OrganisationFactory, ToolFactory,
)

pytestmark = pytest.mark.django_db

FY = 2568


def _build(org, actor):
    year = AssessmentYearFactory(year=FY - 1)
    iit, oit = ToolFactory(code="IIT"), ToolFactory(code="OIT", name="OIT")
    ind1 = IndicatorFactory(year=year, tool=iit, number=1)
    ind3 = IndicatorFactory(year=year, tool=iit, number=3)
    o1 = OITItem.objects.create(year=year, code="O1", number=1, title="โครงสร้าง")
    o12 = OITItem.objects.create(year=year, code="O12", number=12, title="แผนการใช้จ่ายงบประมาณ")
    divisions = list(org.divisions.order_by("order"))

    first = MeasureFactory(
        organisation=org, fiscal_year=FY, order=0, group_heading="ด้านการเปิดเผยข้อมูล",
        title="เผยแพร่ข้อมูลผ่านเว็บไซต์", guideline="บรรทัดแรก\nบรรทัดที่สอง", weakness="ข้อมูลไม่ครบ",
        responsible_text="สำนักปลัด และกองคลัง", start_month=date(2024, 10, 1), end_month=date(2025, 9, 1),
        timeline_text="ต.ค. 2567 – ก.ย. 2568", report_rounds=[6, 12], monitoring="รายงานทุก ๖ เดือน\nต่อผู้บริหาร",
    )
    first.tools.set([iit, oit])
    first.divisions.set(divisions)
    first.indicators.set([ind1, ind3])
    first.oit_items.set([o1, o12])
    step1 = MeasureStepFactory(measure=first, order=1, text="จัดทำแผน", label="ก.")
    MeasureStepFactory(measure=first, parent=step1, order=1, text="ประชุมกอง", due_date=date(2024, 12, 15))
    MeasureStepFactory(measure=first, parent=step1, order=2, text="สรุปผล", label="(ข)")
    MeasureStepFactory(measure=first, order=2, text="เผยแพร่", due_date=date(2025, 3, 31))

    second = MeasureFactory(organisation=org, fiscal_year=FY, order=1, title="มาตรการไม่มีขั้นตอน")
    second.divisions.set(divisions[:1])

    document = transitions.create_document(org, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=6,
                                           actor=actor, notify=False)
    entry = document.entries.get(measure=first)
    entry_services.save_entry(entry, data={"output": "เผยแพร่แล้ว ๑๒ รายการ", "outcome": "ประชาชนเข้าถึงข้อมูล",
                                     "status": "done"}, expected_version=entry.version, actor=actor)


def _cells(data: bytes) -> dict:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    try:
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in workbook.worksheets}
    finally:
        workbook.close()


def _members(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info.filename) for info in archive.infolist()}


def _import(org, data, actor):
    preview = read_import(upload=SimpleUploadedFile("x.xlsx", data))
    assert preview.layout == "xlsx" and not preview.unplaced
    return apply_import(org, FY, preview, round=6, actor=actor)


def test_preview_of_own_export(org_a, staff_a):
    _build(org_a, staff_a)
    preview = read_import(upload=SimpleUploadedFile("x.xlsx", measures_workbook(org_a, FY)))
    first, second = preview.measures
    assert first.group_heading == "ด้านการเปิดเผยข้อมูล" and first.guideline == "บรรทัดแรก\nบรรทัดที่สอง"
    assert first.tools == ["IIT", "OIT"] and first.divisions == ["สำนักปลัด", "กองคลัง"]
    assert first.indicators == [1, 3] and first.oit_items == ["O1", "O12"] and first.report_rounds == [6, 12]
    assert (first.start_month, first.end_month) == (date(2024, 10, 1), date(2025, 9, 1))
    assert [(s.text, s.label, s.due_date) for s in first.steps] == [
        ("จัดทำแผน", "ก.", None), ("เผยแพร่", "", date(2025, 3, 31))]
    assert [(s.text, s.label, s.due_date) for s in first.steps[0].sub_items] == [
        ("ประชุมกอง", "", date(2024, 12, 15)), ("สรุปผล", "(ข)", None)]
    assert (first.output, first.status) == ("เผยแพร่แล้ว ๑๒ รายการ", "done")
    assert second.steps == [] and second.divisions == ["สำนักปลัด"]


def test_round_trip_same_org_is_byte_identical(org_a, staff_a):
    _build(org_a, staff_a)
    original = measures_workbook(org_a, FY)
    with sanctioned_removal("test: the year emptied before the workbook is imported again"):
        Document.objects.filter(organisation=org_a, fiscal_year=FY).delete()
    Measure.objects.filter(organisation=org_a, fiscal_year=FY).delete()
    result = _import(org_a, original, staff_a)
    assert len(result.measures) == 2 and result.entries == 2
    again = measures_workbook(org_a, FY)
    assert _cells(again) == _cells(original)
    assert again == original


def test_round_trip_into_other_org(org_a, staff_a):
    _build(org_a, staff_a)
    original = measures_workbook(org_a, FY)
    other = OrganisationFactory(name="เทศบาลตำบลซี", slug="org-c")
    DivisionFactory(organisation=other, name="สำนักปลัด", order=1)
    DivisionFactory(organisation=other, name="กองคลัง", order=2)
    staff_c = MembershipFactory(organisation=other).user
    _import(other, original, staff_c)
    again = measures_workbook(other, FY)
    assert _cells(again) == _cells(original)
    first, second = _members(original), _members(again)
    assert first.keys() == second.keys()
    assert {name for name in first if first[name] != second[name]} == {"docProps/core.xml"}
