"""ITA levels, computed from scores (never typed). Pure functions: no database, no Django models.

Old scale (to 2565): AA 95.00–100, A 85.00–94.99, B 75.00–84.99, C 65.00–74.99, D 55.00–64.99,
E 50.00–54.99, F below 50.
New scale (from 2566): ผ่านดีเยี่ยม = total ≥ 95 and each of IIT, EIT, OIT ≥ 95; ผ่านดี = total ≥ 85 and
each tool ≥ 85; ผ่าน = total ≥ 85 with a tool below 85; ต้องปรับปรุง 70.00–84.99; ต้องปรับปรุงโดยด่วน below 70.
The bands below 85 are marked "(check)" in the domain notes; they live here in one table.
"""
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

TOOLS = ("IIT", "EIT", "OIT")
PASS_MARK = Decimal("85")

OLD_BANDS = (
    (Decimal("95"), "AA"),
    (Decimal("85"), "A"),
    (Decimal("75"), "B"),
    (Decimal("65"), "C"),
    (Decimal("55"), "D"),
    (Decimal("50"), "E"),
    (Decimal("0"), "F"),
)


class NewLevel(models.TextChoices):
    EXCELLENT = "excellent", _("Pass with excellence")  # ผ่านดีเยี่ยม
    GOOD = "good", _("Pass, good")  # ผ่านดี
    PASS = "pass", _("Pass")  # ผ่าน
    IMPROVE = "improve", _("Needs improvement")  # ต้องปรับปรุง
    URGENT = "urgent", _("Needs urgent improvement")  # ต้องปรับปรุงโดยด่วน


NEW_LOW_BANDS = ((Decimal("70"), NewLevel.IMPROVE), (Decimal("0"), NewLevel.URGENT))


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def old_level(total) -> str | None:
    """The AA–F level of a total score, or None when there is no score."""
    if total is None:
        return None
    total = _dec(total)
    for floor, level in OLD_BANDS:
        if total >= floor:
            return level
    return "F"


def new_level(total, tool_scores: dict) -> NewLevel | None:
    """The new-scale level from the total and the per-tool scores {"IIT": .., "EIT": .., "OIT": ..}.

    Below 85 the level depends on the total only. From 85 up the tool scores decide, so the level is
    None (unknown) when any of the three is missing.
    """
    if total is None:
        return None
    total = _dec(total)
    if total < PASS_MARK:
        for floor, level in NEW_LOW_BANDS:
            if total >= floor:
                return level
        return NewLevel.URGENT
    if any(tool_scores.get(code) is None for code in TOOLS):
        return None
    lowest_tool = min(_dec(tool_scores[code]) for code in TOOLS)
    if total >= Decimal("95") and lowest_tool >= Decimal("95"):
        return NewLevel.EXCELLENT
    if lowest_tool >= PASS_MARK:
        return NewLevel.GOOD
    return NewLevel.PASS
