"""The import page (paste or upload → preview → confirm) and `import_measures`; in Chromium too."""
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext
from playwright.sync_api import expect

from measures.models import Measure
from reports.models import Document

from .helpers.files import HEADINGS_A, measures_docx_bytes

FY = 2569
TABLE = "\n".join([
    HEADINGS_A,
    "มาตรการเผยแพร่ข้อมูลข่าวสาร\t๑. จัดทำประกาศ\tสำนักปลัด\tตุลาคม ๒๕๖๘\tประกาศแล้ว\tประชาชนรับทราบ",
    "\t๒. เผยแพร่ทางเว็บไซต์\t\t\t\t",
    "มาตรการรับเรื่องร้องเรียน\t๑. เปิดช่องทางออนไลน์\tกองคลัง\tตลอดปี\t\t",
])
TITLES = ["มาตรการเผยแพร่ข้อมูลข่าวสาร", "มาตรการรับเรื่องร้องเรียน"]


def url(org):
    return reverse("measures:import", args=[org.slug, FY])


def test_paste_preview_saves_nothing_then_confirm_creates_the_measures(client, org_a, staff_a):
    client.force_login(staff_a)
    assert client.get(url(org_a)).status_code == 200
    preview = client.post(url(org_a), {"step": "preview", "text": TABLE, "round": ""})
    html = preview.content.decode()
    assert preview.status_code == 200 and "data-import-preview" in html
    assert all(title in html for title in TITLES) and "เผยแพร่ทางเว็บไซต์" in html  # the continuation row
    assert not Measure.objects.filter(organisation=org_a).exists()

    done = client.post(url(org_a), {"step": "confirm", "text": TABLE, "round": ""})
    assert done.status_code == 302 and done["Location"] == reverse("measures:list", args=[org_a.slug, FY])
    measures = list(Measure.objects.filter(organisation=org_a, fiscal_year=FY).order_by("order"))
    assert [m.title for m in measures] == TITLES
    assert [s.text for s in measures[0].steps.order_by("order")] == ["จัดทำประกาศ", "เผยแพร่ทางเว็บไซต์"]
    page = client.get(done["Location"]).content.decode()
    assert all(title in page for title in TITLES)


def test_with_a_round_the_progress_report_gets_the_results(client, org_a, staff_a):
    client.force_login(staff_a)
    client.post(url(org_a), {"step": "confirm", "text": TABLE, "round": "6"})
    report = Document.objects.get(organisation=org_a, fiscal_year=FY, kind="progress", round=6)
    outputs = {e.measure.title: e.output for e in report.entries.select_related("measure")}
    assert outputs[TITLES[0]] == "ประกาศแล้ว" and outputs[TITLES[1]] == ""


def test_an_uploaded_docx_is_kept_between_preview_and_confirm_then_removed(client, org_a, staff_a, settings,
                                                                          tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_a)
    upload = SimpleUploadedFile("measures.docx", measures_docx_bytes())
    preview = client.post(url(org_a), {"step": "preview", "file": upload, "round": ""})
    html = preview.content.decode()
    assert preview.status_code == 200 and "จัดทำสื่อ" in html
    token = re.search(r'name="stored" value="([^"]+)"', html).group(1)
    kept = list((tmp_path / "imports" / str(org_a.pk)).iterdir())
    assert len(kept) == 1 and not Measure.objects.filter(organisation=org_a).exists()
    done = client.post(url(org_a), {"step": "confirm", "stored": token, "round": ""})
    assert done.status_code == 302
    assert Measure.objects.filter(organisation=org_a, fiscal_year=FY).count() == 2
    assert not kept[0].exists()  # the kept upload is deleted after the import


def test_a_forged_or_foreign_stored_file_is_refused(client, org_a, org_b, staff_a, staff_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_b)
    preview = client.post(url(org_b), {"step": "preview", "file": SimpleUploadedFile("m.docx", measures_docx_bytes())})
    token = re.search(r'name="stored" value="([^"]+)"', preview.content.decode()).group(1)
    client.force_login(staff_a)
    for stored in (token, "forged"):  # org B's file named in org A's form; a made-up value
        response = client.post(url(org_a), {"step": "confirm", "stored": stored})
        assert response.status_code == 400
        assert gettext("The uploaded file has expired; choose it again.") in response.content.decode()
    assert not Measure.objects.exists()


def test_bad_input_gets_a_clear_error_and_keeps_the_text(client, org_a, staff_a):
    client.force_login(staff_a)
    empty = client.post(url(org_a), {"step": "preview", "text": "  "})
    assert empty.status_code == 400 and gettext("Paste a table or choose a file.") in empty.content.decode()
    no_heading = "ข้อความธรรมดา\tที่ไม่มีหัวตาราง\nอีกบรรทัด\tหนึ่ง"
    response = client.post(url(org_a), {"step": "preview", "text": no_heading})
    html = response.content.decode()
    assert response.status_code == 400 and "data-import-error" in html and "ที่ไม่มีหัวตาราง" in html
    assert not Measure.objects.exists()


def test_another_organisation_and_anonymous(client, org_a, staff_b):
    assert client.get(url(org_a)).status_code == 302
    client.force_login(staff_b)
    assert client.get(url(org_a)).status_code == 404
    assert client.post(url(org_a), {"step": "confirm", "text": TABLE}).status_code == 404
    assert not Measure.objects.exists()


def test_import_measures_command_dry_run_and_import(org_a, staff_a, tmp_path):
    path = tmp_path / "table.txt"
    path.write_text(TABLE, encoding="utf-8")
    out = io.StringIO()
    call_command("import_measures", org_a.slug, str(FY), str(path), "--dry-run", stdout=out)
    assert "2 measures found" in out.getvalue() and not Measure.objects.exists()
    call_command("import_measures", org_a.slug, str(FY), str(path), "--round", "6", "--user", "staff_a",
                 stdout=out)
    assert [m.title for m in Measure.objects.filter(organisation=org_a).order_by("order")] == TITLES
    assert Document.objects.filter(organisation=org_a, round=6).count() == 1
    with pytest.raises(CommandError):
        call_command("import_measures", "nowhere", str(FY), str(path))


@pytest.mark.django_db(transaction=True)
def test_staff_paste_preview_confirm_in_chromium(page, live_server, org_a, staff_a):
    page.goto(f"{live_server.url}{reverse('login')}?next={url(org_a)}")
    page.fill("input[name=username]", "staff_a")
    page.fill("input[name=password]", "pw-for-tests")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(re.escape(url(org_a)) + "$"))
    page.fill("textarea[name=text]", TABLE)
    page.click("[data-preview-button]")
    # The preview is a new page (a form POST): web-first assertions wait for it; count() would read the old one.
    expect(page.locator("[data-preview-measure]")).to_have_count(2)
    preview = page.locator("[data-import-preview]")
    for title in TITLES:
        expect(preview.get_by_text(title).first).to_be_visible()
    page.click("[data-confirm]")
    page.wait_for_url(re.compile(re.escape(reverse("measures:list", args=[org_a.slug, FY])) + "$"))
    for title in TITLES:
        assert page.get_by_text(title).count() >= 1
    assert Measure.objects.filter(organisation=org_a, fiscal_year=FY).count() == 2
