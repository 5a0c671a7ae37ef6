from django.urls import path

from .documents import settings_views, views
from .entries import views as entry_views
from .exports import views as export_views
from .workflow import views as workflow_views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", workflow_views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/docx/", export_views.docx, name="docx"),
    path("<int:pk>/memo/", views.memo, name="memo"),
    path("<int:pk>/settings/", settings_views.document_settings, name="settings"),
    path("<int:pk>/do/<str:action>/", workflow_views.transition, name="transition"),
    path("<int:pk>/entries/<int:entry_pk>/", entry_views.entry_edit, name="entry"),
    path("<int:pk>/evidence/<int:evidence_pk>/", entry_views.evidence_file, name="evidence"),
    path("<int:pk>/evidence/<int:evidence_pk>/delete/", entry_views.evidence_delete, name="evidence_delete"),
    path("<int:pk>/evidence/<int:evidence_pk>/public/", entry_views.evidence_public, name="evidence_public"),
    path("xlsx/<int:fiscal_year>/", export_views.xlsx, name="xlsx"),
    path("fonts/<str:name>", views.font, name="font"),
]
