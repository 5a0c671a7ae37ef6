"""Faster paths through WeasyPrint 70's text layout and drawing, with the same output.

Why
---
A progress report is mostly table cells of Thai text: a 15-measure report lays out about 1,300
lines.  WeasyPrint spends its time per line, and part of that work is repeated:

1. Every ``weasyprint.text.line_break.Layout`` (about three per line: the line breaking draft, the
   final line, the line again when it is drawn) creates a new PangoContext and a new
   PangoFontDescription from the style, though they only depend on the font, its size, the text
   direction and the language.
2. Once a line is laid out, ``first_line_metrics`` frees its Pango layout to save memory, and
   drawing (``draw_text`` -> ``Layout.reactivate``) builds a new one with the same text and lays
   the line out once more.

What is patched (:func:`install`, idempotent; :func:`uninstall` restores WeasyPrint)
-------------------------------------------------------------------------------
- ``Layout.setup``: the PangoContext is shared per ``(direction, language)`` and the font
  description and OpenType feature string per font, cached on the ``FontConfiguration`` (Pango
  copies a font description into each layout; the contexts are never changed after creation).
  Everything else is WeasyPrint's code.  A FontConfiguration, and so these caches, must not be
  used by two threads at once -- WeasyPrint's own caches on it are not thread-safe either;
  ``reports.pdf.render`` keeps one per thread.
- ``line_break.first_line_metrics``: a finished line's layout is kept (not freed) and put in the
  state drawing would rebuild -- no width, word wrapping, single-paragraph mode -- when its text
  has no paragraph separator and its style no letter or word spacing.  A line broken off a longer
  text is put in that state before its final layout (which WeasyPrint already does without a
  width; wrapping and single-paragraph mode change nothing then); a text that fits is measured
  first and put in that state afterwards, so drawing lays it out as a new layout would.  Hyphenated
  lines and any other layout are freed as before.
- ``Layout.reactivate``: a kept layout whose style is the one drawing asks for and which has no
  justification spacing is used as it is; otherwise WeasyPrint's ``reactivate`` rebuilds it.
  ``draw_text`` frees it after drawing, as before.
- ``strut`` (in ``line_break`` and ``layout.inline``, which imports it by name): the result is kept
  on the style object. WeasyPrint keys its own cache with a string built from 15 style values, and
  asks twice for every line.

Measured (bench/pdf_bench.py, --plain-weasyprint for without): a 15-measure report renders about
10-15 % faster; at 200 measures the kept layouts add about 25 MiB of peak memory (about 150 MiB
in all, under the 200 MB target).  The page content streams are byte-identical with and without
these paths (tests/test_documents_pdf.py checks every document kind and layout, a memo cover,
a watermark and rows split across pages).

Like :mod:`.tounicode`, the module refuses to import unless WeasyPrint is exactly the pinned
version and the patched functions have the expected signatures: re-check the copies below against
the new ``weasyprint/text/line_break.py``, ``weasyprint/layout/inline.py`` and
``weasyprint/draw/text.py`` before changing the pin. Good upstream patches in the same spirit: a
per-style memo of ``strut`` (or a tuple key instead of ``str(tuple)``). (Used values of
percentages kept per style and containing block were tried and left out: text boxes mostly have
styles of their own, and only about one call in five was a repeat.)
"""

from __future__ import annotations

import importlib
import inspect

from weasyprint.text import line_break
from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION, PANGO_WRAP_MODE
from weasyprint.text.ffi import FROM_UNITS, ffi, gobject, pango, unicode_to_char_p
from weasyprint.text.fonts import font_features, get_font_description

from .tounicode import WeasyPrintVersionError, check_weasyprint

check_weasyprint()

_EXPECTED = {
    "setup": ["self", "style"],
    "reactivate": ["self", "style"],
    "first_line_metrics": ["first_line", "text", "layout", "resume_at", "space_collapse",
                           "style", "hyphenated", "hyphenation_character"],
    "strut": ["style"],
}
_ORIGINALS = {
    "setup": line_break.Layout.setup,
    "reactivate": line_break.Layout.reactivate,
    "first_line_metrics": line_break.first_line_metrics,
    "strut": line_break.strut,
}
for _name, _function in _ORIGINALS.items():
    if list(inspect.signature(_function).parameters) != _EXPECTED[_name]:
        raise WeasyPrintVersionError(
            f"weasyprint {_function.__module__} {_name} has an unexpected signature: "
            f"{inspect.signature(_function)}")

