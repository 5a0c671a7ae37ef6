"""What a renderer that typesets a progress report's table itself would cost, against WeasyPrint.

    .venv/bin/python bench/pango_probe.py [--size 200] [--repeat 3] [--pdf out.pdf]

pdf_bench's synthetic layout-A report, three ways, each timed in the same process as WeasyPrint's render of
the same report (medians of --repeat):

1. every paragraph of every measure's cells, marked between Thai words (reports.printing.thai_words) and
   kept unbroken inside words as reports.pdf.thai_breaks does, laid out as one Pango paragraph at its
   column's width (Sarabun 11pt, the table's size): what the text costs Pango itself;
2. the same, with every line's glyph ids and advances read, as drawing needs;
3. a whole PDF typeset by the probe: title, preamble, the table with its header repeated on every page and
   rows split between lines at a page's end, the signature, "หน้า x จาก y" in Thai digits; text as glyphs of
   the embedded Sarabun files (not subset) with a ToUnicode map, borders and shading, written with pydyf.

The probe's PDF is close to WeasyPrint's (same pages within a few, same columns and lines) but leaves out
what a real renderer would need: sub-step indents, division names kept whole, paragraph spacing, group rows
kept with the next row, the signature kept with the table, evidence rows, the memo cover, watermarks, font
subsetting. It measures the cost of the approach, it is not a renderer: nothing in the portal uses it.
"""
from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import tempfile
import time
from functools import cached_property
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


def paragraph_layout(context, description, text: str, width: float | None):
    """A Pango layout of one paragraph at ``width`` pt (None: one line), breaking only between the marked
    Thai words as reports.pdf.thai_breaks makes WeasyPrint do. The caller unrefs it."""
    from weasyprint.text.ffi import TO_UNITS, pango, unicode_to_char_p

    from reports.pdf import thai_breaks

    layout = pango.pango_layout_new(context)
    pango.pango_layout_set_font_description(layout, description)
    if width is not None:
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
    return layout


def typeset(cells, font_map, with_glyphs: bool) -> tuple[int, int]:
    """(lines, glyphs) of laying out every paragraph with Pango, reading the glyphs when asked."""
    from weasyprint.text.ffi import ffi, gobject, pango

    setter = Typesetter(font_map)
    description = setter.description(11, 400)
    lines = glyphs = 0
    for text, width in cells:
        layout = paragraph_layout(setter.context, description, text, width)
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


# --- A whole PDF typeset by the probe ---------------------------------------------------------------------

PT_PER_MM = 72 / 25.4
PAGE_W, PAGE_H = 297 * PT_PER_MM, 210 * PT_PER_MM
MARGINS = {"top": 15, "right": 15, "bottom": 15, "left": 20}  # reports.printing.rendering.LANDSCAPE_MARGINS_MM
PAD_X, PAD_Y = 4, 2  # th, td padding (reports/pdf/base.css)
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


class Font:
    """One embedded TrueType font: its file, used glyphs' widths and their text (ToUnicode)."""

    def __init__(self, key: str, path):
        from fontTools.ttLib import TTFont

        self.key, self.path = key, path
        with TTFont(path, lazy=True) as font:
            self.upm = font["head"].unitsPerEm
            self.ascent, self.descent = font["hhea"].ascent, -font["hhea"].descent
            metrics = font["hmtx"].metrics
            self.advance = [metrics[name][0] for name in font.getGlyphOrder()]
        self.used: dict[int, str] = {}


