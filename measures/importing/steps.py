"""Splitting a table cell into paragraphs, numbered items, steps and sub-items.

A cell's paragraphs are separated by ``<p>…</p>``, ``<br>`` or line breaks. Inside a paragraph, PDF
extraction often runs the numbered items together ("๑)จัดประชุม … ๒)ประชาสัมพันธ์ …"), so items are
also split at an inline marker:

* a step marker: one or two digits, Thai or Arabic, then "." or ")" — "๑." "๒)" "1." "3)" — at the start
  of a paragraph or after a space, not followed by another digit (so "๐.๐๐", "พ.ศ. ๒๕๖๖" are text);
  inline, only the next number (or a new "1") starts an item, so "ข้อ ๑ และข้อ ๒" or a stray number in
  the text stays text;
* a sub-item marker "(๑)" "(1)": a sub-item of the step above;
* a dash "-" "–" "•" at the start of a paragraph; inline only in a cell whose items are dashes.

Every item keeps its text as written (``raw``) so nothing is lost; ``label`` is the marker as written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.thai import to_thai_digits

from . import ImportedStep

_BREAKS = re.compile(r"</?\s*p\s*>|<\s*br\s*/?\s*>|\r?\n", re.IGNORECASE)
_DIGITS = "0-9๐-๙"
# A marker candidate, anywhere; position checks are done in code.
_MARKER = re.compile(
    rf"\(([{_DIGITS}]{{1,2}})\)(?![{_DIGITS}])"  # (๑)
    rf"|([{_DIGITS}]{{1,2}})([.)])(?![{_DIGITS}])"  # ๑. ๑)
    r"|([-–—•])"  # dash bullets
)
_THAI_TO_INT = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def paragraphs(cell: str) -> list[str]:
    """The non-empty paragraphs of a cell, stripped, whitespace runs kept as written."""
    return [p.strip() for p in _BREAKS.split(cell or "") if p and p.strip()]


def cell_text(cell: str) -> str:
    """A cell as text: one paragraph a line."""
    return "\n".join(paragraphs(cell))


@dataclass
class Item:
    label: str  # "" = no marker (text before the first marker, or a plain paragraph)
    text: str  # the text after the marker, stripped
    level: int = 1  # 2 = a "(๑)" sub-item
    kind: str = ""  # "number" | "sub" | "dash" | ""
    starts_paragraph: bool = True
    written: str = ""  # the item exactly as written (marker and text)

    @property
    def raw(self) -> str:
        return self.written or (f"{self.label} {self.text}".strip() if self.label else self.text)


def _value(digits: str) -> int:
    return int(digits.translate(_THAI_TO_INT))


def items(cell: str) -> list[Item]:
    """The items of a cell in order (see the module docstring)."""
    result: list[Item] = []
    last_number = None  # the last top-level number seen
    last_sub = None
    dash_list = False
    for paragraph in paragraphs(cell):
        cuts = []  # (start, end, label, kind, number)
        for match in _MARKER.finditer(paragraph):
            start = match.start()
            at_start = start == 0
            if not at_start and not paragraph[start - 1].isspace():
                continue
            sub, number, dash = match.group(1), match.group(2), match.group(4)
            if dash:
                # a dash bullet needs text after it; inline only in a list of dashes
                if not (at_start or dash_list) or match.end() >= len(paragraph):
                    continue
                cuts.append((start, match.end(), match.group(0), "dash", None))
                dash_list = True
                continue
            if sub:
                value = _value(sub)
                if not at_start and value not in (1, (last_sub or 0) + 1):
                    continue
                if not at_start and last_number is None:
                    continue
                cuts.append((start, match.end(), match.group(0), "sub", value))
                last_sub = value
                continue
            value = _value(number)
            if not at_start and value not in (1, (last_number or 0) + 1):
                continue
            if match.end() >= len(paragraph):
                continue  # "… ปี ๒." at the very end is text
            cuts.append((start, match.end(), match.group(0), "number", value))
            last_number, last_sub = value, None
        if not cuts or cuts[0][0] > 0:
            lead = paragraph[: cuts[0][0] if cuts else len(paragraph)].strip()
            if lead:
                result.append(Item("", lead, 1, "", True))
        for i, (start, end, label, kind, _value_) in enumerate(cuts):
            stop = cuts[i + 1][0] if i + 1 < len(cuts) else len(paragraph)
            text = paragraph[end:stop].strip()
            result.append(Item(label, text, 2 if kind == "sub" else 1, kind, start == 0,
                               paragraph[start:stop].strip()))
    return result


def automatic_label(position: int, level: int) -> str:
    """The marker measures.cells prints for an empty label: "๑." for steps, "(๑)" for sub-items."""
    return f"({to_thai_digits(position)})" if level == 2 else f"{to_thai_digits(position)}."


def split_steps(cell: str, *, method: bool = False) -> tuple[list[str], list[ImportedStep]]:
    """(guideline lines, steps) of a steps column.

    * ``method`` (layout B's "ขั้นตอนหรือวิธีการ/มาตรการ"): unnumbered paragraphs before the first step are
      guideline lines; otherwise (a plain steps column) they are steps numbered automatically.
    * An unnumbered paragraph after a step continues that step (a wrapped line).
    * A "(๑)" item is a sub-item of the step above (a step of its own when there is none).
    * A label equal to the automatic number of its place ("๑." for the first step, "(๒)" for the
      second sub-item) is stored empty, so renumbering stays automatic; any other is kept as written.
    """
    guideline: list[str] = []
    steps: list[ImportedStep] = []
    wrapped: dict[int, tuple[ImportedStep, list[str]]] = {}  # wrapped lines of a step, joined at the end
    for item in items(cell):
        if not item.label:
            if steps:
                target = steps[-1].sub_items[-1] if steps[-1].sub_items else steps[-1]
                wrapped.setdefault(id(target), (target, [target.text]))[1].append(item.text)
            elif method:
                guideline.append(item.text)
            else:
                steps.append(ImportedStep(text=item.text, label=""))
            continue
        if item.level == 2 and steps:
            parent = steps[-1]
            position = len(parent.sub_items) + 1
            label = "" if item.label == automatic_label(position, 2) else item.label
            parent.sub_items.append(ImportedStep(text=item.text, label=label))
            continue
        position = len(steps) + 1
        label = "" if item.label == automatic_label(position, 1) else item.label
        steps.append(ImportedStep(text=item.text, label=label))
    for target, parts in wrapped.values():
        target.text = " ".join(parts).strip()
    return guideline, steps


def split_measure(cell: str) -> tuple[str, list[str]]:
    """(title, guideline lines) of a measure column "มาตรการ/แนวทาง": the first item is the title, the
    following items (numbered or not) the guideline lines, each as written."""
    found = items(cell)
    if not found:
        return "", []
    return found[0].raw, [item.raw for item in found[1:]]
