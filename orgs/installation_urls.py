"""/w/installation/: pages of the installation administrators (Django superusers)."""
from django.urls import path

from . import installation_views as views

app_name = "installation"
urlpatterns = [
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/add/", views.organisation_add, name="organisation_add"),
    path("organisations/import/", views.organisation_import, name="organisation_import"),
    path("organisations/<int:pk>/invite/", views.organisation_invite, name="organisation_invite"),
]