class Typesetter:
    """Lines of text laid out by Pango (one layout per paragraph), drawn as PDF text operators."""

    def __init__(self, font_map):
        from weasyprint.text.ffi import ffi, gobject, pango

        self.ffi, self.pango = ffi, pango
        self.context = ffi.gc(pango.pango_font_map_create_context(font_map), gobject.g_object_unref)
        pango.pango_context_set_language(self.context, pango.pango_language_from_string(b"th"))
        self.descriptions = {}

    @cached_property
    def fonts(self) -> dict[int, Font]:
        """The embedded fonts by weight (read when text is first drawn: laying out needs none)."""
        from reports.pdf.fonts import font_files

        files = font_files()
        return {400: Font("F1", files[(400, "normal")]), 700: Font("F2", files[(700, "normal")])}

    def description(self, size: float, weight: int):
        from weasyprint.text.ffi import TO_UNITS

        key = (size, weight)
        if key not in self.descriptions:
            pango = self.pango
            d = self.ffi.gc(pango.pango_font_description_new(), pango.pango_font_description_free)
            pango.pango_font_description_set_family(d, b"Sarabun")
            pango.pango_font_description_set_weight(d, weight)
            pango.pango_font_description_set_absolute_size(d, int(size * TO_UNITS))
            self.descriptions[key] = d
        return self.descriptions[key]

    def lines(self, text: str, width: float | None, size: float, weight: int = 400) -> list[tuple[float, list]]:
        """[(line width, [(gid, advance, x offset, y offset)])] of a paragraph, in pt."""
        from weasyprint.text.ffi import FROM_UNITS, gobject

        pango, ffi = self.pango, self.ffi
        font = self.fonts[weight]
        layout = paragraph_layout(self.context, self.description(size, weight), text, width)
        encoded = text.encode()
        out = []
        for index in range(pango.pango_layout_get_line_count(layout)):
            run = pango.pango_layout_get_line_readonly(layout, index).runs
            glyphs, line_width = [], 0.0
            while run != ffi.NULL:
                item = ffi.cast("PangoGlyphItem *", run.data)
                glyph_string = item.glyphs
                infos, clusters, count = glyph_string.glyphs, glyph_string.log_clusters, glyph_string.num_glyphs
                offset, length = item.item.offset, item.item.length
                for k in range(count):
                    info = infos[k]
                    gid, geometry = info.glyph, info.geometry
                    advance = geometry.width * FROM_UNITS
                    if gid == 0x0FFFFFFF:  # PANGO_GLYPH_EMPTY (the word marks)
                        line_width += advance
                        continue
                    if gid not in font.used:
                        end = length if k == count - 1 else clusters[k + 1]
                        font.used[gid] = encoded[offset + clusters[k]:offset + end].decode(errors="ignore")
                    glyphs.append((gid, advance, geometry.x_offset * FROM_UNITS, geometry.y_offset * FROM_UNITS))
                    line_width += advance
                run = run.next
            out.append((line_width, glyphs))
        gobject.g_object_unref(layout)
        return out

    def draw(self, ops: list, lines, x: float, top: float, size: float, weight: int, line_height: float,
             align: str = "left", width: float = 0):
        """Text operators for ``lines`` from ``top`` (PDF y, downwards)."""
        font = self.fonts[weight]
        ascent = font.ascent * size / font.upm
        half_leading = (line_height - (font.ascent + font.descent) * size / font.upm) / 2
        y = top
        for line_width, glyphs in lines:
            start = x + (width - line_width) / 2 if align == "center" else x
            baseline = y - half_leading - ascent
            parts, rise, buffer = [], 0.0, []
            for gid, advance, x_offset, y_offset in glyphs:
                if y_offset != rise:
                    if buffer:
                        parts.append("[" + " ".join(buffer) + "] TJ")
                        buffer = []
                    rise = y_offset
                    parts.append(f"{-rise:.2f} Ts")
                if x_offset:
                    buffer.append(f"{-x_offset * 1000 / size:.1f}")
                buffer.append(f"<{gid:04x}>")
                natural = font.advance[gid] * size / font.upm
                correction = natural + x_offset - advance
                if abs(correction) > 0.01:
                    buffer.append(f"{correction * 1000 / size:.1f}")
            if buffer:
                parts.append("[" + " ".join(buffer) + "] TJ")
            ops.append(f"BT /{font.key} {size} Tf 1 0 0 1 {start:.2f} {baseline:.2f} Tm {' '.join(parts)} 0 Ts ET")
            y -= line_height


