"""core.row_urls.RowUrl: one reverse for every row of a list gives reverse's own address for each row, and
the measures list links each measure to its own pages with it."""
import re

import pytest
from django.urls import reverse

from core.row_urls import ROW, RowUrl

from .factories import MeasureFactory
from .helpers.measure_pages import url


@pytest.mark.parametrize("viewname, args", [
    ("measures:edit", ["phaktob", ROW]),
    ("measures:move", ["phaktob", ROW, "up"]),
    ("measures:list", ["phaktob", ROW]),
    ("reports:detail", ["nong-samet-2", ROW]),
])
def test_every_key_gives_reverses_address(viewname, args):
    row_url = RowUrl(viewname, *args)
    for key in (1, 7, 10, 2567, 99999999, "42"):
        assert row_url(key) == reverse(viewname, args=[int(key) if a is ROW else a for a in args])


def test_an_argument_holding_the_marker_falls_back_to_reverse():
    slug = "a918273645546372819b"  # the marker inside the slug: it would come out twice
    row_url = RowUrl("measures:edit", slug, ROW)
    assert row_url(5) == reverse("measures:edit", args=[slug, 5]) == f"/w/{slug}/measures/m/5/"


def test_row_must_be_named_once():
    with pytest.raises(ValueError):
        RowUrl("measures:edit", "phaktob", 5)
    with pytest.raises(ValueError):
        RowUrl("measures:move", "phaktob", ROW, ROW)


def test_the_measures_list_links_every_measure_to_its_own_pages(client, staff_a, org_a):
    measures = [MeasureFactory(organisation=org_a, order=n, title=f"มาตรการ {n}") for n in range(3)]
    client.force_login(staff_a)
    page = client.get(url("list", org_a.slug, 2568)).content.decode()
    for m in measures:
        item = re.search(rf'<li class="list-group-item" id="measure-{m.pk}".*?</li>', page, re.S).group(0)
        hrefs = set(re.findall(r'(?:href|action|hx-post)="([^"]+)"', item))
        assert hrefs == {url("edit", org_a.slug, m.pk), url("delete", org_a.slug, m.pk),
                         url("move", org_a.slug, m.pk, "up"), url("move", org_a.slug, m.pk, "down")}
