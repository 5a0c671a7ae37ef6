"""The approval snapshot and the stored PDF (reports/workflow/transitions.py, reports/printing/stored_pdf.py,
reports.documents.views.document_data).

From approval on, a document shows what it said when it was approved: later edits of the measure (title,
guideline, steps), the divisions, the organisation, the document's signer, the entries and the memo change
only a new draft. The snapshot is plain JSON. Publishing renders the PDF from the snapshot once, after the
commit; a failing renderer leaves the publication standing without a stored file.
"""
from __future__ import annotations

import copy
import io
import json

import pypdf
import pytest

from measures.models import Measure, MeasureStep
from orgs.models import Division, Organisation
from reports.documents import memo as memo_service
from reports.documents.data import build_document_data
from reports.documents.views import document_data
from reports.entries import services as entry_services
from reports.models import Document, DocumentKind, DocumentStatus, Memo, ProgressEntry, WorkflowAction
from reports.printing import rendering, stored_pdf
from reports.workflow import rules, transitions

from .factories import MeasureFactory, MeasureStepFactory
from .helpers.pdf import norm

pytestmark = pytest.mark.django_db

FY = 2568


@pytest.fixture
def measure(org_a):
    measure = MeasureFactory(organisation=org_a, fiscal_year=FY, title="มาตรการเดิม", guideline="แนวทางเดิม",
                             report_rounds=[6, 12])
    measure.divisions.add(org_a.divisions.get(name="สำนักปลัด"))
    MeasureStepFactory(measure=measure, order=1, text="ขั้นตอนเดิม")
    MeasureStepFactory(measure=measure, order=2, text="ขั้นตอนที่จะลบ")
    return measure


def approved(org, kind, staff, approver, *, output="ผลเดิม") -> Document:
    """A document with a signer, a memo and (a progress report) an entry, submitted and approved."""
    doc = transitions.create_document(org, fiscal_year=FY, kind=kind, round=6 if kind == DocumentKind.PROGRESS else 0,
                                      actor=staff)
    Document.objects.filter(pk=doc.pk).update(signer_name="นายเดิม ใจดี", signer_position="ปลัดเทศบาล")
    Memo.objects.create(document=doc, department="สำนักปลัด", subject="เรื่องเดิม", addressee="นายกเทศมนตรี",
                        body="เรื่องเดิม\n\nข้อความเดิม")
    for entry in doc.entries.all():
        entry_services.save_entry(entry, data={"output": output}, expected_version=entry.version, actor=staff)
    transitions.submit_document(doc, actor=staff)
    transitions.approve_document(doc, actor=approver)
    return Document.objects.get(pk=doc.pk)


def change_everything(org, measure, doc):
    Measure.objects.filter(pk=measure.pk).update(title="มาตรการใหม่", guideline="แนวทางใหม่")
    MeasureStep.objects.filter(measure=measure, text="ขั้นตอนเดิม").update(text="ขั้นตอนแก้ไข")
    MeasureStep.objects.filter(measure=measure, text="ขั้นตอนที่จะลบ").delete()
    MeasureStepFactory(measure=measure, order=3, text="ขั้นตอนเพิ่ม")
    Division.objects.filter(organisation=org, name="สำนักปลัด").update(name="สำนักปลัดเทศบาล")
    Organisation.objects.filter(pk=org.pk).update(name="เทศบาลเมืองเอ")
    Document.objects.filter(pk=doc.pk).update(signer_name="นางใหม่ ใจงาม", signer_position="รองปลัดเทศบาล")
    ProgressEntry.objects.filter(document=doc).update(output="ผลใหม่")
    Memo.objects.filter(document=doc).update(subject="เรื่องใหม่")


def with_decision(data, decision):
    return {**data, "memo": {**data["memo"], "decision": decision}}


def assert_old(data, kind):
    m = data["measures"][0]
    assert data["organisation"]["name"] == "เทศบาลตำบลเอ"
    assert (m["title"], m["guideline"], m["steps"], m["responsible"]) == (
        ["มาตรการเดิม"], ["แนวทางเดิม"], ["๑. ขั้นตอนเดิม", "๒. ขั้นตอนที่จะลบ"], ["สำนักปลัด"])
    assert data["signer"]["name"] == "นายเดิม ใจดี" and data["memo"]["subject"] == "เรื่องเดิม"
    assert m["output"] == (["ผลเดิม"] if kind == DocumentKind.PROGRESS else [])


def assert_new(data, kind):
    m = data["measures"][0]
    assert data["organisation"]["name"] == "เทศบาลเมืองเอ"
    assert (m["title"], m["guideline"], m["steps"], m["responsible"]) == (
        ["มาตรการใหม่"], ["แนวทางใหม่"], ["๑. ขั้นตอนแก้ไข", "๒. ขั้นตอนเพิ่ม"], ["สำนักปลัดเทศบาล"])
    role = "ผู้รายงาน" if kind == DocumentKind.PROGRESS else "ผู้จัดทำ"  # the label of the kind
    assert data["signer"] == {"name": "นางใหม่ ใจงาม", "position": "รองปลัดเทศบาล", "role": role}
    assert data["memo"]["subject"] == "เรื่องใหม่"
    assert m["output"] == (["ผลใหม่"] if kind == DocumentKind.PROGRESS else [])


@pytest.mark.parametrize("kind", [DocumentKind.PROGRESS, DocumentKind.MEASURES],
                         ids=["a progress report", "a measures plan"])
