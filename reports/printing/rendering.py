"""Documents as HTML and PDF, from the data of ``reports.documents.data.build_document_data`` only.

    data = build_document_data(document)            # or a frozen snapshot of it
    options = RenderOptions(layout="C", arabic_digits=True, memo=True)
    pdf = render_document_pdf(data, options)        # bytes, A4, Sarabun
    html = render_preview_html(data, options)       # the same templates, for the browser

Nothing here queries the database: ``document_context`` is a pure function of the data and the
options (the emblem image is read through the storage API when a PDF is made).

Characters Sarabun cannot draw (emoji, symbols) are removed from the data before rendering
(``sarabun_safe``): reports.pdf refuses a PDF that would need a fallback font.
"""
from __future__ import annotations

import base64
import gc
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

from core.thai import to_thai_digits

from measures import layouts

from ..documents.data import map_strings, with_arabic_digits
from ..entries.evidence_print import printed_items
from ..models import DocumentKind

TEMPLATE_DIR = "reports/document"

# Landscape table pages (A4 297 × 210 mm): margins in mm, used by the CSS and by column_edges().
LANDSCAPE_MARGINS_MM = {"top": 15, "right": 15, "bottom": 15, "left": 20}
MM = 72 / 25.4  # points per millimetre
TOOL_SECTION = "{number}.ด้าน {code}"  # layout B section heading, as in seed 002: "๑.ด้าน IIT"
WATERMARK = "ฉบับร่าง"


@dataclass(frozen=True)
class RenderOptions:
    """How to print: None means "as the document says"."""

    layout: str | None = None  # one of reports.documents.data.layouts_for(kind)
    arabic_digits: bool | None = None
    memo: bool | None = None  # the บันทึกข้อความ cover in front
    memo_only: bool = False  # the memo cover alone (staff print it to sign or file it)
    analysis: bool = True  # a measures plan: the ITA result analysis in front (when there is one)


# --- characters -------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def sarabun_codepoints() -> frozenset[int]:
    """Code points every required Sarabun face (regular, bold) can draw."""
    from fontTools.ttLib import TTFont

    from ..pdf.fonts import REQUIRED_FACES, font_files

    files = font_files()
    sets = []
    for key in REQUIRED_FACES:
        with TTFont(files[key], lazy=True) as font:
            sets.append(set(font.getBestCmap()))
    return frozenset(set.intersection(*sets))


_KEEP = {"\n", "\t", " "}
# Fast path: text made only of these (all in Sarabun: ASCII, Latin-1 and Latin Extended-A, Thai) is
# returned as it is; test_sarabun_safe_fast_path_ranges_are_in_the_font checks the ranges.
SAFE_RANGES = "\n\t\x20-\x7e\u00a0-\u017e\u0e01-\u0e3a\u0e3f-\u0e5b"
_UNSAFE_CHAR = re.compile(f"[^{SAFE_RANGES}]")


def sarabun_safe(text: str) -> str:
    """``text`` without the characters Sarabun lacks (emoji, pictographs, stray controls); a
    character that NFKC turns into drawable ones (e.g. full-width digits) is replaced by them."""
    if not text or not _UNSAFE_CHAR.search(text):
        return text
    codepoints = sarabun_codepoints()
    out = []
    changed = False
    for char in text:
        if char in _KEEP or ord(char) in codepoints:
            out.append(char)
            continue
        changed = True
        folded = unicodedata.normalize("NFKC", char)
        if folded != char and all(ord(c) in codepoints for c in folded):
            out.append(folded)
    if not changed:
        return text
    return re.sub(r"[ \t]{2,}", " ", "".join(out)).strip(" ")


# --- context ------------------------------------------------------------------------------------------

def chosen_layout(data: dict, options: RenderOptions) -> str:
    """The option's layout when the kind may use it, else the document's own (a frozen snapshot prints
    in the layout it was approved in)."""
    allowed = layouts.layouts_for(data["kind"])
    if not allowed:
        return ""
    if options.layout in allowed:
        return options.layout
    return data.get("layout") or layouts.default_layout(data["kind"])


