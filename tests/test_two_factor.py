"""Two-factor sign-in (twofactor/, django-otp): setup with a real authenticator app's codes, the second step
of signing in, recovery codes, throttling, the requirement for administrators (TWO_FACTOR_REQUIRED) and an
organisation's own requirement for its approvers, turning it off, and the Django admin.

The authenticator app is real: the test reads the secret key the setup page shows (what a user types into
the app when the QR code cannot be scanned) and computes the codes with django_otp.oath.TOTP, as the app
does. Only the server's clock for TOTP is a test clock (``clock``), so one test can use the codes of several
30-second steps without waiting; throttling runs on the real clock, and a test waits out the one-second
throttle by moving the devices' last failure a second further into the past (``wait_out_the_throttle``).
"""
import os
import re
import secrets
import time
from base64 import b32decode
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from orgs.models import Role

from .factories import PASSWORD, MembershipFactory, UserFactory
from .helpers.settings_process import run_with_settings

pytestmark = pytest.mark.django_db


def th(msgid, **values):
    with translation.override("th"):
        text = gettext(msgid)
    return text % values if values else text


class Clock:
    """The server's clock for TOTP (django_otp.plugins.otp_totp.models reads time.time())."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now

    def tick(self, steps=1):
        self.now += 30 * steps


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(totp_models, "time", c)
    return c


def wait_out_the_throttle():
    """What waiting 1.1 seconds does to django-otp's throttle, which compares the time of the last failure
    (throttling_failure_timestamp) with timezone.now(): that failure is now 1.1 seconds older."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(throttling_failure_timestamp__isnull=False).update(
            throttling_failure_timestamp=F("throttling_failure_timestamp") - timedelta(seconds=1.1))


class App:
    """The user's authenticator app, set up from the key shown on the setup page."""

    def __init__(self, key, clock):
        self.key, self.clock = key, clock

    def code(self):
        totp = TOTP(self.key, step=30, t0=0, digits=6)
        totp.time = self.clock.now
        return f"{totp.token():06d}"

    def next_code(self):
        """The code of the next 30-second step (a code is accepted once: the app shows a new one)."""
        self.clock.tick()
        return self.code()


def sign_in(client, username, next_url=None):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, "the password was refused"
    return response


def setup_url(next_url=None):
    return reverse("two_factor:setup") + (f"?{urlencode({'next': next_url})}" if next_url else "")


def verify_url(next_url):
    return reverse("two_factor:verify") + f"?{urlencode({'next': next_url})}"


def secret_key(page):
    match = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page)
    assert match, "no secret key on the setup page"
    return b32decode(match.group(1).replace(" ", ""))


def shown_codes(page):
    return re.findall(r'<span class="recovery-code">([a-z2-7]{4}-[a-z2-7]{4})</span>', page)


def set_up(client, clock, next_url=None):
    """Set up the app through the pages: read the key, confirm with its code. Returns (app, recovery codes)."""
    page = client.get(setup_url(next_url))
    assert page.status_code == 200
    app = App(secret_key(page.text), clock)
    response = client.post(reverse("two_factor:setup"), {"code": app.code(), "next": next_url or ""})
    assert response.status_code == 200
    codes = shown_codes(response.text)
    assert len(codes) == 10
    return app, codes


@pytest.fixture
def dashboard(org_a):
    return reverse("dashboard", args=[org_a.slug])


# --- setup -----------------------------------------------------------------------------------------

