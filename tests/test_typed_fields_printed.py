"""Everything typed is printed: for each document kind × each layout it may use, every field a user can
type is filled with a unique marker, and the PDF (``pdftotext -raw``, whitespace removed) holds exactly
the markers the layout declares (measures.layouts.printed_fields); the default layout of each
kind declares every typed field of the kind. Also: the layouts offered per kind, the settings page's
account of what a layout leaves out, step numbering, and the optional analysis section ๔."""
from __future__ import annotations

import importlib
import re
import subprocess
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from ita.models import AssessmentResult, Indicator, IndicatorScore, ToolScore, ToolWeight
from measures.forms import MeasureForm, StepForm
from measures.layouts import KINDS, TYPED_FIELDS, default_layout, layout_columns, layouts_for, printed_fields
from measures.models import Measure
from orgs.models import Division
from reports.documents.data import build_document_data, effective_layout
from reports.documents.settings import layout_notes, save_document_settings
from reports.entries import services as entry_services
from reports.entries.forms import EVIDENCE_FIELDS, EntryForm
from reports.models import Document, DocumentKind, Layout, ProgressEntry
from reports.printing.rendering import RenderOptions, render_document_pdf, render_preview_html
from reports.workflow import transitions
from reports.workflow.rules import WorkflowError

from .factories import AssessmentYearFactory, DocumentFactory, MeasureFactory, MeasureStepFactory, ToolFactory

pytestmark = pytest.mark.django_db

FY = 2570

# Typed field -> what the PDF must show for it (normalised: NFKC, no whitespace). Text fields carry an
# ASCII marker; dates are checked as the document writes them (full month names, Thai digits).
EXPECTED = {
    "group_heading": ["QG01"],
    "title": ["QT02"],
    "guideline": ["QL03"],
    "weakness": ["QW04"],
    "steps": ["QS05"],
    "sub_steps": ["QB06"],
    "step_due": ["ภายในวันที่๑๕มกราคม๒๕๗๐", "ภายในวันที่๒๐กุมภาพันธ์๒๕๗๐"],
    "responsible": ["QR07", "QV08"],  # responsible as written (measure 1); a division's name (measure 2)
    "timeline": ["QM09", "ตุลาคม๒๕๖๙ถึงมีนาคม๒๕๗๐"],  # as written (measure 1); the months (measure 2)
    "monitoring": ["QN10"],
    "output": ["QO11"],
    "outcome": ["QC12"],
    "status_reason": ["QZ13"],
    "activity_dates": ["๓พฤศจิกายน๒๕๖๙", "๒๕พฤศจิกายน๒๕๖๙"],
}
# The fields of the forms staff type into, and the typed field each one fills. Choices from lists
# (tools, indicators, OIT items, report rounds, entry status) select, they are not typed; they group
# and order the table (layout B's tool sections) or feed other pages.
FORM_FIELDS = {
    "measure": {
        "group_heading": "group_heading", "title": "title", "guideline": "guideline", "weakness": "weakness",
        "divisions": "responsible", "responsible_text": "responsible", "start_month": "timeline",
        "end_month": "timeline", "timeline_text": "timeline", "monitoring": "monitoring",
    },
    "step": {"text": "steps", "due_date": "step_due", "label": "steps"},
    "entry": {"output": "output", "outcome": "outcome", "status_reason": "status_reason",
              "activity_start": "activity_dates", "activity_end": "activity_dates"},
}
SELECTIONS = {"tools", "indicators", "oit_items", "report_rounds", "version", "id", "level", "status"}
# Evidence (files and links) is listed under its measure by the evidence part of the report, not a
# table column.
EVIDENCE = set(EVIDENCE_FIELDS)


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return norm(out.decode())


