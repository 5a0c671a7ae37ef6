"""The level is computed from scores on both scales; boundaries decide a whole year's story."""
from decimal import Decimal

import pytest

from ita.levels import NewLevel, new_level, old_level


@pytest.mark.parametrize(
    "total, expected",
    [
        ("100", "AA"), ("95.00", "AA"), ("94.99", "A"), ("85.00", "A"), ("84.99", "B"), ("75.00", "B"),
        ("74.99", "C"), ("65.00", "C"), ("64.99", "D"), ("55.00", "D"), ("54.99", "E"), ("50.00", "E"),
        ("49.99", "F"), ("0", "F"),
    ],
)
def test_old_scale_boundaries(total, expected):
    assert old_level(Decimal(total)) == expected


def test_old_scale_accepts_floats_and_none():
    assert old_level(91.93) == "A"
    assert old_level(None) is None


def tools(iit, eit, oit):
    return {"IIT": Decimal(iit), "EIT": Decimal(eit), "OIT": Decimal(oit)}


@pytest.mark.parametrize(
    "total, tool_scores, expected",
    [
        ("95.00", tools("95", "95", "95"), NewLevel.EXCELLENT),
        ("99.81", tools("99.5", "99.9", "100"), NewLevel.EXCELLENT),
        ("96.00", tools("94.99", "97", "98"), NewLevel.GOOD),  # total high, one tool just under 95
        ("94.99", tools("99", "99", "99"), NewLevel.GOOD),  # total just under 95
        ("85.00", tools("85", "85", "85"), NewLevel.GOOD),
        ("94.64", tools("96", "84.50", "99"), NewLevel.PASS),  # the 2568 case: EIT under 85
        ("85.00", tools("84.99", "90", "90"), NewLevel.PASS),
        ("84.99", tools("99", "99", "99"), NewLevel.IMPROVE),  # below 85 the total decides
        ("70.00", tools("60", "60", "90"), NewLevel.IMPROVE),
        ("69.99", tools("90", "90", "40"), NewLevel.URGENT),
        ("0", tools("0", "0", "0"), NewLevel.URGENT),
    ],
)
def test_new_scale_boundaries(total, tool_scores, expected):
    assert new_level(Decimal(total), tool_scores) == expected


def test_new_scale_needs_all_three_tools_from_85_up():
    assert new_level(Decimal("96"), {"IIT": Decimal("99"), "EIT": Decimal("99")}) is None
    assert new_level(Decimal("60"), {}) == NewLevel.URGENT
    assert new_level(None, {}) is None
