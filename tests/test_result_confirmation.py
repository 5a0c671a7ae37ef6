"""ITA results go public only once an approver of the organisation confirms them (ita/services.py):
the confirm button of the result page (POST, the version the approver saw), who may confirm, the
events and the history, corrections that wait for their own confirmation while the public keeps the
confirmed figures, and every public place that reads results (organisation page, its chart, the
directory, the open-data CSV, the page cache and Last-Modified)."""
import csv
import importlib
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date

from ita import services
from ita.models import AssessmentResult, ResultAction, ResultEvent, ToolScore
from orgs.models import Role

from .factories import AssessmentYearFactory, MembershipFactory, OrganisationFactory, ToolFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR = 2567
TOOLS = ("IIT", "EIT", "OIT")
NOT_PUBLISHED = "ยังไม่มีผลการประเมิน ITA ที่เผยแพร่"
ALREADY = "ผลการประเมินชุดนี้ได้รับการยืนยันแล้ว ไม่มีการเปลี่ยนแปลงที่ต้องยืนยันอีก"
STALE = "มีผู้แก้ไขผลการประเมินนี้หลังจากที่คุณเปิดหน้า จึงยังไม่ได้ยืนยัน"
SELF = "คุณเป็นผู้บันทึกตัวเลขชุดนี้เอง จึงต้องให้ผู้อนุมัติคนอื่นเป็นผู้ยืนยัน"


# --- helpers ---------------------------------------------------------------------------------------

@pytest.fixture
def new_scale_year(db):
    year = AssessmentYearFactory(year=YEAR, scale="new")
    for order, code in enumerate(TOOLS, start=1):
        ToolFactory(code=code, name=f"เครื่องมือ {code}", order=order)
    return year


def entry_data(total, tools, version):
    """POST data of the entry page of a year without indicators or OIT items in the catalogue."""
    data = {"total_score": total, "summary": "", "notes": "", "version": str(version),
            "tools-TOTAL_FORMS": "3", "tools-INITIAL_FORMS": "3", "indicators-TOTAL_FORMS": "0",
            "indicators-INITIAL_FORMS": "0", "oit-TOTAL_FORMS": "0", "oit-INITIAL_FORMS": "0"}
    for i, code in enumerate(TOOLS):
        data[f"tools-{i}-score"] = tools.get(code, "")
        data[f"tools-{i}-issues_to_improve"] = ""
    return data


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def save(client, org, total, tools, version, create=False):
    name = "ita:result_create" if create else "ita:result_edit"
    return client.post(reverse(name, args=[org.slug, YEAR]), entry_data(total, tools, version))


@pytest.fixture
def entered(new_scale_year, org_a, staff_a):
    """A result typed by staff through the entry page: 91.93 (IIT 95, EIT 84.50, OIT 96), version 1."""
    response = save(signed_in(staff_a), org_a, "91.93", {"IIT": "95", "EIT": "84.50", "OIT": "96"}, 0, create=True)
    assert response.status_code == 302
    return AssessmentResult.objects.get(organisation=org_a)


def detail_url(org):
    return reverse("ita:result_detail", args=[org.slug, YEAR])


def confirm_url(org):
    return reverse("ita:result_confirm", args=[org.slug, YEAR])


def hidden_version(html):
    form = re.search(r'<form[^>]*id="confirm-form".*?</form>', html, re.S)
    assert form, "no confirm form on the page"
    return re.search(r'name="version" value="(\d+)"', form.group(0)).group(1)


def confirm(client, org, version, comment=""):
    return client.post(confirm_url(org), {"version": str(version), "comment": comment})


def public_page(client, org):
    return client.get(reverse("public:organisation", args=[org.slug])).content.decode()


def results_table(html):
    found = re.search(r'<table[^>]*id="results-table".*?</table>', html, re.S)
    return found.group(0) if found else ""


def csv_rows(client):
    response = client.get(reverse("public:opendata_results"))
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def state(html):
    return re.search(r'id="confirmation"[^>]*data-state="(\w+)"', html).group(1)


