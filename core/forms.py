"""Form fields for Buddhist-era (BE) dates and months, and for ITA scores.

``BEDateField`` cleans to a ``datetime.date`` and shows its value as "14/1/2568";
``BEMonthField`` cleans to the first day of the month and shows "10/2567".
``ScoreField``: a score 0–100 (results, an organisation's strength threshold); Thai digits accepted.
``ModelChoiceField`` / ``ModelMultipleChoiceField``: Django's, their choices read by one plain query;
the portal's own forms use these. ``PlainSelect``: Django's select written without a template per option.
Accepted input: see ``core.thai.parse_be_date`` / ``parse_be_month``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.thai import ThaiDateError, be_year, parse_be_date, parse_be_month, to_arabic_digits

_CE_YEAR_MESSAGE = _(
    "The year looks like a Christian-era (A.D.) year. Enter the Buddhist-era year, e.g. 2568."
)


class BEDateInput(forms.TextInput):
    """Text input showing a date as day/month/BE year, e.g. "14/1/2568". Its placeholder is an example in
    the form users type (Thai: "เช่น ๑๔/๑/๒๕๖๘"; Thai and Arabic digits both parse)."""

    def __init__(self, attrs=None):
        super().__init__({"placeholder": _("e.g. 14/1/2568"), **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, date):  # a datetime is a date too
            return f"{value.day}/{value.month}/{be_year(value)}"
        return super().format_value(value)  # typed text is shown back unchanged


class BEMonthInput(forms.TextInput):
    """Text input showing a month as month/BE year, e.g. "10/2567"; placeholder "เช่น ๑๐/๒๕๖๗" in Thai."""

    def __init__(self, attrs=None):
        super().__init__({"placeholder": _("e.g. 10/2567"), **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, date):
            return f"{value.month}/{be_year(value)}"
        return super().format_value(value)


class _BEField(forms.Field):
    parse: Callable[[str], date]  # set by subclasses

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            return value
        try:
            return self.parse(str(value))
        except ThaiDateError as exc:
            code = exc.code if exc.code in self.error_messages else "invalid"
            raise forms.ValidationError(self.error_messages[code], code=code) from exc

    def has_changed(self, initial, data):
        if isinstance(initial, date):  # compare like with like: a datetime, another day of the month
            initial = self.to_python(initial)
        return super().has_changed(initial, data)


class BEDateField(_BEField):
    """Date typed with a BE year ("14/1/2568", "14 ม.ค. 2568", Thai digits, ...)."""

    widget = BEDateInput
    default_error_messages = {
        "invalid": _("Enter a date as day/month/Buddhist-era year, e.g. 14/1/2568."),
        "ce_year": _CE_YEAR_MESSAGE,
        "no_such_date": _("This date does not exist in the calendar."),
    }
    parse = staticmethod(parse_be_date)


class BEMonthField(_BEField):
    """Month typed with a BE year ("10/2567", "ต.ค. 67", ...); cleans to its 1st day."""

    widget = BEMonthInput
    default_error_messages = {
        "invalid": _("Enter a month as month/Buddhist-era year, e.g. 10/2567."),
        "ce_year": _CE_YEAR_MESSAGE,
    }
    parse = staticmethod(parse_be_month)

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


SCORE_RANGE_MESSAGE = _("Enter a score from 0 to 100.")


class ScoreField(forms.DecimalField):
    """A score 0–100 with at most two decimals; Thai digits are accepted ("๙๑.๙๓")."""

    default_error_messages = {
        "invalid": _("Enter the score as a number, e.g. 91.93."),
        "min_value": SCORE_RANGE_MESSAGE,
        "max_value": SCORE_RANGE_MESSAGE,
        "max_digits": SCORE_RANGE_MESSAGE,
        "max_whole_digits": SCORE_RANGE_MESSAGE,
        "max_decimal_places": _("Use at most two decimal places."),
        "required": _("Enter the score."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_value", Decimal("100"))
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={
                "inputmode": "decimal", "autocomplete": "off", "class": "form-control form-control-sm score-input",
            }),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = to_arabic_digits(value).strip()
        return super().to_python(value)

    def widget_attrs(self, widget):
        # No step/min/max attributes: the input is text so that Thai digits can be typed.
        return {}


def _attrs(attrs: dict) -> str:
    """HTML attributes in the order given, as Django's attrs.html writes them: True as the bare name, False
    left out (django.forms.utils.flatatt would put the bare names last)."""
    return mark_safe("".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
        for name, value in attrs.items() if value is not False
    ))


class PlainSelect(forms.Select):
    """Django's <select>, the same HTML (tests/test_measure_filters.py compares them), written in Python
    instead of a template per option: for selects of many options on busy pages (the measures list's
    filters, where the option templates took about 7 % of the page's time)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.extend(format_html('\n  <option value="{}"{}>{}</option>\n', str(option["value"]),
                                     _attrs(option["attrs"]), option["label"]) for option in options)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class ListedChoices(forms.models.ModelChoiceIterator):
    """A model field's choices read by one plain query. Django's own iterator() reads them through a
    chunked cursor, on PostgreSQL a server-side one (DECLARE, FETCH until empty, CLOSE: several round
    trips instead of one), which is meant for millions of rows, not for a form's few dozen."""

    def objects(self):
        return self.queryset.all()

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        null_label = getattr(self.field, "null_label", None)  # django-filter's fields
        if null_label is not None:
            yield (self.field.null_value, null_label)
        for obj in self.objects():
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    """Django's field, its choices read without a server-side cursor (ListedChoices)."""
    iterator = ListedChoices


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, its choices read without a server-side cursor (ListedChoices)."""
    iterator = ListedChoices
