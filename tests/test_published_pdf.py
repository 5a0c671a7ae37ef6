"""The stored PDF of a published document: rendered once from the approval snapshot (by a background task
queued after the commit of publish_document, or by ``rerender_published --missing-only``), served as stored, never changed by later edits of the
measures or the organisation, kept when the document is withdrawn, and re-rendered by
``rerender_published`` after a template or font fix.

The workflow is driven through reports.workflow.transitions inside ``django_capture_on_commit_callbacks(execute=True)``
so the on-commit render runs as it does in production. Text is read with tests/helpers/pdf.py
(pypdf, NFKC, whitespace removed)."""
import os
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from measures.models import Measure
from reports.models import Document, DocumentStatus
from reports.printing import stored_pdf
from reports.workflow import transitions

from .factories import MeasureFactory, MeasureStepFactory
from .helpers.pdf import norm, page_texts
from .helpers.workflow import publish

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

TITLE = "รายงานผลการดำเนินการตามมาตรการ ฉบับทดสอบการเผยแพร่"
OLD_MEASURE = "มาตรการเปิดเผยข้อมูลการจัดซื้อจัดจ้างต่อสาธารณะ"
OLD_STEP = "ประชุมชี้แจงบุคลากรเรื่องขั้นตอนการจัดซื้อจัดจ้าง"
NEW_MEASURE = "มาตรการส่งเสริมการมีส่วนร่วมของประชาชนฉบับแก้ไข"
NEW_STEP = "จัดเวทีประชาคมรับฟังความคิดเห็นฉบับแก้ไข"
OLD_ORG = "เทศบาลตำบลเอ"
NEW_ORG = "เทศบาลตำบลเอใหม่"
ARABIC = re.compile(r"[0-9]")
THAI_DIGIT = re.compile(r"[๐-๙]")


@pytest.fixture
def measure(org_a):
    measure = MeasureFactory(organisation=org_a, fiscal_year=2568, order=1, title=OLD_MEASURE,
                             responsible_text="สำนักปลัด")
    MeasureStepFactory(measure=measure, order=1, text=OLD_STEP)
    return measure


def make_draft(org, staff, round_=6, title=TITLE):
    document = transitions.create_document(org, fiscal_year=2568, kind="progress", round=round_, actor=staff,
                                           notify=False)
    if title:
        document.title = title  # a draft's own setting (the settings page does the same)
        document.save(update_fields=["title"])
    return Document.objects.select_related("organisation").get(pk=document.pk)


@pytest.fixture
def published(org_a, measure, staff_a, approver_a, django_capture_on_commit_callbacks):
    return publish(make_draft(org_a, staff_a), staff_a, approver_a, render=True,
                   capture=django_capture_on_commit_callbacks)


def stored_bytes(document) -> bytes:
    with document.pdf_file.open("rb") as fh:
        return fh.read()


def text_of(pdf: bytes) -> str:
    return norm(page_texts(pdf))


def url(name, document, query=""):
    return reverse(f"reports:{name}", args=[document.organisation.slug, document.pk]) + query


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def edit_measure_and_organisation(measure):
    measure.title = NEW_MEASURE
    measure.save()
    step = measure.steps.get()
    step.text = NEW_STEP
    step.save()
    org = measure.organisation
    org.name = NEW_ORG
    org.save()


# --- publication stores the PDF ---------------------------------------------------------------------

def test_publishing_stores_a_pdf_of_the_snapshot(published, media):
    assert published.status == DocumentStatus.PUBLISHED and published.snapshot is not None
    assert published.pdf_file and published.pdf_rendered_at is not None
    assert published.pdf_file.name.startswith(f"published/{published.organisation_id}/")
    assert (media / published.pdf_file.name).is_file()
    pdf = stored_bytes(published)
    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    assert norm(TITLE) in text and norm(OLD_MEASURE) in text and norm(OLD_STEP) in text
    assert norm(OLD_ORG) in text
    assert norm("ฉบับร่าง") not in text  # a published document carries no draft watermark


def test_pdf_view_serves_exactly_the_stored_bytes_and_leaves_the_file_alone(client, staff_a, published):
    stored = stored_bytes(published)
    name, rendered_at = published.pdf_file.name, published.pdf_rendered_at
    client.force_login(staff_a)
    for _ in range(2):
        response = client.get(url("pdf", published))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert body(response) == stored
    published.refresh_from_db()
    assert (published.pdf_file.name, published.pdf_rendered_at) == (name, rendered_at)
    assert stored_bytes(published) == stored
    # the document's own options, sent explicitly from the page's form, are the stored PDF too
    response = client.get(url("pdf", published, "?o=1"))
    assert body(response) == stored


def test_pdf_of_another_organisation_is_404(client, staff_b, published):
    client.force_login(staff_b)
    for name in ("pdf", "preview", "detail"):
        assert client.get(url(name, published)).status_code == 404
    other_slug = reverse("reports:pdf", args=["org-b", published.pk])
    assert client.get(other_slug).status_code == 404


