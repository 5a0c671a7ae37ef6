"""Reading an OIT register: its rows with their answers and the portal's documents that answer them, the
state of each row, the readiness figures, and the snapshot the public sees once it is confirmed."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse

from reports.documents.portal_answers import portal_answers, portal_answers_of_many

from .models import Answer, AnswerKind, Health, Register, RegisterStatus, Row


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


@dataclass
class Shown:
    """What the register page shows, read without writing: ``register`` may be unsaved (never opened),
    ``rows`` may hold unsaved rows (items of the catalogue the register has no row for yet); ``complete``
    is False when ``oit.services.open_register`` (a POST) would add or update rows."""

    register: Register
    rows: list
    complete: bool


def register_to_show(org, year: int, catalogue=None) -> Shown:
    """The register of ``year`` as ``open_register`` would make it, built in memory: a GET writes nothing.
    ``catalogue``: ita.catalogue_queries.catalogue_of(year) when the caller has it."""
    from ita.catalogue_queries import catalogue_items, catalogue_of

    register = Register.objects.filter(organisation=org, year=year).first()
    stored = rows_with_answers(register) if register is not None else []
    if register is None:
        register = Register(organisation=org, year=year)
    register.organisation = org
    items = catalogue_items(catalogue if catalogue is not None else catalogue_of(year))
    by_code = {row.code: row for row in stored}
    missing = [Row(register=register, item=item, code=item.code, number=item.number, title=item.title)
               for item in items if item.code not in by_code]
    changed = any((by_code[i.code].item_id, by_code[i.code].number, by_code[i.code].title) != (i.pk, i.number, i.title)
                  for i in items if i.code in by_code)
    rows = sorted(stored + missing, key=lambda row: (row.number, row.code)) if missing else stored
    return Shown(register, rows, complete=register.pk is not None and not missing and not changed)


def row_views(register: Register, rows=None, portal=None) -> list[RowView]:
    """``portal``: the year's reports.documents.portal_answers when the caller has them already."""
    rows = rows if rows is not None else rows_with_answers(register)
    items = [row.item for row in rows if row.item is not None]
    by_item: dict[int, list] = {}
    if portal is None:
        portal = portal_answers(register.organisation, register.year, items=items)
    for answer in portal:
        by_item.setdefault(answer.item.pk, []).append(answer)
    views = []
    for row in rows:
        answers = list(row.answers.all()) if row.pk is not None else []  # an unsaved row has none yet
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
    ``portal`` (ita.catalogue_queries.catalogue_of, reports.documents.portal_answers of the year) and the catalogue's
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


def readiness_of_many(orgs, year: int, *, catalogue=None) -> dict[int, Readiness]:
    """``readiness_of`` of several organisations (by pk) in a fixed number of queries (the catalogue, the
    registers, their rows and answers, the published documents), whatever their number."""
    from ita.catalogue_queries import catalogue_items, catalogue_of

    orgs = list(orgs)
    items = catalogue_items(catalogue if catalogue is not None else catalogue_of(year))
    portal = portal_answers_of_many(orgs, year, items=items)
    registers = {r.organisation_id: r for r in Register.objects.filter(organisation__in=orgs, year=year)}
    rows: dict[int, list] = {r.pk: [] for r in registers.values()}
    if registers:
        for row in Row.objects.filter(register__in=list(registers.values())).select_related(
                "item", "division").prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by("order", "pk"))):
            rows[row.register_id].append(row)
    found = {}
    for org in orgs:
        register = registers.get(org.pk)
        if register is not None:
            register.organisation = org
            found[org.pk] = readiness(register, row_views(register, rows[register.pk], portal=portal[org.pk]))
        else:
            answered = {a.item.pk for a in portal[org.pk] if a.document is not None}
            found[org.pk] = Readiness(items=len(items), answered=len(answered),
                                      missing_codes=[item.code for item in items if item.pk not in answered])
    return found


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
