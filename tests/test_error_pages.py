"""The error pages (400, 403, 404, 500, CSRF failure) with DEBUG off: the site's layout, Thai, the status
code, and the ways back (home; the workspace when signed in, sign-in otherwise; both on the 500 page,
which is rendered without the request)."""
import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.helpers.urls_failing")]

# Latin words a Thai page may show: the brand and the language switch (lang="en").
ALLOWED_LATIN = {"ITA", "Portal", "English"}


def visible_text(html):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def ways_back(html):
    nav = re.search(r'<nav[^>]*id="ways-back".*?</nav>', html, re.S)
    assert nav, "no ways back"
    return {way: href for href, way in re.findall(r'href="([^"]+)" data-way-back="([^"]+)"', nav.group(0))}


def assert_thai_error_page(response, status, code, heading):
    assert response.status_code == status
    html = response.content.decode()
    assert 'lang="th"' in html
    assert 'href="/static/css/site.css"' in html and 'class="navbar-brand"' in html  # the site's layout
    assert f'data-error-page="{code}"' in html
    assert re.search(rf"<h1[^>]*>{re.escape(heading)}</h1>", html), heading
    assert f"<title>{heading}</title>" in html
    english = set(re.findall(r"[A-Za-z]{2,}", visible_text(html))) - ALLOWED_LATIN
    assert not english, f"English words on the {status} page: {sorted(english)}"
    return html


SIGNED_OUT = {"home": "/", "sign-in": "/accounts/login/"}
SIGNED_IN = {"home": "/", "workspace": "/w/"}


@override_settings(DEBUG=False)
def test_a_missing_page_is_a_thai_404_with_the_ways_back(staff_a):
    client = Client()
    html = assert_thai_error_page(client.get("/no-such-page/"), 404, "404", "ไม่พบหน้าที่ต้องการ")
    assert ways_back(html) == SIGNED_OUT
    client.force_login(staff_a)
    html = assert_thai_error_page(client.get("/o/no-such-organisation/"), 404, "404", "ไม่พบหน้าที่ต้องการ")
    assert ways_back(html) == SIGNED_IN
    # another organisation's workspace is a 404 too, in the same page
    html = assert_thai_error_page(client.get("/w/org-b/"), 404, "404", "ไม่พบหน้าที่ต้องการ")
    assert ways_back(html) == SIGNED_IN


@override_settings(DEBUG=False)
def test_a_forbidden_page_is_a_thai_403_with_the_ways_back(staff_a, org_a):
    client = Client()
    client.force_login(staff_a)
    html = assert_thai_error_page(client.get(reverse("orgs:settings", args=[org_a.slug])), 403, "403",
                                  "คุณไม่มีสิทธิ์เปิดหน้านี้")
    assert "ผู้ดูแลระบบของหน่วยงาน" in html  # whom to ask
    assert ways_back(html) == SIGNED_IN


@override_settings(DEBUG=False)
def test_a_post_without_csrf_token_gets_the_thai_csrf_page_and_nothing_happens(staff_a):
    client = Client(enforce_csrf_checks=True)
    html = assert_thai_error_page(
        client.post(reverse("login"), {"username": "staff_a", "password": "x"}), 403, "403-csrf",
        "ส่งแบบฟอร์มไม่สำเร็จ")
    assert "ไม่มีการบันทึกข้อมูลใด" in html
    assert ways_back(html) == SIGNED_OUT
    client.force_login(staff_a)
    html = assert_thai_error_page(client.post(reverse("logout")), 403, "403-csrf", "ส่งแบบฟอร์มไม่สำเร็จ")
    assert ways_back(html) == SIGNED_IN
    assert "_auth_user_id" in client.session  # still signed in: the sign-out form was refused


@override_settings(DEBUG=False)
def test_a_view_that_fails_gets_the_thai_500_page_rendered_without_the_request(staff_a):
    client = Client(raise_request_exception=False)
    client.force_login(staff_a)
    html = assert_thai_error_page(client.get("/test-only/broken/"), 500, "500", "เกิดข้อผิดพลาดในระบบ")
    assert ways_back(html) == {"home": "/", "workspace": "/w/", "sign-in": "/accounts/login/"}
    assert "staff_a" not in html and "csrfmiddlewaretoken" not in html  # nothing from the request


@override_settings(DEBUG=False)
def test_when_even_the_500_template_fails_a_fixed_thai_page_is_sent(monkeypatch):
    from django.template import TemplateDoesNotExist

    from core import error_pages

    def missing(name, *args, **kwargs):
        raise TemplateDoesNotExist(name)

    monkeypatch.setattr(error_pages.loader, "get_template", missing)
    response = Client(raise_request_exception=False).get("/test-only/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "เกิดข้อผิดพลาดในระบบ" in html and '<a href="/">กลับหน้าแรก</a>' in html


@override_settings(DEBUG=False)
def test_a_request_the_portal_refuses_to_read_is_a_thai_400(staff_a):
    client = Client()
    html = assert_thai_error_page(client.get("/test-only/suspicious/"), 400, "400", "ระบบอ่านข้อมูลที่ส่งมาไม่ได้")
    assert "data-bad-request" in html and "๑๐ เมกะไบต์" not in html  # not the "too large" explanation
    assert ways_back(html) == SIGNED_OUT


@override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"])
def test_an_unknown_host_is_a_thai_400_too():
    response = Client().get("/", HTTP_HOST="evil.example.com")
    assert_thai_error_page(response, 400, "400", "ระบบอ่านข้อมูลที่ส่งมาไม่ได้")


@override_settings(DEBUG=False)
def test_the_error_pages_follow_the_chosen_language():
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "<h1 class=\"h3\">Page not found</h1>" in response.text
