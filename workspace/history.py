"""Field-level history of an organisation's measures, steps, progress entries and evidence, of its own
settings (self-approval included) and of its memberships (django-simple-history), for the organisation
administrator's history page.

    page = history_page(org, kind="", fiscal_year=None, page=request.GET.get("page"))
    page.rows  # HistoryRow objects of this page, newest first

Scoping: measure history by its own ``organisation_id``; step history by ``measure_id`` among the
organisation's measure ids (current measures and every id in the measure history, so deleted measures
count too); entry history by ``document_id`` among the organisation's documents or ``measure_id`` among
its measure ids (entries of a deleted draft still belong to the organisation through their measure);
evidence history by ``entry_id`` among the current and historical entry ids of that scope. Everything
is a subquery, so the page costs the same number of queries whatever the number of records.

Diffs: for the records of one page, the previous record of each object is found in bulk (one query per
history model for the records, with the previous ``history_id`` annotated, and one for the previous
records themselves), then the tracked, editable fields are compared in Python (``id``, ``version`` and
the timestamps the models set themselves are not shown). A measure's divisions (tracked as an m2m
history) are compared from one query over its m2m history table.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.thai import to_thai_digits
from ita.models import ResultEvent
from measures.models import Measure, MeasureStep
from reports.models import Document, Evidence, ProgressEntry

from orgs.models import Division, Invitation, Membership, Organisation

PER_PAGE = 50
TEXT_LIMIT = 200  # characters of a long text shown before "…"
STEP_TITLE_LIMIT = 80
SKIPPED_FIELDS = {"id", "version"}
MIN_YEAR, MAX_YEAR = 2500, 2800  # plausible B.E. fiscal years

MEASURE, STEP, ENTRY, EVIDENCE, RESULT = "measure", "step", "entry", "evidence", "result"
SETTINGS, MEMBER, INVITATION = "settings", "member", "invitation"
KINDS = {
    MEASURE: gettext_lazy("Measure"),
    STEP: gettext_lazy("Step"),
    ENTRY: gettext_lazy("Progress entry"),
    EVIDENCE: gettext_lazy("Evidence"),
    SETTINGS: gettext_lazy("Organisation settings"),
    MEMBER: gettext_lazy("Member"),
    INVITATION: gettext_lazy("Invitation"),
    RESULT: gettext_lazy("ITA result"),
}
MODELS = {MEASURE: Measure, STEP: MeasureStep, ENTRY: ProgressEntry, EVIDENCE: Evidence, SETTINGS: Organisation,
          MEMBER: Membership, INVITATION: Invitation}

CREATED, CHANGED, DELETED = "+", "~", "-"


def history_model(kind):
    return MODELS[kind].history.model


def tracked_fields(kind):
    """The fields a diff compares: tracked by the history, editable, not ``id`` / ``version``."""
    return [f for f in history_model(kind).tracked_fields if f.editable and f.name not in SKIPPED_FIELDS]


def _divisions_history_model():
    """The m2m history table of Measure.divisions (one row per division per measure record)."""
    return history_model(MEASURE).divisions.model


# --- what is shown ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shown:
    """A value as the page shows it. ``kind``: empty, text, number, ref (an id), date, datetime."""

    kind: str
    value: object = ""


EMPTY = Shown("empty")


def shorten(text: str, limit: int = TEXT_LIMIT) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def _raw(record, f):
    value = getattr(record, f.attname)
    if isinstance(f, models.FileField):
        return getattr(value, "name", value) or ""
    return value


def shown(f, value) -> Shown:
    """How field ``f`` (of the original model) shows a raw ``value``."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if f.choices:
        return Shown("text", str(dict(f.flatchoices).get(value, value)))
    if isinstance(f, models.ForeignKey):
        return Shown("ref", value)
    if isinstance(f, models.DateTimeField):
        return Shown("datetime", value)
    if isinstance(f, models.DateField):
        return Shown("date", value)
    if isinstance(f, models.BooleanField):
        return Shown("text", _("yes") if value else _("no"))
    if isinstance(value, int):
        return Shown("number", value)
    if isinstance(value, (list, tuple)):
        text = ", ".join(str(v) for v in value)
        return Shown("number" if all(isinstance(v, int) for v in value) else "text", shorten(text))
    return Shown("text", shorten(value))