def fill_measures(org) -> list[Measure]:
    """Two measures with every typed field filled: measure 1 with markers everywhere (responsible and
    timeline as written), measure 2 with a division and the months instead."""
    iit = ToolFactory(code="IIT", name="แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน", order=1)
    division = Division.objects.create(organisation=org, name="กองQV08", order=9)
    first = MeasureFactory(
        organisation=org, fiscal_year=FY, order=1, group_heading="กลุ่มมาตรการ QG01",
        title="มาตรการเปิดเผยข้อมูล QT02", guideline="แนวทางการปฏิบัติ QL03", weakness="จุดอ่อน QW04",
        responsible_text="ผู้รับผิดชอบ QR07", timeline_text="ตลอดปีงบประมาณ QM09",
        monitoring="รายงานผู้บริหาร QN10", report_rounds=[6, 12],
    )
    first.tools.add(iit)
    step = MeasureStepFactory(measure=first, order=1, text="ประชุมชี้แจง QS05", due_date=date(2027, 1, 15))
    MeasureStepFactory(measure=first, parent=step, order=1, text="จัดทำหนังสือเชิญ QB06",
                       due_date=date(2027, 2, 20))
    second = MeasureFactory(
        organisation=org, fiscal_year=FY, order=2, group_heading="กลุ่มมาตรการ QG01",
        title="มาตรการที่สอง", start_month=date(2026, 10, 1), end_month=date(2027, 3, 1), report_rounds=[6, 12],
    )
    second.tools.add(iit)
    second.divisions.add(division)
    MeasureStepFactory(measure=second, order=1, text="ขั้นตอนของมาตรการที่สอง")
    return [first, second]


def make_document(org, kind: str, layout: str) -> Document:
    document = DocumentFactory(organisation=org, fiscal_year=FY, kind=kind,
                               round=6 if kind == DocumentKind.PROGRESS else 0, layout=layout)
    if kind == DocumentKind.PROGRESS:
        first, second = Measure.objects.filter(organisation=org, fiscal_year=FY).order_by("order")
        ProgressEntry.objects.create(
            document=document, measure=first, output="ประชุมแล้ว QO11", outcome="บุคลากรรับทราบ QC12",
            status="not_done", status_reason="งบประมาณไม่เพียงพอ QZ13",
            activity_start=date(2026, 11, 3), activity_end=date(2026, 11, 25))
        ProgressEntry.objects.create(document=document, measure=second, status="in_progress")
    return document


KIND_LAYOUT_CASES = [(kind, layout) for kind, k in KINDS.items() for layout in k.layouts]


# --- the declaration ------------------------------------------------------------------------------------

def test_every_form_field_staff_type_is_a_declared_typed_field():
    """A new field on the measure, step or entry form must be declared (and so tested below)."""
    forms = {"measure": MeasureForm.base_fields, "step": StepForm.base_fields, "entry": EntryForm.base_fields}
    for name, fields in forms.items():
        typed = set(fields) - SELECTIONS - EVIDENCE
        assert typed == set(FORM_FIELDS[name]), name
        assert set(FORM_FIELDS[name].values()) <= set(TYPED_FIELDS)
    covered = {field for mapping in FORM_FIELDS.values() for field in mapping.values()}
    assert covered | {"sub_steps"} == set(TYPED_FIELDS) == set(EXPECTED)


def test_default_layout_of_each_kind_declares_every_typed_field_and_offered_layouts_show_the_essentials():
    for kind, fields in ((kind, k.typed_fields) for kind, k in KINDS.items()):
        if not fields:
            assert layouts_for(kind) == () and default_layout(kind) == ""
            continue
        default = default_layout(kind)
        assert default == layouts_for(kind)[0]
        assert set(fields) <= printed_fields(default), (kind, default)
        for layout in layouts_for(kind):
            assert KINDS[kind].essential <= printed_fields(layout), (kind, layout)
    # A progress report needs its output and outcome: D (a plan layout) prints neither.
    assert Layout.D not in layouts_for(DocumentKind.PROGRESS)
    assert not printed_fields(Layout.D) & {"output", "outcome"}
    # D stays what real plans in that format are: no timeline, no due dates.
    assert not printed_fields(Layout.D) & {"timeline", "step_due"}
    assert [key for key, _h in layout_columns(Layout.D)] == [
        "title", "guideline", "steps", "responsible", "plan_monitoring"]


