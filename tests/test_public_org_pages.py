"""The public side (no sign-in): the directory with its search, the organisation page (profile, ITA
results, published documents by fiscal year), the embeddable list, sitemap.xml, the caching headers and
conditional requests, and the embed snippet on the organisation admin's settings page.

Documents go through the real workflow (reports.workflow.transitions): only published ones (and withdrawn ones that
were published) may ever show; drafts, submitted and approved ones never do."""
import re
from datetime import timedelta
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from core.thai import format_date
from ita.models import AssessmentResult, ToolScore
from reports.documents.links import document_path
from reports.models import Document, DocumentKind
from reports.workflow.transitions import (
    approve_document, create_document, new_revision, publish_document, submit_document, withdraw_document,
)

from .factories import AssessmentYearFactory, OrganisationFactory, ToolFactory, confirm_result

pytestmark = pytest.mark.django_db

SITE = "https://ita.example.go.th"
DIRECTORY = "/"
KINDS = [(DocumentKind.ANALYSIS, 0), (DocumentKind.MEASURES, 0), (DocumentKind.PROGRESS, 3),
         (DocumentKind.PROGRESS, 6), (DocumentKind.PROGRESS, 9), (DocumentKind.PROGRESS, 12)]


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def local_date(moment):
    """A moment as the pages write it: the Thai date in the site's time zone."""
    return format_date(timezone.localtime(moment).date())


def day(moment):
    """A moment as sitemap.xml writes it (lastmod, the site's time zone)."""
    return timezone.localtime(moment).date().isoformat()


def org_url(org):
    return reverse("public:organisation", args=[org.slug])


def embed_url(org):
    return reverse("public:embed", args=[org.slug])


# --- building documents through the workflow ------------------------------------------------------

def draft(org, staff, fiscal_year, kind, round_=0, title=""):
    doc = create_document(org, fiscal_year=fiscal_year, kind=kind, round=round_, actor=staff, notify=False)
    if title:  # staff type a title of their own on the draft (document settings)
        Document.objects.filter(pk=doc.pk).update(title=title)
        doc.refresh_from_db()
    return doc


def submitted(org, staff, fiscal_year, kind, round_=0, title=""):
    return submit_document(draft(org, staff, fiscal_year, kind, round_, title), actor=staff, notify=False)


def approved(org, staff, approver, fiscal_year, kind, round_=0, title=""):
    doc = submitted(org, staff, fiscal_year, kind, round_, title)
    return approve_document(doc, actor=approver, notify=False)


def published(org, staff, approver, fiscal_year, kind, round_=0, title=""):
    doc = approved(org, staff, approver, fiscal_year, kind, round_, title)
    return publish_document(doc, actor=approver, notify=False, render=False)


def republish(doc, staff, approver):
    """Revision n+1 of a withdrawn document, through the whole workflow again."""
    revision = new_revision(doc, actor=staff)
    revision = submit_document(revision, actor=staff, notify=False)
    revision = approve_document(revision, actor=approver, notify=False)
    return publish_document(revision, actor=approver, notify=False, render=False)


