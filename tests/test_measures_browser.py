"""The measure form in a real browser (Chromium through Playwright): steps and sub-items are added and
reordered client-side, a refused submit keeps every typed step, the fixed form saves; then measures are
copied from last year. Selectors use names and data- attributes, never translated labels."""
import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from measures.models import Measure

from .factories import MeasureFactory, MeasureStepFactory
from .helpers.browser import sign_in


def step_texts(page):
    return page.locator("[data-step-list] > [data-step-row] textarea").evaluate_all("els => els.map(e => e.value)")


def step_levels(page):
    return page.locator("[data-step-list] > [data-step-row]").evaluate_all(
        "els => els.map(e => e.querySelector('input[name$=\"-level\"]').value)"
    )


def step_numbers(page):
    return page.locator("[data-step-list] [data-step-number]").all_inner_texts()


@pytest.fixture
def last_year_measures(org_a):
    first = MeasureFactory(organisation=org_a, fiscal_year=2567, order=0, title="มาตรการของปีที่แล้ว ก",
                           start_month=date(2023, 10, 1), end_month=date(2024, 3, 1))
    step = MeasureStepFactory(measure=first, order=1, text="ขั้นตอนของปีที่แล้ว")
    MeasureStepFactory(measure=first, parent=step, order=1, text="ข้อย่อยของปีที่แล้ว")
    second = MeasureFactory(organisation=org_a, fiscal_year=2567, order=1, title="มาตรการของปีที่แล้ว ข")
    return first, second


@pytest.mark.browser
def test_staff_creates_a_measure_with_steps_then_copies_last_year(page, live_server, staff_a, org_a,
                                                                  last_year_measures):
    create_path = reverse("measures:create", args=[org_a.slug, 2568])
    list_path = reverse("measures:list", args=[org_a.slug, 2568])
    sign_in(page, live_server, "staff_a", create_path)

    page.fill("textarea[name=weakness]", "ผู้รับบริการไม่ทราบขั้นตอนและระยะเวลา")
    # The form starts with one empty step row; add two more and one sub-item of step 1.
    rows = page.locator("[data-step-list] > [data-step-row]")
    assert rows.count() == 1
    rows.nth(0).locator("textarea").fill("ขั้นตอนที่หนึ่ง ประชุมชี้แจง")
    page.click("[data-step-add]")
    rows.nth(1).locator("textarea").fill("ขั้นตอนที่สอง จัดทำคู่มือ")
    page.click("[data-step-add]")
    rows.nth(2).locator("textarea").fill("ขั้นตอนที่สาม เผยแพร่")
    rows.nth(0).locator("[data-step-add-sub]").click()
    rows.nth(1).locator("textarea").fill("ข้อย่อยของขั้นตอนที่หนึ่ง")
    assert step_numbers(page) == ["๑.", "(๑)", "๒.", "๓."]
    # Move step 3 up: it goes above step 2 (step 1 keeps its sub-item).
    rows.nth(3).locator("[data-step-up]").click()
    expected = ["ขั้นตอนที่หนึ่ง ประชุมชี้แจง", "ข้อย่อยของขั้นตอนที่หนึ่ง", "ขั้นตอนที่สาม เผยแพร่",
                "ขั้นตอนที่สอง จัดทำคู่มือ"]
    assert step_texts(page) == expected
    assert step_levels(page) == ["1", "2", "1", "1"]
    assert step_numbers(page) == ["๑.", "(๑)", "๒.", "๓."]
    page.select_option("select[name=start_month_0]", label="ตุลาคม ๒๕๖๗")
    page.select_option("select[name=end_month_0]", value="other")
    assert page.locator("input[name=end_month_1]").is_visible()
    page.fill("input[name=end_month_1]", "มี.ค. 68")
    page.locator("input[name=divisions]").first.check()

    # The title is required and empty: the page comes back with everything typed, in order.
    page.click("[data-save]")
    expect(page.locator("#id_title.is-invalid")).to_have_count(1)
    assert page.url.endswith(create_path)
    assert page.locator("#id_title ~ .invalid-feedback, #error_1_id_title").count() >= 1
    assert step_texts(page) == expected
    assert step_levels(page) == ["1", "2", "1", "1"]
    assert step_numbers(page) == ["๑.", "(๑)", "๒.", "๓."]
    assert page.input_value("textarea[name=weakness]") == "ผู้รับบริการไม่ทราบขั้นตอนและระยะเวลา"
    assert page.input_value("input[name=end_month_1]") == "มี.ค. 68"
    assert page.locator("select[name=start_month_0]").evaluate("s => s.options[s.selectedIndex].text") == "ตุลาคม ๒๕๖๗"
    assert page.locator("input[name=divisions]").first.is_checked()
    assert Measure.objects.filter(fiscal_year=2568).count() == 0

    page.fill("textarea[name=title]", "มาตรการเพิ่มประสิทธิภาพการให้บริการ")
    page.click("[data-save]")
    page.wait_for_url(re.compile(re.escape(list_path)))
    assert page.locator("[data-measure]", has_text="มาตรการเพิ่มประสิทธิภาพการให้บริการ").count() == 1
    measure = Measure.objects.with_details().get(fiscal_year=2568)
    assert (measure.start_month, measure.end_month) == (date(2024, 10, 1), date(2025, 3, 1))
    tops = measure.top_steps()
    assert [s.text for s in tops] == [expected[0], expected[2], expected[3]]
    assert [c.text for c in tops[0].children] == [expected[1]]

    # Copy from last year (fiscal year 2567) into 2568.
    page.click(f"a[href='{reverse('measures:copy', args=[org_a.slug, 2568])}']")
    page.wait_for_url(re.compile("/copy/$"))
    page.check("[data-check-all]")
    assert page.locator("input[name=measures]:checked").count() == 2
    page.click("[data-copy-submit]")
    page.wait_for_url(re.compile(re.escape(list_path)))
    titles = page.locator("[data-measure] .measure-title").all_inner_texts()
    assert titles == ["มาตรการเพิ่มประสิทธิภาพการให้บริการ", "มาตรการของปีที่แล้ว ก", "มาตรการของปีที่แล้ว ข"]
    copy = Measure.objects.with_details().get(fiscal_year=2568, title="มาตรการของปีที่แล้ว ก")
    assert [s.text for s in copy.top_steps()] == ["ขั้นตอนของปีที่แล้ว"]
    assert [c.text for c in copy.top_steps()[0].children] == ["ข้อย่อยของปีที่แล้ว"]

    # Reorder in the list through htmx: the list is swapped in place, no page load.
    page.evaluate("window.__same_page = true")
    page.locator("[data-measure]").nth(2).locator("[data-move-up]").click()
    expect(page.locator("[data-measure] .measure-title")).to_have_text(
        ["มาตรการเพิ่มประสิทธิภาพการให้บริการ", "มาตรการของปีที่แล้ว ข", "มาตรการของปีที่แล้ว ก"]
    )
    assert page.evaluate("window.__same_page") is True  # swapped in place by htmx, no page load


