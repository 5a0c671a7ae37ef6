"""seed_demo: idempotent demo data, working demo logins with the right roles, consistent ITA results, and
the seed documents approved and published through the real workflow, back-dated to plausible dates."""
import re
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from core.audit import sanctioned_removal
from core.thai import format_number
from demo.loader import seed_demo
from reports.documents.links import document_path

from ita import levels
from ita.levels import NewLevel
from ita.models import (
    AssessmentResult,
    AssessmentYear,
    IndicatorScore,
    LevelScale,
    OITItemScore,
    ResultAction,
    ResultEvent,
    ToolScore,
    ToolWeight,
)
from measures.models import Measure, MeasureStep
from orgs.models import Division, Invitation, InvitationStatus, Membership, Organisation, Role
from reports.models import Document, DocumentStatus, Memo, ProgressEntry, WorkflowAction, WorkflowEvent
from reports.workflow import reminders

pytestmark = pytest.mark.django_db

DEMO_USERS = ("somchai", "malee", "wichai", "niran", "kittipong", "sopa", "prasit")
BANGKOK = ZoneInfo("Asia/Bangkok")
MODELS = (
    Organisation, Division, Membership, get_user_model(), AssessmentResult, ToolScore, IndicatorScore,
    OITItemScore, ResultEvent, Measure, MeasureStep, Document, Memo, ProgressEntry, WorkflowEvent,
    Measure.history.model, MeasureStep.history.model, ProgressEntry.history.model, Invitation,
    Invitation.history.model,
)


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


# --- on an empty database: these run before the module's seeded data is loaded (seeded_once) -------------

def test_output_links_to_the_sign_in_page_on_site_url(db, settings):
    """`make run PORT=8101` sets SITE_URL to the port it serves: the printed links follow it."""
    settings.SITE_URL = "http://127.0.0.1:8101"
    out = seed()
    assert "Sign in at http://127.0.0.1:8101/accounts/login/" in out
    assert "the public site: http://127.0.0.1:8101/" in out


def test_a_workflow_must_give_its_dates_in_order(db):
    from demo.loader import DemoDataError, load_organisation, read_data

    call_command("load_ita_catalogue", verbosity=0)
    data = read_data("phaktob")
    data["fiscal_years"][-1]["documents"][1]["workflow"] = {"submitted": "2026-12-02", "published": "2026-12-03"}
    with pytest.raises(DemoDataError, match="submitted, then approved, then published"):
        load_organisation(data)
    data["fiscal_years"][-1]["documents"][1]["workflow"] = {"submitted": "2026-12-02", "approved": "2026-12-01",
                                                            "approved_by": "malee"}
    with pytest.raises(DemoDataError, match="not in order"):
        load_organisation(data)


# --- on the seeded data ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """seed_demo once for the module, in a transaction rolled back at its end. Each test runs in a savepoint
    of it (the ``db`` fixture), so every test starts from the freshly seeded data, as if it had seeded it."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = seed()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seeded_once, db):
    """The demo data and the output of seed_demo."""
    return seeded_once


def document_state():
    return sorted(Document.objects.values_list(
        "pk", "status", "version", "submitted_at", "approved_at", "published_at", "updated_at", "snapshot"))


def test_runs_twice_without_duplicating_or_changing_anything(seeded, mailoutbox):
    first = counts()
    assert first["Organisation"] == 3 and first["Measure"] == 3 * 3 + 7 + 2
    assert first["ProgressEntry"] == 3 * 3 + 7 + 2  # phaktob: 2568 r12, 2569 r6 and r12
    # create, submit, approve, publish of each published document; create, submit of the submitted plan
    assert first["WorkflowEvent"] == 10 * 4 + 2
    assert AssessmentYear.objects.exists(), "seed_demo loads the ITA catalogue when it is missing"
    documents = document_state()
    events = list(WorkflowEvent.objects.order_by("pk").values_list("pk", "action", "at"))
    second_output = seed()
    assert counts() == first  # history tables included: nothing was saved again
    assert document_state() == documents
    assert list(WorkflowEvent.objects.order_by("pk").values_list("pk", "action", "at")) == events
    assert "up to date" in second_output
    assert mailoutbox == []


