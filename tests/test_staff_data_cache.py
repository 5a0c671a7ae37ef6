"""The staff pages' data kept in the shared cache (core/datacache.py), the dashboard's and the measures
list's: built once, used while nothing they show has changed, built again at once after any change of the
organisation's data (a save, a queryset update, links set, a workflow step, a result, the OIT register, a
member's name, a division, the catalogue), per organisation, year, day, language and filter; never another
organisation's."""
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import datacache
from core.thai import to_thai_digits
from ita.models import AssessmentResult, OITItem
from measures.models import Measure
from oit import services as oit_services
from oit.models import Answer, Health
from orgs import services as org_services
from orgs.models import Division
from reports.models import DocumentKind, EntryStatus, ProgressEntry
from reports.workflow import transitions
from workspace import dashboard

from .factories import MeasureFactory, MeasureStepFactory
from .helpers.builders import make_result
from .helpers.html import find, th
from .helpers.source import called_name, calls_in_functions

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 4)  # fiscal year 2570
BUILD_QUERIES = 8  # workspace/dashboard.py's eight


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(dashboard, "today", lambda: TODAY)


def get(client, org, year=2570):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard", args=[org.slug]) + f"?year={year}")
    assert response.status_code == 200
    return response.text, len(queries)


def count_of(page) -> int:
    return int(find(page, "div", data_count=True)["attrs"]["data-count"])


