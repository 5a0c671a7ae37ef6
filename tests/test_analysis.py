"""ita/analysis.py: strengths, weaknesses, OIT items scored 0, grouping per tool, measure prefill and
levels — pure functions, no database."""
from decimal import Decimal

import pytest

from ita import analysis
from ita.analysis import IndicatorInput, OITItemInput, ToolInput
from ita.levels import NewLevel

TOOLS = [ToolInput("IIT", "ภายใน", Decimal("90"), "ปรับปรุงการใช้งบประมาณ"), ToolInput("EIT", "ภายนอก"),
         ToolInput("OIT", "เปิดเผยข้อมูล")]


def ind(number, score, tool=None, issues=""):
    tool = tool or ("IIT" if number <= 5 else "EIT" if number <= 8 else "OIT")
    return IndicatorInput(id=100 + number, number=number, name=f"ตัวชี้วัด {number}", tool=tool,
                          score=None if score is None else Decimal(score), issues=issues)


def item(number, score, indicator_id=109):
    return OITItemInput(id=500 + number, code=f"O{number}", number=number, title=f"ข้อ {number}",
                        score=None if score is None else Decimal(score), indicator_id=indicator_id)


def numbers(entries):
    return [e.number if isinstance(e, IndicatorInput) else e.indicator.number for e in entries]


def test_strengths_are_sorted_from_the_highest_score_down_ties_by_number():
    indicators = [ind(1, "88"), ind(2, "97.5"), ind(3, "91"), ind(4, "88"), ind(5, "60")]
    assert numbers(analysis.strengths(indicators)) == [2, 3, 1, 4]


def test_threshold_boundary_85_00_is_a_strength_84_99_is_not():
    indicators = [ind(1, "85.00"), ind(2, "84.99"), ind(3, "99")]
    assert numbers(analysis.strengths(indicators)) == [3, 1]
    below = [w for w in analysis.weaknesses(indicators) if w.below_threshold]
    assert numbers(below) == [2]


def test_the_organisations_threshold_is_used():
    indicators = [ind(1, "80"), ind(2, "79.99"), ind(3, "95")]
    assert numbers(analysis.strengths(indicators, threshold=Decimal("80"))) == [3, 1]
    assert numbers(analysis.strengths(indicators, threshold="95.01")) == []


def test_weaknesses_are_every_indicator_below_the_threshold_lowest_first():
    indicators = [ind(n, s) for n, s in [(1, "70"), (2, "84"), (3, "60"), (4, "90"), (5, "83"), (6, "50")]]
    weak = analysis.weaknesses(indicators)
    assert numbers(weak) == [6, 3, 1, 5, 2]
    assert all(w.below_threshold for w in weak)


def test_with_fewer_than_three_below_the_threshold_the_three_lowest_are_weaknesses():
    indicators = [ind(1, "99"), ind(2, "92"), ind(3, "84"), ind(4, "96"), ind(5, "91")]
    weak = analysis.weaknesses(indicators)
    assert numbers(weak) == [3, 5, 2]
    assert [w.below_threshold for w in weak] == [True, False, False]


def test_a_tie_at_the_cut_is_kept():
    indicators = [ind(1, "99"), ind(2, "90"), ind(3, "88"), ind(4, "90"), ind(5, "95")]
    assert numbers(analysis.weaknesses(indicators)) == [3, 2, 4]
    indicators.append(ind(6, "88"))
    assert numbers(analysis.weaknesses(indicators)) == [3, 6, 2, 4]


def test_unscored_indicators_are_neither_strengths_nor_weaknesses():
    indicators = [ind(1, None), ind(2, "70"), ind(3, "90")]
    assert numbers(analysis.weaknesses(indicators)) == [2, 3]
    result = analysis.analyse(TOOLS, indicators)
    assert numbers(result.unscored) == [1]
    assert numbers(result.strengths) == [3]


