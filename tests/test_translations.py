"""Thai first: every msgid the code and templates use has a Thai translation in locale/th."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "th" / "LC_MESSAGES" / "django.po"
# Every project app (a folder with apps.py), the settings package and the site templates.
SOURCE_DIRS = sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").is_file()) + ["ita_portal", "templates"]


def po_entries(text):
    """{msgid: msgstr} of a .po file (plural forms by their singular msgid), skipping the header."""
    entries = {}
    for block in re.split(r"\n\s*\n", text):
        if "#, fuzzy" in block and 'msgid ""\nmsgstr ""' not in block:
            fuzzy = True
        else:
            fuzzy = False
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not msgid:
            continue
        key = "".join(re.findall(r'"(.*)"', msgid.group(1)))
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        value = ["".join(re.findall(r'"(.*)"', s)) for s in strs]
        if key:
            entries[key] = "" if fuzzy or not all(value) else value[0]
    return entries


@pytest.fixture(scope="module")
def fresh_po(tmp_path_factory):
    """Run makemessages on a copy of the sources, so the check sees what the code uses today."""
    work = tmp_path_factory.mktemp("src")
    for name in SOURCE_DIRS + ["manage.py"]:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, work / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
        elif src.exists():
            shutil.copy(src, work / name)
    (work / "locale" / "th" / "LC_MESSAGES").mkdir(parents=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "th", "-v", "0"],
        cwd=work, check=True, env={"DJANGO_SETTINGS_MODULE": "ita_portal.settings_test",
                                   "PATH": "/usr/bin:/bin", "PYTHAINLP_READ_ONLY": "1"},
    )
    return po_entries((work / "locale" / "th" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))


def test_every_used_msgid_is_translated(fresh_po):
    committed = po_entries(PO.read_text(encoding="utf-8"))
    missing = sorted(msgid for msgid in fresh_po if not committed.get(msgid))
    assert not missing, f"{len(missing)} msgids without a Thai translation, e.g. {missing[:10]}"


def test_translations_are_thai(fresh_po):
    committed = po_entries(PO.read_text(encoding="utf-8"))
    # A translation made only of Latin letters is a copy of the English, except codes and names.
    allowed_latin = re.compile(r"^[A-Z0-9 .:/()%–—-]*$|ITA|IIT|EIT|OIT|PDF|OIT|E-Service|DOCX|XLSX")
    suspicious = [m for m in fresh_po if committed.get(m) and not re.search(r"[\u0E00-\u0E7F]", committed[m])
                  and not allowed_latin.search(committed[m])]
    assert not suspicious, f"translations without Thai text: {suspicious[:10]}"


@pytest.mark.django_db
def test_pages_render_in_thai_by_default_and_english_on_request(staff_a, org_a):
    client = Client()
    client.force_login(staff_a)
    page = client.get(reverse("dashboard", args=[org_a.slug])).text
    assert 'lang="th"' in page and "ภาพรวม" in page
    with translation.override("en"):
        client.post(reverse("set_language"), {"language": "en"})
        english = client.get(reverse("dashboard", args=[org_a.slug]), HTTP_ACCEPT_LANGUAGE="en").text
    assert 'lang="en"' in english and "Dashboard" in english


@pytest.mark.django_db
def test_browser_language_does_not_override_thai(staff_a, org_a):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(staff_a)
    page = client.get(reverse("dashboard", args=[org_a.slug]))
    assert 'lang="th"' in page.text and "ภาพรวม" in page.text
    assert page["Content-Language"] == "th"
