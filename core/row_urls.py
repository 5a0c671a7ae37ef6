"""The address of one URL pattern for every row of a list: ``reverse`` once, then the row's key put in.

Django's ``reverse`` checks every candidate pattern against its arguments (about 45 µs a call here); a
list that links each of its rows to three or four views spends milliseconds on it. ``RowUrl`` reverses
the pattern once with a marker in place of the row's key and fills the key in for each row::

    edit = RowUrl("measures:edit", org.slug, ROW)
    edit(measure.pk)  # == reverse("measures:edit", args=[org.slug, measure.pk])

The row's key must be an integer (``<int:...>`` in the pattern). Where the marker does not come out once
in the reversed address (a converter that changes it, another argument that contains it), every call
falls back to ``reverse``: the result is always ``reverse``'s.
"""
from __future__ import annotations

from django.urls import reverse

ROW = object()  # stands for the row's key among the arguments
_MARK = 918273645546372819  # an integer no primary key of this portal reaches


class RowUrl:
    def __init__(self, viewname: str, *args):
        if sum(arg is ROW for arg in args) != 1:
            raise ValueError("RowUrl needs ROW once among the arguments")
        self.viewname, self.args = viewname, args
        parts = reverse(viewname, args=[_MARK if arg is ROW else arg for arg in args]).split(str(_MARK))
        self._parts = parts if len(parts) == 2 else None

    def __call__(self, key: int) -> str:
        key = int(key)
        if self._parts is None:
            return reverse(self.viewname, args=[key if arg is ROW else arg for arg in self.args])
        return f"{self._parts[0]}{key}{self._parts[1]}"