@pytest.fixture
def documents(org_a, staff_a, approver_a, admin_a):
    """Organisation A in every state: published (2568 analysis and 6-month report, 2567 measures plan),
    withdrawn and not republished (2568 measures plan), withdrawn and republished (2567 analysis), and a
    draft, a submitted and an approved report that must never show."""
    docs = {
        "analysis": published(org_a, staff_a, approver_a, 2568, DocumentKind.ANALYSIS, title="วิเคราะห์ผลเผยแพร่แล้ว"),
        "progress6": published(org_a, staff_a, approver_a, 2568, DocumentKind.PROGRESS, 6,
                               title="รายงานรอบหกเดือนเผยแพร่แล้ว"),
        "measures67": published(org_a, staff_a, approver_a, 2567, DocumentKind.MEASURES, title="แผนมาตรการปีก่อน"),
        "draft": draft(org_a, staff_a, 2568, DocumentKind.PROGRESS, 3, title="ร่างที่ยังไม่ส่ง"),
        "submitted": submitted(org_a, staff_a, 2568, DocumentKind.PROGRESS, 9, title="ส่งแล้วรออนุมัติ"),
        "approved": approved(org_a, staff_a, approver_a, 2568, DocumentKind.PROGRESS, 12, title="อนุมัติแล้วยังไม่เผยแพร่"),
    }
    withdrawn = published(org_a, staff_a, approver_a, 2568, DocumentKind.MEASURES, title="แผนที่ถูกถอน")
    docs["withdrawn"] = withdraw_document(withdrawn, actor=admin_a, reason="ตัวเลขผิด", notify=False)
    # The withdrawn measures plan gets a new draft revision: still listed as withdrawn.
    docs["withdrawn_redraft"] = new_revision(docs["withdrawn"], actor=staff_a)
    old = published(org_a, staff_a, approver_a, 2567, DocumentKind.ANALYSIS, title="วิเคราะห์ฉบับแก้ไข")
    docs["replaced"] = withdraw_document(old, actor=admin_a, reason="แก้ไข", notify=False)
    docs["republished"] = republish(docs["replaced"], staff_a, approver_a)
    for doc in docs.values():
        doc.refresh_from_db()
    return docs


def add_result(org, year, total, tools=None, scale="new", confirmed=True):
    """A result of ``org``, confirmed by an approver (public) unless ``confirmed`` is False."""
    ay = AssessmentYearFactory(year=year, scale=scale)
    result = AssessmentResult.objects.create(organisation=org, year=ay, total_score=Decimal(total))
    for code, score in (tools or {}).items():
        ToolScore.objects.create(result=result, tool=ToolFactory(code=code, name=code), score=Decimal(score))
    return confirm_result(result) if confirmed else result


# --- anonymous access, language ------------------------------------------------------------------

