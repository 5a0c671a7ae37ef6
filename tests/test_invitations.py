"""Invitations (orgs/invitations.py) replace temporary passwords: the organisation administrator invites
by e-mail and role; the e-mail (locmem backend) holds a one-time link on settings.SITE_URL that expires
after seven days; the invitee chooses a username and password (Django's validators) or accepts with the
account they have, and lands in the workspace signed in. Pending invitations are resent (the old link
dies) and revoked; nothing tells the administrator whether an address has an account elsewhere; another
organisation's invitation is 404; every step is in the organisation's history. The administrator also
sends a member a password-reset link."""
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from core.errors import RefusedChange
from orgs import invitations
from workspace.history import history_page
from orgs.models import Invitation, InvitationStatus, Membership, Role

from .factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://ita.example.go.th"
LINK = re.compile(re.escape(SITE) + r"(/invitation/[^/\s]+/)")
GOOD_PASSWORD = "Kh0ngDee-2568!"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


def th(msgid, **values):
    with translation.override("th"):
        text = translation.gettext(msgid)
    return escape(text % values if values else text)


def link_of(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def normalised(page: str) -> str:
    """The page without what differs per request: CSRF tokens and the link's token."""
    page = re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1…", page)
    return re.sub(r"/invitation/[^/]+/", "/invitation/…/", page)


def invite(client, org, email, role="staff", position=""):
    return client.post(reverse("orgs:member_invite", args=[org.slug]),
                       {"invite-email": email, "invite-role": role, "invite-position": position})


def accept_new(client, path, username="newbie", password=GOOD_PASSWORD, first_name="นภา", last_name="ใจงาม"):
    return client.post(path, {"username": username, "first_name": first_name, "last_name": last_name,
                              "password1": password, "password2": password})


# --- invite, accept ---------------------------------------------------------------------------------------

def test_an_invitation_is_mailed_and_accepted_with_a_new_account(client, org_a, admin_a, mailoutbox):
    client.force_login(admin_a)
    response = invite(client, org_a, "Napa@Example.org", role="approver", position="ปลัด")
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.position, invitation.status) == (
        "Napa@example.org", Role.APPROVER, "ปลัด", InvitationStatus.PENDING)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["Napa@example.org"]
    assert org_a.name in mailoutbox[0].subject
    path = link_of(mailoutbox[0])
    token = path.split("/")[2]
    assert invitation.token_hash == invitations.hash_token(token) and token not in invitation.token_hash
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)

    # the members page lists it as pending; no password anywhere
    members = client.get(reverse("orgs:members", args=[org_a.slug])).text
    assert 'data-invitation="Napa@example.org"' in members and "data-password" not in members
    client.logout()

    page = client.get(path)
    assert page.status_code == 200 and org_a.name in page.text
    response = accept_new(client, path)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard", args=[org_a.slug])
    user = get_user_model().objects.get(username="newbie")
    assert user.email == "Napa@example.org" and user.check_password(GOOD_PASSWORD)
    membership = Membership.objects.get(user=user, organisation=org_a)
    assert (membership.role, membership.position, membership.is_active) == (Role.APPROVER, "ปลัด", True)
    assert client.get(reverse("dashboard", args=[org_a.slug])).status_code == 200  # signed in
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.accepted_by == user


def test_the_link_works_once(client, org_a, admin_a, mailoutbox):
    invitations.invite(org_a, email="once@example.org", role="staff", actor=admin_a)
    path = link_of(mailoutbox[0])
    assert accept_new(client, path).status_code == 302
    client.logout()
    assert client.get(path).status_code == 404
    response = accept_new(client, path, username="second")
    assert response.status_code == 404
    assert th("This invitation link cannot be used") in response.text
    assert not get_user_model().objects.filter(username="second").exists()


