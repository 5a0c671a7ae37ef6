"""Correct ``/ToUnicode`` maps in WeasyPrint PDFs so Thai text extracts correctly.

Why
---
WeasyPrint 70 writes one ToUnicode entry per glyph id, filled in
``weasyprint.draw.text.draw_first_line`` with the text of the *cluster* in which the
glyph is first met.  HarfBuzz's Thai shaper decomposes SARA AM (ำ U+0E33) into
NIKHAHIT + SARA AA inside one cluster, and fonts add ligatures and positional
variants (Sarabun: ``uni0E4D0E49`` = ํ+้, ``uni0E48.narrow``, ...).  For a
multi-glyph cluster WeasyPrint gives the whole cluster text to its last glyph and
``""`` to the others, and that first-seen entry is then used for *every* later
occurrence of the glyph: after the first "น้ำ", every "า" extracts as "้ำ", and the
NIKHAHIT / tone marks elsewhere extract as nothing.

Fix
---
Just before the fonts dictionary is written, each used glyph's ToUnicode text is
rebuilt from the font itself, independently of where the glyph was first seen:

1. the font's cmap reversed (glyph -> lowest non-PUA code point);
2. for glyphs without a cmap entry, the GSUB lookups run backwards, to a fixed
   point: single/alternate substitution outputs take their input's text, ligatures
   the concatenation of their components' text, one-glyph multiple substitutions
   their input's text;
3. HarfBuzz moves NIKHAHIT in front of above-base marks (น้ำ is drawn
   น ํ ้ า); in derived texts NIKHAHIT is put back after those marks, so the
   nikhahit+tone ligature extracts as "้ํ";
4. glyphs still unknown (and WeasyPrint's own ".notdef" stand-ins) keep
   WeasyPrint's text.

Every glyph then maps to its own character(s).  Extracted text equals the source
after Unicode NFKC normalisation (NFKC turns ำ into ํ + า, exactly what the glyphs
say).  Only the values of ``Font.to_unicode`` are changed, never its keys, which
WeasyPrint also uses as the glyph set for font subsetting.

What is patched
---------------
``weasyprint.pdf.build_fonts_dictionary`` -- the name that
``weasyprint.pdf.generate_pdf`` calls -- is wrapped once by :func:`install`
(idempotent).  The wrapper rewrites ``font.to_unicode`` for every font of the
document, then calls the original function.  Not covered by WeasyPrint's own
design: ``full_fonts=True`` and PDF forms, where WeasyPrint builds the map from the
cmap itself.

The module refuses to import (:class:`WeasyPrintVersionError`) unless the installed
WeasyPrint is exactly :data:`PINNED_WEASYPRINT_VERSION` and the hooked function has
the expected signature: re-check this adapter against the new WeasyPrint source
before changing the pin.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import logging
import re

import weasyprint
import weasyprint.pdf
from fontTools.ttLib import TTFont

PINNED_WEASYPRINT_VERSION = "70.0"
_HOOK_PARAMETERS = ["pdf", "fonts", "compress", "subset", "options"]
_MARKER = "_ita_tounicode_original"

NIKHAHIT = "\u0e4d"
# HarfBuzz (hb-ot-shaper-thai.cc) moves NIKHAHIT in front of these above-base marks.
_NIKHAHIT_BEFORE_MARKS = re.compile("\u0e4d([\u0e31\u0e34-\u0e37\u0e47-\u0e4c\u0e4e]+)")

logger = logging.getLogger(__name__)


class WeasyPrintVersionError(RuntimeError):
    """The installed WeasyPrint is not the version this adapter was written for."""


def check_weasyprint(version: str | None = None) -> None:
    """Raise :class:`WeasyPrintVersionError` unless WeasyPrint matches the pin."""
    version = weasyprint.__version__ if version is None else version
    if version != PINNED_WEASYPRINT_VERSION:
        raise WeasyPrintVersionError(
            f"reports.pdf.tounicode was written for WeasyPrint {PINNED_WEASYPRINT_VERSION}, "
            f"found {version}. Check weasyprint/pdf/fonts.py (build_fonts_dictionary, "
            "Font.to_unicode) and draw/text.py before changing the pin."
        )
    target = getattr(weasyprint.pdf, _MARKER, None) or weasyprint.pdf.build_fonts_dictionary
    if list(inspect.signature(target).parameters) != _HOOK_PARAMETERS:
        raise WeasyPrintVersionError(
            "weasyprint.pdf.build_fonts_dictionary has an unexpected signature: "
            f"{inspect.signature(target)}"
        )


check_weasyprint()  # fail loudly at import time


def _thai_logical_order(text: str) -> str:
    """Undo HarfBuzz's Thai reordering: put NIKHAHIT back after the above marks."""
    return _NIKHAHIT_BEFORE_MARKS.sub("\\1" + NIKHAHIT, text)