def test_phaktob_shows_a_pending_invitation_and_it_stays_usable(seeded, client):
    invitation = Invitation.objects.get()
    assert (invitation.organisation.slug, invitation.email, invitation.status, invitation.invited_by.username) == (
        "phaktob", "nattaya@example.org", InvitationStatus.PENDING, "wichai")
    client.force_login(invitation.invited_by)
    assert 'data-invitation="nattaya@example.org"' in client.get(reverse("orgs:members", args=["phaktob"])).text
    Invitation.objects.update(expires_at=datetime(2020, 1, 1, tzinfo=BANGKOK))
    seed()
    assert Invitation.objects.get().is_usable and Invitation.objects.count() == 1


def test_second_load_reports_no_change_and_sends_no_mail(seeded, mailoutbox):
    stats = seed_demo()
    assert not stats.changed, (stats.created, stats.updated)
    assert mailoutbox == []


def test_output_lists_the_demo_logins_as_demo_only(seeded):
    assert "DEMO ONLY" in seeded
    for username in ("admin", *DEMO_USERS):
        assert username in seeded


def test_a_changed_step_is_restored_and_only_that(seeded):
    measure = Measure.objects.get(organisation__slug="nongsamet", fiscal_year=2567, order=1)
    step = measure.steps.get(order=4)
    step.text = "แก้ไขแล้ว"
    step.save()
    before = counts()
    output = seed()
    assert "measure.steps" in output
    assert [s.text for s in measure.top_steps()][3].startswith("นำคู่มือจากข้อ ๑")
    assert counts()["Measure"] == before["Measure"] and counts()["MeasureStep"] == before["MeasureStep"]


@pytest.mark.parametrize("username", ("admin", *DEMO_USERS))
def test_demo_users_sign_in_with_the_demo_password(seeded, username):
    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request=request, username=username, password=settings.DEMO_PASSWORD)
    assert user is not None and user.username == username
    request = RequestFactory().post("/accounts/login/")
    wrong = authenticate(request=request, username=username, password="wrong-password")
    assert wrong is None


def test_admin_is_a_superuser_and_demo_users_are_not(seeded):
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not User.objects.filter(username__in=DEMO_USERS, is_superuser=True).exists()
    assert all(u.first_name and u.last_name for u in User.objects.filter(username__in=DEMO_USERS))


def test_every_demo_user_has_an_example_org_address(seeded):
    users = get_user_model().objects.all()
    assert {u.username for u in users} == {"admin", "somsak", *DEMO_USERS}  # somsak: the province office
    assert all(u.email == f"{u.username}@example.org" for u in users)


def test_somsak_oversees_the_demo_provinces_read_only(seeded, client):
    from orgs.models import OversightScope

    assert set(OversightScope.objects.filter(user__username="somsak").values_list("province", flat=True)) == {
        "อุดรธานี", "นครราชสีมา", "ตราด"}
    assert not Membership.objects.filter(user__username="somsak").exists()
    client.force_login(get_user_model().objects.get(username="somsak"))
    start = client.get("/w/")
    assert start.status_code == 302 and start["Location"] == "/w/province/"
    page = client.get("/w/province/อุดรธานี/").text
    assert 'data-org="phaktob"' in page and 'data-org="danchang"' not in page
    assert client.get("/w/phaktob/").status_code == 404  # no membership: no workspace


def memberships(username):
    return {
        (m.organisation.slug, m.role)
        for m in Membership.objects.filter(user__username=username, is_active=True).select_related("organisation")
    }


def test_roles(seeded):
    assert memberships("somchai") == {("phaktob", Role.STAFF)}
    assert memberships("malee") == {("phaktob", Role.APPROVER)}
    assert memberships("wichai") == {("phaktob", Role.ADMIN)}
    assert memberships("niran") == {("nongsamet", Role.STAFF)}
    assert memberships("kittipong") == {("nongsamet", Role.APPROVER)}
    assert memberships("sopa") == {("danchang", Role.STAFF)}
    assert memberships("prasit") == {("danchang", Role.APPROVER)}
    positions = dict(Membership.objects.values_list("user__username", "position"))
    assert positions["kittipong"] == "ปลัดเทศบาล"  # nongsamet is a เทศบาลตำบล
    assert positions["prasit"] == "ปลัดองค์การบริหารส่วนตำบล"  # danchang is an อบต.
    somchai = get_user_model().objects.get(username="somchai")
    assert list(Organisation.objects.for_user(somchai).values_list("slug", flat=True)) == ["phaktob"]