def test_the_link_expires_after_seven_days(client, org_a, admin_a, mailoutbox):
    invitation, _sent = invitations.invite(org_a, email="late@example.org", role="staff", actor=admin_a)
    path = link_of(mailoutbox[0])
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(path).status_code == 404
    assert accept_new(client, path).status_code == 404
    assert not get_user_model().objects.filter(username="newbie").exists()
    # the administrator sees it as expired, and a resend gives a working link
    client.force_login(admin_a)
    assert "data-expired" in client.get(reverse("orgs:members", args=[org_a.slug])).text
    client.post(reverse("orgs:invitation_resend", args=[org_a.slug, invitation.pk]))
    client.logout()
    assert client.get(link_of(mailoutbox[1])).status_code == 200


def test_a_weak_password_or_a_taken_username_is_refused_and_keeps_the_input(client, org_a, admin_a, staff_b,
                                                                           mailoutbox):
    invitations.invite(org_a, email="weak@example.org", role="staff", actor=admin_a)
    path = link_of(mailoutbox[0])
    weak = accept_new(client, path, password="12345678")
    assert weak.status_code == 400 and 'value="newbie"' in weak.text
    taken = accept_new(client, path, username="staff_b")
    assert taken.status_code == 400
    assert Membership.objects.filter(organisation=org_a).count() == 1  # admin_a only
    assert Invitation.objects.get().status == InvitationStatus.PENDING


def test_resend_kills_the_old_link(client, org_a, admin_a, mailoutbox):
    client.force_login(admin_a)
    invite(client, org_a, "again@example.org")
    invitation = Invitation.objects.get()
    old = link_of(mailoutbox[0])
    response = client.post(reverse("orgs:invitation_resend", args=[org_a.slug, invitation.pk]))
    assert response.status_code == 302
    assert len(mailoutbox) == 2
    new = link_of(mailoutbox[1])
    assert new != old
    invitation.refresh_from_db()
    assert invitation.sent_count == 2
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_revoke(client, org_a, admin_a, mailoutbox):
    client.force_login(admin_a)
    invite(client, org_a, "revoked@example.org")
    invitation = Invitation.objects.get()
    path = link_of(mailoutbox[0])
    assert client.post(reverse("orgs:invitation_revoke", args=[org_a.slug, invitation.pk])).status_code == 302
    assert Invitation.objects.get().status == InvitationStatus.REVOKED
    assert 'data-invitation="revoked@example.org"' not in client.get(reverse("orgs:members", args=[org_a.slug])).text
    # a revoked invitation is not pending: resending or revoking it again is 404
    assert client.post(reverse("orgs:invitation_resend", args=[org_a.slug, invitation.pk])).status_code == 404
    client.logout()
    assert client.get(path).status_code == 404
    assert len(mailoutbox) == 1


def test_a_pending_address_or_a_member_cannot_be_invited_twice(client, org_a, admin_a, staff_a, mailoutbox):
    staff_a.email = "staff.a@example.org"
    staff_a.save()
    client.force_login(admin_a)
    invite(client, org_a, "twice@example.org")
    response = invite(client, org_a, "TWICE@example.org")
    assert response.status_code == 400
    assert th("An invitation to this address is pending already: resend it from the list of invitations.") \
        in response.text
    response = invite(client, org_a, "Staff.A@example.org")
    assert response.status_code == 400
    assert th("A member of the organisation already has this e-mail address.") in response.text
    assert Invitation.objects.count() == 1 and len(mailoutbox) == 1


def test_only_an_administrator_of_the_organisation_invites(org_a, org_b, approver_a, admin_b):
    for actor in (approver_a, admin_b):
        with pytest.raises(RefusedChange):
            invitations.invite(org_a, email="x@example.org", role="staff", actor=actor)
    assert not Invitation.objects.exists()


# --- existing accounts, without disclosure ------------------------------------------------------------------

