"""Province oversight (issue 18): a read-only scope per province (or the whole country); the table of the
province's organisations with their cycle state, latest confirmed score and days late, filters, sorting,
XLSX export; the drill-down shows published documents only; other provinces are 404; fixed queries."""
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from ita.models import AssessmentResult, AssessmentYear
from orgs.models import OrganisationKind, OversightScope
from reports.models import DocumentKind
from reports.workflow import transitions

from .factories import AssessmentYearFactory, OrganisationFactory, UserFactory, confirm_result
from .helpers.workflow import published

pytestmark = pytest.mark.django_db
PROVINCE = "ขอนแก่น"  # tests.factories.OrganisationFactory
FY = 2570
TODAY = date(2026, 12, 4)


@pytest.fixture(autouse=True)
def in_december_2026(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


@pytest.fixture
def overseer(db):
    user = UserFactory(username="overseer")
    OversightScope.objects.create(user=user, province=PROVINCE)
    return user


@pytest.fixture
def other_province(db):
    return OrganisationFactory(name="เทศบาลตำบลไกล", slug="far", province="ตราด", district="เมืองตราด")


def province_url(province=PROVINCE, **query):
    url = reverse("oversight:province", args=[province])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_table_shows_the_provinces_organisations_with_their_year(client, overseer, org_a, staff_a, approver_a,
                                                                     other_province):
    year = AssessmentYearFactory(year=FY - 1)
    confirm_result(AssessmentResult.objects.create(organisation=org_a, year=year, total_score=Decimal("91.50")),
                   approver_a)
    published(org_a, staff_a, approver_a, fiscal_year=FY, kind=DocumentKind.MEASURES)
    client.force_login(overseer)
    page = client.get(province_url())
    assert page.status_code == 200
    text = page.text
    assert 'data-org="org-a"' in text and 'data-org="far"' not in text
    row = text.split('data-org="org-a"')[1].split("</tr>")[0]
    assert 'data-line="result" data-done="yes"' in row and 'data-line="measures" data-done="yes"' in row
    assert 'data-line="progress-6" data-done="no"' in row
    assert "๙๑.๕๐" in row


def test_late_items_show_their_days_late(client, overseer, org_a):
    client.force_login(overseer)
    page = client.get(province_url()).text
    row = page.split('data-org="org-a"')[1].split("</tr>")[0]
    # 4 December 2026: the result was due on 31 October (34 days), the plan is due on 31 December
    assert 'data-state="late"' in page.split('data-org="org-a"')[1][:40]
    assert "ล่าช้า ๓๔ วัน" in row.split('data-line="result"')[1].split("</td>")[0]
    assert "วัน" not in row.split('data-line="measures"')[1].split("</td>")[0]


def test_filters_and_sorting(client, overseer, org_a):
    OrganisationFactory(name="องค์การบริหารส่วนตำบลกอ", slug="sao-k", kind=OrganisationKind.SAO, district="ชุมแพ")
    client.force_login(overseer)
    only_sao = client.get(province_url(kind=OrganisationKind.SAO)).text
    assert 'data-org="sao-k"' in only_sao and 'data-org="org-a"' not in only_sao
    by_district = client.get(province_url(district="ชุมแพ")).text
    assert 'data-org="sao-k"' in by_district and 'data-org="org-a"' not in by_district
    by_name = client.get(province_url(sort="name")).text
    assert by_name.index('data-org="sao-k"') < by_name.index('data-org="org-a"')  # by code point: อ (U+0E2D) before เ (U+0E40)


def test_other_provinces_and_people_without_a_scope_get_404(client, overseer, org_a, staff_a, other_province):
    client.force_login(overseer)
    assert client.get(province_url("ตราด")).status_code == 404
    assert client.get(reverse("oversight:organisation", args=["ตราด", "far"])).status_code == 404
    assert client.get(reverse("oversight:organisation", args=[PROVINCE, "far"])).status_code == 404
    client.force_login(staff_a)
    assert client.get(province_url()).status_code == 404
    assert client.get(reverse("oversight:index")).status_code == 404
    client.logout()
    assert client.get(province_url()).status_code == 302


def test_a_national_scope_sees_every_province(client, org_a, other_province):
    national = UserFactory(username="national")
    OversightScope.objects.create(user=national, province="")
    client.force_login(national)
    index = client.get(reverse("oversight:index")).text
    assert PROVINCE in index and "ตราด" in index
    assert 'data-org="far"' in client.get(province_url("ตราด")).text


def test_the_drill_down_shows_published_documents_only(client, overseer, org_a, staff_a, approver_a):
    plan = published(org_a, staff_a, approver_a, fiscal_year=FY, kind=DocumentKind.MEASURES)
    draft = transitions.create_document(org_a, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=6,
                                        actor=staff_a, notify=False)
    client.force_login(overseer)
    page = client.get(reverse("oversight:organisation", args=[PROVINCE, org_a.slug])).text
    assert f'data-document="{plan.pk}"' in page and f'data-document="{draft.pk}"' not in page
    assert f"/o/{org_a.slug}/{FY}/measures/" in page


def test_export_xlsx_with_the_filtered_rows(client, overseer, org_a):
    OrganisationFactory(name="=HYPERLINK(\"x\")", slug="odd", district="ชุมแพ")
    client.force_login(overseer)
    response = client.get(reverse("oversight:export", args=[PROVINCE]) + "?district=ชุมแพ")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 1 and rows[0][0].value == "=HYPERLINK(\"x\")" and rows[0][0].data_type == "s"


def test_the_oit_column_counts_answers_as_the_staff_page_does(client, overseer, org_a, staff_a, approver_a):
    """An item is answered by the organisation's link, or by a published portal document of the right
    fiscal year: O25 by the plan of FY 2570, O26 by the 12-month report of FY 2569 (offset -1)."""
    from io import StringIO

    from django.core.management import call_command

    from oit import services as oit_services
    from oit.register import readiness_of

    call_command("load_ita_catalogue", stdout=StringIO())
    register = oit_services.open_register(org_a, FY)
    oit_services.add_link(register.rows.get(code="O1"), url="https://www.example.go.th/o1", actor=staff_a)
    published(org_a, staff_a, approver_a, fiscal_year=FY, kind=DocumentKind.MEASURES)
    published(org_a, staff_a, approver_a, fiscal_year=FY - 1, kind=DocumentKind.PROGRESS, round_=12)
    published(org_a, staff_a, approver_a, fiscal_year=FY - 1, kind=DocumentKind.MEASURES)  # answers nothing of 2570
    staff_figures = readiness_of(org_a, FY)
    assert (staff_figures.answered, staff_figures.items) == (3, 26)
    client.force_login(overseer)
    row = client.get(province_url()).text.split('data-org="org-a"')[1].split("</tr>")[0]
    assert "๓/๒๖" in row
    assert 'data-line="oit" data-done="no"' in row


def test_names_typed_by_people_are_escaped(client, overseer, org_a):
    OrganisationFactory(slug="hostile", name="<script>alert(1)</script>", district='ชุมแพ"><b>')
    client.force_login(overseer)
    text = client.get(province_url()).text
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'ชุมแพ"><b>' not in text


def test_the_table_has_a_fixed_number_of_queries(client, overseer, org_a, django_assert_num_queries):
    client.force_login(overseer)
    client.get(province_url())
    # session, user, two-factor state, scope; organisations, rows a portal document may answer, documents,
    # results, registers, their rows
    with django_assert_num_queries(10) as few:
        client.get(province_url())
    for n in range(15):
        OrganisationFactory(slug=f"many{n}")
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(province_url())
    assert page.text.count("data-org=") == 16


def test_the_weekly_digest_tells_what_became_overdue_and_what_was_published(overseer, org_a, staff_a, approver_a,
                                                                             mailoutbox):
    from oversight import digest

    overseer.email = "overseer@example.go.th"
    overseer.save()
    plan = published(org_a, staff_a, approver_a, fiscal_year=FY, kind=DocumentKind.MEASURES)
    # 3 November 2026: the result (due 31 October) became overdue 3 days ago; the plan was published this week
    from reports.models import Document

    Document.objects.filter(pk=plan.pk).update(published_at=timezone.make_aware(timezone.datetime(2026, 11, 2, 10)))
    assert digest.send(date(2026, 11, 3)) == 1
    mail = mailoutbox[0]
    assert mail.to == ["overseer@example.go.th"] and "สรุปการกำกับดูแล" in mail.subject
    assert "จังหวัดขอนแก่น" in mail.body and org_a.name in mail.body
    assert "ยืนยันผลการประเมิน ITA แล้ว (ล่าช้า ๓ วัน)" in mail.body
    assert "แผนมาตรการ" in mail.body or "มาตรการ" in mail.body
    assert digest.send(date(2026, 11, 4)) == 0  # once a week
    assert digest.send(date(2026, 12, 4)) == 0  # nothing new that week: no e-mail


def test_the_weekly_digest_reads_each_province_once_whoever_oversees_it(overseer, org_a, django_assert_num_queries,
                                                                         django_assert_max_num_queries):
    """No query per overseer: the sent keys and the scopes are read at once, a province's news once."""
    from oversight import digest

    overseer.email = "overseer@example.go.th"
    overseer.save()
    day = date(2026, 12, 4)  # nothing new that week: nothing is sent, everything is read
    with django_assert_max_num_queries(30) as one:
        assert digest.send(day) == 0
    for n in range(3):
        other = UserFactory(username=f"overseer{n}", email=f"overseer{n}@example.go.th")
        OversightScope.objects.create(user=other, province=PROVINCE)
    with django_assert_num_queries(len(one.captured_queries)):
        assert digest.send(day) == 0
