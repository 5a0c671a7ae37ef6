"""The due dates of the yearly ITA cycle of fiscal year *n* (the portal's own defaults; see
workspace/cycle.py for what each line means). Pure calendar: used by the staff checklist and oversight."""
from __future__ import annotations

import calendar
from datetime import date

from .thai import fiscal_year_range


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def due_dates(fiscal_year: int) -> dict[str, date]:
    """The due date of each line of the checklist of ``fiscal_year``."""
    start, end = fiscal_year_range(fiscal_year)
    return {
        "result": month_end(start.year, 10),
        "analysis": month_end(start.year, 12),
        "measures": month_end(start.year, 12),
        "progress-6": month_end(end.year, 4),
        "progress-12": month_end(end.year, 10),
        "oit": month_end(end.year, 4),
    }