# The modules that import these functions by name (``from ..text.line_break import strut``).
_USERS = {
    "strut": ["weasyprint.text.line_break", "weasyprint.layout.inline"],
}
for _name, _modules in _USERS.items():
    for _module in _modules:
        if getattr(importlib.import_module(_module), _name, None) is not _ORIGINALS[_name]:
            raise WeasyPrintVersionError(f"{_module} does not use weasyprint's own {_name}")

_KEPT = "_ita_kept"  # Layout attribute: kept after layout, ready to be drawn as it is
_PARAGRAPH_SEPARATORS = ("\n", "\r", "\u2029")
_CACHE_LIMIT = 512


def _caches(font_config) -> tuple[dict, dict, dict]:
    caches = font_config.__dict__.get("_ita_layout_caches")
    if caches is None:
        caches = font_config._ita_layout_caches = ({}, {}, {})
    return caches


def _put(cache: dict, key, value):
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def setup(self, style):
    """``Layout.setup`` of WeasyPrint 70 with the context, font description and features cached."""
    self.style = style
    self.first_line_direction = 0
    contexts, descriptions, features_cache = _caches(style.font_config)

    if style["font_language_override"] != "normal":
        lang = LST_TO_ISO.get(
            style["font_language_override"].lower(), style["font_language_override"])
    else:
        lang = style["lang"] or None
    context_key = (style["direction"], lang)
    cached = contexts.get(context_key)
    if cached is None:
        pango_context = ffi.gc(
            pango.pango_font_map_create_context(style.font_config.font_map),
            gobject.g_object_unref)
        pango.pango_context_set_round_glyph_positions(pango_context, False)
        pango.pango_context_set_base_dir(pango_context, PANGO_DIRECTION[style["direction"]])
        if lang:
            lang_p, _ = unicode_to_char_p(lang)
            language = pango.pango_language_from_string(lang_p)
            pango.pango_context_set_language(pango_context, language)
        else:
            language = pango.pango_language_get_default()
        cached = _put(contexts, context_key, (pango_context, language))
    pango_context, self.language = cached

    assert not isinstance(style["font_family"], str), "font_family should be a list"
    variations = style["font_variation_settings"]
    description_key = (
        tuple(style["font_family"]), style["font_style"], style["font_stretch"],
        style["font_weight"], style["font_size"], style["font_variant_caps"],
        variations if variations == "normal" else tuple(map(tuple, variations)))
    font_description = descriptions.get(description_key)
    if font_description is None:
        font_description = _put(descriptions, description_key, get_font_description(style))
    self.layout = ffi.gc(pango.pango_layout_new(pango_context), gobject.g_object_unref)
    pango.pango_layout_set_auto_dir(self.layout, False)
    pango.pango_layout_set_font_description(self.layout, font_description)

    if style["text_decoration_line"] != "none":
        metrics = ffi.gc(
            pango.pango_context_get_metrics(pango_context, font_description, self.language),
            pango.pango_font_metrics_unref)
        self.ascent = FROM_UNITS * pango.pango_font_metrics_get_ascent(metrics)
        self.underline_position = FROM_UNITS * (
            pango.pango_font_metrics_get_underline_position(metrics))
        self.strikethrough_position = FROM_UNITS * (
            pango.pango_font_metrics_get_strikethrough_position(metrics))
        self.underline_thickness = FROM_UNITS * (
            pango.pango_font_metrics_get_underline_thickness(metrics))
        self.strikethrough_thickness = FROM_UNITS * (
            pango.pango_font_metrics_get_strikethrough_thickness(metrics))
    else:
        self.ascent = None
        self.underline_position = None
        self.strikethrough_position = None

    features_key = (
        style["font_kerning"], style["font_variant_ligatures"], style["font_variant_position"],
        style["font_variant_caps"], style["font_variant_numeric"],
        style["font_variant_alternates"], style["font_variant_east_asian"],
        style["font_feature_settings"])
    try:
        features = features_cache[features_key]
    except KeyError:
        features = font_features(*features_key)
        if features:
            features = ",".join(f"{key} {value}" for key, value in features.items()).encode()
        features = _put(features_cache, features_key, features or None)
    except TypeError:  # an unhashable value: compute it as WeasyPrint does
        features = font_features(*features_key)
        if features:
            features = ",".join(f"{key} {value}" for key, value in features.items()).encode()
    if features:
        attr = style.font_config.font_features.setdefault(
            features, pango.pango_attr_font_features_new(features))
        attr_list = pango.pango_attr_list_new()
        pango.pango_attr_list_insert(attr_list, attr)
        pango.pango_layout_set_attributes(self.layout, attr_list)


