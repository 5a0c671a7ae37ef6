from django.urls import path

from . import views

app_name = "orgs"
# + "history/" (the history page, workspace.history_views), added in ita_portal/urls.py
urlpatterns = [
    path("", views.settings_home, name="settings"),
    path("divisions/", views.divisions, name="divisions"),
    path("divisions/<int:pk>/", views.division_edit, name="division_edit"),
    path("divisions/<int:pk>/move/", views.division_move, name="division_move"),
    path("divisions/<int:pk>/delete/", views.division_delete, name="division_delete"),
    path("members/", views.members, name="members"),
    path("members/add/", views.member_add, name="member_add"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/active/", views.member_active, name="member_active"),
]