def result(slug, year):
    return AssessmentResult.objects.prefetch_related("tool_scores__tool").get(organisation__slug=slug, year__year=year)


def test_nongsamet_2567_is_excellent_with_the_total_of_its_memo(seeded):
    r = result("nongsamet", 2567)
    assert r.total_score == Decimal("99.81")
    assert r.level_new == NewLevel.EXCELLENT
    assert r.official_level == NewLevel.EXCELLENT
    assert min(r.tool_score_map().values()) >= 95


def test_danchang_2565_uses_the_old_scale_and_o17_scored_zero(seeded):
    r = result("danchang", 2565)
    assert r.year.scale == LevelScale.OLD
    assert r.official_level == levels.old_level(r.total_score) == r.level_old
    assert r.official_level in {label for _, label in levels.OLD_BANDS}
    assert r.official_level == "B"  # 79.57
    o17 = r.oit_scores.get()
    assert (o17.item.code, o17.item.title, o17.score) == ("O17", "E-Service", Decimal("0"))


def test_results_are_consistent_and_chartable(seeded):
    for org in Organisation.objects.all():
        results = list(AssessmentResult.objects.filter(organisation=org).select_related("year"))
        assert len(results) >= 2, f"{org.slug}: a chart over years needs points"
        for r in results:
            assert 2565 <= r.year.year <= 2569
            assert r.notes, "say which figures are invented"
            weights = {w.tool.code: w.weight for w in ToolWeight.objects.filter(year=r.year).select_related("tool")}
            tools = r.tool_score_map()
            assert set(tools) == {"IIT", "EIT", "OIT"}
            weighted = sum(tools[c] * weights[c] for c in tools) / 100
            assert abs(weighted - r.total_score) <= Decimal("0.05"), (org.slug, r.year.year, weighted)
            for code, score in tools.items():
                scores = [s.score for s in r.indicator_scores.filter(indicator__tool__code=code)]
                assert scores, (org.slug, r.year.year, code)
                assert abs(sum(scores) / len(scores) - score) <= Decimal("0.05"), (org.slug, r.year.year, code)
    assert result("phaktob", 2567) and result("nongsamet", 2566)  # the years analysed before the reports


APPROVER_OF = {"phaktob": "malee", "danchang": "prasit", "nongsamet": "kittipong"}
STAFF_OF = {"phaktob": "somchai", "danchang": "sopa", "nongsamet": "niran"}


def test_results_are_entered_by_staff_and_confirmed_by_the_approver_so_the_public_sees_them(seeded, client):
    for slug, approver in APPROVER_OF.items():
        results = list(AssessmentResult.objects.filter(organisation__slug=slug).select_related("confirmed_by"))
        assert results
        for r in results:
            assert r.is_confirmed and r.confirmed_by.username == approver, (slug, r.year_id)
            assert r.confirmed_snapshot["total_score"] == f"{r.total_score:.2f}"
            assert [(e.action, e.actor.username) for e in r.events.select_related("actor")] == [
                (ResultAction.ENTER, STAFF_OF[slug]), (ResultAction.CONFIRM, approver)]
    page = client.get(reverse("public:organisation", args=["nongsamet"])).content.decode()
    assert 'id="results-table"' in page and "score-chart" in page
    assert format_number(result("nongsamet", 2567).total_score) in page


def test_a_result_marked_unconfirmed_awaits_the_approver_and_edited_figures_are_confirmed_again(seeded):
    from demo import loader

    data = loader.read_data("phaktob")
    data["results"][-1]["confirmed"] = False
    data["results"][0]["total"] = "12.34"  # the figures of the file changed since the last load
    loader.load_organisation(data)
    last = AssessmentResult.objects.get(organisation__slug="phaktob", year__year=data["results"][-1]["year"])
    assert last.is_confirmed  # confirmed earlier: "confirmed": false does not take a confirmation back
    first = AssessmentResult.objects.get(organisation__slug="phaktob", year__year=data["results"][0]["year"])
    assert first.is_confirmed and first.version == 2 and first.confirmed_snapshot["total_score"] == "12.34"
    assert [e.action for e in first.events.all()] == [ResultAction.ENTER, ResultAction.CONFIRM,
                                                      ResultAction.CONFIRM]
    # A new result of the file with "confirmed": false is entered, not confirmed.
    AssessmentResult.objects.filter(pk=last.pk).delete()
    loader.load_organisation(data)
    last = AssessmentResult.objects.get(organisation__slug="phaktob", year__year=data["results"][-1]["year"])
    assert not last.was_confirmed and [e.action for e in last.events.all()] == [ResultAction.ENTER]


