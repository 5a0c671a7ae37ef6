"""The whole workflow of a progress report in a real browser (Chromium through Playwright): staff fill in
the entry of a measure with an image and a link as evidence and submit; the approver returns the report
with a comment; staff add the date and submit again; the approver approves and publishes. The published
PDF holds what staff typed, and a later edit of the measure changes neither the published preview nor
its PDF. Selectors use names, ids and data- attributes, never translated labels."""
import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from measures.models import Measure
from reports.models import Document, DocumentStatus, EntryStatus, EvidenceKind, WorkflowAction
from reports.workflow import transitions

from .factories import MeasureFactory, MeasureStepFactory
from .helpers.browser import sign_in
from .helpers.pdf import norm, page_texts

NAMES = {"staff_a": ("สมศรี", "ผู้จัดทำ"), "approver_a": ("สมปอง", "ผู้อนุมัติ")}

OLD_TITLE = "มาตรการเผยแพร่ข้อมูลข่าวสาร"
NEW_TITLE = "มาตรการเผยแพร่ข้อมูลข่าวสารฉบับปรับปรุง"
OUTPUT = "จัดประชุมชี้แจงบุคลากร"
DATE_LINE = "เมื่อวันที่ ๑๕ มกราคม ๒๕๖๘"
OUTCOME = "บุคลากรเข้าใจขั้นตอน"
IMAGE_TITLE = "ภาพกิจกรรมประชุม"
LINK_URL = "https://www.example.go.th/news/1"
LINK_TITLE = "ข่าวประชาสัมพันธ์"
RETURN_COMMENT = "กรุณาระบุวันที่จัดกิจกรรม"


def full_name(username):
    return " ".join(NAMES[username])


def open_document(page, live_server, org, document):
    """From the documents list to the document page, as a user goes."""
    page.goto(f"{live_server.url}{reverse('reports:index', args=[org.slug])}")
    detail = reverse("reports:detail", args=[org.slug, document.pk])
    page.click(f"a[href='{detail}']")
    page.wait_for_url(re.compile(re.escape(detail) + "$"))


def open_entry(page, entry):
    page.click(f"tr[data-entry-row='{entry.pk}'] a")
    page.wait_for_url(re.compile(re.escape(
        reverse("reports:entry", args=[entry.document.organisation.slug, entry.document_id, entry.pk])) + "$"))


def expect_status(page, status):
    expect(page.locator("[data-status]")).to_have_attribute("data-status", status)


def status_of(document):
    return Document.objects.get(pk=document.pk).status


@pytest.fixture
def cast(staff_a, approver_a):
    """Each member gets a name of their own, so the timeline shows who did what."""
    for user in (staff_a, approver_a):
        user.first_name, user.last_name = NAMES[user.username]
        user.save(update_fields=["first_name", "last_name"])
    return staff_a, approver_a


@pytest.fixture
def measure(org_a):
    measure = MeasureFactory(organisation=org_a, fiscal_year=2568, order=1, title=OLD_TITLE, report_rounds=[6],
                             responsible_text="สำนักปลัด")
    first = MeasureStepFactory(measure=measure, order=1, text="ประชุมชี้แจงบุคลากร")
    MeasureStepFactory(measure=measure, parent=first, order=1, text="จัดทำรายชื่อผู้เข้าร่วม")
    MeasureStepFactory(measure=measure, order=2, text="เผยแพร่ข่าวบนเว็บไซต์")
    return measure


@pytest.fixture
def report(org_a, cast, measure):
    # The "New document" form offers only the current fiscal year and one either side
    # (reports.workflow.forms.fiscal_year_choices), so 2568 is not offered after September 2569: the
    # report is created with the service that form calls (reports.workflow.views.create).
    staff_a, _approver = cast
    document = transitions.create_document(org_a, fiscal_year=2568, kind="progress", round=6, actor=staff_a,
                                           notify=False)
    assert [e.measure_id for e in document.entries.all()] == [measure.pk]
    return document


@pytest.fixture
def png(tmp_path):
    path = tmp_path / "ภาพกิจกรรม.png"
    Image.new("RGB", (8, 6), (0, 120, 200)).save(path, "PNG")
    return path


