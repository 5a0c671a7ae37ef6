"""/w/catalogue/: an installation administrator uploads catalogue files, sees what changes, applies them
atomically; measures that point at an item that goes are re-pointed or the item is kept, retired."""
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ita.catalogue_loader import load_catalogue
from ita.models import AssessmentResult, AssessmentYear, Indicator, OITItem, OITItemScore, ToolWeight

from .helpers.catalogue_files import as_bytes, as_zip, only_years, shipped
from .factories import MeasureFactory

pytestmark = pytest.mark.django_db
URL = "/w/catalogue/"


def text(response) -> str:
    return response.content.decode()


def upload(client, files, name="catalogue.zip"):
    return client.post(URL, {"step": "preview", "files": SimpleUploadedFile(name, as_zip(files))})


def stored_token(response) -> str:
    return re.search(r'name="stored" value="([^"]+)"', text(response)).group(1)


def apply(client, token):
    return client.post(URL, {"step": "apply", "stored": token})


def counts():
    return (AssessmentYear.objects.count(), OITItem.objects.count(), Indicator.objects.count(),
            ToolWeight.objects.count())


@pytest.fixture
def real_2570():
    """What an administrator uploads when the 2570 manual is out: 2570 no longer provisional, O5
    renumbered as O5.1 (same number 5), O23 and O24 gone, O26 renamed, weights 25/35/40."""
    files = only_years(shipped(), 2570)
    files["years.csv"][0].update(provisional="0", based_on="", notes="คู่มือ ITA 2570")
    items = []
    for row in files["oit_items.csv"]:
        if row["code"] in ("O23", "O24"):
            continue
        row = dict(row, source_note="คู่มือ ITA 2570")
        if row["code"] == "O5":
            row["code"] = "O5.1"
        if row["code"] == "O26":
            row["title"] = "รายงานผลการส่งเสริมคุณธรรมและความโปร่งใสของหน่วยงาน"
        items.append(row)
    files["oit_items.csv"] = items
    for row in files["tool_weights.csv"]:
        row["weight"] = {"IIT": "25", "EIT": "35", "OIT": "40"}[row["tool"]]
    return files


def test_a_superuser_loads_the_shipped_catalogue_from_a_zip_after_a_preview(admin_client):
    assert AssessmentYear.objects.count() == 0
    preview = upload(admin_client, shipped())
    assert preview.status_code == 200
    page = text(preview)
    assert "data-catalogue-preview" in page and 'data-preview-year="2570"' in page
    assert "ชุดชั่วคราว (คัดลอกจาก ๒๕๖๙)" in page  # 2570 will be provisional
    assert AssessmentYear.objects.count() == 0  # nothing saved by the preview

    done = apply(admin_client, stored_token(preview))
    assert done.status_code == 302 and done["Location"] == URL
    year = AssessmentYear.objects.get(year=2570)
    assert year.provisional and year.based_on == 2569 and year.oit_items.count() == 26
    listing = text(admin_client.get(URL))
    assert "โหลดชุดตัวชี้วัดของปี" in listing  # the success message
    assert re.search(r'data-year="2570">.*?ชุดชั่วคราว', listing, re.S)

    again = upload(admin_client, shipped())  # idempotent: the same files change nothing
    assert text(again).count("data-no-change") == 6
    before = counts()
    apply(admin_client, stored_token(again))
    assert counts() == before
    assert "เป็นปัจจุบันอยู่แล้ว" in text(admin_client.get(URL))


