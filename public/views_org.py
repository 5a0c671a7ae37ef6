"""Public directory, organisation page and embeddable list of published documents (no sign-in).

Every page here is cacheable by anyone for five minutes (`Cache-Control: public, max-age=300`), carries a
`Last-Modified` (the latest publication or withdrawal of the documents it lists; none when nothing was
ever published) and an `ETag` of its content, and answers conditional requests with 304. Query counts
are fixed whatever the number of organisations, results and documents (tests/test_public_org_pages.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Q, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import condition, require_safe

from ita.score_chart import score_chart
from ita.analysis import level_summary
from ita.models import AssessmentResult
from orgs.models import Organisation
from reports.documents.data import title_lines
from reports.models import Document, DocumentKind, DocumentStatus

from core.pagecache import mark_public
from reports.documents.links import absolute, document_path

CACHE_SECONDS = 300
DIRECTORY_PER_PAGE = 50  # ~7,850 organisations nationwide: the directory is paged
TOOL_CODES = ("IIT", "EIT", "OIT")
KIND_ORDER = {DocumentKind.ANALYSIS: 0, DocumentKind.MEASURES: 1, DocumentKind.PROGRESS: 2}
# Words people type in front of a place name; the data holds the bare name ("ขอนแก่น", not "จังหวัดขอนแก่น").
PLACE_PREFIXES = ("จังหวัด", "อำเภอ")
# Documents shown publicly are those ever published: published now, or withdrawn after publication.
EVER_PUBLISHED = (DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN)


# --- caching -----------------------------------------------------------------------------------------

def _latest_change(documents, results=None):
    """The latest published_at / withdrawn_at of ``documents`` (a queryset) and, for pages that show
    results, the latest confirmation of ``results``, or None."""
    found = documents.order_by().aggregate(published=Max("published_at"), withdrawn=Max("withdrawn_at"))
    moments = [m for m in found.values() if m is not None]
    if results is not None:
        confirmed = results.order_by().aggregate(confirmed=Max("confirmed_at"))["confirmed"]
        if confirmed is not None:
            moments.append(confirmed)
    return max(moments, default=None)


def _directory_last_modified(request, *args, **kwargs):
    return _latest_change(Document.objects.all(), AssessmentResult.objects.all())


def _organisation_last_modified(request, slug):
    return _latest_change(Document.objects.filter(organisation__slug=slug),
                          AssessmentResult.objects.filter(organisation__slug=slug))


def _embed_last_modified(request, slug):
    return _latest_change(Document.objects.filter(organisation__slug=slug))


def public_page(view):
    """Cache headers of a public page: public for five minutes, varying by cookie (the language). The
    ETag of the content and the 304 on a matching If-None-Match come from ConditionalGetMiddleware (public
    pages carry no CSRF token, so an unchanged page has an unchanged body). Outermost, so a 304 answered
    by `condition` (If-Modified-Since) carries the same Cache-Control."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        patch_vary_headers(response, ("Cookie",))
        return mark_public(response)

    return wrapper


# --- data ------------------------------------------------------------------------------------------

def public_results():
    """Confirmed results with their confirmed figures (``public_view``), newest year first: what the public
    sees. Results never confirmed are not public; a correction not yet confirmed shows its confirmed
    figures. One query."""
    return AssessmentResult.objects.with_public_figures().select_related("year").order_by("-year__year")


def _results_prefetch(to_attr=None):
    return Prefetch("results", queryset=public_results(), to_attr=to_attr)


def result_row(result) -> dict:
    """A table row of ``result``: a ConfirmedResult (``AssessmentResult.public_view()``)."""
    tools = result.tool_score_map()
    return {
        "result": result,
        "year": result.year.year,
        "total": result.total_score,
        "tools": [tools.get(code) for code in TOOL_CODES],
        "levels": level_summary(result.total_score, tools, result.year.scale),
    }


def search_words(q: str) -> list[str]:
    """The words of a search, whitespace-tolerant, without a leading จังหวัด / อำเภอ."""
    words = []
    for word in (q or "").split():
        for prefix in PLACE_PREFIXES:
            if word.startswith(prefix) and len(word) > len(prefix):
                word = word.removeprefix(prefix)
        if word not in PLACE_PREFIXES:
            words.append(word)
    return words


def search_organisations(q: str):
    """Organisations whose name, district or province contain every word of ``q`` (any case)."""
    organisations = Organisation.objects.all()
    for word in search_words(q):
        organisations = organisations.filter(
            Q(name__icontains=word) | Q(district__icontains=word) | Q(province__icontains=word)
        )
    return organisations


