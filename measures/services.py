"""Everything that changes measures: save with steps (optimistic locking), delete, reorder, copy.

Views never write measures themselves; every change here is atomic.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import F, Max

from ita.models import AssessmentYear, Indicator, OITItem

from .models import Measure, MeasureStep

# What the apps above keep that reports on a measure (measures never imports them): each registers
# ``locking(measure)``, its rows that keep the measure from being deleted, and ``removable(measure)``, a
# queryset of its rows deleted with the measure. reports registers its progress entries
# (reports/entries/measure_entries.py: entries of submitted, approved or published documents lock the measure).
_REPORTERS: list[tuple[Callable, Callable]] = []


def register_reporter(locking: Callable, removable: Callable) -> None:
    if (locking, removable) not in _REPORTERS:
        _REPORTERS.append((locking, removable))


class StaleMeasure(Exception):
    """The measure was saved by someone else since the form was loaded."""

    def __init__(self, current: Measure):
        super().__init__(f"measure {current.pk} is at version {current.version}")
        self.current = current


class MeasureInUse(Exception):
    """The measure is reported on in a submitted, approved or published document."""

    def __init__(self, entries):
        super().__init__("measure is in a locked document")
        self.entries = entries


@dataclass
class StepRow:
    """One row of the step formset, in display order. ``level`` 1 = step, 2 = sub-item of the step above."""

    text: str
    level: int = 1
    label: str = ""
    due_date: date | None = None
    id: int | None = None


# --- catalogue --------------------------------------------------------------

def catalogue_year_for(fiscal_year: int) -> AssessmentYear | None:
    """The assessment year whose catalogue the measures of ``fiscal_year`` point at: fiscal_year − 1,
    or the nearest year loaded (the earlier one on a tie); None when no catalogue is loaded."""
    wanted = fiscal_year - 1
    years = list(AssessmentYear.objects.all())
    if not years:
        return None
    return min(years, key=lambda y: (abs(y.year - wanted), y.year))


# --- reading ------------------------------------------------------------------

def years_with_measures(org) -> list[int]:
    return list(
        Measure.objects.for_org(org).order_by().values_list("fiscal_year", flat=True).distinct()
    )


def locking_entries(measure: Measure) -> list:
    """The rows that keep this measure (progress entries of submitted/approved/published documents)."""
    return [row for locking, _removable in _REPORTERS for row in locking(measure)]


def draft_entries(measure: Measure) -> list:
    """The rows deleted together with the measure (progress entries of draft and withdrawn documents)."""
    return [row for locking, removable in _REPORTERS for row in removable(measure)]


# --- saving -------------------------------------------------------------------

def _next_order(org, fiscal_year: int, group_heading: str = "") -> int:
    """Order for a new measure: after the last measure of the same group heading when there is one
    (later measures move down by one), otherwise at the end of the year."""
    year = Measure.objects.for_org(org).for_year(fiscal_year)
    if group_heading:
        last_in_group = year.filter(group_heading=group_heading).aggregate(m=Max("order"))["m"]
        if last_in_group is not None:
            year.filter(order__gt=last_in_group).update(order=F("order") + 1)
            return last_in_group + 1
    last = year.aggregate(m=Max("order"))["m"]
    return 0 if last is None else last + 1


def _step_state(step):
    return (step.parent_id, step.order, step.text, step.label, step.due_date)


def _save_steps(measure: Measure, step_rows: list[StepRow], actor=None) -> None:
    """Make the measure's steps exactly ``step_rows``: existing steps (by id, only this measure's) are
    updated, new rows created, steps missing from the rows deleted. A level-2 row becomes a sub-item of
    the nearest level-1 row above it."""
    existing = {s.pk: s for s in measure.steps.all()}
    before = {pk: _step_state(s) for pk, s in existing.items()}
    kept = set()
    parent = None
    top_order = sub_order = 0
    for row in step_rows:
        step = existing.get(row.id) if row.id else None
        if step is None or step.pk in kept:
            step = MeasureStep(measure=measure)
        if row.level == 2 and parent is not None:
            sub_order += 1
            step.parent, step.order = parent, sub_order
        else:
            top_order += 1
            sub_order = 0
            step.parent, step.order = None, top_order
        step.text, step.label, step.due_date = row.text, row.label, row.due_date
        step._history_user = actor
        if step.pk is None or _step_state(step) != before.get(step.pk):
            step.save()  # unchanged steps are not saved again: no empty history records
        kept.add(step.pk)
        if step.parent_id is None:
            parent = step
    to_delete = [pk for pk in existing if pk not in kept]
    if to_delete:
        # Sub-items first would be cascaded anyway; one query removes both.
        MeasureStep.objects.filter(pk__in=to_delete).delete()


def save_measure(form, step_rows: list[StepRow], *, actor, org=None, fiscal_year=None,
                 expected_version: int | None = None) -> Measure:
    """Save a valid MeasureForm and its steps in one transaction.

    A new measure (form.instance without pk) needs ``org`` and ``fiscal_year``. An existing one needs
    ``expected_version``, the version the user's form was loaded with: when the stored version differs,
    nothing is written and StaleMeasure is raised with the current measure. A save increments version.
    """
    measure = form.instance
    with transaction.atomic():
        if measure.pk is None:
            measure.organisation = org
            measure.fiscal_year = fiscal_year
            measure.order = _next_order(org, fiscal_year, form.cleaned_data.get("group_heading", ""))
            measure.version = 1
        else:
            # The conditional UPDATE is the lock: of two saves from the same version only one matches.
            claimed = Measure.objects.filter(pk=measure.pk, version=expected_version).update(
                version=F("version") + 1
            )
            if not claimed:
                raise StaleMeasure(Measure.objects.with_details().get(pk=measure.pk))
            measure.version = expected_version + 1
        measure._history_user = actor
        measure = form.save(commit=False)
        measure.save()
        form.save_m2m()
        _save_steps(measure, step_rows, actor)
    return measure


# --- delete and reorder -----------------------------------------------------------

def delete_measure(measure: Measure) -> None:
    """Delete a measure with its steps and its entries in draft/withdrawn documents.
    Raises MeasureInUse when a submitted, approved or published document reports on it."""
    with transaction.atomic():
        measure = Measure.objects.select_for_update().get(pk=measure.pk)
        locked = list(locking_entries(measure))
        if locked:
            raise MeasureInUse(locked)
        for _locking, removable in _REPORTERS:
            removable(measure).delete()
        measure.delete()


def move_measure(measure: Measure, direction: str) -> bool:
    """Swap a measure with its neighbour in its year ("up" or "down"); renumbers the year 0..n−1.
    Returns False when it is already first/last. The version is not touched: order is not content."""
    if direction not in ("up", "down"):
        raise ValueError(direction)
    with transaction.atomic():
        ids = list(
            Measure.objects.select_for_update()
            .filter(organisation_id=measure.organisation_id, fiscal_year=measure.fiscal_year)
            .order_by("order", "pk")
            .values_list("pk", flat=True)
        )
        i = ids.index(measure.pk)
        j = i - 1 if direction == "up" else i + 1
        if not 0 <= j < len(ids):
            return False
        ids[i], ids[j] = ids[j], ids[i]
        rows = Measure.objects.in_bulk(ids)
        changed = []
        for order, pk in enumerate(ids):
            if rows[pk].order != order:
                rows[pk].order = order
                changed.append(rows[pk])
        Measure.objects.bulk_update(changed, ["order"])
    return True


# --- copy from an earlier year ----------------------------------------------------------

def copy_source_years(org, target_year: int) -> list[int]:
    """The fiscal years before ``target_year`` that have measures of ``org``, latest first."""
    return sorted((y for y in years_with_measures(org) if y < target_year), reverse=True)


def default_copy_source(years: list[int], target_year: int) -> int | None:
    """The year before ``target_year`` when it has measures, else the latest earlier one (or None)."""
    if target_year - 1 in years:
        return target_year - 1
    return max(years, default=None)


def _years_later(d: date | None, years: int) -> date | None:
    if d is None:
        return None
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


@dataclass
class CopyResult:
    copies: list
    unmapped: int  # indicators / OIT items with no counterpart in the new catalogue


def copy_measures(sources, target_year: int, *, actor) -> CopyResult:
    """Copy measures (of any one organisation) into ``target_year`` as new measures appended at the end
    in their order, with steps, sub-items, divisions and tools; indicators and OIT items are re-mapped
    to the catalogue of ``target_year`` by number / code and dropped when it has none; months and due
    dates move by as many years as lie between the source's fiscal year and ``target_year`` (one year
    from the year before, two from the year before that...); ``copied_from`` points at the source."""
    sources = list(sources)
    catalogue = catalogue_year_for(target_year)
    indicator_by_number = {}
    oit_by_code = {}
    if catalogue is not None:
        indicator_by_number = {i.number: i for i in Indicator.objects.filter(year=catalogue)}
        oit_by_code = {o.code: o for o in OITItem.objects.filter(year=catalogue)}
    copies = []
    unmapped = 0
    with transaction.atomic():
        for source in sorted(sources, key=lambda m: (m.order, m.pk)):
            org = source.organisation
            shift = target_year - source.fiscal_year
            copy = Measure(
                organisation=org, fiscal_year=target_year, order=_next_order(org, target_year),
                group_heading=source.group_heading, title=source.title, guideline=source.guideline,
                weakness=source.weakness, responsible_text=source.responsible_text,
                start_month=_years_later(source.start_month, shift),
                end_month=_years_later(source.end_month, shift),
                timeline_text=source.timeline_text, report_rounds=list(source.report_rounds or []),
                monitoring=source.monitoring, copied_from=source,
            )
            copy._history_user = actor
            copy.save()
            copy.divisions.set(source.divisions.all())
            copy.tools.set(source.tools.all())
            indicators = []
            for indicator in source.indicators.all():
                match = indicator_by_number.get(indicator.number)
                if match is None:
                    unmapped += 1
                else:
                    indicators.append(match)
            copy.indicators.set(indicators)
            items = []
            for item in source.oit_items.all():
                match = oit_by_code.get(item.code)
                if match is None:
                    unmapped += 1
                else:
                    items.append(match)
            copy.oit_items.set(items)
            new_parent = {}
            for step in sorted(source.steps.all(), key=lambda s: (s.parent_id is not None, s.order, s.pk)):
                new = MeasureStep(
                    measure=copy, parent=new_parent.get(step.parent_id), order=step.order, label=step.label,
                    text=step.text, due_date=_years_later(step.due_date, shift),
                )
                new._history_user = actor
                new.save()
                new_parent[step.pk] = new
            copies.append(copy)
    return CopyResult(copies, unmapped)