def test_replacing_the_provisional_2570_previews_and_keeps_every_reference(admin_client, org_a, org_b, real_2570):
    load_catalogue()
    o5, o24, o23 = (OITItem.objects.get(year__year=2570, code=c) for c in ("O5", "O24", "O23"))
    plan = MeasureFactory(organisation=org_a, fiscal_year=2571, title="เผยแพร่แผนพัฒนาบนเว็บไซต์")
    plan.oit_items.add(o5)
    report = MeasureFactory(organisation=org_a, fiscal_year=2571, title="รายงานผลการป้องกันการทุจริตทุกไตรมาส")
    report.oit_items.add(o24)
    result = AssessmentResult.objects.create(organisation=org_a, year=o24.year, total_score=Decimal("90"))
    OITItemScore.objects.create(result=result, item=o24, score=0)

    preview = upload(admin_client, real_2570)
    page = text(preview)
    card = re.search(r'data-preview-year="2570".*?</div></div>', page, re.S).group(0)
    assert "data-replaces-provisional" in card
    removed = re.search(r'data-removed-item="O24".*?</li>\s*</ul>?', card, re.S).group(0)
    assert "เทศบาลตำบลเอ" in removed and "ปีงบประมาณ ๒๕๗๑" in removed
    assert "รายงานผลการป้องกันการทุจริตทุกไตรมาส" in removed and "เก็บไว้เป็นข้อที่เลิกใช้" in removed
    assert re.search(r'data-removed-item="O5".*?ย้ายไปที่ O5\.1.*?เผยแพร่แผนพัฒนาบนเว็บไซต์', card, re.S)
    assert re.search(r'data-removed-item="O23".*?จะลบ', card, re.S)
    assert re.search(r'data-renamed-item="O26"', card)
    assert "IIT: ๓๐.๐๐ → ๒๕.๐๐" in card

    assert apply(admin_client, stored_token(preview)).status_code == 302
    year = AssessmentYear.objects.get(year=2570)
    assert not year.provisional and year.based_on is None
    new_o5 = OITItem.objects.get(year=year, code="O5.1")
    assert list(plan.oit_items.all()) == [new_o5]  # re-pointed to the item of the same number
    assert not OITItem.objects.filter(pk=o5.pk).exists()
    o24.refresh_from_db()
    assert o24.retired and list(report.oit_items.all()) == [o24]  # kept, never deleted with its references
    assert OITItemScore.objects.filter(item=o24).exists()
    assert not OITItem.objects.filter(pk=o23.pk).exists()  # nothing pointed at it
    assert OITItem.objects.get(year=year, code="O26").title == "รายงานผลการส่งเสริมคุณธรรมและความโปร่งใสของหน่วยงาน"
    assert {w.tool.code: w.weight for w in year.tool_weights.all()} == {"IIT": 25, "EIT": 35, "OIT": 40}
    assert OITItem.objects.filter(year__year=2569).count() == 26  # other years untouched
    # the retired item is no longer offered to new measures, the replacement is
    form_page = admin_client.get(reverse("measures:create", args=["org-a", 2571])).content.decode()
    assert "O5.1" in form_page and f'value="{o24.pk}"' not in form_page
    # the result that scored the retired item keeps it in its form; a new result no longer offers it
    assert 'data-oit="O24"' in admin_client.get(reverse("ita:result_edit", args=["org-a", 2570])).content.decode()
    new_result = admin_client.get(reverse("ita:result_create", args=[org_b.slug, 2570])).content.decode()
    assert 'data-oit="O5.1"' in new_result and 'data-oit="O24"' not in new_result


def test_the_command_applies_the_same_changes(tmp_path, org_a, real_2570):
    from django.core.management import call_command

    from .helpers.catalogue_files import write_dir

    load_catalogue()
    o24 = OITItem.objects.get(year__year=2570, code="O24")
    MeasureFactory(organisation=org_a, fiscal_year=2571).oit_items.add(o24)
    call_command("load_ita_catalogue", str(write_dir(tmp_path / "2570", real_2570)), stdout=__import__("io").StringIO())
    o24.refresh_from_db()
    assert o24.retired and not AssessmentYear.objects.get(year=2570).provisional


@pytest.mark.parametrize("edit, file, problem", [
    (lambda f: f["oit_items.csv"][3].update(sub_indicator="9.9"), "oit_items.csv", "9.9"),
    (lambda f: f["oit_items.csv"][5].update(portal_document="report"), "oit_items.csv", "report"),
    (lambda f: f["oit_items.csv"][5].update(portal_document_fy_offset="-3"), "oit_items.csv", "-3"),
    (lambda f: f["indicators.csv"][2].update(number="สาม"), "indicators.csv", "สาม"),
    (lambda f: f["tool_weights.csv"][0].update(weight="50"), "tool_weights.csv", "๒๕๖๙"),
    (lambda f: f["years.csv"][0].update(provisional="1", based_on=""), "years.csv", "based_on"),
])
def test_a_bad_row_is_refused_in_thai_with_file_and_row_and_nothing_is_applied(admin_client, edit, file, problem):
    load_catalogue()
    before = counts()
    files = only_years(shipped(), 2569)
    edit(files)
    response = upload(admin_client, files)
    assert response.status_code == 400
    error = re.search(r"data-catalogue-error>(.*?)</div>", text(response), re.S).group(1)
    assert file in error and problem in error.replace("&quot;", '"')
    if file != "tool_weights.csv":
        assert "แถวที่ " in error
    assert "data-catalogue-preview" not in text(response)
    assert counts() == before


