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
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("members/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("members/<int:pk>/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/active/", views.member_active, name="member_active"),
    path("members/<int:pk>/password-reset/", views.member_password_reset, name="member_password_reset"),
]
