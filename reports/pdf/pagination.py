"""Reading a laid-out WeasyPrint document back: which pages hold only a given block.

WeasyPrint 70 cannot move lines of a table row that it has already split to the next page, so a
block kept with the end of a table (``break-before: avoid``) can still land alone on the last
page when the table's last row is about a page tall. The caller then lays the part out again
another way (reports.printing.rendering: the signature).
"""
from __future__ import annotations

from weasyprint.formatting_structure import boxes


def _has_class(box, css_class: str) -> bool:
    element = getattr(box, "element", None)
    if element is None or not isinstance(getattr(box, "element_tag", None), str) or "::" in box.element_tag:
        return False
    return css_class in (element.get("class") or "").split()


def page_texts_inside(page_box, css_class: str) -> tuple[bool, bool]:
    """(any text inside an element of ``css_class``, any text outside one) on one page, margin
    boxes (running headers and footers) left out."""
    inside = outside = False
    stack = [(child, False) for child in page_box.children if not isinstance(child, boxes.MarginBox)]
    while stack:
        box, within = stack.pop()
        within = within or _has_class(box, css_class)
        if isinstance(box, boxes.TextBox):
            if box.text.strip():
                if within:
                    inside = True
                else:
                    outside = True
        elif isinstance(box, boxes.ParentBox):
            stack.extend((child, within) for child in box.children)
    return inside, outside


def page_boxes_with_only(page_boxes, css_class: str) -> list[int]:
    """Indexes of the page boxes (laid out, as reports.pdf.repaginate gives them) whose only text is
    inside elements of class ``css_class``."""
    lone = []
    for index, page_box in enumerate(page_boxes):
        inside, outside = page_texts_inside(page_box, css_class)
        if inside and not outside:
            lone.append(index)
    return lone


def pages_with_only(document, css_class: str) -> list[int]:
    """Indexes of the pages of a rendered ``weasyprint.Document`` whose only text is inside
    elements of class ``css_class``."""
    return page_boxes_with_only([page._page_box for page in document.pages], css_class)
