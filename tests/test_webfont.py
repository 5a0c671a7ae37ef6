"""Pages bring their own Thai font: Sarabun from the pinned fontpkg-sarabun package, served as static
files, so a machine without any Thai font still shows Thai text (not boxes)."""
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

FACES = ("Sarabun-Regular.ttf", "Sarabun-Medium.ttf", "Sarabun-Bold.ttf", "Sarabun-Italic.ttf")


def test_the_sarabun_files_are_static_files_and_site_css_declares_them():
    css = Path(finders.find("css/site.css")).read_text()
    for face in FACES:
        found = finders.find(f"fonts/sarabun/{face}")
        assert found and Path(found).read_bytes()[:4] == b"\x00\x01\x00\x00"  # a TrueType file
        assert f"url('../fonts/sarabun/{face}')" in css


@pytest.mark.django_db(transaction=True)
def test_the_sign_in_page_draws_thai_with_sarabun_in_chromium(page, live_server):
    page.goto(f"{live_server.url}{reverse('login')}")
    loaded = page.evaluate("""async () => {
        await document.fonts.ready;
        await document.fonts.load('16px Sarabun', 'ก');
        return [...document.fonts].filter(f => f.family.replace(/["']/g, '') === 'Sarabun' && f.status === 'loaded')
            .map(f => f.weight);
    }""")
    assert "400" in loaded
    assert page.evaluate("document.fonts.check('16px Sarabun', 'เข้าสู่ระบบ')")
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.split(",")[0].strip("\"' ") == "Sarabun"


def test_collectstatic_for_production_hashes_the_fonts_and_rewrites_site_css(settings, tmp_path):
    """What a production deploy runs (whitenoise's manifest storage, compression included) on the project's
    own static files (static/ and the Sarabun files): every reference resolves. The apps' files (the
    admin's, htmx's) are left out: they are theirs, and compressing them took half of this test's time."""
    import json

    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    css = (tmp_path / manifest["css/site.css"]).read_text()
    regular = manifest["fonts/sarabun/Sarabun-Regular.ttf"]
    assert regular != "fonts/sarabun/Sarabun-Regular.ttf" and (tmp_path / regular).is_file()
    assert regular.split("/")[-1] in css
    assert (tmp_path / f"{regular}.br").is_file() and (tmp_path / f"{regular}.gz").is_file()  # served compressed
