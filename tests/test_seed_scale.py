"""seed_scale: the synthetic national data set (demo/scale.py) at a small size — the rows it writes, its
snapshots equal to what the workflow would have frozen, every public page and PDF answering, a second
run doing nothing, and --reset deleting only the synthetic organisations.

The tests that only read what one run wrote share that run (``TestOneRun``: seeded once, in a transaction
rolled back after them); the tests that run it again seed their own."""
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from demo import scale
from ita.analysis import level_summary
from ita.models import AssessmentResult, AssessmentYear, IndicatorScore, Indicator, ToolScore
from measures.models import Measure, MeasureStep
from orgs.models import Division, Membership, Organisation, OrganisationKind, Role
from ita.services import snapshot_of
from reports.documents import links
from reports.documents import data as report_documents
from reports.models import Document, DocumentKind, DocumentStatus, ProgressEntry, WorkflowEvent
from reports.printing.stored_pdf import stored_pdf_etag

from .factories import DivisionFactory, MeasureFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

N_ORGS, N_YEARS = 3, 2
PASSWORD = "scale-pass-1234"


@pytest.fixture
def demo_org(db):
    return make_demo_org()


def make_demo_org():
    """An organisation that is not synthetic, with a member and a measure: it must survive --reset."""
    org = OrganisationFactory(name="เทศบาลตำบลผักตบ", slug="phaktob", district="หนองหาน", province="อุดรธานี")
    DivisionFactory(organisation=org, name="สำนักปลัด")
    MembershipFactory(user=UserFactory(username="somchai"), organisation=org, role=Role.STAFF)
    MeasureFactory(organisation=org, fiscal_year=2569)
    return org


def seed(*args):
    out = StringIO()
    call_command("seed_scale", "--orgs", str(N_ORGS), "--years", str(N_YEARS), "--password", PASSWORD, *args,
                 stdout=out)
    return out.getvalue()


def synthetic_counts():
    orgs = scale.synthetic_organisations()
    return {
        "orgs": orgs.count(),
        "users": scale.synthetic_users().count(),
        "memberships": Membership.objects.filter(organisation__in=orgs).count(),
        "divisions": Division.objects.filter(organisation__in=orgs).count(),
        "measures": Measure.objects.filter(organisation__in=orgs).count(),
        "steps": MeasureStep.objects.filter(measure__organisation__in=orgs).count(),
        "results": AssessmentResult.objects.filter(organisation__in=orgs).count(),
        "tool_scores": ToolScore.objects.filter(result__organisation__in=orgs).count(),
        "indicator_scores": IndicatorScore.objects.filter(result__organisation__in=orgs).count(),
        "documents": Document.objects.filter(organisation__in=orgs).count(),
        "entries": ProgressEntry.objects.filter(document__organisation__in=orgs).count(),
        "events": WorkflowEvent.objects.filter(document__organisation__in=orgs).count(),
    }


def all_counts():
    return {m.__name__: m.objects.count() for m in (
        Organisation, get_user_model(), Membership, Division, Measure, MeasureStep, AssessmentResult, ToolScore,
        IndicatorScore, Document, ProgressEntry, WorkflowEvent)}


def current_fiscal_years():
    from core.thai import fiscal_year_of

    current = fiscal_year_of(timezone.localdate())
    return list(range(current - N_YEARS + 1, current + 1))