@dataclass
class ListedDocument:
    document: Document
    title: str
    withdrawn: bool
    url: str  # the stable address; for a withdrawn one, its revision's address
    pdf_url: str = ""

    @property
    def date(self):
        return self.document.withdrawn_at if self.withdrawn else self.document.published_at


@dataclass
class YearGroup:
    fiscal_year: int
    itas_url: str
    documents: list[ListedDocument] = field(default_factory=list)


def published_documents(org) -> list[YearGroup]:
    """The organisation's documents as the public sees them, by fiscal year (newest first) and kind
    (analysis, measures plan, progress 3/6/9/12): the current published revision of each; a document
    whose latest ever-published revision is withdrawn (and not republished) as withdrawn. Drafts,
    submitted and approved revisions never appear. One query."""
    documents = (
        Document.objects.for_org(org)
        .filter(status__in=EVER_PUBLISHED, published_at__isnull=False)
        .defer("snapshot", "intro", "preamble", "columns")
        .order_by("-fiscal_year", "kind", "round", "-revision")
    )
    chosen: dict[tuple, Document] = {}
    for doc in documents:
        doc.organisation = org
        key = (doc.fiscal_year, doc.kind, doc.round)
        current = chosen.get(key)
        if current is None or (doc.status == DocumentStatus.PUBLISHED and current.status != DocumentStatus.PUBLISHED):
            chosen[key] = doc
    groups: dict[int, YearGroup] = {}
    for key in sorted(chosen, key=lambda k: (-k[0], KIND_ORDER.get(k[1], 9), k[2])):
        doc = chosen[key]
        group = groups.get(doc.fiscal_year)
        if group is None:
            group = groups[doc.fiscal_year] = YearGroup(
                doc.fiscal_year, reverse("public:itas", args=[org.slug, doc.fiscal_year])
            )
        title = " ".join(title_lines(doc))
        if doc.status == DocumentStatus.PUBLISHED:
            group.documents.append(ListedDocument(
                doc, title, False, document_path(doc), document_path(doc, pdf=True)
            ))
        else:
            group.documents.append(ListedDocument(doc, title, True, document_path(doc, revision=True)))
    return list(groups.values())


# --- views -------------------------------------------------------------------------------------------

@public_page
@condition(last_modified_func=_directory_last_modified)
@require_safe
def directory(request):
    q = " ".join((request.GET.get("q") or "").split())
    published = (
        Document.objects.filter(organisation=OuterRef("pk"), status=DocumentStatus.PUBLISHED)
        .order_by().values("organisation").annotate(n=Count("pk")).values("n")
    )
    organisations = (
        search_organisations(q)
        .annotate(published_count=Coalesce(Subquery(published, output_field=IntegerField()), 0))
        .order_by("province", "district", "name", "pk")
    )
    page_obj = Paginator(organisations, DIRECTORY_PER_PAGE).get_page(request.GET.get("page"))
    page_orgs = list(page_obj.object_list)
    # The latest results of this page's organisations only (prefetch over the page, not the nation).
    prefetch_related_objects(page_orgs, _results_prefetch())
    rows = []
    for org in page_orgs:
        results = [r.public_view() for r in org.results.all()]
        rows.append({"org": org, "latest": result_row(results[0]) if results else None})
    return render(request, "public/directory.html", {
        "q": q, "rows": rows, "page_obj": page_obj, "total": page_obj.paginator.count,
        "canonical": absolute(request.path),
    })


def _organisation_context(request, slug) -> dict:
    org = get_object_or_404(Organisation, slug=slug)
    return {"org": org, "years": published_documents(org), "canonical": absolute(request.path)}


@public_page
@condition(last_modified_func=_organisation_last_modified)
@require_safe
def organisation(request, slug):
    context = _organisation_context(request, slug)
    org = context["org"]
    results = [r.public_view() for r in public_results().for_org(org)]
    context.update({
        "result_rows": [result_row(r) for r in results],
        "chart": score_chart(results),
        "tool_codes": TOOL_CODES,
    })
    return render(request, "public/organisation.html", context)


@xframe_options_exempt
@public_page
@condition(last_modified_func=_embed_last_modified)
@require_safe
def embed(request, slug):
    """The published documents alone, to be framed by the organisation's own website (any site)."""
    context = _organisation_context(request, slug)
    context["page_url"] = absolute(reverse("public:organisation", args=[slug]))
    response = render(request, "public/embed.html", context)
    response["Content-Security-Policy"] = "frame-ancestors *"
    return response
