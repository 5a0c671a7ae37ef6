"""The body of the province table as HTML, built in Python: a large province has some 130 organisations ×
8 cells, and the template language spent about half of the page's time on them (issue 18, measured on
the national data set). The markup is the one the template had. Texts typed by people (names,
districts) and translations are escaped; the rest are fixed strings, line keys and digits."""
from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core import thai

from .table import OrgRow

DONE = '<span class="text-success">✓</span>'
NOT_DUE = '<span class="text-muted">–</span>'


def _cells(row: OrgRow, late_text: str, broken_text: str) -> str:
    out = []
    for line, done, late in row.cells:
        if done:
            mark = DONE
        elif late:
            mark = '<span class="text-danger">' + late_text % {"n": thai.to_thai_digits(str(late))} + "</span>"
        else:
            mark = NOT_DUE
        if line == "oit" and row.register:
            figures = thai.to_thai_digits(f'{row.register["answered"]}/{row.register["items"]}')
            broken = row.register["broken"]
            if broken:
                figures += " · " + broken_text % {"n": thai.to_thai_digits(str(broken))}
            mark += f'<div class="small text-muted">{figures}</div>'
        out.append(f'<td data-line="{line}" data-done="{"yes" if done else "no"}">{mark}</td>')
    return "".join(out)


def rows_html(rows: list[OrgRow], province: str) -> SafeString:
    """Every ``<tr>`` of the table (or the one row saying nothing matches)."""
    if not rows:
        return mark_safe(f'<tr><td colspan="8">{escape(gettext("No organisation matches."))}</td></tr>')
    late_text, broken_text = escape(gettext("%(n)s days late")), escape(gettext("%(n)s broken"))
    base = escape(reverse("oversight:organisation", args=[province, "__slug__"]))
    out = []
    for row in rows:
        org = row.organisation
        slug = escape(org.slug)
        if row.score is not None:
            score = (f'<span data-score>{thai.format_number(row.score, 2, thai_digits=True)}</span> '
                     f'<span class="small text-muted">({thai.to_thai_digits(str(row.latest_year))})</span>')
        else:
            score = "–"
        out.append(f'<tr data-org="{slug}" data-state="{row.state}"><th scope="row">'
                   f'<a href="{base.replace("__slug__", slug)}">{escape(org.name)}</a></th>'
                   f"<td>{escape(org.district)}</td>{_cells(row, late_text, broken_text)}<td>{score}</td></tr>")
    return mark_safe("\n".join(out))
