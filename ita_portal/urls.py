from pathlib import Path

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition

from core import views as core_views
from core.health import healthz
from core.password_reset import ThrottledPasswordResetView
from ita import catalogue_views
from orgs import invitation_views
from orgs import urls as orgs_urls
from public.sitemaps import SITEMAPS, last_modified as sitemap_last_modified, sitemap_index
from workspace import history_views
from workspace import views as workspace_views

admin.site.site_header = admin.site.site_title = "ITA Portal"

# Error pages in the site's layout and the user's language, with the ways back (core/error_pages.py;
# the CSRF failure page: settings.CSRF_FAILURE_VIEW).
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"

# Staff workspace: /w/<org_slug>/... ; the organisation comes from the URL and is resolved through the
# user's own memberships (orgs.access), so another organisation's URL is a 404.
workspace = [
    path("", workspace_views.dashboard, name="dashboard"),
    path("results/", include("ita.urls")),
    path("measures/", include("measures.urls")),
    # The settings pages; the history page (workspace: it reads every app's records) keeps its place
    # among them, "orgs:history".
    path("settings/", include((orgs_urls.urlpatterns + [
        path("history/", history_views.history, name="history"),
    ], orgs_urls.app_name))),
    path("documents/", include("reports.urls")),
    path("oit/", include("oit.urls")),
]

urlpatterns = [
    path("", include("public.urls")),  # the public site: directory at "/", organisations under /o/
    # Absolute URLs from settings.SITE_URL; Last-Modified (condition) and ETag (ConditionalGetMiddleware)
    # answer conditional requests with 304.
    path("sitemap.xml",
         cache_control(public=True, max_age=300)(condition(last_modified_func=sitemap_last_modified)(sitemap_index)),
         name="sitemap"),
    path("sitemap-<section>.xml",
         cache_control(public=True, max_age=300)(condition(last_modified_func=sitemap_last_modified)(sitemap)),
         {"sitemaps": SITEMAPS}, name="sitemap_section"),
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/two-factor/", include("twofactor.urls")),  # the signed-in user's own second factor
    path("w/", workspace_views.workspace_start, name="workspace_start"),
    path("invitation/<str:token>/", invitation_views.accept, name="invitation_accept"),
    # installation administrators (superusers): organisations (before the organisations' workspaces:
    # "installation" is a reserved slug, orgs.models.RESERVED_SLUGS)
    path("w/installation/", include("orgs.installation_urls")),
    # installation administrators: load or replace a year's ITA catalogue (before the organisations:
    # "catalogue" cannot be an organisation's slug here)
    path("w/catalogue/", catalogue_views.catalogue_upload, name="ita_catalogue"),
    path("w/<slug:org_slug>/", include(workspace)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("lang/<str:code>/", core_views.language, name="language"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),  # for the load balancer (docs/DEPLOY.md)
]

if settings.DEBUG:
    # Only the emblems, which every public page shows (production: the proxy serves the same folder,
    # docs/DEPLOY.md). Evidence files and stored PDFs are served only by the views that check access.
    urlpatterns += static(f"{settings.MEDIA_URL}emblems/", document_root=Path(settings.MEDIA_ROOT) / "emblems")
