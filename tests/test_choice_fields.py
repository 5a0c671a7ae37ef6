"""Model choice fields (core.forms.ModelChoiceField, ModelMultipleChoiceField) read their choices by one
plain query: the same choices as Django's fields, never through a chunked (on PostgreSQL: server-side)
cursor, on every form page that has such a select. Lists of checkboxes and radio buttons are written by the
project's copy of crispy-bootstrap5's template (an option's attributes by a filter, not an include per
option): byte for byte what the package's own template writes."""
import pytest
from django import forms
from django.db import connections
from django.urls import reverse
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

from core import forms as core_forms
from oit import services as oit_services
from orgs.models import Division

from .factories import MeasureFactory
from .helpers.measure_pages import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def chunked_cursors(monkeypatch):
    """How many chunked cursors (Django's QuerySet.iterator()) the code under test opens."""
    connection = connections["default"]
    opened = []
    chunked = connection.chunked_cursor

    def counting():
        opened.append(1)
        return chunked()

    monkeypatch.setattr(connection, "chunked_cursor", counting)
    return opened


@pytest.mark.parametrize("ours, django", [
    (core_forms.ModelChoiceField, forms.ModelChoiceField),
    (core_forms.ModelMultipleChoiceField, forms.ModelMultipleChoiceField),
])
def test_the_same_choices_as_djangos_fields_read_afresh(org_a, chunked_cursors, ours, django):
    divisions = Division.objects.filter(organisation=org_a).order_by("order")
    mine, theirs = ours(queryset=divisions), django(queryset=divisions)
    assert [(str(v), str(label)) for v, label in mine.choices] == [(str(v), str(label)) for v, label in theirs.choices]
    assert len(list(mine.choices)) == org_a.divisions.count() + (1 if ours is core_forms.ModelChoiceField else 0)
    assert len(chunked_cursors) == 1  # Django's field, once
    Division.objects.create(organisation=org_a, name="กองใหม่", order=99)
    assert "กองใหม่" in [str(label) for _v, label in mine.choices]
    assert len(chunked_cursors) == 1


def test_the_measure_form_reads_its_catalogue_and_divisions_by_plain_queries(
        client, staff_a, org_a, small_catalogue, chunked_cursors):
    measure = MeasureFactory(organisation=org_a)
    client.force_login(staff_a)
    page = client.get(url("edit", org_a.slug, measure.pk)).text
    assert "ตัวชี้วัด 1 ปี 2567" in page and "สำนักปลัด" in page and small_catalogue["oit"][(2567, "O1")].title in page
    assert chunked_cursors == []


@pytest.mark.usefixtures("catalogue")
def test_the_oit_item_page_reads_its_divisions_by_a_plain_query(client, staff_a, org_a, chunked_cursors):
    row = oit_services.open_register(org_a, 2569).rows.get(code="O1")
    client.force_login(staff_a)
    page = client.get(reverse("oit:row", args=[org_a.slug, row.pk])).text
    assert ">กองคลัง</option>" in page
    assert chunked_cursors == []


class Choices(forms.Form):
    many = forms.MultipleChoiceField(
        choices=[("1", "ข้อ <1> & ข้อ 2"), ("x\"y", "ค่า 'พิเศษ'"), ("3", "สาม")], required=True,
        widget=forms.CheckboxSelectMultiple(attrs={"data-note": 'a "quoted" <value>', "disabled": True,
                                                   "hidden": False}))
    one = forms.ChoiceField(choices=[("a", "ก"), ("b", "ข")], widget=forms.RadioSelect, required=True,
                            help_text="เลือกหนึ่งข้อ")
    grouped = forms.MultipleChoiceField(choices=[("กลุ่ม ๑", [("g1", "หนึ่ง"), ("g2", "สอง")]), ("g3", "สาม")],
                                        widget=forms.CheckboxSelectMultiple, required=False)


def _as_the_package_writes(settings, fields):
    """Each field as crispy writes it with the project's templates, then with the package's own (the
    project's template directory taken away)."""
    ours = [as_crispy_field(field) for field in fields]
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": []}]
    theirs = [as_crispy_field(field) for field in fields]
    return ours, theirs


@pytest.mark.parametrize("data", [None, {"many": ["1", "nope"], "grouped": ["g2"]}], ids=["new", "with errors"])
def test_checkbox_and_radio_lists_are_written_as_crispy_bootstrap5_writes_them(settings, data):
    form = Choices(data)
    if data:
        assert not form.is_valid() and form.errors["many"] and form.errors["one"]
    ours, theirs = _as_the_package_writes(settings, [form["many"], form["one"], form["grouped"]])
    assert ours == theirs
    assert 'data-note="a &quot;quoted&quot; &lt;value&gt;"' in ours[0] and " disabled" in ours[0]
    assert "hidden" not in ours[0] and "ข้อ &lt;1&gt; &amp; ข้อ 2" in ours[0]
    assert ("is-invalid" in ours[0]) == bool(data) and "<strong>กลุ่ม ๑</strong>" in ours[2]


def test_the_measure_forms_lists_are_written_as_crispy_bootstrap5_writes_them(settings, org_a, small_catalogue):
    from measures.forms import MeasureForm

    form = MeasureForm(org=org_a, fiscal_year=2568)
    names = ["tools", "indicators", "oit_items", "divisions", "report_rounds"]
    ours, theirs = _as_the_package_writes(settings, [form[name] for name in names])
    assert ours == theirs
    assert small_catalogue["oit"][(2567, "O1")].title in ours[2]
