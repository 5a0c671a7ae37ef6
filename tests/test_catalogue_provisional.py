"""FY 2570 has no NACC manual yet: its catalogue ships as a provisional copy of 2569, marked as such on
the result pages, the ITAS list and the analysis PDF, and replaced when the real one is loaded."""
import re
import subprocess
import unicodedata
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from ita.catalogue_loader import load_catalogue
from ita.catalogue_queries import catalogue_of, provisional_text
from ita.models import AssessmentResult, AssessmentYear, Indicator, OITItem, SubIndicator, Tool, ToolScore
from reports.documents.data import build_document_data
from reports.models import Document
from reports.printing.rendering import render_document_pdf

from .helpers.catalogue_files import only_years, shipped, write_dir

pytestmark = pytest.mark.django_db
MARK = "ชุดตัวชี้วัดชั่วคราว (ใช้ของปี ๒๕๖๙ จนกว่า ป.ป.ช. ประกาศคู่มือปี ๒๕๗๐)"


def rows(model, year):
    if model is OITItem:
        return list(OITItem.objects.filter(year__year=year).order_by("number").values_list(
            "code", "number", "title", "indicator__number", "sub_indicator__code", "portal_documents",
            "portal_document_fy_offset"))
    if model is Indicator:
        return list(Indicator.objects.filter(year__year=year).order_by("number").values_list(
            "number", "tool__code", "name"))
    return list(SubIndicator.objects.filter(indicator__year__year=year).order_by("code").values_list(
        "indicator__number", "code", "name"))


def result_of(org, year, total="88.50"):
    result = AssessmentResult.objects.create(organisation=org, year=AssessmentYear.objects.get(year=year),
                                             total_score=Decimal(total))
    for tool, score in (("IIT", "90"), ("EIT", "86"), ("OIT", "89.25")):
        ToolScore.objects.create(result=result, tool=Tool.objects.get(code=tool), score=Decimal(score))
    return result


def norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_2570_ships_as_a_provisional_copy_of_2569(catalogue):
    year = AssessmentYear.objects.get(year=2570)
    assert year.provisional and year.based_on == 2569 and year.scale == "new"
    assert not AssessmentYear.objects.filter(provisional=True).exclude(year=2570).exists()
    for model in (OITItem, Indicator, SubIndicator):
        assert rows(model, 2570) == rows(model, 2569) and rows(model, 2570)
    weights = {w.tool.code: w.weight for w in year.tool_weights.all()}
    assert weights == {"IIT": 30, "EIT": 30, "OIT": 40}
    # every copied row says it is provisional
    assert all(note.startswith("ชั่วคราว") for note in OITItem.objects.filter(year=year).values_list("source_note", flat=True))
    assert all(note.startswith("ชั่วคราว") for note in Indicator.objects.filter(year=year).values_list("source_note", flat=True))
    out = StringIO()
    call_command("load_ita_catalogue", stdout=out)  # idempotent
    assert "up to date" in out.getvalue()


def test_the_result_pages_of_2570_carry_the_mark_and_2569_does_not(client, catalogue, org_a, staff_a):
    result_of(org_a, 2570)
    result_of(org_a, 2569)
    client.force_login(staff_a)
    page = client.get("/w/org-a/results/2570/").content.decode()
    assert MARK in page and 'data-provisional-catalogue="2570"' in page
    assert MARK in client.get("/w/org-a/results/2570/edit/").content.decode()
    assert "data-provisional-catalogue" not in client.get("/w/org-a/results/2569/").content.decode()
    listing = client.get("/w/org-a/results/").content.decode()
    assert re.search(r'data-year="2570">.*?data-provisional-year>ชุดตัวชี้วัดชั่วคราว<', listing, re.S)
    assert "data-provisional-year" not in re.search(r'data-year="2569">.*?</tr>', listing, re.S).group(0)


def test_the_analysis_pdf_of_a_provisional_year_prints_the_mark(catalogue, org_a):
    result_of(org_a, 2570)
    document = Document.objects.create(organisation=org_a, fiscal_year=2571, kind="analysis", status="draft")
    data = build_document_data(document)
    assert data["analysis"]["provisional"] == MARK
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=render_document_pdf(data),
                          capture_output=True, check=True).stdout.decode()
    assert norm(MARK) in norm(text)

    result_of(org_a, 2569)
    previous = Document.objects.create(organisation=org_a, fiscal_year=2570, kind="analysis", status="draft")
    assert build_document_data(previous)["analysis"]["provisional"] == ""


def test_loading_the_real_2570_removes_the_mark_everywhere(client, tmp_path, catalogue, org_a, staff_a):
    result_of(org_a, 2570)
    files = only_years(shipped(), 2570)
    files["years.csv"][0].update(provisional="0", based_on="", notes="คู่มือ ITA 2570")
    load_catalogue(write_dir(tmp_path / "real", files))
    year = AssessmentYear.objects.get(year=2570)
    assert not year.provisional and year.based_on is None
    client.force_login(staff_a)
    assert "data-provisional-catalogue" not in client.get("/w/org-a/results/2570/").content.decode()
    assert "data-provisional-catalogue" not in client.get("/o/org-a/2570/itas/").content.decode()


def test_a_year_without_any_catalogue_uses_the_latest_one_provisionally(client, tmp_path, org_a, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: date(2027, 10, 5))  # FY 2571
    load_catalogue(write_dir(tmp_path / "to2569", only_years(shipped(), 2565, 2566, 2567, 2568, 2569)))
    found = catalogue_of(2571)
    assert found.provisional and found.source.year == 2569 and found.based_on == 2569 and not found.is_own
    assert catalogue_of(2569).is_own and not catalogue_of(2569).provisional
    assert catalogue_of(2572) is None  # a future year has no catalogue yet
    page = client.get("/o/org-a/2571/itas/").content.decode()
    expected = provisional_text(2571, 2569)
    assert expected == "ชุดตัวชี้วัดชั่วคราว (ใช้ของปี ๒๕๖๙ จนกว่า ป.ป.ช. ประกาศคู่มือปี ๒๕๗๑)"
    assert expected in page and 'data-item="O25"' in page