@pytest.fixture(scope="class")
def one_run(django_db_setup, django_db_blocker, tmp_path_factory):
    """The catalogue, the demo organisation and one run of seed_scale, for the tests of ``TestOneRun``: the
    run's output; its stored PDFs in a directory of their own."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))), django_db_blocker.unblock():
        with transaction.atomic():
            call_command("load_ita_catalogue", stdout=StringIO())
            make_demo_org()
            yield seed()
            transaction.set_rollback(True)


class TestOneRun:
    def test_counts_of_every_kind_of_row(self, one_run):
        output = one_run
        fys = current_fiscal_years()
        orgs = list(scale.synthetic_organisations().order_by("slug"))
        assert [o.slug for o in orgs] == ["scale-00001", "scale-00002", "scale-00003"]
        assessment_years = [fy - 1 for fy in fys if AssessmentYear.objects.filter(year=fy - 1).exists()]
        assert assessment_years == [fy - 1 for fy in fys], "the catalogue covers the years of the test"
        counts = synthetic_counts()
        assert counts["orgs"] == N_ORGS
        assert counts["users"] == counts["memberships"] == 3 * N_ORGS
        assert counts["results"] == N_ORGS * len(assessment_years)
        assert counts["tool_scores"] == 3 * counts["results"]
        assert counts["indicator_scores"] == 10 * counts["results"]  # ten indicators a year in the catalogue
        assert counts["documents"] == N_ORGS * N_YEARS * 3
        assert counts["events"] == 4 * counts["documents"]
        for org in orgs:
            assert org.kind in OrganisationKind.values
            assert org.name.startswith(tuple(scale.KIND_PREFIX.values()))
            for fy in fys:
                measures = Measure.objects.filter(organisation=org, fiscal_year=fy)
                assert 8 <= measures.count() <= 12
                assert sorted(measures.values_list("order", flat=True)) == list(range(1, measures.count() + 1))
                for m in measures.prefetch_related("steps", "tools", "indicators", "divisions"):
                    assert len([s for s in m.steps.all() if s.parent_id is None]) >= 3
                    assert len(m.tools.all()) == 1 and len(m.divisions.all()) >= 1
                    assert all(i.year.year == fy - 1 for i in m.indicators.all())
                kinds = sorted(Document.objects.filter(organisation=org, fiscal_year=fy).values_list("kind", "round"))
                assert kinds == [("measures", 0), ("progress", 6), ("progress", 12)]
                for doc in Document.objects.filter(organisation=org, fiscal_year=fy, kind=DocumentKind.PROGRESS):
                    assert doc.entries.count() == measures.count()
            for result in AssessmentResult.objects.filter(organisation=org).select_related("year"):
                assert result.indicator_scores.count() == Indicator.objects.filter(year=result.year).count()
                # Confirmed, with the figures a confirmation would freeze: the public pages show them.
                assert result.is_confirmed and result.confirmed_snapshot == snapshot_of(result)
        assert counts["steps"] >= 4 * counts["measures"]
        assert counts["entries"] == 2 * counts["measures"]
        assert f"{counts['documents']:>10,}" in output and "seed_scale done in" in output
        assert Organisation.objects.filter(slug="phaktob").exists()


    def test_documents_are_published_with_snapshots_the_workflow_would_freeze(self, one_run, monkeypatch):
        docs = list(Document.objects.filter(organisation__in=scale.synthetic_organisations())
                    .select_related("organisation"))
        assert docs and all(d.status == DocumentStatus.PUBLISHED and d.pdf_file for d in docs)
        now = timezone.now()
        for doc in docs:
            assert doc.created_at <= doc.submitted_at <= doc.approved_at <= doc.published_at <= now
            assert doc.submitted_by_id == doc.created_by_id != doc.approved_by_id == doc.published_by_id
            assert list(doc.events.order_by("at", "pk").values_list("action", flat=True)) == [
                "create", "submit", "approve", "publish"]
            # What approve_document freezes: build_document_data of the approved document, on the approval day.
            approval_day = timezone.localtime(doc.approved_at).date()
            monkeypatch.setattr(report_documents, "timezone", SimpleNamespace(localdate=lambda day=approval_day: day))
            doc.status = DocumentStatus.APPROVED
            expected = report_documents.build_document_data(doc)
            assert doc.snapshot == expected, f"{doc}: the snapshot differs from build_document_data"
        analyses = [d.snapshot["analysis"] for d in docs if d.kind == DocumentKind.MEASURES]
        assert analyses and all(a and a["total"] for a in analyses)


    def test_every_public_page_and_pdf_answers(self, one_run, client):
        orgs = list(scale.synthetic_organisations())
        shared = set()
        for org in orgs:
            response = client.get(reverse("public:organisation", args=[org.slug]))
            assert response.status_code == 200
            assert org.name in response.content.decode()
            assert 'id="results-table"' in response.content.decode()  # the confirmed results are public
        for doc in Document.objects.filter(organisation__in=orgs).select_related("organisation"):
            page = client.get(links.document_path(doc))
            assert page.status_code == 200, links.document_path(doc)
            assert doc.organisation.name in page.content.decode()
            assert client.get(links.document_path(doc, revision=True)).status_code == 200
            pdf = client.get(links.document_path(doc, pdf=True))
            assert pdf.status_code == 200, links.document_path(doc, pdf=True)
            assert pdf["Content-Type"] == "application/pdf"
            body = pdf.getvalue()  # a whole answer or a stream (a small PDF comes from the page cache whole)
            assert body.startswith(b"%PDF-")
            assert pdf["ETag"] == stored_pdf_etag(doc) == f'"{doc.pdf_file.name.rsplit("/", 1)[-1][:-4]}"'
            with doc.pdf_file.open("rb") as fh:
                assert body == fh.read()
            shared.add(doc.pdf_file.name)
        # A few PDFs, stored once each and shared: one per kind, round and layout at most.
        assert 3 <= len(shared) <= 7
        assert all(name.startswith(scale.PDF_DIR + "/") and default_storage.exists(name) for name in shared)
        # The directory finds them by name, อำเภอ and จังหวัด.
        org = orgs[0]
        for q in (org.name, f"อำเภอ{org.district}", f"จังหวัด{org.province}"):
            response = client.get(reverse("public:directory"), {"q": q})
            assert response.status_code == 200 and org.name in response.content.decode(), q


    def test_users_sign_in_with_the_password(self, one_run):
        org = scale.synthetic_organisations().order_by("slug").first()
        staff, approver, admin = scale.usernames(org.slug)
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=staff, password=PASSWORD) is not None
        roles = dict(Membership.objects.filter(organisation=org).values_list("user__username", "role"))
        assert roles == {staff: Role.STAFF, approver: Role.APPROVER, admin: Role.ADMIN}


@pytest.mark.usefixtures("media")
def test_second_run_adds_nothing(catalogue, demo_org):
    seed()
    before = all_counts()
    documents = sorted(Document.objects.values_list("pk", "snapshot", "pdf_file"))
    output = seed()
    assert "nothing done" in output
    assert all_counts() == before
    assert sorted(Document.objects.values_list("pk", "snapshot", "pdf_file")) == documents


@pytest.mark.usefixtures("media")
def test_reset_replaces_only_the_synthetic_organisations(catalogue, demo_org, client,
                                                         django_capture_on_commit_callbacks):
    seed()
    first = synthetic_counts()
    old_pks = set(scale.synthetic_organisations().values_list("pk", flat=True))
    demo_before = (Organisation.objects.filter(slug="phaktob").values_list("pk", "name").get(),
                   Measure.objects.filter(organisation=demo_org).count(),
                   Membership.objects.filter(organisation=demo_org).count())
    output = seed("--reset")
    assert "Deleted:" in output
    assert synthetic_counts() == first
    assert not old_pks & set(scale.synthetic_organisations().values_list("pk", flat=True))
    assert (Organisation.objects.filter(slug="phaktob").values_list("pk", "name").get(),
            Measure.objects.filter(organisation=demo_org).count(),
            Membership.objects.filter(organisation=demo_org).count()) == demo_before
    assert get_user_model().objects.filter(username="somchai").exists()
    doc = Document.objects.filter(organisation__in=scale.synthetic_organisations()).first()
    assert client.get(links.document_path(doc, pdf=True)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        call_command("seed_scale", "--orgs", "0", "--reset", stdout=StringIO())
    assert synthetic_counts() == dict.fromkeys(first, 0)
    assert Organisation.objects.count() == 1 and Measure.objects.filter(organisation=demo_org).count() == 1
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["somchai"]
    assert not default_storage.exists(doc.pdf_file.name), "a shared PDF nobody names any more is deleted"


@pytest.mark.usefixtures("media")
def test_refuses_without_the_catalogue(db):
    with pytest.raises(Exception, match="load_ita_catalogue"):
        call_command("seed_scale", "--orgs", "1", "--years", "1", stdout=StringIO())
    assert not scale.synthetic_organisations().exists()


def test_score_profiles_spread_over_the_levels(catalogue):
    cat = scale.Catalogue.load()
    for year in (2565, 2569):
        profiles = scale.make_profiles(cat, year, seed=1)
        scale_name = cat.years[year].scale
        levels = {str(level_summary(p.total, p.tools, scale_name).official) for p in profiles}
        assert len(levels) >= 4, (year, levels)
        assert all(len(p.indicators) == 10 for p in profiles)
        assert [p.total for p in profiles] != sorted(p.total for p in profiles)[::-1]


def test_names_and_places_spread_over_the_provinces():
    import random

    rng = random.Random(1)
    plans = [scale.plan_organisation(i, i + 1, rng, 1) for i in range(2000)]
    assert len({p.slug for p in plans}) == 2000
    assert len({p.province for p in plans}) == 77
    kinds = {p.kind for p in plans}
    assert {OrganisationKind.SAO, OrganisationKind.SUBDISTRICT_MUNICIPALITY, OrganisationKind.PAO} <= kinds
    paos = [p for p in plans if p.kind == OrganisationKind.PAO]
    assert len({p.province for p in paos}) == len(paos), "one อบจ. per province"
    assert len({p.name for p in plans}) > 1500