def bangkok(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=BANGKOK)


# (slug, fiscal year, kind, round) -> (submitted, approved, published, approver)
WORKFLOW = {
    ("phaktob", 2568, "measures", 0): ("2024-10-21", "2024-10-25", "2024-10-28", "malee"),
    ("phaktob", 2568, "progress", 12): ("2025-10-06", "2025-10-09", "2025-10-10", "malee"),
    ("phaktob", 2569, "measures", 0): ("2025-10-20", "2025-10-24", "2025-10-27", "malee"),
    ("phaktob", 2569, "progress", 6): ("2026-04-07", "2026-04-10", "2026-04-17", "malee"),
    ("phaktob", 2569, "progress", 12): ("2026-10-06", "2026-10-09", "2026-10-12", "malee"),
    ("phaktob", 2570, "analysis", 0): ("2026-11-09", "2026-11-12", "2026-11-13", "malee"),
    ("danchang", 2566, "measures", 0): ("2022-10-03", "2022-10-04", "2022-10-04", "prasit"),
    ("danchang", 2566, "progress", 6): ("2023-04-05", "2023-04-10", "2023-04-11", "prasit"),
    ("nongsamet", 2567, "measures", 0): ("2023-10-16", "2023-10-19", "2023-10-20", "kittipong"),
    ("nongsamet", 2567, "progress", 12): ("2025-01-14", "2025-01-15", "2025-01-16", "kittipong"),
}


def test_documents_are_published_with_a_measures_plan_per_organisation(seeded):
    """Everything is published but phaktob's FY 2570 measures plan, which waits for malee's approval."""
    waiting = Document.objects.exclude(status=DocumentStatus.PUBLISHED)
    assert [(d.organisation.slug, d.fiscal_year, d.kind, d.status) for d in waiting] == [
        ("phaktob", 2570, "measures", DocumentStatus.SUBMITTED)]
    expected = {("phaktob", 2568, (12,)), ("phaktob", 2569, (6, 12)), ("danchang", 2566, (6,)),
                ("nongsamet", 2567, (12,))}
    for slug, fy, rounds in expected:
        assert Document.objects.filter(organisation__slug=slug, fiscal_year=fy, kind="measures", round=0,
                                       status=DocumentStatus.PUBLISHED).exists()
        progress = Document.objects.filter(organisation__slug=slug, fiscal_year=fy, kind="progress")
        assert tuple(progress.order_by("round").values_list("round", flat=True)) == rounds
        for report in progress:
            assert report.entries.count() == Measure.objects.filter(organisation__slug=slug, fiscal_year=fy).count()
    assert sorted((m.document.organisation.slug, m.document.fiscal_year) for m in Memo.objects.all()) == [
        ("nongsamet", 2567), ("phaktob", 2570)]


def test_documents_went_through_the_workflow_on_their_own_dates(seeded):
    documents = Document.objects.select_related("organisation", "created_by", "approved_by", "published_by").filter(
        status=DocumentStatus.PUBLISHED)
    assert {(d.organisation.slug, d.fiscal_year, d.kind, d.round) for d in documents} == set(WORKFLOW)
    for document in documents:
        key = (document.organisation.slug, document.fiscal_year, document.kind, document.round)
        submitted, approved, published, approver = WORKFLOW[key]
        org = document.organisation
        assert document.snapshot and document.snapshot["organisation"]["name"] == org.name, key
        assert document.snapshot["kind"] == document.kind
        assert not document.pdf_file, "the PDF is stored by the background worker after the commit"
        assert document.submitted_by == document.created_by
        assert Membership.objects.get(user=document.created_by, organisation=org).role == Role.STAFF
        assert document.approved_by.username == approver and document.published_by == document.approved_by
        assert Membership.objects.get(user=document.approved_by, organisation=org).role in (Role.APPROVER,
                                                                                              Role.ADMIN)
        assert document.approved_by != document.submitted_by
        assert (document.submitted_at, document.approved_at, document.published_at) == (
            bangkok(submitted), bangkok(approved), bangkok(published)), key
        assert document.created_at == bangkok(submitted)
        events = list(document.events.order_by("at", "pk"))
        assert [(e.action, e.from_status, e.to_status) for e in events] == [
            (WorkflowAction.CREATE, "", DocumentStatus.DRAFT),
            (WorkflowAction.SUBMIT, DocumentStatus.DRAFT, DocumentStatus.SUBMITTED),
            (WorkflowAction.APPROVE, DocumentStatus.SUBMITTED, DocumentStatus.APPROVED),
            (WorkflowAction.PUBLISH, DocumentStatus.APPROVED, DocumentStatus.PUBLISHED),
        ], key
        assert [e.at for e in events] == [bangkok(submitted), bangkok(submitted), bangkok(approved),
                                          bangkok(published)], key
        assert [e.actor for e in events] == [document.created_by, document.created_by, document.approved_by,
                                             document.approved_by]
        assert all(e.actor_name == e.actor.get_full_name() for e in events)


