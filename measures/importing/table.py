"""From table rows (of pasted text, a DOCX or an XLSX) to an ImportPreview.

The readers (text.py, office.py) turn their input into a stream of events, in document order:

* ``Section(tool)`` — a section heading "๑.ด้าน IIT" (layout B): the tool of the following measures;
* ``Group(text)`` — a full-width heading row (a merged row of a DOCX/XLSX, a lone line of text);
* ``Row(cells, where)`` — a table row, its cells as text (paragraphs separated by line breaks or ``<p>``).

``build_preview`` then does what every source needs: find the heading row (the first row whose cells are
recognised headings; text before it is ignored), skip the heading row repeated on every page, take a row
with text in its first column only as a group heading, merge a continuation row (first column empty)
into the row above, and map each cell to its field by the column heading (headings.py). A cell that
cannot be placed (an unknown column, more cells than headings, a continuation before any row) is listed
in ``unplaced``. No recognisable heading → ImportRefused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.utils.translation import gettext as _

from core.thai import to_thai_digits

from . import (MAX_CELLS, MAX_MEASURES, ImportedMeasure, ImportPreview, ImportRefused, too_many_cells,
               too_many_measures)
from .headings import detect_layout, fields_of, is_heading_row, normalise, same_headings
from .steps import cell_text, paragraphs, split_measure, split_steps

SECTION = re.compile(
    r"^(?:[๑-๙1-9]\s*[.)]\s*)?ด้าน\s*(?:ที่\s*[๑-๙1-9]\s*)?(IIT|EIT|OIT)\b", re.IGNORECASE
)
TITLE_MAX = 1000  # Measure.title
GROUP_MAX = 500  # Measure.group_heading
TIMELINE_MAX = 500  # Measure.timeline_text


@dataclass
class Section:
    tool: str


@dataclass
class Group:
    text: str


@dataclass
class Row:
    cells: list[str]
    where: str = ""


def section_of(text: str) -> str:
    """"IIT" / "EIT" / "OIT" when the text is a section heading "๑.ด้าน IIT", else ""."""
    match = SECTION.match((text or "").strip())
    return match.group(1).upper() if match else ""


def _clean_heading(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"</?\s*p\s*>", " ", text or "")).strip()


@dataclass
class _Pending:
    cells: list[str]
    group: str
    tool: str
    number: int
    # Continuation rows appended to a cell: its parts, joined once at the end (no quadratic re-joining).
    more: dict[int, list[str]] = dataclass_field(default_factory=dict)

    def add(self, index: int, text: str) -> None:
        if index in self.more:
            self.more[index].append(text)
        elif normalise(self.cells[index]):
            self.more[index] = [self.cells[index], text]
        else:
            self.more[index] = [text]

    def joined(self) -> list[str]:
        return [("\n".join(self.more[i]) if i in self.more else cell) for i, cell in enumerate(self.cells)]


def build_preview(events, source: str) -> ImportPreview:
    headings: list[str] | None = None
    fields: list[str] = []
    tool = ""
    group = ""
    rows: list[_Pending] = []
    unplaced: list[str] = []
    cell_count = 0
    for event in events:
        if isinstance(event, Row):
            cell_count += len(event.cells)
            if cell_count > MAX_CELLS:
                raise too_many_cells()
        if isinstance(event, Section):
            tool = event.tool
            continue
        if isinstance(event, Group):
            text = " ".join(paragraphs(event.text))
            if section_of(text):
                tool = section_of(text)
            elif headings is not None and text:
                group = text
            continue
        cells = list(event.cells)
        filled = [i for i, c in enumerate(cells) if normalise(c)]
        if len(filled) == 1 and section_of(" ".join(paragraphs(cells[filled[0]]))):
            tool = section_of(" ".join(paragraphs(cells[filled[0]])))
            continue
        if is_heading_row(cells):
            if headings is None or not same_headings(cells, headings):
                headings = [_clean_heading(c) for c in cells]
                while headings and not headings[-1]:
                    headings.pop()
                fields = fields_of(headings)
            continue
        if headings is None:
            continue  # text before the table (title, preamble)
        if not filled:
            continue
        lead = next((i for i, f in enumerate(fields) if f != "number"), 0)
        if len(filled) == 1 and filled[0] <= lead and len(headings) > 1:
            text = " ".join(paragraphs(cells[filled[0]]))
            if section_of(text):
                tool = section_of(text)
            else:
                group = text
            continue
        if filled[0] > lead:  # a continuation: the row of the next page, or a row split by extraction
            if not rows:
                for i in filled:
                    unplaced.append(_unplaced(0, i, headings, cells[i]))
                continue
            previous = rows[-1]
            previous.cells.extend([""] * (len(cells) - len(previous.cells)))
            for i in filled:
                previous.add(i, cells[i])
            continue
        rows.append(_Pending(cells, group, tool, len(rows) + 1))
        if len(rows) > MAX_MEASURES:
            raise too_many_measures()
    if headings is None or not any(f and f != "number" for f in fields):
        raise ImportRefused(_(
            "No table with known column headings was found (for example “มาตรการ/แนวทาง”, "
            "“ขั้นตอน/วิธีการปฏิบัติ”, “ผู้รับผิดชอบ”). Include the heading row of the table."
        ))
    measures = []
    for row in rows:
        measure = _measure(row, headings, fields, unplaced)
        if measure is not None:
            measures.append(measure)
    return ImportPreview(
        source=source, layout=detect_layout(headings, fields), headings=headings, columns=fields,
        measures=measures, unplaced=unplaced,
    )


def _unplaced(number: int, index: int, headings: list[str], cell: str) -> str:
    column = headings[index] if index < len(headings) and headings[index] else to_thai_digits(index + 1)
    row = _("row %(number)s") % {"number": to_thai_digits(number)} if number else _("before the first row")
    return _("%(row)s, column %(column)s: %(text)s") % {
        "row": row, "column": column, "text": " ".join(paragraphs(cell))}


def _measure(row: _Pending, headings, fields, unplaced) -> ImportedMeasure | None:
    title_parts: list[str] = []
    guideline: list[str] = []
    steps = []
    texts: dict[str, list[str]] = {k: [] for k in ("weakness", "responsible", "timeline", "monitoring",
                                                   "output", "outcome")}
    cells = row.joined()
    for index, cell in enumerate(cells):
        if not normalise(cell):
            continue
        field = fields[index] if index < len(fields) else ""
        if field == "number":
            continue
        if not field:
            unplaced.append(_unplaced(row.number, index, headings, cell))
            continue
        if field == "measure":
            title, lines = split_measure(cell)
            if title_parts:
                guideline.append(title)
            else:
                title_parts.append(title)
            guideline.extend(lines)
        elif field == "title":
            title_parts.extend(paragraphs(cell))
        elif field == "guideline":
            guideline.extend(paragraphs(cell))
        elif field in ("steps", "method"):
            lines, found = split_steps(cell, method=field == "method")
            guideline.extend(lines)
            steps.extend(found)
        elif field in texts:
            texts[field].extend(paragraphs(cell))
        else:  # a column of measures.layouts that the import has no field to store in
            unplaced.append(_unplaced(row.number, index, headings, cell))
    title = "\n".join(title_parts).strip()
    if not title:
        # layout B names the measure by the weakness it answers
        title = " ".join(texts["weakness"]) or (guideline[0] if guideline else "") or \
            (steps[0].text if steps else "")
    if not title:
        for index, cell in enumerate(cells):
            if normalise(cell) and (index >= len(fields) or fields[index] not in ("number", "")):
                unplaced.append(_unplaced(row.number, index, headings, cell))
        return None
    if len(title) > TITLE_MAX:
        cut = title.rfind(" ", 0, TITLE_MAX)
        cut = cut if cut > TITLE_MAX // 2 else TITLE_MAX
        guideline.insert(0, title[cut:].strip())
        title = title[:cut].strip()
    timeline = " ".join(texts["timeline"])
    if len(timeline) > TIMELINE_MAX:
        unplaced.append(_("row %(number)s: the timeline is too long to store: %(text)s")
                        % {"number": to_thai_digits(row.number), "text": timeline})
        timeline = ""
    group = row.group
    if len(group) > GROUP_MAX:
        unplaced.append(_("row %(number)s: the group heading is too long to store: %(text)s")
                        % {"number": to_thai_digits(row.number), "text": group})
        group = group[:GROUP_MAX]
    return ImportedMeasure(
        title=title,
        group_heading=group,
        guideline="\n".join(guideline),
        weakness="\n".join(texts["weakness"]),
        responsible_text="\n".join(texts["responsible"]),
        timeline_text=timeline,
        monitoring="\n".join(texts["monitoring"]),
        tools=[row.tool] if row.tool else [],
        steps=steps,
        output="\n".join(texts["output"]),
        outcome="\n".join(texts["outcome"]),
    )


__all__ = ["Section", "Group", "Row", "build_preview", "section_of", "cell_text"]
