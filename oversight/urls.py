from django.urls import path

from . import views

app_name = "oversight"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:province>/", views.province, name="province"),
    path("<str:province>/export.xlsx", views.export, name="export"),
    path("<str:province>/o/<slug:org_slug>/", views.organisation, name="organisation"),
]
