from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from core import views as core_views

admin.site.site_header = admin.site.site_title = "ITA Portal"

# Staff workspace: /w/<org_slug>/... ; the organisation comes from the URL and is resolved through the
# user's own memberships (orgs.access), so another organisation's URL is a 404.
workspace = [
    path("", core_views.dashboard, name="dashboard"),
    path("results/", include("ita.urls")),
    path("measures/", include("measures.urls")),
    path("settings/", include("orgs.urls")),
    path("documents/", include("reports.urls")),
]

urlpatterns = [
    path("", include("public.urls")),  # the public site: directory at "/", organisations under /o/
    path("accounts/", include("django.contrib.auth.urls")),
    path("w/", core_views.workspace_start, name="workspace_start"),
    path("w/<slug:org_slug>/", include(workspace)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