def layout_columns(data: dict, layout: str) -> list[dict]:
    """The columns of ``layout`` as the data holds them, each with its relative width: [{"key",
    "heading", "weight"}] (a snapshot made before the layout existed: the layout's columns now; a
    column without a frozen width: its width now)."""
    if not layout:
        return []
    columns = data["columns"].get(layout) or layouts.resolve_columns(layout)
    frozen = data.get("weights") or {}
    return [{**c, "weight": frozen.get(c["key"]) or layouts.column(c["key"]).weight} for c in columns]


# Table text: 11pt (table.report in _report.css); a cell's padding and border, left and right.
TABLE_FONT_PT = 11
CELL_PADDING_MM = (2 * 4 + 0.5) / MM
SHORT_HEADING_MM = 24  # a heading piece up to this wide (bold) stays on one line: ลำดับที่, ผู้รับผิดชอบ
DIVISION_MAX_MM = 55  # a division name (a piece of the responsible column) up to this wide stays whole


@lru_cache(maxsize=4)
def _advances(bold: bool) -> tuple[dict, int]:
    from fontTools.ttLib import TTFont

    from ..pdf.fonts import font_files

    with TTFont(font_files()[(700 if bold else 400, "normal")], lazy=True) as font:
        cmap, metrics = font.getBestCmap(), font["hmtx"]
        return {code: metrics[name][0] for code, name in cmap.items()}, font["head"].unitsPerEm


