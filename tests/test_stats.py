"""The national picture (issue 18): /stats/ and /stats/<province>/ count published documents and confirmed
results only, by province (district) and type; SVG charts with a table behind each; open-data CSV; a fixed
number of queries; cached like the other public pages and fresh after a publication."""
import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ita.models import AssessmentResult, LevelScale
from orgs.models import OrganisationKind
from reports.models import DocumentKind
from reports.workflow import transitions

from .factories import AssessmentYearFactory, OrganisationFactory, confirm_result
from .helpers.workflow import published

pytestmark = pytest.mark.django_db
FY = 2570


@pytest.fixture(autouse=True)
def in_december_2026(monkeypatch):
    from datetime import date

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 12, 4))


@pytest.fixture
def country(org_a, org_b, staff_a, approver_a, staff_b):
    """org_a (ขอนแก่น, เทศบาลตำบล) published its plan of 2570 and has a confirmed result of 2569 (96.50,
    no tool scores); org_b (ขอนแก่น, อบต.) has an unconfirmed result and a draft; a third
    organisation in ตราด has nothing."""
    year = AssessmentYearFactory(year=FY - 1, scale=LevelScale.NEW)
    result = AssessmentResult.objects.create(organisation=org_a, year=year, total_score=Decimal("96.50"))
    confirm_result(result, approver_a)
    AssessmentResult.objects.create(organisation=org_b, year=year, total_score=Decimal("50.00"))
    published(org_a, staff_a, approver_a, fiscal_year=FY, kind=DocumentKind.MEASURES)
    transitions.create_document(org_b, fiscal_year=FY, kind=DocumentKind.MEASURES, actor=staff_b, notify=False)
    OrganisationFactory(name="เทศบาลตำบลไกล", slug="far", province="ตราด", district="เมืองตราด")


def rows_of(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_country_counts_only_published_plans_and_confirmed_results(client, country):
    page = client.get(reverse("public:stats")).text
    table = page.split(f'data-publication="{FY}"')[1].split("</table>")[0]
    khon_kaen = table.split('data-group="ขอนแก่น"')[1].split("</tr>")[0]
    assert "<td>๒</td><td>๑</td><td>๐</td><td>๐</td>" in khon_kaen  # two organisations, one plan published
    trat = table.split('data-group="ตราด"')[1].split("</tr>")[0]
    assert "<td>๑</td><td>๐</td>" in trat
    sao = table.split(f'data-kind="{OrganisationKind.SAO}"')[1].split("</tr>")[0]
    assert "<td>๑</td><td>๐</td>" in sao  # org_b's draft is not counted
    levels = page.split(f'data-levels="{FY - 1}"')[1].split("</table>")[0]
    assert levels.count('<th scope="row">') == 5 and "ผ่านดีเยี่ยม" in levels  # the new scale's five levels
    scores = page.split(f'data-scores="{FY - 1}"')[1].split("</table>")[0]
    assert "๙๐–๑๐๐</th><td>๑</td>" in scores and "๕๐–๖๐</th><td>๐</td>" in scores  # org_b's 50 not confirmed


def test_charts_are_svg_with_a_title_and_thai_digits(client, country):
    page = client.get(reverse("public:stats")).text
    for chart in ("plans", "levels", "scores", "averages"):
        svg = page.split(f'data-chart="{chart}"')[1].split("</svg>")[0]
        assert 'role="img"' in page.split(f'data-chart="{chart}"')[0][-200:] and "<title" in svg
    averages = page.split('data-chart="averages"')[1].split("</svg>")[0]
    assert "ขอนแก่น" in averages and "๙๖.๕๐" in averages
    assert "data-averages" in page  # the table behind the chart


def test_a_province_page_groups_by_district_and_an_unknown_province_is_404(client, country):
    page = client.get(reverse("public:stats_province", args=["ขอนแก่น"]))
    assert page.status_code == 200
    assert 'data-group="เมือง"' in page.text and 'data-group="เมืองตราด"' not in page.text
    assert client.get(reverse("public:stats_province", args=["ไม่มีจังหวัดนี้"])).status_code == 404


def test_open_data_csv(client, country):
    rows = rows_of(client.get(reverse("public:stats_publication_csv")))
    assert rows[0][:6] == ["group", "fiscal_year", "organisations", "measures", "progress-6", "progress-12"]
    by_group = {(r[0], r[1]): r for r in rows[1:]}
    assert by_group[("ขอนแก่น", str(FY))][2:4] == ["2", "1"]
    assert by_group[("ขอนแก่น", str(FY))][6] == "96.50"
    levels = rows_of(client.get(reverse("public:stats_levels_csv") + "?province=ตราด"))
    assert levels[0] == ["assessment_year", "level", "organisations"] and all(r[2] == "0" for r in levels[1:])


def test_a_fixed_number_of_queries(client, country, settings):
    settings.PUBLIC_PAGE_CACHE = False
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("public:stats"))
    for n in range(12):
        OrganisationFactory(slug=f"more{n}", province=f"จังหวัด{n % 4}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("public:stats"))
    assert len(many) == len(few) <= 4


def test_cached_and_fresh_after_a_publication(client, country, org_b, staff_b, settings):
    from orgs.models import Membership, Role

    from .factories import MembershipFactory, UserFactory

    settings.PUBLIC_PAGE_CACHE = True
    url = reverse("public:stats")
    client.get(url)
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second) == 0
    approver_b = MembershipFactory(user=UserFactory(username="approver_b"), organisation=org_b,
                                   role=Role.APPROVER).user
    assert Membership.objects.filter(organisation=org_b).count() >= 2
    from reports.models import Document

    draft = Document.objects.get(organisation=org_b, fiscal_year=FY, kind=DocumentKind.MEASURES)
    transitions.submit_document(draft, actor=staff_b, notify=False)
    transitions.approve_document(Document.objects.get(pk=draft.pk), actor=approver_b, notify=False)
    transitions.publish_document(Document.objects.get(pk=draft.pk), actor=approver_b, notify=False, render=False)
    table = client.get(url).text.split(f'data-publication="{FY}"')[1].split("</table>")[0]
    assert "<td>๒</td><td>๒</td>" in table.split('data-group="ขอนแก่น"')[1].split("</tr>")[0]
