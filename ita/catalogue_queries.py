"""Read-only questions about the catalogue of an assessment year.

- ``catalogue_of(year)``: the catalogue an assessment year uses. A year loaded from the files is its own
  (provisional when years.csv says so); a year without any catalogue, up to the current fiscal year,
  uses the latest earlier one as a provisional catalogue until the real one is loaded.
- ``provisional_text(catalogue)``: the Thai mark shown wherever a provisional catalogue shows.
- ``catalogue_items(catalogue)``: its current OIT items (which documents answer them:
  reports/documents/portal_answers.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from core.thai import fiscal_year_of, to_thai_digits

from .models import AssessmentYear, OITItem


@dataclass(frozen=True)
class CatalogueOf:
    """The catalogue an assessment year uses: ``source`` holds its rows (indicators, OIT items)."""

    year: int  # the assessment year asked for
    source: AssessmentYear  # whose rows are used
    provisional: bool
    based_on: int | None  # the year whose catalogue is used until the real one comes

    @property
    def is_own(self) -> bool:
        return self.source.year == self.year


def catalogue_of(year: int) -> CatalogueOf | None:
    """None when there is no catalogue at all, or ``year`` is later than the current fiscal year."""
    own = AssessmentYear.objects.filter(year=year).first()
    if own is not None:
        return CatalogueOf(year, own, own.provisional, own.based_on if own.provisional else None)
    if year > fiscal_year_of(timezone.localdate()):
        return None
    latest = AssessmentYear.objects.filter(year__lt=year).order_by("-year").first()
    if latest is None:
        return None
    return CatalogueOf(year, latest, True, latest.based_on if latest.provisional else latest.year)


def provisional_text(year: int, based_on: int | None) -> str:
    """"ชุดตัวชี้วัดชั่วคราว (ใช้ของปี ๒๕๖๙ จนกว่า ป.ป.ช. ประกาศคู่มือปี ๒๕๗๐)": canonical Thai, as printed
    in documents (the pages show the translated msgid of ita/_provisional.html, the same in Thai)."""
    return (f"ชุดตัวชี้วัดชั่วคราว (ใช้ของปี {to_thai_digits(based_on or '')} "
            f"จนกว่า ป.ป.ช. ประกาศคู่มือปี {to_thai_digits(year)})")


def provisional_mark(assessment_year: AssessmentYear | None) -> dict | None:
    """{"year", "based_on", "text"} for a provisional year (template context), None otherwise."""
    if assessment_year is None or not assessment_year.provisional:
        return None
    return {"year": assessment_year.year, "based_on": assessment_year.based_on,
            "text": provisional_text(assessment_year.year, assessment_year.based_on)}


def catalogue_items(catalogue: CatalogueOf | None) -> list[OITItem]:
    """The current (not retired) OIT items of a catalogue, by number."""
    if catalogue is None:
        return []
    return list(OITItem.objects.filter(year=catalogue.source, retired=False).select_related("year")
                .order_by("number", "code"))
