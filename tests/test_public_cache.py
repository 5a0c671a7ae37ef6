"""The shared cache of public pages and PDFs (core/pagecache.py): a repeated anonymous GET is answered
without touching the database, and every change the public sees shows at once (generations bumped by
the services' saves), for pages, PDFs and conditional requests. Signed-in users and other methods pass
through; a broken cache never breaks a page."""
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.printing import stored_pdf

from reports.models import Document
from reports.workflow import transitions

from .factories import MeasureFactory, MeasureStepFactory, OrganisationFactory
from .helpers.source import called_name, calls_in_functions
from .helpers.workflow import published

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

FY = 2568
TITLE = "มาตรการเปิดเผยข้อมูลการจัดซื้อจัดจ้างต่อสาธารณะ"


def reload(document):
    return Document.objects.select_related("organisation").get(pk=document.pk)


@pytest.fixture
def plan(org_a, staff_a, approver_a, django_capture_on_commit_callbacks):
    measure = MeasureFactory(organisation=org_a, fiscal_year=FY, order=1, title=TITLE)
    MeasureStepFactory(measure=measure, order=1, text="ประชุมชี้แจงบุคลากร")
    return published(org_a, staff_a, approver_a, fiscal_year=FY, render=True,  # the PDF: after the commit
                     capture=django_capture_on_commit_callbacks)


ORG = reverse("public:organisation", args=["org-a"])
PAGE = reverse("public:document", args=["org-a", FY, "measures"])
PDF = reverse("public:document_pdf", args=["org-a", FY, "measures"])


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body, len(captured)


@pytest.mark.parametrize("url", ["/", "/?q=ขอนแก่น", ORG, PAGE, PDF, reverse("public:embed", args=["org-a"]),
                                 reverse("public:itas", args=["org-a", FY])])
def test_a_repeated_anonymous_get_needs_no_query_and_is_the_same_answer(client, plan, url):
    first, first_body, first_queries = queries(client, url)
    assert first.status_code == 200 and first_queries > 0
    second, second_body, second_queries = queries(client, url)
    assert second.status_code == 200 and second_queries == 0
    assert second_body == first_body
    for header in ("Content-Type", "Cache-Control", "ETag", "Last-Modified", "Vary", "X-Frame-Options",
                   "Content-Security-Policy", "Content-Language"):
        assert second.get(header) == first.get(header), header


