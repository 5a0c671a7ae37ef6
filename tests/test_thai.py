"""Tests of core.thai, the ``thai`` template library and the BE form fields."""

import os
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")

from pythainlp.util import thai_strftime  # noqa: E402  (independent oracle)

from core import thai  # noqa: E402
from core.thai import (  # noqa: E402
    ThaiDateError,
    be_year,
    ce_year,
    fiscal_year_of,
    fiscal_year_range,
    format_date,
    format_month,
    format_month_range,
    format_number,
    format_round_months,
    month_name,
    parse_be_date,
    parse_be_month,
    round_months,
    round_range,
    to_arabic_digits,
    to_thai_digits,
)

JAN14 = date(2025, 1, 14)


def days(start: date, end: date):
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


# --- digits, months, years ---------------------------------------------------

def test_digits_both_ways():
    assert to_thai_digits(1234567890) == "๑๒๓๔๕๖๗๘๙๐"
    assert to_thai_digits("ที่ 12/2568 ข้อ ก.") == "ที่ ๑๒/๒๕๖๘ ข้อ ก."
    assert to_arabic_digits("๑๔/๐๑/๒๕๖๘") == "14/01/2568"
    assert to_arabic_digits(to_thai_digits("0-9 x")) == "0-9 x"
    assert to_thai_digits(None) == "" and to_arabic_digits(None) == ""


def test_month_names():
    assert len(thai.THAI_MONTHS) == len(thai.THAI_MONTHS_ABBR) == 12
    assert month_name(1) == "มกราคม" and month_name(12) == "ธันวาคม"
    assert month_name(10, abbr=True) == "ต.ค." and month_name(3, abbr=True) == "มี.ค."
    for bad in (0, 13):
        with pytest.raises(ValueError):
            month_name(bad)


def test_be_and_ce_years():
    assert be_year(JAN14) == 2568
    assert be_year(datetime(2024, 12, 31, 23, 59)) == 2567
    assert be_year(2025) == 2568
    assert ce_year(2568) == 2025
    with pytest.raises(ValueError):
        be_year(2568)  # already BE
    with pytest.raises(ValueError):
        ce_year(2025)  # not BE


# --- formatting --------------------------------------------------------------

def test_format_date_styles():
    assert format_date(JAN14) == "๑๔ มกราคม ๒๕๖๘"
    assert format_date(JAN14, style="abbr") == "๑๔ ม.ค. ๒๕๖๘"
    assert format_date(JAN14, style="short") == "๑๔ ม.ค. ๖๘"
    assert format_date(JAN14, style="short", thai_digits=False) == "14 ม.ค. 68"
    assert format_date(datetime(2025, 1, 14, 23, 30)) == "๑๔ มกราคม ๒๕๖๘"
    assert format_date(date(1958, 5, 1), style="short") == "๑ พ.ค. ๐๑"  # BE 2501
    with pytest.raises(ValueError):
        format_date(JAN14, style="long")


@pytest.mark.parametrize(
    "style, fmt", [("full", "%-d %B %Y"), ("abbr", "%-d %b %Y"), ("short", "%-d %b %y")]
)
def test_format_date_agrees_with_pythainlp(style, fmt):
    for d in days(date(2023, 1, 1), date(2025, 12, 31)):
        assert format_date(d, style=style) == thai_strftime(d, fmt, thaidigit=True), d


def test_format_month():
    assert format_month(date(2024, 10, 15)) == "ตุลาคม ๒๕๖๗"
    assert format_month(date(2024, 10, 15), style="abbr") == "ต.ค. ๖๗"
    assert format_month(2025, 3, style="abbr") == "มี.ค. ๖๘"
    assert format_month(2025, 3, thai_digits=False) == "มีนาคม 2568"
    with pytest.raises(ValueError):
        format_month(2568, 3)  # years passed in are CE
    with pytest.raises(ValueError):
        format_month(2025)
    with pytest.raises(ValueError):
        format_month(JAN14, style="short")


def test_format_month_range():
    start, end = date(2024, 10, 1), date(2025, 3, 31)
    assert format_month_range(start, end) == "ต.ค. ๖๗ – มี.ค. ๖๘"
    assert format_month_range(start, end, style="full") == "ตุลาคม ๒๕๖๗ ถึง มีนาคม ๒๕๖๘"
    assert format_month_range(start, end, thai_digits=False) == "ต.ค. 67 – มี.ค. 68"
    # days are ignored
    assert format_month_range(date(2024, 10, 20), date(2025, 3, 2)) == "ต.ค. ๖๗ – มี.ค. ๖๘"
    # one month is written once
    assert format_month_range(date(2024, 10, 1), date(2024, 10, 31)) == "ต.ค. ๖๗"
    assert format_month_range(date(2024, 10, 1), date(2024, 10, 9), style="full") == "ตุลาคม ๒๕๖๗"
    with pytest.raises(ValueError):
        format_month_range(end, start)