# --- before confirmation: nothing public -------------------------------------------------------------

def test_an_entered_result_is_not_public_until_an_approver_confirms_it(client, entered, org_a, staff_a):
    page = public_page(client, org_a)
    assert 'id="results-table"' not in page and "score-chart" not in page
    assert NOT_PUBLISHED in page
    assert csv_rows(client) == []
    directory = client.get(reverse("public:directory")).content.decode()
    row = re.search(r'<tr data-org="org-a">(.*?)</tr>', directory, re.S).group(1)
    assert '<td class="text-end" data-total>—</td>' in row
    # The workspace says so; staff get no confirm button.
    detail = signed_in(staff_a).get(detail_url(org_a)).content.decode()
    assert state(detail) == "unconfirmed" and "รอการยืนยัน" in detail and 'id="confirm-form"' not in detail
    assert "ผู้อนุมัติของหน่วยงานเป็นผู้ยืนยันตัวเลข" in detail
    assert [(e.action, e.actor) for e in entered.events.all()] == [(ResultAction.ENTER, staff_a)]
    assert entered.awaiting_confirmation and not entered.is_confirmed and not entered.was_confirmed


def test_the_list_of_results_shows_the_confirmation_state(entered, org_a, staff_a, approver_a):
    html = signed_in(staff_a).get(reverse("ita:results", args=[org_a.slug])).content.decode()
    assert re.search(r'data-confirmation><span class="badge[^"]*" data-state="unconfirmed">รอการยืนยัน', html)
    confirm(signed_in(approver_a), org_a, 1)
    html = signed_in(staff_a).get(reverse("ita:results", args=[org_a.slug])).content.decode()
    assert re.search(r'data-state="confirmed">ยืนยันแล้ว', html)


# --- confirming ----------------------------------------------------------------------------------------

def test_an_approver_confirms_with_the_button_and_the_public_sees_the_figures(client, entered, org_a,
                                                                              approver_a):
    approver = signed_in(approver_a)
    page = approver.get(detail_url(org_a)).content.decode()
    assert "ยืนยันผลการประเมินเพื่อเผยแพร่" in page and hidden_version(page) == "1"
    response = confirm(approver, org_a, hidden_version(page), comment="ตรงกับประกาศของ ป.ป.ช.")
    assert response.status_code == 302 and response["Location"] == detail_url(org_a)

    result = AssessmentResult.objects.get(pk=entered.pk)
    assert result.is_confirmed and result.confirmed_by == approver_a and result.confirmed_version == 1
    assert result.confirmed_snapshot["total_score"] == "91.93"
    assert result.confirmed_snapshot["tools"] == {"IIT": "95.00", "EIT": "84.50", "OIT": "96.00"}
    event = result.events.get(action=ResultAction.CONFIRM)
    assert (event.actor, event.actor_name, event.comment, event.version) == (
        approver_a, "สมหญิง ใจดี", "ตรงกับประกาศของ ป.ป.ช.", 1)

    # The result page says who confirmed when, and lists the events.
    page = approver.get(detail_url(org_a)).content.decode()
    assert state(page) == "confirmed" and "ยืนยันโดย สมหญิง ใจดี เมื่อ" in page
    assert 'id="confirm-form"' not in page
    events = re.search(r'<ul[^>]*id="result-events">(.*?)</ul>', page, re.S).group(1)
    assert re.findall(r'data-action="(\w+)"', events) == ["confirm", "enter"]  # newest first
    assert "ตรงกับประกาศของ ป.ป.ช." in events

    # Public: the organisation page, its chart, the directory and the open data.
    public = public_page(client, org_a)
    row = re.search(r'<tr data-year="2567">(.*?)</tr>', results_table(public), re.S).group(1)
    assert all(v in row for v in ("๙๑.๙๓", "๙๕.๐๐", "๘๔.๕๐", "๙๖.๐๐"))
    assert '<svg class="score-chart' in public and NOT_PUBLISHED not in public
    directory = client.get(reverse("public:directory")).content.decode()
    assert "๙๑.๙๓" in re.search(r'<tr data-org="org-a">(.*?)</tr>', directory, re.S).group(1)
    (only,) = csv_rows(client)
    assert (only["organisation"], only["total"], only["IIT"], only["EIT"], only["OIT"]) == (
        "org-a", "91.93", "95.00", "84.50", "96.00")