def _keepable(text: str, style) -> bool:
    """Whether a line's layout, set to drawing's state, draws as a fresh one would."""
    return (style["word_spacing"] == 0 and style["letter_spacing"] in ("normal", 0)
            and not any(separator in text for separator in _PARAGRAPH_SEPARATORS))


def _set_drawing_state(layout) -> None:
    """What a layout rebuilt for drawing has: no width, word wrapping, one paragraph."""
    pango.pango_layout_set_width(layout.layout, -1)
    pango.pango_layout_set_wrap(layout.layout, PANGO_WRAP_MODE["WRAP_WORD"])
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)


def first_line_metrics(first_line, text, layout, resume_at, space_collapse,
                       style, hyphenated=False, hyphenation_character=None):
    """WeasyPrint 70's ``first_line_metrics``; keeps the final layout when drawing can use it.

    A line broken off a longer text (``resume_at``) is laid out once more here, with no width, as
    WeasyPrint does; it is set to drawing's state before that layout (the wrap mode and the
    single-paragraph mode change nothing without a width and a paragraph separator).  A text that
    fits (no ``resume_at``) is measured first and set to drawing's state afterwards, so drawing
    lays it out again as it would have anyway, without rebuilding the layout."""
    length = first_line.length
    keep = False
    if hyphenated:
        length -= len(hyphenation_character.encode())
    elif resume_at:
        # Infinite width: the line is already split (and drawing is faster without a width).
        pango.pango_layout_set_width(layout.layout, -1)
        first_line_text = text.encode()[:length].decode()
        if space_collapse:
            first_line_text = first_line_text.rstrip(" ")
        keep = _keepable(first_line_text, style)
        if keep:
            _set_drawing_state(layout)
        layout.set_text(first_line_text)
        first_line, _ = layout.get_first_line()
        length = first_line.length if first_line is not None else 0

    width, height = line_break.line_size(first_line, style)
    baseline = pango.pango_layout_get_baseline(layout.layout) * FROM_UNITS
    if not keep and not hyphenated and resume_at is None and _keepable(layout.text, style):
        _set_drawing_state(layout)  # after measuring: the next layout is drawing's
        keep = True
    if keep:
        setattr(layout, _KEPT, True)
    else:
        layout.deactivate()
    return layout, length, resume_at, width, height, baseline


def reactivate(self, style):
    """Use a kept layout as it is when it is what WeasyPrint's ``reactivate`` would rebuild."""
    if self.__dict__.pop(_KEPT, False) and style is self.style and not self.justification_spacing:
        return
    _ORIGINALS["reactivate"](self, style)


_STRUT = "_ita_strut"  # style attribute: strut(style)


def strut(style):
    """``line_break.strut`` once per style object (WeasyPrint caches it per font, size and line
    height under a key it builds as a string of 15 style values, twice for every line)."""
    cached = style.__dict__.get(_STRUT)
    if cached is None:
        cached = style.__dict__[_STRUT] = _ORIGINALS["strut"](style)
    return cached


def _set(name, function) -> None:
    for module in _USERS.get(name, ()):
        setattr(importlib.import_module(module), name, function)


def install() -> None:
    """Install the faster paths (idempotent)."""
    line_break.Layout.setup = setup
    line_break.Layout.reactivate = reactivate
    line_break.first_line_metrics = first_line_metrics
    _set("strut", strut)


def uninstall() -> None:
    """Restore WeasyPrint's own functions (for measurements and tests)."""
    line_break.Layout.setup = _ORIGINALS["setup"]
    line_break.Layout.reactivate = _ORIGINALS["reactivate"]
    line_break.first_line_metrics = _ORIGINALS["first_line_metrics"]
    _set("strut", _ORIGINALS["strut"])


def is_installed() -> bool:
    return line_break.first_line_metrics is first_line_metrics
