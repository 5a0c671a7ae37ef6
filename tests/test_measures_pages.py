"""Measures pages: list of a fiscal year (grouping, filters, query count), create/edit with steps and
sub-items, optimistic locking, delete rules, reorder, copy from last year, prefill from the analysis,
and tenant isolation of every URL."""
import re
from datetime import date

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from core.thai import to_thai_digits
from ita.models import OITItem
from orgs.models import Division
from measures import views as measure_views
from measures.forms import MeasureForm, StepFormSet
from measures.models import Measure, MeasureStep
from measures.services import StaleMeasure, StepRow, catalogue_year_for, save_measure
from reports.models import Document, DocumentKind, DocumentStatus, ProgressEntry

from .factories import (
    AssessmentYearFactory, IndicatorFactory, MeasureFactory, MeasureStepFactory, ToolFactory,
)

# --- factories and helpers ------------------------------------------------------------------


class OITItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OITItem

    year = factory.SubFactory(AssessmentYearFactory)
    number = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda o: f"O{o.number}")
    title = factory.Sequence(lambda n: f"รายการ OIT ที่ {n + 1}")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    fiscal_year = 2568
    kind = DocumentKind.PROGRESS
    round = 6
    revision = factory.Sequence(lambda n: n + 1)
    status = DocumentStatus.DRAFT


def th(message):
    """A message as the Thai page shows it (the default language), HTML-escaped: survives translation."""
    with translation.override("th"):
        return escape(translation.gettext(message))


