"""Reading an OIT register: its rows with their answers and the portal's documents that answer them, the
state of each row, the readiness figures, and the snapshot the public sees once it is confirmed."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse

from reports.portal_answers import portal_answers

from .models import Answer, AnswerKind, Health, Register, RegisterStatus


class RowState:
    ANSWERED = "answered"  # an answer of the organisation (and no broken link)
    PORTAL = "portal"  # answered by a published document of this portal only
    BROKEN = "broken"  # a link that failed twice in a row
    MISSING = "missing"  # nothing yet


@dataclass
class RowView:
    row: object
    answers: list
    portal: list  # ita.catalogue_queries.PortalAnswer of the item (published or not)
    state: str

    @property
    def portal_published(self) -> list:
        return [answer for answer in self.portal if answer.document is not None]


@dataclass
class Readiness:
    items: int = 0
    answered: int = 0  # rows answered (by the organisation or the portal)
    links: int = 0
    healthy: int = 0  # links that opened at their last check
    broken: int = 0  # links broken (failed twice in a row)
    unchecked: int = 0
    to_review: int = 0  # carried from last year, not reviewed yet
    confirmed: bool = False
    missing_codes: list = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.items) if self.items else 0


def rows_with_answers(register: Register) -> list:
    return list(register.rows.select_related("item", "division").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.order_by("order", "pk"))))


def row_views(register: Register, rows=None, portal=None) -> list[RowView]:
    """``portal``: the year's reports.portal_answers when the caller has them already."""
    rows = rows if rows is not None else rows_with_answers(register)
    items = [row.item for row in rows if row.item is not None]
    by_item: dict[int, list] = {}
    if portal is None:
        portal = portal_answers(register.organisation, register.year, items=items)
    for answer in portal:
        by_item.setdefault(answer.item.pk, []).append(answer)
    views = []
    for row in rows:
        answers = list(row.answers.all())
        portal = by_item.get(row.item_id, [])
        if any(a.kind == AnswerKind.LINK and a.health == Health.BROKEN for a in answers):
            state = RowState.BROKEN
        elif answers:
            state = RowState.ANSWERED
        elif any(a.document is not None for a in portal):
            state = RowState.PORTAL
        else:
            state = RowState.MISSING
        views.append(RowView(row, answers, portal, state))
    return views


def readiness(register: Register, views: list[RowView] | None = None) -> Readiness:
    views = views if views is not None else row_views(register)
    figures = Readiness(items=len(views), confirmed=register.status == RegisterStatus.CONFIRMED)
    for view in views:
        if view.state != RowState.MISSING:
            figures.answered += 1
        else:
            figures.missing_codes.append(view.row.code)
        for answer in view.answers:
            figures.to_review += answer.needs_review
            if answer.kind != AnswerKind.LINK:
                continue
            figures.links += 1
            figures.healthy += answer.health == Health.HEALTHY
            figures.broken += answer.health == Health.BROKEN
            figures.unchecked += answer.health == Health.UNCHECKED
    return figures


def readiness_of(org, year: int, *, catalogue=None, portal=None, items=None) -> Readiness:
    """The readiness of the organisation's register of ``year``, without creating one: with no register
    yet, every item of the catalogue that no published document answers is missing. ``catalogue`` and
    ``portal`` (ita.catalogue_queries.catalogue_of, reports.portal_answers of the year) and the catalogue's
    ``items`` when the caller has them: then one to three queries."""
    from ita.catalogue_queries import catalogue_items, catalogue_of

    register = Register.objects.filter(organisation=org, year=year).first()
    if register is not None:
        register.organisation = org
        return readiness(register, row_views(register, portal=portal))
    if items is None:
        items = catalogue_items(catalogue if catalogue is not None else catalogue_of(year))
    portal = portal if portal is not None else portal_answers(org, year, items=items)
    answered = {a.item.pk for a in portal if a.document is not None}
    return Readiness(items=len(items), answered=len(answered),
                     missing_codes=[item.code for item in items if item.pk not in answered])


def public_file_path(register: Register, answer: Answer) -> str:
    return reverse("public:oit_file", args=[register.organisation.slug, register.year, answer.pk])


def snapshot_of(register: Register) -> dict:
    """What the public sees once the register is confirmed: every item with the organisation's answers
    (links, and the permanent public addresses of hosted files)."""
    items = []
    for view in row_views(register):
        answers = []
        for answer in view.answers:
            if answer.kind == AnswerKind.LINK:
                answers.append({"kind": "link", "url": answer.url, "title": answer.title})
            else:
                answers.append({"kind": "file", "answer": answer.pk, "title": answer.title,
                                "name": answer.original_name, "path": public_file_path(register, answer)})
        items.append({"code": view.row.code, "number": view.row.number, "title": view.row.title,
                      "note": view.row.note, "answers": answers})
    return {"year": register.year, "version": register.version, "items": items}