def test_public_pages_need_no_sign_in_and_are_thai(client, org_a):
    for url in (DIRECTORY, org_url(org_a), embed_url(org_a)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="th">' in response.text
    assert client.get("/sitemap.xml").status_code == 200


def test_unknown_organisation_is_404(client, org_a):
    assert client.get(reverse("public:organisation", args=["no-such-org"])).status_code == 404
    assert client.get(reverse("public:embed", args=["no-such-org"])).status_code == 404


def test_canonical_is_the_absolute_url_without_query(client, org_a):
    page = client.get(DIRECTORY, {"q": "ขอนแก่น"})
    assert f'<link rel="canonical" href="{SITE}/">' in page.text
    assert f'<link rel="canonical" href="{SITE}/o/org-a/">' in client.get(org_url(org_a)).text
    assert f'<link rel="canonical" href="{SITE}/o/org-a/embed/">' in client.get(embed_url(org_a)).text


# --- directory -----------------------------------------------------------------------------------

def test_directory_lists_every_organisation_with_its_latest_official_level(client, org_a, org_b):
    add_result(org_a, 2565, "82.50", scale="old")
    add_result(org_a, 2567, "96.10", {"IIT": "97", "EIT": "95.5", "OIT": "98"})
    add_result(org_b, 2564, "91.00", scale="old")
    page = client.get(DIRECTORY)
    assert page.status_code == 200
    rows = {m[0]: m[1] for m in re.findall(r'<tr data-org="([^"]+)">(.*?)</tr>', page.text, re.S)}
    assert set(rows) == {"org-a", "org-b"}
    assert org_url(org_a) in rows["org-a"] and org_a.name in rows["org-a"]
    # Latest result only: 2567 (new scale), not 2565.
    assert "๒๕๖๗" in rows["org-a"] and "๙๖.๑๐" in rows["org-a"] and "๘๒.๕๐" not in rows["org-a"]
    assert re.search(r'data-level><span class="badge[^"]*">ผ่านดีเยี่ยม</span>', rows["org-a"])
    # 2564 used the AA–F scale: A.
    assert "๙๑.๐๐" in rows["org-b"] and re.search(r'data-level><span class="badge[^"]*">A</span>', rows["org-b"])


def test_directory_shows_a_dash_without_a_result(client, org_a):
    page = client.get(DIRECTORY)
    row = re.search(r'<tr data-org="org-a">(.*?)</tr>', page.text, re.S).group(1)
    assert '<td class="text-end" data-total>—</td>' in row and "<td data-level>—</td>" in row


def test_directory_search_by_name_district_and_province(client):
    OrganisationFactory(name="เทศบาลตำบลผักตบ", district="หนองหาน", province="อุดรธานี", slug="phaktob")
    OrganisationFactory(name="องค์การบริหารส่วนตำบลโนนสูง", district="เมือง", province="ขอนแก่น", slug="nonsung")
    OrganisationFactory(name="Town of Khon", district="Mueang", province="Khon Kaen", slug="khon")

    def found(q):
        page = client.get(DIRECTORY, {"q": q})
        assert page.status_code == 200
        return set(re.findall(r'<tr data-org="([^"]+)">', page.text))

    assert found("ผักตบ") == {"phaktob"}
    assert found("หนองหาน") == {"phaktob"}
    assert found("  อุดรธานี ") == {"phaktob"}
    assert found("จังหวัดขอนแก่น") == {"nonsung"}
    assert found("อำเภอหนองหาน") == {"phaktob"}
    assert found("khon   KAEN") == {"khon"}  # any case, any spacing
    assert found("โนนสูง ขอนแก่น") == {"nonsung"}  # every word somewhere
    assert found("ไม่มีที่ไหน") == set()
    assert found("") == {"phaktob", "nonsung", "khon"}
    page = client.get(DIRECTORY, {"q": "ผักตบ"})
    assert '<label class="form-label" for="q">' in page.text and 'name="q" id="q" value="ผักตบ"' in page.text


def _organisations_with_results(n):
    orgs = [OrganisationFactory() for _ in range(n)]
    for i, org in enumerate(orgs):
        add_result(org, 2566, "80.00")
        add_result(org, 2567, str(85 + i % 10), {"IIT": "90", "EIT": "88", "OIT": "86"})
    return orgs


@pytest.mark.parametrize("n", [3, 12])
def test_directory_query_count_does_not_grow(client, n, django_assert_max_num_queries):
    _organisations_with_results(n)
    with django_assert_max_num_queries(5):  # last-modified (documents, results), count, organisations, results
        page = client.get(DIRECTORY)
    assert page.text.count("<tr data-org=") == n


def test_directory_is_paged_fifty_at_a_time_keeping_the_search(client, django_assert_max_num_queries):
    from public.views_org import DIRECTORY_PER_PAGE

    for i in range(DIRECTORY_PER_PAGE + 3):
        OrganisationFactory(name=f"เทศบาลตำบลทดสอบ{i:03d}", province="ขอนแก่น", district="เมือง")
    OrganisationFactory(name="เทศบาลตำบลอื่น", province="อุดรธานี", district="เมือง")
    with django_assert_max_num_queries(5):
        first = client.get(DIRECTORY, {"q": "ขอนแก่น"})
    assert first.text.count("<tr data-org=") == DIRECTORY_PER_PAGE
    assert "ค้นหา “ขอนแก่น” พบ ๕๓ หน่วยงาน" in first.text  # the count is of all pages
    assert "หน้า ๑ จาก ๒" in first.text
    assert 'href="?q=%E0%B8%82%E0%B8%AD%E0%B8%99%E0%B9%81%E0%B8%81%E0%B9%88%E0%B8%99&amp;page=2"' in first.text
    second = client.get(DIRECTORY, {"q": "ขอนแก่น", "page": 2})
    names = re.findall(r'<a href="/o/[^"]+/">([^<]+)</a>', second.text)
    assert names == [f"เทศบาลตำบลทดสอบ{i:03d}" for i in range(DIRECTORY_PER_PAGE, DIRECTORY_PER_PAGE + 3)]
    assert "หน้า ๒ จาก ๒" in second.text and "เทศบาลตำบลอื่น" not in second.text
    # A page number past the end shows the last page; nonsense shows the first.
    assert client.get(DIRECTORY, {"q": "ขอนแก่น", "page": 99}).text.count("<tr data-org=") == 3
    assert client.get(DIRECTORY, {"q": "ขอนแก่น", "page": "x"}).text.count("<tr data-org=") == DIRECTORY_PER_PAGE


# --- organisation page ---------------------------------------------------------------------------

def test_organisation_page_shows_the_profile(client, org_a):
    org_a.website = "https://www.example.go.th"
    org_a.address = "๑ หมู่ ๒ ตำบลเอ"
    org_a.phone = "043-000000"
    org_a.save()
    page = client.get(org_url(org_a))
    assert page.text.count("<h1") == 1
    assert f'<h1 class="h3 mb-1">{org_a.name}</h1>' in page.text
    assert org_a.district in page.text and org_a.province in page.text
    assert 'href="https://www.example.go.th"' in page.text and "043-000000" in page.text
    assert "๑ หมู่ ๒ ตำบลเอ" in page.text
    assert "<img" not in page.text  # no emblem, no image


def test_organisation_page_emblem_has_alt_text(client, org_a):
    type(org_a).objects.filter(pk=org_a.pk).update(emblem="emblems/org-a.png")
    page = client.get(org_url(org_a))
    img = re.search(r"<img[^>]*>", page.text).group(0)
    assert 'src="/media/emblems/org-a.png"' in img
    assert re.search(r'alt="[^"]*%s[^"]*"' % org_a.name, img)


def test_organisation_page_shows_results_over_the_years_and_the_chart(client, org_a):
    add_result(org_a, 2565, "88.20", {"IIT": "90", "EIT": "85", "OIT": "80"}, scale="old")
    add_result(org_a, 2567, "72.35", {"IIT": "80", "EIT": "70", "OIT": "60"})
    page = client.get(org_url(org_a))
    table = re.search(r'<table[^>]*id="results-table".*?</table>', page.text, re.S).group(0)
    assert "<caption" in table and 'scope="col"' in table and 'scope="row"' in table
    years = re.findall(r'<tr data-year="(\d+)">', table)
    assert years == ["2567", "2565"]  # newest first
    row67 = re.search(r'<tr data-year="2567">(.*?)</tr>', table, re.S).group(1)
    assert all(v in row67 for v in ("๗๒.๓๕", "๘๐.๐๐", "๗๐.๐๐", "๖๐.๐๐"))
    assert '<td data-level="old">C</td>' in row67  # 72.35 on the old scale, not official in 2567
    row65 = re.search(r'<tr data-year="2565">(.*?)</tr>', table, re.S).group(1)
    assert re.search(r'data-level="old"><span class="badge[^"]*">A</span>', row65)  # official in 2565
    assert '<svg class="score-chart' in page.text and 'role="img"' in page.text


def test_organisation_page_without_results_says_so(client, org_a):
    page = client.get(org_url(org_a))
    assert 'id="no-results"' in page.text and "score-chart" not in page.text.split("<main", 1)[1].split(
        "published-documents")[0].replace('id="no-results"', "")


def listed(html):
    """{(fiscal year, kind, round): status} of the documents listed on a page."""
    found = {}
    for section in re.findall(r'<section class="mb-4 public-year" data-fiscal-year="(\d+)"(.*?)</section>', html, re.S):
        fy, body = section
        for kind, round_, status in re.findall(
                r'data-kind="(\w+)" data-round="(\d+)" data-status="(\w+)"', body):
            found[(int(fy), kind, int(round_))] = status
    return found


def test_organisation_page_lists_only_ever_published_documents(client, org_a, documents):
    page = client.get(org_url(org_a))
    assert page.status_code == 200
    text = page.text
    assert listed(text) == {
        (2568, "analysis", 0): "published",
        (2568, "measures", 0): "withdrawn",
        (2568, "progress", 6): "published",
        (2567, "analysis", 0): "published",
        (2567, "measures", 0): "published",
    }
    for name in ("draft", "submitted", "approved"):
        assert documents[name].title not in text, name
    # Stable page and PDF of each current published revision, with its publication date.
    for name in ("analysis", "progress6", "measures67", "republished"):
        doc = documents[name]
        assert f'href="{document_path(doc)}"' in text and f'href="{document_path(doc, pdf=True)}"' in text
    assert documents["republished"].revision == 2 and "วิเคราะห์ฉบับแก้ไข" in text
    item = re.search(r'data-kind="progress" data-round="6".*?</li>', text, re.S).group(0)
    assert local_date(documents["progress6"].published_at) in item  # e.g. ๒๓ พฤศจิกายน ๒๕๖๘
    # The withdrawn measures plan: listed as withdrawn, no PDF link, its own revision page.
    withdrawn = documents["withdrawn"]
    assert "แผนที่ถูกถอน" in text
    assert document_path(withdrawn, pdf=True) not in text
    assert document_path(withdrawn, revision=True, pdf=True) not in text
    assert f'href="{document_path(withdrawn, revision=True)}"' in text
    # ITAS links per year.
    assert f'href="{reverse("public:itas", args=["org-a", 2568])}"' in text
    assert f'href="{reverse("public:itas", args=["org-a", 2567])}"' in text


def test_documents_are_ordered_by_year_then_kind(client, org_a, staff_a, approver_a):
    for kind, round_ in reversed(KINDS):
        published(org_a, staff_a, approver_a, 2568, kind, round_)
    published(org_a, staff_a, approver_a, 2569, DocumentKind.ANALYSIS)
    order = list(listed(client.get(org_url(org_a)).text))
    assert order == [(2569, "analysis", 0)] + [(2568, kind, round_) for kind, round_ in KINDS]


def test_headings_are_in_order(client, org_a, documents):
    add_result(org_a, 2567, "90.00", {"IIT": "90", "EIT": "90", "OIT": "90"})
    main = client.get(org_url(org_a)).text.split('<main', 1)[1]
    levels = [int(h) for h in re.findall(r"<h([1-6])[\s>]", main)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    assert 3 in levels  # the fiscal years under "Published documents"


def test_no_document_published_yet(client, org_a, staff_a):
    draft(org_a, staff_a, 2568, DocumentKind.ANALYSIS, title="ยังเป็นร่าง")
    page = client.get(org_url(org_a))
    assert listed(page.text) == {} and "ยังเป็นร่าง" not in page.text
    assert 'class="public-no-documents"' in page.text


def test_another_organisations_documents_never_show(client, org_a, org_b, staff_b, documents):
    page = client.get(org_url(org_b))
    assert listed(page.text) == {} and "วิเคราะห์ผลเผยแพร่แล้ว" not in page.text
    assert listed(client.get(embed_url(org_b)).text) == {}


def _publish_many(org, staff, approver, n):
    combos = [(fy, kind, round_) for fy in (2568, 2567) for kind, round_ in KINDS][:n]
    for fy, kind, round_ in combos:
        published(org, staff, approver, fy, kind, round_)


@pytest.mark.parametrize("n", [2, 10])
def test_organisation_page_query_count_does_not_grow(client, org_a, staff_a, approver_a, n,
                                                     django_assert_max_num_queries):
    _publish_many(org_a, staff_a, approver_a, n)
    add_result(org_a, 2567, "90.00", {"IIT": "90", "EIT": "90", "OIT": "90"})
    with django_assert_max_num_queries(5):  # last-modified (documents, results), organisation, results, documents
        page = client.get(org_url(org_a))
    assert len(listed(page.text)) == n
    with django_assert_max_num_queries(3):  # last-modified, organisation, documents
        page = client.get(embed_url(org_a))
    assert len(listed(page.text)) == n


# --- embed ---------------------------------------------------------------------------------------

def test_embed_lists_the_published_documents_for_framing(client, org_a, documents):
    response = client.get(embed_url(org_a))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    policy = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert "frame-ancestors *" in policy and "script-src 'self'" in policy
    text = response.text
    assert text.startswith("<!doctype html>") and '<html lang="th">' in text
    assert "bootstrap.min.css" in text and "css/site.css" in text
    assert 'class="navbar' not in text and "csrfmiddlewaretoken" not in text  # no site chrome
    assert listed(text) == listed(client.get(org_url(org_a)).text)
    for name in ("draft", "submitted", "approved"):
        assert documents[name].title not in text
    links = re.findall(r"<a [^>]*>", text)
    assert links and all('target="_blank"' in a and 'rel="noopener"' in a for a in links)


def test_other_pages_refuse_framing(client, org_a):
    for url in (DIRECTORY, org_url(org_a)):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


# --- caching -------------------------------------------------------------------------------------

def test_cache_headers_and_last_modified(client, org_a, org_b, documents):
    latest = max(d.withdrawn_at or d.published_at for d in documents.values() if d.published_at)
    for url in (DIRECTORY, org_url(org_a), embed_url(org_a)):
        response = client.get(url)
        assert response["Cache-Control"] in ("public, max-age=300", "max-age=300, public"), url
        assert response["Last-Modified"] == http_date(latest.timestamp()), url
        assert response.has_header("ETag")
    # Nothing ever published: no Last-Modified, still cacheable.
    response = client.get(org_url(org_b))
    assert not response.has_header("Last-Modified") and "max-age=300" in response["Cache-Control"]


def test_last_modified_is_the_organisations_own(client, org_a, org_b, staff_b, documents):
    from orgs.models import Role

    from .factories import MembershipFactory, UserFactory

    approver_b = MembershipFactory(user=UserFactory(username="approver_b"), organisation=org_b,
                                   role=Role.APPROVER).user
    doc_b = published(org_b, staff_b, approver_b, 2568, DocumentKind.ANALYSIS)
    later = timezone.now() + timedelta(days=3)
    Document.objects.filter(pk=doc_b.pk).update(published_at=later)
    assert client.get(org_url(org_b))["Last-Modified"] == http_date(later.timestamp())
    assert client.get(org_url(org_a))["Last-Modified"] != http_date(later.timestamp())
    assert client.get(DIRECTORY)["Last-Modified"] == http_date(later.timestamp())


def test_conditional_requests_get_304(client, org_a, documents):
    for url in (DIRECTORY, org_url(org_a), embed_url(org_a)):
        first = client.get(url)
        by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert by_date.status_code == 304 and by_date.content == b"", url
        assert "max-age=300" in by_date["Cache-Control"]
        by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert by_etag.status_code == 304, url
    # A publication after the client's copy: the full page again.
    response = client.get(org_url(org_a))
    analysis = documents["analysis"]
    analysis.published_at = timezone.now() + timedelta(days=1)
    analysis.save(update_fields=["published_at"])  # as the publication service saves it
    again = client.get(org_url(org_a), HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 200


def test_a_changed_page_gets_a_new_etag(client, org_a, documents):
    first = client.get(org_url(org_a))
    org_a.phone = "043-999999"
    org_a.save()
    changed = client.get(org_url(org_a), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and "043-999999" in changed.text


# --- sitemap -------------------------------------------------------------------------------------

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_pages(client):
    """The sitemap index at /sitemap.xml: the absolute URLs of its pages."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "{%s}sitemapindex" % SITEMAP_NS["s"]
    return response, [s.find("s:loc", SITEMAP_NS).text for s in root.findall("s:sitemap", SITEMAP_NS)]


def sitemap_entries(client):
    """Every address of every page the index names: {loc: lastmod}."""
    response, pages = sitemap_pages(client)
    entries = {}
    for page in pages:
        assert page.startswith(SITE + "/sitemap-")
        answer = client.get(page.removeprefix(SITE))
        assert answer.status_code == 200 and answer["Content-Type"].startswith("application/xml")
        for u in ElementTree.fromstring(answer.content).findall("s:url", SITEMAP_NS):
            lastmod = u.find("s:lastmod", SITEMAP_NS)
            loc = u.find("s:loc", SITEMAP_NS).text
            assert loc not in entries, loc
            entries[loc] = lastmod.text if lastmod is not None else None
    return response, entries


def test_sitemap_lists_pages_stable_and_revision_urls_with_site_url(client, org_a, org_b, documents):
    response, entries = sitemap_entries(client)
    assert all(loc.startswith(SITE + "/") for loc in entries)
    assert f"{SITE}/" in entries and f"{SITE}/o/org-a/" in entries and f"{SITE}/o/org-b/" in entries
    for name in ("analysis", "progress6", "measures67", "republished"):
        doc = documents[name]
        assert SITE + document_path(doc) in entries, name
        assert entries[SITE + document_path(doc, revision=True)] == day(doc.published_at)
    # Withdrawn revisions keep their permanent address, dated by the withdrawal; no stable address
    # for a document without a published revision now.
    for name in ("withdrawn", "replaced"):
        doc = documents[name]
        assert entries[SITE + document_path(doc, revision=True)] == day(doc.withdrawn_at)
    assert SITE + document_path(documents["withdrawn"]) not in entries
    for name in ("draft", "submitted", "approved", "withdrawn_redraft"):
        doc = documents[name]
        assert SITE + document_path(doc, revision=True) not in entries, name
        assert SITE + document_path(doc) not in entries, name
    assert "max-age=300" in response["Cache-Control"] and response.has_header("Last-Modified")


def test_sitemap_answers_conditional_requests(client, org_a, documents):
    response = client.get("/sitemap.xml")
    assert client.get("/sitemap.xml", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get("/sitemap.xml", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_sitemap_without_documents(client, org_a):
    response, entries = sitemap_entries(client)
    assert set(entries) == {f"{SITE}/", f"{SITE}/o/org-a/"}


def test_a_national_sitemap_is_an_index_of_pages(client, monkeypatch, django_assert_max_num_queries):
    from public import sitemaps

    monkeypatch.setattr(sitemaps.SiteURLSitemap, "limit", 4)
    orgs = sorted(OrganisationFactory().slug for _ in range(9))
    with django_assert_max_num_queries(5):  # last-modified + one count per section
        response, pages = sitemap_pages(client)
    assert pages == [f"{SITE}/sitemap-directory.xml", f"{SITE}/sitemap-organisations.xml",
                     f"{SITE}/sitemap-organisations.xml?p=2", f"{SITE}/sitemap-organisations.xml?p=3",
                     f"{SITE}/sitemap-documents.xml", f"{SITE}/sitemap-revisions.xml"]
    _, entries = sitemap_entries(client)
    assert [loc for loc in entries if "/o/" in loc] == [f"{SITE}/o/{slug}/" for slug in orgs]


# --- the snippet on the settings page ------------------------------------------------------------

def test_settings_page_offers_the_embed_snippet(client, org_a, admin_a, documents):
    client.force_login(admin_a)
    page = client.get(reverse("orgs:settings", args=[org_a.slug]))
    assert page.status_code == 200
    embed = f"{SITE}/o/org-a/embed/"
    assert f"&lt;iframe src=&quot;{embed}&quot;" in page.text
    assert re.search(r'<textarea[^>]*id="embed-snippet"[^>]*readonly', page.text)
    assert '<label class="form-label" for="embed-snippet">' in page.text
    assert f'href="{SITE}/o/org-a/"' in page.text
    assert f'href="{SITE}/o/org-a/2568/itas/"' in page.text and f'href="{SITE}/o/org-a/2567/itas/"' in page.text


def test_the_settings_page_and_its_snippet_stay_within_the_organisation(client, org_a, admin_b, staff_b,
                                                                       documents):
    client.force_login(staff_b)
    assert client.get(reverse("orgs:settings", args=[org_a.slug])).status_code == 404
    client.force_login(admin_b)
    page = client.get(reverse("orgs:settings", args=["org-b"]))
    assert f"{SITE}/o/org-b/embed/" in page.text and "/o/org-a/" not in page.text
    assert 'id="itas-links"' not in page.text  # org B has published nothing


def test_public_pages_work_for_signed_in_users_too(client, org_a, staff_b, documents):
    client.force_login(staff_b)
    page = client.get(org_url(org_a))
    assert page.status_code == 200 and "วิเคราะห์ผลเผยแพร่แล้ว" in page.text
    assert "อนุมัติแล้วยังไม่เผยแพร่" not in page.text