def _is_pua(codepoint: int) -> bool:
    return 0xE000 <= codepoint <= 0xF8FF or codepoint >= 0xF0000


def _gsub_sources(subtable, texts: dict[str, str]):
    """Yield ``(output glyph name, text)`` pairs a GSUB subtable can tell."""
    if hasattr(subtable, "ExtSubTable"):  # lookup type 7, extension
        subtable = subtable.ExtSubTable
    kind = type(subtable).__name__
    if kind == "SingleSubst":
        for source, target in subtable.mapping.items():
            if source in texts:
                yield target, texts[source]
    elif kind == "AlternateSubst":
        for source, targets in subtable.alternates.items():
            if source in texts:
                for target in targets:
                    yield target, texts[source]
    elif kind == "MultipleSubst":
        for source, targets in subtable.mapping.items():
            if source in texts and len(targets) == 1:
                yield targets[0], texts[source]
    elif kind == "LigatureSubst":
        for first, ligatures in subtable.ligatures.items():
            for ligature in ligatures:
                parts = [first, *ligature.Component]
                if all(part in texts for part in parts):
                    yield ligature.LigGlyph, "".join(texts[part] for part in parts)
    # Contextual lookups (5, 6) only call other lookups, which are read directly.


def glyph_texts(font_data: bytes, font_index: int = 0) -> dict[int, str]:
    """Glyph id -> Unicode text for every glyph that the cmap or GSUB can explain."""
    font = TTFont(io.BytesIO(font_data), fontNumber=font_index, lazy=True)
    texts: dict[str, str] = {}
    for codepoint, name in sorted((font.getBestCmap() or {}).items()):
        if not _is_pua(codepoint):
            texts.setdefault(name, chr(codepoint))
    cmap_glyphs = set(texts)
    if "GSUB" in font and font["GSUB"].table.LookupList is not None:
        lookups = font["GSUB"].table.LookupList.Lookup
        changed = True
        while changed:
            changed = False
            for lookup in lookups:
                for subtable in lookup.SubTable:
                    for target, text in list(_gsub_sources(subtable, texts)):
                        if target not in texts:
                            texts[target] = text
                            changed = True
    glyph_ids = font.getReverseGlyphMap()
    return {
        glyph_ids[name]: text if name in cmap_glyphs else _thai_logical_order(text)
        for name, text in texts.items()
        if name in glyph_ids
    }


_cache: dict[tuple[bytes, int], dict[int, str]] = {}


def _cached_glyph_texts(font_data: bytes, font_index: int) -> dict[int, str]:
    key = (hashlib.sha256(font_data).digest(), font_index)
    if key not in _cache:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = glyph_texts(font_data, font_index)
    return _cache[key]


def fix_font_to_unicode(font) -> None:
    """Rewrite the values of a WeasyPrint ``Font.to_unicode`` from the font's data."""
    if not font.to_unicode:
        return
    try:
        texts = _cached_glyph_texts(font.file_content, font.index)
    except Exception:  # a font fontTools cannot read: keep WeasyPrint's map
        logger.warning("Cannot read font %r to fix its ToUnicode map", font.family, exc_info=True)
        return
    for glyph_id in font.to_unicode:
        text = texts.get(glyph_id)
        if text is not None:
            font.to_unicode[glyph_id] = text


def install() -> None:
    """Wrap ``weasyprint.pdf.build_fonts_dictionary`` once (idempotent)."""
    if hasattr(weasyprint.pdf, _MARKER):
        return
    original = weasyprint.pdf.build_fonts_dictionary

    @functools.wraps(original)
    def build_fonts_dictionary(pdf, fonts, compress, subset, options):
        for font in fonts.values():
            fix_font_to_unicode(font)
        return original(pdf, fonts, compress, subset, options)

    setattr(weasyprint.pdf, _MARKER, original)
    weasyprint.pdf.build_fonts_dictionary = build_fonts_dictionary


def uninstall() -> None:
    """Restore WeasyPrint's original function (for measurements and tests)."""
    original = getattr(weasyprint.pdf, _MARKER, None)
    if original is not None:
        weasyprint.pdf.build_fonts_dictionary = original
        delattr(weasyprint.pdf, _MARKER)


def is_installed() -> bool:
    return hasattr(weasyprint.pdf, _MARKER)
