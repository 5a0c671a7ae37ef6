"""The dashboard of an organisation: default fiscal year, last ITA result with both levels, measures,
steps due and overdue, progress report states, the score chart, and its fixed number of queries."""
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from workspace import dashboard
from ita.levels import NewLevel
from reports.models import Document, DocumentKind, DocumentStatus, EntryStatus, ProgressEntry

from .factories import MeasureFactory, MeasureStepFactory
from .helpers.builders import make_result
from .helpers.html import find, find_all, th

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)  # fiscal year 2570


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(dashboard, "today", lambda: TODAY)


def url(org, year=None):
    base = reverse("dashboard", args=[org.slug])
    return f"{base}?year={year}" if year is not None else base


def progress(org, fy, round_, status=DocumentStatus.DRAFT, revision=1):
    return Document.objects.create(organisation=org, fiscal_year=fy, kind=DocumentKind.PROGRESS, round=round_,
                                   revision=revision, status=status)


# --- access ---------------------------------------------------------------------------------------

def test_anonymous_is_sent_to_sign_in(client, org_a):
    response = client.get(url(org_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("user", ["staff_a", "approver_a", "admin_a"])
def test_members_see_the_dashboard(request, client, org_a, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get(url(org_a)).status_code == 200


def test_another_organisation_gets_404(client, org_a, staff_b):
    MeasureFactory(organisation=org_a, fiscal_year=2568)
    client.force_login(staff_b)
    assert client.get(url(org_a)).status_code == 404
    assert client.get(url(org_a, 2568)).status_code == 404


# --- default fiscal year ----------------------------------------------------------------------------

def test_fiscal_year_boundary_of_today():
    assert dashboard.default_fiscal_year(date(2026, 9, 30)) == 2569
    assert dashboard.default_fiscal_year(date(2026, 10, 1)) == 2570


def test_the_dashboard_opens_on_the_current_fiscal_year_even_when_only_the_past_has_data(client, org_a, staff_a):
    for fy in (2566, 2567, 2568):
        MeasureFactory(organisation=org_a, fiscal_year=fy)
    client.force_login(staff_a)
    page = client.get(url(org_a)).text
    assert find(page, "option", selected=True)["attrs"]["value"] == "2570"
    assert not find_all(page, id="not-current-note")
    assert [o["attrs"]["value"] for o in find_all(page, "option")] == ["2570", "2569", "2568", "2567", "2566"]


def test_the_current_year_is_the_default_when_it_has_measures_or_documents(client, org_a, staff_a):
    MeasureFactory(organisation=org_a, fiscal_year=2568)
    progress(org_a, 2570, 6)
    client.force_login(staff_a)
    page = client.get(url(org_a)).text
    assert find(page, "option", selected=True)["attrs"]["value"] == "2570"
    assert not find_all(page, id="not-current-note")


def test_another_organisations_data_does_not_choose_my_year(client, org_a, org_b, staff_a):
    MeasureFactory(organisation=org_b, fiscal_year=2566)
    client.force_login(staff_a)
    assert find(client.get(url(org_a)).text, "option", selected=True)["attrs"]["value"] == "2570"


@pytest.mark.parametrize("given, expected", [
    ("2567", "2567"), ("๒๕๖๗", "2567"), ("abc", "2570"), ("99", "2570"), ("2450", "2570"),
])
def test_the_year_parameter(client, org_a, staff_a, given, expected):
    MeasureFactory(organisation=org_a, fiscal_year=2568)
    client.force_login(staff_a)
    assert find(client.get(url(org_a, given)).text, "option", selected=True)["attrs"]["value"] == expected


# --- contents -------------------------------------------------------------------------------------

def test_last_result_is_that_of_the_year_before_with_both_levels(client, catalogue, org_a, staff_a):
    make_result(org_a, year=2566, total="80")
    make_result(org_a, year=2567, total="91.93")  # EIT 84.50: "Pass", "A"
    make_result(org_a, year=2568, total="99")
    client.force_login(staff_a)
    page = client.get(url(org_a, 2568)).text
    box = find(page, "section", id="last-result")["text"]
    assert "๙๑.๙๓" in box and "๒๕๖๗" in box
    assert find(page, data_level="official")["text"] == th(str(NewLevel.PASS.label))
    assert find(page, data_level="old")["text"] == "A"
    assert reverse("ita:result_detail", args=[org_a.slug, 2567]) in page


def test_last_result_falls_back_to_the_latest_before(client, catalogue, org_a, staff_a):
    make_result(org_a, year=2565, total="86.70", indicators={})
    client.force_login(staff_a)
    page = client.get(url(org_a, 2569)).text
    assert "๘๖.๗๐" in find(page, "section", id="last-result")["text"]
    assert find(page, data_level="official")["text"] == "A"  # 2565: old scale


def test_no_result_yet(client, org_a, staff_a):
    client.force_login(staff_a)
    page = client.get(url(org_a)).text
    box = page[page.index('id="last-result"'):page.index('id="measure-count"')]
    assert reverse("ita:results", args=[org_a.slug]) in box
    assert not find_all(page, data_level="official")
    assert th("No ITA result has been entered yet.") in find(page, "section", id="score-chart")["text"]


def test_measure_count_is_of_the_selected_year_and_organisation(client, org_a, org_b, staff_a):
    MeasureFactory.create_batch(3, organisation=org_a, fiscal_year=2568)
    MeasureFactory(organisation=org_a, fiscal_year=2567)
    MeasureFactory(organisation=org_b, fiscal_year=2568)
    client.force_login(staff_a)
    page = client.get(url(org_a, 2568)).text
    assert find(page, data_count=True)["attrs"]["data-count"] == "3"
    assert find(page, "a", id="measures-link")["attrs"]["href"] == reverse("measures:list", args=[org_a.slug, 2568])


def test_steps_due_this_month_and_overdue(client, org_a, org_b, staff_a):
    measure = MeasureFactory(organisation=org_a, fiscal_year=2570, title="มาตรการเอ")
    MeasureStepFactory(measure=measure, text="ก่อนเดือนนี้", due_date=date(2026, 10, 15))
    MeasureStepFactory(measure=measure, text="ต้นเดือนที่ผ่านไปแล้ว", due_date=date(2026, 11, 2))
    MeasureStepFactory(measure=measure, text="วันนี้", due_date=TODAY)
    MeasureStepFactory(measure=measure, text="สิ้นเดือน", due_date=date(2026, 11, 30))
    MeasureStepFactory(measure=measure, text="เดือนหน้า", due_date=date(2026, 12, 1))
    MeasureStepFactory(measure=measure, text="ไม่มีกำหนด", due_date=None)
    done = MeasureFactory(organisation=org_a, fiscal_year=2570)
    MeasureStepFactory(measure=done, text="มาตรการที่เสร็จแล้ว", due_date=date(2026, 10, 20))
    ProgressEntry.objects.create(document=progress(org_a, 2570, 6), measure=done, status=EntryStatus.DONE)
    other = MeasureFactory(organisation=org_b, fiscal_year=2570)
    MeasureStepFactory(measure=other, text="ของอีกหน่วยงาน", due_date=date(2026, 10, 20))
    client.force_login(staff_a)
    page = client.get(url(org_a)).text
    due = find(page, id="due-this-month")["text"]
    overdue = find(page, id="overdue")["text"]
    assert "วันนี้" in due and "สิ้นเดือน" in due and "เดือนหน้า" not in due and "ก่อนเดือนนี้" not in due
    assert "ก่อนเดือนนี้" in overdue and "ต้นเดือนที่ผ่านไปแล้ว" in overdue and "วันนี้" not in overdue
    assert "มาตรการที่เสร็จแล้ว" not in page and "ของอีกหน่วยงาน" not in page and "ไม่มีกำหนด" not in page
    data = dashboard.build(org_a, on=TODAY)
    assert [s.text for s in data.due_this_month] == ["วันนี้", "สิ้นเดือน"]
    assert [s.text for s in data.overdue] == ["ก่อนเดือนนี้", "ต้นเดือนที่ผ่านไปแล้ว"]


def test_report_states_use_the_latest_revision_or_not_started(client, org_a, org_b, staff_a):
    progress(org_a, 2568, 6, DocumentStatus.PUBLISHED, revision=1)
    progress(org_a, 2568, 6, DocumentStatus.SUBMITTED, revision=2)
    progress(org_a, 2567, 12, DocumentStatus.PUBLISHED)  # another year
    progress(org_b, 2568, 12, DocumentStatus.APPROVED)  # another organisation
    client.force_login(staff_a)
    page = client.get(url(org_a, 2568)).text
    six, twelve = find(page, "li", data_round="6"), find(page, "li", data_round="12")
    assert six["attrs"]["data-status"] == "submitted" and th("Submitted") in six["text"]
    assert twelve["attrs"]["data-status"] == "not_started" and th("Not started") in twelve["text"]


def test_score_chart_is_inline_svg_with_a_title_and_the_same_data_in_a_table(client, catalogue, org_a, staff_a):
    make_result(org_a, year=2566, total="89.07", tools={"IIT": "92.48", "EIT": "86.10", "OIT": "88.75"},
                indicators={})
    make_result(org_a, year=2567, total="91.93", indicators={})
    make_result(org_a, year=2565, total="86.70", tools={"IIT": "90.12"}, indicators={})
    client.force_login(staff_a)
    page = client.get(url(org_a)).text
    chart = find(page, "svg", class_="score-chart")
    assert chart["attrs"]["role"] == "img"
    assert th("ITA score over the years") in find(page, "title", id="chart-title")["text"]
    assert len(find_all(page, "g", class_="series")) == 4
    table = page[page.index('id="chart-data"'):]
    table = table[:table.index("</table>")]
    rows = [r["text"] for r in find_all(table, "tr")][1:]
    assert rows == ["๒๕๖๕ ๘๖.๗๐ ๙๐.๑๒ – –", "๒๕๖๖ ๘๙.๐๗ ๙๒.๔๘ ๘๖.๑๐ ๘๘.๗๕", "๒๕๖๗ ๙๑.๙๓ ๙๕.๐๐ ๘๔.๕๐ ๙๖.๐๐"]


def test_score_chart_geometry():
    class Year:
        def __init__(self, year):
            self.year = year

    class Result:
        def __init__(self, year, total, tools):
            self.year, self.total_score, self._tools = Year(year), Decimal(total), tools

        def tool_score_map(self):
            return {k: Decimal(v) for k, v in self._tools.items()}

    chart = dashboard.score_chart([Result(2567, "90", {"IIT": "80"}), Result(2565, "70", {})])
    total = next(s for s in chart.series if s.key == "total")
    assert [p.year for p in total.points] == [2565, 2567]  # sorted by year
    assert total.points[0].x < total.points[1].x and total.points[0].y > total.points[1].y  # higher is up
    assert total.path.startswith("M") and " L" in total.path
    assert [s.key for s in chart.series] == ["total", "IIT"]  # series without points are dropped
    assert chart.y_ticks[-1][1] == "๑๐๐" and chart.y_ticks[0][1] == "๖๐"
    assert dashboard.score_chart([]).empty


# --- queries --------------------------------------------------------------------------------------

def _lots_of_data(org, catalogue_years=(2565, 2566, 2567, 2568)):
    for y in catalogue_years:
        make_result(org, year=y, total="90")
    for fy in (2567, 2568, 2569):
        for _ in range(4):
            measure = MeasureFactory(organisation=org, fiscal_year=fy)
            for day in (1, 10, 20):
                MeasureStepFactory(measure=measure, due_date=date(2025, 11, day))
        progress(org, fy, 6)
        progress(org, fy, 12, revision=2)


def test_build_runs_eight_queries_whatever_the_data(catalogue, org_a, django_assert_num_queries,
                                                    django_assert_max_num_queries):
    # the eight of workspace/dashboard.py (the catalogue's items are read once, for both OIT lines)
    with django_assert_max_num_queries(8):  # seven: without results there are no tool scores to fetch
        dashboard.build(org_a, on=TODAY)
    _lots_of_data(org_a)
    with django_assert_num_queries(8):
        data = dashboard.build(org_a, "2568", on=date(2025, 11, 15))
    assert data.measure_count == 4 and len(data.overdue) == 8 and len(data.due_this_month) == 4
    assert [r.document.revision if r.document else None for r in data.reports] == [1, 2]
    assert data.last_result.year.year == 2567


def test_the_dashboard_page_has_a_fixed_number_of_queries(client, catalogue, org_a, staff_a,
                                                          django_assert_max_num_queries):
    _lots_of_data(org_a)
    client.force_login(staff_a)
    # session, user, two-factor state (twofactor.middleware), membership + the eight of build()
    with django_assert_max_num_queries(12):
        assert client.get(url(org_a, 2568)).status_code == 200


def test_the_dashboard_does_not_read_the_frozen_snapshots(client, catalogue, org_a, staff_a, approver_a,
                                                         django_assert_max_num_queries):
    """A published document's snapshot (the whole approved document) is not needed to show its state:
    the page neither loads nor decodes it."""
    progress(org_a, 2570, 6, status=DocumentStatus.PUBLISHED)
    Document.objects.update(snapshot={"measures": [{"title": "x" * 1000}] * 50})
    progress(org_a, 2570, 12, status=DocumentStatus.SUBMITTED)
    data = dashboard.build(org_a, "2570", on=TODAY, role="approver", user=approver_a)
    shown = [r.document for r in data.reports] + [w.document for w in data.waiting]
    assert len(shown) == 3 and all("snapshot" in d.get_deferred_fields() for d in shown)
    client.force_login(staff_a)
    with django_assert_max_num_queries(12):  # as many as without snapshots: none is loaded afterwards
        response = client.get(url(org_a, 2570))
    assert "x" * 1000 not in response.text


def test_the_year_selector_offers_every_year_from_the_first_with_data_to_the_current_one(client, org_a, staff_a):
    MeasureFactory(organisation=org_a, fiscal_year=2566)
    client.force_login(staff_a)
    options = [o["attrs"]["value"] for o in find_all(client.get(url(org_a, 2580)).text, "option")]
    assert options == ["2580", "2570", "2569", "2568", "2567", "2566"]
