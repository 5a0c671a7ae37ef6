"""The staff workspace in a real browser (Chromium through Playwright): a staff member signs in through
the real form, enters an ITA result, reads the analysis with its level, strengths and weaknesses, and
follows "create a measure" on a weakness to the prefilled measure form. Selectors use names, ids and
data- attributes, never translated labels."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from ita.levels import NewLevel
from ita.models import AssessmentResult, Indicator

from .factories import PASSWORD


# Indicator scores of 2568: 7 is the lowest (a weakness below 85), 9 the highest (a strength).
SCORES = {1: "92.10", 2: "88.00", 3: "90.00", 4: "86.00", 5: "85.00", 6: "89.00", 7: "72.50", 8: "84.99",
          9: "100", 10: "90.50"}


@pytest.mark.browser
def test_staff_enters_a_result_reads_the_analysis_and_starts_a_measure(page, live_server, catalogue, staff_a,
                                                                       org_a):
    # sign in through the real form; the only organisation opens at once
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("input[name=username]", "staff_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(reverse("dashboard", args=[org_a.slug])) + r"$"))

    # from the results list to the entry form of 2568
    page.goto(f"{live_server.url}{reverse('ita:results', args=[org_a.slug])}")
    page.click(f"#new-result-years a[href='{reverse('ita:result_create', args=[org_a.slug, 2568])}']")
    page.wait_for_selector("#result-form")

    page.fill("input[name=total_score]", "๙๑.๙๓")  # Thai digits are accepted
    for code, score in (("IIT", "95.20"), ("EIT", "84.10"), ("OIT", "96.00")):
        page.locator(f"fieldset[data-tool={code}] input[name$='-score']").first.fill(score)
    for number, score in SCORES.items():
        page.fill(f"tr[data-indicator='{number}'] input[name$='-score']", score)
    page.fill("tr[data-indicator='7'] textarea[name$='-issues_to_improve']", "ช่องทางการสื่อสารยังไม่ทั่วถึง")
    page.click("#save-result")

    # the detail page: level on both scales, strengths high to low, weaknesses low to high
    page.wait_for_url(re.compile(re.escape(reverse("ita:result_detail", args=[org_a.slug, 2568])) + r"$"))
    with translation.override("th"):
        passed = str(NewLevel.PASS.label)  # EIT 84.10 < 85: only "Pass" despite 91.93
    assert page.inner_text("[data-level=official]").strip() == passed
    assert page.inner_text("[data-level=old]").strip() == "A"
    assert page.inner_text("#total-score").strip() == "๙๑.๙๓"
    strengths = page.locator("#strengths li[data-indicator]").evaluate_all(
        "els => els.map(e => e.dataset.indicator)")
    assert strengths == ["9", "1", "10", "3", "6", "2", "4", "5"]
    weaknesses = page.locator("#weaknesses li[data-indicator]").evaluate_all(
        "els => els.map(e => e.dataset.indicator)")
    assert weaknesses == ["7", "8", "5"]  # below 85, completed to the three lowest

    result = AssessmentResult.objects.get(organisation=org_a, year__year=2568)
    assert str(result.total_score) == "91.93" and result.indicator_scores.count() == 10

    # "create a measure" on the lowest indicator opens the measure form of fiscal year 2569, prefilled
    link = page.locator("#weaknesses li[data-indicator='7'] a.create-measure")
    href = link.get_attribute("href")
    seven = Indicator.objects.get(year__year=2568, number=7)
    assert href.startswith(reverse("measures:create", args=[org_a.slug, 2569]) + "?")
    assert parse_qs(urlsplit(href).query) == {
        "weakness": ["ช่องทางการสื่อสารยังไม่ทั่วถึง"], "tools": ["EIT"], "indicators": [str(seven.pk)],
    }
    link.click()
    page.wait_for_url(re.compile(re.escape(reverse("measures:create", args=[org_a.slug, 2569]))))
    assert page.input_value("textarea[name=weakness]") == "ช่องทางการสื่อสารยังไม่ทั่วถึง"
    assert page.is_checked(f"input[name=indicators][value='{seven.pk}']")


@pytest.mark.browser
def test_an_approver_confirms_a_result_and_the_public_page_shows_it(page, live_server, catalogue, org_a, staff_a,
                                                                    approver_a):
    from decimal import Decimal

    from ita import services
    from ita.models import AssessmentYear, Tool, ToolScore

    year = AssessmentYear.objects.get(year=2568)
    services.save_result(
        org_a, year=year, instance=None, fields={"total_score": Decimal("91.93"), "summary": "", "notes": ""},
        tool_scores=[ToolScore(tool=Tool.objects.get(code="IIT"), score=Decimal("95.20"))],
        indicator_scores=[], oit_scores=[], expected_version=None, actor=staff_a,
    )
    public = f"{live_server.url}{reverse('public:organisation', args=[org_a.slug])}"
    page.goto(public)
    assert page.locator("#results-table").count() == 0 and page.locator("#no-results").count() == 1

    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("input[name=username]", "approver_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(reverse("dashboard", args=[org_a.slug])) + r"$"))
    detail = reverse("ita:result_detail", args=[org_a.slug, 2568])
    page.goto(f"{live_server.url}{detail}")
    assert page.get_attribute("#confirmation", "data-state") == "unconfirmed"
    page.fill("#confirm-form textarea[name=comment]", "ตรงกับประกาศผล")
    page.click("#confirm-button")
    page.wait_for_url(re.compile(re.escape(detail) + r"$"))
    assert page.get_attribute("#confirmation", "data-state") == "confirmed"
    assert "ตรงกับประกาศผล" in page.inner_text("#result-events li[data-action=confirm]")

    page.goto(public)
    assert "๙๑.๙๓" in page.inner_text("#results-table tr[data-year='2568']")
