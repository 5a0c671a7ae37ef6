"""/o/<slug>/<fy>/itas/ with the shipped catalogue: each item the portal answers links the document of the
fiscal year the catalogue names (2569 O25: the FY 2569 measures plan; O26: the FY 2568 12-month report),
the page says which items it does not answer and which are not published yet; portal_answers gives the
same to the dashboard's checklist."""
import re
from io import StringIO

import pytest
from django.core.management import call_command

from reports.documents.portal_answers import portal_answers

from .factories import MeasureFactory, MeasureStepFactory
from .helpers import workflow

pytestmark = pytest.mark.django_db
SITE = "https://ita.example.go.th"


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = SITE
    call_command("load_ita_catalogue", stdout=StringIO())


def published(org, staff, approver, fiscal_year, kind, round_=0):
    if not org.measures.filter(fiscal_year=fiscal_year).exists():
        measure = MeasureFactory(organisation=org, fiscal_year=fiscal_year, title=f"มาตรการปี {fiscal_year}",
                                 report_rounds=[6, 12])
        MeasureStepFactory(measure=measure, order=1, text="ประชุมชี้แจงบุคลากร")
    return workflow.published(org, staff, approver, fiscal_year=fiscal_year, kind=kind, round_=round_)


def page(client, fiscal_year) -> str:
    response = client.get(f"/o/org-a/{fiscal_year}/itas/")
    assert response.status_code == 200
    return response.content.decode()


def row(text, code) -> str:
    match = re.search(rf'<tr data-item="{re.escape(code)}">.*?</tr>', text, re.S)
    assert match, f"{code} is not listed"
    return match.group(0)


def test_2569_links_o25_to_the_fy_2569_plan_and_o26_to_the_fy_2568_twelve_month_report(
        client, org_a, staff_a, approver_a):
    published(org_a, staff_a, approver_a, 2569, "measures")
    published(org_a, staff_a, approver_a, 2568, "progress", 12)
    published(org_a, staff_a, approver_a, 2569, "progress", 6)  # answers nothing in 2569
    text = page(client, 2569)
    o25, o26 = row(text, "O25"), row(text, "O26")
    assert f'value="{SITE}/o/org-a/2569/measures/"' in o25
    assert f'value="{SITE}/o/org-a/2568/progress-12/"' in o26
    assert "ของปีงบประมาณ ๒๕๖๘" in o26 and "ของปีงบประมาณ" not in o25
    assert "2569/progress" not in text
    assert "data-waiting" not in text  # every answered item is published
    # the items the portal does not answer are said plainly, with the fiscal year of their document
    assert "ข้อ OIT ที่พอร์ทัลนี้ไม่มีเอกสารตอบ" in text
    unanswered = re.findall(r'data-item-unanswered="([^"]+)"', text)
    assert len(unanswered) == 24 and "O25" not in unanswered and "O1" in unanswered
    o12 = re.search(r'data-item-unanswered="O12">.*?</li>', text, re.S).group(0)
    assert "ใช้เอกสารของปีงบประมาณ ๒๕๖๘" in o12
    assert "data-provisional-catalogue" not in text


def test_answered_items_not_published_yet_are_listed(client, org_a, staff_a, approver_a):
    published(org_a, staff_a, approver_a, 2569, "progress", 12)  # FY 2569's report is not O26's answer
    text = page(client, 2569)
    assert re.search(r"data-waiting>[^<]*O25, O26", text)
    assert "ข้อที่พอร์ทัลนี้ตอบได้แต่ยังไม่ได้เผยแพร่เอกสาร" in text
    assert re.search(r'data-slot="progress-12">.*?ของปีงบประมาณ ๒๕๖๘.*?data-not-published', row(text, "O26"), re.S)
    assert "data-itas-url" not in text


def test_the_2570_page_is_provisional_and_points_at_fy_2569_reports(client, org_a, staff_a, approver_a, org_b):
    published(org_a, staff_a, approver_a, 2569, "progress", 12)
    text = page(client, 2570)
    assert "ชุดตัวชี้วัดชั่วคราว (ใช้ของปี ๒๕๖๙ จนกว่า ป.ป.ช. ประกาศคู่มือปี ๒๕๗๐)" in text
    assert f'value="{SITE}/o/org-a/2569/progress-12/"' in row(text, "O26")
    assert re.search(r"data-waiting>[^<]*O25", text)  # the FY 2570 measures plan is not published
    other = client.get("/o/org-b/2570/itas/").content.decode()  # org A's report is not org B's answer
    assert "data-itas-url" not in other


def test_2565_o43_is_answered_by_the_six_month_report_of_the_year(client, org_a, staff_a, approver_a):
    published(org_a, staff_a, approver_a, 2565, "progress", 6)
    o43 = row(page(client, 2565), "O43")
    assert f'value="{SITE}/o/org-a/2565/progress-6/"' in o43 and "progress-12" not in o43


def test_portal_answers_names_item_document_fiscal_year_and_publication(org_a, staff_a, approver_a):
    plan = published(org_a, staff_a, approver_a, 2569, "measures")
    answers = portal_answers(org_a, 2569)
    assert [(a.item.code, a.kind, a.round, a.fiscal_year, a.expected, a.document) for a in answers] == [
        ("O25", "analysis", 0, 2569, False, None),
        ("O25", "measures", 0, 2569, True, plan),
        ("O26", "progress", 12, 2568, True, None),
    ]
    assert answers[1].url == f"{SITE}/o/org-a/2569/measures/" and answers[2].url == ""
    assert [a.fiscal_year for a in portal_answers(org_a, 2570) if a.item.code == "O26"] == [2569]
    assert portal_answers(org_a, 2568) == []  # no 2568 item is answered by the portal's documents


@pytest.mark.browser
def test_the_provisional_2570_page_has_no_serious_accessibility_violations(page, live_server, org_a):
    from .helpers.a11y import axe_violations

    response = page.goto(f"{live_server.url}/o/org-a/2570/itas/")
    assert response.status == 200
    assert page.locator("[data-provisional-catalogue]").is_visible()
    assert page.locator("[data-unanswered] li").count() == 24
    assert axe_violations(page) == []
