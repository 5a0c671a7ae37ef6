"""Template library ``thai``: Thai dates, months, fiscal years, numbers, digits.

Load with ``{% load thai %}``. All output uses Thai digits by default.

Filters (None, "" and values they cannot handle render as "", as Django
filters should fail silently; so does an unknown style)::

    {{ d|thai_date }}             ๑๔ มกราคม ๒๕๖๘   (arg: "full", "abbr", "short")
    {{ d|thai_month }}            มกราคม ๒๕๖๘      (arg: "full", "abbr" -> ม.ค. ๖๘)
    {{ d|be_year }}               ๒๕๖๘             (date or CE year)
    {{ d|fiscal_year }}           ๒๕๖๘             (BE fiscal year of a date)
    {{ x|thai_number }}           ๙๑.๙๓            (arg: decimals, default 2)
    {{ s|thai_digits }}           Arabic digits in any text -> Thai digits

Tags::

    {% month_range start end "abbr" %}   ต.ค. ๖๗ – มี.ค. ๖๘ ("full": ตุลาคม ๒๕๖๗ ถึง มีนาคม ๒๕๖๘)
    {% round_months fy 6 "abbr" %}       the months of report round 6 of BE fiscal year fy

Arabic digits: a document switches to Arabic digits with the context variable
``arabic_digits = True``. Tags see the context and obey it directly. Filters
cannot see the context, so wrap the document (or any part) in
``{% thai_digits_block %}…{% endthai_digits_block %}``: inside it every filter
and tag of this library follows ``arabic_digits`` (then ``thai_digits`` too
yields Arabic digits: it means "the document's digits"). Outside such a block
filters always use Thai digits. Literal template text is never changed.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from django import template

from core import thai

register = template.Library()

# True while rendering a {% thai_digits_block %} whose context says arabic_digits.
_arabic: ContextVar[bool] = ContextVar("arabic_digits", default=False)


def _use_thai(context: template.Context | None = None) -> bool:
    if context is not None and "arabic_digits" in context:
        return not context["arabic_digits"]
    return not _arabic.get()


def _quiet(func):
    """Return "" for None/"" and instead of raising on values the filter cannot handle."""

    @functools.wraps(func)
    def wrapper(value, *args):
        if value is None or value == "":
            return ""
        try:
            return func(value, *args)
        except (TypeError, ValueError, ArithmeticError):
            return ""

    return wrapper


def _date(value) -> date:
    if not isinstance(value, date):
        raise TypeError(f"not a date: {value!r}")
    return value


@register.filter(is_safe=True)
@_quiet
def thai_digits(value):
    """Digits of any value in the document's digits (Thai unless switched off)."""
    return thai.to_thai_digits(value) if _use_thai() else thai.to_arabic_digits(value)


@register.filter(expects_localtime=True)
@_quiet
def thai_date(value, style="full"):
    """Date as "๑๔ มกราคม ๒๕๖๘"; style "full", "abbr" or "short"."""
    return thai.format_date(_date(value), style=style, thai_digits=_use_thai())


@register.filter(expects_localtime=True)
@_quiet
def thai_datetime(value, style="abbr"):
    """Date and time as "๑๔ ม.ค. ๒๕๖๘ ๐๙:๓๐ น." (local time); style as thai_date."""
    if not isinstance(value, datetime):
        raise TypeError(f"not a datetime: {value!r}")
    text = f"{thai.format_date(value.date(), style=style, thai_digits=False)} {value:%H:%M} น."
    return thai.to_thai_digits(text) if _use_thai() else thai.to_arabic_digits(text)


@register.filter(expects_localtime=True)
@_quiet
def thai_month(value, style="full"):
    """Month of a date as "ตุลาคม ๒๕๖๗"; style "full" or "abbr" ("ต.ค. ๖๗")."""
    return thai.format_month(_date(value), style=style, thai_digits=_use_thai())


@register.filter(expects_localtime=True)
@_quiet
def be_year(value):
    """BE year of a date or of a CE year."""
    year = thai.be_year(value if isinstance(value, date) else int(value))
    return thai.to_thai_digits(year) if _use_thai() else str(year)


@register.filter(expects_localtime=True)
@_quiet
def fiscal_year(value):
    """BE fiscal year that a date falls in."""
    fy = thai.fiscal_year_of(_date(value))
    return thai.to_thai_digits(fy) if _use_thai() else str(fy)


@register.filter
@_quiet
def thai_number(value, decimals=2):
    """Number with thousands separators and ``decimals`` places, e.g. "๙๑.๙๓"."""
    number = value if isinstance(value, (int, float, Decimal)) else Decimal(str(value))
    return thai.format_number(number, int(decimals), thai_digits=_use_thai())


@register.simple_tag(takes_context=True)
def month_range(context, start, end, style="abbr"):
    """Month range of two dates; "" if either is missing or the range is invalid."""
    if not isinstance(start, date) or not isinstance(end, date):
        return ""
    try:
        return thai.format_month_range(start, end, style=style, thai_digits=_use_thai(context))
    except ValueError:
        return ""


@register.simple_tag(takes_context=True)
def round_months(context, fy, months, style="abbr"):
    """Months of report round ``months`` (3/6/9/12) of BE fiscal year ``fy``."""
    try:
        return thai.format_round_months(
            int(fy), int(months), style=style, thai_digits=_use_thai(context)
        )
    except (TypeError, ValueError):
        return ""


class _DigitsNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        token = _arabic.set(bool(context.get("arabic_digits", False)))
        try:
            return self.nodelist.render(context)
        finally:
            _arabic.reset(token)


@register.tag
def thai_digits_block(parser, token):
    """{% thai_digits_block %}…{% endthai_digits_block %}: filters inside follow ``arabic_digits``."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("thai_digits_block takes no arguments")
    nodelist = parser.parse(("endthai_digits_block",))
    parser.delete_first_token()
    return _DigitsNode(nodelist)