# --- later edits never change a published document ------------------------------------------------

def test_edits_after_publication_change_neither_the_stored_pdf_nor_the_views(
        client, staff_a, approver_a, org_a, measure, published, django_capture_on_commit_callbacks):
    stored = stored_bytes(published)
    name = published.pdf_file.name
    edit_measure_and_organisation(Measure.objects.get(pk=measure.pk))
    client.force_login(staff_a)

    response = client.get(url("pdf", published))
    assert body(response) == stored
    text = text_of(stored)
    assert norm(OLD_MEASURE) in text and norm(OLD_STEP) in text and norm(OLD_ORG) in text
    assert norm(NEW_MEASURE) not in text and norm(NEW_STEP) not in text and norm(NEW_ORG) not in text

    preview = client.get(url("preview", published))
    assert preview.status_code == 200
    assert OLD_MEASURE in preview.text and OLD_STEP in preview.text and OLD_ORG in preview.text
    assert NEW_MEASURE not in preview.text and NEW_STEP not in preview.text and NEW_ORG not in preview.text

    # other print options: rendered on the fly, still from the snapshot; the stored file is untouched
    response = client.get(url("pdf", published, "?o=1&arabic_digits=on"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    on_the_fly = body(response)
    assert on_the_fly != stored and on_the_fly.startswith(b"%PDF")
    whole = "\n".join(page_texts(on_the_fly))
    assert norm(OLD_MEASURE) in norm(whole) and norm(NEW_MEASURE) not in norm(whole)
    assert norm(OLD_ORG) in norm(whole) and norm(NEW_ORG) not in norm(whole)
    assert not THAI_DIGIT.search(whole) and ARABIC.search(whole)
    assert THAI_DIGIT.search("\n".join(page_texts(stored)))  # the document's own setting: Thai digits
    published.refresh_from_db()
    assert published.pdf_file.name == name and stored_bytes(published) == stored

    # a new draft prints from live data: the new texts
    draft = make_draft(org_a, staff_a, round_=12, title="")
    preview = client.get(url("preview", draft))
    assert NEW_MEASURE in preview.text and NEW_STEP in preview.text and NEW_ORG in preview.text
    assert OLD_MEASURE not in preview.text
    draft_pdf = body(client.get(url("pdf", draft)))
    assert norm(NEW_MEASURE) in text_of(draft_pdf) and norm(NEW_ORG) in text_of(draft_pdf)
    draft.refresh_from_db()
    assert not draft.pdf_file  # a draft's PDF is never stored


# --- render=False: the request never stores it ---------------------------------------------------------

def test_before_the_pdf_is_stored_staff_get_the_snapshot_printed_and_the_request_stores_nothing(
        client, org_a, measure, staff_a, approver_a, django_capture_on_commit_callbacks, media):
    document = publish(make_draft(org_a, staff_a), staff_a, approver_a, capture=django_capture_on_commit_callbacks,
                       render=False)
    assert document.status == DocumentStatus.PUBLISHED and not document.pdf_file
    assert not (media / "published").exists()
    edit_measure_and_organisation(Measure.objects.get(pk=measure.pk))  # the download still shows the snapshot
    client.force_login(staff_a)
    first = body(client.get(url("pdf", document)))
    assert first.startswith(b"%PDF")
    assert norm(OLD_MEASURE) in text_of(first) and norm(NEW_MEASURE) not in text_of(first)
    document.refresh_from_db()
    assert not document.pdf_file and not (media / "published").exists()  # rendering is the background task's
    assert "rendered 1, skipped 0" in rerender("--missing-only")
    document.refresh_from_db()
    stored = stored_bytes(document)
    assert norm(OLD_MEASURE) in text_of(stored) and norm(NEW_MEASURE) not in text_of(stored)
    assert body(client.get(url("pdf", document))) == stored


# --- rerender_published -------------------------------------------------------------------------------

def rerender(*args):
    out, err = StringIO(), StringIO()
    call_command("rerender_published", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_rerender_published_renders_again_under_a_new_name_and_deletes_the_old_file(published, media):
    old = published.pdf_file.name
    assert "rendered 1, skipped 0" in rerender()
    published.refresh_from_db()
    assert published.pdf_file.name != old
    assert not (media / old).exists() and (media / published.pdf_file.name).is_file()
    assert norm(OLD_MEASURE) in text_of(stored_bytes(published))
    assert "rendered 1, skipped 0" in rerender()  # again: the same result, one file
    assert len(list((media / "published").rglob("*.pdf"))) == 1


def test_a_file_another_document_still_names_is_kept(published, org_a, staff_a, approver_a, media,
                                                    django_capture_on_commit_callbacks):
    """Documents may share one stored file (seed_scale's synthetic documents do): re-rendering one of
    them never deletes what the other still serves."""
    second = publish(make_draft(org_a, staff_a, round_=12), staff_a, approver_a,
                     capture=django_capture_on_commit_callbacks, render=False)
    shared = published.pdf_file.name
    Document.objects.filter(pk=second.pk).update(pdf_file=shared)
    stored_pdf.render_stored_pdf(Document.objects.get(pk=published.pk), force=True)
    assert Document.objects.get(pk=published.pk).pdf_file.name != shared
    assert (media / shared).is_file() and stored_bytes(Document.objects.get(pk=second.pk)).startswith(b"%PDF")
    stored_pdf.render_stored_pdf(Document.objects.get(pk=second.pk), force=True)
    assert not (media / shared).exists()  # the last one to name it lets it go


def test_rerender_missing_only_skips_documents_that_have_a_file(
        published, org_a, org_b, staff_a, approver_a, staff_b, django_capture_on_commit_callbacks, media):
    MeasureFactory(organisation=org_a, fiscal_year=2568, order=2, title="มาตรการที่สองของรอบสิบสองเดือน")
    second = publish(make_draft(org_a, staff_a, round_=12), staff_a, approver_a,
                     capture=django_capture_on_commit_callbacks, render=False)
    draft = make_draft(org_b, staff_b, title="")  # drafts are never rendered
    name = published.pdf_file.name
    assert not second.pdf_file

    assert "rendered 1, skipped 1" in rerender("--missing-only")
    published.refresh_from_db()
    second.refresh_from_db()
    draft.refresh_from_db()
    assert published.pdf_file.name == name
    assert second.pdf_file and stored_bytes(second).startswith(b"%PDF")
    assert not draft.pdf_file
    assert "rendered 0, skipped 2" in rerender("--missing-only")  # idempotent

    assert "rendered 0, skipped 0" in rerender("--org", "org-b")
    assert "rendered 2, skipped 0" in rerender("--org", "org-a")
    with pytest.raises(CommandError):
        rerender("--org", "no-such-org")


def test_rerender_goes_on_after_a_failure_and_then_fails(
        published, org_a, staff_a, approver_a, django_capture_on_commit_callbacks, media):
    second = publish(make_draft(org_a, staff_a, round_=12), staff_a, approver_a,
                     capture=django_capture_on_commit_callbacks, render=False)
    Document.objects.filter(pk=published.pk).update(snapshot={"broken": True})  # a snapshot that cannot render
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("rerender_published", stdout=out, stderr=err)
    assert "rendered 1, skipped 0, failed 1" in out.getvalue()
    assert "FAILED" in err.getvalue()
    second.refresh_from_db()
    assert second.pdf_file and stored_bytes(second).startswith(b"%PDF")


# --- withdrawal -----------------------------------------------------------------------------------------

def test_a_withdrawn_document_keeps_its_pdf(client, staff_a, admin_a, published, media):
    stored = stored_bytes(published)
    name = published.pdf_file.name
    transitions.withdraw_document(published, actor=admin_a, reason="พบข้อความผิดพลาดในตาราง", notify=False)
    published.refresh_from_db()
    assert published.status == DocumentStatus.WITHDRAWN
    assert published.pdf_file.name == name and (media / name).is_file()
    client.force_login(staff_a)
    assert body(client.get(url("pdf", published))) == stored
    assert "rendered 1, skipped 0" in rerender()  # withdrawn documents are re-rendered too
    published.refresh_from_db()
    assert published.pdf_file.name != name and not os.path.exists(media / name)


def test_stored_pdf_is_named_by_its_content_hash_which_is_its_etag(client, staff_a, published):
    import hashlib

    stored = stored_bytes(published)
    digest = hashlib.sha256(stored).hexdigest()[:20]
    assert published.pdf_file.name == f"published/{published.organisation_id}/{published.pk}-{digest}.pdf"
    client.force_login(staff_a)
    response = client.get(url("pdf", published))
    assert response["ETag"] == f'"{published.pk}-{digest}"'
    again = client.get(url("pdf", published), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"] and not again.content
    stale = client.get(url("pdf", published), HTTP_IF_NONE_MATCH='"1-0000"')
    assert stale.status_code == 200 and body(stale) == stored


def test_rendering_is_left_to_a_background_task(
        org_a, measure, staff_a, approver_a, settings, django_capture_on_commit_callbacks, client):
    from django_tasks import default_task_backend

    from reports.workflow.tasks import render_published_pdf

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    document = make_draft(org_a, staff_a)
    document = transitions.submit_document(document, actor=staff_a, notify=False)
    document = transitions.approve_document(Document.objects.get(pk=document.pk), actor=approver_a, notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        transitions.publish_document(Document.objects.get(pk=document.pk), actor=approver_a, notify=False)
    document.refresh_from_db()
    assert document.status == DocumentStatus.PUBLISHED and not document.pdf_file
    [queued] = default_task_backend.results
    assert queued.task.module_path == "reports.workflow.tasks.render_published_pdf"
    assert list(queued.args) == [document.pk]
    assert render_published_pdf.call(*queued.args) is True  # the worker
    document.refresh_from_db()
    assert document.pdf_file and norm(OLD_MEASURE) in text_of(stored_bytes(document))