def test_an_organisation_admin_may_confirm(entered, org_a, admin_a):
    assert confirm(signed_in(admin_a), org_a, 1).status_code == 302
    assert AssessmentResult.objects.get(pk=entered.pk).confirmed_by == admin_a


def test_staff_may_not_confirm(entered, org_a, staff_a):
    response = confirm(signed_in(staff_a), org_a, 1)
    assert response.status_code == 403
    assert not AssessmentResult.objects.get(pk=entered.pk).was_confirmed
    assert not ResultEvent.objects.filter(action=ResultAction.CONFIRM).exists()
    with pytest.raises(services.ResultError) as refused:
        services.confirm_result(entered, actor=staff_a, expected_version=1)
    assert refused.value.code == "role"


def test_another_organisation_gets_404_and_nothing_changes(entered, org_a, org_b, staff_b):
    approver_b = MembershipFactory(user=UserFactory(username="approver_b"), organisation=org_b,
                                   role=Role.APPROVER).user
    for user in (staff_b, approver_b):
        assert confirm(signed_in(user), org_a, 1).status_code == 404
    assert not AssessmentResult.objects.get(pk=entered.pk).was_confirmed
    with pytest.raises(services.ResultError) as refused:
        services.confirm_result(entered, actor=approver_b, expected_version=1)
    assert refused.value.code == "not_member"