# --- the PDF holds what each layout declares, and only that ----------------------------------------------

@pytest.mark.parametrize(("kind", "layout"), KIND_LAYOUT_CASES)
def test_pdf_prints_every_typed_field_the_layout_declares(org_a, kind, layout):
    fill_measures(org_a)
    document = make_document(org_a, kind, layout)
    data = build_document_data(document)
    assert data["layout"] == layout
    text = pdf_text(render_document_pdf(data))
    declared = printed_fields(layout)
    for field in TYPED_FIELDS:
        for expected in EXPECTED[field]:
            if field in declared:
                assert norm(expected) in text, (kind, layout, field, expected)
            elif not (field == "title" and layout == Layout.B):
                assert norm(expected) not in text, (kind, layout, field, expected)


@pytest.mark.parametrize("kind", [DocumentKind.MEASURES, DocumentKind.PROGRESS])
def test_a_new_document_prints_every_typed_field_of_its_kind(org_a, staff_a, kind):
    fill_measures(org_a)
    document = transitions.create_document(org_a, fiscal_year=FY, kind=kind,
                                           round=6 if kind == DocumentKind.PROGRESS else 0, actor=staff_a)
    assert document.layout == "" and effective_layout(document) == default_layout(kind)
    if kind == DocumentKind.PROGRESS:
        first = document.entries.get(measure__order=1)
        entry_services.save_entry(first, data={
            "output": "ประชุมแล้ว QO11", "outcome": "บุคลากรรับทราบ QC12", "status": "not_done",
            "status_reason": "งบประมาณไม่เพียงพอ QZ13", "activity_start": date(2026, 11, 3),
            "activity_end": date(2026, 11, 25)}, expected_version=first.version, actor=staff_a)
    text = pdf_text(render_document_pdf(build_document_data(document)))
    for field in KINDS[kind].typed_fields:
        for expected in EXPECTED[field]:
            assert norm(expected) in text, (kind, field, expected)


# --- layouts offered, existing documents ----------------------------------------------------------------

def test_progress_report_settings_never_offer_or_save_a_layout_without_progress(client, staff_a, org_a):
    fill_measures(org_a)
    report = make_document(org_a, DocumentKind.PROGRESS, "")
    client.force_login(staff_a)
    url = reverse("reports:settings", args=[org_a.slug, report.pk])
    page = client.get(url)
    assert re.findall(r'<option value="([A-Z]?)"', page.text) == ["", "A", "B", "C"]
    response = client.post(url, {"version": report.version, "layout": "D", "month_style": "full",
                                 "title": "ชื่อที่พิมพ์ไว้"})
    assert response.status_code == 400
    assert "รูปแบบ D ไม่สามารถพิมพ์เอกสารประเภทนี้ได้ครบถ้วน" in response.text
    assert 'value="ชื่อที่พิมพ์ไว้"' in response.text
    with pytest.raises(WorkflowError) as exc:
        save_document_settings(report, data={"layout": "E"}, expected_version=report.version, actor=staff_a)
    assert exc.value.code == "layout"
    assert Document.objects.get(pk=report.pk).layout == ""


def test_a_progress_report_left_in_d_prints_in_the_organisation_default_and_the_migration_clears_it(org_a):
    fill_measures(org_a)
    org_a.default_layout = "C"
    org_a.save()
    report = make_document(org_a, DocumentKind.PROGRESS, "")
    Document.objects.filter(pk=report.pk).update(layout="D")  # stored before layouts were checked per kind
    plan = make_document(org_a, DocumentKind.MEASURES, "")
    report.refresh_from_db()
    assert effective_layout(report) == "C"
    assert "QO11" in pdf_text(render_document_pdf(build_document_data(report)))
    migration = importlib.import_module("reports.migrations.0007_plan_layouts")
    migration.keep_plans_in_d(django_apps, None)
    assert Document.objects.get(pk=report.pk).layout == ""  # the organisation's default from now on
    assert Document.objects.get(pk=plan.pk).layout == "D"  # a plan made before E existed keeps D