def test_the_second_request_uses_what_the_first_built(client, catalogue, org_a, staff_a):
    MeasureFactory(organisation=org_a, fiscal_year=2570)
    client.force_login(staff_a)
    first, built = get(client, org_a)
    second, kept = get(client, org_a)
    assert kept == built - BUILD_QUERIES
    assert count_of(second) == count_of(first) == 1
    token = re.compile(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"')
    assert token.sub("", second) == token.sub("", first)  # the same page, CSRF tokens aside


def test_off_it_builds_every_time(settings, client, catalogue, org_a, staff_a):
    settings.WORKSPACE_DATA_CACHE = False
    client.force_login(staff_a)
    _page, built = get(client, org_a)
    assert get(client, org_a)[1] == built


def step_due(measure, text, days):
    return MeasureStepFactory(measure=measure, text=text, due_date=TODAY + timedelta(days=days))


def test_a_new_measure_and_a_step_show_at_once(client, catalogue, org_a, staff_a):
    client.force_login(staff_a)
    assert count_of(get(client, org_a)[0]) == 0
    measure = MeasureFactory(organisation=org_a, fiscal_year=2570)
    assert count_of(get(client, org_a)[0]) == 1
    step_due(measure, "ประชุมคณะทำงานครั้งแรก", 3)
    assert "ประชุมคณะทำงานครั้งแรก" in find(get(client, org_a)[0], id="due-this-month")["text"]


def test_a_queryset_update_shows_at_once(client, catalogue, org_a, staff_a):
    """update() sends no signal: the queryset bumps (core.datacache.UpdateBumpsQuerySet)."""
    measure = MeasureFactory(organisation=org_a, fiscal_year=2570, title="ชื่อเดิม")
    step_due(measure, "จัดทำคำสั่ง", 3)
    client.force_login(staff_a)
    assert "ชื่อเดิม" in find(get(client, org_a)[0], id="due-this-month")["text"]
    Measure.objects.filter(pk=measure.pk).update(title="ชื่อใหม่")
    assert "ชื่อใหม่" in find(get(client, org_a)[0], id="due-this-month")["text"]


def test_a_reported_step_leaves_the_list_when_its_entry_is_updated(client, catalogue, org_a, staff_a):
    measure = MeasureFactory(organisation=org_a, fiscal_year=2570)
    step_due(measure, "เผยแพร่ประกาศ", -3)
    report = transitions.create_document(org_a, fiscal_year=2570, kind=DocumentKind.PROGRESS, round=6,
                                         actor=staff_a, notify=False)
    client.force_login(staff_a)
    assert "เผยแพร่ประกาศ" in find(get(client, org_a)[0], id="overdue")["text"]
    assert ProgressEntry.objects.filter(document=report, measure=measure).update(status=EntryStatus.DONE) == 1
    assert "เผยแพร่ประกาศ" not in find(get(client, org_a)[0], id="overdue")["text"]


def test_the_workflow_and_a_members_new_name_show_at_once(client, catalogue, org_a, staff_a, approver_a):
    plan = transitions.create_document(org_a, fiscal_year=2570, kind=DocumentKind.MEASURES, actor=staff_a,
                                       notify=False)
    client.force_login(approver_a)
    assert 'id="inbox"' not in get(client, org_a)[0]
    transitions.submit_document(plan, actor=staff_a, notify=False)
    inbox = find(get(client, org_a)[0], "section", id="inbox")["text"]
    assert th("Waiting for approval") in inbox and staff_a.get_full_name() in inbox
    staff_a.first_name, staff_a.last_name = "สมศรี", "มีสุข"
    staff_a.save()
    assert "สมศรี มีสุข" in find(get(client, org_a)[0], "section", id="inbox")["text"]
    transitions.approve_document(plan, actor=approver_a, notify=False)
    assert th("Waiting for publication") in find(get(client, org_a)[0], "section", id="inbox")["text"]


def test_a_result_and_its_correction_show_at_once(client, catalogue, org_a, staff_a):
    client.force_login(staff_a)
    assert find(get(client, org_a)[0], "section", id="last-result")["text"].count("๙๑.๙๓") == 0
    result = make_result(org_a, year=2569, total="91.93")
    assert "๙๑.๙๓" in find(get(client, org_a)[0], "section", id="last-result")["text"]
    AssessmentResult.objects.filter(pk=result.pk).update(total_score="88.10")
    assert "๘๘.๑" in find(get(client, org_a)[0], "section", id="last-result")["text"]


def register_line(client, org):
    return find(get(client, org)[0], "li", data_line="oit-register")["text"]


def test_the_oit_register_shows_answers_and_link_health_at_once(client, catalogue, org_a, staff_a):
    register = oit_services.open_register(org_a, 2570)
    items = to_thai_digits(register.rows.count())
    client.force_login(staff_a)
    assert th("%(answered)s of %(items)s items answered", answered="๐", items=items) in register_line(client, org_a)
    answer = oit_services.add_link(register.rows.get(code="O1"), url="https://www.example.go.th/a", actor=staff_a)
    line = register_line(client, org_a)
    assert th("%(answered)s of %(items)s items answered", answered="๑", items=items) in line
    assert "ลิงก์เสีย" not in line
    Answer.objects.filter(pk=answer.pk).update(health=Health.BROKEN)  # what a link check records
    assert "ลิงก์เสีย ๑ ลิงก์" in register_line(client, org_a)


def test_a_change_of_the_catalogue_shows_at_once(client, catalogue, org_a, staff_a):
    item = OITItem.objects.filter(year__year=2570).exclude(portal_documents="").order_by("number").first()
    client.force_login(staff_a)
    assert find(get(client, org_a)[0], "li", data_item=item.code)["attrs"]["title"] == item.title
    item.title = "รายการที่เปลี่ยนชื่อแล้ว"
    item.save()
    assert find(get(client, org_a)[0], "li", data_item=item.code)["attrs"]["title"] == "รายการที่เปลี่ยนชื่อแล้ว"


def test_another_organisations_change_keeps_mine(client, catalogue, org_a, org_b, staff_a):
    client.force_login(staff_a)
    _page, built = get(client, org_a)
    MeasureFactory(organisation=org_b, fiscal_year=2570)
    assert get(client, org_a)[1] == built - BUILD_QUERIES


def test_each_organisation_year_day_and_language_has_its_own(client, catalogue, org_a, org_b, staff_a, staff_b,
                                                            monkeypatch):
    MeasureFactory(organisation=org_a, fiscal_year=2570)
    client.force_login(staff_a)
    _page, built = get(client, org_a)
    assert count_of(get(client, org_a, year=2569)[0]) == 0  # another year: built for it
    client.force_login(staff_b)
    assert count_of(get(client, org_b)[0]) == 0  # never org A's
    client.force_login(staff_a)
    client.cookies["django_language"] = "en"
    english, queries = get(client, org_a)
    assert queries == built and "Dashboard" in english and "Measures plan approved and published" in english
    del client.cookies["django_language"]
    monkeypatch.setattr(dashboard, "today", lambda: TODAY + timedelta(days=1))
    assert get(client, org_a)[1] == built  # a new day: due and overdue move


# --- the measures list --------------------------------------------------------------------------------

def list_page(client, org, year=2570, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("measures:list", args=[org.slug, year]), params)
    assert response.status_code == 200
    return response.text, len(queries)


def listed(page, measure) -> str:
    return find(page, "li", id=f"measure-{measure.pk}")["text"]


@pytest.fixture
def division(org_a):
    return Division.objects.create(organisation=org_a, name="กองช่างสุขาภิบาล", order=9)


def test_the_measures_list_is_built_once_and_shows_every_change_at_once(client, catalogue, org_a, staff_a,
                                                                        admin_a, division):
    measure = MeasureFactory(organisation=org_a, fiscal_year=2570, title="มาตรการเปิดเผยข้อมูล")
    client.force_login(staff_a)
    built = list_page(client, org_a)[1]
    second, kept = list_page(client, org_a)
    assert kept < built and "มาตรการเปิดเผยข้อมูล" in listed(second, measure)
    assert "๐ ขั้นตอน" in listed(second, measure)

    measure.divisions.add(division)  # links set: m2m_changed
    assert "กองช่างสุขาภิบาล" in listed(list_page(client, org_a)[0], measure)
    org_services.rename_division(division, name="กองช่างและสุขาภิบาล", actor=admin_a)
    assert "กองช่างและสุขาภิบาล" in listed(list_page(client, org_a)[0], measure)
    MeasureStepFactory(measure=measure, text="ขั้นตอนใหม่")
    assert "๑ ขั้นตอน" in listed(list_page(client, org_a)[0], measure)
    Measure.objects.filter(pk=measure.pk).update(title="มาตรการเปิดเผยข้อมูลสาธารณะ")
    assert "มาตรการเปิดเผยข้อมูลสาธารณะ" in listed(list_page(client, org_a)[0], measure)


def test_a_kept_page_has_the_same_few_queries_whatever_the_data(client, catalogue, org_a, staff_a, division):
    client.force_login(staff_a)
    list_page(client, org_a)
    get(client, org_a)
    few = list_page(client, org_a)[1], get(client, org_a)[1]  # session, user, two-factor state, membership
    for n in range(30):
        measure = MeasureFactory(organisation=org_a, fiscal_year=2570, title=f"มาตรการที่ {n}")
        measure.divisions.add(division)
        step_due(measure, f"ขั้นตอนของมาตรการที่ {n}", n - 15)
    list_page(client, org_a)
    get(client, org_a)
    assert (list_page(client, org_a)[1], get(client, org_a)[1]) == few == (4, 4)


def test_each_filter_has_its_own_list_and_checks_its_value_without_a_query(client, catalogue, org_a, staff_a,
                                                                           division):
    mine = MeasureFactory(organisation=org_a, fiscal_year=2570, title="ของกองคลัง")
    other = MeasureFactory(organisation=org_a, fiscal_year=2570, title="ของสำนักปลัด")
    mine.divisions.add(division)
    client.force_login(staff_a)
    everything = list_page(client, org_a)[0]
    assert "ของสำนักปลัด" in everything
    filtered = list_page(client, org_a, division=division.pk)[0]
    assert "ของกองคลัง" in filtered and "ของสำนักปลัด" not in filtered
    assert list_page(client, org_a, division=division.pk)[1] == list_page(client, org_a)[1]  # both kept
    other.divisions.add(division)
    assert "ของสำนักปลัด" in list_page(client, org_a, division=division.pk)[0]


def test_changes_reach_the_data_cache_through_one_path():
    """Saves and deletes bump in the signal receivers (workspace/signals.py) and updates in the queryset
    (core/datacache.py); the other calls are writes that send no signal (docs/ARCHITECTURE.md, "The staff
    pages' data cache"). A new call elsewhere is a second path for a save (remove it) or a new signal-less
    write (add it here, with its reason)."""
    found = {(rel, func) for rel, func, node in calls_in_functions() if called_name(node) == ("bump", "datacache")}
    assert found == {
        ("workspace/signals.py", "row_changed"),
        ("workspace/signals.py", "organisation_changed"),
        ("workspace/signals.py", "user_changed"),
        ("workspace/signals.py", "catalogue_changed"),
        ("workspace/signals.py", "measure_links_changed"),
        ("ita/services.py", "save_result"),  # bulk_create of the scores
        ("ita/catalogue_changes.py", "apply"),  # the whole catalogue, bulk_create
        ("core/backup.py", "_invalidate_public_cache"),  # raw inserts of a restore
        ("demo/loader.py", "seed_demo"),  # the demo's rows, some without a signal
        ("demo/scale_delete.py", "bump_public_cache"),  # COPY of the national data set
        ("bench/page_profile.py", "main"),  # --changed: times the page as built after a change
    }
    assert datacache.TIMEOUT <= 600  # what a missed bump costs at most