def test_missing_files_and_foreign_files_are_refused(admin_client):
    files = as_bytes(shipped())
    del files["oit_items.csv"]
    response = admin_client.post(URL, {"step": "preview", "files": SimpleUploadedFile("c.zip", as_zip(files))})
    assert response.status_code == 400 and "ไม่พบไฟล์ oit_items.csv" in text(response)
    response = admin_client.post(URL, {"step": "preview", "files": SimpleUploadedFile("c.zip", b"not a zip")})
    assert response.status_code == 400 and "ไม่ใช่ไฟล์ zip" in text(response)
    files = as_bytes(shipped())
    files["years.csv"] = "year,scale,notes\n2570,new,ปี\n".encode("cp874")  # not UTF-8
    response = admin_client.post(URL, {"step": "preview", "files": SimpleUploadedFile("c.zip", as_zip(files))})
    assert response.status_code == 400 and "years.csv" in text(response) and "UTF-8" in text(response)
    assert AssessmentYear.objects.count() == 0


def test_the_six_csv_files_may_be_uploaded_without_a_zip(admin_client):
    files = as_bytes(only_years(shipped(), 2569))
    response = admin_client.post(URL, {"step": "preview",
                                       "files": [SimpleUploadedFile(n, c) for n, c in files.items()]})
    assert response.status_code == 200 and 'data-preview-year="2569"' in text(response)
    apply(admin_client, stored_token(response))
    assert AssessmentYear.objects.get(year=2569).oit_items.count() == 26


def test_the_apply_checks_the_stored_files_again(admin_client):
    from django.core import signing
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    files = only_years(shipped(), 2569)
    preview = upload(admin_client, files)
    token = stored_token(preview)
    name = signing.loads(token, salt="ita.catalogue-upload")["name"]
    files["oit_items.csv"][0]["indicator"] = "42"  # the stored files changed after the preview
    default_storage.delete(name)
    default_storage.save(name, ContentFile(as_zip(files)))
    response = apply(admin_client, token)
    assert response.status_code == 400 and "oit_items.csv แถวที่ ๒:" in text(response)
    assert AssessmentYear.objects.count() == 0

    forged = apply(admin_client, token[:-3] + "abc")
    assert forged.status_code == 400 and "หมดอายุ" in text(forged)


def test_organisation_members_cannot_preview_or_apply(client, admin_a, admin_client):
    preview = upload(admin_client, only_years(shipped(), 2569))
    client.force_login(admin_a)  # an organisation admin is not an installation administrator
    assert upload(client, only_years(shipped(), 2569)).status_code == 404
    assert apply(client, stored_token(preview)).status_code == 404
    assert AssessmentYear.objects.count() == 0


def test_a_year_downloads_as_a_zip_that_uploads_back_without_change(admin_client, client, admin_a):
    load_catalogue()
    response = admin_client.get(URL, {"download": "2570"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="ita-catalogue-2570.zip"' in response["Content-Disposition"]
    assert 'href="?download=2570"' in text(admin_client.get(URL))
    again = admin_client.post(URL, {"step": "preview", "files": SimpleUploadedFile("2570.zip", response.content)})
    assert again.status_code == 200
    assert re.findall(r'data-preview-year="(\d+)"', text(again)) == ["2570"]
    assert text(again).count("data-no-change") == 1  # the exported files are exactly what is loaded
    assert admin_client.get(URL, {"download": "2590"}).status_code == 404
    client.force_login(admin_a)
    assert client.get(URL, {"download": "2570"}).status_code == 404
