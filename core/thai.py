"""Thai dates, fiscal years, report rounds, numbers and digits.

Pure functions, no Django. Conventions:

* ``date`` objects and plain ``int`` years passed *in* are Christian-era (CE),
  except where a parameter is called ``fy`` or ``be``: those are Buddhist-era
  (BE = CE + 543). Passing a year on the wrong side of 2400 raises ValueError.
* A fiscal year runs 1 Oct - 30 Sep and is named by the BE year it ends in:
  FY 2568 = 2024-10-01 .. 2025-09-30.
* Report round N (3, 6, 9 or 12) covers 1 Oct of the fiscal year to the end of
  month N of that fiscal year.
* Parse errors raise ``ThaiDateError`` (a ValueError) with a Thai message and a
  ``code`` ("invalid", "ce_year" or "no_such_date") for forms to map onto their
  own translatable messages.

pythainlp is not needed here: the month names are fixed and the digits are one
``str.translate``.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

BE_OFFSET = 543
_BE_MIN = 2400  # years >= this are BE, below it CE

THAI_MONTHS: tuple[str, ...] = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
THAI_MONTHS_ABBR: tuple[str, ...] = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
ROUNDS: tuple[int, ...] = (3, 6, 9, 12)

_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_TO_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class ThaiDateError(ValueError):
    """Invalid date/month text; ``code`` is "invalid", "ce_year" or "no_such_date"."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


# --- digits and years -------------------------------------------------------

def to_thai_digits(value: object) -> str:
    """``str(value)`` with Arabic digits replaced by Thai digits ("" for None)."""
    return "" if value is None else str(value).translate(_TO_THAI)


def to_arabic_digits(value: object) -> str:
    """``str(value)`` with Thai digits replaced by Arabic digits ("" for None)."""
    return "" if value is None else str(value).translate(_TO_ARABIC)


def _digits(text: str, thai_digits: bool) -> str:
    return to_thai_digits(text) if thai_digits else text