@pytest.mark.parametrize(
    "x, decimals, expected",
    [
        (91.934, 2, "๙๑.๙๓"),
        (Decimal("91.925"), 2, "๙๑.๙๓"),  # half up
        (91.925, 2, "๙๑.๙๓"),  # float rounds as written, not as stored in binary
        (1234.5, 2, "๑,๒๓๔.๕๐"),
        (999.999, 2, "๑,๐๐๐.๐๐"),
        (1234567, 0, "๑,๒๓๔,๕๖๗"),
        (-1234.567, 2, "-๑,๒๓๔.๕๗"),
        (-0.001, 2, "๐.๐๐"),
        (Decimal("100"), 1, "๑๐๐.๐"),
    ],
)
def test_format_number(x, decimals, expected):
    assert format_number(x, decimals) == expected


def test_format_number_arabic():
    assert format_number(Decimal("91.934"), thai_digits=False) == "91.93"


# --- fiscal years and rounds -------------------------------------------------

@pytest.mark.parametrize(
    "d, fy",
    [
        (date(2025, 9, 30), 2568),
        (date(2025, 10, 1), 2569),
        (date(2024, 10, 1), 2568),
        (date(2024, 9, 30), 2567),
        (date(2025, 1, 1), 2568),
        (datetime(2025, 9, 30, 23, 59), 2568),
    ],
)
def test_fiscal_year_of(d, fy):
    assert fiscal_year_of(d) == fy


def test_fiscal_year_range():
    assert fiscal_year_range(2568) == (date(2024, 10, 1), date(2025, 9, 30))
    with pytest.raises(ValueError):
        fiscal_year_range(2025)


def test_every_day_is_inside_its_fiscal_year():
    for d in days(date(2023, 9, 1), date(2025, 11, 1)):
        first, last = fiscal_year_range(fiscal_year_of(d))
        assert first <= d <= last, d


@pytest.mark.parametrize(
    "months, end",
    [(3, date(2024, 12, 31)), (6, date(2025, 3, 31)), (9, date(2025, 6, 30)), (12, date(2025, 9, 30))],
)
def test_round_range_fy2568(months, end):
    assert round_range(2568, months) == (date(2024, 10, 1), end)


def test_round_range_leap_year_and_invalid_rounds():
    assert round_range(2567, 6) == (date(2023, 10, 1), date(2024, 3, 31))
    assert round_range(2567, 12)[1] == date(2024, 9, 30)
    for bad in (0, 1, 4, 7, 13):
        with pytest.raises(ValueError):
            round_range(2568, bad)
    with pytest.raises(ValueError):
        round_range(2025, 6)  # CE year instead of BE


def test_round_months():
    assert round_months(2568, 3) == [(2024, 10), (2024, 11), (2024, 12)]
    assert round_months(2568, 6)[3:] == [(2025, 1), (2025, 2), (2025, 3)]
    whole = round_months(2568, 12)
    assert whole[0] == (2024, 10) and whole[-1] == (2025, 9) and len(set(whole)) == 12


def test_format_round_months():
    assert format_round_months(2568, 6) == "ต.ค. ๖๗ – มี.ค. ๖๘"
    assert format_round_months(2568, 6, style="full") == "ตุลาคม ๒๕๖๗ ถึง มีนาคม ๒๕๖๘"
    assert format_round_months(2568, 12, style="full") == "ตุลาคม ๒๕๖๗ ถึง กันยายน ๒๕๖๘"
    assert format_round_months(2568, 3, thai_digits=False) == "ต.ค. 67 – ธ.ค. 67"


# --- parsing -----------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "14/1/2568",
        "14/01/2568",
        "14/01/68",
        " 14-1-2568 ",
        "14.1.2568",
        "๑๔/๐๑/๒๕๖๘",
        "14 ม.ค. 2568",
        "14 ม.ค. 68",
        "14 มค 2568",
        "๑๔ ม.ค. ๖๘",
        "14 มกราคม 2568",
        "14 มกราคม พ.ศ. 2568",
        "2025-01-14",
    ],
)
def test_parse_be_date_accepts(text):
    assert parse_be_date(text) == JAN14