def test_frozen_plan_snapshot_keeps_printing_in_d(org_a):
    fill_measures(org_a)
    plan = make_document(org_a, DocumentKind.MEASURES, "D")
    data = build_document_data(plan)
    for measure in data["measures"]:  # a snapshot frozen before this change had no such texts
        del measure["steps_due"], measure["progress_notes"]
    data["columns"] = {key: value for key, value in data["columns"].items() if key in "ABCD"}
    html = render_preview_html(data)
    assert 'class="report layout-D"' in html and "QS05" in html
    # Asked for E, the old snapshot still prints (E's columns from its defaults).
    html = render_preview_html(data, RenderOptions(layout="E"))
    assert 'class="report layout-E"' in html and "QM09" in html


# --- the settings page says what the chosen layout leaves out ---------------------------------------------

def test_settings_page_names_what_each_plan_layout_leaves_out(client, staff_a, org_a):
    fill_measures(org_a)
    plan = make_document(org_a, DocumentKind.MEASURES, "D")
    client.force_login(staff_a)
    page = client.get(reverse("reports:settings", args=[org_a.slug, plan.pk])).text
    notes = dict(re.findall(r'<li data-layout-note="([A-Z])"[^>]*>(.*?)</li>', page, re.S))
    assert set(notes) == {"D", "E", "F"}
    assert "data-current" in re.search(r'<li data-layout-note="D"[^>]*>', page).group(0)
    assert "รูปแบบที่เอกสารนี้ใช้พิมพ์อยู่ขณะนี้" in notes["D"]
    for label in ("ไม่พิมพ์", "ประเด็นที่เป็นข้อบกพร่อง/จุดอ่อน", "วันที่กำหนดแล้วเสร็จของขั้นตอน",
                  "ระยะเวลาการดำเนินการ"):
        assert label in notes["D"]
    assert "พิมพ์ทุกข้อมูลที่กรอกไว้" in notes["E"] and "ไม่พิมพ์" not in notes["E"]
    assert "ประเด็นที่เป็นข้อบกพร่อง/จุดอ่อน" in notes["F"] and "การกำกับติดตาม" in notes["F"]
    assert "วันที่กำหนดแล้วเสร็จของขั้นตอน" not in notes["F"]


def test_layout_notes_follow_the_columns_chosen_for_layout_a(org_a):
    report = DocumentFactory(organisation=org_a, fiscal_year=FY, kind=DocumentKind.PROGRESS, layout="A",
                             columns=[{"key": "measure"}, {"key": "output"}])
    notes = {note["layout"]: note for note in layout_notes(report)}
    assert notes["A"]["current"]
    assert "ผลลัพธ์" in notes["A"]["left_out"] and "ระยะเวลาการดำเนินการ" in notes["A"]["left_out"]
    assert notes["C"]["left_out"] == []


# --- step numbering ----------------------------------------------------------------------------------------

