"""How the steps of a measure are numbered wherever they are shown (the documents' cells in
measures/cells.py, the edit conflict on the measure page): the label as written, else a number typed at
the start of the text, else automatic numbering "๑." "๒." … and "(๑)" "(๒)" … for sub-items."""
from __future__ import annotations

import re

from core.thai import to_arabic_digits, to_thai_digits


def _digits(text: str, arabic_digits: bool) -> str:
    return to_arabic_digits(text) if arabic_digits else text


def _number(n: int, arabic_digits: bool) -> str:
    return str(n) if arabic_digits else to_thai_digits(n)


# A number typed at the start of a step's text: "1." "๑." "1)" "๑)" "(1)" "(๑)", "1.2." (then a space
# or straight the text: "๑.ประชุม") or "1.2" (then a space). Not a year or an amount: a number alone ("2568 ...") is
# no marker.
_N = "[0-9๐-๙]{1,3}"
_TYPED_MARKER = re.compile(
    rf"^\s*(?:(\({_N}\)|{_N}(?:\.{_N})*[.)])(?:\s+|$|(?=[^\s0-9๐-๙]))"  # "1." "(1)" "1)": a space optional
    rf"|({_N}(?:\.{_N})+)(?:\s+|$))"  # "1.2": a space after it
)


def step_marker(label: str, text: str, automatic: str, *, arabic_digits: bool = False) -> tuple[str, str]:
    """(marker, text) of a step: the label as written, else a number typed at the start of the text
    (taken out of the text; also when it repeats the label), else ``automatic``; the marker's digits
    in the document's digits."""
    text = (text or "").strip()
    label = (label or "").strip()
    typed = _TYPED_MARKER.match(text)
    number = typed and (typed.group(1) or typed.group(2))
    if number and (not label or to_arabic_digits(label) == to_arabic_digits(number)):
        label, text = number, text[typed.end():].strip()
    marker = label or automatic
    marker = to_arabic_digits(marker) if arabic_digits else to_thai_digits(marker)
    return marker, _digits(text, arabic_digits)


def step_lines(measure, *, arabic_digits: bool = False, suffix=None) -> list[str]:
    """One line per step, each sub-item on its own line after its step: "<marker> <text>" (see
    ``step_marker``), followed by " <suffix(step)>" when ``suffix`` gives one (the due dates of
    measures.cells.steps_due_cell)."""
    lines = []

    def line(step, automatic):
        marker, text = step_marker(step.label, step.text, automatic, arabic_digits=arabic_digits)
        extra = suffix(step) if suffix is not None else None
        if extra:
            text = f"{text} {extra}"
        return f"{marker} {text}".strip()

    for i, step in enumerate(measure.top_steps(), start=1):
        lines.append(line(step, f"{_number(i, arabic_digits)}."))
        for j, sub in enumerate(step.children, start=1):
            lines.append(line(sub, f"({_number(j, arabic_digits)})"))
    return lines
