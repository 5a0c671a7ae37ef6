"""The ITA catalogue is data (ita/catalogue/*.csv) loaded idempotently by load_ita_catalogue."""
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.thai import to_thai_digits
from ita.catalogue_loader import CATALOGUE_DIR, CatalogueError, load_catalogue
from ita.models import AssessmentYear, Indicator, OITItem, SubIndicator, Tool, ToolWeight

pytestmark = pytest.mark.django_db

MODELS = (AssessmentYear, Tool, ToolWeight, Indicator, SubIndicator, OITItem)


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_loads_every_year_with_2565_complete():
    call_command("load_ita_catalogue", stdout=StringIO())
    assert sorted(AssessmentYear.objects.values_list("year", flat=True)) == [2565, 2566, 2567, 2568, 2569, 2570]
    y2565 = AssessmentYear.objects.get(year=2565)
    assert y2565.scale == "old" and AssessmentYear.objects.get(year=2566).scale == "new"
    assert y2565.indicators.count() == 10
    assert y2565.oit_items.count() == 43
    assert [t.code for t in Tool.objects.all()] == ["IIT", "EIT", "OIT"]
    weights = {w.tool.code: w.weight for w in y2565.tool_weights.all()}
    assert weights == {"IIT": 30, "EIT": 30, "OIT": 40}
    # indicators belong to the right tools
    assert [i.tool.code for i in y2565.indicators.order_by("number")] == ["IIT"] * 5 + ["EIT"] * 3 + ["OIT"] * 2
    # the same code means different things in different years
    assert OITItem.objects.get(year__year=2565, code="O17").title == "E-Service"
    assert OITItem.objects.get(year__year=2566, code="O18").title.startswith("E-Service")
    o42 = OITItem.objects.get(year__year=2565, code="O42")
    assert o42.title == "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน"
    assert o42.portal_document_kinds == ["analysis", "measures"]
    assert o42.sub_indicator.code == "10.2" and o42.indicator.number == 10


def test_second_run_changes_nothing():
    call_command("load_ita_catalogue", stdout=StringIO())
    first = counts()
    out = StringIO()
    call_command("load_ita_catalogue", stdout=out)
    assert counts() == first
    assert "up to date" in out.getvalue()


def test_uncertain_rows_are_marked():
    load_catalogue()
    assert not OITItem.objects.filter(year__year=2565, uncertain=True).exists()
    assert OITItem.objects.filter(year__year=2568, uncertain=True).exists()


def test_a_corrected_row_updates_in_place(tmp_path):
    data = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, data)
    load_catalogue(data)
    before = counts()
    path = data / "oit_items.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",E-Service,", ",E-Service (แก้ไข),", 1), encoding="utf-8")
    stats = load_catalogue(data)
    assert counts() == before
    assert stats.updated == {"oititem": 1}
    assert OITItem.objects.get(year__year=2565, code="O17").title == "E-Service (แก้ไข)"


def test_a_sub_indicator_moved_to_another_indicator_is_created_there_and_the_old_one_goes(tmp_path):
    data = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, data)
    load_catalogue(data)
    path = data / "sub_indicators.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2565,9,9.2,", "2565,10,9.2,", 1), encoding="utf-8")
    stats = load_catalogue(data)
    moved = SubIndicator.objects.get(indicator__year__year=2565, code="9.2", retired=False)
    assert moved.indicator.number == 10
    # the old row under indicator 9 is gone (retired where OIT items still name it)
    assert not SubIndicator.objects.filter(indicator__year__year=2565, indicator__number=9, code="9.2",
                                           retired=False).exists()
    assert stats.created["subindicator"] == 1


def test_a_first_load_takes_a_few_queries_a_year_not_one_a_row(django_assert_max_num_queries):
    # 6 years, about 330 rows: one query a row (as before) would be over 600
    with django_assert_max_num_queries(120):
        stats = load_catalogue()
    assert sum(stats.created.values()) > 300


def test_bad_reference_fails_without_saving(tmp_path):
    data = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, data)
    with (data / "oit_items.csv").open("a", encoding="utf-8") as fh:
        fh.write("2565,O99,99,รายการทดสอบ,9,9.9,,0,0,\n")
    with pytest.raises(CatalogueError, match="oit_items.csv") as failed:
        load_catalogue(data)
    last_row = to_thai_digits(len((data / "oit_items.csv").read_text(encoding="utf-8").splitlines()))
    assert "9.9" in str(failed.value) and f"แถวที่ {last_row}:" in str(failed.value)
    assert OITItem.objects.count() == 0  # atomic: nothing of the failed load stays


def test_command_reports_errors_clearly(tmp_path):
    with pytest.raises(CommandError, match="years.csv"):
        call_command("load_ita_catalogue", str(tmp_path), stdout=StringIO())