@dataclass
class FieldChange:
    name: str
    label: str
    old: Shown
    new: Shown

    @property
    def values(self):
        return (self.old, self.new)


@dataclass
class HistoryRow:
    kind: str
    record: object  # the historical record
    title: str = ""
    who: str = ""
    changes: list = field(default_factory=list)
    compared: bool = False  # a previous record was found (for a change)
    document: object = None  # entries and evidence: the document, when it still exists
    url: str = ""  # results: the result's page
    action_label: str = ""  # results: entered / changed / corrected / confirmed (ResultEvent.action)
    comment: str = ""

    @property
    def kind_label(self):
        return KINDS[self.kind]

    @property
    def history_id(self):
        return self.record.history_id

    @property
    def when(self):
        return self.record.history_date

    @property
    def change_type(self):
        return self.record.history_type


def user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def document_label(document) -> str:
    parts = [str(document.get_kind_display())]
    if document.round:
        parts.append(str(document.get_round_display()))
    parts.append(to_thai_digits(document.fiscal_year))
    if document.revision > 1:
        parts.append(_("revision %(number)s") % {"number": to_thai_digits(document.revision)})
    return " ".join(parts)


# --- scope and timeline ---------------------------------------------------------------------------

def scoped_histories(org, fiscal_year: int | None = None) -> dict:
    """The history querysets of ``org`` (optionally of one fiscal year), by kind."""
    measures = Measure.objects.filter(organisation=org)
    measures_h = history_model(MEASURE).objects.filter(organisation_id=org.pk)
    documents = Document.objects.for_org(org)
    if fiscal_year:
        measures = measures.filter(fiscal_year=fiscal_year)
        measures_h = measures_h.filter(fiscal_year=fiscal_year)
        documents = documents.filter(fiscal_year=fiscal_year)

    def of_measures(name):
        return Q(**{f"{name}__in": measures.values("pk")}) | Q(**{f"{name}__in": measures_h.values("id")})

    entry_scope = Q(document_id__in=documents.values("pk")) | of_measures("measure_id")
    entries = ProgressEntry.objects.filter(entry_scope)
    entries_h = history_model(ENTRY).objects.filter(entry_scope)
    scoped = {
        MEASURE: measures_h,
        STEP: history_model(STEP).objects.filter(of_measures("measure_id")),
        ENTRY: entries_h,
        EVIDENCE: history_model(EVIDENCE).objects.filter(
            Q(entry_id__in=entries.values("pk")) | Q(entry_id__in=entries_h.values("id"))
        ),
    }
    if not fiscal_year:
        scoped[SETTINGS] = history_model(SETTINGS).objects.filter(id=org.pk)
        scoped[MEMBER] = history_model(MEMBER).objects.filter(organisation_id=org.pk)
        scoped[INVITATION] = history_model(INVITATION).objects.filter(organisation_id=org.pk)
    return scoped


def result_events(org, fiscal_year: int | None = None):
    """The events of the organisation's ITA results (ita.models.ResultEvent); a result belongs to the
    fiscal year whose measures answer it (assessment year + 1), as on the result page."""
    events = ResultEvent.objects.filter(result__organisation=org)
    if fiscal_year:
        events = events.filter(result__year__year=fiscal_year - 1)
    return events


def timeline(org, kind: str = "", fiscal_year: int | None = None):
    """(history_date, history_id, kind) of every record in scope, newest first: one queryset. Result
    events take part with their time and id (``history_id`` is the event's id for kind "result")."""
    parts = [
        qs.order_by().annotate(history_kind=Value(k, output_field=models.CharField()))
        .values_list("history_date", "history_id", "history_kind")
        for k, qs in scoped_histories(org, fiscal_year).items()
        if not kind or k == kind
    ]
    if not kind or kind == RESULT:
        parts.append(
            result_events(org, fiscal_year).order_by()
            .annotate(history_date=F("at"), history_id=F("pk"),
                      history_kind=Value(RESULT, output_field=models.CharField()))
            .values_list("history_date", "history_id", "history_kind")
        )
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("-history_date", "-history_id", "history_kind")