def test_inviting_an_existing_account_says_the_same_as_for_a_new_address(client, org_a, admin_a, staff_b,
                                                                           mailoutbox):
    staff_b.email = "staff.b@example.org"
    staff_b.save()
    client.force_login(admin_a)
    existing = invite(client, org_a, "staff.b@example.org")
    existing_page = client.get(existing["Location"]).text
    fresh = invite(client, org_a, "nobody@example.org")
    fresh_page = client.get(fresh["Location"]).text
    assert existing.status_code == fresh.status_code == 302
    assert th("The invitation has been sent to %(email)s.", email="staff.b@example.org") in existing_page
    assert th("The invitation has been sent to %(email)s.", email="nobody@example.org") in fresh_page
    assert not Membership.objects.filter(user=staff_b, organisation=org_a).exists()  # nothing until accepted
    # the two e-mails and the two invitee pages are alike but for the address
    assert mailoutbox[0].body.replace("staff.b", "X").split("/invitation/")[0] == \
        mailoutbox[1].body.replace("nobody", "X").split("/invitation/")[0]
    client.logout()
    a, b = (normalised(client.get(link_of(m)).text) for m in mailoutbox)
    assert a.replace("staff.b", "X") == b.replace("nobody", "X")


def test_an_existing_account_signs_in_and_accepts(client, org_a, admin_a, staff_b, mailoutbox):
    invitations.invite(org_a, email="staff.b@example.org", role="approver", actor=admin_a)
    path = link_of(mailoutbox[0])
    page = client.get(path).text
    assert f"{reverse('login')}?next={path}" in page.replace("&amp;", "&").replace("%2F", "/")
    response = client.post(f"{reverse('login')}?next={path}", {"username": "staff_b", "password": "pw-for-tests"})
    assert response.status_code == 302 and response["Location"] == path
    assert 'id="invitation-accept-form"' in client.get(path).text
    response = client.post(path)
    assert response["Location"] == reverse("dashboard", args=[org_a.slug])
    membership = Membership.objects.get(user=staff_b, organisation=org_a)
    assert membership.role == Role.APPROVER and membership.is_active
    assert Membership.objects.get(user=staff_b, organisation__slug="org-b").is_active  # B unchanged
    assert client.get(path).status_code == 404


def test_a_former_member_accepting_is_active_again(client, org_a, admin_a, staff_a, mailoutbox):
    Membership.objects.filter(user=staff_a).update(is_active=False)
    invitations.invite(org_a, email="back@example.org", role="approver", actor=admin_a)
    client.force_login(staff_a)
    client.post(link_of(mailoutbox[0]))
    membership = Membership.objects.get(user=staff_a)
    assert membership.is_active and membership.role == Role.APPROVER


# --- tenant isolation ---------------------------------------------------------------------------------------

def test_another_organisations_invitation_is_404(client, org_a, org_b, admin_a, admin_b, mailoutbox):
    invitation_b, _sent = invitations.invite(org_b, email="b@example.org", role="staff", actor=admin_b)
    client.force_login(admin_a)
    for name in ("orgs:invitation_resend", "orgs:invitation_revoke"):
        assert client.post(reverse(name, args=[org_a.slug, invitation_b.pk])).status_code == 404
        assert client.post(reverse(name, args=[org_b.slug, invitation_b.pk])).status_code == 404
    assert 'data-invitation="b@example.org"' not in client.get(reverse("orgs:members", args=[org_a.slug])).text
    invitation_b.refresh_from_db()
    assert invitation_b.status == InvitationStatus.PENDING and invitation_b.sent_count == 1
    assert len(mailoutbox) == 1


# --- password reset by the administrator ---------------------------------------------------------------------