@pytest.mark.browser
def test_removing_and_outdenting_steps_keeps_the_others(page, live_server, staff_a, org_a):
    create_path = reverse("measures:create", args=[org_a.slug, 2568])
    sign_in(page, live_server, "staff_a", create_path)
    rows = page.locator("[data-step-list] > [data-step-row]")
    rows.nth(0).locator("textarea").fill("ก")
    page.click("[data-step-add]")
    rows.nth(1).locator("textarea").fill("ข")
    rows.nth(1).locator("[data-step-indent]").click()  # ข becomes a sub-item of ก
    page.click("[data-step-add]")
    rows.nth(2).locator("textarea").fill("ค")
    assert step_numbers(page) == ["๑.", "(๑)", "๒."]
    rows.nth(0).locator("[data-step-down]").click()  # ก with its sub-item goes below ค
    assert step_texts(page) == ["ค", "ก", "ข"]
    page.once("dialog", lambda dialog: dialog.accept())
    rows.nth(1).locator("[data-step-remove]").click()  # ก and its sub-item
    assert step_texts(page) == ["ค"]
    assert page.locator("input[name=steps-TOTAL_FORMS]").input_value() == "1"
    page.fill("textarea[name=title]", "มาตรการทดสอบการลบ")
    page.click("[data-save]")
    page.wait_for_url(re.compile(r"/measures/2568/"))
    assert [s.text for s in Measure.objects.get().steps.all()] == ["ค"]


def test_other_organisations_staff_gets_404_on_the_edit_url(client, org_a, staff_b):
    measure = MeasureFactory(organisation=org_a)
    client.force_login(staff_b)
    assert client.get(reverse("measures:edit", args=[org_a.slug, measure.pk])).status_code == 404
    assert client.get(reverse("measures:edit", args=["org-b", measure.pk])).status_code == 404
