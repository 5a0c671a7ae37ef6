"""Server-rendered SVG bar charts (no JavaScript): labels and values in Thai digits, a <title> and a
description for screen readers; every chart has the table of its figures beside it on the page."""
from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.thai import to_thai_digits

ROW = 22
LABEL_WIDTH = 190
BAR_WIDTH = 330
VALUE_WIDTH = 70


def bars(title: str, items: list[tuple[str, float, str]], *, maximum: float | None = None, chart_id: str) -> str:
    """Horizontal bars: ``items`` = [(label, value, value text)]; ``maximum`` the full bar (default: the
    largest value)."""
    top = maximum if maximum else max([value for _label, value, _text in items] or [0]) or 1
    height = ROW * len(items) + 8
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
             f'role="img" aria-labelledby="{chart_id}-title" class="stats-chart" data-chart="{chart_id}">',
             f'<title id="{chart_id}-title">{escape(title)}</title>']
    for i, (label, value, text) in enumerate(items):
        y = 4 + i * ROW
        length = round(BAR_WIDTH * (value / top), 1) if top else 0
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(label)}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="{ROW - 6}" fill="#1f5f8b"/>')
        parts.append(f'<text x="{LABEL_WIDTH + length + 4}" y="{y + 15}" font-size="12">'
                     f'{escape(to_thai_digits(text))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
