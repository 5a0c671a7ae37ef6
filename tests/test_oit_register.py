"""The OIT register (issue 17): one row per OIT item of the year, answers added one by one or pasted,
files hosted here, confirmation by an approver before the public ITAS page shows it, carry-forward of
last year's links, export for ITAS; tenant isolation."""
import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ita.models import OITItem
from oit import services
from oit.models import Answer, AnswerKind, Register, RegisterEvent, RegisterStatus, Row
from reports.models import DocumentKind

from .helpers.workflow import published

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]
YEAR = 2569
PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def register_url(org, year=YEAR):
    return reverse("oit:register", args=[org.slug, year])


def row_of(org, code, year=YEAR):
    return services.open_register(org, year).rows.get(code=code)


def test_one_row_per_item_of_the_years_catalogue_and_opening_twice_adds_nothing(org_a):
    register = services.open_register(org_a, YEAR)
    expected = list(OITItem.objects.filter(year__year=YEAR, retired=False).order_by("number")
                    .values_list("code", flat=True))
    assert len(expected) == 26
    assert list(register.rows.values_list("code", flat=True)) == expected
    services.open_register(org_a, YEAR)
    assert register.rows.count() == 26 and Register.objects.count() == 1


def test_the_register_page_lists_every_item_with_its_state_and_readiness(client, staff_a, org_a,
                                                                         django_assert_max_num_queries):
    client.force_login(staff_a)
    services.add_link(row_of(org_a, "O1"), url="https://www.example.go.th/structure", actor=staff_a)
    with django_assert_max_num_queries(25):
        page = client.get(register_url(org_a))
    assert page.status_code == 200
    text = page.text
    for code in ("O1", "O13", "O26"):
        assert f'data-row="{code}"' in text
    assert 'data-row="O1" data-state="answered"' in text
    assert 'data-row="O2" data-state="missing"' in text
    assert 'data-answered>๑/๒๖<' in text  # Thai digits
    assert "https://www.example.go.th/structure" in text


def test_opening_the_register_page_writes_nothing_until_it_is_prepared(client, staff_a, org_a):
    """A GET shows the register built in memory (every item of the catalogue, missing); the first POST
    stores it. Items new in the catalogue show the same way until the register is prepared again."""
    client.force_login(staff_a)
    page = client.get(register_url(org_a))
    assert page.status_code == 200
    assert not Register.objects.exists() and not Row.objects.exists()
    assert 'data-row="O1" data-state="missing"' in page.text and 'data-row="O26"' in page.text
    assert "data-start-form" in page.text and 'data-answered>๐/๒๖<' in page.text
    assert "/quick-add/" not in page.text  # no row to add a link to yet
    response = client.post(reverse("oit:start", args=[org_a.slug, YEAR]))
    assert response.status_code == 302 and response["Location"] == register_url(org_a)
    register = Register.objects.get(organisation=org_a, year=YEAR)
    assert register.rows.count() == 26
    page = client.get(register_url(org_a))
    assert "data-start-form" not in page.text
    assert reverse("oit:quick_add", args=[org_a.slug, register.rows.get(code="O1").pk]) in page.text

    item = OITItem.objects.filter(year__year=YEAR).order_by("number").last()
    OITItem.objects.create(year=item.year, indicator=item.indicator, code="O27", number=item.number + 1,
                           title="ข้อใหม่ของบัญชีรายการ")
    page = client.get(register_url(org_a))
    assert 'data-row="O27" data-state="missing"' in page.text and "data-start-form" in page.text
    assert register.rows.count() == 26  # still nothing written
    client.post(reverse("oit:start", args=[org_a.slug, YEAR]))
    assert register.rows.count() == 27


def test_a_published_plan_answers_its_item_through_the_portal(client, staff_a, approver_a, org_a):
    published(org_a, staff_a, approver_a, fiscal_year=YEAR, kind=DocumentKind.MEASURES)
    client.force_login(staff_a)
    page = client.get(register_url(org_a))
    assert 'data-row="O25" data-state="portal"' in page.text
    assert f"/o/{org_a.slug}/{YEAR}/measures/" in page.text


def test_quick_add_and_a_bad_address_gets_a_thai_error_and_adds_nothing(client, staff_a, org_a):
    client.force_login(staff_a)
    row = row_of(org_a, "O2")
    version = row.register.version
    url = reverse("oit:quick_add", args=[org_a.slug, row.pk])
    response = client.post(url, {"url": "https://www.example.go.th/executives"}, follow=True)
    assert response.status_code == 200 and "เพิ่มลิงก์" in response.text
    assert list(row.answers.values_list("url", flat=True)) == ["https://www.example.go.th/executives"]
    assert Register.objects.get(pk=row.register_id).version == version + 1

    bad = client.post(url, {"url": "javascript:alert(1)"}, follow=True)
    assert "ไม่ใช่ที่อยู่เว็บ" in bad.text
    assert row.answers.count() == 1


