"""ITA result pages: list, entry (create / edit with optimistic locking), detail with levels and the
analysis, and who may see them."""
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils.html import escape

from core.forms import SCORE_RANGE_MESSAGE
from ita.levels import NewLevel
from ita.models import AssessmentResult, AssessmentYear, Indicator, IndicatorScore, OITItem, Tool
from ita.models import ToolScore

from .helpers.builders import make_result
from .helpers.html import find, find_all, th

pytestmark = pytest.mark.django_db


# --- helpers ------------------------------------------------------------------------------------

def catalogue_of(year):
    """Tools, indicators and OIT items of an assessment year, in the order of the entry page."""
    y = AssessmentYear.objects.get(year=year)
    tools = list(Tool.objects.filter(weights__year=y).order_by("order", "code"))
    return y, tools, list(y.indicators.order_by("number")), list(y.oit_items.order_by("number"))


def entry_data(year, total="", tools=None, indicators=None, oit=None, version=None, texts=None):
    """POST data of the entry page: tools {code: score}, indicators {number: score}, oit {code: score},
    texts {(prefix, key, field): text} where key is a tool code or an indicator number."""
    tools, indicators, oit, texts = tools or {}, indicators or {}, oit or {}, texts or {}
    _y, tool_list, ind_list, item_list = catalogue_of(year)
    data = {"total_score": total, "summary": "", "notes": ""}
    if version is not None:
        data["version"] = str(version)
    for prefix, objects, key, scores in (
        ("tools", tool_list, "code", tools), ("indicators", ind_list, "number", indicators),
        ("oit", item_list, "code", oit),
    ):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(objects))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(objects))
        for i, obj in enumerate(objects):
            k = getattr(obj, key)
            data[f"{prefix}-{i}-score"] = str(scores.get(k, ""))
            for field in ("issues_to_improve", "assessment_points"):
                if (prefix, k, field) in texts:
                    data[f"{prefix}-{i}-{field}"] = texts[(prefix, k, field)]
    return data


def index_of(year, number):
    return [i.number for i in catalogue_of(year)[2]].index(number)


@pytest.fixture
def result_a(catalogue, org_a):
    return make_result(org_a, oit={"O1": "100", "O12": "0", "O30": "0"})


# --- access -------------------------------------------------------------------------------------

def page_urls(org):
    slug = org.slug
    return {
        "list": reverse("ita:results", args=[slug]),
        "create": reverse("ita:result_create", args=[slug, 2568]),
        "edit": reverse("ita:result_edit", args=[slug, 2567]),
        "detail": reverse("ita:result_detail", args=[slug, 2567]),
    }


@pytest.mark.parametrize("page", ["list", "create", "edit", "detail"])
def test_anonymous_is_sent_to_sign_in(client, result_a, org_a, page):
    url = page_urls(org_a)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login")) and "next=" in response["Location"]


@pytest.mark.parametrize("user", ["staff_a", "approver_a", "admin_a"])
@pytest.mark.parametrize("page", ["list", "create", "edit", "detail"])
def test_every_member_of_the_organisation_may_use_the_result_pages(request, client, result_a, org_a, user, page):
    client.force_login(request.getfixturevalue(user))
    assert client.get(page_urls(org_a)[page]).status_code == 200


@pytest.mark.parametrize("page", ["list", "create", "edit", "detail"])
def test_another_organisation_gets_404(client, result_a, org_a, staff_b, page):
    client.force_login(staff_b)
    assert client.get(page_urls(org_a)[page]).status_code == 404


def test_posting_to_another_organisation_is_404_and_saves_nothing(client, catalogue, org_a, staff_b):
    client.force_login(staff_b)
    response = client.post(reverse("ita:result_create", args=[org_a.slug, 2568]), entry_data(2568, "90"))
    assert response.status_code == 404
    assert not AssessmentResult.objects.exists()


def test_another_organisations_result_is_404_in_my_workspace(client, catalogue, org_a, org_b, staff_a):
    make_result(org_b)
    client.force_login(staff_a)
    assert client.get(reverse("ita:result_detail", args=[org_a.slug, 2567])).status_code == 404
    assert client.get(reverse("ita:result_edit", args=[org_a.slug, 2567])).status_code == 404
    listing = client.get(reverse("ita:results", args=[org_a.slug])).text
    assert not find_all(listing, "tr", data_year="2567")


def test_unknown_assessment_year_is_404(client, catalogue, org_a, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("ita:result_create", args=[org_a.slug, 2400])).status_code == 404


# --- list -----------------------------------------------------------------------------------------