def fiscal_years(org) -> list[int]:
    """Fiscal years with measures (now or in their history) or documents, newest first."""
    years = set(Measure.objects.for_org(org).order_by().values_list("fiscal_year", flat=True).distinct())
    years |= set(
        history_model(MEASURE).objects.filter(organisation_id=org.pk).order_by()
        .values_list("fiscal_year", flat=True).distinct()
    )
    years |= set(Document.objects.for_org(org).order_by().values_list("fiscal_year", flat=True).distinct())
    years |= {year + 1 for year in result_events(org).order_by()
              .values_list("result__year__year", flat=True).distinct()}
    return sorted(years, reverse=True)


# --- rows of one page ---------------------------------------------------------------------------------

def _records(kind, history_ids):
    """The records with these history ids, each with ``prev_history_id`` (the object's record before it)."""
    model = history_model(kind)
    previous = (
        model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id").values("history_id")[:1]
    )
    return list(
        model.objects.filter(history_id__in=history_ids).select_related("history_user")
        .annotate(prev_history_id=Subquery(previous))
    )


def _field_changes(kind, record, previous) -> list[FieldChange]:
    changes = []
    for f in tracked_fields(kind):
        old, new = _raw(previous, f), _raw(record, f)
        if old != new and shown(f, old) != shown(f, new):
            changes.append(FieldChange(f.name, str(f.verbose_name), shown(f, old), shown(f, new)))
    return changes


def _division_changes(records, previous, org) -> dict:
    """history_id → FieldChange of the divisions, for measure records whose divisions changed."""
    pairs = [(r, previous[r.prev_history_id]) for r in records if r.prev_history_id in previous]
    if not pairs:
        return {}
    ids = {r.history_id for r, _p in pairs} | {p.history_id for _r, p in pairs}
    sets = defaultdict(set)
    for history_id, division_id in _divisions_history_model().objects.filter(history_id__in=ids).values_list(
        "history_id", "division_id"
    ):
        sets[history_id].add(division_id)
    changed = [(r, p) for r, p in pairs if sets[r.history_id] != sets[p.history_id]]
    if not changed:
        return {}
    wanted = set().union(*(sets[r.history_id] | sets[p.history_id] for r, p in changed))
    divisions = Division.objects.filter(organisation=org, pk__in=wanted).order_by("order", "name")
    order = {d.pk: i for i, d in enumerate(divisions)}
    names = {d.pk: d.name for d in divisions}

    def text(ids_):
        if not ids_:
            return EMPTY
        ordered = sorted(ids_, key=lambda pk: (order.get(pk, len(order)), pk))
        return Shown("text", shorten(", ".join(names.get(pk, f"#{pk}") for pk in ordered)))

    label = str(Measure._meta.get_field("divisions").verbose_name)
    return {
        r.history_id: FieldChange("divisions", label, text(sets[p.history_id]), text(sets[r.history_id]))
        for r, p in changed
    }


def _measure_titles(ids) -> dict:
    """Titles of these measures: current ones, else the last title in their history (deleted)."""
    titles = dict(Measure.objects.filter(pk__in=ids).order_by().values_list("pk", "title"))
    missing = set(ids) - set(titles)
    if missing:
        for pk, title in (
            history_model(MEASURE).objects.filter(id__in=missing).order_by("id", "history_id")
            .values_list("id", "title")
        ):
            titles[pk] = title  # the last one wins
    return titles


def build_rows(org, items) -> list[HistoryRow]:
    """Rows for timeline items (history_date, history_id, kind), in their order."""
    ids_by_kind = defaultdict(list)
    for _date, history_id, kind in items:
        ids_by_kind[kind].append(history_id)

    rows = {}
    for kind, history_ids in ids_by_kind.items():
        if kind == RESULT:
            rows.update(_result_rows(org, history_ids))
            continue
        records = _records(kind, history_ids)
        wanted = [r.prev_history_id for r in records if r.history_type == CHANGED and r.prev_history_id]
        previous = history_model(kind).objects.in_bulk(wanted) if wanted else {}
        divisions = (
            _division_changes([r for r in records if r.history_type == CHANGED], previous, org)
            if kind == MEASURE else {}
        )
        for record in records:
            row = HistoryRow(kind=kind, record=record, who=user_name(record.history_user))
            if record.history_type == CHANGED and record.prev_history_id in previous:
                row.compared = True
                row.changes = _field_changes(kind, record, previous[record.prev_history_id])
                if record.history_id in divisions:
                    row.changes.append(divisions[record.history_id])
            rows[(kind, record.history_id)] = row

    _set_titles(org, rows.values())
    return [rows[(kind, history_id)] for _date, history_id, kind in items if (kind, history_id) in rows]