def test_conditional_requests_are_answered_from_the_cache(client, plan):
    for url in (ORG, PAGE, PDF):
        first, _, _ = queries(client, url)
        by_etag, body, n = queries(client, url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert (by_etag.status_code, body, n) == (304, b"", 0), url
        by_date, body, n = queries(client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert (by_date.status_code, n) == (304, 0), url
        assert by_etag["Cache-Control"] == first["Cache-Control"]


def test_a_profile_change_shows_at_once(client, org_a, plan):
    assert "043-999999" not in client.get(ORG).text
    org_a.phone = "043-999999"
    org_a.save()
    assert "043-999999" in client.get(ORG).text


def test_a_change_of_one_organisation_leaves_the_others_cached(client, org_a, org_b, plan):
    other = reverse("public:organisation", args=["org-b"])
    client.get(other)
    org_a.phone = "043-999999"
    org_a.save()
    assert queries(client, other)[2] == 0
    assert queries(client, ORG)[2] > 0


def test_withdrawal_and_republication_show_at_once_behind_the_stable_links(
        client, org_a, staff_a, approver_a, admin_a, plan, django_capture_on_commit_callbacks):
    assert TITLE in client.get(PAGE).text
    old_pdf, old_body, _ = queries(client, PDF)
    transitions.withdraw_document(plan, actor=admin_a, reason="ตารางผิดพลาด ต้องแก้ไข", notify=False)
    withdrawn = client.get(PAGE)
    assert withdrawn.status_code == 200 and "ตารางผิดพลาด ต้องแก้ไข" in withdrawn.text
    assert client.get(PDF).status_code == 404  # no published revision now
    revision = reload(transitions.new_revision(reload(plan), actor=staff_a))
    measure = org_a.measures.get()
    measure.title = "มาตรการฉบับแก้ไขใหม่ทั้งหมด"
    measure.save()
    with django_capture_on_commit_callbacks(execute=True):
        transitions.submit_document(revision, actor=staff_a, notify=False)
        transitions.approve_document(reload(revision), actor=approver_a, notify=False)
        transitions.publish_document(reload(revision), actor=approver_a, notify=False)
    page = client.get(PAGE)
    assert "มาตรการฉบับแก้ไขใหม่ทั้งหมด" in page.text
    new_pdf, new_body, _ = queries(client, PDF)
    assert new_pdf.status_code == 200 and new_pdf["ETag"] != old_pdf["ETag"] and new_body != old_body


def test_a_rerendered_pdf_is_served_anew(client, plan):
    first, first_body, _ = queries(client, PDF)
    name = reload(plan).pdf_file.name
    # The stored file changes under the same document (rerender_published after a template fix).
    Document.objects.filter(pk=plan.pk).update(pdf_file="")
    document = reload(plan)
    document.pdf_file.storage.delete(name)
    stored_pdf.render_stored_pdf(document)
    again, again_body, n = queries(client, PDF)
    assert again.status_code == 200 and n > 0 and again_body[:5] == b"%PDF-"


def test_a_large_pdf_is_kept_by_name_and_read_from_the_storage(client, plan, monkeypatch):
    from core import pagecache

    monkeypatch.setattr(pagecache, "FILE_INLINE_LIMIT", 100)  # every PDF is "large"
    first, first_body, _ = queries(client, PDF)
    second, second_body, n = queries(client, PDF)
    assert (second.status_code, n, second_body) == (200, 0, first_body) and second.streaming
    document = reload(plan)
    document.pdf_file.storage.delete(document.pdf_file.name)  # e.g. deleted by hand on the disk
    assert client.get(PDF).status_code == 404  # the view's answer, not a crash on the cached name


def test_a_small_pdf_is_kept_whole(client, plan):
    first, first_body, _ = queries(client, PDF)
    document = reload(plan)
    document.pdf_file.storage.delete(document.pdf_file.name)
    second, second_body, n = queries(client, PDF)  # from the cache alone: the same bytes
    assert (second.status_code, n, second_body) == (200, 0, first_body) and not second.streaming
    assert second["Content-Length"] == str(len(first_body)) and second["Content-Type"] == "application/pdf"


def test_thai_and_english_are_cached_apart(client, plan):
    thai = client.get(ORG)
    client.cookies["django_language"] = "en"
    english = client.get(ORG)
    assert english["Content-Language"] == "en" and thai["Content-Language"] == "th"
    assert english.content != thai.content
    assert queries(client, ORG)[1] == english.content


def test_signed_in_users_and_other_methods_pass_through(client, staff_b, plan):
    client.get(ORG)
    assert queries(client, ORG)[2] == 0
    with CaptureQueriesContext(connection) as captured:
        assert client.head(ORG).status_code == 200
    assert len(captured) > 0
    client.force_login(staff_b)
    response, _, n = queries(client, ORG)
    assert response.status_code == 200 and n > 0  # built for the session, neither read nor kept
    assert queries(client, ORG)[2] > 0


def test_answers_that_are_not_200_are_never_kept(client, org_a):
    missing = reverse("public:organisation", args=["brand-new"])
    assert client.get(missing).status_code == 404
    OrganisationFactory(slug="brand-new", name="เทศบาลตำบลใหม่")
    assert client.get(missing).status_code == 200
    draft_page = reverse("public:document", args=["org-a", FY, "progress-6"])
    assert client.get(draft_page).status_code == 404


def test_off_means_every_request_is_built(client, plan, settings):
    settings.PUBLIC_PAGE_CACHE = False
    client.get(ORG)
    assert queries(client, ORG)[2] > 0


def test_a_broken_cache_never_breaks_a_page(client, plan, settings, caplog):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Nothing listens on port 9 here: every cache call fails.
        "broken": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"},
    }
    settings.PUBLIC_PAGE_CACHE_ALIAS = "broken"
    for url in (ORG, PAGE, PDF):
        assert client.get(url).status_code == 200
    assert "public cache: lookup failed" in caplog.text


def test_loading_the_catalogue_renews_every_itas_list(client, plan):
    from django.core.management import call_command

    itas = reverse("public:itas", args=["org-a", FY])
    client.get(itas)
    assert queries(client, itas)[2] == 0
    call_command("load_ita_catalogue", stdout=io.StringIO())
    assert queries(client, itas)[2] > 0


def test_confirming_an_oit_register_shows_at_once(client, org_a, staff_a, approver_a):
    """Register.save (the confirmation) reaches the cache through the signal receivers alone."""
    from django.core.management import call_command

    from oit import services as oit_services

    call_command("load_ita_catalogue", stdout=io.StringIO())
    itas = reverse("public:itas", args=["org-a", 2569])
    client.get(itas)
    assert queries(client, itas)[2] == 0
    register = oit_services.open_register(org_a, 2569)
    row = register.rows.order_by("number").first()
    oit_services.add_link(row, url="https://example.org/oit-confirmed", actor=staff_a)
    register.refresh_from_db()
    assert queries(client, itas)[2] == 0  # a change not confirmed: the public page is the same
    oit_services.confirm_register(register, actor=approver_a, expected_version=register.version)
    response, body, n = queries(client, itas)
    assert n > 0 and b"https://example.org/oit-confirmed" in body


def test_a_result_shows_once_confirmed_and_saving_it_changes_nothing_public(client, org_a, staff_a, approver_a):
    from decimal import Decimal

    from ita import services as ita_services
    from ita.models import AssessmentYear

    year = AssessmentYear.objects.get_or_create(year=2567)[0]
    client.get(ORG)
    result = ita_services.save_result(org_a, year=year, instance=None, fields={
        "total_score": Decimal("91.37"), "summary": "", "notes": ""}, tool_scores=[], indicator_scores=[],
        oit_scores=[], expected_version=None, actor=staff_a)
    assert "91.37" not in client.get(ORG).text and "๙๑.๓๗" not in client.get(ORG).text
    ita_services.confirm_result(result, actor=approver_a, expected_version=result.version)
    text = client.get(ORG).text
    assert "91.37" in text or "๙๑.๓๗" in text


def _bump_calls():
    """(module path, enclosing function) of every call of the public cache's ``bump`` in the project's code
    (``datacache.bump``, the staff pages' data cache, is tests/test_staff_data_cache.py's)."""
    return {(rel, func) for rel, func, node in calls_in_functions(skip={"core/datacache.py"})
            if called_name(node)[0] == "bump" and called_name(node)[1] != "datacache"}


def test_changes_reach_the_cache_through_one_path():
    """Saves and deletes of what the public reads bump in the signal receivers (public/signals.py) only;
    the other calls are the writes that send no signal (docs/ARCHITECTURE.md, "The public page cache").
    A new call elsewhere is either a second path for a save (remove it) or a new signal-less write
    (add it here, with its reason in ARCHITECTURE.md)."""
    signals = {("public/signals.py", name) for name in (
        "organisation_changed", "result_changed", "document_changed", "evidence_changed", "register_changed")}
    no_signal = {
        ("reports/printing/stored_pdf.py", "render_stored_pdf"),  # queryset update() of the stored PDF
        ("reports/printing/stored_pdf.py", "drop_stored_pdf"),  # queryset update(): the stored PDF dropped
        ("orgs/organisations.py", "apply_rows"),  # bulk_create of the national list
        ("ita/catalogue_changes.py", "apply"),  # the whole catalogue, which no receiver follows
        ("core/backup.py", "_invalidate_public_cache"),  # raw inserts of a restore
        ("demo/scale_delete.py", "bump_public_cache"),  # COPY of the national data set
    }
    assert _bump_calls() == signals | no_signal