def month_name(month: int, abbr: bool = False) -> str:
    """Thai name of month 1..12, e.g. 10 -> "ตุลาคม" (abbr: "ต.ค.")."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    return (THAI_MONTHS_ABBR if abbr else THAI_MONTHS)[month - 1]


def be_year(d_or_year: date | int) -> int:
    """BE year of a date or of a CE year: 2025 -> 2568."""
    year = d_or_year.year if isinstance(d_or_year, date) else int(d_or_year)
    if year >= _BE_MIN:
        raise ValueError(f"{year} is already a BE year")
    return year + BE_OFFSET


def ce_year(be: int) -> int:
    """CE year of a BE year: 2568 -> 2025."""
    if be < _BE_MIN:
        raise ValueError(f"{be} is not a BE year")
    return be - BE_OFFSET


# --- formatting --------------------------------------------------------------

def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def format_date(d: date, *, style: str = "full", thai_digits: bool = True) -> str:
    """"๑๔ มกราคม ๒๕๖๘" (full), "๑๔ ม.ค. ๒๕๖๘" (abbr), "๑๔ ม.ค. ๖๘" (short).

    A datetime is formatted by its own date part (convert time zones first).
    """
    d = _as_date(d)
    year = be_year(d)
    if style == "full":
        text = f"{d.day} {month_name(d.month)} {year}"
    elif style == "abbr":
        text = f"{d.day} {month_name(d.month, abbr=True)} {year}"
    elif style == "short":
        text = f"{d.day} {month_name(d.month, abbr=True)} {year % 100:02d}"
    else:
        raise ValueError(f"unknown date style {style!r}")
    return _digits(text, thai_digits)


def format_month(
    value: date | int, month: int | None = None, *, style: str = "full", thai_digits: bool = True
) -> str:
    """Month of a date, or of (CE year, month): "ตุลาคม ๒๕๖๗" (full), "ต.ค. ๖๗" (abbr)."""
    if isinstance(value, date):
        year, month = value.year, value.month
    elif month is None:
        raise ValueError("format_month(year, month) needs a month")
    else:
        year = value
    be = be_year(year)
    if style == "full":
        text = f"{month_name(month)} {be}"
    elif style == "abbr":
        text = f"{month_name(month, abbr=True)} {be % 100:02d}"
    else:
        raise ValueError(f"unknown month style {style!r}")
    return _digits(text, thai_digits)


def format_month_range(
    start: date, end: date, *, style: str = "abbr", thai_digits: bool = True
) -> str:
    """"ต.ค. ๖๗ – มี.ค. ๖๘" (abbr) or "ตุลาคม ๒๕๖๗ ถึง มีนาคม ๒๕๖๘" (full).

    Days are ignored; a single month is written once.
    """
    if (end.year, end.month) < (start.year, start.month):
        raise ValueError(f"range ends before it starts: {start} .. {end}")
    first = format_month(start, style=style, thai_digits=thai_digits)
    if (start.year, start.month) == (end.year, end.month):
        return first
    last = format_month(end, style=style, thai_digits=thai_digits)
    return f"{first} – {last}" if style == "abbr" else f"{first} ถึง {last}"


def format_number(x: Decimal | float | int, decimals: int = 2, thai_digits: bool = True) -> str:
    """91.934 -> "๙๑.๙๓"; rounds half up, thousands separators: 1234.5 -> "๑,๒๓๔.๕๐"."""
    value = x if isinstance(x, Decimal) else Decimal(str(x))
    value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if value == 0:
        value = abs(value)  # no "-0.00"
    return _digits(f"{value:,.{decimals}f}", thai_digits)


# --- fiscal years and report rounds -----------------------------------------

def fiscal_year_of(d: date) -> int:
    """BE fiscal year containing d: 2025-09-30 -> 2568, 2025-10-01 -> 2569."""
    d = _as_date(d)
    return be_year(d) + (1 if d.month >= 10 else 0)


def fiscal_year_range(fy: int) -> tuple[date, date]:
    """First and last day of BE fiscal year fy: 2568 -> (2024-10-01, 2025-09-30)."""
    year = ce_year(fy)
    return date(year - 1, 10, 1), date(year, 9, 30)


def round_months(fy: int, months: int) -> list[tuple[int, int]]:
    """(CE year, month) pairs covered by round ``months`` of fiscal year fy."""
    if months not in ROUNDS:
        raise ValueError(f"report round must be one of {ROUNDS}, got {months}")
    start_year = ce_year(fy) - 1
    return [(start_year + (9 + i) // 12, (9 + i) % 12 + 1) for i in range(months)]


def round_range(fy: int, months: int) -> tuple[date, date]:
    """First and last day of a report round: (2568, 6) -> (2024-10-01, 2025-03-31)."""
    year, month = round_months(fy, months)[-1]
    return fiscal_year_range(fy)[0], date(year, month, calendar.monthrange(year, month)[1])


def format_round_months(
    fy: int, months: int, *, style: str = "abbr", thai_digits: bool = True
) -> str:
    """Months of a report round: (2568, 6) -> "ต.ค. ๖๗ – มี.ค. ๖๘"."""
    return format_month_range(*round_range(fy, months), style=style, thai_digits=thai_digits)


# --- parsing -------------------------------------------------------------------

_MONTH_LOOKUP = {name: i for i, name in enumerate(THAI_MONTHS, 1)} | {
    abbr.replace(".", ""): i for i, abbr in enumerate(THAI_MONTHS_ABBR, 1)
}
_YEAR = r"(\d{4}|\d{2})"
_NAME = r"([\u0E00-\u0E7F.][\u0E00-\u0E7F.\s]*?)"  # Thai month name, maybe with "พ.ศ."
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_NUM_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2" + _YEAR)
_NUM_MONTH = re.compile(r"(\d{1,2})[/.-]" + _YEAR)
_NAME_DATE = re.compile(r"(\d{1,2})\s*" + _NAME + r"\s*" + _YEAR)
_NAME_MONTH = re.compile(_NAME + r"\s*" + _YEAR)


def _normalize(text: str) -> str:
    return " ".join(to_arabic_digits(text).split())


def _year_from_be(text: str) -> int:
    """CE year from typed BE year text: "2568" or "68" (= 2568)."""
    year = int(text)
    if len(text) == 2:
        year += 2500
    elif year < _BE_MIN:
        raise ThaiDateError(
            f"ปี {year} ดูเหมือนเป็นปี ค.ศ. กรุณากรอกปี พ.ศ. (ค.ศ. + 543) เช่น 2568", "ce_year"
        )
    return year - BE_OFFSET


def _month_from_name(text: str) -> int:
    key = re.sub(r"[.\s]", "", text).removesuffix("พศ")
    if key not in _MONTH_LOOKUP:
        raise ThaiDateError(f"ไม่รู้จักชื่อเดือน “{text.strip()}”")
    return _MONTH_LOOKUP[key]


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ThaiDateError(
            f"ไม่มีวันที่ {day}/{month}/{year + BE_OFFSET} ในปฏิทิน", "no_such_date"
        ) from None


def parse_be_date(text: str) -> date:
    """Date from what Thai users type; years are BE except in ISO form.

    Accepts "14/1/2568", "14/01/68" (68 = 2568), "14-1-2568", Thai digits,
    "14 ม.ค. 2568", "14 มกราคม พ.ศ. 2568" and ISO "2025-01-14" (CE).
    A 4-digit year below 2400 outside ISO form is rejected (code "ce_year").
    """
    s = _normalize(text)
    if m := _ISO_DATE.fullmatch(s):
        year, month, day = map(int, m.groups())
        if year >= _BE_MIN:
            raise ThaiDateError(f"รูปแบบ ปี-เดือน-วัน ต้องใช้ปี ค.ศ. ไม่ใช่ {year}")
        return _make_date(year, month, day)
    if m := _NUM_DATE.fullmatch(s):
        return _make_date(_year_from_be(m[4]), int(m[3]), int(m[1]))
    if m := _NAME_DATE.fullmatch(s):
        return _make_date(_year_from_be(m[3]), _month_from_name(m[2]), int(m[1]))
    raise ThaiDateError(f"รูปแบบวันที่ไม่ถูกต้อง: “{text}” (ตัวอย่าง 14/1/2568)")


def parse_be_month(text: str) -> date:
    """First day of a month typed as "10/2567", "๑๐/๒๕๖๗", "ต.ค. 67", "ตุลาคม 2567"
    or ISO "2024-10" (CE)."""
    s = _normalize(text)
    if m := _ISO_MONTH.fullmatch(s):
        year, month = int(m[1]), int(m[2])
        if year >= _BE_MIN:
            raise ThaiDateError(f"รูปแบบ ปี-เดือน ต้องใช้ปี ค.ศ. ไม่ใช่ {year}")
    elif m := _NUM_MONTH.fullmatch(s):
        year, month = _year_from_be(m[2]), int(m[1])
    elif m := _NAME_MONTH.fullmatch(s):
        year, month = _year_from_be(m[2]), _month_from_name(m[1])
    else:
        raise ThaiDateError(f"รูปแบบเดือนไม่ถูกต้อง: “{text}” (ตัวอย่าง 10/2567)")
    if not 1 <= month <= 12:
        raise ThaiDateError(f"ไม่มีเดือนที่ {month}")
    return _make_date(year, month, 1)


def file_size(nbytes: int) -> str:
    """A file size for Thai UI text: Django's filesizeformat in Thai digits, without a ".0"
    (10 MB -> "๑๐ MB", 2.5 MB -> "๒.๕ MB")."""
    import re

    from django.template.defaultfilters import filesizeformat

    return to_thai_digits(re.sub(r"[.,]0(?=\D|$)", "", str(filesizeformat(nbytes))))
