"""seed_demo: idempotent demo data, working demo logins with the right roles, consistent ITA results."""
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

from ita import levels
from ita.levels import NewLevel
from ita.models import (
    AssessmentResult,
    AssessmentYear,
    IndicatorScore,
    LevelScale,
    OITItemScore,
    ToolScore,
    ToolWeight,
)
from measures.models import Measure, MeasureStep
from orgs.models import Division, Membership, Organisation, Role
from reports.models import Document, DocumentStatus, Memo, ProgressEntry

pytestmark = pytest.mark.django_db

DEMO_USERS = ("somchai", "malee", "niran", "sopa")
MODELS = (
    Organisation, Division, Membership, get_user_model(), AssessmentResult, ToolScore, IndicatorScore,
    OITItemScore, Measure, MeasureStep, Document, Memo, ProgressEntry,
    Measure.history.model, MeasureStep.history.model, ProgressEntry.history.model,
)


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def seeded(db):
    return seed()


def test_runs_twice_without_duplicating_or_changing_anything(seeded):
    first = counts()
    assert first["Organisation"] == 3 and first["Measure"] == 3 + 7 + 2 and first["ProgressEntry"] == 3 + 7 + 2
    assert AssessmentYear.objects.exists(), "seed_demo loads the ITA catalogue when it is missing"
    second_output = seed()
    assert counts() == first  # history tables included: nothing was saved again
    assert "up to date" in second_output


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


def memberships(username):
    return {
        (m.organisation.slug, m.role)
        for m in Membership.objects.filter(user__username=username, is_active=True).select_related("organisation")
    }


def test_roles(seeded):
    assert memberships("somchai") == {("phaktob", Role.STAFF)}
    assert memberships("malee") == {("phaktob", Role.APPROVER)}
    assert memberships("niran") == {("nongsamet", Role.STAFF)}
    assert memberships("sopa") == {("danchang", Role.STAFF)}
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


def test_documents_are_drafts_with_a_measures_plan_per_organisation(seeded):
    assert set(Document.objects.values_list("status", flat=True)) == {DocumentStatus.DRAFT}
    expected = {("phaktob", 2568, 12), ("danchang", 2566, 6), ("nongsamet", 2567, 12)}
    for slug, fy, round_ in expected:
        assert Document.objects.filter(organisation__slug=slug, fiscal_year=fy, kind="measures", round=0).exists()
        progress = Document.objects.get(organisation__slug=slug, fiscal_year=fy, kind="progress")
        assert progress.round == round_
        assert progress.entries.count() == Measure.objects.filter(organisation__slug=slug, fiscal_year=fy).count()
    assert Memo.objects.get().document.organisation.slug == "nongsamet"


def test_a_document_that_left_draft_is_not_touched(seeded):
    document = Document.objects.get(organisation__slug="phaktob", kind="progress")
    Document.objects.filter(pk=document.pk).update(status=DocumentStatus.SUBMITTED, title="แก้ไข")
    seed()
    document.refresh_from_db()
    assert (document.status, document.title) == (DocumentStatus.SUBMITTED, "แก้ไข")
