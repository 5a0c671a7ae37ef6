"""The public site in a real browser (Chromium through Playwright): a visitor finds an organisation,
opens its 6-month report, downloads the PDF, follows the stable link after a republish and sees the new
revision; the embedded list renders inside an iframe of another origin; a draft URL gives 404; and the
public pages pass axe-core with no serious or critical violation, at desktop and at phone width."""
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reports.entries import services as entry_services

from reports.models import DocumentKind
from reports.workflow import transitions

from .helpers.a11y import axe_violations
from .factories import MeasureFactory, MeasureStepFactory
from .helpers.pdf import norm, page_texts

FY = 2568
OUTPUT_1 = "จัดประชุมชี้แจงบุคลากรครั้งที่หนึ่ง"
OUTPUT_2 = "เพิ่มการประชุมครั้งที่สองตามข้อเสนอแนะ"


@pytest.fixture
def cycle(transactional_db, settings, tmp_path, org_a, staff_a, approver_a, admin_a):
    """Org A: a measures plan and a 6-month report of FY 2568, published; a 12-month report in draft."""
    settings.MEDIA_ROOT = tmp_path
    org_a.district, org_a.province = "หนองหาน", "อุดรธานี"
    org_a.save()
    measure = MeasureFactory(organisation=org_a, fiscal_year=FY, title="มาตรการเผยแพร่ข้อมูลข่าวสาร",
                             report_rounds=[6, 12])
    MeasureStepFactory(measure=measure, order=1, text="ประชุมชี้แจงบุคลากร")
    plan = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.MEASURES, actor=staff_a, notify=False)
    report = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=6, actor=staff_a,
                                         notify=False)
    entry = report.entries.get()
    entry_services.save_entry(entry, data={"output": OUTPUT_1, "status": "done"}, expected_version=entry.version,
                              actor=staff_a)
    for doc in (plan, report):
        transitions.submit_document(doc, actor=staff_a, notify=False)
        transitions.approve_document(doc, actor=approver_a, notify=False)
        transitions.publish_document(doc, actor=approver_a, notify=False)  # its PDF: the task after the commit
    twelve = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=12, actor=staff_a,
                                         notify=False)
    return {"org": org_a, "report": report, "twelve": twelve, "staff": staff_a, "approver": approver_a,
            "admin": admin_a}


def stable(org, kind="progress-6", pdf=False):
    return reverse("public:document_pdf" if pdf else "public:document", args=[org.slug, FY, kind])


def republish_with(cycle, output):
    """The organisation admin withdraws revision 1; staff fix the entry in revision 2; it is published."""
    report = transitions.withdraw_document(cycle["report"], actor=cycle["admin"], reason="แก้ไขผลการดำเนินการ",
                                           notify=False)
    revision = transitions.new_revision(report, actor=cycle["staff"])
    entry = revision.entries.get()
    entry_services.save_entry(entry, data={"output": output}, expected_version=entry.version, actor=cycle["staff"])
    transitions.submit_document(revision, actor=cycle["staff"], notify=False)
    transitions.approve_document(revision, actor=cycle["approver"], notify=False)
    return transitions.publish_document(revision, actor=cycle["approver"], notify=False)


def test_a_visitor_finds_the_report_downloads_it_and_follows_the_stable_link_after_a_republish(
        page, live_server, cycle):
    org = cycle["org"]
    page.goto(live_server.url + "/")
    page.fill("input[name=q]", "อุดรธานี")
    page.press("input[name=q]", "Enter")
    page.click(f"a[href='{reverse('public:organisation', args=[org.slug])}']")
    page.wait_for_url(re.compile(re.escape(reverse("public:organisation", args=[org.slug])) + "$"))
    expect(page.locator("h1")).to_contain_text(org.name)

    page.click(f"a[href='{stable(org)}']")
    page.wait_for_url(re.compile(re.escape(stable(org)) + "$"))
    expect(page.locator("main")).to_contain_text(OUTPUT_1)

    pdf = page.request.get(live_server.url + stable(org, pdf=True))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert norm(OUTPUT_1) in norm(page_texts(pdf.body()))

    republish_with(cycle, OUTPUT_2)
    page.goto(live_server.url + stable(org))  # the link pasted into ITAS, unchanged
    expect(page.locator("main")).to_contain_text(OUTPUT_2)
    expect(page.locator("main")).not_to_contain_text(OUTPUT_1)
    pdf = page.request.get(live_server.url + stable(org, pdf=True))
    assert norm(OUTPUT_2) in norm(page_texts(pdf.body()))
    first = reverse("public:revision", args=[org.slug, FY, "progress-6", 1])
    page.goto(live_server.url + first)  # revision 1 keeps its own permanent address
    expect(page.locator("main")).to_contain_text(OUTPUT_1)
    expect(page.locator("main")).to_contain_text("แก้ไขผลการดำเนินการ")  # the public reason of withdrawal


def test_a_draft_url_is_404(page, live_server, cycle):
    org = cycle["org"]
    for path in (stable(org, "progress-12"), stable(org, "progress-12", pdf=True),
                 reverse("public:revision", args=[org.slug, FY, "progress-12", 1])):
        response = page.goto(live_server.url + path)
        assert response.status == 404, path


def test_the_embedded_list_renders_in_an_iframe_of_another_origin(page, live_server, cycle, settings):
    org = cycle["org"]
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    # Two origins of the one live server: the municipality's page at "localhost" (served by the route
    # below), the portal at "127.0.0.1" (where the server listens; both private addresses, so
    # Chromium's private-network rules allow the frame).
    portal = live_server.url.replace("localhost", "127.0.0.1")
    other_origin = live_server.url.replace("127.0.0.1", "localhost")
    assert portal != other_origin
    embed = portal + reverse("public:embed", args=[org.slug])
    host_page = (f'<!doctype html><html lang="th"><head><title>เว็บไซต์เทศบาล</title></head><body>'
                 f'<h1>เว็บไซต์เทศบาล</h1><iframe title="ITA" src="{embed}" width="800" height="600"></iframe>'
                 f'</body></html>')
    page.route(f"{other_origin}/municipality/**", lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=host_page))
    page.goto(f"{other_origin}/municipality/ita/")
    frame = page.frame_locator("iframe")
    link = frame.locator(f"a[href$='{stable(org)}']")
    expect(link).to_be_visible()
    assert link.get_attribute("target") == "_blank"
    # the organisation page itself may not be framed by another site
    other = portal + reverse("public:organisation", args=[org.slug])
    response = page.request.get(other)
    assert response.headers.get("x-frame-options") == "DENY"


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", ["directory", "organisation", "embed", "document", "revision", "itas"])
def test_public_pages_have_no_serious_accessibility_violations(page, live_server, cycle, name, width):
    org = cycle["org"]
    paths = {
        "directory": reverse("public:directory"),
        "organisation": reverse("public:organisation", args=[org.slug]),
        "embed": reverse("public:embed", args=[org.slug]),
        "document": stable(org),
        "revision": reverse("public:revision", args=[org.slug, FY, "measures", 1]),
        "itas": reverse("public:itas", args=[org.slug, FY]),
    }
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(live_server.url + paths[name])
    assert response.status == 200
    assert page.evaluate("document.documentElement.lang") == "th"
    assert axe_violations(page) == []
