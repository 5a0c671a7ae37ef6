"""Thai lines that break only between words, in WeasyPrint 70 + Pango 1.50.

Why
---
Thai is written without spaces between words. Pango finds line-break opportunities in Thai with
libthai's dictionary, which splits many words at inner boundaries ("จัด|ทำ", "ผู้|บริหาร", "กอง|ช่าง")
and, in a column too narrow for a word, WeasyPrint's ``overflow-wrap: break-word`` cuts it anywhere
("ลำดั|บที่"). Real documents never do that. Zero-width spaces or word joiners in the text alone do
not help: libthai's opportunities are added after Unicode's line-breaking rules, so a word joiner is
ignored inside Thai.

How
---
1. ``reports.printing.thai_words.mark_words`` puts a ZERO WIDTH SPACE (U+200B) at every boundary between two Thai words
   of pythainlp's segmentation (``newmm``, cached per text). ``keep_whole`` leaves a short piece (a division
   name, a short heading) unmarked, so it stays on one line.
2. ``word-break: keep-all`` (CSS Text 3: no breaks inside words; WeasyPrint 70 does not know the
   value, :func:`install` teaches its validator) on the table cells makes the patched
   ``Layout.set_text`` give Pango an ``allow_breaks = FALSE`` attribute over every run of
   non-space characters between two marks that holds Thai (a space before ๆ counts as part of the
   run, as pythainlp keeps "ต่าง ๆ" one word): inside such a run Pango then breaks
   nowhere, neither at libthai's opportunities nor, for an over-long run, at characters.
   Lines break at spaces and at the marks only.
3. The marks draw nothing and extract as nothing (``pdftotext``, pypdf: tests check it).

Only text styled ``keep-all`` that holds Thai is affected; everything else is laid out exactly as
before. Attributes are only added over the part of the text that can be on the first line (the
layout's width over a small advance), since WeasyPrint uses only the first line of each layout.
"""

from __future__ import annotations

import re
from functools import lru_cache

from weasyprint.css.tokens import single_keyword
from weasyprint.css.validation import properties as css_properties
from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango

from .tounicode import check_weasyprint

check_weasyprint()

_THAI_CHAR = re.compile("[\u0e01-\u0e5b]")
# A run that may not be broken: characters up to a space, a tab, a line end or a mark.
_RUN = re.compile("(?:[^ \t\n\r\u200b]| (?=\u0e46))+")  # a space before ๆ (mai yamok) is no break
KEEP_ALL = "keep-all"
_BASE_ATTRS = "_ita_keep_all_base"  # Layout attribute: its attribute list before our additions

# --- WeasyPrint: word-break: keep-all -----------------------------------------------------------------

_ORIGINAL_SET_TEXT = line_break.Layout.set_text
_ORIGINAL_WORD_BREAK = css_properties.PROPERTIES["word-break"]


@single_keyword
def _word_break(keyword):
    """``word-break`` validation with ``keep-all``."""
    return keyword in ("normal", "break-all", KEEP_ALL)


_word_break.wants_base_url = False

_declared = False


def _declare() -> None:
    global _declared
    if not _declared:
        ffi.cdef("""
            PangoAttribute * pango_attr_allow_breaks_new (gboolean allow_breaks);
            PangoAttrList * pango_attr_list_copy (PangoAttrList *list);
            PangoAttrList * pango_attr_list_ref (PangoAttrList *list);
        """)
        _declared = True


@lru_cache(maxsize=4096)
def _runs(text: str) -> tuple[tuple[int, int], ...]:
    """UTF-8 byte ranges of the runs of ``text`` that hold Thai and must not break inside."""
    ranges = []
    for match in _RUN.finditer(text):
        if _THAI_CHAR.search(match.group()):
            start = len(text[:match.start()].encode())
            ranges.append((start, start + len(match.group().encode())))
    return tuple(ranges)


def set_text(self, text, justify=False):
    """WeasyPrint's ``Layout.set_text``; with ``word-break: keep-all``, no break inside Thai runs."""
    base = self.__dict__.pop(_BASE_ATTRS, None)
    if base is not None:  # drop the attributes added for the previous text
        pango.pango_layout_set_attributes(self.layout, base)
    _ORIGINAL_SET_TEXT(self, text, justify)
    if self.style["word_break"] != KEEP_ALL:
        return
    text = self.text
    max_width = self.max_width
    if max_width is not None:  # only what can be on the first line matters
        limit = int(max_width / (0.1 * self.style["font_size"])) + 8  # marks and U+200B advance nothing
        if limit < len(text):
            text = text[:limit]
    runs = _runs(text)
    if not runs:
        return
    current = pango.pango_layout_get_attributes(self.layout)
    if current == ffi.NULL:
        self.__dict__[_BASE_ATTRS] = ffi.NULL
        attrs = pango.pango_attr_list_new()
    else:
        self.__dict__[_BASE_ATTRS] = ffi.gc(pango.pango_attr_list_ref(current), pango.pango_attr_list_unref)
        attrs = pango.pango_attr_list_copy(current)
    for start, end in runs:
        attr = pango.pango_attr_allow_breaks_new(False)
        attr.start_index, attr.end_index = start, end
        pango.pango_attr_list_insert(attrs, attr)
    pango.pango_layout_set_attributes(self.layout, attrs)
    pango.pango_attr_list_unref(attrs)  # the layout holds its own reference


def install() -> None:
    """Teach WeasyPrint ``word-break: keep-all`` (idempotent)."""
    _declare()
    css_properties.PROPERTIES["word-break"] = _word_break
    line_break.Layout.set_text = set_text


def uninstall() -> None:
    css_properties.PROPERTIES["word-break"] = _ORIGINAL_WORD_BREAK
    line_break.Layout.set_text = _ORIGINAL_SET_TEXT


def is_installed() -> bool:
    return line_break.Layout.set_text is set_text
