"""No Thai word broken inside in a table cell of a printed document ("ลำดั|บที่", "กอง|ช่าง",
"ผู้|รับผิดชอบ"), and short headings and division names on one line (issue 13).

How it is checked: each table column is read on its own (``pdftotext -raw`` cropped to the column
as printed, every landscape page), its heading taken out where it repeats at the top of a page.
Every printed paragraph of the column (the document data, in order) must be found whole, and every
line end inside it must fall between two words of its own segmentation (pythainlp ``word_tokenize``
of the paragraph: the allowed break offsets). The zero-width spaces the PDF uses to mark word
boundaries must not come out of the text.
"""
from __future__ import annotations

import io
from io import StringIO

import pypdf
import pytest
from django.core.management import call_command

from reports.documents.data import build_document_data
from reports.models import Document, DocumentKind, DocumentStatus
from reports.pdf import thai_breaks
from reports.printing.rendering import RenderOptions, document_context, render_document_pdf
from reports.printing.thai_words import ZWSP, keep_whole, mark_words, segment

from .factories import OrganisationFactory
from .helpers.pdf import DIVISIONS, column_break_problems, column_lines, norm_plain, pdftotext, thai_document

pytestmark = pytest.mark.django_db


def paragraphs(context, index) -> list[str]:
    """Column ``index``'s printed paragraphs, in order (a line break in a cell starts a new one)."""
    found = []
    for section in context["sections"]:
        for row in section["rows"]:
            if "cells" in row:
                for line in row["cells"][index]["lines"]:
                    found.extend(line["text"].split("\n"))
    return found


def check(data, options=RenderOptions()):
    """(pdf, context, problems, line ends checked, each column's pages of lines)."""
    context = document_context(data, options)
    pdf = render_document_pdf(data, options)
    keys = [c["key"] for c in context["columns"]]
    widths = [c["width"] for c in context["columns"]]
    problems, checked, columns = [], 0, {}
    for index, column in enumerate(context["columns"]):
        pages = column_lines(pdf, keys, widths, index)
        columns[column["key"]] = pages
        found, count = column_break_problems(pages, column["heading"], paragraphs(context, index))
        problems += [f"{column['key']}: {problem}" for problem in found]
        checked += count
    return pdf, context, problems, checked, columns


def data_of(document):
    return build_document_data(Document.objects.select_related("organisation").get(pk=document.pk))


def assert_on_one_line(pages, text):
    """Every occurrence of ``text`` in the column is on one line (and there is one)."""
    lines = [norm_plain(line) for page in pages for line in page]
    whole = "".join(lines)
    wanted = norm_plain(text)
    assert whole.count(wanted) > 0, text
    assert sum(line.count(wanted) for line in lines) == whole.count(wanted), f"{text} broken across lines"


@pytest.mark.parametrize("layout", ["A", "B", "C"])
def test_progress_report_cells_break_only_between_words(layout):
    document = thai_document(OrganisationFactory(), 4, layout=layout)
    pdf, context, problems, checked, columns = check(data_of(document))
    assert problems == []
    assert checked > 60  # the cells really wrap: many line ends were checked
    for key in ("responsible",):
        for name in DIVISIONS:  # กองช่าง, สำนักปลัด, กองสาธารณสุขและสิ่งแวดล้อม … never split
            assert_on_one_line(columns[key], name)
    headings = {c["key"]: c["heading"] for c in context["columns"]}
    for key, short in (("number", "ลำดับที่"), ("responsible", "ผู้รับผิดชอบ")):
        if key in headings and short in headings[key]:
            assert_on_one_line(columns[key], short)
    text = pdftotext(pdf, "-raw")
    assert ZWSP not in text and ZWSP not in "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_measures_plan_cells_break_only_between_words():
    document = thai_document(OrganisationFactory(), 4, kind=DocumentKind.MEASURES, layout="D")
    _, _, problems, checked, columns = check(data_of(document))
    assert problems == [] and checked > 30
    for name in DIVISIONS:
        assert_on_one_line(columns["responsible"], name)


@pytest.mark.parametrize("slug", ["phaktob", "danchang"])
def test_the_demo_documents_break_only_between_words(slug):
    """The demo's published measures plans and progress reports, and the plans' analysis tables in front.
    (The FY 2570 plan waiting for approval prints in layout E, whose step labels typed as "๒)" the column
    reader does not yet match: see the issue note.)"""
    from demo.loader import load_organisation, read_data

    call_command("load_ita_catalogue", stdout=StringIO())
    org = load_organisation(read_data(slug))
    documents = list(Document.objects.filter(organisation=org, status=DocumentStatus.PUBLISHED).order_by("kind"))
    assert {d.kind for d in documents} >= {DocumentKind.MEASURES, DocumentKind.PROGRESS}
    for document in documents:
        if document.kind not in (DocumentKind.MEASURES, DocumentKind.PROGRESS):
            continue
        pdf, context, problems, checked, columns = check(data_of(document))
        assert problems == [], document.kind
        assert checked > 10
        for division in org.divisions.all():
            if norm_plain(division.name) in norm_plain("".join(line for page in columns["responsible"] for line in page)):
                for piece in division.name.split():
                    assert_on_one_line(columns["responsible"], piece)


def test_the_check_finds_words_broken_by_libthai():
    """Without keep-all (WeasyPrint and Pango as they come), libthai breaks inside words
    ("จัด|ทำ", "ผู้|บริหาร"): the check above reports them."""
    document = thai_document(OrganisationFactory(), 3, layout="C")
    data = data_of(document)
    thai_breaks.uninstall()
    try:
        _, _, problems, _, _ = check(data)
    finally:
        thai_breaks.install()
    assert any("line ends inside a word" in problem for problem in problems)


def test_column_widths_fit_short_headings_and_division_names():
    document = thai_document(OrganisationFactory(), 4, layout="C")  # all four divisions
    context = document_context(data_of(document))
    widths = {c["key"]: float(c["width"].rstrip("%")) for c in context["columns"]}
    assert abs(sum(widths.values()) - 100) < 0.01
    assert widths["number"] > 5 * 100 / 108  # wider than its weight: ลำดับที่ fits
    # the longest division name (48 mm at 11 pt) fits the responsible column (262 mm table)
    assert widths["responsible"] * 262 / 100 > 48


def test_marks_go_between_thai_words_only():
    text = "ผู้บริหารมอบหมายให้กองงานที่รับผิดชอบ (ข้อ O17) ต่าง ๆ"
    marked = mark_words(text)
    assert marked.replace(ZWSP, "") == text
    assert marked.split(ZWSP)[:3] == ["ผู้บริหาร", "มอบหมาย", "ให้"]
    assert "O17" in marked and "ต่าง ๆ" in marked  # no mark in Latin text or before ๆ
    assert keep_whole("สำนักปลัด กองสาธารณสุขและสิ่งแวดล้อม") == "สำนักปลัด กองสาธารณสุขและสิ่งแวดล้อม"
    assert mark_words("plain text") == "plain text"


def test_segmentation_is_cached():
    segment.cache_clear()
    mark_words.cache_clear()
    text = "จัดประชุมชี้แจงบุคลากรภายในหน่วยงานให้มีส่วนร่วม"
    mark_words(text)
    mark_words(text)
    segment(text)
    assert mark_words.cache_info().hits == 1 and segment.cache_info().hits == 1