def test_an_approved_document_keeps_what_it_said_at_approval(org_a, measure, staff_a, approver_a, admin_a, kind):
    doc = approved(org_a, kind, staff_a, approver_a)
    frozen = copy.deepcopy(doc.snapshot)
    assert frozen == build_document_data(doc)  # at approval the snapshot is the live data
    assert (frozen["status"], frozen["is_draft"]) == ("approved", False)
    assert_old(frozen, kind)
    # Read back, the memo carries the decision of the approval (from the event, not the snapshot).
    decision = memo_service.approval_decision(doc)
    assert decision["text"] == "อนุมัติ" and decision["name"] == rules.actor_name(approver_a)
    assert frozen["memo"]["decision"] is None
    assert document_data(doc) == with_decision(frozen, decision)

    change_everything(org_a, measure, doc)
    transitions.publish_document(doc, actor=approver_a)

    doc = Document.objects.get(pk=doc.pk)
    assert doc.snapshot == frozen
    assert document_data(doc) == with_decision({**frozen, "status": "published"}, decision)
    assert_new(build_document_data(doc), kind)  # the live data did change

    transitions.withdraw_document(doc, actor=admin_a, reason="ข้อมูลเปลี่ยน")
    draft = transitions.new_revision(Document.objects.get(pk=doc.pk), actor=staff_a)
    assert_new(build_document_data(draft), kind)  # a new draft shows the changes
    assert document_data(draft) == build_document_data(draft)
    assert document_data(Document.objects.get(pk=doc.pk)) == with_decision({**frozen, "status": "withdrawn"}, decision)


def test_the_snapshot_is_plain_json_before_and_after_the_database(org_a, measure, staff_a, approver_a):
    doc = approved(org_a, DocumentKind.PROGRESS, staff_a, approver_a, output="ผล ๑๐๐%\nhttps://example.go.th/a?b=1")
    live = build_document_data(doc)
    text = json.dumps(live, ensure_ascii=False)
    assert json.loads(text) == live  # no tuples, no non-string keys, no dates or model objects
    stored = Document.objects.get(pk=doc.pk).snapshot
    assert stored == live and json.loads(json.dumps(stored)) == stored
    assert stored["measures"][0]["output"] == ["ผล ๑๐๐%", "https://example.go.th/a?b=1"]


def test_a_draft_and_a_submitted_document_print_from_live_data(org_a, measure, staff_a):
    doc = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=6, actor=staff_a)
    Measure.objects.filter(pk=measure.pk).update(title="มาตรการใหม่")
    assert document_data(doc)["measures"][0]["title"] == ["มาตรการใหม่"] and doc.snapshot is None
    transitions.submit_document(doc, actor=staff_a)
    doc = Document.objects.get(pk=doc.pk)
    Measure.objects.filter(pk=measure.pk).update(title="มาตรการล่าสุด")
    data = document_data(doc)
    assert data["measures"][0]["title"] == ["มาตรการล่าสุด"] and (data["status"], data["is_draft"]) == (
        "submitted", True)


# --- the stored PDF -------------------------------------------------------------------------------

def pdf_text(path) -> str:
    return norm("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages))


def test_publishing_stores_the_pdf_rendered_from_the_snapshot(
        settings, tmp_path, django_capture_on_commit_callbacks, org_a, measure, staff_a, approver_a):
    settings.MEDIA_ROOT = tmp_path
    doc = approved(org_a, DocumentKind.PROGRESS, staff_a, approver_a)
    Measure.objects.filter(pk=measure.pk).update(title="มาตรการใหม่")

    with django_capture_on_commit_callbacks(execute=True):
        transitions.publish_document(doc, actor=approver_a)

    doc = Document.objects.get(pk=doc.pk)
    assert doc.status == DocumentStatus.PUBLISHED and doc.pdf_rendered_at is not None
    assert doc.pdf_file.name.startswith(f"published/{org_a.pk}/") and doc.pdf_file.name.endswith(".pdf")
    stored = tmp_path / doc.pdf_file.name
    assert stored.read_bytes().startswith(b"%PDF")
    text = pdf_text(stored)
    assert norm("มาตรการเดิม") in text and norm("มาตรการใหม่") not in text
    assert norm("ผลเดิม") in text and "ฉบับร่าง" not in text  # no draft watermark
    assert stored_pdf.render_stored_pdf(doc) is False  # rendered once; kept


def test_a_failing_renderer_leaves_the_document_published_without_a_file(
        settings, tmp_path, django_capture_on_commit_callbacks, monkeypatch, caplog, org_a, measure, staff_a,
        approver_a):
    settings.MEDIA_ROOT = tmp_path
    doc = approved(org_a, DocumentKind.PROGRESS, staff_a, approver_a)

    def broken(*args, **kwargs):
        raise RuntimeError("the PDF engine is down")

    monkeypatch.setattr(rendering, "render_document_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        transitions.publish_document(doc, actor=approver_a)

    assert callbacks  # the rendering was attempted after the commit
    doc = Document.objects.get(pk=doc.pk)
    assert doc.status == DocumentStatus.PUBLISHED and doc.published_by == approver_a
    assert not doc.pdf_file and doc.pdf_rendered_at is None
    assert doc.events.filter(action=WorkflowAction.PUBLISH).count() == 1
    assert not (tmp_path / "published").exists()
    assert "the PDF engine is down" in caplog.text

    monkeypatch.undo()  # the next try renders it
    assert stored_pdf.render_stored_pdf(doc) is True
    assert (tmp_path / Document.objects.get(pk=doc.pk).pdf_file.name).exists()
