"""Re-making the pages from one page on, with that page's ``@page`` style changed, inside one layout.

Why
---
``reports.printing.rendering`` lays a report out again when its signature would stand alone on the last
page: the page before is made shorter (``padding-bottom``), so the table's last row splits earlier
and carries a few lines over to the signature (reports.pdf.pagination). Laying the whole HTML out a
second time from scratch doubled the render time of those documents (a 50-measure report: 52
pages laid out twice), although only the last two pages change.

How
---
WeasyPrint 70 already re-makes single pages: ``layout_document`` loops over
``weasyprint.layout.page.make_all_pages``, which lays out again only the pages whose
``remake_state["content_changed"]`` is set (for ``counter(pages)`` and targets), and
``remake_page`` marks the next page when a page ends somewhere else than before. This module uses
that machinery; inside :func:`active` (one thread, one ``render()``):

- ``make_all_pages`` (the name ``weasyprint.layout.layout_document`` calls) is wrapped: after the
  pass that ends pagination (no page left to re-make, the same number of pages), it gives the page
  boxes to the caller's ``check``. When ``check`` returns ``{page index: "CSS declarations"}``, those
  pages are marked to be re-made and the original ``make_all_pages`` runs once more, keeping every
  page before the first of them;
- ``set_page_type_computed_styles`` (the name ``remake_page`` calls) is wrapped: for a page of
  that mapping the declarations are added to the page's cascaded style (above every stylesheet's,
  as an ``!important`` author declaration would be) and the page's styles are computed again.

The result is the document a second full layout of the HTML with ``@page :nth(N) { ... }`` added
makes; tests/test_pdf_page_breaks.py checks the PDFs are identical (page content streams). Outside
:func:`active` both functions are WeasyPrint's own.

Upstream, the natural form would be a public hook in ``layout_document``: a callback after
pagination that may return per-page style overrides (or extra ``@page`` rules) and have WeasyPrint
re-make the affected pages with its existing ``remake_page`` machinery.

Like :mod:`.speedups`, the module refuses to import unless WeasyPrint is the pinned version and
the wrapped functions have the expected signatures.
"""
from __future__ import annotations

import contextlib
import inspect
import threading
from collections.abc import Callable

import weasyprint
from weasyprint import layout as weasyprint_layout
from weasyprint.layout import page as layout_page

from .tounicode import WeasyPrintVersionError, check_weasyprint

check_weasyprint()

_EXPECTED = {
    "make_all_pages": ["context", "root_box", "html", "pages"],
    "set_page_type_computed_styles": ["page_type", "html", "style_for"],
}
_ORIGINALS = {
    "make_all_pages": layout_page.make_all_pages,
    "set_page_type_computed_styles": layout_page.set_page_type_computed_styles,
}
for _name, _function in _ORIGINALS.items():
    if list(inspect.signature(_function).parameters) != _EXPECTED[_name]:
        raise WeasyPrintVersionError(
            f"weasyprint.layout.page {_name} has an unexpected signature: {inspect.signature(_function)}")
if weasyprint_layout.make_all_pages is not layout_page.make_all_pages:
    raise WeasyPrintVersionError("weasyprint.layout no longer imports make_all_pages from weasyprint.layout.page")

# Above any stylesheet declaration's precedence (weasyprint.css.declaration_precedence: 0 to 5).
_PRECEDENCE = 100

_local = threading.local()


class _Hook:
    def __init__(self, check: Callable[[list], dict[int, str] | None]):
        self.check = check
        self.checked = False
        self.changed: dict[int, list] = {}  # page index -> [(name, value)] of its extra declarations

    def declarations(self, text: str) -> list:
        """[(property name, computed-ready value)] of CSS declarations, parsed as WeasyPrint does."""
        (_rule, _selectors, declarations), = weasyprint.CSS(string=f"@page {{ {text} }}").page_rules
        return [(name, value) for name, value, _important in declarations]


def _final_pass(context, pages_before: int, pages_now: int) -> bool:
    """Whether layout_document stops after this pass (its own test, before it makes margin boxes)."""
    states = [item[-1] for item in context.page_maker]
    if any(state["content_changed"] for state in states):
        return False
    return not (any(state["pages_wanted"] for state in states) and pages_before != pages_now)


def make_all_pages(context, root_box, html, pages):
    hook = getattr(_local, "hook", None)
    if hook is None or hook.checked:
        yield from _ORIGINALS["make_all_pages"](context, root_box, html, pages)
        return
    made = list(_ORIGINALS["make_all_pages"](context, root_box, html, pages))
    if not _final_pass(context, len(pages), len(made)):
        yield from made
        return
    hook.checked = True
    changes = hook.check(made) or {}
    if not changes:
        yield from made
        return
    hook.changed = {index: hook.declarations(text) for index, text in changes.items()}
    for index in hook.changed:
        context.page_maker[index][-1]["content_changed"] = True
    yield from _ORIGINALS["make_all_pages"](context, root_box, html, made)


def set_page_type_computed_styles(page_type, html, style_for):
    _ORIGINALS["set_page_type_computed_styles"](page_type, html, style_for)
    hook = getattr(_local, "hook", None)
    extra = hook.changed.get(page_type.index) if hook is not None else None
    if extra:
        cascaded = style_for.get_cascaded_styles().setdefault((page_type, None), {})
        for name, value in extra:
            cascaded[name] = (value, (_PRECEDENCE, None, (0, 0, 0)))
        _ORIGINALS["set_page_type_computed_styles"](page_type, html, style_for)


@contextlib.contextmanager
def active(check: Callable[[list], dict[int, str] | None]):
    """Within the block, this thread's WeasyPrint layout calls ``check(page boxes)`` once pagination
    is done and re-makes the pages it names with their extra ``@page`` declarations. Yields the
    hook: ``hook.checked`` says whether ``check`` ran, ``hook.changed`` what it asked for."""
    if getattr(_local, "hook", None) is not None:
        raise RuntimeError("repaginate.active is not re-entrant")
    hook = _local.hook = _Hook(check)
    try:
        yield hook
    finally:
        _local.hook = None


def install() -> None:
    """Put the wrappers in place (idempotent); they do nothing outside :func:`active`."""
    weasyprint_layout.make_all_pages = make_all_pages
    layout_page.set_page_type_computed_styles = set_page_type_computed_styles


def uninstall() -> None:
    weasyprint_layout.make_all_pages = _ORIGINALS["make_all_pages"]
    layout_page.set_page_type_computed_styles = _ORIGINALS["set_page_type_computed_styles"]


def is_installed() -> bool:
    return weasyprint_layout.make_all_pages is make_all_pages
