"""Production settings (`check --deploy` is clean; HTTPS, HSTS and secure cookies outside DEBUG; plain HTTP
with DEBUG), the Content-Security-Policy on every response, no inline scripts in the templates, and
/healthz for the load balancer."""
import json
import re
import secrets
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.db import OperationalError, connections
from django.urls import reverse

from .factories import MeasureFactory
from .helpers.builders import make_report
from .helpers.settings_process import run_with_settings

BASE_DIR = Path(django_settings.BASE_DIR)
SECURITY_SWITCHES = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
                     "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE",
                     "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER")
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "ita.example.org"}


def run(args, **env):
    """A fresh Python with the real settings and only the given switches set (check --deploy refuses the
    test runner's DJANGO_ALLOW_ASYNC_UNSAFE, which the helper drops too)."""
    return run_with_settings(args, drop=SECURITY_SWITCHES, **env)


SHOW_SETTINGS = """
import django; django.setup()
from django.conf import settings as s
print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD,
      s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_PROXY_SSL_HEADER,
      s.X_FRAME_OPTIONS, s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)
"""


# --- settings --------------------------------------------------------------------------------------

def test_check_deploy_gives_no_warnings_with_production_environment():
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "?: (security." not in output
    assert "System check identified no issues" in output


def test_check_deploy_notices_a_switched_off_https_redirect():
    done = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION,
               SECURE_SSL_REDIRECT="false")
    assert done.returncode != 0
    assert "?: (security.W008)" in done.stderr + done.stdout