def test_anonymous_is_sent_to_sign_in_and_get_is_not_allowed(client, entered, org_a, approver_a):
    response = client.post(confirm_url(org_a), {"version": "1"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert signed_in(approver_a).get(confirm_url(org_a)).status_code == 405
    assert not AssessmentResult.objects.get(pk=entered.pk).was_confirmed


def test_confirming_twice_without_a_change_is_refused_with_a_thai_message(entered, org_a, approver_a):
    approver = signed_in(approver_a)
    assert confirm(approver, org_a, 1).status_code == 302
    confirmed_at = AssessmentResult.objects.get(pk=entered.pk).confirmed_at
    again = confirm(approver, org_a, 1)
    assert again.status_code == 409
    assert ALREADY in again.content.decode() and 'id="confirm-error"' in again.content.decode()
    assert entered.events.filter(action=ResultAction.CONFIRM).count() == 1
    assert AssessmentResult.objects.get(pk=entered.pk).confirmed_at == confirmed_at


def test_confirming_a_result_changed_meanwhile_is_refused_409(client, entered, org_a, staff_a, approver_a):
    approver = signed_in(approver_a)
    seen = hidden_version(approver.get(detail_url(org_a)).content.decode())  # the approver reads 91.93
    # Meanwhile staff change the figures.
    assert save(signed_in(staff_a), org_a, "50.00", {"IIT": "50"}, 1).status_code == 302
    response = confirm(approver, org_a, seen, comment="ตรวจแล้ว")
    assert response.status_code == 409
    page = response.content.decode()
    assert STALE in page
    assert hidden_version(page) == "2" and "ตรวจแล้ว" in page  # the current version, the comment kept
    assert re.search(r'id="total-score">๕๐\.๐๐<', page)  # the current figures to look at
    result = AssessmentResult.objects.get(pk=entered.pk)
    assert not result.was_confirmed and NOT_PUBLISHED in public_page(client, org_a)
    # Confirming what is now on the page works.
    assert confirm(approver, org_a, hidden_version(page)).status_code == 302
    assert AssessmentResult.objects.get(pk=entered.pk).confirmed_snapshot["total_score"] == "50.00"


def test_a_confirmation_without_a_version_is_refused(entered, org_a, approver_a):
    response = signed_in(approver_a).post(confirm_url(org_a), {})
    assert response.status_code == 400
    assert "อ่านข้อมูลการยืนยันไม่ได้" in response.content.decode()
    assert not AssessmentResult.objects.get(pk=entered.pk).was_confirmed


def test_an_approver_does_not_confirm_figures_they_saved_unless_the_organisation_allows_it(
        new_scale_year, org_a, approver_a):
    approver = signed_in(approver_a)
    assert save(approver, org_a, "80", {"IIT": "80"}, 0, create=True).status_code == 302
    page = approver.get(detail_url(org_a)).content.decode()
    assert 'id="confirm-form"' not in page and SELF in page
    response = confirm(approver, org_a, 1)
    assert response.status_code == 403 and SELF in response.content.decode()
    assert not AssessmentResult.objects.get(organisation=org_a).was_confirmed
    org_a.allow_self_approval = True
    org_a.save()
    assert 'id="confirm-form"' in approver.get(detail_url(org_a)).content.decode()
    assert confirm(approver, org_a, 1).status_code == 302
    assert AssessmentResult.objects.get(organisation=org_a).is_confirmed


# --- corrections ---------------------------------------------------------------------------------------

def test_a_correction_waits_for_its_own_confirmation_while_the_public_keeps_the_confirmed_figures(
        client, entered, org_a, staff_a, approver_a):
    approver, staff = signed_in(approver_a), signed_in(staff_a)
    confirm(approver, org_a, 1)
    edit_page = staff.get(reverse("ita:result_edit", args=[org_a.slug, YEAR])).content.decode()
    assert 'id="correction-notice"' in edit_page
    assert save(staff, org_a, "93.50", {"IIT": "97", "EIT": "84.50", "OIT": "96"}, 1).status_code == 302

    result = AssessmentResult.objects.get(pk=entered.pk)
    assert result.correction_pending and not result.is_confirmed and result.was_confirmed
    assert result.total_score == Decimal("93.50") and result.confirmed_snapshot["total_score"] == "91.93"
    assert [e.action for e in result.events.all()] == [ResultAction.ENTER, ResultAction.CONFIRM,
                                                       ResultAction.CORRECT]
    # The public still shows the confirmed figures: page, chart data, directory, open data.
    table = results_table(public_page(client, org_a))
    assert "๙๑.๙๓" in table and "๙๓.๕๐" not in table and "๙๗.๐๐" not in table
    assert csv_rows(client)[0]["total"] == "91.93" and csv_rows(client)[0]["IIT"] == "95.00"
    # The workspace says a correction awaits confirmation and what it changes.
    page = approver.get(detail_url(org_a)).content.decode()
    assert state(page) == "correction" and "การแก้ไขรอการยืนยัน" in page
    changes = re.search(r'<table[^>]*id="confirmation-changes".*?</table>', page, re.S).group(0)
    assert "คะแนนรวม" in changes and "๙๑.๙๓" in changes and "๙๓.๕๐" in changes
    assert "IIT" in changes and "๙๗.๐๐" in changes and "EIT" not in changes
    assert "ยืนยันการแก้ไข" in page and hidden_version(page) == "2"
    listing = staff.get(reverse("ita:results", args=[org_a.slug])).content.decode()
    assert 'data-state="correction">การแก้ไขรอการยืนยัน' in listing

    assert confirm(approver, org_a, 2).status_code == 302
    table = results_table(public_page(client, org_a))
    assert "๙๓.๕๐" in table and "๙๗.๐๐" in table and "๙๑.๙๓" not in table
    assert csv_rows(client)[0]["total"] == "93.50"
    result = AssessmentResult.objects.get(pk=entered.pk)
    assert result.is_confirmed and result.confirmed_version == 2
    assert [e.action for e in result.events.all()] == [ResultAction.ENTER, ResultAction.CONFIRM,
                                                       ResultAction.CORRECT, ResultAction.CONFIRM]


def test_saving_the_confirmed_figures_unchanged_needs_no_new_confirmation(entered, org_a, staff_a, approver_a):
    confirm(signed_in(approver_a), org_a, 1)
    assert save(signed_in(staff_a), org_a, "91.93", {"IIT": "95.00", "EIT": "84.5", "OIT": "96"}, 1).status_code == 302
    result = AssessmentResult.objects.get(pk=entered.pk)
    assert result.version == 2 and result.is_confirmed and not result.correction_pending
    assert result.events.order_by("pk").last().action == ResultAction.EDIT


def test_a_result_entered_but_never_confirmed_stays_unpublished_next_to_confirmed_years(client, new_scale_year, org_a,
                                                                                         staff_a, approver_a):
    staff = signed_in(staff_a)
    save(staff, org_a, "88.00", {"IIT": "88"}, 0, create=True)
    confirm(signed_in(approver_a), org_a, 1)
    later = AssessmentYearFactory(year=2568, scale="new")
    staff.post(reverse("ita:result_create", args=[org_a.slug, 2568]), entry_data("70.00", {}, 0))
    assert AssessmentResult.objects.filter(year=later).exists()
    table = results_table(public_page(client, org_a))
    assert re.findall(r'<tr data-year="(\d+)">', table) == ["2567"]
    directory = client.get(reverse("public:directory")).content.decode()
    row = re.search(r'<tr data-org="org-a">(.*?)</tr>', directory, re.S).group(1)
    assert "๒๕๖๗" in row and "๘๘.๐๐" in row and "๗๐.๐๐" not in row  # the latest confirmed year
    assert [r["year"] for r in csv_rows(client)] == ["2567"]


# --- cache, Last-Modified, query counts ----------------------------------------------------------------

def test_confirmation_renews_the_cached_public_page_and_its_last_modified(client, entered, org_a, approver_a,
                                                                         staff_a, django_capture_on_commit_callbacks):
    url = reverse("public:organisation", args=[org_a.slug])
    before = client.get(url)
    assert NOT_PUBLISHED in before.content.decode()
    assert NOT_PUBLISHED in client.get(url).content.decode()  # now answered from the page cache
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm(signed_in(approver_a), org_a, 1).status_code == 302
    # (a minute earlier: Last-Modified counts whole seconds)
    AssessmentResult.objects.filter(pk=entered.pk).update(confirmed_at=F("confirmed_at") - timedelta(minutes=1))
    first_confirmation = AssessmentResult.objects.get(pk=entered.pk).confirmed_at
    after = client.get(url)
    assert "๙๑.๙๓" in results_table(after.content.decode())
    assert after["Last-Modified"] == http_date(first_confirmation.timestamp())  # no document: the confirmation
    # A correction changes nothing public; its confirmation shows at once, also to a conditional request.
    save(signed_in(staff_a), org_a, "92.00", {"IIT": "95"}, 1)
    assert "๙๑.๙๓" in results_table(client.get(url).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        confirm(signed_in(approver_a), org_a, 2)
    fresh = client.get(url, HTTP_IF_MODIFIED_SINCE=after["Last-Modified"])
    assert fresh.status_code == 200 and "๙๒.๐๐" in results_table(fresh.content.decode())
    assert fresh["Last-Modified"] != after["Last-Modified"]


@pytest.mark.parametrize("n", [2, 8])
def test_public_pages_read_the_confirmed_figures_in_a_fixed_number_of_queries(
        client, new_scale_year, org_a, staff_a, approver_a, n, django_assert_max_num_queries):
    tools = {code: ToolFactory(code=code) for code in TOOLS}
    for i in range(n):
        year = AssessmentYearFactory(year=2550 + i, scale="new")
        result = AssessmentResult.objects.create(organisation=org_a, year=year, total_score=Decimal("80"))
        ToolScore.objects.create(result=result, tool=tools["IIT"], score=Decimal("81"))
        services.confirm_result(result, actor=approver_a, expected_version=1)
        if i % 2:  # a pending correction: still one query
            AssessmentResult.objects.filter(pk=result.pk).update(version=2, total_score=Decimal("10"))
        OrganisationFactory()
    with django_assert_max_num_queries(5):
        page = client.get(reverse("public:organisation", args=[org_a.slug])).content.decode()
    assert len(re.findall(r'<tr data-year="\d+">', results_table(page))) == n
    assert "๑๐.๐๐" not in results_table(page)
    with django_assert_max_num_queries(5):
        client.get(reverse("public:directory"))
    with django_assert_max_num_queries(3):
        rows = csv_rows(client)
    assert len(rows) == n and {r["total"] for r in rows} == {"80.00"}


# --- history and the migration of existing results -------------------------------------------------------

def test_the_organisation_history_shows_who_entered_corrected_and_confirmed(entered, org_a, staff_a, approver_a,
                                                                            admin_a):
    confirm(signed_in(approver_a), org_a, 1, comment="ตรงกับประกาศ")
    save(signed_in(staff_a), org_a, "92.00", {"IIT": "95"}, 1)
    admin = signed_in(admin_a)
    page = admin.get(reverse("orgs:history", args=[org_a.slug])).content.decode()
    rows = re.findall(r'<tr class="history-row" data-kind="result"(.*?)</tr>', page, re.S)
    assert len(rows) == 3
    correct, confirmed, enter = rows  # newest first
    assert "แก้ไขหลังการยืนยัน" in correct and "สมหญิง ใจดี" in correct
    assert 'data-action="confirm"' in confirmed and "ตรงกับประกาศ" in confirmed
    assert "บันทึกผล" in enter and "ผลการประเมิน ITA ประจำปี ๒๕๖๗" in enter
    assert f'href="{detail_url(org_a)}"' in enter
    # The filters: kind "result" and the fiscal year the result belongs to (assessment year + 1).
    only = admin.get(reverse("orgs:history", args=[org_a.slug]), {"kind": "result", "year": YEAR + 1})
    assert only.content.decode().count('data-kind="result"') == 3
    other_year = admin.get(reverse("orgs:history", args=[org_a.slug]), {"kind": "result", "year": YEAR})
    assert 'data-kind="result"' not in other_year.content.decode()


def test_the_history_never_shows_another_organisations_result_events(entered, org_a, org_b, admin_b, approver_a):
    confirm(signed_in(approver_a), org_a, 1)
    page = signed_in(admin_b).get(reverse("orgs:history", args=[org_b.slug])).content.decode()
    assert 'data-kind="result"' not in page


def test_the_migration_confirms_results_that_were_public_before(client, new_scale_year, org_a):
    migration = importlib.import_module("ita.migrations.0002_result_confirmation")
    result = AssessmentResult.objects.create(organisation=org_a, year=new_scale_year, total_score=Decimal("77.70"))
    ToolScore.objects.create(result=result, tool=ToolFactory(code="EIT"), score=Decimal("70.10"))
    migration.confirm_existing_results(apps, None)
    result.refresh_from_db()
    assert result.is_confirmed and result.confirmed_by is None
    assert result.confirmed_snapshot == services.snapshot_of(result)
    (event,) = result.events.all()
    assert event.action == ResultAction.AUTO_CONFIRM and event.at == result.confirmed_at
    assert "๗๗.๗๐" in results_table(public_page(client, org_a))


def test_the_dashboard_says_whether_the_last_result_is_confirmed(entered, org_a, staff_a, approver_a):
    staff = signed_in(staff_a)
    url = reverse("dashboard", args=[org_a.slug])

    def badge():
        page = staff.get(url).content.decode()
        found = re.search(r'id="last-result-confirmation">\s*<span class="badge[^"]*" data-state="(\w+)">([^<]+)<',
                          page)
        assert found, "no confirmation badge in the last result box"
        return found.groups()

    assert badge() == ("unconfirmed", "รอการยืนยัน")
    confirm(signed_in(approver_a), org_a, 1)
    assert badge() == ("confirmed", "ยืนยันแล้ว")