@pytest.mark.parametrize(
    "text, code",
    [
        ("14/1/2025", "ce_year"),
        ("14 มกราคม 2025", "ce_year"),
        ("31/2/2568", "no_such_date"),
        ("29/2/2568", "no_such_date"),
        ("14/13/2568", "no_such_date"),
        ("2568-01-14", "invalid"),  # ISO form is CE only
        ("14/1/256", "invalid"),
        ("14/1-2568", "invalid"),
        ("14 foo 2568", "invalid"),
        ("14 มกรา 2568", "invalid"),
        ("", "invalid"),
        ("พรุ่งนี้", "invalid"),
    ],
)
def test_parse_be_date_rejects(text, code):
    with pytest.raises(ThaiDateError) as exc:
        parse_be_date(text)
    assert exc.value.code == code
    assert isinstance(exc.value, ValueError)
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in str(exc.value))  # Thai message


def test_parse_be_date_leap_day():
    assert parse_be_date("29/2/2567") == date(2024, 2, 29)
    with pytest.raises(ValueError):
        parse_be_date("29/2/2568")


@pytest.mark.parametrize(
    "text",
    ["10/2567", "10/67", "๑๐/๒๕๖๗", "ต.ค. 67", "ต.ค. 2567", "ตุลาคม 2567", "ตุลาคม พ.ศ. ๒๕๖๗", "2024-10"],
)
def test_parse_be_month_accepts(text):
    assert parse_be_month(text) == date(2024, 10, 1)


@pytest.mark.parametrize(
    "text, code",
    [("10/2024", "ce_year"), ("13/2567", "invalid"), ("0/2567", "invalid"), ("2567-10", "invalid"), ("ตุลา", "invalid")],
)
def test_parse_be_month_rejects(text, code):
    with pytest.raises(ThaiDateError) as exc:
        parse_be_month(text)
    assert exc.value.code == code


@pytest.mark.parametrize("style", ["full", "abbr", "short"])
@pytest.mark.parametrize("digits", [True, False])
def test_parse_reads_what_format_writes(style, digits):
    for d in days(date(2023, 9, 1), date(2025, 3, 31)):
        assert parse_be_date(format_date(d, style=style, thai_digits=digits)) == d
        if style != "short":
            month_text = format_month(d, style=style, thai_digits=digits)
            assert parse_be_month(month_text) == d.replace(day=1)


# --- form fields (need Django settings) --------------------------------------

def test_be_date_field_clean():
    from django import forms
    from core.forms import BEDateField

    field = BEDateField()
    assert field.clean("14/1/2568") == JAN14
    assert field.clean("๑๔/๐๑/๒๕๖๘") == JAN14
    assert field.clean(datetime(2025, 1, 14, 8, 0)) == JAN14
    assert BEDateField(required=False).clean("  ") is None
    for text, code in [("14/1/2025", "ce_year"), ("31/2/2568", "no_such_date"), ("abc", "invalid"), (" ", "required")]:
        with pytest.raises(forms.ValidationError) as exc:
            field.clean(text)
        assert exc.value.code == code
        assert exc.value.messages == [str(field.error_messages[code])]


def test_be_month_field_clean():
    from django import forms
    from core.forms import BEMonthField

    field = BEMonthField()
    assert field.clean("ต.ค. 67") == date(2024, 10, 1)
    assert field.clean("๑๐/๒๕๖๗") == date(2024, 10, 1)
    assert field.clean(date(2024, 10, 15)) == date(2024, 10, 1)
    for text, code in [("10/2024", "ce_year"), ("13/2567", "invalid")]:
        with pytest.raises(forms.ValidationError) as exc:
            field.clean(text)
        assert exc.value.code == code


def test_error_msgids_are_english_and_lazy():
    from django.utils.functional import Promise
    from django.utils.translation import override
    from core.forms import BEDateField, BEMonthField

    with override("en"):
        assert str(BEDateField().error_messages["invalid"]) == (
            "Enter a date as day/month/Buddhist-era year, e.g. 14/1/2568."
        )
        assert str(BEMonthField().error_messages["invalid"]) == (
            "Enter a month as month/Buddhist-era year, e.g. 10/2567."
        )
    for field in (BEDateField, BEMonthField):
        for key in ("invalid", "ce_year"):
            assert isinstance(field.default_error_messages[key], Promise)


def _date_form():
    from django import forms
    from core.forms import BEDateField, BEMonthField

    class F(forms.Form):
        d = BEDateField()
        m = BEMonthField()

    return F