def test_reports_are_approved_in_the_month_after_their_round(seeded):
    """A 6-month report in April, a 12-month report in October after the year ends, except where the seed
    shows its own date (nongsamet's memo of 14 January 2568)."""
    for document in Document.objects.filter(kind="progress").select_related("organisation"):
        approved = document.approved_at.astimezone(BANGKOK).date()
        if document.organisation.slug == "nongsamet":
            assert document.submitted_at.astimezone(BANGKOK).date() == document.memo.date
        else:
            due = reminders.reporting_date(document.fiscal_year, document.round)
            assert (approved.year, approved.month) == (due.year, due.month), document
    for document in Document.objects.filter(kind="measures", approved_at__isnull=False):
        approved = document.approved_at.astimezone(BANGKOK).date()
        assert approved.year == document.fiscal_year - 544 and approved.month in (10, 11, 12), document


def test_frozen_snapshot_keeps_the_seed_text_when_a_measure_changes(seeded):
    document = Document.objects.get(organisation__slug="danchang", kind="progress")
    measure = Measure.objects.get(organisation__slug="danchang", fiscal_year=2566, order=1)
    original = document.snapshot["measures"][0]["title"]
    Measure.objects.filter(pk=measure.pk).update(title="แก้ไขหลังเผยแพร่")
    document.refresh_from_db()
    assert document.snapshot["measures"][0]["title"] == original != "แก้ไขหลังเผยแพร่"


@pytest.mark.parametrize("username", DEMO_USERS)
def test_a_member_sees_the_published_documents_of_the_organisation(seeded, client, username,
                                                                   django_assert_max_num_queries):
    membership = Membership.objects.select_related("organisation").get(user__username=username)
    org = membership.organisation
    client.force_login(get_user_model().objects.get(username=username))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("reports:index", args=[org.slug]))
    assert page.status_code == 200
    documents = Document.objects.filter(organisation=org)
    assert documents.count() == (7 if org.slug == "phaktob" else 2)
    for document in documents:
        assert reverse("reports:detail", args=[org.slug, document.pk]) in page.text
        assert reverse("reports:pdf", args=[org.slug, document.pk]) in page.text
    published = documents.filter(status=DocumentStatus.PUBLISHED).count()
    assert page.text.count("text-bg-success") == published  # the badge of a published document
    for other in Document.objects.exclude(organisation=org):
        assert f"/documents/{other.pk}/" not in page.text


def test_another_organisations_document_is_404_for_a_demo_user(seeded, client):
    client.force_login(get_user_model().objects.get(username="niran"))
    foreign = Document.objects.filter(organisation__slug="phaktob").first()
    assert client.get(reverse("reports:detail", args=["nongsamet", foreign.pk])).status_code == 404
    assert client.get(reverse("reports:index", args=["phaktob"])).status_code == 404


def test_a_document_that_left_draft_is_not_touched(seeded):
    document = Document.objects.get(organisation__slug="phaktob", fiscal_year=2568, kind="progress")
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.SUBMITTED, title="แก้ไข")
    seed()
    document.refresh_from_db()
    assert (document.status, document.title) == (DocumentStatus.SUBMITTED, "แก้ไข")


def test_a_returned_draft_is_not_pushed_through_the_workflow_again(seeded, mailoutbox):
    """A draft that has been in the workflow (here: returned) is the users' business, not the loader's."""
    document = Document.objects.get(organisation__slug="danchang", kind="progress")
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.DRAFT)
    WorkflowEvent.objects.create(document=document, action=WorkflowAction.RETURN, from_status="submitted",
                                 to_status="draft", comment="แก้ไขผลการดำเนินการ")
    events = document.events.count()
    seed()
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT and document.events.count() == events
    assert mailoutbox == []


