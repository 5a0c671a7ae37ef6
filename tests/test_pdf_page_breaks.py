"""No page of a printed document holds only the signature block or only a heading (issue 13, "read
like the real ones").

The documents below have numbers of measures that used to put the signature alone on the last page
(found by trying sizes). Each test first shows that the size still does so without the fix: the same
HTML laid out once (reports.pdf.render_pdf without the re-layout of reports.printing.rendering). Then the PDF
the portal makes must have no page whose text (page number left out) is only
the signature, no page that ends with a heading (a group heading row, a tool section heading
"๑.ด้าน IIT", an analysis heading) and no page that is only a heading.
"""
from __future__ import annotations

import pytest
from django.conf import settings

from reports.documents.data import build_document_data
from reports.models import Document
from reports.pdf import render_pdf
from reports.printing.rendering import (
    RenderOptions, _document_pdf, document_context, render_document_pdf, render_html_parts,
)

from .factories import OrganisationFactory
from .helpers.pdf import norm_plain, page_lines, page_streams, thai_document

pytestmark = pytest.mark.django_db

SIGNATURE = "ลงชื่อ"


def data_of(document):
    return build_document_data(Document.objects.select_related("organisation").get(pk=document.pk))


def headings_of(data, options=RenderOptions()) -> set[str]:
    """The normalised texts printed as headings: group heading rows and section headings."""
    context = document_context(data, options)
    found = set()
    for section in context["sections"]:
        if section["heading"]:
            found.add(norm_plain(section["heading"]))
        found.update(norm_plain(row["group"]) for row in section["rows"] if "group" in row)
    return found


def signature_alone(pages) -> list[int]:
    """Numbers of the pages whose text starts with the signature (nothing of the table above it)."""
    return [number for number, lines in enumerate(pages, start=1) if lines and lines[0].startswith(SIGNATURE)]


def heading_problems(pages, headings) -> list[str]:
    problems = []
    for number, lines in enumerate(pages, start=1):
        texts = [norm_plain(line) for line in lines]
        if texts and texts[-1] in headings:
            problems.append(f"page {number} ends with the heading {lines[-1]!r}")
        if texts and all(text in headings for text in texts):
            problems.append(f"page {number} holds only a heading")
    return problems


def one_pass_pdf(data) -> bytes:
    """The document laid out once, as before the fix (no second layout)."""
    parts, _ = render_html_parts(data, RenderOptions())
    return render_pdf(parts, base_url=str(settings.BASE_DIR))


# (layout, kind, measures, sentences per step): each put the signature alone on the last page.
LONE_SIGNATURE_CASES = [
    ("C", "progress", 1, 1),   # one measure: the signature under a one-row table
    ("C", "progress", 8, 1),
    ("A", "progress", 5, 1),
    ("B", "progress", 7, 1),   # tool sections
    ("A", "progress", 11, 3),  # the last row about a page tall
    ("D", "measures", 4, 1),
]


@pytest.mark.parametrize("layout,kind,count,long", LONE_SIGNATURE_CASES)
def test_the_signature_keeps_with_the_end_of_the_table(layout, kind, count, long):
    document = thai_document(OrganisationFactory(), count, kind=kind, layout=layout, long=long)
    data = data_of(document)
    before = page_lines(one_pass_pdf(data))
    assert signature_alone(before) == [len(before)], "this size no longer puts the signature alone: pick another"

    pdf = render_document_pdf(data)
    # The pages re-made inside the one layout (reports.pdf.repaginate) are the pages a second layout
    # of the HTML with the @page :nth() rule makes.
    assert page_streams(pdf) == page_streams(_document_pdf(data, RenderOptions(), second_layout=True))
    pages = page_lines(pdf)
    assert signature_alone(pages) == []
    last = [norm_plain(line) for line in pages[-1]]
    signature_at = next(i for i, line in enumerate(pages[-1]) if line.startswith(SIGNATURE))
    assert signature_at > 0 and any(last[:signature_at]), "the end of the table is on the signature's page"
    assert norm_plain("(นางสาวสมหญิง ใจดี)") in last and norm_plain("นักวิเคราะห์นโยบายและแผน") in last
    assert len(pages) <= len(before)  # the second layout adds no page
    assert heading_problems(pages, headings_of(data)) == []


@pytest.mark.parametrize("count", [3, 5, 8])
def test_tool_sections_and_group_headings_keep_with_what_follows(count):
    """Layout B: a section heading per tool; layout A: group heading rows every three measures."""
    org = OrganisationFactory()
    for layout in ("A", "B"):
        document = thai_document(org, count, layout=layout, long=2)
        data = data_of(document)
        headings = headings_of(data)
        assert headings
        pages = page_lines(render_document_pdf(data))
        assert heading_problems(pages, headings) == []
        assert signature_alone(pages) == []
        Document.objects.filter(pk=document.pk).delete()


def test_a_page_of_only_a_heading_is_found():
    """The checks above can fail: a page ending with a group heading is reported."""
    pages = [["ลำดับที่ มาตรการ", "ข้อความในตาราง", "มาตรการส่งเสริมความโปร่งใสกลุ่มที่ ๒"], ["มาตรการส่งเสริมความโปร่งใสกลุ่มที่ ๒"]]
    problems = heading_problems(pages, {norm_plain("มาตรการส่งเสริมความโปร่งใสกลุ่มที่ ๒")})
    assert problems == ["page 1 ends with the heading 'มาตรการส่งเสริมความโปร่งใสกลุ่มที่ ๒'",
                        "page 2 ends with the heading 'มาตรการส่งเสริมความโปร่งใสกลุ่มที่ ๒'",
                        "page 2 holds only a heading"]
    assert signature_alone([["ตาราง"], ["ลงชื่อ .... ผู้รายงาน", "(นาง ก)"]]) == [2]


def group_row_ends_page_one(stylesheet: str) -> list[int]:
    """Numbers of rows before a group heading row for which that row is the last line of page 1 (a
    one-column table.report under the given stylesheet, the next row four lines tall)."""
    from .helpers.pdf import pdftotext

    found = []
    for count in range(24, 44):
        rows = "".join(f"<tr><td>แถวที่ {i}</td></tr>" for i in range(count))
        html = (f"<style>{stylesheet}</style><table class='report'><thead><tr><th>มาตรการ</th></tr></thead>"
                f"<tbody>{rows}<tr class='group'><td>มาตรการกลุ่มสุดท้าย</td></tr>"
                "<tr><td><p>บรรทัดที่ ๑</p><p>บรรทัดที่ ๒</p><p>บรรทัดที่ ๓</p><p>บรรทัดที่ ๔</p></td></tr></tbody></table>")
        lines = [line for line in pdftotext(render_pdf(html), "-raw", "-f", "1", "-l", "1").splitlines()
                 if line.strip() and not line.startswith("หน้า")]
        if lines[-1] == "มาตรการกลุ่มสุดท้าย":
            found.append(count)
    return found


def test_a_group_heading_row_never_ends_a_page():
    """The report stylesheet keeps a group heading row with the row after it (WeasyPrint 70 honours
    break-after: avoid between table rows); without that rule some sizes leave it at a page end."""
    from django.template.loader import render_to_string

    css = render_to_string("reports/document/_report.css", {
        "counter_style": "thai", "landscape_margins": {"top": 15, "right": 15, "bottom": 15, "left": 20}})
    rule = "table.report tr.group { break-inside: avoid; break-after: avoid; }"
    assert rule in css
    assert group_row_ends_page_one(css) == []
    assert group_row_ends_page_one(css.replace(rule, "")) != []
