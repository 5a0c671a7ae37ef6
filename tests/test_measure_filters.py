"""The measures list's filters are plain selects (core.forms.PlainSelect): the same HTML as Django's
Select, written without a template per option, their choices read by one plain query each, once a page
(the list's badges use the same rows)."""
import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.forms import PlainSelect
from ita.models import Tool

from .helpers.measure_pages import url

pytestmark = pytest.mark.django_db


class Both(forms.Form):
    """Each field twice: Django's Select and the plain one."""
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, make in FIELDS.items():
            self.fields[name] = make(forms.Select(attrs=ATTRS))
            self.fields[f"{name}_plain"] = make(PlainSelect(attrs=ATTRS))


ATTRS = {"class": "form-select form-select-sm", "data-x": 'a"b<c>', "disabled": False, "autofocus": True}
FIELDS = {
    "tool": lambda widget: forms.ModelChoiceField(Tool.objects.order_by("order"), widget=widget,
                                                  empty_label="ทุกเครื่องมือ <ทั้งหมด>"),
    "tool_required": lambda widget: forms.ModelChoiceField(Tool.objects.order_by("order"), widget=widget,
                                                           empty_label=None),
    "grouped": lambda widget: forms.ChoiceField(widget=widget, choices=[
        ("", "— เลือก —"), ("ไอไอที & อีไอที", [("1", "ข้อ ๑"), ("2", 'ข้อ "๒"')]), ("3", "ข้อ ๓"),
    ]),
}


def test_a_plain_select_writes_what_djangos_select_writes():
    Tool.objects.create(code="IIT", name="แบบวัด <IIT>", order=1)
    oit = Tool.objects.create(code="OIT", name="แบบวัด & OIT", order=3)
    for data in ({}, {"tool": oit.pk, "tool_plain": oit.pk, "tool_required": oit.pk,
                      "tool_required_plain": oit.pk, "grouped": "2", "grouped_plain": "2"}):
        form = Both(data or None)
        for name in FIELDS:
            django_html = str(form[name]).replace(f'name="{name}"', 'name="N"').replace(f'id="id_{name}"', 'id="I"')
            plain_html = str(form[f"{name}_plain"]).replace(f'name="{name}_plain"', 'name="N"').replace(
                f'id="id_{name}_plain"', 'id="I"')
            assert plain_html == django_html
    assert '<option value="2" selected>ข้อ &quot;๒&quot;</option>' in plain_html
    assert '<optgroup label="ไอไอที &amp; อีไอที">' in plain_html


def test_the_filters_choices_are_read_without_a_server_side_cursor(client, staff_a, org_a, small_catalogue):
    client.force_login(staff_a)
    oit = small_catalogue["tools"]["OIT"]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url("list", org_a.slug, 2568), {"tool": oit.pk})
    assert f'<option value="{oit.pk}" selected>OIT</option>' in response.text
    assert '<option value="" selected>' in response.text  # all divisions, all indicators
    # the choices, read once: for the select and for the measures' tool badges
    assert len([q for q in captured if 'FROM "ita_tool" ORDER BY' in q["sql"]]) == 1
    assert not [q["sql"] for q in captured if "CURSOR" in q["sql"]]  # PostgreSQL: DECLARE ... CURSOR


def test_each_page_reads_the_choices_afresh(client, staff_a, org_a):
    """The rows a filter keeps belong to one request's form, never to the filter class."""
    client.force_login(staff_a)
    target = url("list", org_a.slug, 2568)
    assert "กองช่างใหม่" not in client.get(target).text
    org_a.divisions.create(name="กองช่างใหม่", order=9)
    assert ">กองช่างใหม่</option>" in client.get(target).text


@pytest.mark.parametrize("value", ["{pk}", " {pk} ", "{thai}", "{other}", "abc", "9999999", "1.5", "{pk}\x00"])
def test_a_chosen_value_is_checked_among_the_rows_as_djangos_field_checks_it(org_a, org_b, value):
    """The filter finds the chosen division among the rows it read for its select (no query of its own),
    and accepts or refuses exactly what Django's ModelChoiceField does with queryset.get()."""
    from django.core.exceptions import ValidationError

    from core.thai import to_thai_digits
    from measures.filters import MeasureFilter
    from orgs.models import Division

    mine = org_a.divisions.create(name="กองคลัง ทดสอบ", order=9)
    value = value.format(pk=mine.pk, thai=to_thai_digits(mine.pk), other=org_b.divisions.first().pk)
    ours = MeasureFilter(None, org=org_a, fiscal_year=2570, catalogue_year=None).form.fields["division"]
    django = forms.ModelChoiceField(Division.objects.filter(organisation=org_a))

    def outcome(field):
        try:
            return field.clean(value)
        except ValidationError as error:
            return error.messages

    ours.rows()
    with CaptureQueriesContext(connection) as captured:
        checked = outcome(ours)
    assert checked == outcome(django) and len(captured) == 0