def test_only_oit_items_scored_exactly_zero_are_listed_in_item_order():
    items = [item(12, "0"), item(3, "100"), item(7, "0.00"), item(8, None), item(9, "0.01")]
    zero = analysis.oit_zero_items(items)
    assert [w.item.code for w in zero] == ["O7", "O12"]
    assert all(w.kind == "oit" and w.tool == "OIT" and w.score == 0 for w in zero)


def test_analysis_groups_everything_per_tool_in_the_order_of_the_tools():
    indicators = [ind(1, "95"), ind(2, "80", issues="ชี้แจงแผนการใช้จ่ายงบประมาณ"), ind(6, "70"),
                  ind(7, "88"), ind(9, "100"), ind(10, "75")]
    result = analysis.analyse(TOOLS, indicators, [item(5, "0"), item(6, "100")])
    assert [g.code for g in result.groups] == ["IIT", "EIT", "OIT"]
    iit, eit, oit = result.groups
    assert iit.tool.issues == "ปรับปรุงการใช้งบประมาณ"
    assert numbers(iit.indicators) == [1, 2] and numbers(iit.strengths) == [1]
    assert numbers([w for w in iit.weaknesses]) == [2] and iit.weaknesses[0].issues == "ชี้แจงแผนการใช้จ่ายงบประมาณ"
    assert numbers(eit.weaknesses) == [6] and numbers(eit.strengths) == [7]
    assert [w.kind for w in oit.weaknesses] == ["indicator", "oit"]
    assert oit.weaknesses[1].item.code == "O5"
    assert numbers(result.strengths) == [9, 1, 7]
    assert numbers(result.weaknesses) == [6, 10, 2]
    assert [w.item.code for w in result.all_weaknesses if w.kind == "oit"] == ["O5"]


def test_a_tool_missing_from_the_list_still_gets_a_group():
    result = analysis.analyse([ToolInput("IIT")], [ind(1, "90"), ind(6, "70")])
    assert [g.code for g in result.groups] == ["IIT", "EIT"]


def test_measure_prefill_for_an_indicator_and_an_oit_item():
    weakness = analysis.weaknesses([ind(7, "70")])[0]
    assert analysis.measure_prefill(weakness, "ข้อความ") == {
        "weakness": "ข้อความ", "tools": ["EIT"], "indicators": [107],
    }
    zero = analysis.oit_zero_items([item(4, "0", indicator_id=110)])[0]
    assert analysis.measure_prefill(zero, "O4") == {
        "weakness": "O4", "tools": ["OIT"], "oit_items": [504], "indicators": [110],
    }


@pytest.mark.parametrize("total, tools, scale, old, new, official", [
    ("91.93", {"IIT": 95, "EIT": 84.99, "OIT": 96}, "new", "A", NewLevel.PASS, NewLevel.PASS),
    ("91.93", {"IIT": 95, "EIT": 85, "OIT": 96}, "old", "A", NewLevel.GOOD, "A"),
    ("96", {"IIT": 95, "EIT": 95, "OIT": 99}, "new", "AA", NewLevel.EXCELLENT, NewLevel.EXCELLENT),
    ("84.99", {}, "new", "B", NewLevel.IMPROVE, NewLevel.IMPROVE),
    ("69.99", {}, "old", "C", NewLevel.URGENT, "C"),
])
def test_level_summary_gives_both_scales_and_the_official_one(total, tools, scale, old, new, official):
    levels = analysis.level_summary(Decimal(total), {k: Decimal(str(v)) for k, v in tools.items()}, scale)
    assert (levels.old, levels.new, levels.official) == (old, new, official)


def test_level_summary_without_tool_scores_above_85_is_not_computable_on_the_new_scale():
    levels = analysis.level_summary(Decimal("90"), {"IIT": Decimal("90")}, "new")
    assert levels.old == "A" and levels.new is None and levels.official is None
    assert levels.missing_tools == ("EIT", "OIT")
    assert levels.official_tone == "secondary"