def step_data(steps, prefix="steps"):
    """Formset data for rows (text, level[, label, due_date, id])."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(steps)), f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(steps):
        text, level, label, due, pk = (*row, "", "", "")[:5]
        data.update({
            f"{prefix}-{i}-text": text, f"{prefix}-{i}-level": str(level), f"{prefix}-{i}-label": label or "",
            f"{prefix}-{i}-due_date": due or "", f"{prefix}-{i}-id": str(pk) if pk else "",
        })
    return data


def measure_data(title="มาตรการส่งเสริมการเปิดเผยข้อมูลสาธารณะ", steps=(), **fields):
    data = {
        "group_heading": "", "title": title, "weakness": "", "guideline": "", "responsible_text": "",
        "start_month_0": "", "start_month_1": "", "end_month_0": "", "end_month_1": "",
        "timeline_text": "", "monitoring": "", "report_rounds": ["6", "12"],
    }
    data.update(step_data(steps))
    data.update(fields)
    return data


def is_checked(html, name, value):
    """Whether the page has the checkbox name=value ticked."""
    tags = re.findall(rf'<input[^>]*name="{name}"[^>]*value="{value}"[^>]*>', html)
    assert tags, f"no checkbox {name}={value}"
    return all(re.search(r"\schecked(\s|>|$)", tag) for tag in tags)


def url(name, *args):
    return reverse(f"measures:{name}", args=args)


@pytest.fixture
def measure_a(org_a):
    measure = MeasureFactory(organisation=org_a, fiscal_year=2568, title="มาตรการของเอ", order=0)
    MeasureStepFactory(measure=measure, text="ขั้นตอนเดิมของเอ", order=1)
    return measure


@pytest.fixture
def small_catalogue():
    """Assessment years 2566 and 2567 with indicators 1–3 and OIT items (O1, O2 in 2566; O1 in 2567)."""
    iit = ToolFactory(code="IIT", name="IIT", order=1)
    oit = ToolFactory(code="OIT", name="OIT", order=3)
    y66, y67 = AssessmentYearFactory(year=2566), AssessmentYearFactory(year=2567)
    ind = {}
    for y in (y66, y67):
        for n in (1, 2, 3):
            ind[(y.year, n)] = IndicatorFactory(year=y, tool=iit if n < 3 else oit, number=n,
                                                name=f"ตัวชี้วัด {n} ปี {y.year}")
    oits = {
        (2566, "O1"): OITItemFactory(year=y66, number=1, code="O1", title="โครงสร้าง 66"),
        (2566, "O2"): OITItemFactory(year=y66, number=2, code="O2", title="ข้อมูลผู้บริหาร 66"),
        (2567, "O1"): OITItemFactory(year=y67, number=1, code="O1", title="โครงสร้าง 67"),
    }
    return {"tools": {"IIT": iit, "OIT": oit}, "years": {2566: y66, 2567: y67}, "ind": ind, "oit": oits}


# --- access: every view, every role -------------------------------------------------------------

def _views(org, measure):
    return [
        ("get", url("index", org.slug)),
        ("get", url("list", org.slug, 2568)),
        ("get", url("create", org.slug, 2568)),
        ("get", url("copy", org.slug, 2569)),
        ("get", url("edit", org.slug, measure.pk)),
        ("get", url("delete", org.slug, measure.pk)),
        ("post", url("move", org.slug, measure.pk, "down")),
        ("post", url("create", org.slug, 2568)),
        ("post", url("edit", org.slug, measure.pk)),
        ("post", url("delete", org.slug, measure.pk)),
        ("post", url("copy", org.slug, 2569)),
    ]


def test_anonymous_is_sent_to_sign_in_everywhere(client, org_a, measure_a):
    for method, target in _views(org_a, measure_a):
        response = getattr(client, method)(target)
        assert response.status_code == 302, target
        assert response["Location"].startswith(reverse("login")), target
    assert Measure.objects.filter(pk=measure_a.pk).exists()


@pytest.mark.parametrize("user_fixture", ["staff_a", "approver_a", "admin_a"])
def test_members_of_any_role_can_use_every_page(request, client, org_a, measure_a, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    for method, target in _views(org_a, measure_a):
        if method == "post" and "delete" in target:
            continue  # would delete the measure the other URLs need; covered below
        response = getattr(client, method)(target)
        assert response.status_code in (200, 302, 409), (target, response.status_code)
    response = client.post(url("delete", org_a.slug, measure_a.pk))
    assert response.status_code == 302
    assert not Measure.objects.filter(pk=measure_a.pk).exists()


def test_other_organisation_gets_404_for_every_url_and_object(client, org_a, org_b, measure_a, staff_b):
    client.force_login(staff_b)
    for method, target in _views(org_a, measure_a):
        assert getattr(client, method)(target).status_code == 404, target
    # Their own slug with organisation A's measure id: still 404, and nothing changes.
    for method, target in _views(org_b, measure_a):
        if "/m/" in target:
            assert getattr(client, method)(target, measure_data(title="ของบี")).status_code == 404, target
    measure_a.refresh_from_db()
    assert measure_a.title == "มาตรการของเอ" and measure_a.version == 1
    assert Measure.objects.filter(organisation=org_b).count() == 0


def test_staff_b_cannot_copy_org_a_measures_into_their_year(client, org_a, org_b, measure_a, staff_b):
    client.force_login(staff_b)
    response = client.post(url("copy", org_b.slug, 2569), {"measures": [measure_a.pk]})
    assert response.status_code == 200  # the choice is invalid for organisation B: form error
    assert Measure.objects.filter(organisation=org_b).count() == 0


def test_move_needs_post(client, staff_a, org_a, measure_a):
    client.force_login(staff_a)
    assert client.get(url("move", org_a.slug, measure_a.pk, "up")).status_code == 405


def test_unknown_year_and_direction_are_404(client, staff_a, org_a, measure_a):
    client.force_login(staff_a)
    assert client.get(url("list", org_a.slug, 12)).status_code == 404
    assert client.post(url("move", org_a.slug, measure_a.pk, "sideways")).status_code == 404


# --- index and list ----------------------------------------------------------------------------

def test_index_goes_to_the_current_year_when_it_has_measures(client, staff_a, org_a, monkeypatch):
    monkeypatch.setattr(measure_views, "current_fiscal_year", lambda: 2568)
    MeasureFactory(organisation=org_a, fiscal_year=2568)
    MeasureFactory(organisation=org_a, fiscal_year=2569)
    client.force_login(staff_a)
    response = client.get(url("index", org_a.slug))
    assert response["Location"] == url("list", org_a.slug, 2568)


def test_index_falls_back_to_the_latest_year_with_measures(client, staff_a, org_a, org_b, monkeypatch):
    monkeypatch.setattr(measure_views, "current_fiscal_year", lambda: 2570)
    for year in (2566, 2567, 2568):
        MeasureFactory(organisation=org_a, fiscal_year=year)
    MeasureFactory(organisation=org_b, fiscal_year=2569)  # another organisation's year does not count
    client.force_login(staff_a)
    assert client.get(url("index", org_a.slug))["Location"] == url("list", org_a.slug, 2568)


def test_index_without_any_measure_goes_to_the_current_year(client, staff_a, org_a, monkeypatch):
    monkeypatch.setattr(measure_views, "current_fiscal_year", lambda: 2570)
    client.force_login(staff_a)
    assert client.get(url("index", org_a.slug))["Location"] == url("list", org_a.slug, 2570)


def test_list_groups_by_heading_in_order_with_details(client, staff_a, org_a, org_b, monkeypatch):
    monkeypatch.setattr(measure_views, "current_fiscal_year", lambda: 2570)
    palad, klang = org_a.divisions.order_by("order")
    first = MeasureFactory(organisation=org_a, order=0, group_heading="กลุ่มความโปร่งใส", title="มาตรการหนึ่ง",
                           start_month=date(2024, 10, 1), end_month=date(2025, 3, 1))
    first.divisions.set([palad, klang])
    MeasureStepFactory(measure=first, order=1)
    parent = MeasureStepFactory(measure=first, order=2)
    MeasureStepFactory(measure=first, parent=parent, order=1)
    MeasureFactory(organisation=org_a, order=1, group_heading="กลุ่มความโปร่งใส", title="มาตรการสอง",
                   responsible_text="ทุกกอง", timeline_text="ตลอดปีงบประมาณ")
    MeasureFactory(organisation=org_a, order=2, group_heading="กลุ่มการสื่อสาร", title="มาตรการสาม")
    MeasureFactory(organisation=org_a, fiscal_year=2566, title="มาตรการปีอื่น")
    MeasureFactory(organisation=org_b, title="มาตรการของบี")
    client.force_login(staff_a)
    html = client.get(url("list", org_a.slug, 2568)).content.decode()
    assert html.count("กลุ่มความโปร่งใส") == 1
    positions = [html.index(t) for t in ("กลุ่มความโปร่งใส", "มาตรการหนึ่ง", "มาตรการสอง", "กลุ่มการสื่อสาร",
                                          "มาตรการสาม")]
    assert positions == sorted(positions)
    assert "สำนักปลัด, กองคลัง" in html
    assert "ต.ค. ๖๗ – มี.ค. ๖๘" in html
    assert "ทุกกอง" in html and "ตลอดปีงบประมาณ" in html
    assert "มาตรการปีอื่น" not in html and "มาตรการของบี" not in html
    # two steps, one sub-item; the year selector offers the years with measures and the current one
    assert "๒" in html.split('id="measure-%d"' % first.pk)[1].split("data-step-count>")[1][:40]
    for year in ("๒๕๗๐", "๒๕๖๘", "๒๕๖๖"):
        assert f">{year}</option>" in html
    assert ">๒๕๖๗</option>" not in html


def test_list_step_count_counts_steps_and_sub_items(client, staff_a, org_a):
    measure = MeasureFactory(organisation=org_a)
    steps = [MeasureStepFactory(measure=measure, order=i) for i in range(3)]
    for i in range(4):
        MeasureStepFactory(measure=measure, parent=steps[0], order=i)
    client.force_login(staff_a)
    response = client.get(url("list", org_a.slug, 2568))
    measure_row = next(m for g in response.context["groups"] for m in g["measures"])
    assert (measure_row.step_count, measure_row.sub_item_count) == (3, 4)


def test_filters_by_division_tool_and_indicator(client, staff_a, org_a, org_b, small_catalogue):
    palad, klang = org_a.divisions.order_by("order")
    ind1, ind2 = small_catalogue["ind"][(2567, 1)], small_catalogue["ind"][(2567, 2)]
    m1 = MeasureFactory(organisation=org_a, title="มาตรการกองคลัง")
    m1.divisions.set([klang])
    m1.tools.set([small_catalogue["tools"]["IIT"]])
    m1.indicators.set([ind1])
    m2 = MeasureFactory(organisation=org_a, title="มาตรการสำนักปลัด")
    m2.divisions.set([palad])
    m2.tools.set([small_catalogue["tools"]["OIT"]])
    m2.indicators.set([ind2])
    client.force_login(staff_a)
    target = url("list", org_a.slug, 2568)

    def titles(**params):
        response = client.get(target, params)
        return {m.title for g in response.context["groups"] for m in g["measures"]}

    assert titles() == {"มาตรการกองคลัง", "มาตรการสำนักปลัด"}
    assert titles(division=klang.pk) == {"มาตรการกองคลัง"}
    assert titles(tool=small_catalogue["tools"]["OIT"].pk) == {"มาตรการสำนักปลัด"}
    assert titles(indicator=ind1.pk) == {"มาตรการกองคลัง"}
    assert titles(division=palad.pk, tool=small_catalogue["tools"]["IIT"].pk) == set()
    # Choices: this organisation's divisions only; the catalogue of 2567 for fiscal year 2568.
    filter_form = client.get(target).context["filter"].form
    assert set(filter_form.fields["division"].queryset) == {palad, klang}
    assert set(filter_form.fields["indicator"].queryset) == {small_catalogue["ind"][(2567, n)] for n in (1, 2, 3)}
    other_division = org_b.divisions.get()
    response = client.get(target, {"division": other_division.pk})
    assert response.context["filter"].form.errors  # another organisation's division is not a choice


def test_filters_through_htmx_return_the_list_only(client, staff_a, org_a):
    MeasureFactory(organisation=org_a, title="มาตรการเดียว")
    client.force_login(staff_a)
    response = client.get(url("list", org_a.slug, 2568), headers={"HX-Request": "true", "HX-Target": "measure-list"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="measure-list"') and "มาตรการเดียว" in html
    assert "<html" not in html


def _many_measures(org, small_catalogue, n_measures, n_steps_each):
    divisions = list(org.divisions.all())
    extra = [Division.objects.get_or_create(organisation=org, name=f"กองพิเศษ {i}")[0] for i in range(3)]
    indicators = [small_catalogue["ind"][(2567, n)] for n in (1, 2, 3)]
    for i in range(n_measures):
        m = MeasureFactory(organisation=org, order=i, group_heading=f"กลุ่ม {i // 5}",
                           start_month=date(2024, 10, 1), end_month=date(2025, 9, 1))
        m.divisions.set(divisions + extra[: i % 4])
        m.tools.set(small_catalogue["tools"].values())
        m.indicators.set(indicators[: 1 + i % 3])
        m.oit_items.set([small_catalogue["oit"][(2567, "O1")]])
        parent = None
        for j in range(n_steps_each):
            if j % 3 == 2:
                MeasureStepFactory(measure=m, parent=parent, order=j)
            else:
                parent = MeasureStepFactory(measure=m, order=j)


def _count_queries(client, target):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


LIST_QUERY_LIMIT = 17  # measured: 12 unfiltered; +1 per filter value checked, +1 for the total


def test_list_query_count_does_not_grow_with_measures(client, staff_a, org_a, small_catalogue,
                                                      django_assert_max_num_queries):
    client.force_login(staff_a)
    target = url("list", org_a.slug, 2568)
    _many_measures(org_a, small_catalogue, 1, 2)
    small, _ = _count_queries(client, target)
    Measure.objects.all().delete()
    _many_measures(org_a, small_catalogue, 50, 6)
    assert MeasureStep.objects.count() == 300
    with django_assert_max_num_queries(LIST_QUERY_LIMIT):
        response = client.get(target)
    assert len({m.pk for g in response.context["groups"] for m in g["measures"]}) == 50
    big, _ = _count_queries(client, target)
    assert big == small
    print(f"list page: {big} queries for 1 or 50 measures")
    # filtered (an m2m join) and the htmx partial stay within the limit too
    params = {"division": org_a.divisions.first().pk, "tool": small_catalogue["tools"]["IIT"].pk,
              "indicator": small_catalogue["ind"][(2567, 1)].pk}
    with django_assert_max_num_queries(LIST_QUERY_LIMIT):
        response = client.get(target, params)
    assert response.context["measure_count"] > 0
    with django_assert_max_num_queries(LIST_QUERY_LIMIT):
        client.get(target, headers={"HX-Request": "true", "HX-Target": "measure-list"})


def test_edit_page_query_count_is_fixed(client, staff_a, org_a, small_catalogue, django_assert_max_num_queries):
    _many_measures(org_a, small_catalogue, 1, 30)
    measure = Measure.objects.get()
    client.force_login(staff_a)
    with django_assert_max_num_queries(20):
        assert client.get(url("edit", org_a.slug, measure.pk)).status_code == 200


# --- create ---------------------------------------------------------------------------------------

def test_create_with_steps_and_sub_items_keeps_order_and_nesting(client, staff_a, org_a, small_catalogue):
    palad, klang = org_a.divisions.order_by("order")
    ind = small_catalogue["ind"][(2567, 2)]
    client.force_login(staff_a)
    data = measure_data(
        group_heading="มาตรการเพิ่มประสิทธิภาพการดำเนินงาน",
        title="ประชุมชี้แจงบุคลากรภายในให้มีความพร้อมในการให้บริการ",
        weakness="ผู้มารับบริการได้รับบริการไม่เท่าเทียมกัน",
        guideline="๑. จัดทำคู่มือ\n๒. เผยแพร่คู่มือ",
        steps=[
            ("จัดประชุมบุคลากรภายใน", 1, "", "15/1/2568"),
            ("จัดทำคู่มือการให้บริการ", 1),
            ("ระบุขั้นตอนและระยะเวลา", 2),
            ("เผยแพร่ผ่านเว็บไซต์", 2, "(ก)"),
            ("", 1),  # an empty row added and left empty is ignored
            ("ประเมินความพึงพอใจ", 1, "๙."),
        ],
        divisions=[str(klang.pk)], tools=[str(small_catalogue["tools"]["IIT"].pk)], indicators=[str(ind.pk)],
        oit_items=[str(small_catalogue["oit"][(2567, "O1")].pk)],
        start_month_0="2024-10", end_month_0="other", end_month_1="มี.ค. 69",
        report_rounds=["3", "12"], monitoring="รายงานผลรอบ ๖ เดือน",
    )
    response = client.post(url("create", org_a.slug, 2568), data)
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert response["Location"] == url("list", org_a.slug, 2568) + f"#measure-{measure.pk}"
    assert (measure.organisation, measure.fiscal_year, measure.version) == (org_a, 2568, 1)
    assert measure.group_heading == "มาตรการเพิ่มประสิทธิภาพการดำเนินงาน"
    assert measure.guideline == "๑. จัดทำคู่มือ\n๒. เผยแพร่คู่มือ"
    assert (measure.start_month, measure.end_month) == (date(2024, 10, 1), date(2026, 3, 1))
    assert measure.report_rounds == [3, 12]
    assert list(measure.divisions.all()) == [klang]
    assert list(measure.indicators.all()) == [ind]
    assert [o.code for o in measure.oit_items.all()] == ["O1"]
    tops = Measure.objects.with_details().get().top_steps()
    assert [(s.text, s.order, s.label) for s in tops] == [
        ("จัดประชุมบุคลากรภายใน", 1, ""), ("จัดทำคู่มือการให้บริการ", 2, ""), ("ประเมินความพึงพอใจ", 3, "๙."),
    ]
    assert tops[0].due_date == date(2025, 1, 15)
    assert [(s.text, s.order, s.label) for s in tops[1].children] == [
        ("ระบุขั้นตอนและระยะเวลา", 1, ""), ("เผยแพร่ผ่านเว็บไซต์", 2, "(ก)"),
    ]
    assert tops[0].children == [] and tops[2].children == []
    assert measure.history.first().history_user == staff_a


def test_new_measure_goes_after_its_group_or_at_the_end(client, staff_a, org_a):
    a = MeasureFactory(organisation=org_a, order=0, group_heading="กลุ่มหนึ่ง")
    b = MeasureFactory(organisation=org_a, order=1, group_heading="กลุ่มสอง")
    client.force_login(staff_a)
    client.post(url("create", org_a.slug, 2568), measure_data(title="ใหม่ในกลุ่มหนึ่ง", group_heading="กลุ่มหนึ่ง"))
    client.post(url("create", org_a.slug, 2568), measure_data(title="ใหม่ไม่มีกลุ่ม"))
    ordered = list(Measure.objects.filter(organisation=org_a).order_by("order", "pk").values_list("title", flat=True))
    assert ordered == [a.title, "ใหม่ในกลุ่มหนึ่ง", b.title, "ใหม่ไม่มีกลุ่ม"]


def test_error_keeps_everything_typed(client, staff_a, org_a):
    palad, klang = org_a.divisions.order_by("order")
    client.force_login(staff_a)
    data = measure_data(
        title="", weakness="จุดอ่อนที่พิมพ์ไว้ยาว ๆ", guideline="แนวทางที่พิมพ์ไว้",
        steps=[("ขั้นตอนแรกที่พิมพ์", 1), ("ข้อย่อยที่พิมพ์", 2, "(ก)"), ("ขั้นตอนที่สองที่พิมพ์", 1, "", "31/2/2568")],
        divisions=[str(klang.pk)], start_month_0="other", start_month_1="13/2568",
        responsible_text="ทุกสำนักทุกกอง", monitoring="ติดตามทุกไตรมาส",
    )
    response = client.post(url("create", org_a.slug, 2568), data)
    assert response.status_code == 200
    html = response.content.decode()
    for typed in ("จุดอ่อนที่พิมพ์ไว้ยาว ๆ", "แนวทางที่พิมพ์ไว้", "ขั้นตอนแรกที่พิมพ์", "ข้อย่อยที่พิมพ์", "(ก)",
                  "ขั้นตอนที่สองที่พิมพ์", "31/2/2568", "13/2568", "ทุกสำนักทุกกอง", "ติดตามทุกไตรมาส"):
        assert typed in html, typed
    assert is_checked(html, "divisions", klang.pk) and not is_checked(html, "divisions", palad.pk)
    assert html.count('name="steps-2-level" value="1"') == 1 and 'name="steps-1-level" value="2"' in html
    assert 'name="steps-TOTAL_FORMS" value="3"' in html
    # errors next to the fields, in the page's language
    with translation.override("th"):
        from django.forms import Field

        required = escape(str(Field.default_error_messages["required"]))
    assert required in html
    assert th("This date does not exist in the calendar.") in html
    assert th("Enter a month as month/Buddhist-era year, e.g. 10/2567.") in html
    assert Measure.objects.count() == 0


def test_sub_item_first_is_an_error(client, staff_a, org_a):
    client.force_login(staff_a)
    response = client.post(url("create", org_a.slug, 2568), measure_data(steps=[("ข้อย่อยลอย", 2)]))
    assert response.status_code == 200
    assert th("A sub-item must follow a step.") in response.content.decode()
    assert Measure.objects.count() == 0


def test_end_month_before_start_month_is_an_error(client, staff_a, org_a):
    client.force_login(staff_a)
    response = client.post(url("create", org_a.slug, 2568),
                           measure_data(start_month_0="2025-03", end_month_0="2024-10"))
    assert th("The end month is before the start month.") in response.content.decode()
    response = client.post(url("create", org_a.slug, 2568), measure_data(start_month_0="other"))
    assert th("Type the month, e.g. 10/2567.") in response.content.decode()
    assert Measure.objects.count() == 0


def test_month_picker_offers_the_months_of_the_fiscal_year(client, staff_a, org_a):
    client.force_login(staff_a)
    html = client.get(url("create", org_a.slug, 2568)).content.decode()
    assert '<option value="2024-10">ตุลาคม ๒๕๖๗</option>' in html
    assert '<option value="2025-09">กันยายน ๒๕๖๘</option>' in html
    assert '<option value="2025-10">' not in html
    assert '<option value="other">' in html


def test_catalogue_choices_come_from_the_previous_assessment_year(staff_a, org_a, small_catalogue):
    form = MeasureForm(org=org_a, fiscal_year=2568)
    assert set(form.fields["indicators"].queryset) == {small_catalogue["ind"][(2567, n)] for n in (1, 2, 3)}
    assert list(form.fields["oit_items"].queryset) == [small_catalogue["oit"][(2567, "O1")]]
    assert catalogue_year_for(2567).year == 2566
    assert catalogue_year_for(2575).year == 2567  # nearest loaded
    assert catalogue_year_for(2560).year == 2566
    assert set(MeasureForm(org=org_a, fiscal_year=2567).fields["divisions"].queryset) == set(org_a.divisions.all())


def test_prefill_from_the_analysis_page(client, staff_a, org_a, small_catalogue):
    ind = small_catalogue["ind"][(2567, 2)]
    item = small_catalogue["oit"][(2567, "O1")]
    old_item = small_catalogue["oit"][(2566, "O2")]  # not in this year's catalogue: ignored
    client.force_login(staff_a)
    response = client.get(url("create", org_a.slug, 2568), {
        "weakness": "ตัวชี้วัดที่ ๒ การใช้งบประมาณ ได้คะแนนต่ำสุด", "title": "มาตรการใช้งบประมาณอย่างโปร่งใส",
        "tools": ["IIT", "XYZ"], "indicators": [str(ind.pk), "abc"], "oit_items": [str(item.pk), str(old_item.pk)],
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert form["weakness"].value() == "ตัวชี้วัดที่ ๒ การใช้งบประมาณ ได้คะแนนต่ำสุด"
    assert form["title"].value() == "มาตรการใช้งบประมาณอย่างโปร่งใส"
    assert [int(v) for v in form["tools"].value()] == [small_catalogue["tools"]["IIT"].pk]
    assert [int(v) for v in form["indicators"].value()] == [ind.pk]
    assert [int(v) for v in form["oit_items"].value()] == [item.pk]
    html = response.content.decode()
    assert "ตัวชี้วัดที่ ๒ การใช้งบประมาณ ได้คะแนนต่ำสุด" in html
    assert is_checked(html, "indicators", ind.pk)
    assert not is_checked(html, "indicators", small_catalogue["ind"][(2567, 1)].pk)


# --- edit and optimistic locking ---------------------------------------------------------------

def _post_rows(measure):
    tops = Measure.objects.with_details().get(pk=measure.pk).top_steps()
    return tops


def test_edit_updates_reorders_and_removes_steps(client, staff_a, org_a, measure_a):
    old = measure_a.steps.get()
    gone = MeasureStepFactory(measure=measure_a, text="ขั้นตอนที่จะลบ", order=2)
    client.force_login(staff_a)
    html = client.get(url("edit", org_a.slug, measure_a.pk)).content.decode()
    assert "ขั้นตอนเดิมของเอ" in html and 'name="version"' in html
    data = measure_data(title="มาตรการของเอ (แก้)", version="1", steps=[
        ("ขั้นตอนใหม่ก่อน", 1), ("ขั้นตอนเดิมของเอ แก้แล้ว", 1, "", "", old.pk), ("ข้อย่อยใหม่", 2),
    ])
    response = client.post(url("edit", org_a.slug, measure_a.pk), data)
    assert response.status_code == 302
    measure_a.refresh_from_db()
    assert (measure_a.title, measure_a.version) == ("มาตรการของเอ (แก้)", 2)
    tops = _post_rows(measure_a)
    assert [s.text for s in tops] == ["ขั้นตอนใหม่ก่อน", "ขั้นตอนเดิมของเอ แก้แล้ว"]
    assert tops[1].pk == old.pk and [c.text for c in tops[1].children] == ["ข้อย่อยใหม่"]
    assert not MeasureStep.objects.filter(pk=gone.pk).exists()


def test_edit_cannot_take_over_another_measures_step(client, staff_a, org_a, measure_a, org_b):
    foreign = MeasureStepFactory(measure=MeasureFactory(organisation=org_b), text="ขั้นตอนของบี")
    client.force_login(staff_a)
    data = measure_data(title="มาตรการของเอ", version="1", steps=[("ยึดขั้นตอน", 1, "", "", foreign.pk)])
    assert client.post(url("edit", org_a.slug, measure_a.pk), data).status_code == 302
    foreign.refresh_from_db()
    assert (foreign.text, foreign.measure.organisation) == ("ขั้นตอนของบี", org_b)
    assert measure_a.steps.get().text == "ยึดขั้นตอน"


def test_stale_version_is_refused_and_both_versions_are_shown(client, staff_a, approver_a, org_a, measure_a):
    approver_a.first_name, approver_a.last_name = "มาลี", "ผู้อนุมัติ"
    approver_a.save()
    # approver_a saves first, from version 1
    client.force_login(approver_a)
    theirs = measure_data(title="ชื่อมาตรการของผู้อนุมัติ", version="1", steps=[("ขั้นตอนของผู้อนุมัติ", 1)])
    assert client.post(url("edit", org_a.slug, measure_a.pk), theirs).status_code == 302
    # staff_a had loaded version 1 too
    client.force_login(staff_a)
    mine = measure_data(title="ชื่อมาตรการของเจ้าหน้าที่", version="1",
                        steps=[("ขั้นตอนของเจ้าหน้าที่", 1), ("ข้อย่อยของเจ้าหน้าที่", 2)])
    response = client.post(url("edit", org_a.slug, measure_a.pk), mine)
    assert response.status_code == 409
    html = response.content.decode()
    for text in ("ชื่อมาตรการของเจ้าหน้าที่", "ขั้นตอนของเจ้าหน้าที่", "ข้อย่อยของเจ้าหน้าที่",  # mine, kept
                 "ชื่อมาตรการของผู้อนุมัติ", "ขั้นตอนของผู้อนุมัติ", "มาลี ผู้อนุมัติ"):  # theirs, shown
        assert text in html, text
    assert th("Someone else saved this measure while you were editing it") in html
    measure_a.refresh_from_db()
    assert (measure_a.title, measure_a.version) == ("ชื่อมาตรการของผู้อนุมัติ", 2)
    assert [s.text for s in measure_a.steps.all()] == ["ขั้นตอนของผู้อนุมัติ"]
    # Saving again without confirming is refused again; confirming against version 2 saves.
    assert client.post(url("edit", org_a.slug, measure_a.pk), mine).status_code == 409
    response = client.post(url("edit", org_a.slug, measure_a.pk), {**mine, "confirm_version": "2"})
    assert response.status_code == 302
    measure_a.refresh_from_db()
    assert (measure_a.title, measure_a.version) == ("ชื่อมาตรการของเจ้าหน้าที่", 3)


def test_stale_and_invalid_shows_the_conflict_and_keeps_input(client, staff_a, org_a, measure_a):
    Measure.objects.filter(pk=measure_a.pk).update(title="ชื่อที่คนอื่นบันทึก", version=5)
    client.force_login(staff_a)
    response = client.post(url("edit", org_a.slug, measure_a.pk),
                           measure_data(title="", version="1", steps=[("ขั้นตอนที่ยังไม่บันทึก", 1)]))
    html = response.content.decode()
    assert "ชื่อที่คนอื่นบันทึก" in html and "ขั้นตอนที่ยังไม่บันทึก" in html
    assert 'name="confirm_version" value="5"' in html


def test_conflict_panel_numbers_steps_once_in_thai_digits(client, staff_a, org_a, measure_a):
    MeasureStepFactory(measure=measure_a, text="2. ขั้นตอนที่พิมพ์เลขเอง", order=2)
    Measure.objects.filter(pk=measure_a.pk).update(version=5)
    client.force_login(staff_a)
    html = client.post(url("edit", org_a.slug, measure_a.pk),
                       measure_data(version="1", steps=[("ขั้นตอนของฉัน", 1)])).content.decode()
    assert "๑. ขั้นตอนเดิมของเอ" in html and "๒. ขั้นตอนที่พิมพ์เลขเอง" in html
    assert "2. ขั้นตอนที่พิมพ์เลขเอง" not in html


def test_save_measure_service_refuses_the_second_of_two_saves_from_one_version(staff_a, org_a, measure_a):
    def form_for(title):
        form = MeasureForm(measure_data(title=title), instance=Measure.objects.get(pk=measure_a.pk),
                           org=org_a, fiscal_year=2568)
        assert form.is_valid(), form.errors
        return form

    first, second = form_for("ครั้งแรก"), form_for("ครั้งที่สอง")
    save_measure(first, [StepRow("ก")], actor=staff_a, expected_version=1)
    with pytest.raises(StaleMeasure) as exc:
        save_measure(second, [StepRow("ข")], actor=staff_a, expected_version=1)
    assert exc.value.current.title == "ครั้งแรก"
    measure_a.refresh_from_db()
    assert (measure_a.title, measure_a.version) == ("ครั้งแรก", 2)
    assert [s.text for s in measure_a.steps.all()] == ["ก"]


def test_step_formset_ignores_blank_rows_and_reads_levels():
    formset = StepFormSet(step_data([("หนึ่ง", 1), ("", 2), ("ย่อย", 2, "", "1/10/2567")]), prefix="steps")
    assert formset.is_valid(), formset.errors
    rows = formset.step_rows()
    assert [(r.text, r.level, r.due_date) for r in rows] == [("หนึ่ง", 1, None), ("ย่อย", 2, date(2024, 10, 1))]


# --- delete ------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [DocumentStatus.SUBMITTED, DocumentStatus.APPROVED, DocumentStatus.PUBLISHED])
def test_delete_is_refused_when_a_locked_report_includes_it(client, staff_a, org_a, measure_a, status):
    document = DocumentFactory(organisation=org_a, status=status)
    ProgressEntry.objects.create(document=document, measure=measure_a, output="ทำแล้ว")
    client.force_login(staff_a)
    page = client.get(url("delete", org_a.slug, measure_a.pk)).content.decode()
    assert "data-delete-refused" in page and "data-confirm-delete" not in page
    response = client.post(url("delete", org_a.slug, measure_a.pk))
    assert response.status_code == 409
    assert th("This measure cannot be deleted: a submitted, approved or published report includes it.") in (
        response.content.decode()
    )
    assert Measure.objects.filter(pk=measure_a.pk).exists() and ProgressEntry.objects.count() == 1


@pytest.mark.parametrize("status", [DocumentStatus.DRAFT, DocumentStatus.WITHDRAWN])
def test_delete_is_allowed_with_only_unpublished_reports(client, staff_a, org_a, measure_a, status):
    document = DocumentFactory(organisation=org_a, status=status)
    ProgressEntry.objects.create(document=document, measure=measure_a)
    client.force_login(staff_a)
    page = client.get(url("delete", org_a.slug, measure_a.pk)).content.decode()
    assert "data-confirm-delete" in page and document.get_status_display() in page
    response = client.post(url("delete", org_a.slug, measure_a.pk))
    assert response.status_code == 302 and response["Location"] == url("list", org_a.slug, 2568)
    assert not Measure.objects.filter(pk=measure_a.pk).exists()
    assert not MeasureStep.objects.exists() and not ProgressEntry.objects.exists()


def test_delete_without_reports(client, staff_a, org_a, measure_a):
    client.force_login(staff_a)
    assert client.post(url("delete", org_a.slug, measure_a.pk)).status_code == 302
    assert not Measure.objects.exists()


# --- reorder ---------------------------------------------------------------------------------------

def test_move_up_and_down(client, staff_a, org_a):
    a, b, c = (MeasureFactory(organisation=org_a, order=0, title=t) for t in ("ก", "ข", "ค"))  # same order: by pk
    other_year = MeasureFactory(organisation=org_a, fiscal_year=2569, order=0)
    client.force_login(staff_a)

    def titles():
        return list(Measure.objects.filter(fiscal_year=2568).order_by("order", "pk").values_list("title", flat=True))

    assert client.post(url("move", org_a.slug, c.pk, "up")).status_code == 302
    assert titles() == ["ก", "ค", "ข"]
    response = client.post(url("move", org_a.slug, a.pk, "down"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.content.decode().lstrip().startswith('<div id="measure-list"')
    assert titles() == ["ค", "ก", "ข"]
    client.post(url("move", org_a.slug, c.pk, "up"))  # already first
    assert titles() == ["ค", "ก", "ข"]
    other_year.refresh_from_db()
    assert other_year.order == 0
    assert Measure.objects.get(pk=a.pk).version == 1  # order is not content


# --- copy from last year --------------------------------------------------------------------------

@pytest.fixture
def last_year(org_a, small_catalogue):
    """Two measures of fiscal year 2568 (catalogue 2567) in organisation A."""
    palad, klang = org_a.divisions.order_by("order")
    first = MeasureFactory(organisation=org_a, fiscal_year=2568, order=0, group_heading="กลุ่มเดิม",
                           title="มาตรการปีที่แล้วหนึ่ง", start_month=date(2024, 10, 1), end_month=date(2025, 3, 1),
                           report_rounds=[6, 12], monitoring="ติดตามรอบ ๖ เดือน")
    first.divisions.set([klang])
    first.tools.set([small_catalogue["tools"]["IIT"]])
    first.indicators.set([small_catalogue["ind"][(2566, 2)]])  # an older catalogue: mapped by number
    first.oit_items.set([small_catalogue["oit"][(2567, "O1")]])
    step = MeasureStepFactory(measure=first, order=1, text="ขั้นตอนปีที่แล้ว", due_date=date(2025, 1, 15))
    MeasureStepFactory(measure=first, parent=step, order=1, text="ข้อย่อยปีที่แล้ว", label="(ก)")
    MeasureStepFactory(measure=first, order=2, text="ขั้นตอนที่สองปีที่แล้ว")
    second = MeasureFactory(organisation=org_a, fiscal_year=2568, order=1, title="มาตรการปีที่แล้วสอง")
    return first, second


def test_copy_page_lists_last_years_measures(client, staff_a, org_a, last_year):
    client.force_login(staff_a)
    html = client.get(url("copy", org_a.slug, 2569)).content.decode()
    assert "มาตรการปีที่แล้วหนึ่ง" in html and "มาตรการปีที่แล้วสอง" in html
    assert 'name="measures"' in html and "data-already-copied" not in html


def test_copy_creates_copies_with_steps_and_mapped_catalogue(client, staff_a, org_a, last_year, small_catalogue):
    first, second = last_year
    existing = MeasureFactory(organisation=org_a, fiscal_year=2569, order=7, title="มาตรการใหม่ที่มีอยู่แล้ว")
    client.force_login(staff_a)
    response = client.post(url("copy", org_a.slug, 2569), {"measures": [first.pk]})
    assert response.status_code == 302 and response["Location"] == url("list", org_a.slug, 2569)
    copy = Measure.objects.get(fiscal_year=2569, copied_from=first)
    assert copy.order > existing.order and copy.pk != first.pk
    assert (copy.title, copy.group_heading, copy.monitoring) == (first.title, "กลุ่มเดิม", "ติดตามรอบ ๖ เดือน")
    assert (copy.start_month, copy.end_month) == (date(2025, 10, 1), date(2026, 3, 1))
    assert copy.report_rounds == [6, 12] and copy.version == 1
    assert list(copy.divisions.all()) == list(first.divisions.all())
    assert list(copy.tools.all()) == [small_catalogue["tools"]["IIT"]]
    # fiscal year 2569 answers assessment year 2568, not loaded: the nearest (2567) is used
    assert list(copy.indicators.all()) == [small_catalogue["ind"][(2567, 2)]]
    assert list(copy.oit_items.all()) == [small_catalogue["oit"][(2567, "O1")]]
    tops = Measure.objects.with_details().get(pk=copy.pk).top_steps()
    assert [s.text for s in tops] == ["ขั้นตอนปีที่แล้ว", "ขั้นตอนที่สองปีที่แล้ว"]
    assert [(c.text, c.label) for c in tops[0].children] == [("ข้อย่อยปีที่แล้ว", "(ก)")]
    assert tops[0].due_date == date(2026, 1, 15)
    assert set(MeasureStep.objects.filter(measure=first).values_list("text", flat=True)) == {
        "ขั้นตอนปีที่แล้ว", "ข้อย่อยปีที่แล้ว", "ขั้นตอนที่สองปีที่แล้ว",
    }  # the original is untouched
    assert Measure.objects.filter(fiscal_year=2569, copied_from=second).count() == 0


def test_copy_drops_catalogue_items_without_counterpart(client, staff_a, org_a, last_year, small_catalogue):
    first, _ = last_year
    first.oit_items.add(small_catalogue["oit"][(2566, "O2")])  # no O2 in the 2567 catalogue
    client.force_login(staff_a)
    response = client.post(url("copy", org_a.slug, 2569), {"measures": [first.pk]}, follow=True)
    copy = Measure.objects.get(copied_from=first)
    assert [o.code for o in copy.oit_items.all()] == ["O1"]
    assert any(m.level_tag == "warning" for m in response.context["messages"])


def test_copying_twice_warns_and_needs_confirmation(client, staff_a, org_a, last_year):
    first, second = last_year
    client.force_login(staff_a)
    client.post(url("copy", org_a.slug, 2569), {"measures": [first.pk, second.pk]})
    assert Measure.objects.filter(fiscal_year=2569).count() == 2
    html = client.get(url("copy", org_a.slug, 2569)).content.decode()
    assert html.count("data-already-copied") == 2
    response = client.post(url("copy", org_a.slug, 2569), {"measures": [first.pk]})
    assert response.status_code == 200 and 'name="confirm_duplicates"' in response.content.decode()
    assert Measure.objects.filter(fiscal_year=2569).count() == 2
    response = client.post(url("copy", org_a.slug, 2569), {"measures": [first.pk], "confirm_duplicates": "on"})
    assert response.status_code == 302
    assert Measure.objects.filter(fiscal_year=2569, copied_from=first).count() == 2


def test_copy_needs_a_choice(client, staff_a, org_a, last_year):
    client.force_login(staff_a)
    response = client.post(url("copy", org_a.slug, 2569), {})
    assert response.status_code == 200
    assert th("Choose at least one measure to copy.") in response.content.decode()
    assert not Measure.objects.filter(fiscal_year=2569).exists()


def test_copy_page_offers_every_earlier_year_with_measures(client, staff_a, org_a, org_b, last_year):
    """2568 has measures (last_year), 2566 too; 2567 has none, 2570 is later, org B's 2565 is not ours."""
    MeasureFactory(organisation=org_a, fiscal_year=2566, title="มาตรการสองปีก่อน")
    MeasureFactory(organisation=org_a, fiscal_year=2570, title="มาตรการปีหน้า")
    MeasureFactory(organisation=org_b, fiscal_year=2565, title="มาตรการของอีกหน่วยงาน")
    client.force_login(staff_a)
    html = client.get(url("copy", org_a.slug, 2569)).content.decode()
    select = html[html.index('id="copy-source"'):]
    select = select[:select.index("</select>")]
    assert re.findall(r'value="(\d+)"', select) == ["2568", "2566"]
    assert re.search(r'value="2568" selected>๒๕๖๘<', select)  # the year before is the default
    assert "มาตรการปีที่แล้วหนึ่ง" in html and "มาตรการสองปีก่อน" not in html
    html = client.get(url("copy", org_a.slug, 2569) + "?from=๒๕๖๖").content.decode()
    assert "มาตรการสองปีก่อน" in html and "มาตรการปีที่แล้วหนึ่ง" not in html
    assert '<input type="hidden" name="from" value="2566">' in html
    for wrong in ("2570", "2565", "abc"):  # later, another organisation's, not a year: the default
        html = client.get(url("copy", org_a.slug, 2569) + f"?from={wrong}").content.decode()
        assert "มาตรการปีที่แล้วหนึ่ง" in html and "มาตรการของอีกหน่วยงาน" not in html


