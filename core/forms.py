"""Form fields for Buddhist-era (BE) dates and months.

``BEDateField`` cleans to a ``datetime.date`` and shows its value as "14/1/2568";
``BEMonthField`` cleans to the first day of the month and shows "10/2567".
Accepted input: see ``core.thai.parse_be_date`` / ``parse_be_month``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from core.thai import ThaiDateError, be_year, parse_be_date, parse_be_month

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
