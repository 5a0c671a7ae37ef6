"""Sign in, sign out, change password, and the django-axes lockout after too many failures."""
import pytest
from django.urls import reverse
from django.utils.html import escape

from .factories import PASSWORD
from .helpers.html import find, th

pytestmark = pytest.mark.django_db
LOCKOUT_TEMPLATE = "registration/lockout.html"


@pytest.fixture
def lockout_template(settings):
    # The project settings are to get AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"; until then
    # this fixture sets it, so the test checks the template and the message either way.
    settings.AXES_LOCKOUT_TEMPLATE = LOCKOUT_TEMPLATE


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def test_the_sign_in_page(client):
    page = client.get(reverse("login")).text
    assert find(page, "form", id="login-form")
    assert find(page, "input", name="username") and find(page, "input", name="password")
    assert th("Sign in") in find(page, "h1")["text"]


def test_sign_in_lands_on_the_only_organisation(client, staff_a, org_a):
    response = sign_in(client, "staff_a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("workspace_start")
    response = client.get(response["Location"])
    assert response["Location"] == reverse("dashboard", args=[org_a.slug])


def test_sign_in_goes_back_to_the_page_asked_for(client, staff_a, org_a):
    wanted = reverse("ita:results", args=[org_a.slug])
    login_page = client.get(wanted, follow=True)
    assert find(login_page.text, "input", name="next")["attrs"]["value"] == wanted
    response = sign_in(client, "staff_a", PASSWORD, next=wanted)
    assert response["Location"] == wanted


def test_a_wrong_password_keeps_the_username_and_says_so(client, staff_a):
    response = sign_in(client, "staff_a", "wrong")
    assert response.status_code == 200
    assert find(response.text, "input", name="username")["attrs"]["value"] == "staff_a"
    assert find(response.text, class_="alert-danger")["text"]  # crispy shows the form's error
    assert "_auth_user_id" not in client.session


def test_the_sixth_wrong_attempt_is_refused_with_the_lockout_message(client, staff_a, lockout_template):
    statuses = [sign_in(client, "staff_a", f"wrong-{i}").status_code for i in range(1, 5)]
    assert statuses == [200, 200, 200, 200]  # the form again, with its error
    fifth = sign_in(client, "staff_a", "wrong-5")  # the fifth failure locks: axes answers it already
    assert fifth.status_code == 429
    response = sign_in(client, "staff_a", "wrong-6")
    assert response.status_code == 429
    message = find(response.text, id="lockout-message")["text"]
    expected = th("For your security it is locked for a while. Try again later, or ask the administrator "
                  "of your organisation for help.")
    assert escape(expected) in response.text
    assert th("Sign-in locked") in find(response.text, "h1")["text"]
    assert "๕" in message
    # even the right password is refused now, from this computer
    response = sign_in(client, "staff_a", PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_the_lock_is_per_username(client, staff_a, approver_a, lockout_template):
    for i in range(6):
        sign_in(client, "staff_a", f"wrong-{i}")
    response = sign_in(client, "approver_a", PASSWORD)
    assert response.status_code == 302


def test_sign_out(client, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("public:directory")
    assert "_auth_user_id" not in client.session


def test_change_password_needs_sign_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_change_password(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("password_change")).text
    assert find(page, "form", id="password-change-form")
    response = client.post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "ใหม่-ITA-2568!", "new_password2": "ใหม่-ITA-2568!",
    })
    assert response.status_code == 200
    assert find(response.text, "input", name="old_password")["attrs"].get("class", "").find("is-invalid") >= 0
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "ใหม่-ITA-2568!", "new_password2": "ใหม่-ITA-2568!",
    }, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    assert find(response.text, id="password-changed")
    staff_a.refresh_from_db()
    assert staff_a.check_password("ใหม่-ITA-2568!")


def test_the_dashboard_links_to_change_password(client, staff_a, org_a):
    client.force_login(staff_a)
    page = client.get(reverse("dashboard", args=[org_a.slug])).text
    assert find(page, "a", id="change-password-link")["attrs"]["href"] == reverse("password_change")


def test_language_link_sets_the_cookie_and_returns_to_a_local_page_only(client, settings):
    from django.urls import reverse

    response = client.get(reverse("language", args=["en"]) + "?next=/o/x/")
    assert response.status_code == 302 and response["Location"] == "/o/x/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get(reverse("language", args=["th"]) + "?next=https://evil.example/")
    assert response["Location"] == "/" and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "th"
    assert client.get(reverse("language", args=["xx"])).status_code == 404