def test_a_number_typed_at_the_start_of_a_step_is_its_only_number_in_thai_digits(org_a, staff_a, client):
    measure = MeasureFactory(organisation=org_a, fiscal_year=FY, order=1, title="มาตรการเลขขั้นตอน")
    typed = ["1. ขั้นตอนแรก", "๒. ขั้นตอนที่สอง", "3) ขั้นตอนที่สาม", "(4) ขั้นตอนที่สี่", "๕) ขั้นตอนที่ห้า",
             "งบประมาณ 2570 บาท"]
    steps = [MeasureStepFactory(measure=measure, order=i, text=text) for i, text in enumerate(typed, 1)]
    MeasureStepFactory(measure=measure, parent=steps[0], order=1, text="(1) ข้อย่อยแรก")
    MeasureStepFactory(measure=measure, parent=steps[0], order=2, text="1.2 ข้อย่อยที่สอง")
    MeasureStepFactory(measure=measure, order=7, label="7.", text="7. ขั้นตอนที่เจ็ด")
    MeasureStepFactory(measure=measure, order=8, text="๘.ประชุมติดกัน")
    expected = ["๑. ขั้นตอนแรก", "(๑) ข้อย่อยแรก", "๑.๒ ข้อย่อยที่สอง", "๒. ขั้นตอนที่สอง", "๓) ขั้นตอนที่สาม",
                "(๔) ขั้นตอนที่สี่", "๕) ขั้นตอนที่ห้า", "๖. งบประมาณ 2570 บาท", "๗. ขั้นตอนที่เจ็ด",
                "๘. ประชุมติดกัน"]
    for layout in ("D", "E"):
        plan = make_document(org_a, DocumentKind.MEASURES, layout)
        data = build_document_data(plan)
        key = "steps" if layout == "D" else "steps_due"
        assert data["measures"][0][key] == expected
        text = pdf_text(render_document_pdf(data))
        for line in expected:
            assert norm(line) in text, (layout, line)
        for doubled in ("๑.1.", "๑.๑.", "๒.๒.", "๓.3)", "(๑)(1)", "๗.7."):
            assert doubled not in text
        html = render_preview_html(data)
        assert ">๑. ขั้นตอนแรก<" in html and "1. ขั้นตอนแรก" not in html
        arabic = render_preview_html(data, RenderOptions(arabic_digits=True))
        assert ">1. ขั้นตอนแรก<" in arabic and ">3) ขั้นตอนที่สาม<" in arabic
        plan.delete()
    # The progress entry page shows the measure's steps the same way.
    report = DocumentFactory(organisation=org_a, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=0)
    entry = ProgressEntry.objects.create(document=report, measure=measure)
    client.force_login(staff_a)
    page = client.get(reverse("reports:entry", args=[org_a.slug, report.pk, entry.pk])).text
    assert "๑. ขั้นตอนแรก" in page and "1. ขั้นตอนแรก" not in page and "๓) ขั้นตอนที่สาม" in page


# --- the analysis: optional parts that are empty print nothing ----------------------------------------------

SECTION_4 = norm("ประเด็นที่ควรพัฒนา จำแนกตามเครื่องมือการประเมิน")


def make_result(org, *, with_development: bool):
    year = AssessmentYearFactory(year=FY - 1, scale="new")
    iit = ToolFactory(code="IIT", name="แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน", order=1)
    eit = ToolFactory(code="EIT", name="แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก", order=2)
    for tool, weight in ((iit, 50), (eit, 50)):
        ToolWeight.objects.get_or_create(year=year, tool=tool, defaults={"weight": weight})
    result = AssessmentResult.objects.create(organisation=org, year=year, total_score=Decimal("88.50"))
    ToolScore.objects.create(result=result, tool=iit, score=Decimal("90.00"))
    ToolScore.objects.create(result=result, tool=eit, score=Decimal("87.00"))
    for number, (tool, score) in enumerate(((iit, "90.00"), (eit, "80.00"), (eit, "94.00")), start=1):
        indicator = Indicator.objects.create(year=year, tool=tool, number=number, name=f"ตัวชี้วัดทดสอบ{number}")
        develop = with_development and number == 2
        IndicatorScore.objects.create(
            result=result, indicator=indicator, score=Decimal(score),
            assessment_points="ประเด็นการประเมิน QA21" if develop else "",
            issues_to_improve="ประเด็นที่ควรพัฒนา QD22" if develop else "")
    return result