def test_paste_adds_all_lines_or_none_with_thai_line_numbers(client, staff_a, org_a):
    client.force_login(staff_a)
    url = reverse("oit:paste", args=[org_a.slug, YEAR])
    good = "O1 https://www.example.go.th/a โครงสร้าง\n\n๓ https://www.example.go.th/c\n"
    bad = good + "O99 https://www.example.go.th/x\nO4 ftp://example.org/file\n"
    response = client.post(url, {"text": bad})
    assert response.status_code == 400
    assert "บรรทัดที่ ๔" in response.text and "บรรทัดที่ ๕" in response.text
    assert "O99" in response.text and "ftp://example.org/file" in response.text  # the text is kept
    assert not Answer.objects.exists()

    response = client.post(url, {"text": good})
    assert response.status_code == 302
    answers = {a.row.code: a for a in Answer.objects.select_related("row")}
    assert set(answers) == {"O1", "O3"} and answers["O1"].title == "โครงสร้าง"


def test_an_uploaded_file_is_checked_and_public_only_once_confirmed(client, staff_a, approver_a, org_a, media):
    client.force_login(staff_a)
    row = row_of(org_a, "O10")
    url = reverse("oit:add_file", args=[org_a.slug, row.pk])
    fake = client.post(url, {"file": SimpleUploadedFile("แผน.pdf", b"<html>not a pdf</html>", "application/pdf")})
    assert fake.status_code == 400 and not row.answers.exists()
    client.post(url, {"file": SimpleUploadedFile("แผน.pdf", PDF, "application/pdf"), "title": "แผนการดำเนินงาน"})
    answer = row.answers.get()
    assert answer.kind == AnswerKind.FILE and answer.original_name == "แผน.pdf"
    public = reverse("public:oit_file", args=[org_a.slug, YEAR, answer.pk])
    client.logout()
    assert client.get(public).status_code == 404  # not confirmed yet

    register = Register.objects.get(pk=row.register_id)
    services.confirm_register(register, actor=approver_a, expected_version=register.version)
    response = client.get(public)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    itas = client.get(reverse("public:itas", args=[org_a.slug, YEAR]))
    assert f"http://testserver{public}" in itas.text or public in itas.text


def test_the_approver_confirms_and_the_public_sees_the_confirmed_register_only(client, staff_a, approver_a, org_a):
    row = row_of(org_a, "O1")
    services.add_link(row, url="https://www.example.go.th/first", actor=staff_a)
    itas = reverse("public:itas", args=[org_a.slug, YEAR])
    assert "https://www.example.go.th/first" not in client.get(itas).text  # not confirmed

    client.force_login(staff_a)
    register = Register.objects.get(pk=row.register_id)
    assert client.post(reverse("oit:confirm", args=[org_a.slug, YEAR]),
                       {"version": register.version}).status_code == 403  # staff may not confirm
    client.force_login(approver_a)
    stale = client.post(reverse("oit:confirm", args=[org_a.slug, YEAR]), {"version": register.version - 1},
                        follow=True)
    assert "มีผู้อื่นแก้ไขทะเบียน" in stale.text
    assert Register.objects.get(pk=register.pk).status == RegisterStatus.DRAFT
    client.post(reverse("oit:confirm", args=[org_a.slug, YEAR]), {"version": register.version, "comment": "ตรวจแล้ว"})
    register.refresh_from_db()
    assert register.status == RegisterStatus.CONFIRMED and register.confirmed_by == approver_a
    assert RegisterEvent.objects.filter(register=register, action="confirmed", comment="ตรวจแล้ว").exists()
    client.logout()
    assert "https://www.example.go.th/first" in client.get(itas).text

    # A later change: the register is being prepared again; the public keeps the confirmed answers.
    services.add_link(row, url="https://www.example.go.th/second", actor=staff_a)
    register.refresh_from_db()
    assert register.status == RegisterStatus.DRAFT
    page = client.get(itas).text
    assert "https://www.example.go.th/first" in page and "https://www.example.go.th/second" not in page