@dataclass(frozen=True)
class ResultRecord:
    """A ResultEvent in the shape of a historical record (history_id, history_date, history_type)."""

    event: ResultEvent
    history_type: str = CHANGED

    @property
    def history_id(self):
        return self.event.pk

    @property
    def history_date(self):
        return self.event.at


def _result_rows(org, event_ids) -> dict:
    rows = {}
    for event in ResultEvent.objects.filter(pk__in=event_ids, result__organisation=org).select_related("result__year"):
        year = event.result.year.year
        rows[(RESULT, event.pk)] = HistoryRow(
            kind=RESULT, record=ResultRecord(event), who=event.actor_name,
            title=_("ITA result of assessment year %(year)s") % {"year": to_thai_digits(year)},
            url=reverse("ita:result_detail", args=[org.slug, year]),
            action_label=event.get_action_display(), comment=event.comment, compared=True,
        )
    return rows


def _set_titles(org, rows) -> None:
    rows = [row for row in rows if row.kind != RESULT]  # titled by _result_rows
    entry_rows = [row for row in rows if row.kind == ENTRY]
    evidence_rows = [row for row in rows if row.kind == EVIDENCE]
    # Evidence rows show their document too: the entry's document, current or from its history.
    entry_ids = {row.record.entry_id for row in evidence_rows}
    document_of_entry = dict(
        ProgressEntry.objects.filter(pk__in=entry_ids).order_by().values_list("pk", "document_id")
    )
    missing = entry_ids - set(document_of_entry)
    if missing:
        document_of_entry.update(
            history_model(ENTRY).objects.filter(id__in=missing).order_by().values_list("id", "document_id")
        )
    document_ids = {row.record.document_id for row in entry_rows} | set(document_of_entry.values())
    documents = Document.objects.for_org(org).in_bulk(document_ids) if document_ids else {}
    titles = _measure_titles({row.record.measure_id for row in entry_rows}) if entry_rows else {}

    member_rows = [row for row in rows if row.kind == MEMBER]
    users = {}
    if member_rows:
        users = get_user_model().objects.in_bulk({row.record.user_id for row in member_rows})

    for row in rows:
        record = row.record
        if row.kind == SETTINGS:
            row.title = shorten(record.name, STEP_TITLE_LIMIT)
        elif row.kind == MEMBER:
            user = users.get(record.user_id)
            name = user_name(user) if user else f"#{to_thai_digits(record.user_id)}"
            row.title = f"{name} ({record.get_role_display()})"
        elif row.kind == INVITATION:
            row.title = f"{record.email} ({record.get_role_display()})"
        elif row.kind == MEASURE:
            row.title = shorten(record.title, STEP_TITLE_LIMIT * 2)
        elif row.kind == STEP:
            row.title = shorten(record.text, STEP_TITLE_LIMIT)
        elif row.kind == ENTRY:
            row.document = documents.get(record.document_id)
            document = (
                document_label(row.document) if row.document
                else _("document #%(id)s") % {"id": to_thai_digits(record.document_id)}
            )
            measure = titles.get(record.measure_id) or f"#{to_thai_digits(record.measure_id)}"
            row.title = _("%(measure)s in %(document)s") % {"measure": shorten(measure, STEP_TITLE_LIMIT),
                                                            "document": document}
        elif row.kind == EVIDENCE:
            row.document = documents.get(document_of_entry.get(record.entry_id))
            row.title = shorten(record.title or record.original_name or record.url, STEP_TITLE_LIMIT)


# --- the page -----------------------------------------------------------------------------------------

def history_page(org, *, kind: str = "", fiscal_year: int | None = None, page=None):
    """One page (Django Paginator, PER_PAGE records) of the organisation's history, with ``.rows``."""
    if kind not in KINDS:
        kind = ""
    page_obj = Paginator(timeline(org, kind, fiscal_year), PER_PAGE).get_page(page)
    page_obj.rows = build_rows(org, list(page_obj.object_list))
    return page_obj


def parse_year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if MIN_YEAR <= year <= MAX_YEAR else None