def text_width_mm(text: str, pt: float = TABLE_FONT_PT, *, bold: bool = False) -> float:
    """The advance width of ``text`` in Sarabun at ``pt`` points, in mm (marks advance nothing)."""
    advances, units = _advances(bold)
    return sum(advances.get(ord(char), units // 2) for char in text) / units * pt / MM


def _longest_word_mm(text: str, *, bold=False) -> float:
    from .thai_words import segment

    return max((text_width_mm(word, bold=bold) for word in segment(text) if word.strip()), default=0.0)


def _heading_units(heading: str) -> list[str]:
    """The pieces of a column heading that never break: short space-separated pieces whole."""
    return [piece for piece in heading.split() if text_width_mm(piece, bold=True) <= SHORT_HEADING_MM]


def column_minimums(columns, sections=()) -> list[float]:
    """Each column's narrowest width in mm (padding included) at which its heading's short pieces,
    the longest word of its heading, its numbers and its division names fit on one line."""
    minimums = []
    for index, column in enumerate(columns):
        heading = column["heading"]
        need = max([_longest_word_mm(heading, bold=True),
                    *(text_width_mm(unit, bold=True) for unit in _heading_units(heading))])
        if layouts.column(column["key"]).fit_cells:
            for section in sections:
                for row in section["rows"]:
                    if "cells" not in row:
                        continue
                    for line in row["cells"][index]["lines"]:
                        widths = [text_width_mm(piece) for piece in line["text"].split()]
                        need = max([need, *(w for w in widths if w <= DIVISION_MAX_MM)])
        minimums.append(need * 1.04 + CELL_PADDING_MM)  # a little room for kerning and rounding
    return minimums


def table_width_mm() -> float:
    return 297 - LANDSCAPE_MARGINS_MM["left"] - LANDSCAPE_MARGINS_MM["right"]


def column_fractions(keys, minimums=None, weights=None) -> list[float]:
    """Each column's share of the table width: by ``weights`` (default: the columns' weights in
    measures.layouts), except that a column narrower than its minimum (mm) gets that minimum and the
    others share the rest by weight."""
    if weights is None:
        weights = [layouts.column(key).weight for key in keys]
    if not minimums:
        return [w / sum(weights) for w in weights]
    total = table_width_mm()
    if sum(minimums) >= total:
        return [m / sum(minimums) for m in minimums]
    fixed: dict[int, float] = {}
    while True:
        free = total - sum(fixed.values())
        loose = [i for i in range(len(keys)) if i not in fixed]
        loose_weight = sum(weights[i] for i in loose)
        short = [i for i in loose if free * weights[i] / loose_weight < minimums[i]]
        if not short:
            break
        for i in short:
            fixed[i] = minimums[i]
    widths = [fixed[i] if i in fixed else free * weights[i] / loose_weight for i in range(len(keys))]
    return [w / total for w in widths]


def analysis_tables(data: dict) -> dict[str, list[dict]]:
    """The analysis tables' columns as the data holds them (a snapshot without them: the registry's
    now), each with its share of the table as a percentage: {name: [{"heading", "weight", "numeric",
    "width": "24%"}]}."""
    tables = data.get("analysis_tables") or layouts.analysis_tables()
    out = {}
    for name, columns in tables.items():
        total = sum(c["weight"] for c in columns) or 1
        out[name] = [{**c, "width": f"{100 * c['weight'] / total:g}%"} for c in columns]
    return out


def _widths(columns, sections=()) -> list[str]:
    fractions = column_fractions([c["key"] for c in columns], column_minimums(columns, sections),
                                 [c["weight"] for c in columns])
    return [f"{100 * f:.4f}%" for f in fractions]


def column_edges(keys, widths=None) -> list[tuple[float, float]]:
    """(left, right) x of each table column on a landscape page, in PDF points (for tests and tools
    that read a column's text back out of the PDF). ``widths``: the columns' widths as printed
    (``document_context(...)["columns"][i]["width"]``, "12.5%"); by default the plain weights."""
    if widths is None:
        fractions = column_fractions(keys)
    else:
        fractions = [float(str(w).rstrip("%")) / 100 for w in widths]
    left = LANDSCAPE_MARGINS_MM["left"] * MM
    width = table_width_mm() * MM
    edges, x = [], left
    for fraction in fractions:
        step = width * fraction
        edges.append((x, x + step))
        x += step
    return edges


def _cell(measure: dict, key: str, keys) -> dict:
    """{"key", "lines": [{"text", "sub"}]}: one paragraph per line (measures.layouts: the column's
    lines); "sub" marks a step's sub-item."""
    column = layouts.column(key)
    texts = column.cell_lines(measure, keys)
    levels = measure.get("step_levels") or () if column.sub_lines else ()
    return {"key": key, "lines": [
        {"text": text, "sub": i < len(levels) and levels[i] == 2} for i, text in enumerate(texts)
    ]}


def _rows(measures, columns, groups: bool, evidence: bool = False) -> list[dict]:
    """Table rows: group headings and measures; with ``evidence`` (a progress report) each measure's
    row carries the evidence items printed in the row after it (reports.entries.evidence_print)."""
    rows, group = [], None
    keys = [c["key"] for c in columns]
    for measure in measures:
        if groups and measure["group"] and measure["group"] != group:
            rows.append({"group": measure["group"]})
        group = measure["group"]
        row = {"cells": [_cell(measure, key, keys) for key in keys]}
        if evidence:
            row["evidence"] = printed_items(measure)
        rows.append(row)
    return rows


def table_sections(data: dict, layout: str) -> list[dict]:
    """[{"heading": str, "rows": [...]}]: one untitled section (layouts A, C, D, E, F: measures under
    their group-heading rows) or one section per tool (layout B: ๑.ด้าน IIT / ๒.ด้าน EIT / ๓.ด้าน OIT,
    then the measures of no tool)."""
    columns = layout_columns(data, layout)
    measures = data["measures"]
    evidence = data["kind"] == DocumentKind.PROGRESS
    if not layouts.by_tool(layout):
        return [{"heading": "", "rows": _rows(measures, columns, groups=True, evidence=evidence)}]
    by_tool: dict[str, list] = {}
    for measure in measures:
        by_tool.setdefault(measure["tools"][0] if measure["tools"] else "", []).append(measure)
    order = [code for code in ("IIT", "EIT", "OIT") if code in by_tool]
    order += sorted(code for code in by_tool if code not in order and code)
    sections = []
    for number, code in enumerate(order, start=1):
        digits = str(number) if data["arabic_digits"] else to_thai_digits(number)
        heading = TOOL_SECTION.format(number=digits, code=code)
        sections.append({"heading": heading, "rows": _rows(by_tool[code], columns, groups=False, evidence=evidence)})
    if "" in by_tool:
        sections.append({"heading": "", "rows": _rows(by_tool[""], columns, groups=False, evidence=evidence)})
    return sections


def prepared(data: dict, options: RenderOptions) -> dict:
    """The data as printed: Sarabun-safe text, in the chosen digits."""
    data = map_strings(data, sarabun_safe)
    arabic = data["arabic_digits"] if options.arabic_digits is None else options.arabic_digits
    if arabic:
        data = with_arabic_digits(data)
    data["arabic_digits"] = bool(arabic)
    return data


def document_context(data: dict, options: RenderOptions = RenderOptions()) -> dict:
    """Everything the templates use, from the data and the options only."""
    data = prepared(data, options)
    layout = chosen_layout(data, options)
    kind = data["kind"]
    columns = layout_columns(data, layout)
    memo = data["memo"]
    show_memo = options.memo_only or (memo["saved"] if options.memo is None else bool(options.memo))
    analysis = data["analysis"]
    show_analysis = kind == DocumentKind.ANALYSIS or (
        kind == DocumentKind.MEASURES and options.analysis and analysis is not None)
    sections = table_sections(data, layout) if layout else []
    return {
        "doc": data,
        "kind": kind,
        "layout": layout,
        "columns": [{**c, "width": w} for c, w in zip(columns, _widths(columns, sections))],
        "sections": sections,
        "show_table": kind in (DocumentKind.MEASURES, DocumentKind.PROGRESS),
        "show_memo": show_memo,
        "show_report": not options.memo_only,
        "memo": memo,
        "show_analysis": show_analysis,
        "analysis": analysis,
        "analysis_tables": analysis_tables(data),
        "development": analysis_development(analysis, arabic_digits=data["arabic_digits"]),
        "watermark": WATERMARK if data["is_draft"] else "",
        "counter_style": "decimal" if data["arabic_digits"] else "thai",
        "arabic_digits": data["arabic_digits"],
        "landscape": kind in (DocumentKind.MEASURES, DocumentKind.PROGRESS),
        "landscape_margins": LANDSCAPE_MARGINS_MM,
    }


def analysis_development(analysis: dict | None, *, arabic_digits: bool = False) -> list[dict]:
    """Section ๔ of the analysis (ประเด็นที่ควรพัฒนา จำแนกตามเครื่องมือการประเมิน), optional: per tool,
    only the indicators that have assessment points or issues typed; tools left without any are
    left out, and [] (no section at all) when nothing was typed. Tools are numbered ๔.๑, ๔.๒, … in
    the order they remain."""
    if not analysis:
        return []
    out = []
    for tool in analysis.get("tools", []):
        indicators = [i for i in tool["indicators"] if i["assessment_points"] or i["issues"]]
        if indicators:
            out.append({**tool, "indicators": indicators})
    for number, tool in enumerate(out, start=1):
        tool["number"] = str(number) if arabic_digits else to_thai_digits(number)
    return out


def _mark_heading(heading: str) -> str:
    from .thai_words import mark_words

    short = set(_heading_units(heading))
    return " ".join(piece if piece in short else mark_words(piece) for piece in heading.split(" "))


def _division_whole(piece: str) -> bool:
    return text_width_mm(piece) <= DIVISION_MAX_MM


def with_word_marks(context: dict) -> dict:
    """The context with the table texts marked for the PDF (reports.printing.thai_words): U+200B between
    Thai words; division names and short heading pieces whole. The cells are ``word-break:
    keep-all`` in _report.css, so their lines break at the marks and spaces only."""
    from .thai_words import keep_whole, mark_words

    def cell(cell):
        breaks = layouts.column(cell["key"]).breaks
        mark = (lambda t: t) if breaks == "none" else (
            (lambda t: keep_whole(t, _division_whole)) if breaks == "divisions" else mark_words)
        return {**cell, "lines": [{**line, "text": mark(line["text"])} for line in cell["lines"]]}

    def row(row):
        if "cells" in row:
            return {**row, "cells": [cell(c) for c in row["cells"]]}
        return {**row, "group": mark_words(row["group"])}

    return {
        **context,
        "columns": [{**c, "heading": _mark_heading(c["heading"])} for c in context["columns"]],
        "sections": [{**section, "heading": mark_words(section["heading"]),
                      "rows": [row(r) for r in section["rows"]]} for section in context["sections"]],
        "analysis": map_strings(context["analysis"], mark_words) if context["analysis"] else context["analysis"],
    }


# --- emblem -------------------------------------------------------------------------------------------

def emblem_source(name: str, *, for_pdf: bool) -> tuple[str, list[Path]]:
    """(URL of the organisation's emblem, directories the PDF engine may read it from).

    Through the storage API: a storage with local paths gives a file:// URL inside an allowed
    directory; any other storage is read and inlined as a data: URL. The browser gets storage.url().
    """
    if not name:
        return "", []
    try:
        if not default_storage.exists(name):
            return "", []
        if not for_pdf:
            return default_storage.url(name), []
        try:
            path = Path(default_storage.path(name)).resolve()
            if not path.is_file():  # a storage whose paths are not files here (in memory, a mount elsewhere)
                raise NotImplementedError
        except NotImplementedError:
            with default_storage.open(name, "rb") as fh:
                content = fh.read()
            mime = mimetypes.guess_type(name)[0] or "image/png"
            return f"data:{mime};base64,{base64.b64encode(content).decode()}", []
        return path.as_uri(), [path.parent]
    except (OSError, ValueError):
        return "", []


# --- HTML and PDF ---------------------------------------------------------------------------------------

def _render(template: str, context: dict) -> str:
    return render_to_string(f"{TEMPLATE_DIR}/{template}", context)


def _pdf_parts(data: dict, options: RenderOptions, *, for_pdf: bool = True):
    context = document_context(data, options)
    if for_pdf:
        context = with_word_marks(context)
    emblem, dirs = emblem_source(data["organisation"]["emblem"], for_pdf=for_pdf)
    context["emblem_url"] = emblem
    parts = []
    if context["show_memo"]:
        parts.append(_render("memo.html", context))
    if context["show_report"]:
        parts.append(_render("report.html", context))
    return parts, dirs, context


def render_html_parts(data: dict, options: RenderOptions = RenderOptions(), *, for_pdf: bool = True):
    """(list of HTML documents to print in order, directories the PDF may read images from).
    The memo cover is a part of its own: its pages are numbered "- ๒ -" on their own."""
    parts, dirs, _ = _pdf_parts(data, options, for_pdf=for_pdf)
    return parts, dirs


def preview_font_faces(font_url) -> list[dict]:
    """[{"url", "weight", "style"}] of the Sarabun files, for the browser (``font_url(file name)``)."""
    from ..pdf import font_files

    return [{"url": font_url(path.name), "weight": weight, "style": style}
            for (weight, style), path in sorted(font_files().items())]


def render_preview_html(data: dict, options: RenderOptions = RenderOptions(), *, font_url=None) -> str:
    """One HTML page with the memo (when chosen) and the report, for the browser; with ``font_url``
    the page loads the same Sarabun files as the PDF."""
    context = document_context(data, options)
    context["emblem_url"], _ = emblem_source(data["organisation"]["emblem"], for_pdf=False)
    context["preview"] = True
    context["font_faces"] = preview_font_faces(font_url) if font_url else []
    return _render("preview.html", context)


# The @page declarations of the page before a lone signature (as _report.css's signature_fallback rule).
SIGNATURE_FALLBACK = "padding-bottom: 36mm"


def render_document_pdf(data: dict, options: RenderOptions = RenderOptions()) -> bytes:
    """The PDF of the document. The cyclic garbage collector is paused while WeasyPrint lays out
    and draws (its many short-lived boxes make the collector run often, about 5 % of the time) and
    runs once afterwards."""
    return _document_pdf(data, options)


def _document_pdf(data: dict, options: RenderOptions, *, second_layout: bool = False) -> bytes:
    """``second_layout``: the report part laid out a second time from its HTML when its signature
    stands alone, as before reports.pdf.repaginate (the reference the tests compare with)."""
    from ..pdf import render_pdf
    from ..pdf.pagination import page_boxes_with_only, pages_with_only

    parts, dirs, context = _pdf_parts(data, options, for_pdf=True)
    report_index = len(parts) - 1 if context["show_report"] else -1  # memo only: no report part

    def shorter_page(index, page_boxes):
        """The page before the signature when the signature stands alone on a page (the table's
        last row filled the page before): that page's area is made shorter, so the row splits
        there and carries a few lines over to the signature; its footer stays where it is."""
        lone = page_boxes_with_only(page_boxes, "signature") if index == report_index else []
        if not lone or lone[-1] == 0:
            return None
        return {lone[-1] - 1: SIGNATURE_FALLBACK}

    def relayout(index, document):
        """The same, by a second layout of the HTML (_report.css, ``signature_fallback``)."""
        lone = pages_with_only(document, "signature") if index == report_index else []
        if not lone or lone[-1] == 0:
            return None
        return _render("report.html", {**context, "signature_fallback": lone[-1]})  # :nth() counts from 1

    allowed = [*dirs]
    if settings.MEDIA_ROOT:
        allowed.append(Path(settings.MEDIA_ROOT))
    how = {"relayout": relayout} if second_layout else {"repaginate": shorter_page}
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return render_pdf(parts, base_url=str(settings.BASE_DIR), allowed_dirs=allowed, **how)
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(1)


# --- file name ----------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def pdf_filename(data: dict, options: RenderOptions = RenderOptions()) -> str:
    """A Thai file name: "รายงานผลการดำเนินการ_รอบ_6_เดือน_2566_องค์การบริหารส่วนตำบลด่านช้าง.pdf"
    (Arabic digits: file names are read on any computer)."""
    parts = [data["kind_label"]]
    if options.memo_only:
        parts.insert(0, "บันทึกข้อความ")
    if data["kind"] == DocumentKind.PROGRESS and data["round"]:
        parts.append(f"รอบ {data['round']} เดือน")
    parts += [str(data["fiscal_year"]), data["organisation"]["name"]]
    if data["revision"] and data["revision"] > 1:
        parts.append(f"rev{data['revision']}")
    name = _UNSAFE.sub("", "_".join(parts))
    name = re.sub(r"\s+", "_", name).strip("._") or "document"
    return f"{name[:150]}.pdf"


def ascii_filename(data: dict, options: RenderOptions = RenderOptions()) -> str:
    """The plain-ASCII fallback name: "ita-progress-2566-r6-danchang.pdf" ("ita-memo-progress-…" for
    the memo alone)."""
    parts = ["ita", *(["memo"] if options.memo_only else []), data["kind"], str(data["fiscal_year"])]
    if data["round"]:
        parts.append(f"r{data['round']}")
    parts.append(re.sub(r"[^A-Za-z0-9-]+", "-", data["organisation"]["slug"]).strip("-") or "org")
    return "-".join(parts) + ".pdf"


def disposition(ascii_name: str, name: str, *, attachment=False) -> str:
    """``inline|attachment; filename="<ascii>"; filename*=UTF-8''<the Thai name, percent-encoded>`` (RFC 6266)."""
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def content_disposition(data: dict, options: RenderOptions = RenderOptions(), *, attachment=False) -> str:
    """The Content-Disposition of a document's PDF: ``ita-….pdf`` and its Thai name."""
    return disposition(ascii_filename(data, options), pdf_filename(data, options), attachment=attachment)


__all__ = [
    "RenderOptions", "content_disposition", "document_context", "pdf_filename",
    "render_document_pdf", "render_html_parts", "render_preview_html", "sarabun_safe",
]
