"""The measure form: create and edit a measure with its steps and sub-items, what an error keeps of what was
typed, the month picker and the catalogue choices, prefill from the analysis page, and optimistic locking
(a stale save refused, both versions shown). The measures list, delete, reorder and copy pages are
tests/test_measures_pages.py."""
from datetime import date

import pytest
from django.utils import translation
from django.utils.html import escape

from measures.forms import MeasureForm, StepFormSet
from measures.models import Measure, MeasureStep
from measures.services import StaleMeasure, StepRow, catalogue_year_for, save_measure

from .factories import MeasureFactory, MeasureStepFactory
from .helpers.measure_pages import is_checked, measure_data, step_data, th, url

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



def test_prefill_ticks_the_tools_of_the_chosen_indicators(client, staff_a, org_a, small_catalogue):
    client.force_login(staff_a)
    ind = small_catalogue["ind"][(2567, 3)]  # an OIT indicator
    response = client.get(url("create", org_a.slug, 2568), {"indicators": [ind.pk]})
    assert [int(v) for v in response.context["form"]["tools"].value()] == [small_catalogue["tools"]["OIT"].pk]