def test_list_shows_results_with_levels_and_offers_the_missing_years(client, result_a, org_a, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("ita:results", args=[org_a.slug])).text
    row = find(page, "tr", data_year="2567")
    assert "๙๑.๙๓" in row["text"] and "A" in row["text"] and th("Pass") in row["text"]
    years = find(page, id="new-result-years")
    assert "๒๕๖๘" in years["text"] and "๒๕๖๗" not in years["text"]
    assert reverse("ita:result_create", args=[org_a.slug, 2569]) in page


# --- create ---------------------------------------------------------------------------------------

def test_create_saves_total_tools_indicators_oit_items_and_texts(client, catalogue, org_a, staff_a):
    client.force_login(staff_a)
    data = entry_data(
        2568, total="๙๒.๕๐", tools={"IIT": "93", "EIT": "88.10", "OIT": "95"},
        indicators={n: "90" for n in range(1, 11)} | {7: "80.25"}, oit={"O1": "100", "O2": "0"},
        texts={("tools", "EIT", "issues_to_improve"): "สื่อสารกับผู้รับบริการ",
               ("indicators", 7, "assessment_points"): "การเข้าถึงข้อมูล",
               ("indicators", 7, "issues_to_improve"): "ช่องทางการสื่อสาร"},
    )
    response = client.post(reverse("ita:result_create", args=[org_a.slug, 2568]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("ita:result_detail", args=[org_a.slug, 2568])
    result = AssessmentResult.objects.get(organisation=org_a, year__year=2568)
    assert result.total_score == Decimal("92.50") and result.version == 1
    assert result.tool_score_map() == {"IIT": Decimal("93"), "EIT": Decimal("88.10"), "OIT": Decimal("95")}
    assert result.tool_scores.get(tool__code="EIT").issues_to_improve == "สื่อสารกับผู้รับบริการ"
    assert result.indicator_scores.count() == 10
    seven = result.indicator_scores.get(indicator__number=7)
    assert (seven.score, seven.assessment_points, seven.issues_to_improve) == (
        Decimal("80.25"), "การเข้าถึงข้อมูล", "ช่องทางการสื่อสาร")
    assert dict(result.oit_scores.values_list("item__code", "score")) == {"O1": 100, "O2": 0}


def test_invalid_input_is_kept_and_each_error_is_next_to_its_field(client, catalogue, org_a, staff_a):
    client.force_login(staff_a)
    data = entry_data(
        2568, total="101", tools={"IIT": "abc", "EIT": "88"}, indicators={3: "-1", 4: "90.123", 6: "91"},
        oit={"O3": "100.5"}, texts={("indicators", 5, "issues_to_improve"): "ข้อความที่พิมพ์ไว้"},
    )
    response = client.post(reverse("ita:result_create", args=[org_a.slug, 2568]), data)
    assert response.status_code == 200
    page = response.text
    assert not AssessmentResult.objects.exists()
    assert find(page, id="error-summary")
    # the total: crispy puts the error under the field and keeps the value
    assert 'value="101"' in page and escape(th(str(SCORE_RANGE_MESSAGE))) in page
    i3, i4, i5 = (index_of(2568, n) for n in (3, 4, 5))
    tool_iit = find(page, "input", name="tools-0-score")
    assert tool_iit["attrs"]["value"] == "abc" and "is-invalid" in tool_iit["attrs"]["class"]
    assert find(page, id="id_tools-0-score_error")["text"] == th("Enter the score as a number, e.g. 91.93.")
    assert find(page, "input", name=f"indicators-{i3}-score")["attrs"]["value"] == "-1"
    assert find(page, id=f"id_indicators-{i3}-score_error")["text"] == th(str(SCORE_RANGE_MESSAGE))
    assert find(page, id=f"id_indicators-{i4}-score_error")["text"] == th("Use at most two decimal places.")
    assert find(page, id=f"id_indicators-{i5}-score_error")["text"] == th(
        "Enter the score for the text you typed, or clear the text.")
    assert "ข้อความที่พิมพ์ไว้" in find(page, "textarea", name=f"indicators-{i5}-issues_to_improve")["text"]
    # valid neighbours keep their values and get no error
    assert find(page, "input", name="tools-1-score")["attrs"]["value"] == "88"
    assert not find_all(page, id="id_tools-1-score_error")
    assert find(page, id="id_oit-2-score_error")["text"] == th(str(SCORE_RANGE_MESSAGE))
    assert "open" in find(page, "details", id="oit-items")["attrs"]


def test_the_total_is_required(client, catalogue, org_a, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("ita:result_create", args=[org_a.slug, 2568]), entry_data(2568, ""))
    assert response.status_code == 200 and escape(th("Enter the score.")) in response.text
    assert not AssessmentResult.objects.exists()


def test_a_tampered_form_count_cannot_add_or_drop_scores(client, catalogue, org_a, staff_a):
    client.force_login(staff_a)
    data = entry_data(2568, "90", indicators={1: "90"})
    data["indicators-TOTAL_FORMS"] = "1000"
    data["indicators-99-score"] = "50"
    assert client.post(reverse("ita:result_create", args=[org_a.slug, 2568]), data).status_code == 302
    assert list(IndicatorScore.objects.values_list("indicator__number", flat=True)) == [1]


def test_opening_create_for_an_entered_year_goes_to_edit(client, result_a, org_a, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("ita:result_create", args=[org_a.slug, 2567]))
    assert response.status_code == 302 and response["Location"] == reverse("ita:result_edit", args=[org_a.slug, 2567])


def test_a_result_created_meanwhile_by_someone_else_is_not_overwritten(client, catalogue, org_a, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("ita:result_create", args=[org_a.slug, 2568]))
    assert page.status_code == 200
    make_result(org_a, year=2568, total="70", indicators={})  # a colleague saves first
    response = client.post(reverse("ita:result_create", args=[org_a.slug, 2568]), entry_data(2568, "99", version=0))
    assert response.status_code == 409
    assert find(response.text, id="stale-alert")
    assert find(response.text, "input", name="total_score")["attrs"]["value"] == "99"
    assert AssessmentResult.objects.get(year__year=2568).total_score == Decimal("70")


# --- edit -----------------------------------------------------------------------------------------

def test_edit_shows_the_saved_values_and_the_version(client, result_a, org_a, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("ita:result_edit", args=[org_a.slug, 2567])).text
    assert find(page, "input", name="total_score")["attrs"]["value"] == "91.93"
    assert find(page, "input", name="version")["attrs"]["value"] == "1"
    assert find(page, "input", name=f"indicators-{index_of(2567, 7)}-score")["attrs"]["value"] == "70.25"
    assert find(page, "input", name="tools-1-score")["attrs"]["value"] == "84.50"


def test_edit_saves_replaces_scores_and_bumps_the_version(client, result_a, org_a, staff_a):
    client.force_login(staff_a)
    data = entry_data(2567, "93", tools={"IIT": "95", "EIT": "90", "OIT": "96"}, indicators={1: "99"}, version=1)
    response = client.post(reverse("ita:result_edit", args=[org_a.slug, 2567]), data)
    assert response.status_code == 302
    result_a.refresh_from_db()
    assert (result_a.total_score, result_a.version) == (Decimal("93"), 2)
    assert list(result_a.indicator_scores.values_list("indicator__number", "score")) == [(1, Decimal("99"))]
    assert not result_a.oit_scores.exists()


def test_a_stale_save_is_refused_and_the_input_is_kept(client, result_a, org_a, staff_a, approver_a):
    client.force_login(staff_a)
    data = entry_data(2567, "50.50", tools={"IIT": "60"}, version=1)
    # meanwhile a colleague saves: the stored version moves on
    AssessmentResult.objects.filter(pk=result_a.pk).update(version=2, total_score=Decimal("88"))
    response = client.post(reverse("ita:result_edit", args=[org_a.slug, 2567]), data)
    assert response.status_code == 409
    assert escape(th("Someone else saved this result after you opened it. Nothing was saved; what you typed is "
                     "kept below.")) in response.text
    assert find(response.text, "input", name="total_score")["attrs"]["value"] == "50.50"
    assert find(response.text, "input", name="tools-0-score")["attrs"]["value"] == "60"
    result_a.refresh_from_db()
    assert (result_a.total_score, result_a.version) == (Decimal("88"), 2)
    assert result_a.indicator_scores.count() == 10  # nothing was replaced


def test_a_save_without_a_version_is_treated_as_stale(client, result_a, org_a, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("ita:result_edit", args=[org_a.slug, 2567]), entry_data(2567, "60"))
    assert response.status_code == 409
    result_a.refresh_from_db()
    assert result_a.total_score == Decimal("91.93")


# --- detail: levels and analysis -------------------------------------------------------------------

def test_detail_shows_the_level_on_both_scales(client, result_a, org_a, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("ita:result_detail", args=[org_a.slug, 2567])).text
    # 2567 uses the new scale; EIT 84.50 < 85 makes 91.93 only "Pass"
    assert find(page, data_level="official")["text"] == th(str(NewLevel.PASS.label))
    assert find(page, data_level="old")["text"] == "A"
    assert find(page, data_level="new")["text"] == th(str(NewLevel.PASS.label))
    assert find(page, id="total-score")["text"] == "๙๑.๙๓"


def test_detail_of_an_old_scale_year_shows_the_letter_as_official(client, catalogue, org_a, staff_a):
    make_result(org_a, year=2565, total="86.70", tools={"IIT": "90", "EIT": "86", "OIT": "87"}, indicators={})
    client.force_login(staff_a)
    page = client.get(reverse("ita:result_detail", args=[org_a.slug, 2565])).text
    assert find(page, data_level="official")["text"] == "A"
    assert find(page, data_level="new")["text"] == th(str(NewLevel.GOOD.label))


def test_detail_says_when_the_new_level_cannot_be_computed(client, catalogue, org_a, staff_a):
    make_result(org_a, year=2568, total="90", tools={"IIT": "90"}, indicators={})
    client.force_login(staff_a)
    page = client.get(reverse("ita:result_detail", args=[org_a.slug, 2568])).text
    assert find(page, data_level="official")["text"] == th("Not computable")


def _indicator_numbers(section_html):
    return [int(e["attrs"]["data-indicator"]) for e in find_all(section_html, "li", data_indicator=True)]


def _section(page, section_id):
    start = page.index(f'id="{section_id}"')
    return page[start:page.index("</section>", start)]


def test_detail_lists_strengths_high_to_low_and_weaknesses_low_to_high(client, result_a, org_a, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("ita:result_detail", args=[org_a.slug, 2567])).text
    # threshold 85.00: 85.00 (indicator 4) is a strength, 84.99 (indicator 5) is a weakness
    assert _indicator_numbers(_section(page, "strengths")) == [9, 1, 8, 3, 6, 4]
    weaknesses = _section(page, "weaknesses")
    assert _indicator_numbers(weaknesses) == [7, 10, 2, 5]
    assert [e["attrs"]["data-oit"] for e in find_all(weaknesses, "li", data_oit=True)] == ["O12", "O30"]


def test_the_organisations_strength_threshold_is_used(client, result_a, org_a, staff_a):
    org_a.strength_threshold = Decimal("92")
    org_a.save()
    client.force_login(staff_a)
    page = client.get(reverse("ita:result_detail", args=[org_a.slug, 2567])).text
    assert _indicator_numbers(_section(page, "strengths")) == [9, 1, 8]


def test_each_weakness_links_to_a_prefilled_new_measure_of_the_next_fiscal_year(client, result_a, org_a, staff_a):
    IndicatorScore.objects.filter(result=result_a, indicator__number=7).update(issues_to_improve="ตอบคำถามช้า")
    client.force_login(staff_a)
    page = client.get(reverse("ita:result_detail", args=[org_a.slug, 2567])).text
    links = [unescape(e["attrs"]["href"]) for e in find_all(_section(page, "weaknesses"), "a", class_="create-measure")]
    assert len(links) == 6
    base = reverse("measures:create", args=[org_a.slug, 2568])
    assert all(link.startswith(base + "?") for link in links)
    first = parse_qs(urlsplit(links[0]).query)
    seven = Indicator.objects.get(year__year=2567, number=7)
    assert first == {"weakness": ["ตอบคำถามช้า"], "tools": ["EIT"], "indicators": [str(seven.pk)]}
    ten = parse_qs(urlsplit(links[1]).query)
    assert ten["weakness"] == [th("Indicator %(number)s %(name)s scored %(score)s",
                                  number="๑๐", name="การป้องกันการทุจริต", score="๗๘.๔๐")]
    o12 = parse_qs(urlsplit(links[4]).query)
    item = OITItem.objects.get(year__year=2567, code="O12")
    assert o12["tools"] == ["OIT"] and o12["oit_items"] == [str(item.pk)]
    assert o12["indicators"] == [str(item.indicator_id)]
    # the measure form opens prefilled (measures:create belongs to the Measures pages)
    form = client.get(links[0])
    assert form.status_code == 200 and "ตอบคำถามช้า" in form.text


def test_detail_lists_each_tool_with_its_issues_and_indicator_texts(client, result_a, org_a, staff_a):
    ToolScore.objects.filter(result=result_a, tool__code="EIT").update(issues_to_improve="ปรับปรุงการสื่อสาร")
    IndicatorScore.objects.filter(result=result_a, indicator__number=6).update(
        assessment_points="คุณภาพการให้บริการ", issues_to_improve="ลดขั้นตอน")
    client.force_login(staff_a)
    page = client.get(reverse("ita:result_detail", args=[org_a.slug, 2567])).text
    eit = find(page, "section", data_tool="EIT")["text"]
    assert "ปรับปรุงการสื่อสาร" in eit and "คุณภาพการให้บริการ" in eit and "ลดขั้นตอน" in eit
    assert "การปฏิบัติหน้าที่" in find(page, "section", data_tool="IIT")["text"]


def test_detail_runs_a_fixed_number_of_queries(client, result_a, org_a, staff_a, django_assert_max_num_queries):
    client.force_login(staff_a)
    url = reverse("ita:result_detail", args=[org_a.slug, 2567])
    with django_assert_max_num_queries(12):  # session, user, membership + 7 + the events + the provisional mark
        assert client.get(url).status_code == 200