def test_without_debug_secure_defaults_apply_and_env_switches_them_off():
    done = run(["-c", SHOW_SETTINGS], **PRODUCTION)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "31536000", "True", "True", "True", "True", "True", "None",
                                   "DENY", "28800", "True"]

    done = run(["-c", SHOW_SETTINGS], **PRODUCTION, SECURE_SSL_REDIRECT="false", SESSION_COOKIE_SECURE="false",
               CSRF_COOKIE_SECURE="false", SECURE_HSTS_SECONDS="0", SECURE_HSTS_PRELOAD="false",
               SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[:8] == ["False", "0", "True", "False", "False", "False", "True",
                                       "('HTTP_X_FORWARDED_PROTO',"]


def test_debug_runs_over_plain_http():
    done = run(["-c", SHOW_SETTINGS], DEBUG="true")
    assert done.returncode == 0, done.stderr
    values = done.stdout.split()
    assert values[:2] == ["False", "0"]  # no redirect to https, no HSTS
    assert values[4:6] == ["False", "False"]  # cookies also over http


def test_without_debug_a_missing_secret_key_fails_loudly():
    done = run(["-c", "import django; django.setup()"], DEBUG="false", ALLOWED_HOSTS="ita.example.org")
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr


@pytest.mark.parametrize("key", ["x", "short-but-random-Zq81", "a" * 80, "ab" * 40,
                                 "django-insecure-" + secrets.token_urlsafe(60)],
                         # fixed names: parallel workers (pytest-xdist) must collect the same tests
                         ids=["one-character", "short", "one-letter", "two-letters", "django-insecure-random"])
def test_without_debug_a_weak_secret_key_refuses_to_start(key):
    done = run(["-c", "import django; django.setup()"], **{**PRODUCTION, "SECRET_KEY": key})
    assert done.returncode != 0
    assert "SECRET_KEY is too weak" in done.stderr and "50 random characters" in done.stderr


def test_with_debug_the_dev_key_still_runs_and_a_strong_key_runs_without_debug():
    assert run(["-c", "import django; django.setup()"], DEBUG="true").returncode == 0
    done = run(["-c", "import django; django.setup()"], **PRODUCTION)
    assert done.returncode == 0, done.stderr


MEDIA_REQUESTS = """
import json, django; django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
print(json.dumps({path: client.get(path).status_code for path in
                  ["/media/emblems/e.png", "/media/evidence/1/secret.pdf", "/media/published/1/doc.pdf",
                   "/media/emblems/../evidence/1/secret.pdf"]}))
"""


def test_debug_serves_only_the_emblems_from_media(tmp_path):
    """With DEBUG (make run) /media/ is not a way around the views that check access: evidence files
    and stored PDFs are not served from it; the public emblems are."""
    for name in ("emblems/e.png", "evidence/1/secret.pdf", "published/1/doc.pdf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"content of " + name.encode())
    done = run(["-c", MEDIA_REQUESTS], DEBUG="true", MEDIA_ROOT=str(tmp_path))
    assert done.returncode == 0, done.stderr
    statuses = json.loads(done.stdout.strip().splitlines()[-1])
    assert statuses.pop("/media/emblems/../evidence/1/secret.pdf") in (400, 404)
    assert statuses == {"/media/emblems/e.png": 200, "/media/evidence/1/secret.pdf": 404,
                        "/media/published/1/doc.pdf": 404}


REQUESTS = """
import json, django; django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(HTTP_HOST="ita.example.org")
out = {}
r = client.get("/accounts/login/")
out["plain"] = [r.status_code, r.get("Location")]
r = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
out["proxied"] = [r.status_code, r.get("Strict-Transport-Security")]
r = client.get("/healthz")
out["healthz"] = [r.status_code, r.json(), r.get("Strict-Transport-Security")]
print(json.dumps(out))
"""


def test_production_redirects_to_https_behind_the_proxy_and_lets_the_health_check_through(tmp_path):
    done = run(["-c", REQUESTS], **PRODUCTION, SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media"))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["plain"] == [301, "https://ita.example.org/accounts/login/"]
    assert out["proxied"] == [200, "max-age=31536000; includeSubDomains; preload"]
    assert out["healthz"] == [200, {"database": "ok", "storage": "ok"}, None]  # plain HTTP from the balancer


# --- Content-Security-Policy -----------------------------------------------------------------------

def directives(response):
    policy = response["Content-Security-Policy"]
    return dict(part.strip().partition(" ")[::2] for part in policy.split(";"))


@pytest.mark.django_db
def test_every_page_has_a_policy_without_inline_scripts(client, org_a):
    for url in ("/", reverse("public:organisation", args=[org_a.slug]), reverse("login"), "/no-such-page/"):
        response = client.get(url)
        assert response.status_code in (200, 404)
        policy = directives(response)
        assert policy == {
            "default-src": "'self'", "img-src": "'self' data:", "style-src": "'self' 'unsafe-inline'",
            "script-src": "'self'", "font-src": "'self'", "frame-ancestors": "'none'", "base-uri": "'self'",
            "form-action": "'self'", "object-src": "'none'",
        }, url
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_image_origins_of_an_object_store_can_be_added(client, settings):
    settings.CSP_IMG_SRC = ["https://media.example.org"]
    assert directives(client.get("/"))["img-src"] == "'self' data: https://media.example.org"


@pytest.mark.django_db
def test_embed_keeps_its_own_frame_ancestors(client, org_a):
    response = client.get(reverse("public:embed", args=[org_a.slug]))
    assert response.status_code == 200
    policy = directives(response)
    assert policy["frame-ancestors"] == "*"
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
    assert response["Content-Security-Policy"].count("frame-ancestors") == 1


@pytest.mark.django_db
def test_document_preview_may_be_framed_by_the_portal_only(client, staff_a, staff_b, org_a):
    document = make_report(org_a, 1, layout="A")
    url = reverse("reports:preview", args=[org_a.slug, document.pk])
    client.force_login(staff_a)
    response = client.get(url)
    assert response.status_code == 200 and response["X-Frame-Options"] == "SAMEORIGIN"
    assert directives(response)["frame-ancestors"] == "'self'"
    assert directives(response)["script-src"] == "'self'"
    # Reloaded in the frame: the 304 must not replace the stored policy with one that forbids framing.
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert "Content-Security-Policy" not in again

    client.force_login(staff_b)  # another organisation's document
    response = client.get(url)
    assert response.status_code == 404
    assert directives(response)["frame-ancestors"] == "'none'"


def template_files():
    return sorted([*BASE_DIR.glob("templates/**/*.html"), *BASE_DIR.glob("*/templates/**/*.html")])


def test_templates_have_no_inline_scripts_or_event_handler_attributes():
    files = template_files()
    assert len(files) > 20
    inline = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
            if "src=" not in tag and 'type="application/json"' not in tag:
                inline.append(f"{path}: {tag}")
        inline += [f"{path}: {m}" for m in re.findall(r"<[a-z][^>]*\son[a-z]+\s*=", text, flags=re.I)]
        inline += [f"{path}: javascript: URL" for _ in re.findall(r"javascript:", text, flags=re.I)]
    assert inline == []


@pytest.mark.browser
def test_moved_scripts_work_under_the_policy_in_chromium(page, live_server, staff_a, org_a):
    """Chromium enforces the policy: the year picker and the "new document" form still behave, and no
    page reports a violation."""
    MeasureFactory(organisation=org_a, fiscal_year=2567, title="มาตรการปีก่อน")
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    list_2567 = reverse("measures:list", args=[org_a.slug, 2567])
    page.goto(f"{live_server.url}{reverse('login')}?next={list_2567}")
    page.fill("input[name=username]", "staff_a")
    page.fill("input[name=password]", "pw-for-tests")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(re.escape(list_2567) + "$"))

    other_year = page.locator("#year-picker option:not([selected])").first.get_attribute("value")
    page.select_option("#year-picker", other_year)
    page.wait_for_url(re.compile(re.escape(other_year) + "$"))

    page.goto(f"{live_server.url}{reverse('reports:index', args=[org_a.slug])}")
    round_field = page.locator("[data-round-field]")
    page.select_option("[data-kind-select]", "progress")
    assert round_field.is_visible()
    page.select_option("[data-kind-select]", "analysis")
    assert round_field.is_hidden()
    assert violations == []


# --- /healthz --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_healthz_ok_without_sign_in(client, media):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "storage": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response and "Set-Cookie" not in response
    assert list((media / "healthz").iterdir()) == []  # the probe file is gone
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_503_when_the_storage_fails(client, media, monkeypatch):
    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(default_storage, "save", broken_save)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "storage": "error"}
    assert response["Cache-Control"] == "no-store"
    assert "disk full" not in response.text


@pytest.mark.django_db
def test_healthz_503_when_the_storage_reads_back_something_else(client, media, monkeypatch):
    real_open = default_storage.open

    def corrupt_open(name, mode="rb"):
        handle = real_open(name, mode)
        handle.read = lambda *a: b"something else"
        return handle

    monkeypatch.setattr(default_storage, "open", corrupt_open)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "storage": "error"}
    assert list((media / "healthz").iterdir()) == []


@pytest.mark.django_db
def test_healthz_503_when_the_database_fails(client, media):
    def broken_cursor(self, *args, **kwargs):
        raise OperationalError("connection refused")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(connections["default"]), "cursor", broken_cursor)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "error", "storage": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert "connection refused" not in response.text
