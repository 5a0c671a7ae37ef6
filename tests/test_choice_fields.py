"""Model choice fields (core.forms.ModelChoiceField, ModelMultipleChoiceField) read their choices by one
plain query: the same choices as Django's fields, never through a chunked (on PostgreSQL: server-side)
cursor, on every form page that has such a select."""
import pytest
from django import forms
from django.db import connections
from django.urls import reverse

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
