"""core.row_urls.RowUrl: one reverse for every row of a list gives reverse's own address for each row (the
lists that use it check their links in their own files: tests/test_measures_pages.py,
tests/test_oit_register.py)."""
import pytest
from django.urls import reverse

from core.row_urls import ROW, RowUrl


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