@pytest.mark.parametrize("d", [JAN14, date(2024, 2, 29), date(2024, 10, 1), date(2025, 9, 30)])
def test_widget_renders_be_and_round_trips(d):
    F = _date_form()
    unbound = F(initial={"d": d, "m": d})
    shown_d = unbound["d"].value()
    shown_m = unbound["m"].value()
    html_d = unbound["d"].as_widget()
    html_m = unbound["m"].as_widget()
    expected_d = f"{d.day}/{d.month}/{d.year + 543}"
    expected_m = f"{d.month}/{d.year + 543}"
    assert f'value="{expected_d}"' in html_d
    assert f'value="{expected_m}"' in html_m
    bound = F(data={"d": expected_d, "m": expected_m}, initial={"d": shown_d, "m": shown_m})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data == {"d": d, "m": d.replace(day=1)}
    assert not bound.has_changed()
    next_day = F(data={"d": format_date(d + timedelta(days=1), style="abbr"), "m": expected_m},
                 initial={"d": d, "m": d})
    assert next_day.changed_data == ["d"]


def test_widget_shows_invalid_input_back():
    F = _date_form()
    form = F(data={"d": "31/2/2568", "m": "10/2024"})
    assert not form.is_valid()
    assert 'value="31/2/2568"' in form["d"].as_widget()
    assert 'value="10/2024"' in form["m"].as_widget()
    assert form.errors.as_data()["d"][0].code == "no_such_date"
    assert form.errors.as_data()["m"][0].code == "ce_year"


# --- template library ---------------------------------------------------------

def render(src: str, **ctx) -> str:
    from django.template import Context, Template

    return Template("{% load thai %}" + src).render(Context(ctx))


def test_template_date_filters():
    assert render("{{ d|thai_date }}", d=JAN14) == "๑๔ มกราคม ๒๕๖๘"
    assert render('{{ d|thai_date:"abbr" }}', d=JAN14) == "๑๔ ม.ค. ๒๕๖๘"
    assert render('{{ d|thai_date:"short" }}', d=JAN14) == "๑๔ ม.ค. ๖๘"
    assert render("{{ d|thai_month }}", d=date(2024, 10, 5)) == "ตุลาคม ๒๕๖๗"
    assert render('{{ d|thai_month:"abbr" }}', d=date(2024, 10, 5)) == "ต.ค. ๖๗"
    assert render("{{ d|be_year }}", d=JAN14) == "๒๕๖๘"
    assert render("{{ y|be_year }}", y=2025) == "๒๕๖๘"
    assert render("{{ d|fiscal_year }} {{ e|fiscal_year }}", d=date(2025, 9, 30), e=date(2025, 10, 1)) == (
        "๒๕๖๘ ๒๕๖๙"
    )


def test_template_number_and_digit_filters():
    assert render("{{ x|thai_number }}", x=Decimal("91.934")) == "๙๑.๙๓"
    assert render("{{ x|thai_number:1 }}", x=91.96) == "๙๒.๐"
    assert render("{{ x|thai_number }}", x="1234.5") == "๑,๒๓๔.๕๐"
    assert render("{{ x|thai_number }}", x=0) == "๐.๐๐"
    assert render("{{ s|thai_digits }}", s="ที่ 12/2568") == "ที่ ๑๒/๒๕๖๘"


@pytest.mark.parametrize(
    "expr",
    ["v|thai_date", 'v|thai_date:"abbr"', "v|thai_month", "v|be_year", "v|fiscal_year",
     "v|thai_number", "v|thai_number:0", "v|thai_digits"],
)
@pytest.mark.parametrize("value", [None, ""])
def test_template_filters_empty(expr, value):
    assert render("[{{ %s }}]" % expr, v=value) == "[]"


def test_template_filters_fail_silently():
    assert render("[{{ v|thai_date }}]", v="not a date") == "[]"
    assert render('[{{ v|thai_date:"long" }}]', v=JAN14) == "[]"
    assert render("[{{ v|thai_number }}]", v="abc") == "[]"
    assert render("[{{ v|be_year }}]", v=2568) == "[]"  # already BE
    assert render("[{% month_range a b %}]", a=None, b=JAN14) == "[]"
    assert render("[{% month_range a b %}]", a=JAN14, b=date(2024, 1, 1)) == "[]"
    assert render("[{% round_months 2568 4 %}]") == "[]"