@pytest.mark.parametrize("with_development", [False, True])
def test_analysis_section_4_prints_only_what_was_typed(org_a, with_development):
    make_result(org_a, with_development=with_development)
    analysis = DocumentFactory(organisation=org_a, fiscal_year=FY, kind=DocumentKind.ANALYSIS, round=0)
    data = build_document_data(analysis)
    text = pdf_text(render_document_pdf(data))
    assert norm("จุดอ่อน") in text  # sections ๑–๓ are always there
    if not with_development:
        assert SECTION_4 not in text and norm("ประเด็นการประเมิน") not in text
        assert "tool-issues" not in render_preview_html(data)
    else:
        assert SECTION_4 in text and "QA21" in text and "QD22" in text
        # Only the tool with something typed, numbered ๔.๑; the indicators without anything are left out.
        assert norm("๔.๑แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายนอก") in text
        assert norm("๔.๒") not in text
        html = render_preview_html(data)
        assert html.count('class="tool-issues"') == 1 and "ตัวชี้วัดทดสอบ3" not in html.split("tool-issues")[1]


def test_a_plan_in_front_of_which_the_analysis_prints_has_no_empty_section_4(org_a):
    fill_measures(org_a)
    make_result(org_a, with_development=False)
    plan = make_document(org_a, DocumentKind.MEASURES, "")
    text = pdf_text(render_document_pdf(build_document_data(plan)))
    assert norm("ผลคะแนนการประเมิน") in text and SECTION_4 not in text


def test_preview_offers_the_layouts_of_the_kind_only(client, staff_a, org_a):
    fill_measures(org_a)
    plan = make_document(org_a, DocumentKind.MEASURES, "")
    report = make_document(org_a, DocumentKind.PROGRESS, "")
    client.force_login(staff_a)
    page = client.get(reverse("reports:detail", args=[org_a.slug, plan.pk])).text
    select = re.search(r'<select[^>]*name="layout".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([A-Z]?)"', select) == ["", "E", "F", "D"]
    preview = reverse("reports:preview", args=[org_a.slug, plan.pk])
    assert 'class="report layout-E"' in client.get(preview).text
    assert 'class="report layout-F"' in client.get(preview, {"o": "1", "layout": "F"}).text
    preview = reverse("reports:preview", args=[org_a.slug, report.pk])
    html = client.get(preview, {"o": "1", "layout": "D"}).text  # not a layout of a progress report
    assert 'class="report layout-D"' not in html and 'class="report layout-A"' in html and "QO11" in html


def test_organisation_default_layout_is_one_that_prints_progress(client, admin_a, org_a):
    from orgs.models import Organisation

    field = Organisation._meta.get_field("default_layout")
    assert tuple(value for value, _label in field.choices) == layouts_for(DocumentKind.PROGRESS)
    client.force_login(admin_a)
    data = {"name": org_a.name, "kind": org_a.kind, "district": org_a.district, "province": org_a.province,
            "website": "", "address": "", "phone": "", "email": "", "strength_threshold": "85.00",
            "default_layout": "D"}
    response = client.post(reverse("orgs:settings", args=[org_a.slug]), data)
    assert response.status_code in (200, 400)
    assert "ตัวเลือก" in response.text  # Django's Thai "choose a valid choice" next to the field
    org_a.refresh_from_db()
    assert org_a.default_layout == "A"


@pytest.mark.parametrize("with_development", [False, True])
def test_docx_of_the_analysis_has_section_4_only_with_content(org_a, with_development):
    import io

    import docx

    from reports.exports.docx import render_document_docx

    make_result(org_a, with_development=with_development)
    analysis = DocumentFactory(organisation=org_a, fiscal_year=FY, kind=DocumentKind.ANALYSIS, round=0)
    word = docx.Document(io.BytesIO(render_document_docx(build_document_data(analysis))))
    texts = norm(" ".join(p.text for p in word.paragraphs))
    assert (SECTION_4 in texts) is with_development
    assert ("QD22" in norm(" ".join(c.text for t in word.tables for r in t.rows for c in r.cells))) is with_development
