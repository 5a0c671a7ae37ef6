"""The one declaration of the document tables (measures/layouts.py): every output reads it, and an approval
freezes the layout it was approved with.

A column added to layout A in the registry alone (monkeypatched here) appears in the document data, the
staff HTML preview, the PDF, the DOCX export, the public page and the importer's headings; after an
approval, changing the registry's widths or columns changes only new drafts; the migration that froze the
widths into the snapshots made before the registry did it, on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import dataclasses
import importlib
import io

import docx
import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from measures import cells, layouts
from measures.importing import read_import
from measures.importing.headings import column_field
from reports.documents.data import build_document_data
from reports.documents.links import document_path
from reports.documents.views import document_data
from reports.entries import services as entry_services
from reports.exports.docx import render_document_docx
from reports.models import Document, DocumentKind, DocumentStatus
from reports.printing.rendering import RenderOptions, document_context, render_document_pdf
from reports.workflow import transitions

from .factories import DocumentFactory, MeasureFactory, MeasureStepFactory
from .helpers.pdf import column_lines, norm_plain as norm

pytestmark = pytest.mark.django_db

FY = 2568
HEADING = "สถานะของงานตามมาตรการ"
OUTPUT = "จัดประชุมชี้แจงบุคลากรครบทุกกอง"
migration = importlib.import_module("reports.migrations.0009_snapshot_column_weights")


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://ita.example.go.th"


@pytest.fixture
def measure(org_a):
    measure = MeasureFactory(organisation=org_a, fiscal_year=FY, order=1, title="มาตรการเปิดเผยข้อมูล",
                             report_rounds=[12])
    MeasureStepFactory(measure=measure, order=1, text="ประชุมชี้แจงบุคลากร")
    return measure


@pytest.fixture
def extra_column(monkeypatch):
    """A column "status" (the entry's status in words) declared in the registry and added to layout A."""
    column = layouts.Column(
        "status", HEADING, 13,
        value=lambda measure, entry, month_style: [cells.ENTRY_STATUS_TEXT[entry.status]] if entry else [],
        synonyms=(r"^สถานะ",), match_order=5)
    monkeypatch.setitem(layouts.COLUMNS, "status", column)
    layout_a = layouts.LAYOUTS["A"]
    monkeypatch.setitem(layouts.LAYOUTS, "A", dataclasses.replace(
        layout_a, columns=(*layout_a.columns, ("status", HEADING))))
    return column


def report(org, staff, *, status="done") -> Document:
    """A 12-month progress report (layout A) whose one entry is filled in, still a draft."""
    document = transitions.create_document(org, fiscal_year=FY, kind=DocumentKind.PROGRESS, round=12, actor=staff,
                                           notify=False)
    entry = document.entries.get()
    entry_services.save_entry(entry, data={"output": OUTPUT, "outcome": "บุคลากรเข้าใจขั้นตอน", "status": status},
                              expected_version=entry.version, actor=staff)
    return Document.objects.get(pk=document.pk)


def approve(document, staff, approver) -> Document:
    transitions.submit_document(document, actor=staff, notify=False)
    transitions.approve_document(Document.objects.get(pk=document.pk), actor=approver, notify=False)
    return Document.objects.get(pk=document.pk)


def widths(data) -> dict[str, str]:
    return {c["key"]: c["width"] for c in document_context(data, RenderOptions(layout="A"))["columns"]}


def pdf_columns(data) -> dict[str, str]:
    """The text of each table column of the PDF (layout A), read within the column's printed x-range."""
    pdf = render_document_pdf(data, RenderOptions(layout="A"))
    keys, printed = list(widths(data)), list(widths(data).values())
    return {key: norm([line for page in column_lines(pdf, keys, printed, i) for line in page])
            for i, key in enumerate(keys)}


# --- every output reads the registry -------------------------------------------------------------------

def test_a_column_declared_in_the_registry_reaches_the_data_and_the_staff_preview(
        client, org_a, staff_a, measure, extra_column):
    document = report(org_a, staff_a)
    data = build_document_data(document)
    assert data["columns"]["A"][-1] == {"key": "status", "heading": HEADING}
    assert data["measures"][0]["status"] == ["ดำเนินการแล้ว"]
    assert data["weights"]["status"] == 13
    client.force_login(staff_a)
    html = client.get(reverse("reports:preview", args=[org_a.slug, document.pk])).text
    assert f'<th class="c-status">{HEADING}</th>' in html
    assert '<td class="c-status"><p>ดำเนินการแล้ว</p></td>' in html


def test_a_column_declared_in_the_registry_reaches_the_pdf_and_the_docx(org_a, staff_a, measure, extra_column):
    data = build_document_data(report(org_a, staff_a, status="in_progress"))
    assert pdf_columns(data)["status"] == norm(HEADING) + norm("อยู่ระหว่างดำเนินการ")
    word = docx.Document(io.BytesIO(render_document_docx(data, RenderOptions(layout="A"))))
    table = word.tables[-1]
    assert table.rows[0].cells[-1].text == HEADING
    assert table.rows[-1].cells[-1].text == "อยู่ระหว่างดำเนินการ"
    # the DOCX column is as wide, relative to the others, as the registry says
    grid = [cell.width for cell in table.rows[0].cells]
    assert grid[-1] / sum(grid) == pytest.approx(13 / sum(c["weight"] for c in
                                                         document_context(data, RenderOptions(layout="A"))["columns"]),
                                                 abs=0.002)


def test_a_column_declared_in_the_registry_reaches_the_public_page(
        client, org_a, staff_a, approver_a, measure, extra_column):
    document = approve(report(org_a, staff_a), staff_a, approver_a)
    transitions.publish_document(document, actor=approver_a, notify=False, render=False)
    html = client.get(document_path(Document.objects.get(pk=document.pk))).text
    table = html.split("data-document-table", 1)[1].split("</table>", 1)[0]
    assert f'<th scope="col" class="c-status">{HEADING}</th>' in table
    assert '<td class="c-status"><p>ดำเนินการแล้ว</p></td>' in table
    # the public table has the widths of the PDF (the one table template)
    for width in widths(document_data(Document.objects.get(pk=document.pk))).values():
        assert f'<col style="width: {width}">' in table


def test_a_column_declared_in_the_registry_is_recognised_by_the_importer(extra_column):
    assert column_field("สถานะ") == "status" and column_field("สถานะ การดำเนินงาน") == "status"
    preview = read_import(text="มาตรการ/แนวทาง\tสถานะ\nมาตรการเปิดเผยข้อมูล\tดำเนินการแล้ว\n")
    assert preview.columns == ["measure", "status"]
    # the import has no field to store a status in: the cell is listed, never lost
    assert [m.title for m in preview.measures] == ["มาตรการเปิดเผยข้อมูล"]
    assert any("ดำเนินการแล้ว" in line for line in preview.unplaced)


def test_every_heading_the_registry_prints_is_one_the_importer_reads():
    for code, table in layouts.LAYOUTS.items():
        for key, heading in table.columns:
            assert column_field(heading), (code, key, heading)
    assert column_field("ลำดับที่") == "number" and column_field("มาตรการ") == "title"
    assert column_field("ขั้นตอนหรือวิธีการ/มาตรการ") == "method"


def test_an_incomplete_declaration_is_refused(monkeypatch):
    monkeypatch.setitem(layouts.LAYOUTS, "A", layouts.TableLayout((("nothing_like_it", "ไม่มี"),)))
    with pytest.raises(AssertionError, match="undeclared columns"):
        layouts.check()


# --- a snapshot freezes the whole layout ---------------------------------------------------------------

def test_an_approved_document_keeps_the_widths_and_columns_it_was_approved_with(
        org_a, staff_a, approver_a, measure, monkeypatch):
    document = approve(report(org_a, staff_a), staff_a, approver_a)
    before = widths(document_data(document))
    monkeypatch.setitem(layouts.COLUMNS, "measure", dataclasses.replace(layouts.COLUMNS["measure"], weight=60))
    layout_a = layouts.LAYOUTS["A"]
    monkeypatch.setitem(layouts.LAYOUTS, "A", dataclasses.replace(
        layout_a, columns=(("number", "ลำดับที่"), *layout_a.columns)))

    assert widths(document_data(document)) == before  # the snapshot: old columns, old widths
    printed = pdf_columns(document_data(document))
    assert list(printed) == list(before) and norm(OUTPUT) in printed["output"]
    draft = DocumentFactory(organisation=org_a, fiscal_year=FY + 1, round=12, layout="A")  # the registry now
    fresh = widths(build_document_data(draft))
    assert list(fresh) == ["number", *before] and float(fresh["measure"][:-1]) > float(before["measure"][:-1])


def test_the_migration_freezes_the_widths_of_the_day_into_older_snapshots(org_a, staff_a, approver_a, measure):
    document = approve(report(org_a, staff_a), staff_a, approver_a)
    frozen = document_data(document)
    older = {k: v for k, v in document.snapshot.items() if k not in ("weights", "analysis_tables")}
    Document.objects.filter(pk=document.pk).update(snapshot=older)
    untouched = DocumentFactory(organisation=org_a, fiscal_year=FY + 1)  # a draft has no snapshot: left alone

    migration.freeze_weights(django_apps, None)
    migration.freeze_weights(django_apps, None)  # again: nothing more to do

    snapshot = Document.objects.get(pk=document.pk).snapshot
    assert snapshot["weights"] == migration.WEIGHTS == layouts.weights()
    assert snapshot["analysis_tables"] == layouts.analysis_tables()
    assert Document.objects.get(pk=untouched.pk).snapshot is None
    again = document_data(Document.objects.get(pk=document.pk))
    assert widths(again) == widths(frozen)
    assert document_context(again)["analysis_tables"] == document_context(frozen)["analysis_tables"]
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.APPROVED


def test_a_snapshot_without_frozen_widths_prints_with_the_registry_widths(org_a, staff_a, approver_a, measure):
    document = approve(report(org_a, staff_a), staff_a, approver_a)
    data = document_data(document)
    older = {k: v for k, v in data.items() if k not in ("weights", "analysis_tables")}
    assert widths(older) == widths(data)
    assert document_context(older)["analysis_tables"]["tools"][0]["width"] == "24%"