@pytest.mark.browser
def test_a_progress_report_goes_from_draft_to_published_in_the_browser(
        page, browser, live_server, media, org_a, org_b, staff_b, cast, measure, report, png):
    entry = report.entries.get()
    detail_path = reverse("reports:detail", args=[org_a.slug, report.pk])

    # --- 1. staff fill in the entry with an image and a link, then submit -------------------------
    sign_in(page, live_server, "staff_a", reverse("reports:index", args=[org_a.slug]))
    open_document(page, live_server, org_a, report)
    expect_status(page, DocumentStatus.DRAFT)
    open_entry(page, entry)
    expect(page.locator("[data-measure] h2")).to_have_text(OLD_TITLE)
    page.fill("textarea[name=output]", OUTPUT)
    page.fill("textarea[name=outcome]", OUTCOME)
    page.select_option("select[name=status]", EntryStatus.DONE)
    page.set_input_files("input[name=evidence_file]", png)
    page.fill("input[name=evidence_file_title]", IMAGE_TITLE)
    page.fill("input[name=evidence_url]", LINK_URL)
    page.fill("input[name=evidence_url_title]", LINK_TITLE)
    with page.expect_navigation():
        page.click("[data-save]")
    expect(page.locator("[data-evidence-item]")).to_have_count(2)
    expect(page.locator("[data-evidence-file]")).to_have_text(IMAGE_TITLE)
    expect(page.locator("[data-evidence-link]")).to_have_text(LINK_TITLE)
    assert page.get_attribute("[data-evidence-link]", "href") == LINK_URL
    assert page.input_value("textarea[name=output]") == OUTPUT
    entry.refresh_from_db()
    assert (entry.output, entry.outcome, entry.status) == (OUTPUT, OUTCOME, EntryStatus.DONE)
    image = entry.evidence.get(kind=EvidenceKind.FILE)
    link = entry.evidence.get(kind=EvidenceKind.LINK)
    assert (image.content_type, image.title, image.original_name) == ("image/png", IMAGE_TITLE, png.name)
    assert (media / image.file.name).read_bytes() == png.read_bytes()
    assert (link.url, link.title) == (LINK_URL, LINK_TITLE)

    page.click("[data-entry-nav] a[href$='#entries']")  # back to the document
    page.wait_for_url(re.compile(re.escape(detail_path) + "(#entries)?$"))
    expect(page.locator(f"tr[data-entry-row='{entry.pk}']")).to_contain_text(OUTPUT)
    page.click("form[data-action=submit] button")
    expect_status(page, DocumentStatus.SUBMITTED)
    expect(page.locator("[data-waiting-note]")).to_have_count(1)
    assert page.locator("form[data-action=submit]").count() == 0
    assert status_of(report) == DocumentStatus.SUBMITTED

    # --- 2. the approver returns it with a comment --------------------------------------------------
    approver_context = browser.new_context()
    approver = approver_context.new_page()
    sign_in(approver, live_server, "approver_a", reverse("reports:index", args=[org_a.slug]))
    open_document(approver, live_server, org_a, report)
    expect_status(approver, DocumentStatus.SUBMITTED)

    # the evidence image downloads for the approver too
    open_entry(approver, entry)
    expect(approver.locator("[data-entry-readonly]")).to_contain_text(OUTPUT)
    evidence_href = approver.get_attribute("[data-evidence-file]", "href")
    assert evidence_href == reverse("reports:evidence", args=[org_a.slug, report.pk, image.pk])
    download = approver.request.get(f"{live_server.url}{evidence_href}")
    assert download.status == 200
    assert download.headers["content-type"] == "image/png"
    assert download.body() == png.read_bytes()
    approver.go_back()
    approver.wait_for_url(re.compile(re.escape(detail_path) + "$"))

    approver.click("details[data-action=return] > summary")
    approver.fill("#return-comment", RETURN_COMMENT)
    approver.click("details[data-action=return] form button")
    expect_status(approver, DocumentStatus.DRAFT)
    assert status_of(report) == DocumentStatus.DRAFT

    # --- 3. staff read the comment, add the date, submit again --------------------------------------
    page.reload()
    expect_status(page, DocumentStatus.DRAFT)
    expect(page.locator("[data-return-comment]")).to_contain_text(RETURN_COMMENT)
    expect(page.locator("[data-return-comment]")).to_contain_text(full_name("approver_a"))
    open_entry(page, entry)
    assert page.input_value("textarea[name=output]") == OUTPUT
    page.fill("textarea[name=output]", f"{OUTPUT}\n{DATE_LINE}")
    with page.expect_navigation():
        page.click("[data-save]")
    expect(page.locator("[data-evidence-item]")).to_have_count(2)  # the evidence stays
    entry.refresh_from_db()
    assert entry.output.splitlines() == [OUTPUT, DATE_LINE]  # the browser sends CRLF; one paragraph a line
    page.click("[data-entry-nav] a[href$='#entries']")
    page.wait_for_url(re.compile(re.escape(detail_path) + "(#entries)?$"))
    expect(page.locator("[data-return-comment]")).to_have_count(1)  # still a returned draft until submitted
    page.click("form[data-action=submit] button")
    expect_status(page, DocumentStatus.SUBMITTED)
    expect(page.locator("[data-return-comment]")).to_have_count(0)

    # --- 4. the approver approves and publishes ------------------------------------------------------
    approver.reload()
    expect_status(approver, DocumentStatus.SUBMITTED)
    approver.click("details[data-action=approve] > summary")
    approver.click("details[data-action=approve] form button")
    expect_status(approver, DocumentStatus.APPROVED)
    approver.click("form[data-action=publish] button")
    expect_status(approver, DocumentStatus.PUBLISHED)
    assert status_of(report) == DocumentStatus.PUBLISHED
    assert approver.locator("[data-action]").count() == 0  # nothing left for an approver to do

    timeline = approver.locator("[data-timeline] li[data-event]")
    actions = timeline.evaluate_all("els => els.map(e => e.dataset.event)")
    assert actions == [WorkflowAction.CREATE, WorkflowAction.SUBMIT, WorkflowAction.RETURN, WorkflowAction.SUBMIT,
                       WorkflowAction.APPROVE, WorkflowAction.PUBLISH]
    actors = [text.strip() for text in timeline.locator("[data-event-actor]").all_inner_texts()]
    staff, boss = full_name("staff_a"), full_name("approver_a")
    assert actors == [staff, staff, boss, staff, boss, boss]
    expect(timeline.nth(2).locator("[data-event-comment]")).to_have_text(RETURN_COMMENT)
    assert timeline.locator("[data-event-comment]").count() == 1

    # --- 5. the published PDF holds the text typed after the return --------------------------------
    page.reload()
    expect_status(page, DocumentStatus.PUBLISHED)
    pdf_href = page.get_attribute("[data-pdf-link]", "href")
    response = page.request.get(f"{live_server.url}{pdf_href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    published_pdf = response.body()
    assert published_pdf.startswith(b"%PDF")
    text = norm(page_texts(published_pdf))
    assert norm(OUTPUT) in text and norm(DATE_LINE) in text and norm(OUTCOME) in text
    assert norm(OLD_TITLE) in text
    report.refresh_from_db()
    assert report.pdf_file and (media / report.pdf_file.name).read_bytes() == published_pdf

    # --- 6. staff rename the measure: the published document keeps the old title -------------------
    list_path = reverse("measures:list", args=[org_a.slug, 2568])
    page.goto(f"{live_server.url}{list_path}")
    page.click(f"#measure-{measure.pk} a.measure-title")
    page.wait_for_url(re.compile(re.escape(reverse("measures:edit", args=[org_a.slug, measure.pk])) + "$"))
    assert page.input_value("textarea[name=title]") == OLD_TITLE
    page.fill("textarea[name=title]", NEW_TITLE)
    page.click("[data-save]")
    page.wait_for_url(re.compile(re.escape(list_path)))
    expect(page.locator(f"#measure-{measure.pk} .measure-title")).to_have_text(NEW_TITLE)
    saved = Measure.objects.get(pk=measure.pk)
    assert saved.title == NEW_TITLE and saved.report_rounds == [6] and saved.steps.count() == 3

    page.goto(f"{live_server.url}{detail_path}")
    expect_status(page, DocumentStatus.PUBLISHED)
    preview = page.frame_locator("[data-preview]").locator("body")
    expect(preview).to_contain_text(OLD_TITLE)
    expect(preview).not_to_contain_text(NEW_TITLE)
    preview_html = page.request.get(f"{live_server.url}{page.get_attribute('[data-preview]', 'src')}").text()
    assert OLD_TITLE in preview_html and NEW_TITLE not in preview_html
    again = page.request.get(f"{live_server.url}{page.get_attribute('[data-pdf-link]', 'href')}").body()
    assert again == published_pdf
    assert norm(NEW_TITLE) not in norm(page_texts(again))

    # --- 7. organisation B's staff get 404 on all of it ----------------------------------------------
    other_context = browser.new_context()
    other = other_context.new_page()
    sign_in(other, live_server, "staff_b", reverse("reports:index", args=[org_b.slug]))
    for url in (detail_path, pdf_href, evidence_href,
                reverse("reports:entry", args=[org_a.slug, report.pk, entry.pk]),
                reverse("reports:detail", args=[org_b.slug, report.pk]),
                reverse("reports:evidence", args=[org_b.slug, report.pk, image.pk])):
        assert other.request.get(f"{live_server.url}{url}").status == 404, url
    other_context.close()
    approver_context.close()
