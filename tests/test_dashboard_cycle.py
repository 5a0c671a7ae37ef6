"""The yearly cycle on the dashboard: the checklist of a fiscal year (due dates in Thai, state done / to do /
overdue, a link per line, the OIT items the portal answers) and the documents waiting in the workflow
(the approver's inbox; what staff see after approval), in a fixed number of queries."""
import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from workspace import cycle, dashboard
from core.thai import format_date, to_thai_digits
from ita.models import AssessmentResult, AssessmentYear
from reports.documents.links import document_path
from reports.models import DocumentKind
from reports.workflow import transitions

from .factories import MeasureFactory, MembershipFactory, UserFactory, confirm_result

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 4)  # fiscal year 2570


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(dashboard, "today", lambda: TODAY)


@pytest.fixture
def people(staff_a, approver_a, admin_a):
    for user, (first, last) in ((staff_a, ("สมชาย", "ใจดี")), (approver_a, ("มาลี", "ศรีสุข")),
                                (admin_a, ("วิชัย", "แสงทอง"))):
        user.first_name, user.last_name = first, last
        user.save()
    return staff_a, approver_a, admin_a


def th(msgid, **values):
    with translation.override("th"):
        text = translation.gettext(msgid)
    return text % values if values else text


def thai_day(moment):
    """A timestamp as the page writes its date: local date, abbreviated month, Thai digits."""
    return format_date(timezone.localtime(moment).date(), style="abbr")


def url(org, year=None):
    base = reverse("dashboard", args=[org.slug])
    return f"{base}?year={year}" if year is not None else base


def page_of(client, user, org, year=None):
    client.force_login(user)
    response = client.get(url(org, year))
    assert response.status_code == 200
    return response.text


def element(page, attr, value):
    """The HTML of the <li> (or <section>) carrying ``attr="value"``, up to its closing tag."""
    match = re.search(rf'<(li|section)\b[^>]*\b{attr}="{re.escape(str(value))}"', page)
    assert match, f'no element with {attr}="{value}"'
    tag, start = match.group(1), match.start()
    depth = 0
    for m in re.finditer(rf"<{tag}\b|</{tag}>", page[start:]):
        depth += 1 if m.group().startswith(f"<{tag}") else -1
        if depth == 0:
            return page[start:start + m.end()]
    return page[start:]