def typeset_pdf(data: dict, font_map) -> bytes:
    """The report's title, preamble, layout-A table (header repeated, rows split between lines) and
    signature on A4 landscape pages with "หน้า x จาก y", typeset by the probe and written with pydyf."""
    import io

    import pydyf

    from reports.printing.rendering import layout_columns
    from reports.printing.thai_words import mark_words

    ts = Typesetter(font_map)
    left, right = MARGINS["left"] * PT_PER_MM, PAGE_W - MARGINS["right"] * PT_PER_MM
    top, bottom = PAGE_H - MARGINS["top"] * PT_PER_MM, MARGINS["bottom"] * PT_PER_MM
    columns = layout_columns(data, "A")
    total = sum(c["weight"] for c in columns)
    edges = [left]
    for c in columns:
        edges.append(edges[-1] + (right - left) * c["weight"] / total)
    cell_lh, cell_size = 11 * 1.4, 11

    pages: list[list[str]] = [[]]
    y = top

    def new_page():
        nonlocal y
        pages.append([])
        y = top

    def block(text, size, weight, line_height, align="left", indent=0.0):
        nonlocal y
        for line in ts.lines(text, right - left - indent, size, weight):
            if y - line_height < bottom:
                new_page()
            ts.draw(pages[-1], [line], left + indent, y, size, weight, line_height, align, right - left)
            y -= line_height

    for line in data["title_lines"]:
        block(line, 14, 700, 14 * 1.45, "center")
    block(data["organisation"]["name"], 14, 700, 14 * 1.45, "center")
    block(data["organisation"]["place"], 13, 700, 13 * 1.5, "center")
    for paragraph in data["preamble"]:
        block(paragraph, 12, 400, 18, indent=30)
        y -= 6

    header = [ts.lines(mark_words(c["heading"]), edges[i + 1] - edges[i] - 2 * PAD_X, cell_size, 700)
              for i, c in enumerate(columns)]
    header_height = max(len(lines) for lines in header) * cell_lh + 2 * PAD_Y

    def cell_box(ops, x0, x1, y0, height):
        ops.append(f"{x0:.2f} {y0 - height:.2f} {x1 - x0:.2f} {height:.2f} re S")

    def draw_header():
        nonlocal y
        ops = pages[-1]
        ops.append(f"0.91 g {left:.2f} {y - header_height:.2f} {right - left:.2f} {header_height:.2f} re f 0 g")
        for i, lines in enumerate(header):
            cell_box(ops, edges[i], edges[i + 1], y, header_height)
            ts.draw(ops, lines, edges[i] + PAD_X, y - PAD_Y, cell_size, 700, cell_lh, "center",
                    edges[i + 1] - edges[i] - 2 * PAD_X)
        y -= header_height

    def row(cells: list[list], weight=400, shade=None):
        """Cells' lines; split between lines where the page ends; the header again on each new page."""
        nonlocal y
        remaining = [list(lines) for lines in cells]
        while any(remaining):
            room = int((y - bottom - 2 * PAD_Y) // cell_lh)
            need = max(len(lines) for lines in remaining)
            if room < 1 or (room < need and room < 2):
                new_page()
                draw_header()
                continue
            take = min(room, need)
            height = take * cell_lh + 2 * PAD_Y
            ops = pages[-1]
            if shade:
                ops.append(f"{shade} g {left:.2f} {y - height:.2f} {right - left:.2f} {height:.2f} re f 0 g")
            spans = [(edges[0], edges[-1])] if len(remaining) == 1 else list(zip(edges, edges[1:]))
            for (x0, x1), lines in zip(spans, remaining):
                cell_box(ops, x0, x1, y, height)
                ts.draw(ops, lines[:take], x0 + PAD_X, y - PAD_Y, cell_size, weight, cell_lh)
                del lines[:take]
            y -= height

    y -= 4
    draw_header()
    group = None
    for m in data["measures"]:
        if m["group"] != group:
            group = m["group"]
            row([ts.lines(mark_words(group), right - left - 2 * PAD_X, cell_size, 700)], 700, "0.95")
        values = {"measure": m["measure"], "steps": m["steps"], "responsible": m["responsible"],
                  "timeline": m["timeline"], "output": m["output"], "outcome": m["outcome"]}
        cells = []
        for i, column in enumerate(columns):
            value = values.get(column["key"]) or []
            lines = []
            for text in [value] if isinstance(value, str) else value:
                lines += ts.lines(mark_words(str(text)), edges[i + 1] - edges[i] - 2 * PAD_X, cell_size)
            cells.append(lines)
        row(cells)
    y -= 24
    if y - 3 * 21.6 < bottom:
        new_page()
    signer = data["signer"]
    for text in ("ลงชื่อ ........................................", f"({signer['name']})", signer["role"]):
        for line in ts.lines(text, None, 12):
            ts.draw(pages[-1], [line], (left + right) / 2, y, 12, 400, 21.6, "center", (right - left) / 2)
            y -= 21.6

    count = str(len(pages)).translate(THAI_DIGITS)
    for number, ops in enumerate(pages, 1):
        footer = ts.lines(f"หน้า {str(number).translate(THAI_DIGITS)} จาก {count}", None, 10)
        ts.draw(ops, footer, left, bottom - 4, 10, 400, 15, "center", right - left)

    pdf = pydyf.PDF()
    font_refs = {}
    for font in ts.fonts.values():
        if not font.used:
            continue
        file = pydyf.Stream([font.path.read_bytes()], {"Length1": font.path.stat().st_size}, compress=True)
        pdf.add_object(file)
        scale = 1000 / font.upm
        widths = pydyf.Array()
        for gid in sorted(font.used):
            widths.extend([gid, pydyf.Array([round(font.advance[gid] * scale)])])
        descriptor = pydyf.Dictionary({
            "Type": "/FontDescriptor", "FontName": "/Sarabun", "Flags": 32,
            "FontBBox": pydyf.Array([-500, -300, 1500, 1200]), "ItalicAngle": 0,
            "Ascent": round(font.ascent * scale), "Descent": -round(font.descent * scale),
            "CapHeight": 700, "StemV": 80, "FontFile2": file.reference})
        pdf.add_object(descriptor)
        cid = pydyf.Dictionary({
            "Type": "/Font", "Subtype": "/CIDFontType2", "BaseFont": "/Sarabun",
            "CIDSystemInfo": pydyf.Dictionary({"Registry": pydyf.String("Adobe"),
                                               "Ordering": pydyf.String("Identity"), "Supplement": 0}),
            "FontDescriptor": descriptor.reference, "W": widths, "CIDToGIDMap": "/Identity"})
        pdf.add_object(cid)
        cmap_lines = ["/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
                      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
                      "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
                      "1 begincodespacerange <0000> <ffff> endcodespacerange"]
        items = sorted(font.used.items())
        for start in range(0, len(items), 100):
            chunk = items[start:start + 100]
            cmap_lines.append(f"{len(chunk)} beginbfchar")
            cmap_lines += [f"<{gid:04x}> <{text.encode('utf-16-be').hex()}>" for gid, text in chunk]
            cmap_lines.append("endbfchar")
        cmap_lines.append("endcmap CMapName currentdict /CMap defineresource pop end end")
        to_unicode = pydyf.Stream(["\n".join(cmap_lines)], compress=True)
        pdf.add_object(to_unicode)
        type0 = pydyf.Dictionary({
            "Type": "/Font", "Subtype": "/Type0", "BaseFont": "/Sarabun", "Encoding": "/Identity-H",
            "DescendantFonts": pydyf.Array([cid.reference]), "ToUnicode": to_unicode.reference})
        pdf.add_object(type0)
        font_refs[font.key] = type0.reference
    resources = pydyf.Dictionary({"Font": pydyf.Dictionary(font_refs)})
    pdf.add_object(resources)
    for ops in pages:
        content = pydyf.Stream(["0.5 w"] + ops, compress=True)
        pdf.add_object(content)
        pdf.add_page(pydyf.Dictionary({
            "Type": "/Page", "Parent": pdf.pages.reference,
            "MediaBox": pydyf.Array([0, 0, round(PAGE_W, 2), round(PAGE_H, 2)]),
            "Contents": content.reference, "Resources": resources.reference}))
    output = io.BytesIO()
    pdf.write(output)
    return output.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pdf", help="also write the probe's own PDF of the report to this file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ita-pango-probe-"))
    try:
        setup_django(work / "bench.sqlite3")
        build_database(sorted({10, args.size}))
        import pypdf
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
        whole, pdf = median(lambda: typeset_pdf(data, font_config.font_map))
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        print(f"  the probe's whole PDF, {pages} pages:   {whole:6.2f} s ({100 * whole / weasyprint:.0f} %,"
              f" {1000 * whole / pages:.1f} ms a page)")
        if args.pdf:
            Path(args.pdf).write_bytes(pdf)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
