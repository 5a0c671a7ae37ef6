"""Which document of which fiscal year answers each OIT item that the portal answers, and the published
document when there is one (the ITAS list, the year's checklist): ``portal_answers(org, assessment_year)``.
The items come from the catalogue (ita/catalogue_queries.py), the kinds of documents from the item's
``portal_documents``."""
from __future__ import annotations

from dataclasses import dataclass

from ita.catalogue_queries import CatalogueOf, catalogue_items, catalogue_of
from ita.models import OITItem

from . import links
from ..models import Document, DocumentKind, DocumentStatus


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
        return links.kind_slug(self.kind, self.round)


def document_slots(item: OITItem) -> list[tuple[str, int, bool]]:
    """(kind, round, expected) of every document that answers ``item``, in the order of the kinds."""
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



def portal_answers(org, assessment_year: int, *, catalogue: CatalogueOf | None = None,
                   items: list[OITItem] | None = None) -> list[PortalAnswer]:
    """Every (item, document) pair of assessment year ``assessment_year`` that the portal answers, with
    the published document of the right fiscal year (assessment year + the item's offset) or None.
    Two queries. A provisional catalogue's offsets apply to ``assessment_year``, not to the year copied."""
    if items is None:
        catalogue = catalogue if catalogue is not None else catalogue_of(assessment_year)
        items = catalogue_items(catalogue)
    return portal_answers_of_many([org], assessment_year, items=items)[org.pk]


def portal_answers_of_many(orgs, assessment_year: int, *, items: list[OITItem]) -> dict[int, list[PortalAnswer]]:
    """``portal_answers`` of several organisations (by pk) in one query."""
    answered = [(item, document_slots(item)) for item in items]
    answered = [(item, slots) for item, slots in answered if slots]
    years = {assessment_year + item.portal_document_fy_offset for item, _slots in answered}
    by_pk = {org.pk: org for org in orgs}
    published: dict[int, dict] = {pk: {} for pk in by_pk}
    if years and by_pk:
        for document in (Document.objects.filter(organisation__in=list(by_pk), fiscal_year__in=years,
                                                 status=DocumentStatus.PUBLISHED)
                         .only("pk", "organisation", "fiscal_year", "kind", "round", "revision", "status",
                               "published_at", "withdrawn_at").order_by("revision")):
            document.organisation = by_pk[document.organisation_id]
            published[document.organisation_id][(document.fiscal_year, document.kind, document.round)] = document
    return {pk: _pairs(answered, assessment_year, published[pk]) for pk in by_pk}


def _pairs(answered, assessment_year: int, published: dict) -> list[PortalAnswer]:
    found = []
    for item, slots in answered:
        fiscal_year = assessment_year + item.portal_document_fy_offset
        for kind, round_, expected in slots:
            document = published.get((fiscal_year, kind, round_))
            url = links.absolute(links.document_path(document)) if document else ""
            found.append(PortalAnswer(item, kind, round_, fiscal_year, expected, document, url))
    return found
