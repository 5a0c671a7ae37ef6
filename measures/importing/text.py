"""Pasted text: a table copied from Word or extracted from a PDF.

Two shapes are read:

* **tab-separated** (Word, Excel, PDF extraction): one row a line, cells separated by tabs. A row that
  PDF extraction split over several lines is joined until it has as many cells as the heading row; a
  line break of a split row is a wrapped line (a space), a ``<p>`` starts a paragraph; a
  blank line ends a piece of free text (a line of text alone between rows is a group heading). Cells
  that Excel quoted ("…" with "" inside, because they hold line breaks) are unquoted.
* **markdown** ``| a | b |`` tables (what some PDF converters write): the row above a ``|---|`` line is the
  heading row.

Cells may hold ``<p>…</p>`` paragraphs. Section headings "๑.ด้าน IIT" between tables set the tool of the
following measures. Everything else (the title, the preamble, the signature) is ignored.
"""
from __future__ import annotations

import re

from . import MAX_CELLS, ImportPreview, too_many_cells
from .headings import is_heading_row
from .table import Group, Row, Section, build_preview, section_of

_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_PIPE = re.compile(r"(?<!\\)\|")
_PAGE_NUMBER = re.compile(r"^[-–—\s๐-๙0-9./]*$")


def read_text(text: str) -> ImportPreview:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    lines = text.split("\n")
    markdown = any("|" in line and _SEPARATOR.match(line.strip()) for line in lines)
    if text.count("|" if markdown else "\t") > MAX_CELLS:  # each separator starts a cell
        raise too_many_cells()
    events = _markdown_events(lines) if markdown else _tab_events(lines)
    return build_preview(events, "text")


# --- tab-separated -----------------------------------------------------------------------------------

def _unquote(cell: str) -> str:
    """A cell as text. Excel quotes a cell holding line breaks: its breaks are paragraphs. Otherwise a
    line break inside a cell is where PDF extraction split the row over lines: a wrapped line."""
    stripped = cell.strip()
    if len(stripped) >= 2 and stripped[0] == '"' and stripped[-1] == '"' and ("\n" in stripped or '""' in stripped):
        return stripped[1:-1].replace('""', '"')
    return cell.replace("\n", " ")


def _cells(joined: str) -> list[str]:
    return [_unquote(c) for c in joined.split("\t")]


def _free_text(buffer: list[str]):
    """A piece of text without tabs inside the table: a section heading, a group heading (one line of
    text), or noise (page numbers, the signature block) that is dropped."""
    lines = [line.strip() for line in buffer if line.strip()]
    if len(lines) != 1 or _PAGE_NUMBER.match(lines[0]):
        return None
    if section_of(lines[0]):
        return Section(section_of(lines[0]))
    if len(lines[0]) <= 300:
        return Group(lines[0])
    return None


def _tab_events(lines: list[str]):
    columns = None
    buffer: list[str] = []
    tabs = 0  # the tabs in buffer (counted as lines come: no rescan of a long buffer)
    start = 0
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        line_tabs = line.count("\t")
        has_tab = line_tabs > 0
        pending_tabs = tabs > 0
        if not has_tab and section_of(stripped) and not pending_tabs:
            buffer, tabs = [], 0
            yield Section(section_of(stripped))
            continue
        if columns is None:
            if has_tab and is_heading_row(_cells(line)):
                columns = len(_cells(line))
                yield Row(_cells(line), f"line {number}")
            continue
        if has_tab and not pending_tabs and is_heading_row(_cells(line)):
            buffer, tabs = [], 0
            columns = len(_cells(line))
            yield Row(_cells(line), f"line {number}")
            continue
        if not stripped:
            if buffer and not pending_tabs:
                event = _free_text(buffer)
                if event is not None:
                    yield event
                buffer, tabs = [], 0
            elif buffer:
                buffer.append(line)  # a blank line inside a cell
            continue
        if not buffer:
            start = number
        buffer.append(line)
        tabs += line_tabs
        if tabs >= columns - 1:
            yield Row(_cells("\n".join(buffer)), f"line {start}")
            buffer, tabs = [], 0
    if buffer:
        if tabs:
            yield Row(_cells("\n".join(buffer)), f"line {start}")
        else:
            event = _free_text(buffer)
            if event is not None:
                yield event


# --- markdown ------------------------------------------------------------------------------------------

def _markdown_cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    return [c.strip().replace("\\|", "|") for c in _PIPE.split(stripped)]


def _markdown_events(lines: list[str]):
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if section_of(stripped):
            yield Section(section_of(stripped))
            continue
        if not stripped.startswith("|") or _SEPARATOR.match(stripped):
            continue
        yield Row(_markdown_cells(stripped), f"line {index + 1}")
