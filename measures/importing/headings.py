"""Recognising the column headings of measure tables (ita-domain.md §4, layouts A–D), with the spelling
variants real documents use: spaces inserted by PDF extraction ("หน่วยงาน ผู้รับผิดชอบ"), slashes or
"หรือ"/"และ" ("ขั้นตอน/วิธีการปฏิบัติ", "ขั้นตอนหรือวิธีการปฏิบัติ", "ขั้นตอนและวิธีการปฏิบัติ"),
"หน่วยงานผู้รับผิดชอบ" / "ผู้รับผิดชอบ", English tags "(output)", "(outcome/result)". The synonyms of each
column are declared with the column in ``measures.layouts`` (``Column.synonyms``).

``column_field(heading)`` gives the field a column fills:

=================  ================================================================
field              Measure / ProgressEntry
=================  ================================================================
``measure``        title (first item) + guideline (the following items)
``title``          title only (layout D, beside a ``guideline`` column)
``guideline``      guideline
``steps``          steps and sub-items
``method``         layout B: unnumbered paragraphs → guideline, numbered items → steps
``weakness``       weakness (and the title when there is no measure column)
``responsible``    responsible_text
``timeline``       timeline_text
``monitoring``     monitoring
``output``         progress entry output
``outcome``        progress entry outcome
``number``         ignored (ลำดับที่)
``""``             not recognised: the column's cells go to ``unplaced``
=================  ================================================================
"""
from __future__ import annotations

import re
import unicodedata

from .. import layouts

_TAGS = re.compile(r"</?\s*(?:p|br)\s*/?>", re.IGNORECASE)


def normalise(heading: str) -> str:
    """The heading without whitespace, tags and the case of Latin letters; full-width slashes and
    colons folded (NFKC); a trailing colon dropped."""
    text = unicodedata.normalize("NFKC", heading or "").replace("\u0e4d\u0e32", "\u0e33")  # NFKC splits ำ
    text = _TAGS.sub("", text)
    text = re.sub(r"\s+", "", text).lower()
    text = text.replace("\\", "/").rstrip(":")
    return text


def column_field(heading: str) -> str:
    """The field a column with this heading fills, "" when the heading is not recognised: the column of
    measures.layouts whose synonyms the normalised heading matches."""
    h = normalise(heading)
    if not h:
        return ""
    return layouts.import_field(h)


def is_heading_row(cells: list[str]) -> bool:
    """A row of column headings: at least two recognised headings, and most of its non-empty cells
    recognised (a data row may start with a word like "มาตรการ…" but its other cells are long texts)."""
    texts = [c for c in cells if normalise(c)]
    if len(texts) < 2:
        return False
    known = [c for c in texts if column_field(c) and len(normalise(c)) <= 80]
    return len(known) >= 2 and len(known) * 3 >= len(texts) * 2


def fields_of(headings: list[str]) -> list[str]:
    """The field of each column; a lone "มาตรการ" column is the measure column (title + guideline)
    unless a guideline column of its own is there (layout D)."""
    fields = [column_field(h) for h in headings]
    if "title" in fields and "guideline" not in fields:
        fields = ["measure" if f == "title" else f for f in fields]
    # Two columns of one field: the first keeps it (the second's cells go to ``unplaced``), except that
    # text fields are simply appended (see text.build_preview).
    return fields


def detect_layout(headings: list[str], fields: list[str]) -> str:
    """The layout (ita-domain.md §4) whose headings these are."""
    present = set(fields)
    if "weakness" in present and not present & {"measure", "title"}:
        return "B"
    if "number" in present or any("(output)" in normalise(h) for h in headings):
        return "C"
    if "guideline" in present and "title" in present:
        return "D"
    return "A"


def same_headings(a: list[str], b: list[str]) -> bool:
    """The repeated heading row of the next page (PDF-extraction spaces aside)."""
    na = [normalise(x) for x in a]
    nb = [normalise(x) for x in b]
    while na and not na[-1]:
        na.pop()
    while nb and not nb[-1]:
        nb.pop()
    return na == nb