def test_public_pages_carry_no_csrf_token_nor_personal_chrome(client, staff_a):
    from django.urls import reverse

    client.force_login(staff_a)
    response = client.get(reverse("public:directory"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" not in html and "X-CSRFToken" not in html and "csrftoken" not in response.cookies
    assert staff_a.get_full_name() not in html
    assert reverse("workspace_start") in html and reverse("language", args=["en"]) in html


# --- behind a proxy, and session expiry ---------------------------------------------------------------

def sign_in_from(client, password, remote, forwarded_for=None):
    """A sign-in as staff_a arriving from ``remote`` (REMOTE_ADDR), with an X-Forwarded-For header."""
    meta = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("login"), {"username": "staff_a", "password": password}, **meta).status_code


def test_without_a_proxy_a_forged_forwarded_for_header_changes_nothing(client, staff_a, lockout_template):
    # Five failures, each claiming another address: all of them come from REMOTE_ADDR, so the lock holds.
    codes = [sign_in_from(client, "wrong", "203.0.113.9", f"198.51.100.{i}") for i in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert sign_in_from(client, PASSWORD, "203.0.113.9") == 429
    assert sign_in_from(client, PASSWORD, "192.0.2.44") == 302  # the lock is per username and address


def test_behind_one_proxy_the_lockout_counts_the_real_client(client, staff_a, settings, lockout_template):
    settings.TRUSTED_PROXY_COUNT = 1
    # The attacker forges the left part; the proxy appends the address it saw (203.0.113.9).
    codes = [sign_in_from(client, "wrong", "10.0.0.2", f"198.51.100.{i}, 203.0.113.9") for i in range(5)]
    assert codes == [200, 200, 200, 200, 429]
    assert sign_in_from(client, PASSWORD, "10.0.0.2", "203.0.113.9") == 429
    # Another person behind the same proxy is not locked out with the attacker.
    assert sign_in_from(client, PASSWORD, "10.0.0.2", "192.0.2.44") == 302


def test_the_client_address_rules(rf, settings):
    from core.client_ip import client_ip

    def ip(forwarded=None, remote="10.0.0.2"):
        extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
        return client_ip(rf.get("/", REMOTE_ADDR=remote, **extra))

    settings.TRUSTED_PROXY_COUNT = 0
    assert ip("198.51.100.1") == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert ip("198.51.100.1, 203.0.113.9") == "203.0.113.9"
    assert ip("203.0.113.9") == "203.0.113.9"
    assert ip() == "10.0.0.2" and ip("") == "10.0.0.2"  # not through the proxy
    assert ip("not-an-address") == "10.0.0.2"
    assert ip("2001:db8::1") == "2001:db8::1"
    settings.TRUSTED_PROXY_COUNT = 2  # CDN, then the load balancer
    assert ip("198.51.100.1, 203.0.113.9, 192.0.2.7") == "203.0.113.9"
    assert ip("192.0.2.7") == "10.0.0.2"


def test_a_session_ends_after_eight_hours(client, staff_a, org_a):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    sign_in(client, "staff_a", PASSWORD)
    dashboard = reverse("dashboard", args=[org_a.slug])
    assert client.get(dashboard).status_code == 200
    assert client.session.get_expiry_age() == 8 * 3600
    session = Session.objects.get(session_key=client.session.session_key)
    assert timezone.now() + timedelta(hours=7, minutes=59) < session.expire_date <= timezone.now() + timedelta(hours=8)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(dashboard)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- one client, many usernames --------------------------------------------------------------------------

def test_one_client_cannot_try_passwords_on_every_account(client, settings, staff_a, approver_a, admin_a,
                                                         lockout_template):
    """Four wrong passwords on each of many accounts from one address: the address is locked at the higher
    threshold, for every username, the right password included; other addresses are not."""
    settings.AXES_IP_FAILURE_LIMIT = 8
    names = ["staff_a", "approver_a", "admin_a", "nobody-1", "nobody-2"]
    codes = []
    for name in names:
        for i in range(4):  # under the per-username limit of 5
            codes.append(client.post(reverse("login"), {"username": name, "password": f"wrong-{i}"},
                                     REMOTE_ADDR="203.0.113.7").status_code)
    assert codes[:7] == [200] * 7 and codes[7] == 429  # the eighth failure of the address locks it
    assert set(codes[8:]) == {429}
    locked = client.post(reverse("login"), {"username": "admin_a", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
    assert sign_in_from(client, PASSWORD, "192.0.2.50") == 302  # staff_a from elsewhere


def test_signing_in_to_ones_own_account_does_not_clear_the_failures_on_others(client, settings, staff_a,
                                                                             approver_a, lockout_template):
    settings.AXES_IP_FAILURE_LIMIT = 6
    address = {"REMOTE_ADDR": "203.0.113.8"}
    for name in ("approver_a", "approver_a", "approver_a", "nobody-1", "nobody-1"):
        assert client.post(reverse("login"), {"username": name, "password": "wrong"}, **address).status_code == 200
    assert client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD}, **address).status_code == 302
    client.logout()
    # the sixth failure of the address (a username never tried before) locks it
    assert client.post(reverse("login"), {"username": "nobody-2", "password": "wrong"}, **address).status_code == 429