def test_export_for_itas_lists_every_address_with_inert_cells(client, staff_a, approver_a, org_a):
    published(org_a, staff_a, approver_a, fiscal_year=YEAR, kind=DocumentKind.MEASURES)
    services.add_link(row_of(org_a, "O1"), url="https://www.example.go.th/a", title="=HYPERLINK(\"x\")",
                      actor=staff_a)
    register = services.open_register(org_a, YEAR)
    services.confirm_register(register, actor=approver_a, expected_version=register.version)
    response = client.get(reverse("public:itas_export", args=[org_a.slug, YEAR, "csv"]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["O1"][2] == "https://www.example.go.th/a" and by_code["O1"][3].startswith("'=")
    assert by_code["O25"][2].endswith(f"/o/{org_a.slug}/{YEAR}/measures/")

    xlsx = client.get(reverse("public:itas_export", args=[org_a.slug, YEAR, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert cells["O1"][3].data_type == "s" and cells["O1"][3].value == "=HYPERLINK(\"x\")"
    assert client.get(reverse("public:itas_export", args=[org_a.slug, YEAR, "pdf"])).status_code == 404


def test_carry_forward_copies_links_of_unchanged_items_to_review(client, staff_a, org_a):
    """2568 → 2569: O5 kept its number and name (copied, to review); O1 was renamed (not copied); O6 had
    an answer already in 2569 (not touched)."""
    for code in ("O1", "O5", "O6"):
        services.add_link(row_of(org_a, code, 2568), url=f"https://www.example.go.th/2568/{code}", actor=staff_a)
    assert OITItem.objects.get(year__year=2568, code="O5").title == OITItem.objects.get(year__year=YEAR, code="O5").title
    assert OITItem.objects.get(year__year=2568, code="O1").title != OITItem.objects.get(year__year=YEAR, code="O1").title
    services.add_link(row_of(org_a, "O6"), url="https://www.example.go.th/already", actor=staff_a)
    client.force_login(staff_a)
    response = client.post(reverse("oit:carry_forward", args=[org_a.slug, YEAR]), follow=True)
    assert "คัดลอกลิงก์ของปีก่อนแล้ว ๑ รายการ" in response.text
    copied = Answer.objects.filter(row__register__year=YEAR, needs_review=True).select_related("row")
    assert [(a.row.code, a.url) for a in copied] == [("O5", "https://www.example.go.th/2568/O5")]
    assert list(row_of(org_a, "O6").answers.values_list("url", flat=True)) == ["https://www.example.go.th/already"]
    assert 'data-row="O5" data-state="answered"' in client.get(register_url(org_a)).text
    assert "data-needs-review" in client.get(reverse("oit:row", args=[org_a.slug, row_of(org_a, "O5").pk])).text


def test_another_organisation_gets_404_everywhere(client, staff_a, staff_b, org_a):
    row = row_of(org_a, "O1")
    answer = services.add_link(row, url="https://www.example.go.th/a", actor=staff_a)
    client.force_login(staff_b)
    for url in (reverse("oit:row", args=[org_a.slug, row.pk]), reverse("oit:register", args=[org_a.slug, YEAR])):
        assert client.get(url).status_code == 404
    for url in (reverse("oit:row", args=["org-b", row.pk]), reverse("oit:remove", args=["org-b", answer.pk])):
        assert client.post(url, {"note": "x"}).status_code == 404
    assert Answer.objects.filter(pk=answer.pk).exists()
    with pytest.raises(services.RegisterError):
        services.add_link(row, url="https://www.example.go.th/b", actor=staff_b)


def test_correcting_a_broken_link_starts_its_health_again(client, staff_a, org_a):
    answer = services.add_link(row_of(org_a, "O5"), url="https://www.example.go.th/old", actor=staff_a)
    Answer.objects.filter(pk=answer.pk).update(health="broken", failures_in_row=3, last_status=404)
    client.force_login(staff_a)
    client.post(reverse("oit:change_link", args=[org_a.slug, answer.pk]),
                {"url": "https://www.example.go.th/new", "title": "ใหม่"})
    answer.refresh_from_db()
    assert (answer.url, answer.health, answer.failures_in_row, answer.last_status) == (
        "https://www.example.go.th/new", "unchecked", 0, None)


def test_every_row_links_to_its_page_quick_add_and_files(client, staff_a, org_a, media):
    """The register's addresses are made once per pattern (core.row_urls): each row's own, each file's own."""
    client.force_login(staff_a)
    rows = list(services.open_register(org_a, YEAR).rows.order_by("pk"))
    with_file = rows[1]
    client.post(reverse("oit:add_file", args=[org_a.slug, with_file.pk]),
                {"file": SimpleUploadedFile("แผน.pdf", PDF, "application/pdf"), "title": "แผน"})
    answer = with_file.answers.get()
    page = client.get(register_url(org_a)).text
    for row in rows:
        line = re.search(rf'<tr id="row-{row.code}".*?</tr>', page, re.S).group(0)
        expected = {reverse("oit:row", args=[org_a.slug, row.pk]), reverse("oit:quick_add", args=[org_a.slug, row.pk])}
        if row == with_file:
            expected.add(reverse("oit:answer_file", args=[org_a.slug, answer.pk]))
        assert set(re.findall(r'(?:href|action)="(/w/[^"]+)"', line)) == expected, row.code