def test_template_localtime(settings):
    settings.USE_TZ = True
    settings.TIME_ZONE = "Asia/Bangkok"
    late_utc = datetime(2025, 9, 30, 18, 0, tzinfo=timezone.utc)  # 1 Oct 01:00 in Bangkok
    assert render("{{ t|thai_date }} {{ t|fiscal_year }}", t=late_utc) == "๑ ตุลาคม ๒๕๖๘ ๒๕๖๙"


def test_template_month_range_and_round_tags():
    ctx = {"a": date(2024, 10, 1), "b": date(2025, 3, 31)}
    assert render("{% month_range a b %}", **ctx) == "ต.ค. ๖๗ – มี.ค. ๖๘"
    assert render('{% month_range a b "full" %}', **ctx) == "ตุลาคม ๒๕๖๗ ถึง มีนาคม ๒๕๖๘"
    assert render("{% month_range a a %}", **ctx) == "ต.ค. ๖๗"
    assert render("{% round_months 2568 6 %}") == "ต.ค. ๖๗ – มี.ค. ๖๘"
    assert render('{% round_months fy 12 "full" %}', fy=2568) == "ตุลาคม ๒๕๖๗ ถึง กันยายน ๒๕๖๘"


def test_template_escaping_is_kept():
    from django.utils.safestring import mark_safe

    assert render("{{ s|thai_digits }}", s="<b>1</b>") == "&lt;b&gt;๑&lt;/b&gt;"
    assert render("{{ s|thai_digits }}", s=mark_safe("<b>1</b>")) == "<b>๑</b>"


def test_arabic_digits_switch():
    ctx = {"d": JAN14, "x": Decimal("91.934"), "a": date(2024, 10, 1), "b": date(2025, 3, 1)}
    body = '{{ d|thai_date:"short" }}|{{ x|thai_number }}|{{ d|be_year }}|{{ d|fiscal_year }}|{% month_range a b %}'
    block = "{% thai_digits_block %}" + body + "|{{ s|thai_digits }}|๑๒{% endthai_digits_block %}"

    # tags see the context directly; filters need the block
    assert render("{% month_range a b %}", arabic_digits=True, **ctx) == "ต.ค. 67 – มี.ค. 68"
    assert render('{{ d|thai_date:"short" }}', arabic_digits=True, **ctx) == "๑๔ ม.ค. ๖๘"

    arabic = render(block, arabic_digits=True, s="๑๒/๒๕๖๘", **ctx)
    assert arabic == "14 ม.ค. 68|91.93|2568|2568|ต.ค. 67 – มี.ค. 68|12/2568|๑๒"  # literal text untouched

    thai_out = render(block, arabic_digits=False, s="12/2568", **ctx)
    assert thai_out == "๑๔ ม.ค. ๖๘|๙๑.๙๓|๒๕๖๘|๒๕๖๘|ต.ค. ๖๗ – มี.ค. ๖๘|๑๒/๒๕๖๘|๑๒"
    assert render(block, s="12/2568", **ctx) == thai_out  # no variable: Thai digits

    # the switch ends with the block
    after = render("{% thai_digits_block %}{{ x|thai_number }}{% endthai_digits_block %} {{ x|thai_number }}",
                   arabic_digits=True, **ctx)
    assert after == "91.93 ๙๑.๙๓"


def test_arabic_digits_block_reaches_includes():
    from django.template import Context, Engine

    engine = Engine(
        libraries={"thai": "core.templatetags.thai"},
        loaders=[("django.template.loaders.locmem.Loader", {
            "page.html": "{% load thai %}{% thai_digits_block %}{% include 'part.html' %}{% endthai_digits_block %}",
            "part.html": "{% load thai %}{{ x|thai_number:0 }}",
        })],
    )
    page = engine.get_template("page.html")
    assert page.render(Context({"x": 1234, "arabic_digits": True})) == "1,234"
    assert page.render(Context({"x": 1234})) == "๑,๒๓๔"


def test_thai_digits_block_takes_no_arguments():
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        render("{% thai_digits_block yes %}{% endthai_digits_block %}")


def test_thai_datetime_filter_shows_local_time_in_thai_digits(settings):
    import datetime as dt

    from django.template import Context, Template
    from django.utils import timezone

    value = dt.datetime(2025, 1, 14, 2, 30, tzinfo=dt.timezone.utc)  # 09:30 in Bangkok
    with timezone.override("Asia/Bangkok"):
        out = Template("{% load thai %}{{ v|thai_datetime }}").render(Context({"v": value}))
    assert out == "๑๔ ม.ค. ๒๕๖๘ ๐๙:๓๐ น."