def test_a_draft_that_never_entered_the_workflow_is_published_on_the_next_run(seeded):
    """A database seeded before the documents had a workflow: the next run publishes them."""
    document = Document.objects.get(organisation__slug="nongsamet", kind="measures")
    with sanctioned_removal("test: the database of an older release, before documents had a workflow"):
        document.events.all().delete()
    Document.objects.filter(pk=document.pk).update(
        status=DocumentStatus.DRAFT, snapshot=None, submitted_by=None, submitted_at=None, approved_by=None,
        approved_at=None, published_by=None, published_at=None)
    output = seed()
    assert "document.status" in output
    document.refresh_from_db()
    assert document.status == DocumentStatus.PUBLISHED and document.snapshot
    assert document.published_at == bangkok("2023-10-20")
    assert list(document.events.order_by("at", "pk").values_list("action", flat=True)) == [
        "create", "submit", "approve", "publish"]


def test_the_fy_2570_plan_prints_the_timeline_and_the_due_dates(seeded):
    """The plan somchai submitted for FY 2570 (a new plan: layout E, the default) prints what was typed."""
    from reports.documents.data import build_document_data
    from reports.printing.rendering import render_preview_html

    plan = Document.objects.get(organisation__slug="phaktob", fiscal_year=2570, kind="measures")
    data = build_document_data(plan)
    assert data["layout"] == "E"
    html = render_preview_html(data)
    assert "ระยะเวลาการดำเนินการ" in html and "ตุลาคม ๒๕๖๙ ถึง กันยายน ๒๕๗๐" in html
    assert "(ภายในวันที่ ๒๗ พฤศจิกายน ๒๕๖๙)" in html and "(ภายในวันที่ ๑๘ ธันวาคม ๒๕๖๙)" in html


# --- the FY 2570 cycle (today is in fiscal year 2570) -----------------------------------------------

@pytest.fixture
def in_december_2026(monkeypatch):
    from workspace import dashboard

    monkeypatch.setattr(dashboard, "today", lambda: date(2026, 12, 4))


def dashboard_of(client, username, year=None):
    client.force_login(get_user_model().objects.get(username=username))
    path = reverse("dashboard", args=["phaktob"]) + (f"?year={year}" if year else "")
    response = client.get(path)
    assert response.status_code == 200
    return response.text


def line_states(page):
    return dict(re.findall(r'data-line="([\w-]+)" data-state="(\w+)"', page))


def test_phaktob_has_the_results_and_measures_of_the_2570_cycle(seeded):
    assert set(AssessmentResult.objects.filter(organisation__slug="phaktob").values_list("year__year", flat=True)) == {
        2565, 2566, 2567, 2568, 2569}
    for fy, source in ((2569, 2568), (2570, 2569)):
        measures = list(Measure.objects.filter(organisation__slug="phaktob", fiscal_year=fy).order_by("order"))
        assert len(measures) == 3
        assert all(m.copied_from.fiscal_year == source for m in measures)
        assert [m.copied_from.order for m in measures] == [1, 2, 3]
        start, end = date(fy - 544, 10, 1), date(fy - 543, 9, 30)
        steps = MeasureStep.objects.filter(measure__in=measures)
        assert steps.count() == 6 and all(start <= s.due_date <= end for s in steps)
        assert all(i.year.year == fy - 1 for m in measures for i in m.indicators.all())


def test_somchai_opens_the_dashboard_on_2570_with_its_checklist(seeded, client, in_december_2026):
    page = dashboard_of(client, "somchai")
    assert re.search(r'<option value="2570" selected>๒๕๗๐', page)
    assert line_states(page) == {"result": "done", "analysis": "done", "measures": "due", "progress-6": "due",
                                 "progress-12": "due", "oit": "due", "oit-register": "due"}
    plan = Document.objects.get(organisation__slug="phaktob", fiscal_year=2570, kind="measures")
    inbox = page[page.index('id="inbox"'):]
    assert f'data-document="{plan.pk}" data-status="submitted"' in inbox
    assert "data-for-me" not in inbox.split("</section>")[0]  # staff: they see it waits, not a decision
    assert "สมชาย ใจดี" in inbox.split("</section>")[0]
    analysis = Document.objects.get(organisation__slug="phaktob", fiscal_year=2570, kind="analysis")
    assert f'href="{document_path(analysis)}" data-public-link' in page
    # one step of FY 2570 is overdue (27 Nov 2026) and one is due this month (18 Dec 2026)
    assert "๒๗ พ.ย. ๒๕๖๙" in page[page.index('id="overdue"'):]
    assert "๑๘ ธ.ค. ๒๕๖๙" in page[page.index('id="due-this-month"'):page.index('id="overdue"')]


