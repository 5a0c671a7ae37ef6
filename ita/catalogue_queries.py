"""Read-only questions about the catalogue of an assessment year.

- ``catalogue_of(year)``: the catalogue an assessment year uses. A year loaded from the files is its own
  (provisional when years.csv says so); a year without any catalogue, up to the current fiscal year,
  uses the latest earlier one as a provisional catalogue until the real one is loaded.
- ``provisional_text(catalogue)``: the Thai mark shown wherever a provisional catalogue shows.
- ``portal_answers(org, assessment_year)``: which document of which fiscal year answers each OIT item
  that the portal answers, and the published document when there is one (the ITAS list, the checklist).
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


# --- which documents answer which OIT items -----------------------------------------------------------

@dataclass(frozen=True)
class PortalAnswer:
    """One document that answers one OIT item: ``kind`` and ``round`` of fiscal year ``fiscal_year``.
    ``expected``: ITAS asks for it (False: an optional round, or the analysis that the measures plan
    also carries). ``document``: the published revision now (None: not published yet); ``url``: its
    absolute stable address ("" when not published)."""

    item: OITItem
    kind: str
    round: int
    fiscal_year: int
    expected: bool
    document: object | None
    url: str

    @property
    def slug(self) -> str:
        from public import links

        return links.kind_slug(self.kind, self.round)


def document_slots(item: OITItem) -> list[tuple[str, int, bool]]:
    """(kind, round, expected) of every document that answers ``item``, in the order of the kinds."""
    from reports.models import DocumentKind

    slots = []
    for token in item.portal_document_kinds:
        if token == DocumentKind.ANALYSIS:
            slots.append((DocumentKind.ANALYSIS, 0, False))
        elif token == DocumentKind.MEASURES:
            slots.append((DocumentKind.MEASURES, 0, True))
        elif token == DocumentKind.PROGRESS:
            slots += [(DocumentKind.PROGRESS, n, n in (6, 12)) for n in (3, 6, 9, 12)]
        elif token.startswith("progress-") and token.removeprefix("progress-").isdigit():
            slots.append((DocumentKind.PROGRESS, int(token.removeprefix("progress-")), True))
    order = {DocumentKind.ANALYSIS: 0, DocumentKind.MEASURES: 1, DocumentKind.PROGRESS: 2}
    return sorted(dict.fromkeys(slots), key=lambda s: (order[s[0]], s[1]))


def catalogue_items(catalogue: CatalogueOf | None) -> list[OITItem]:
    """The current (not retired) OIT items of a catalogue, by number."""
    if catalogue is None:
        return []
    return list(OITItem.objects.filter(year=catalogue.source, retired=False).select_related("year")
                .order_by("number", "code"))


def portal_answers(org, assessment_year: int, *, catalogue: CatalogueOf | None = None,
                   items: list[OITItem] | None = None) -> list[PortalAnswer]:
    """Every (item, document) pair of assessment year ``assessment_year`` that the portal answers, with
    the published document of the right fiscal year (assessment year + the item's offset) or None.
    Two queries. A provisional catalogue's offsets apply to ``assessment_year``, not to the year copied."""
    from public import links
    from reports.models import Document, DocumentStatus

    if items is None:
        catalogue = catalogue if catalogue is not None else catalogue_of(assessment_year)
        items = catalogue_items(catalogue)
    answered = [(item, document_slots(item)) for item in items]
    answered = [(item, slots) for item, slots in answered if slots]
    years = {assessment_year + item.portal_document_fy_offset for item, _slots in answered}
    published = {}
    if years:
        for document in (Document.objects.for_org(org)
                         .filter(fiscal_year__in=years, status=DocumentStatus.PUBLISHED)
                         .only("pk", "organisation", "fiscal_year", "kind", "round", "revision", "status",
                               "published_at", "withdrawn_at").order_by("revision")):
            document.organisation = org
            published[(document.fiscal_year, document.kind, document.round)] = document
    found = []
    for item, slots in answered:
        fiscal_year = assessment_year + item.portal_document_fy_offset
        for kind, round_, expected in slots:
            document = published.get((fiscal_year, kind, round_))
            url = links.absolute(links.document_path(document)) if document else ""
            found.append(PortalAnswer(item, kind, round_, fiscal_year, expected, document, url))
    return found
