"""The invitation in a real browser (Chromium through Playwright): the organisation administrator invites
a new member on the members page; the e-mail (locmem backend) holds a link on settings.SITE_URL; the
invitee follows it in a fresh browser context, chooses a username and password and lands in the
workspace signed in. Selectors use names, ids and data- attributes, never translated labels."""
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from orgs.models import Membership, Role

from .factories import PASSWORD

NEW_PASSWORD = "Kh0ngDee-2568!"


@pytest.mark.django_db(transaction=True)
def test_an_invitee_follows_the_e_mailed_link_sets_a_password_and_lands_in_the_workspace(
        page, browser, live_server, settings, mailoutbox, org_a, admin_a):
    settings.SITE_URL = live_server.url
    members = reverse("orgs:members", args=[org_a.slug])
    page.goto(f"{live_server.url}{reverse('login')}?next={members}")
    page.fill("input[name=username]", "admin_a")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(re.escape(members) + "$"))
    page.fill("input[name=invite-email]", "napa@example.org")
    page.select_option("select[name=invite-role]", Role.APPROVER)
    page.click("#member-invite-form button[type=submit]")
    expect(page.locator('tr[data-invitation="napa@example.org"]')).to_be_visible()
    expect(page.locator("[data-password]")).to_have_count(0)

    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["napa@example.org"]
    link = re.search(re.escape(live_server.url) + r"/invitation/[^/\s]+/", mailoutbox[0].body).group(0)

    invitee = browser.new_context().new_page()
    invitee.goto(link)
    invitee.fill("input[name=username]", "napa")
    invitee.fill("input[name=first_name]", "นภา")
    invitee.fill("input[name=last_name]", "ใจงาม")
    invitee.fill("input[name=password1]", NEW_PASSWORD)
    invitee.fill("input[name=password2]", NEW_PASSWORD)
    invitee.click("#invitation-new-account-form button[type=submit]")
    dashboard = reverse("dashboard", args=[org_a.slug])
    invitee.wait_for_url(re.compile(re.escape(dashboard) + "$"))
    expect(invitee.locator("body")).to_contain_text("นภา ใจงาม")
    membership = Membership.objects.get(user__username="napa", organisation=org_a)
    assert membership.role == Role.APPROVER and membership.user.check_password(NEW_PASSWORD)

    # the link worked once
    invitee.goto(link)
    expect(invitee.locator("#invitation-invalid")).to_be_visible()
    invitee.context.close()
