"""The site's icon (linked from every page, and at /favicon.ico, which browsers ask for on their own) and
`make run PORT=...`: the server, the printed links and the links in e-mails (SITE_URL) use that port."""
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

BASE_DIR = Path(settings.BASE_DIR)


def test_the_icon_is_a_static_windows_icon_with_the_usual_sizes():
    from PIL import Image

    found = finders.find("favicon.ico")
    assert found and Path(found).read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    with Image.open(found) as icon:
        assert {(16, 16), (32, 32), (48, 48)} <= set(icon.info["sizes"])
    assert finders.find("apple-touch-icon.png")


@pytest.mark.django_db
def test_favicon_ico_answers_with_the_static_icon_for_anyone(staff_a):
    for client in (Client(), Client()):
        response = client.get("/favicon.ico")
        assert response.status_code == 302
        assert response["Location"] == static("favicon.ico")
        assert "max-age=86400" in response["Cache-Control"] and "public" in response["Cache-Control"]
        client.force_login(staff_a)
    assert reverse("favicon") == "/favicon.ico"


@pytest.mark.django_db
def test_pages_link_the_icon(staff_a, org_a):
    client = Client()
    pages = [client.get(reverse("public:directory")), client.get(reverse("login"))]
    client.force_login(staff_a)
    pages.append(client.get(reverse("dashboard", args=[org_a.slug])))
    for page in pages:
        assert page.status_code == 200
        assert f'<link rel="icon" href="{static("favicon.ico")}"' in page.text
        assert f'<link rel="apple-touch-icon" href="{static("apple-touch-icon.png")}"' in page.text


def make_dry_run(*args):
    return subprocess.run(["make", "-n", *args], cwd=BASE_DIR, capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin"}).stdout


def test_make_run_on_another_port_serves_prints_and_links_to_that_port():
    lines = make_dry_run("run", "PORT=8101").splitlines()
    server = [line for line in lines if "manage.py runserver" in line]
    assert len(server) == 1 and server[0].endswith("runserver 127.0.0.1:8101")
    assert "SITE_URL=http://127.0.0.1:8101 " in server[0]  # links in e-mails sent by the server
    seed = [line for line in lines if "manage.py seed_demo" in line]
    assert len(seed) == 1 and "SITE_URL=http://127.0.0.1:8101 " in seed[0]  # the sign-in link it prints
    assert any("Serving on http://127.0.0.1:8101/" in line for line in lines)
    assert "8000" not in "\n".join(lines)


def test_make_run_defaults_to_port_8000():
    lines = make_dry_run("run").splitlines()
    assert any(line.endswith("runserver 127.0.0.1:8000") and "SITE_URL=http://127.0.0.1:8000 " in line
               for line in lines)
