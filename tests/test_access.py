"""Tenant isolation at the door: the organisation in a workspace URL is resolved through the user's
own memberships; another organisation is a 404, anonymous users are sent to sign in."""
import pytest
from django.urls import reverse

from orgs.models import Membership, Role

from .factories import UserFactory


def test_anonymous_is_sent_to_sign_in(client, org_a):
    response = client.get(reverse("dashboard", args=[org_a.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_member_sees_own_dashboard(client, staff_a, org_a):
    client.force_login(staff_a)
    assert client.get(reverse("dashboard", args=[org_a.slug])).status_code == 200


def test_other_organisation_is_404(client, staff_b, org_a):
    client.force_login(staff_b)
    assert client.get(reverse("dashboard", args=[org_a.slug])).status_code == 404
    assert client.get(reverse("measures:index", args=[org_a.slug])).status_code == 404


def test_unknown_organisation_is_404(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("dashboard", args=["no-such-org"])).status_code == 404


def test_deactivated_membership_loses_access_at_once(client, staff_a, org_a):
    client.force_login(staff_a)
    Membership.objects.filter(user=staff_a).update(is_active=False)
    assert client.get(reverse("dashboard", args=[org_a.slug])).status_code == 404


@pytest.mark.parametrize("user_fixture, expected", [("staff_a", 403), ("approver_a", 403), ("admin_a", 200)])
def test_settings_need_the_admin_role(request, client, org_a, user_fixture, expected):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(reverse("orgs:settings", args=[org_a.slug])).status_code == expected


def test_start_goes_straight_to_the_only_organisation(client, staff_a, org_a):
    client.force_login(staff_a)
    response = client.get(reverse("workspace_start"))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard", args=[org_a.slug])


def test_start_offers_a_picker_for_several_organisations(client, org_a, org_b):
    user = UserFactory(username="both")
    Membership.objects.create(user=user, organisation=org_a, role=Role.STAFF)
    Membership.objects.create(user=user, organisation=org_b, role=Role.APPROVER)
    client.force_login(user)
    response = client.get(reverse("workspace_start"))
    assert response.status_code == 200
    assert org_a.name in response.text and org_b.name in response.text
