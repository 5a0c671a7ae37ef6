"""sitemap.xml: the directory, every organisation page, the stable address of every currently published
document and the permanent address of every revision ever published (published or withdrawn).

Nationwide that is about 8,000 organisation pages and hundreds of thousands of document addresses, over
the 50,000 URLs one sitemap file may hold: ``/sitemap.xml`` is a sitemap index naming the pages of each
section (``/sitemap-<section>.xml?p=N``, PAGE_SIZE addresses each).

Absolute URLs start with settings.SITE_URL (as the links pasted into ITAS do), not with the Sites
framework or the request's host.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.db.models import Max
from django.template.response import TemplateResponse
from django.urls import reverse

from orgs.models import Organisation
from reports.models import Document, DocumentStatus

from reports.documents.links import absolute, document_path

EVER_PUBLISHED = (DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN)
PAGE_SIZE = 10_000  # addresses per sitemap page (the protocol allows 50,000)


def _later(*moments):
    return max((m for m in moments if m is not None), default=None)


def last_modified(request, **kwargs):
    """The latest publication or withdrawal of any document: the sitemap's Last-Modified (None when
    nothing was ever published). For django.views.decorators.http.condition."""
    found = Document.objects.order_by().aggregate(p=Max("published_at"), w=Max("withdrawn_at"))
    return _later(found["p"], found["w"])


class SiteURLSitemap(Sitemap):
    """A sitemap whose protocol and domain (with any path prefix) come from settings.SITE_URL."""

    limit = PAGE_SIZE

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        parts = urlsplit(settings.SITE_URL)
        return f"{parts.netloc}{parts.path.rstrip('/')}"


def _documents():
    return (
        Document.objects.filter(status__in=EVER_PUBLISHED, published_at__isnull=False)
        .select_related("organisation")
        .only("organisation__slug", "fiscal_year", "kind", "round", "revision", "status", "published_at",
              "withdrawn_at")
        .order_by("organisation__slug", "-fiscal_year", "kind", "round", "revision")
    )


class DirectorySitemap(SiteURLSitemap):
    changefreq = "daily"

    def items(self):
        return ["public:directory"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return last_modified(None)


class OrganisationSitemap(SiteURLSitemap):
    changefreq = "weekly"

    def items(self):
        return Organisation.objects.annotate(
            last_published=Max("documents__published_at"), last_withdrawn=Max("documents__withdrawn_at"),
        ).only("slug").order_by("slug")

    def location(self, org):
        return reverse("public:organisation", args=[org.slug])

    def lastmod(self, org):
        return _later(org.last_published, org.last_withdrawn)


class DocumentSitemap(SiteURLSitemap):
    """The stable address of each document that has a published revision now."""

    changefreq = "monthly"

    def items(self):
        return _documents().filter(status=DocumentStatus.PUBLISHED)

    def location(self, document):
        return document_path(document)

    def lastmod(self, document):
        return document.published_at


class RevisionSitemap(SiteURLSitemap):
    """The permanent address of each revision ever published (a withdrawn one says so on its page)."""

    changefreq = "yearly"

    def items(self):
        return _documents()

    def location(self, document):
        return document_path(document, revision=True)

    def lastmod(self, document):
        if document.status == DocumentStatus.WITHDRAWN and document.withdrawn_at:
            return document.withdrawn_at
        return document.published_at


SITEMAPS = {
    "directory": DirectorySitemap,
    "organisations": OrganisationSitemap,
    "documents": DocumentSitemap,
    "revisions": RevisionSitemap,
}


def sitemap_index(request):
    """The sitemap index: every page of every section, as absolute URLs from settings.SITE_URL (Django's
    own index view takes the request's host). One count query per section."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        path = reverse("sitemap_section", kwargs={"section": section})
        for page in range(1, sitemap_class().paginator.num_pages + 1):
            entries.append(SitemapIndexItem(absolute(path if page == 1 else f"{path}?p={page}"), None))
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries},
                            content_type="application/xml")