def test_copy_from_two_years_back_moves_months_and_due_dates_two_years(client, staff_a, org_a, last_year):
    """Nothing in 2569: the copy into 2570 offers 2568 (the latest with measures) and moves dates by two."""
    first, second = last_year
    client.force_login(staff_a)
    html = client.get(url("copy", org_a.slug, 2570)).content.decode()
    assert re.search(r'value="2568" selected>', html)
    response = client.post(url("copy", org_a.slug, 2570), {"from": "2568", "measures": [first.pk]}, follow=True)
    assert response.redirect_chain[-1][0] == url("list", org_a.slug, 2570)
    copy = Measure.objects.with_details().get(fiscal_year=2570, copied_from=first)
    assert (copy.start_month, copy.end_month) == (date(2026, 10, 1), date(2027, 3, 1))
    assert copy.top_steps()[0].due_date == date(2027, 1, 15)
    assert to_thai_digits(th("%(count)d measure was copied from fiscal year %(year)d.") % {
        "count": 1, "year": 2568}) in response.content.decode()  # "คัดลอกมาตรการ ๑ มาตรการจากปีงบประมาณ ๒๕๖๘ แล้ว"


def test_a_measure_of_another_year_than_the_chosen_one_is_refused(client, staff_a, org_a, last_year):
    first, _ = last_year
    older = MeasureFactory(organisation=org_a, fiscal_year=2566, title="มาตรการสองปีก่อน")
    client.force_login(staff_a)
    response = client.post(url("copy", org_a.slug, 2569), {"from": "2568", "measures": [older.pk]})
    assert response.status_code == 200 and 'class="alert alert-danger' in response.content.decode()
    assert not Measure.objects.filter(fiscal_year=2569).exists()
    response = client.post(url("copy", org_a.slug, 2569), {"from": "2566", "measures": [older.pk]})
    assert response.status_code == 302
    assert Measure.objects.get(fiscal_year=2569).copied_from == older


def test_copy_page_without_any_earlier_measures_says_so(client, staff_a, org_a):
    MeasureFactory(organisation=org_a, fiscal_year=2569)
    client.force_login(staff_a)
    html = client.get(url("copy", org_a.slug, 2569)).content.decode()
    assert 'id="copy-source"' not in html and 'name="measures"' not in html
    assert th("No fiscal year before %(year)s has measures to copy.") % {"year": "๒๕๖๙"} in html


def test_prefill_ticks_the_tools_of_the_chosen_indicators(client, staff_a, org_a, small_catalogue):
    client.force_login(staff_a)
    ind = small_catalogue["ind"][(2567, 3)]  # an OIT indicator
    response = client.get(url("create", org_a.slug, 2568), {"indicators": [ind.pk]})
    assert [int(v) for v in response.context["form"]["tools"].value()] == [small_catalogue["tools"]["OIT"].pk]