def test_setup_confirms_with_a_code_and_shows_the_recovery_codes_once(client, clock, staff_a, dashboard):
    sign_in(client, "staff_a")
    page = client.get(reverse("two_factor:setup"))
    assert page.status_code == 200
    assert "<svg" in page.text and th("QR code for the authenticator app") in page.text
    assert th("Set up two-factor sign-in") in page.text
    assert "no-store" in page["Cache-Control"]
    app = App(secret_key(page.text), clock)
    # The same key on every visit until it is confirmed (a reload does not invalidate the scanned code).
    assert secret_key(client.get(reverse("two_factor:setup")).text) == app.key
    assert not TOTPDevice.objects.filter(user=staff_a, confirmed=True).exists()

    # A wrong code: a Thai error, the app does not count, the same key stays on the page.
    wrong = f"{(int(app.code()) + 1) % 1_000_000:06d}"
    response = client.post(reverse("two_factor:setup"), {"code": wrong})
    assert response.status_code == 200
    assert th("The code is wrong or has expired. Check it and try again.") in response.text
    assert secret_key(response.text) == app.key
    assert not TOTPDevice.objects.filter(user=staff_a, confirmed=True).exists()
    wait_out_the_throttle()  # django-otp throttles: one second after the first failure

    response = client.post(reverse("two_factor:setup"), {"code": app.code()})
    codes = shown_codes(response.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert th("Two-factor sign-in is on") in response.text
    assert "no-store" in response["Cache-Control"]
    device = TOTPDevice.objects.get(user=staff_a)
    assert device.confirmed and device.bin_key == app.key
    assert StaticToken.objects.filter(device__user=staff_a).count() == 10

    # Never shown again: not on the status page, not on the recovery codes page.
    status = client.get(reverse("two_factor:status"))
    assert status.status_code == 200
    assert th("Two-factor sign-in is on") in status.text
    assert 'id="recovery-left">๑๐<' in status.text
    recovery = client.get(reverse("two_factor:recovery_codes"))
    assert recovery.status_code == 200
    for code in codes:
        assert code not in status.text and code not in recovery.text
    # This session passed the code while setting up: the workspace opens.
    assert client.get(dashboard).status_code == 200


def test_the_setup_page_refuses_a_recovery_code_or_junk(client, clock, staff_a):
    sign_in(client, "staff_a")
    client.get(reverse("two_factor:setup"))
    response = client.post(reverse("two_factor:setup"), {"code": "abcd-efgh"})
    assert th("The code is wrong or has expired. Check it and try again.") in response.text
    response = client.post(reverse("two_factor:setup"), {"code": ""})
    assert th("Enter the code.") in response.text
    assert not TOTPDevice.objects.filter(user=staff_a, confirmed=True).exists()


def test_thai_digits_from_a_thai_keyboard_are_accepted(client, clock, staff_a):
    sign_in(client, "staff_a")
    app = App(secret_key(client.get(reverse("two_factor:setup")).text), clock)
    thai = app.code().translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    response = client.post(reverse("two_factor:setup"), {"code": f"{thai[:3]} {thai[3:]}"})
    assert len(shown_codes(response.text)) == 10


def test_a_new_phone_replaces_the_old_app_and_its_codes(client, clock, staff_a):
    sign_in(client, "staff_a")
    old_app, old_codes = set_up(client, clock)
    page = client.get(reverse("two_factor:setup"))
    assert th("Move two-factor sign-in to a new phone") in page.text
    new_app = App(secret_key(page.text), clock)
    assert new_app.key != old_app.key
    clock.tick()
    response = client.post(reverse("two_factor:setup"), {"code": new_app.code()})
    new_codes = shown_codes(response.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert [d.bin_key for d in TOTPDevice.objects.filter(user=staff_a)] == [new_app.key]

    other = type(client)()
    sign_in(other, "staff_a")
    response = other.post(reverse("two_factor:verify"), {"code": old_app.next_code()})
    assert th("The code is wrong or has expired. Check it and try again.") in response.text
    wait_out_the_throttle()
    response = other.post(reverse("two_factor:verify"), {"code": new_app.code()})
    assert response.status_code == 302


# --- signing in ------------------------------------------------------------------------------------

def test_signing_in_asks_for_the_code_after_the_password(client, clock, staff_a, dashboard):
    sign_in(client, "staff_a")
    app, _codes = set_up(client, clock)

    browser = type(client)()  # another day, another browser
    response = sign_in(browser, "staff_a", next_url=dashboard)
    assert response["Location"] == dashboard
    response = browser.get(dashboard)
    assert response.status_code == 302 and response["Location"] == verify_url(dashboard)
    for url in (reverse("ita:results", args=["org-a"]), reverse("workspace_start"), reverse("two_factor:status"),
                reverse("password_change"), reverse("admin:index")):
        response = browser.get(url)
        assert response.status_code == 302 and response["Location"] == verify_url(url), url
    # public pages do not ask
    assert browser.get(reverse("public:directory")).status_code == 200
    assert browser.get(reverse("public:organisation", args=["org-a"])).status_code == 200

    page = browser.get(verify_url(dashboard))
    assert page.status_code == 200 and th("Enter the code") in page.text
    response = browser.post(reverse("two_factor:verify"), {"code": app.next_code(), "next": dashboard})
    assert response.status_code == 302 and response["Location"] == dashboard
    assert browser.get(dashboard).status_code == 200
    assert browser.get(verify_url(dashboard))["Location"] == dashboard  # nothing more to ask
    # the first browser's session was verified when it set the app up; it is not touched
    assert client.get(dashboard).status_code == 200


def test_a_wrong_code_is_refused_in_thai_and_wrong_codes_are_throttled(client, clock, staff_a, dashboard):
    sign_in(client, "staff_a")
    app, _codes = set_up(client, clock)
    browser = type(client)()
    sign_in(browser, "staff_a")
    right = app.next_code()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = browser.post(reverse("two_factor:verify"), {"code": wrong, "next": dashboard})
    assert response.status_code == 200
    assert th("The code is wrong or has expired. Check it and try again.") in response.text
    assert browser.get(dashboard).status_code == 302
    # straight away even the right code is not checked: the device is throttled
    response = browser.post(reverse("two_factor:verify"), {"code": right, "next": dashboard})
    assert response.status_code == 200
    assert th("Too many wrong codes. Wait until %(time)s and try again.").split("%(time)s")[0] in response.text
    assert browser.get(dashboard).status_code == 302
    assert TOTPDevice.objects.get(user=staff_a).throttling_failure_count == 1
    wait_out_the_throttle()
    response = browser.post(reverse("two_factor:verify"), {"code": right, "next": dashboard})
    assert response.status_code == 302 and response["Location"] == dashboard
    assert TOTPDevice.objects.get(user=staff_a).throttling_failure_count == 0
    # a code is good once: another session cannot replay it
    third = type(client)()
    sign_in(third, "staff_a")
    response = third.post(reverse("two_factor:verify"), {"code": right})
    assert th("The code is wrong or has expired. Check it and try again.") in response.text


def test_a_recovery_code_works_once(client, clock, staff_a, dashboard):
    sign_in(client, "staff_a")
    _app, codes = set_up(client, clock)
    browser = type(client)()
    sign_in(browser, "staff_a")
    typed = f" {codes[0].upper().replace('-', ' ')} "  # as read aloud and typed: case and spaces do not matter
    response = browser.post(reverse("two_factor:verify"), {"code": typed, "next": dashboard}, follow=True)
    assert response.redirect_chain[0] == (dashboard, 302) and response.status_code == 200
    with translation.override("th"):
        notice = ngettext(
            "You signed in with a recovery code; it no longer works. %(count)s recovery code is left: "
            "make new ones on the two-factor sign-in page.",
            "You signed in with a recovery code; it no longer works. %(count)s recovery codes are left: "
            "make new ones on the two-factor sign-in page.", 9) % {"count": "๙"}
    assert notice in response.text
    assert StaticToken.objects.filter(device__user=staff_a).count() == 9

    again = type(client)()
    sign_in(again, "staff_a")
    response = again.post(reverse("two_factor:verify"), {"code": codes[0], "next": dashboard})
    assert response.status_code == 200
    assert th("The code is wrong or has expired. Check it and try again.") in response.text
    assert again.get(dashboard).status_code == 302
    wait_out_the_throttle()
    response = again.post(reverse("two_factor:verify"), {"code": codes[1], "next": dashboard})
    assert response.status_code == 302


def test_new_recovery_codes_invalidate_the_old_ones(client, clock, staff_a):
    sign_in(client, "staff_a")
    _app, old = set_up(client, clock)
    response = client.post(reverse("two_factor:recovery_codes"))
    new = shown_codes(response.text)
    assert response.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    assert th("New recovery codes") in response.text and "no-store" in response["Cache-Control"]
    browser = type(client)()
    sign_in(browser, "staff_a")
    response = browser.post(reverse("two_factor:verify"), {"code": old[0]})
    assert th("The code is wrong or has expired. Check it and try again.") in response.text
    wait_out_the_throttle()
    assert browser.post(reverse("two_factor:verify"), {"code": new[0]}).status_code == 302


def test_next_stays_on_this_site(client, clock, staff_a):
    sign_in(client, "staff_a")
    app, _codes = set_up(client, clock)
    browser = type(client)()
    sign_in(browser, "staff_a")
    response = browser.post(reverse("two_factor:verify"), {"code": app.next_code(), "next": "https://evil.example/"})
    assert response["Location"] == reverse("workspace_start")


def test_htmx_requests_are_sent_to_the_whole_verify_page(client, clock, staff_a, dashboard):
    sign_in(client, "staff_a")
    set_up(client, clock)
    browser = type(client)()
    sign_in(browser, "staff_a")
    response = browser.get(dashboard, headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"] == verify_url(dashboard)


def test_without_an_app_nothing_is_asked(client, staff_a, dashboard):
    sign_in(client, "staff_a")
    assert client.get(dashboard).status_code == 200
    response = client.get(verify_url(dashboard))
    assert response.status_code == 302 and response["Location"] == dashboard
    status = client.get(reverse("two_factor:status"))
    assert th("Two-factor sign-in is off") in status.text and th("Turn on two-factor sign-in") in status.text
    # the user menu links to it
    assert f'href="{reverse("two_factor:status")}"' in client.get(dashboard).text


# --- the requirement ---------------------------------------------------------------------------------

def test_administrators_without_an_app_set_it_up_first_when_required(client, settings, clock, org_a, admin_a,
                                                                     staff_a, dashboard):
    settings.TWO_FACTOR_REQUIRED = True
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)

    sign_in(client, "admin_a")
    for url in (dashboard, reverse("orgs:settings", args=[org_a.slug]), reverse("two_factor:status"),
                reverse("two_factor:recovery_codes"), reverse("password_change")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == setup_url(url), url
    assert client.get(reverse("public:directory")).status_code == 200
    page = client.get(setup_url(dashboard))
    assert th("Two-factor sign-in is required of organisation administrators.") in page.text
    assert th("Set it up now to go on working.") in page.text
    # verify has nothing to check yet: on to the setup
    assert client.get(verify_url(dashboard))["Location"] == setup_url(dashboard)

    _app, _codes = set_up(client, clock, next_url=dashboard)
    assert client.get(dashboard).status_code == 200

    # staff are not required to
    staff = type(client)()
    sign_in(staff, "staff_a")
    assert staff.get(dashboard).status_code == 200

    # installation administrators, also on the Django admin
    root = type(client)()
    root.force_login(superuser)
    response = root.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"] == setup_url(reverse("admin:index"))
    assert th("Two-factor sign-in is required of installation administrators.") in root.get(
        setup_url(reverse("admin:index"))).text
    app, _codes = set_up(root, clock)
    assert root.get(reverse("admin:index")).status_code == 200
    # a later sign-in to the admin asks for the code, then opens it
    later = type(client)()
    later.force_login(superuser)
    response = later.get(reverse("admin:index"))
    assert response["Location"] == verify_url(reverse("admin:index"))
    response = later.post(reverse("two_factor:verify"), {"code": app.next_code(), "next": reverse("admin:index")})
    assert response["Location"] == reverse("admin:index")
    assert later.get(reverse("admin:index")).status_code == 200


def test_without_the_requirement_administrators_sign_in_at_once(client, settings, admin_a, dashboard):
    settings.TWO_FACTOR_REQUIRED = False
    sign_in(client, "admin_a")
    assert client.get(dashboard).status_code == 200
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_organisation_can_require_it_of_its_approvers(client, settings, clock, org_a, org_b, admin_a,
                                                         approver_a, staff_a, dashboard):
    settings.TWO_FACTOR_REQUIRED = False  # the organisation's own choice applies whatever the installation says
    approver_b = MembershipFactory(user=UserFactory(username="approver_b"), organisation=org_b,
                                   role=Role.APPROVER).user
    sign_in(client, "admin_a")
    page = client.get(reverse("orgs:settings", args=[org_a.slug]))
    assert th("require two-factor sign-in of approvers") in page.text
    assert 'name="require_two_factor_approvers"' in page.text
    data = {"name": org_a.name, "kind": org_a.kind, "district": org_a.district, "province": org_a.province,
            "strength_threshold": "85", "default_layout": "A", "require_two_factor_approvers": "on",
            "version": org_a.version}
    response = client.post(reverse("orgs:settings", args=[org_a.slug]), data)
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.require_two_factor_approvers

    # the administrator approves too: on to the setup at the next page
    response = client.get(reverse("orgs:settings", args=[org_a.slug]))
    assert response["Location"] == setup_url(reverse("orgs:settings", args=[org_a.slug]))

    approver = type(client)()
    sign_in(approver, "approver_a")
    response = approver.get(dashboard)
    assert response.status_code == 302 and response["Location"] == setup_url(dashboard)
    assert th("Your organisation requires two-factor sign-in of its approvers.") in approver.get(
        setup_url(dashboard)).text
    set_up(approver, clock, next_url=dashboard)
    assert approver.get(dashboard).status_code == 200
    # ... and cannot turn it off
    page = approver.get(reverse("two_factor:turn_off"))
    assert th("It cannot be turned off for your account. To use a new phone, set it up again instead.") in page.text

    staff = type(client)()
    sign_in(staff, "staff_a")
    assert staff.get(dashboard).status_code == 200  # staff are not approvers
    other = type(client)()
    sign_in(other, "approver_b")
    assert other.get(reverse("dashboard", args=[org_b.slug])).status_code == 200  # org B did not ask

    # when the organisation lifts it, the approver may go back to the password alone
    org_a.require_two_factor_approvers = False
    org_a.save()
    assert 'id="turn-off-form"' in approver.get(reverse("two_factor:turn_off")).text


def test_the_demo_does_not_require_it_and_production_does():
    show = "import django; django.setup(); from django.conf import settings as s; print(s.TWO_FACTOR_REQUIRED)"
    production = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "ita.example.org"}

    def run(args, **env):
        return run_with_settings(args, drop=("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "TWO_FACTOR_REQUIRED"), **env)

    assert run(["-c", show], DEBUG="true").stdout.split() == ["False"]  # make run: demo users sign in at once
    assert run(["-c", show], **production).stdout.split() == ["True"]
    assert run(["-c", show], **production, TWO_FACTOR_REQUIRED="false").stdout.split() == ["False"]
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **production,
               TWO_FACTOR_REQUIRED="false")
    assert done.returncode != 0 and "twofactor.W001" in done.stdout + done.stderr


# --- turning off -------------------------------------------------------------------------------------

def test_turning_off_asks_for_a_current_code(client, clock, staff_a, dashboard):
    sign_in(client, "staff_a")
    app, codes = set_up(client, clock)
    page = client.get(reverse("two_factor:turn_off"))
    assert page.status_code == 200 and 'id="turn-off-form"' in page.text
    response = client.post(reverse("two_factor:turn_off"), {"code": "000000" if app.code() != "000000" else "111111"})
    assert th("The code is wrong or has expired. Check it and try again.") in response.text
    assert TOTPDevice.objects.filter(user=staff_a).exists()
    wait_out_the_throttle()
    response = client.post(reverse("two_factor:turn_off"), {"code": app.next_code()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("two_factor:status")
    assert th("Two-factor sign-in is off. You sign in with your password alone.") in response.text
    assert not TOTPDevice.objects.filter(user=staff_a).exists()
    assert not StaticDevice.objects.filter(user=staff_a).exists()
    # the password alone again
    browser = type(client)()
    sign_in(browser, "staff_a")
    assert browser.get(dashboard).status_code == 200
    assert browser.post(reverse("two_factor:verify"), {"code": codes[0]})["Location"] == reverse("workspace_start")


def test_turning_off_is_refused_when_it_is_required(client, settings, clock, admin_a):
    settings.TWO_FACTOR_REQUIRED = True
    sign_in(client, "admin_a")
    app, _codes = set_up(client, clock)
    status = client.get(reverse("two_factor:status"))
    assert f'href="{reverse("two_factor:turn_off")}"' not in status.text
    page = client.get(reverse("two_factor:turn_off"))
    assert th("Two-factor sign-in is required of organisation administrators.") in page.text
    assert 'id="turn-off-form"' not in page.text
    response = client.post(reverse("two_factor:turn_off"), {"code": app.next_code()})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=admin_a, confirmed=True).exists()


# --- other users, other organisations ------------------------------------------------------------------

def test_nobody_touches_another_users_two_factor(client, clock, org_a, staff_a, staff_b, admin_b):
    sign_in(client, "staff_a")
    app_a, codes_a = set_up(client, clock)

    other = type(client)()
    sign_in(other, "staff_b")
    # staff B's pages say nothing of A, and A's codes do nothing for B
    status = other.get(reverse("two_factor:status"))
    assert th("Two-factor sign-in is off") in status.text
    assert other.get(reverse("two_factor:turn_off"))["Location"] == reverse("two_factor:status")
    assert other.post(reverse("two_factor:recovery_codes"))["Location"] == reverse("two_factor:status")
    response = other.post(reverse("two_factor:turn_off"), {"code": app_a.next_code()})
    assert response["Location"] == reverse("two_factor:status")
    assert TOTPDevice.objects.filter(user=staff_a, confirmed=True).count() == 1
    assert StaticToken.objects.filter(device__user=staff_a).count() == 10
    # B sets up its own app: A's stays as it was
    _app_b, codes_b = set_up(other, clock)
    assert not set(codes_a) & set(codes_b)
    assert TOTPDevice.objects.filter(user=staff_a, confirmed=True).count() == 1
    # B's recovery code is not A's
    browser = type(client)()
    sign_in(browser, "staff_a")
    response = browser.post(reverse("two_factor:verify"), {"code": codes_b[0]})
    assert th("The code is wrong or has expired. Check it and try again.") in response.text
    # org B's administrator cannot change org A's requirement: 404
    admin = type(client)()
    sign_in(admin, "admin_b")
    response = admin.post(reverse("orgs:settings", args=[org_a.slug]),
                          {"name": org_a.name, "kind": org_a.kind, "district": "x", "province": "y",
                           "strength_threshold": "85", "default_layout": "A", "require_two_factor_approvers": "on"})
    assert response.status_code == 404
    org_a.refresh_from_db()
    assert not org_a.require_two_factor_approvers


def test_an_installation_administrator_can_reset_a_lost_phone(client, clock, staff_a, dashboard):
    sign_in(client, "staff_a")
    set_up(client, clock)
    call_command("two_factor_reset", "staff_a", stdout=open(os.devnull, "w"))
    assert not TOTPDevice.objects.filter(user=staff_a).exists()
    assert not StaticDevice.objects.filter(user=staff_a).exists()
    browser = type(client)()
    sign_in(browser, "staff_a")
    assert browser.get(dashboard).status_code == 200
    assert get_user_model().objects.get(username="staff_a").is_active


def test_the_members_page_shows_who_signs_in_with_an_app(client, clock, org_a, admin_a, staff_a, approver_a):
    sign_in(client, "approver_a")
    set_up(client, clock)
    admin = type(client)()
    sign_in(admin, "admin_a")
    page = admin.get(reverse("orgs:members", args=[org_a.slug])).text
    rows = dict(re.findall(r'<tr data-member="(\w+)".*?data-two-factor="(on|off)"', page, re.S))
    assert rows == {"approver_a": "on", "admin_a": "off", "staff_a": "off"}
    assert th("Two-factor sign-in") in page