def test_phaktob_fiscal_year_2569_is_complete(seeded, client, in_december_2026):
    page = dashboard_of(client, "wichai", 2569)
    assert set(line_states(page).values()) == {"done"}


def test_malee_approves_and_publishes_the_plan_from_her_inbox(seeded, client, in_december_2026, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # no PDF rendering
    plan = Document.objects.get(organisation__slug="phaktob", fiscal_year=2570, kind="measures")
    assert plan.memo.subject.startswith("ขออนุมัติมาตรการส่งเสริมคุณธรรมและความโปร่งใส")
    page = dashboard_of(client, "malee")
    assert re.search(rf'data-document="{plan.pk}" data-status="submitted" data-for-me', page)
    detail = reverse("reports:detail", args=["phaktob", plan.pk])
    assert f'href="{detail}#workflow-heading" data-decide' in page
    assert client.post(reverse("reports:transition", args=["phaktob", plan.pk, "approve"]),
                       {"comment": ""}).status_code == 302
    page = dashboard_of(client, "malee")
    assert re.search(rf'data-document="{plan.pk}" data-status="approved" data-for-me', page)
    assert client.post(reverse("reports:transition", args=["phaktob", plan.pk, "publish"])).status_code == 302
    page = dashboard_of(client, "somchai")
    assert 'id="inbox"' not in page
    assert line_states(page)["measures"] == "done"
    plan.refresh_from_db()
    assert plan.status == DocumentStatus.PUBLISHED and plan.approved_by.username == "malee"
    seed()  # the demo users' decision stands
    plan.refresh_from_db()
    assert plan.status == DocumentStatus.PUBLISHED
    assert client.get(document_path(plan)).status_code == 200


def test_the_submitted_plan_was_submitted_on_its_own_date(seeded):
    plan = Document.objects.get(organisation__slug="phaktob", fiscal_year=2570, kind="measures")
    assert plan.submitted_by.username == "somchai" and plan.submitted_at == bangkok("2026-12-02")
    assert plan.approved_at is None and plan.snapshot is None
    assert [(e.action, e.at) for e in plan.events.order_by("at", "pk")] == [
        (WorkflowAction.CREATE, bangkok("2026-12-02")), (WorkflowAction.SUBMIT, bangkok("2026-12-02"))]


def test_the_oit_registers_of_2569_and_2570_mix_answered_portal_missing_and_broken(seeded, client, in_december_2026):
    from oit.models import Health, Register, RegisterStatus

    phaktob = {r.year: r for r in Register.objects.filter(organisation__slug="phaktob")}
    assert phaktob[2569].status == RegisterStatus.CONFIRMED and phaktob[2569].confirmed_by.username == "malee"
    assert phaktob[2570].status == RegisterStatus.DRAFT  # malee confirms it in the demo story
    broken = phaktob[2570].rows.filter(answers__health=Health.BROKEN).values_list("code", flat=True)
    assert sorted(broken) == ["O17", "O9"]
    assert all(a.last_error == "connect" for r in phaktob[2570].rows.all() for a in r.answers.filter(health="broken"))

    client.force_login(get_user_model().objects.get(username="somchai"))
    page = client.get("/w/phaktob/oit/")
    assert page.status_code == 302 and page["Location"].endswith("/w/phaktob/oit/2570/")
    text = client.get(page["Location"]).text
    states = dict(re.findall(r'data-row="(O\d+)" data-state="(\w+)"', text))
    assert states["O1"] == "answered" and states["O9"] == "broken" and states["O14"] == "missing"
    assert states["O25"] == "portal"  # the published analysis of FY 2570 answers it
    assert "data-broken>๒<" in text and "data-needs-review" not in text.split('data-row="O1"')[1].split("</tr>")[0]
    itas = client.get("/o/phaktob/2569/itas/").text
    assert "https://www.phaktob.go.th/about/structure" in itas  # confirmed 2569 register, public
