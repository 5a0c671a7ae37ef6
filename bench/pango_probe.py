"""What Pango itself costs for a progress report's table text: the floor of a purpose-built renderer.

    .venv/bin/python bench/pango_probe.py [--size 200] [--repeat 3]

pdf_bench's synthetic layout-A report: every paragraph of every measure's cells, marked between Thai
words (reports.printing.thai_words) and kept unbroken inside words as reports.pdf.thai_breaks does, is
laid out as one Pango paragraph at its column's width (Sarabun 11pt, the table's size), as a renderer
that typesets the table itself would do; then, for drawing, every line's glyph ids and advances are read
into text. WeasyPrint's render of the same report is timed in the same process for comparison. The page
geometry, borders, pagination and PDF writing are left out: this is what the text alone costs.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pdf_bench import build_database, report_data, setup_django  # noqa: E402

USABLE_MM = 297 - 35  # A4 landscape less the report's left and right margins
CELL_PADDING_PT = 8.5  # 4pt each side and the border


def paragraphs(data: dict) -> list[tuple[str, float]]:
    """(marked text, width in pt) of every paragraph of the table's measure rows."""
    from reports.printing.rendering import layout_columns
    from reports.printing.thai_words import mark_words

    columns = layout_columns(data, "A")
    total = sum(c["weight"] for c in columns)
    widths = [USABLE_MM / 25.4 * 72 * c["weight"] / total - CELL_PADDING_PT for c in columns]
    out = []
    for m in data["measures"]:
        values = {"measure": m["measure"], "steps": m["steps"], "responsible": m["responsible"],
                  "timeline": m["timeline"], "output": m["output"], "outcome": m["outcome"]}
        for column, width in zip(columns, widths):
            value = values.get(column["key"]) or []
            for text in [value] if isinstance(value, str) else value:
                out.append((mark_words(str(text)), width))
    return out


def typeset(cells, font_map, with_glyphs: bool) -> tuple[int, int]:
    """(lines, glyphs) of laying out every paragraph with Pango, reading the glyphs when asked."""
    from weasyprint.text.ffi import TO_UNITS, ffi, gobject, pango, unicode_to_char_p

    from reports.pdf import thai_breaks

    context = ffi.gc(pango.pango_font_map_create_context(font_map), gobject.g_object_unref)
    pango.pango_context_set_language(context, pango.pango_language_from_string(b"th"))
    description = ffi.gc(pango.pango_font_description_new(), pango.pango_font_description_free)
    pango.pango_font_description_set_family(description, b"Sarabun")
    pango.pango_font_description_set_absolute_size(description, int(11 * TO_UNITS))
    lines = glyphs = 0
    for text, width in cells:
        layout = pango.pango_layout_new(context)
        pango.pango_layout_set_font_description(layout, description)
        pango.pango_layout_set_width(layout, int(width * TO_UNITS))
        bytestring, _ = unicode_to_char_p(text)
        pango.pango_layout_set_text(layout, bytestring, -1)
        runs = thai_breaks._runs(text)
        if runs:
            attrs = pango.pango_attr_list_new()
            for start, end in runs:
                attr = pango.pango_attr_allow_breaks_new(False)
                attr.start_index, attr.end_index = start, end
                pango.pango_attr_list_insert(attrs, attr)
            pango.pango_layout_set_attributes(layout, attrs)
            pango.pango_attr_list_unref(attrs)
        count = pango.pango_layout_get_line_count(layout)
        lines += count
        if with_glyphs:
            for index in range(count):
                run = pango.pango_layout_get_line_readonly(layout, index).runs
                while run != ffi.NULL:
                    glyph_string = ffi.cast("PangoGlyphItem *", run.data).glyphs
                    infos = glyph_string.glyphs
                    "".join(f"{infos[k].glyph:04x} {infos[k].geometry.width}"
                            for k in range(glyph_string.num_glyphs))
                    glyphs += glyph_string.num_glyphs
                    run = run.next
        gobject.g_object_unref(layout)
    return lines, glyphs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ita-pango-probe-"))
    try:
        setup_django(work / "bench.sqlite3")
        build_database(sorted({10, args.size}))
        from weasyprint.text.ffi import ffi

        from reports.pdf import render as pdf_render
        from reports.pdf import thai_breaks
        from reports.printing.rendering import render_document_pdf

        thai_breaks._declare()
        ffi.cdef("int pango_layout_get_line_count (PangoLayout *layout);")
        render_document_pdf(report_data(10))  # warm
        data = report_data(args.size)
        font_config, _ = pdf_render._base_sheets()
        cells = paragraphs(data)

        def median(function):
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = function()
                times.append(time.perf_counter() - started)
            return statistics.median(times), result

        weasyprint, _ = median(lambda: render_document_pdf(data))
        layout, (lines, _) = median(lambda: typeset(cells, font_config.font_map, False))
        drawn, (_, glyphs) = median(lambda: typeset(cells, font_config.font_map, True))
        print(f"{args.size} measures: {len(cells)} paragraphs, {lines} lines, {glyphs} glyphs (medians of {args.repeat})")
        print(f"  WeasyPrint, the whole report:         {weasyprint:6.2f} s")
        print(f"  Pango, the table text as paragraphs:  {layout:6.2f} s ({100 * layout / weasyprint:.0f} %)")
        print(f"  ... and every line's glyphs read:     {drawn:6.2f} s ({100 * drawn / weasyprint:.0f} %)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