def text(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def line(page, key):
    return element(page, "data-line", key)


def state(page, key):
    return re.search(r'data-state="(\w+)"', line(page, key)).group(1)


def result(org, year, total="91.50"):
    return AssessmentResult.objects.create(organisation=org, year=AssessmentYear.objects.get(year=year),
                                           total_score=Decimal(total))


def document(org, staff, fy, kind, round_=0, until="draft", approver=None):
    """A document taken through the real workflow up to ``until``."""
    doc = transitions.create_document(org, fiscal_year=fy, kind=kind, round=round_, actor=staff, notify=False)
    if until == "draft":
        return doc
    doc = transitions.submit_document(doc, actor=staff, notify=False)
    if until == "submitted":
        return doc
    doc = transitions.approve_document(doc, actor=approver, notify=False)
    if until == "approved":
        return doc
    return transitions.publish_document(doc, actor=approver, notify=False, render=False)


# --- the checklist ----------------------------------------------------------------------------------

def test_due_dates_of_the_year():
    assert cycle.due_dates(2570) == {
        "result": date(2026, 10, 31), "analysis": date(2026, 12, 31), "measures": date(2026, 12, 31),
        "progress-6": date(2027, 4, 30), "progress-12": date(2027, 10, 31), "oit": date(2027, 4, 30),
    }


def test_an_empty_year_lists_every_line_with_thai_due_dates_and_states(client, catalogue, org_a, staff_a):
    page = page_of(client, staff_a, org_a)
    keys = re.findall(r'data-line="([\w-]+)"', element(page, "id", "checklist"))
    assert keys == ["result", "analysis", "measures", "progress-6", "progress-12", "oit", "oit-register"]
    dues = {key: text(re.search(r"<span[^>]*data-due>.*?</span>", line(page, key)).group()) for key in keys}
    assert dues == {
        "result": th("due %(date)s", date="๓๑ ตุลาคม ๒๕๖๙"),
        "analysis": th("due %(date)s", date="๓๑ ธันวาคม ๒๕๖๙"),
        "measures": th("due %(date)s", date="๓๑ ธันวาคม ๒๕๖๙"),
        "progress-6": th("due %(date)s", date="๓๐ เมษายน ๒๕๗๐"),
        "progress-12": th("due %(date)s", date="๓๑ ตุลาคม ๒๕๗๐"),
        "oit": th("due %(date)s", date="๓๐ เมษายน ๒๕๗๐"),
        "oit-register": th("due %(date)s", date="๓๐ เมษายน ๒๕๗๐"),
    }
    # 4 December 2026: the result was due at the end of October; the rest is still to do.
    assert state(page, "result") == "overdue"
    assert all(state(page, key) == "due" for key in keys[1:])
    result_line = line(page, "result")
    assert "text-bg-danger" in result_line and th("Overdue") in text(result_line)
    assert th("ITA result of assessment year %(year)s entered and confirmed", year="๒๕๖๙") in text(result_line)
    measures_line = line(page, "measures")
    assert "text-bg-warning" in measures_line and th("To do") in text(measures_line)
    shown = text(element(page, "id", "checklist"))
    assert th("The year's checklist, fiscal year %(fy)s", fy="๒๕๗๐") in shown
    assert not re.search(r"[0-9]", re.sub(r"\bO[0-9]+\b", "", shown))  # Thai digits (OIT codes as ITAS writes them)


def test_each_line_links_to_where_it_is_done(client, catalogue, org_a, staff_a):
    page = page_of(client, staff_a, org_a)
    links = {key: re.search(r'<a href="([^"]+)" data-line-link>', line(page, key)).group(1)
             for key in ("result", "analysis", "measures", "progress-6", "progress-12", "oit")}
    index = reverse("reports:index", args=[org_a.slug])
    assert links == {
        "result": reverse("ita:results", args=[org_a.slug]),
        "analysis": index, "measures": index, "progress-6": index, "progress-12": index,
        "oit": reverse("public:itas", args=[org_a.slug, 2570]),
    }


def test_a_confirmed_result_is_done_and_links_to_it(client, catalogue, org_a, staff_a, approver_a):
    entered = result(org_a, 2569)
    confirm_result(result(org_a, 2568), approver_a)  # another assessment year: not the one of this checklist
    page = page_of(client, staff_a, org_a)
    assert state(page, "result") == "overdue"  # entered, not yet confirmed: not public
    assert th("Entered; waits for an approver's confirmation before it is public.") in text(line(page, "result"))
    confirm_result(entered, approver_a)
    page = page_of(client, staff_a, org_a)
    assert state(page, "result") == "done"
    assert "text-bg-success" in line(page, "result") and th("Done") in text(line(page, "result"))
    assert f'href="{reverse("ita:result_detail", args=[org_a.slug, 2569])}"' in line(page, "result")
    assert state(page_of(client, staff_a, org_a, 2571), "result") == "due"  # 2570 not entered; due 31 Oct 2027


def test_result_line_function(catalogue, org_a):
    with translation.override("th"):
        assert cycle._result_line(None) == (False, th("Not entered yet."))
        entered = result(org_a, 2569)
        assert cycle._result_line(entered) == (
            False, th("Entered; waits for an approver's confirmation before it is public."))
        confirm_result(entered)
        entered.refresh_from_db()
        assert cycle._result_line(entered) == (True, th("Entered and confirmed."))
        entered.total_score = Decimal("92.00")  # a correction: saved through ita.services in the pages
        entered.version += 1
        assert cycle._result_line(entered) == (
            False, th("A correction waits for an approver's confirmation (the public sees the confirmed figures)."))


def test_a_submitted_plan_is_to_do_with_who_submitted_it_then_done_with_its_public_page(
        client, catalogue, org_a, people):
    staff, approver, _admin = people
    plan = document(org_a, staff, 2570, DocumentKind.MEASURES, until="submitted")
    page = page_of(client, staff, org_a)
    measures = line(page, "measures")
    assert state(page, "measures") == "due"
    assert th("Waiting for approval") in text(measures)
    assert th("submitted by %(name)s on %(date)s", name="สมชาย ใจดี", date=thai_day(plan.submitted_at)) in (
        text(measures))
    assert f'href="{reverse("reports:detail", args=[org_a.slug, plan.pk])}"' in measures
    assert "data-public-link" not in measures

    transitions.approve_document(plan, actor=approver, notify=False)
    measures = line(page_of(client, staff, org_a), "measures")
    plan.refresh_from_db()
    assert th("Waiting for publication") in text(measures)
    assert th("approved by %(name)s on %(date)s; the approver publishes it", name="มาลี ศรีสุข",
              date=thai_day(plan.approved_at)) in text(measures)

    plan.refresh_from_db()
    transitions.publish_document(plan, actor=approver, notify=False, render=False)
    page = page_of(client, staff, org_a)
    assert state(page, "measures") == "done"
    assert f'href="{document_path(plan)}" data-public-link' in line(page, "measures")
    # the published plan opens with the analysis: the analysis line is done too and says why
    assert state(page, "analysis") == "done"
    assert th("The published measures plan opens with the analysis.") in text(line(page, "analysis"))
    assert f'<a href="{reverse("reports:detail", args=[org_a.slug, plan.pk])}" data-line-link>' in line(
        page, "analysis")  # no separate analysis: the line leads to the plan


def test_a_separate_analysis_counts_for_the_analysis_line_only(client, catalogue, org_a, people):
    staff, approver, _admin = people
    analysis = document(org_a, staff, 2570, DocumentKind.ANALYSIS, until="published", approver=approver)
    page = page_of(client, staff, org_a)
    assert state(page, "analysis") == "done" and state(page, "measures") == "due"
    assert f'href="{document_path(analysis)}" data-public-link' in line(page, "analysis")


def test_the_12_month_report_of_a_year_is_due_in_october_after_it(client, catalogue, org_a, people, monkeypatch):
    staff, approver, _admin = people
    MeasureFactory(organisation=org_a, fiscal_year=2569)
    report = document(org_a, staff, 2569, DocumentKind.PROGRESS, 12, until="draft")
    page = page_of(client, staff, org_a, 2569)  # on 4 December 2026: 31 October 2026 has passed
    assert state(page, "progress-12") == "overdue"
    assert th("due %(date)s", date="๓๑ ตุลาคม ๒๕๖๙") in text(line(page, "progress-12"))
    assert f'href="{reverse("reports:detail", args=[org_a.slug, report.pk])}"' in line(page, "progress-12")
    monkeypatch.setattr(dashboard, "today", lambda: date(2026, 10, 31))
    assert state(page_of(client, staff, org_a, 2569), "progress-12") == "due"  # the last day is still in time
    monkeypatch.setattr(dashboard, "today", lambda: TODAY)
    report = transitions.submit_document(report, actor=staff, notify=False)
    report = transitions.approve_document(report, actor=approver, notify=False)
    transitions.publish_document(report, actor=approver, notify=False, render=False)
    assert state(page_of(client, staff, org_a, 2569), "progress-12") == "done"


def test_oit_items_the_portal_answers_come_from_the_provisional_catalogue_with_their_fiscal_years(
        client, catalogue, org_a, people):
    """FY 2570: O25 is answered by the plan of FY 2570, O26 by the 12-month report of FY 2569 (the
    catalogue's offset: that report cannot exist yet for FY 2570 during the assessment)."""
    staff, approver, _admin = people
    page = page_of(client, staff, org_a)
    oit = line(page, "oit")
    assert re.findall(r'data-item="(\w+)" data-answered="(\w+)"', oit) == [("O25", "no"), ("O26", "no")]
    assert "ชุดตัวชี้วัดชั่วคราว (ใช้ของปี ๒๕๖๙ จนกว่า ป.ป.ช. ประกาศคู่มือปี ๒๕๗๐)" in text(oit)
    MeasureFactory(organisation=org_a, fiscal_year=2570)
    document(org_a, staff, 2570, DocumentKind.MEASURES, until="published", approver=approver)
    oit = line(page_of(client, staff, org_a), "oit")
    assert re.findall(r'data-item="(\w+)" data-answered="(\w+)"', oit) == [("O25", "yes"), ("O26", "no")]
    assert re.search(r'data-state="due"', oit)
    document(org_a, staff, 2570, DocumentKind.PROGRESS, 6, until="published", approver=approver)
    oit = line(page_of(client, staff, org_a), "oit")
    assert re.findall(r'data-item="(\w+)" data-answered="(\w+)"', oit) == [("O25", "yes"), ("O26", "no")]
    MeasureFactory(organisation=org_a, fiscal_year=2569)
    document(org_a, staff, 2569, DocumentKind.PROGRESS, 12, until="published", approver=approver)
    page = page_of(client, staff, org_a)
    assert re.findall(r'data-item="(\w+)" data-answered="(\w+)"', line(page, "oit")) == [("O25", "yes"),
                                                                                        ("O26", "yes")]
    assert state(page, "oit") == "done"


def test_oit_line_of_a_year_whose_catalogue_names_no_portal_item(catalogue, org_a):
    done, items, catalogue_used, _portal = cycle._oit_line(org_a, 2568)
    assert items == [] and catalogue_used.year == 2568 and not catalogue_used.provisional
    page_line = next(x for x in cycle.checklist(org_a, 2568, [], [], TODAY) if x.key == "oit")
    assert page_line.note == th("The catalogue names no OIT item that the portal's documents answer.")


def test_another_organisations_documents_do_not_tick_my_lines(client, catalogue, org_a, org_b, staff_a):
    staff_b = MembershipFactory(user=UserFactory(username="staff_b2"), organisation=org_b).user
    approver_b = MembershipFactory(user=UserFactory(username="approver_b2"), organisation=org_b,
                                   role="approver").user
    document(org_b, staff_b, 2570, DocumentKind.MEASURES, until="published", approver=approver_b)
    result(org_b, 2569)
    page = page_of(client, staff_a, org_a)
    assert state(page, "measures") == "due" and state(page, "result") == "overdue"
    assert re.findall(r'data-answered="(\w+)"', line(page, "oit")) == ["no", "no"]


# --- the documents waiting in the workflow ------------------------------------------------------------

def test_the_approver_sees_what_waits_for_their_decision(client, catalogue, org_a, people):
    staff, approver, admin = people
    plan = document(org_a, staff, 2570, DocumentKind.MEASURES, until="submitted")
    MeasureFactory(organisation=org_a, fiscal_year=2569)
    report = document(org_a, staff, 2569, DocumentKind.PROGRESS, 12, until="approved", approver=admin)
    document(org_a, staff, 2570, DocumentKind.ANALYSIS, until="draft")  # a draft waits for nobody
    page = page_of(client, approver, org_a)
    inbox = element(page, "id", "inbox")
    with translation.override("th"):
        heading = translation.ngettext("Waiting for your decision: %(n)s document",
                                       "Waiting for your decision: %(n)s documents", 2) % {"n": "๒"}
    assert heading in text(inbox)
    assert re.findall(r'data-document="(\d+)" data-status="(\w+)" data-for-me', inbox) == [
        (str(plan.pk), "submitted"), (str(report.pk), "approved")]  # oldest submission first
    submitted = element(inbox, "data-document", plan.pk)
    assert th("Approve or return") in text(submitted) and "สมชาย ใจดี" in text(submitted)
    assert th("Waiting for approval") in text(submitted)
    assert f'href="{reverse("reports:detail", args=[org_a.slug, plan.pk])}#workflow-heading" data-decide' in (
        submitted)
    approved = element(inbox, "data-document", report.pk)
    assert th("Publish") in text(approved) and "วิชัย แสงทอง" in text(approved)
    assert "ปีงบประมาณ ๒๕๖๙" in text(approved)


def test_the_inbox_orders_by_submission_and_says_when_in_thai(client, catalogue, org_a, people):
    staff, approver, _admin = people
    plan = document(org_a, staff, 2570, DocumentKind.MEASURES, until="submitted")
    page = page_of(client, approver, org_a)
    assert th("submitted by %(name)s on %(date)s", name="สมชาย ใจดี",
              date=thai_day(plan.submitted_at)) in text(element(page, "data-document", plan.pk))
    assert thai_day(plan.submitted_at) == format_date(timezone.localdate(), style="abbr")  # e.g. ๔ ธ.ค. ๒๕๖๙


@pytest.mark.parametrize("viewer", ["admin_a"])
def test_an_organisation_admin_can_decide_too(request, client, catalogue, org_a, people, viewer):
    staff, _approver, _admin = people
    plan = document(org_a, staff, 2570, DocumentKind.MEASURES, until="submitted")
    page = page_of(client, request.getfixturevalue(viewer), org_a)
    assert re.search(rf'data-document="{plan.pk}" data-status="submitted" data-for-me', page)


def test_staff_see_who_approves_and_that_the_approver_publishes(client, catalogue, org_a, people):
    staff, approver, _admin = people
    plan = document(org_a, staff, 2570, DocumentKind.MEASURES, until="submitted")
    page = page_of(client, staff, org_a)
    inbox = element(page, "id", "inbox")
    assert th("Documents in the approval workflow") in text(inbox)
    assert "data-for-me" not in inbox and "data-decide" not in inbox
    assert "data-own-submission" not in inbox  # staff never approve: no word about another approver
    assert th("Waiting for approval") in text(inbox)
    transitions.approve_document(plan, actor=approver, notify=False)
    inbox = element(page_of(client, staff, org_a), "id", "inbox")
    assert th("Waiting for publication") in text(inbox)
    assert "มาลี ศรีสุข" in text(inbox) and "data-decide" not in inbox
    plan.refresh_from_db()
    transitions.publish_document(plan, actor=approver, notify=False, render=False)
    page = page_of(client, staff, org_a)
    assert 'id="inbox"' not in page  # nothing waits any more
    assert f'href="{document_path(plan)}" data-public-link' in line(page, "measures")


def test_an_approver_does_not_decide_on_their_own_submission(client, catalogue, org_a, people):
    _staff, approver, _admin = people
    plan = document(org_a, approver, 2570, DocumentKind.MEASURES, until="submitted")
    inbox = element(page_of(client, approver, org_a), "id", "inbox")
    row = element(inbox, "data-document", plan.pk)
    assert "data-for-me" not in row and "data-own-submission" in row
    assert th("Documents in the approval workflow") in text(inbox)
    org_a.allow_self_approval = True
    org_a.save()
    assert "data-for-me" in element(page_of(client, approver, org_a), "data-document", plan.pk)


def test_another_organisations_waiting_documents_are_not_shown(client, catalogue, org_a, org_b, approver_a):
    staff_b = MembershipFactory(user=UserFactory(username="staff_b2"), organisation=org_b).user
    document(org_b, staff_b, 2570, DocumentKind.MEASURES, until="submitted")
    assert 'id="inbox"' not in page_of(client, approver_a, org_a)


# --- queries ----------------------------------------------------------------------------------------

def _busy_year(org, staff, approver):
    confirm_result(result(org, 2569), approver)
    for fy in (2569, 2570):
        for _ in range(3):
            MeasureFactory(organisation=org, fiscal_year=fy)
    document(org, staff, 2570, DocumentKind.ANALYSIS, until="published", approver=approver)
    document(org, staff, 2570, DocumentKind.MEASURES, until="submitted")
    document(org, staff, 2570, DocumentKind.PROGRESS, 6, until="approved", approver=approver)
    document(org, staff, 2569, DocumentKind.PROGRESS, 12, until="submitted")
    document(org, staff, 2569, DocumentKind.MEASURES, until="approved", approver=approver)


def test_build_has_a_fixed_number_of_queries_with_the_checklist_and_inbox(
        catalogue, org_a, people, django_assert_num_queries):
    staff, approver, _admin = people
    # the OIT register's line: one query (its register; the catalogue's items are read once for both lines)
    with django_assert_num_queries(8):  # no result: no tool scores to fetch
        dashboard.build(org_a, on=TODAY, role="approver", user=approver)
    _busy_year(org_a, staff, approver)
    with django_assert_num_queries(9):
        data = dashboard.build(org_a, on=TODAY, role="approver", user=approver)
    assert len(data.waiting) == 4 and len(data.waiting_for_me) == 4
    assert [x.state for x in data.checklist] == ["done", "done", "due", "due", "due", "due", "due"]


@pytest.mark.parametrize("viewer", ["staff_a", "approver_a", "admin_a"])
def test_the_page_has_a_fixed_number_of_queries(request, client, catalogue, org_a, people, viewer,
                                                django_assert_max_num_queries):
    staff, approver, _admin = people
    _busy_year(org_a, staff, approver)
    client.force_login(request.getfixturevalue(viewer))
    # session, user, two-factor state, membership + the nine of build() (with results: their tool scores);
    # an admin's also lists the published PDFs that could not be made (one more)
    with django_assert_max_num_queries(13 + (viewer == "admin_a")):
        page = client.get(url(org_a)).text
    assert page.count("data-document=") == 4


def test_the_document_page_tells_staff_that_the_approver_publishes(client, catalogue, org_a, people):
    staff, approver, _admin = people
    plan = document(org_a, staff, 2570, DocumentKind.MEASURES, until="approved", approver=approver)
    detail = reverse("reports:detail", args=[org_a.slug, plan.pk])
    client.force_login(staff)
    page = client.get(detail).text
    note = re.search(r"<p[^>]*data-publish-note>(.*?)</p>", page, re.S)
    assert note and text(note.group(1)) == th("Approved by %(name)s; an approver publishes it.", name="มาลี ศรีสุข")
    assert 'data-action="publish"' not in page
    client.force_login(approver)
    page = client.get(detail).text
    assert 'data-action="publish"' in page and "data-publish-note" not in page


# --- in a browser ---------------------------------------------------------------------------------------

@pytest.fixture
def browser_catalogue(transactional_db):
    call_command("load_ita_catalogue", verbosity=0)


@pytest.mark.browser
def test_an_approver_decides_from_the_inbox_and_staff_follow_it(page, live_server, browser_catalogue, org_a,
                                                               people, settings):
    from playwright.sync_api import expect

    from .helpers.a11y import axe_violations

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # no PDF rendering
    staff, approver, _admin = people
    MeasureFactory(organisation=org_a, fiscal_year=2570)
    plan = document(org_a, staff, 2570, DocumentKind.MEASURES, until="submitted")

    def sign_in(username):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}{reverse('login')}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", "pw-for-tests")
        page.click("#login-form button[type=submit]")
        page.wait_for_url(re.compile(re.escape(reverse("dashboard", args=[org_a.slug])) + r"$"))

    sign_in("approver_a")
    expect(page.locator("#year-select")).to_have_value("2570")
    expect(page.locator("[data-line=measures]")).to_have_attribute("data-state", "due")
    assert axe_violations(page, context="#dashboard") == []  # the dashboard (not the site's header)
    page.click(f"[data-document='{plan.pk}'] a[data-decide]")
    page.click("details[data-action=approve] > summary")
    page.click("details[data-action=approve] form button")
    page.wait_for_selector("form[data-action=publish]")

    sign_in("staff_a")
    expect(page.locator(f"#inbox [data-document='{plan.pk}']")).to_have_attribute("data-status", "approved")
    expect(page.locator(f"#inbox [data-document='{plan.pk}'] [data-who]")).to_contain_text("มาลี ศรีสุข")
    expect(page.locator("#inbox [data-decide]")).to_have_count(0)

    sign_in("approver_a")
    page.click(f"[data-document='{plan.pk}'] a[data-decide]")
    page.click("form[data-action=publish] button")
    page.goto(f"{live_server.url}{url(org_a)}")
    expect(page.locator("#inbox")).to_have_count(0)
    expect(page.locator("[data-line=measures]")).to_have_attribute("data-state", "done")
    assert axe_violations(page, context="#dashboard") == []
    page.click("[data-line=measures] a[data-public-link]")
    page.wait_for_url(re.compile(re.escape(document_path(plan)) + r"$"))


def test_the_oit_register_line_counts_answers_and_broken_links_and_links_to_the_register(
        client, catalogue, org_a, staff_a, approver_a):
    from oit import services as oit_services
    from oit.models import Answer, Health

    register = oit_services.open_register(org_a, 2570)
    dead = oit_services.add_link(register.rows.get(code="O1"), url="https://www.example.go.th/gone", actor=staff_a)
    Answer.objects.filter(pk=dead.pk).update(health=Health.BROKEN)
    page = page_of(client, staff_a, org_a)
    register_line = line(page, "oit-register")
    items = register.rows.count()
    assert state(page, "oit-register") == "due"
    assert th("%(answered)s of %(items)s items answered", answered="๑", items=to_thai_digits(items)) in text(register_line)
    assert "ลิงก์เสีย ๑ ลิงก์" in text(register_line) and th("not confirmed yet") in text(register_line)
    assert reverse("oit:register", args=[org_a.slug, 2570]) in register_line