def test_the_administrator_sends_a_password_reset_link(client, org_a, admin_a, staff_a, mailoutbox):
    staff_a.email = "staff.a@example.org"
    staff_a.save()
    membership = Membership.objects.get(user=staff_a)
    client.force_login(admin_a)
    edit = reverse("orgs:member_edit", args=[org_a.slug, membership.pk])
    assert 'id="member-reset-form"' in client.get(edit).text
    response = client.post(reverse("orgs:member_password_reset", args=[org_a.slug, membership.pk]))
    assert response.status_code == 302 and response["Location"] == edit
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["staff.a@example.org"]
    match = re.search(re.escape(SITE) + r"(/accounts/reset/[^\s]+/)", mailoutbox[0].body)
    assert match, mailoutbox[0].body
    client.logout()
    form_page = client.get(match.group(1), follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.check_password(GOOD_PASSWORD)
    assert client.get(match.group(1), follow=True).context["validlink"] is False  # once only


def test_no_reset_link_for_a_member_without_an_address_or_of_another_organisation(
        client, org_a, org_b, admin_a, staff_a, staff_b, mailoutbox):
    client.force_login(admin_a)
    membership = Membership.objects.get(user=staff_a)  # no e-mail address
    response = client.post(reverse("orgs:member_password_reset", args=[org_a.slug, membership.pk]), follow=True)
    assert th("The member's account has no e-mail address.") in response.text
    other = Membership.objects.get(user=staff_b)
    staff_b.email = "b@example.org"
    staff_b.save()
    assert client.post(reverse("orgs:member_password_reset", args=[org_a.slug, other.pk])).status_code == 404
    assert mailoutbox == []


# --- history ------------------------------------------------------------------------------------------------

def test_every_step_is_in_the_organisations_history(client, org_a, admin_a, staff_a, mailoutbox):
    client.force_login(admin_a)
    invite(client, org_a, "h1@example.org")
    invite(client, org_a, "h2@example.org")
    first, second = Invitation.objects.order_by("pk")
    client.post(reverse("orgs:invitation_resend", args=[org_a.slug, first.pk]))
    client.post(reverse("orgs:invitation_revoke", args=[org_a.slug, second.pk]))
    membership = Membership.objects.get(user=staff_a)
    client.post(reverse("orgs:member_edit", args=[org_a.slug, membership.pk]), {"role": "approver", "position": ""})
    client.post(reverse("orgs:member_active", args=[org_a.slug, membership.pk]), {"active": "0"})
    client.logout()
    accept_new(client, link_of(mailoutbox[-1]))

    rows = history_page(org_a).rows
    invitation_rows = [(r.record.email, r.change_type, r.record.status, r.record.sent_count, r.who)
                       for r in rows if r.kind == "invitation"]
    newbie = "นภา ใจงาม"
    admin_name = f"{admin_a.first_name} {admin_a.last_name}"
    assert invitation_rows == [
        ("h1@example.org", "~", "accepted", 2, newbie),
        ("h2@example.org", "~", "revoked", 1, admin_name),
        ("h1@example.org", "~", "pending", 2, admin_name),
        ("h2@example.org", "+", "pending", 1, admin_name),
        ("h1@example.org", "+", "pending", 1, admin_name),
    ]
    member_rows = [(r.title, r.change_type, r.who, [c.name for c in r.changes]) for r in rows if r.kind == "member"]
    assert member_rows[0][1:] == ("+", newbie, [])
    assert ("~", admin_name, ["is_active"]) == member_rows[1][1:]
    assert ("~", admin_name, ["role"]) == member_rows[2][1:]
    client.force_login(admin_a)
    page = client.get(reverse("orgs:history", args=[org_a.slug]) + "?kind=invitation")
    assert page.status_code == 200 and page.text.count('data-kind="invitation"') == 5


def test_the_members_page_costs_a_fixed_number_of_queries(client, org_a, admin_a, django_assert_max_num_queries):
    for i in range(5):
        invitations.invite(org_a, email=f"q{i}@example.org", role="staff", actor=admin_a)
        MembershipFactory(user=UserFactory(username=f"member{i}"), organisation=org_a)
    client.force_login(admin_a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("orgs:members", args=[org_a.slug])).status_code == 200
