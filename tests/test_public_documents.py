"""The public document pages (no sign-in): the stable address shows the current published revision,
/r<N>/ one revision forever (a withdrawn one with its notice), never a draft, submitted or approved
revision; the stored PDF with its content-hash ETag; public evidence files of a published revision only;
the ITAS link list; caching headers, conditional requests and fixed query counts.

Every state is made through the workflow and entry services (notify=False); all requests are anonymous."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date
from django.utils.html import escape

from ita.models import OITItem
from reports.documents import links
from reports.entries import services as entry_services
from reports.models import Document, DocumentKind, DocumentStatus
from reports.workflow import transitions
from reports.workflow.tasks import render_published_pdf

from .factories import AssessmentYearFactory, DocumentFactory, MeasureFactory, MeasureStepFactory
from .helpers.workflow import publish

pytestmark = pytest.mark.django_db

SITE = "https://ita.example.go.th"
FY = 2568
OLD_MEASURE = "มาตรการเปิดเผยข้อมูลการจัดซื้อจัดจ้างต่อสาธารณะ"
NEW_MEASURE = "มาตรการส่งเสริมการมีส่วนร่วมของประชาชนฉบับแก้ไข"
RETURN_COMMENT = "ความเห็นภายในห้ามเผยแพร่ กรุณาแก้ไขตารางก่อน"
APPROVE_COMMENT = "อนุมัติตามเสนอ บันทึกภายใน"
REASON = "ข้อมูลในตารางผิดพลาด ต้องแก้ไขผลการดำเนินการ"


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = SITE
    return tmp_path


@pytest.fixture
def measure(org_a):
    measure = MeasureFactory(organisation=org_a, fiscal_year=FY, order=1, title=OLD_MEASURE,
                             report_rounds=[6, 12])
    MeasureStepFactory(measure=measure, order=1, text="ประชุมชี้แจงบุคลากร")
    return measure


# --- helpers -------------------------------------------------------------------------------------

def reload(document):
    return Document.objects.select_related("organisation").get(pk=document.pk)


def create(org, staff, kind="progress", round_=6):
    return reload(transitions.create_document(org, fiscal_year=FY, kind=kind, round=round_, actor=staff, notify=False))


def submit(document, staff):
    return reload(transitions.submit_document(document, actor=staff, notify=False))


def approve(document, approver, comment=""):
    return reload(transitions.approve_document(document, actor=approver, comment=comment, notify=False))


def withdraw(document, admin, reason=REASON):
    return reload(transitions.withdraw_document(document, actor=admin, reason=reason, notify=False))


def revise(document, staff):
    return reload(transitions.new_revision(document, actor=staff))


def page_url(kind="progress-6", revision=None, slug="org-a", fy=FY):
    if revision is None:
        return reverse("public:document", args=[slug, fy, kind])
    return reverse("public:revision", args=[slug, fy, kind, revision])


def pdf_url(kind="progress-6", revision=None, slug="org-a", fy=FY):
    if revision is None:
        return reverse("public:document_pdf", args=[slug, fy, kind])
    return reverse("public:revision_pdf", args=[slug, fy, kind, revision])


def evidence_url(ev, revision=1, kind="progress-6", slug="org-a"):
    return reverse("public:evidence", args=[slug, FY, kind, revision, ev.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def html(response) -> str:
    return response.content.decode()


def pdf_upload(name="รายงานการประชุม.pdf"):
    content = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def add_file(entry, staff, *, public, title):
    return entry_services.add_evidence_file(entry, upload=pdf_upload(), title=title, actor=staff, is_public=public)


def add_link(entry, staff, *, public, title, url="https://www.example.go.th/news/1"):
    return entry_services.add_evidence_link(entry, url=url, title=title, actor=staff, is_public=public)


@pytest.fixture
def published(org_a, measure, staff_a, approver_a):
    return publish(create(org_a, staff_a), staff_a, approver_a)


@pytest.fixture
def report_with_evidence(org_a, measure, staff_a, approver_a):
    """A published 6-month report with a public and an internal file, a public and an internal link
    and a public link of an unsafe scheme."""
    document = create(org_a, staff_a)
    entry = document.entries.get()
    evidence = {
        "public_file": add_file(entry, staff_a, public=True, title="ภาพกิจกรรมสาธารณะ"),
        "internal_file": add_file(entry, staff_a, public=False, title="รายชื่อผู้เข้าร่วมภายใน"),
        "public_link": add_link(entry, staff_a, public=True, title="ข่าวประชาสัมพันธ์สาธารณะ"),
        "internal_link": add_link(entry, staff_a, public=False, title="ลิงก์ภายในห้ามเผยแพร่",
                                  url="https://intranet.example.go.th/secret"),
        "unsafe_link": add_link(entry, staff_a, public=True, title="ลิงก์สคริปต์", url="javascript:alert(1)"),
    }
    return publish(document, staff_a, approver_a), evidence


# --- the stable address and revisions ------------------------------------------------------------

def test_the_stable_address_shows_the_published_revision(client, published):
    response = client.get(page_url())
    assert response.status_code == 200
    text = html(response)
    assert OLD_MEASURE in text
    assert "เทศบาลตำบลเอ" in text and "อำเภอเมือง จังหวัดขอนแก่น" in text
    assert 'data-revision="1"' in text and 'data-status="published"' in text
    assert "data-withdrawn-notice" not in text
    assert re.search(r'<html lang="th"', text)
    stable = f"{SITE}/o/org-a/{FY}/progress-6/"
    assert f'<link rel="canonical" href="{stable}">' in text
    assert f'value="{stable}"' in text  # the address to copy into ITAS
    # Until the background task has stored the PDF: the document at once, and a notice instead of the link.
    assert f'href="{pdf_url()}"' not in text and "data-pdf-being-prepared" in text
    assert "กำลังจัดทำไฟล์ PDF" in text
    assert render_published_pdf.call(published.pk) is True  # the worker
    text = html(client.get(page_url()))
    assert f'href="{pdf_url()}"' in text and "data-pdf-being-prepared" not in text
    # The same document under its permanent revision address.
    revision_page = client.get(page_url(revision=1))
    assert revision_page.status_code == 200 and OLD_MEASURE in html(revision_page)
    assert f'<link rel="canonical" href="{stable}">' in html(revision_page)


def test_the_table_is_accessible_and_headings_are_in_order(client, published):
    text = html(client.get(page_url()))
    assert re.search(r"<table[^>]*doc-table[^>]*>\s*<caption>", text)
    headers = re.findall(r"<th\b[^>]*>", text.split("data-document-table", 1)[1].split("</table>", 1)[0])
    assert headers and all('scope="col"' in th for th in headers)
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", text.split('id="main"', 1)[1])]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels


def test_after_withdrawal_and_a_new_revision_the_stable_address_shows_revision_2(
        client, org_a, measure, staff_a, approver_a, admin_a, published):
    render_published_pdf.call(published.pk)  # the worker stored its PDF
    withdraw(published, admin_a)
    draft = revise(published, staff_a)
    measure.title = NEW_MEASURE  # revision 2 is approved from the changed measure
    measure.save()
    second = publish(draft, staff_a, approver_a)
    assert second.revision == 2

    stable = html(client.get(page_url()))
    assert 'data-revision="2"' in stable and NEW_MEASURE in stable and OLD_MEASURE not in stable
    assert "data-withdrawn-notice" not in stable
    # The history lists both revisions, with the public reason of the withdrawal, each linking its page.
    assert 'data-history-revision="1"' in stable and 'data-history-revision="2"' in stable
    assert REASON in stable and f'href="{page_url(revision=1)}"' in stable

    first = client.get(page_url(revision=1))
    assert first.status_code == 200
    text = html(first)
    assert 'data-revision="1"' in text and 'data-status="withdrawn"' in text
    assert OLD_MEASURE in text and NEW_MEASURE not in text  # its own frozen content
    assert "data-withdrawn-notice" in text and REASON in text
    assert f'href="{page_url(revision=2)}"' in text  # points to the current revision
    assert f'href="{pdf_url(revision=1)}"' in text  # its PDF stays on record
    assert client.get(page_url(revision=2)).status_code == 200


def test_the_stable_address_of_a_withdrawn_document_shows_the_notice_and_no_pdf(
        client, published, admin_a):
    withdraw(published, admin_a)
    response = client.get(page_url())
    assert response.status_code == 200
    text = html(response)
    assert "data-withdrawn-notice" in text and REASON in text
    assert "data-pdf-link" not in text and pdf_url() not in text
    assert client.get(pdf_url()).status_code == 404


def _to_status(document, status, staff, approver):
    if status in (DocumentStatus.SUBMITTED, DocumentStatus.APPROVED):
        document = submit(document, staff)
    if status == DocumentStatus.APPROVED:
        document = approve(document, approver)
    assert document.status == status
    return document


@pytest.mark.parametrize("status", [DocumentStatus.DRAFT, DocumentStatus.SUBMITTED, DocumentStatus.APPROVED])
def test_unpublished_documents_are_404_at_every_address(client, org_a, measure, staff_a, approver_a, status):
    document = create(org_a, staff_a)
    ev = add_file(document.entries.get(), staff_a, public=True, title="ภาพกิจกรรม")
    _to_status(document, status, staff_a, approver_a)
    for url in (page_url(), page_url(revision=1), pdf_url(), pdf_url(revision=1), evidence_url(ev)):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("public:itas", args=["org-a", FY])).status_code == 200  # the list itself exists


@pytest.mark.parametrize("status", [DocumentStatus.DRAFT, DocumentStatus.SUBMITTED, DocumentStatus.APPROVED])
def test_an_unpublished_revision_2_after_a_withdrawn_revision_1_is_404(
        client, published, staff_a, approver_a, admin_a, status):
    withdraw(published, admin_a)
    draft = revise(published, staff_a)
    ev = add_file(draft.entries.get(), staff_a, public=True, title="ภาพกิจกรรมฉบับแก้ไข")
    _to_status(draft, status, staff_a, approver_a)
    for url in (page_url(revision=2), pdf_url(revision=2), evidence_url(ev, revision=2)):
        assert client.get(url).status_code == 404, url
    text = html(client.get(page_url()))
    assert 'data-revision="1"' in text and "data-withdrawn-notice" in text  # still revision 1, withdrawn
    assert 'data-history-revision="2"' not in text


def test_a_draft_revision_2_next_to_a_published_revision_1_stays_hidden(client, org_a, published):
    DocumentFactory(organisation=org_a, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=6, revision=2)
    text = html(client.get(page_url()))
    assert 'data-revision="1"' in text and 'data-status="published"' in text
    assert 'data-history-revision="2"' not in text
    for url in (page_url(revision=2), pdf_url(revision=2)):
        assert client.get(url).status_code == 404, url


def test_workflow_comments_never_appear(client, org_a, measure, staff_a, approver_a):
    document = submit(create(org_a, staff_a), staff_a)
    transitions.return_document(document, actor=approver_a, comment=RETURN_COMMENT, notify=False)
    document = approve(submit(reload(document), staff_a), approver_a, comment=APPROVE_COMMENT)
    transitions.publish_document(document, actor=approver_a, notify=False, render=False)
    for url in (page_url(), page_url(revision=1), reverse("public:itas", args=["org-a", FY])):
        response = client.get(url)
        assert response.status_code == 200
        text = html(response)
        assert RETURN_COMMENT not in text and escape(RETURN_COMMENT) not in text
        assert APPROVE_COMMENT not in text


@pytest.mark.parametrize("url", [
    "/o/nobody/2568/progress-6/",          # unknown organisation
    "/o/org-a/2570/progress-6/",           # no document that year
    "/o/org-a/2568/progress-12/",          # no document of that round
    "/o/org-a/2568/measures/",             # no document of that kind
    "/o/org-a/2568/progress-5/",           # unknown kind
    "/o/org-a/2568/report/",               # unknown kind
    "/o/org-a/2568/progress-6/r2/",        # unknown revision
    "/o/org-a/2568/progress-6/r2/pdf/",
    "/o/org-a/2570/progress-6/pdf/",
    "/o/org-b/2568/progress-6/",           # another organisation's address
    "/o/nobody/2568/itas/",
])
def test_unknown_addresses_are_404(client, published, org_b, url):
    assert client.get(url).status_code == 404


def test_other_kinds_have_their_own_addresses(client, org_a, measure, staff_a, approver_a):
    plan = publish(create(org_a, staff_a, kind="measures", round_=0), staff_a, approver_a)
    analysis = publish(create(org_a, staff_a, kind="analysis", round_=0), staff_a, approver_a)
    plan_page = client.get(page_url("measures"))
    assert plan_page.status_code == 200 and OLD_MEASURE in html(plan_page)
    assert links.absolute(links.document_path(plan)) in html(plan_page)
    analysis_page = client.get(page_url("analysis"))
    assert analysis_page.status_code == 200 and "data-analysis" in html(analysis_page)
    assert "ยังไม่มีผลการประเมิน ITA" in html(analysis_page)  # no ITA result entered for 2567
    assert analysis.revision == 1 and client.get(page_url("progress-6")).status_code == 404


# --- evidence -------------------------------------------------------------------------------------

def test_public_evidence_is_listed_and_served_internal_evidence_is_not(client, report_with_evidence):
    _document, ev = report_with_evidence
    text = html(client.get(page_url()))
    assert "ภาพกิจกรรมสาธารณะ" in text and f'href="{evidence_url(ev["public_file"])}"' in text
    assert re.search(r'<a href="https://www\.example\.go\.th/news/1" rel="noopener">ข่าวประชาสัมพันธ์สาธารณะ</a>',
                     text)
    for hidden in ("internal_file", "internal_link"):
        assert ev[hidden].title not in text
    assert "intranet.example.go.th" not in text and evidence_url(ev["internal_file"]) not in text
    assert "javascript:" not in text  # a link that is not http(s) is not shown

    response = client.get(evidence_url(ev["public_file"]))
    assert response.status_code == 200
    stored = ev["public_file"].file
    with stored.open("rb") as fh:
        assert body(response) == fh.read()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=3600"

    assert client.get(evidence_url(ev["internal_file"])).status_code == 404
    assert client.get(evidence_url(ev["public_link"])).status_code == 404  # a link has no file


def test_evidence_made_internal_after_publication_disappears(client, report_with_evidence, approver_a):
    _document, ev = report_with_evidence
    entry_services.set_evidence_public(ev["public_file"], public=False, actor=approver_a)
    assert "ภาพกิจกรรมสาธารณะ" not in html(client.get(page_url()))
    assert client.get(evidence_url(ev["public_file"])).status_code == 404
    entry_services.set_evidence_public(ev["internal_file"], public=True, actor=approver_a)
    assert "รายชื่อผู้เข้าร่วมภายใน" in html(client.get(page_url()))
    assert client.get(evidence_url(ev["internal_file"])).status_code == 200


def test_evidence_of_a_withdrawn_revision_is_404_and_not_listed(client, report_with_evidence, admin_a):
    document, ev = report_with_evidence
    withdraw(document, admin_a)
    assert client.get(evidence_url(ev["public_file"])).status_code == 404
    text = html(client.get(page_url(revision=1)))
    assert "ภาพกิจกรรมสาธารณะ" not in text and "ข่าวประชาสัมพันธ์สาธารณะ" not in text


def test_evidence_only_under_its_own_revision_and_organisation(
        client, report_with_evidence, org_b, staff_b, approver_a):
    _document, ev = report_with_evidence
    url = evidence_url(ev["public_file"])
    assert client.get(url).status_code == 200
    assert client.get(evidence_url(ev["public_file"], slug="org-b")).status_code == 404
    assert client.get(evidence_url(ev["public_file"], kind="progress-12")).status_code == 404
    assert client.get(evidence_url(ev["public_file"], revision=2)).status_code == 404
    # Organisation B's staff, signed in, gets nothing more than the public.
    client.force_login(staff_b)
    assert client.get(evidence_url(ev["internal_file"])).status_code == 404
    assert client.get(evidence_url(ev["public_file"], slug="org-b")).status_code == 404


# --- the PDF --------------------------------------------------------------------------------------

def test_the_pdf_is_the_stored_file_with_its_etag_and_conditional_requests(client, published, admin_a):
    assert not published.pdf_file  # render=False: no task queued
    waiting = client.get(pdf_url())  # the request never renders it: "being prepared, try again shortly"
    assert waiting.status_code == 503 and waiting["Retry-After"] == "60"
    assert waiting["Cache-Control"] == "no-store" and waiting["Content-Type"].startswith("text/html")
    assert "กำลังจัดทำไฟล์ PDF" in html(waiting) and f'href="{page_url()}"' in html(waiting)
    assert not reload(published).pdf_file
    assert render_published_pdf.call(published.pk) is True  # the worker
    response = client.get(pdf_url())
    assert response.status_code == 200
    document = reload(published)
    assert document.pdf_file
    with document.pdf_file.open("rb") as fh:
        stored = fh.read()
    assert body(response) == stored and stored.startswith(b"%PDF")
    stem = document.pdf_file.name.rsplit("/", 1)[-1].removesuffix(".pdf")
    assert re.fullmatch(rf"{document.pk}-[0-9a-f]{{20}}", stem)
    assert response["ETag"] == f'"{stem}"'
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('inline; filename="ita-progress-2568-r6-org-a.pdf"; filename*=UTF-8\'\'')
    assert response["Cache-Control"] == "public, no-cache"  # the stable address: always revalidated
    last_modified = max(document.published_at, document.pdf_rendered_at)
    assert response["Last-Modified"] == http_date(last_modified.timestamp())

    again = client.get(pdf_url(), headers={"If-None-Match": f'"{stem}"'})
    assert again.status_code == 304 and again["ETag"] == f'"{stem}"'
    assert again["Cache-Control"] == "public, no-cache"
    since = client.get(pdf_url(), headers={"If-Modified-Since": response["Last-Modified"]})
    assert since.status_code == 304
    other = client.get(pdf_url(), headers={"If-None-Match": '"1-0000"'})
    assert other.status_code == 200
    revision_pdf = client.get(pdf_url(revision=1))
    assert revision_pdf.status_code == 200 and revision_pdf["Cache-Control"] == "public, max-age=3600"
    assert reload(published).pdf_file.name == document.pdf_file.name  # rendered once

    # Withdrawn: the stable PDF is gone, the revision's own PDF stays as a permanent record.
    withdraw(document, admin_a)
    assert client.get(pdf_url()).status_code == 404
    kept = client.get(pdf_url(revision=1))
    assert kept.status_code == 200 and body(kept) == stored and kept["ETag"] == f'"{stem}"'


# --- caching of the pages ---------------------------------------------------------------------------

def test_pages_are_cacheable_and_answer_conditional_requests(client, published, admin_a):
    response = client.get(page_url())
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, no-cache"  # stable: a republish shows at once
    assert client.get(page_url(revision=1))["Cache-Control"] == "public, max-age=300"
    assert response["Last-Modified"] == http_date(published.published_at.timestamp())
    etag = response["ETag"]
    assert etag

    assert client.get(page_url(), headers={"If-None-Match": etag}).status_code == 304
    not_modified = client.get(page_url(), headers={"If-Modified-Since": response["Last-Modified"]})
    assert not_modified.status_code == 304 and not_modified["Cache-Control"] == "public, no-cache"

    withdraw(published, admin_a)  # the page changes: the validators change with it
    after = client.get(page_url(), headers={"If-None-Match": etag})
    assert after.status_code == 200 and after["ETag"] != etag
    withdrawn_at = reload(published).withdrawn_at
    assert after["Last-Modified"] == http_date(withdrawn_at.timestamp())

    itas = client.get(reverse("public:itas", args=["org-a", FY]))
    assert itas.status_code == 200 and itas["Cache-Control"] == "public, no-cache"
    assert itas["Last-Modified"] == after["Last-Modified"]
    assert client.get(reverse("public:itas", args=["org-a", FY]),
                      headers={"If-None-Match": itas["ETag"]}).status_code == 304
    assert "public" not in client.get("/o/org-a/2570/progress-6/").get("Cache-Control", "")


def test_changing_public_evidence_changes_the_page_validators(client, report_with_evidence, approver_a):
    _document, ev = report_with_evidence
    first = client.get(page_url())
    entry_services.set_evidence_public(ev["public_file"], public=False, actor=approver_a)
    second = client.get(page_url(), headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200 and "ภาพกิจกรรมสาธารณะ" not in html(second)


# --- the ITAS list ------------------------------------------------------------------------------------

@pytest.fixture
def itas_items(db):
    year = AssessmentYearFactory(year=FY)
    OITItem.objects.create(year=year, number=1, code="O1", title="โครงสร้าง", portal_documents="")
    OITItem.objects.create(year=year, number=42, code="O42", title="มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
                           portal_documents="analysis|measures")
    OITItem.objects.create(year=year, number=43, code="O43",
                           title="การดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน",
                           portal_documents="progress")
    return year


def itas_row(text, code):
    match = re.search(rf'<tr data-item="{code}">.*?</tr>', text, re.S)
    assert match, f"{code} is not listed"
    return match.group(0)


def test_the_itas_page_lists_the_stable_addresses_of_published_documents(
        client, org_a, measure, staff_a, approver_a, itas_items):
    publish(create(org_a, staff_a, kind="measures", round_=0), staff_a, approver_a)
    publish(create(org_a, staff_a, kind="progress", round_=6), staff_a, approver_a)
    submit(create(org_a, staff_a, kind="progress", round_=12), staff_a)  # submitted, not published
    response = client.get(reverse("public:itas", args=["org-a", FY]))
    assert response.status_code == 200
    text = html(response)
    assert 'data-item="O1"' not in text  # not answered by our documents
    o42 = itas_row(text, "O42")
    assert f'value="{SITE}/o/org-a/{FY}/measures/"' in o42
    assert "/analysis/" not in o42  # no analysis published: not listed on its own
    o43 = itas_row(text, "O43")
    assert f'value="{SITE}/o/org-a/{FY}/progress-6/"' in o43
    assert "progress-12/" not in o43
    assert re.search(r'data-slot="progress-12">.*?data-not-published', o43, re.S)
    assert re.search(r'<input[^>]*readonly[^>]*data-itas-url', o43)
    assert f'<link rel="canonical" href="{SITE}/o/org-a/{FY}/itas/">' in text


def test_the_itas_page_says_not_published_yet_and_when_there_is_no_catalogue(client, org_a, itas_items, staff_a):
    create(org_a, staff_a, kind="measures", round_=0)  # a draft only
    text = html(client.get(reverse("public:itas", args=["org-a", FY])))
    assert "data-itas-url" not in text
    assert re.search(r'data-slot="measures">.*?data-not-published', itas_row(text, "O42"), re.S)
    other_year = client.get(reverse("public:itas", args=["org-a", 2590]))
    assert other_year.status_code == 200 and "data-no-catalogue" in html(other_year)


def test_the_itas_page_follows_a_withdrawal_and_a_new_revision(
        client, org_a, measure, staff_a, approver_a, admin_a, itas_items):
    first = publish(create(org_a, staff_a, kind="measures", round_=0), staff_a, approver_a)
    withdraw(first, admin_a)
    text = html(client.get(reverse("public:itas", args=["org-a", FY])))
    assert "data-itas-url" not in itas_row(text, "O42")
    publish(revise(first, staff_a), staff_a, approver_a)
    text = html(client.get(reverse("public:itas", args=["org-a", FY])))
    assert f'value="{SITE}/o/org-a/{FY}/measures/"' in itas_row(text, "O42")  # the same stable address


# --- query counts -------------------------------------------------------------------------------------

def _report(org, staff, approver, admin, measures: int, revisions: int):
    for n in range(measures):
        m = MeasureFactory(organisation=org, fiscal_year=FY, order=n, title=f"มาตรการที่ {n}", report_rounds=[6])
        MeasureStepFactory(measure=m, text=f"ขั้นตอนของมาตรการ {n}")
    document = create(org, staff)
    for entry in document.entries.all():
        add_file(entry, staff, public=True, title=f"ภาพ {entry.pk}")
        add_link(entry, staff, public=True, title=f"ข่าว {entry.pk}")
    document = publish(document, staff, approver)
    for _ in range(revisions - 1):
        withdraw(document, admin)
        document = publish(revise(document, staff), staff, approver)
    return document


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("measures,revisions", [(2, 1), (10, 3)])
def test_page_query_count_is_fixed(client, org_a, staff_a, approver_a, admin_a, measures, revisions,
                                   django_assert_max_num_queries):
    document = _report(org_a, staff_a, approver_a, admin_a, measures, revisions)
    assert document.revision == revisions
    text = html(client.get(page_url()))
    assert text.count('data-evidence-kind="file"') == measures and text.count("data-history-revision=") == revisions
    with django_assert_max_num_queries(3):
        assert client.get(page_url()).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(page_url(revision=1)).status_code == 200
    with django_assert_max_num_queries(5):  # + the confirmed OIT register (oit)
        assert client.get(reverse("public:itas", args=["org-a", FY])).status_code == 200


def test_query_counts_do_not_grow_with_measures_or_revisions(client, org_a, org_b, staff_a, approver_a, admin_a,
                                                             staff_b, admin_b):
    from orgs.models import Membership, Role

    from .factories import UserFactory

    approver_b = UserFactory(username="approver_b")
    Membership.objects.create(user=approver_b, organisation=org_b, role=Role.APPROVER)
    _report(org_a, staff_a, approver_a, admin_a, measures=2, revisions=1)
    _report(org_b, staff_b, approver_b, admin_b, measures=10, revisions=3)
    small = _count(client, page_url(slug="org-a"))
    large = _count(client, page_url(slug="org-b"))
    assert large == small
    assert _count(client, reverse("public:itas", args=["org-b", FY])) == _count(
        client, reverse("public:itas", args=["org-a", FY]))


# --- accessibility in a real browser ------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_public_pages_have_no_serious_accessibility_violations(
        page, live_server, report_with_evidence, itas_items):
    from .helpers.a11y import axe_violations

    for url in (page_url(), reverse("public:itas", args=["org-a", FY])):
        assert page.goto(f"{live_server.url}{url}").status == 200
        assert page.locator("html").get_attribute("lang") == "th"
        assert axe_violations(page) == [], url
