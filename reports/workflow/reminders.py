"""Reminders e-mailed by ``send_due_reminders`` (cron, once a day).

Items (each with a key; SentReminder records the keys sent, so no item is ever sent twice):

* a step of a measure of this fiscal year or the year before, due within the next ``days`` days
  (``step-due:<step>:<due date>:<user>``) or past due by at most OVERDUE_DAYS days
  (``step-overdue:<step>:<due date>:<user>``); not when the measure already has a progress entry "done"
  in a document that is not withdrawn. It goes to the responsible staff: the active members whose
  divisions are among the measure's divisions; when none is, every active member with the staff role.
* a progress report due (round 6 in April, round 12 in October: ``reporting_date``), from the first
  day of the due month until REPORT_DAYS days later, when the organisation has measures reporting in
  that round and no report of the round has been submitted, approved or published
  (``report-due:<org>:<fiscal year>:<round>:<user>``). It goes to the active staff and approvers.

Each user gets one e-mail listing all their new items; users without an e-mail address are skipped
(and nothing is recorded for them). The keys are recorded in the same transaction as the e-mail is
sent: when sending fails, nothing is recorded and the next run tries again.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse

from core.mail_tasks import MailNotQueued, enqueue_emails
from core.thai import fiscal_year_of, round_range
from measures.models import Measure, MeasureStep
from orgs.models import Division, Membership, Organisation, Role

from ..models import Document, DocumentKind, DocumentStatus, EntryStatus, ProgressEntry, SentReminder
from .notifications import absolute_url, display_name, render_email

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 7
OVERDUE_DAYS = 30  # an overdue step is reminded of up to this many days after its due date
REPORT_DAYS = 60  # a due report is reminded of up to this many days after the first day of its due month
REPORT_ROUNDS = (6, 12)  # the rounds whose reports are due (April, October)
DUE_SOON, OVERDUE, REPORT_DUE, OTHER = "due_soon", "overdue", "report_due", "other"
_KIND_ORDER = {OVERDUE: 0, DUE_SOON: 1, REPORT_DUE: 2, OTHER: 3}

# Further sources of reminders from apps above this one (their AppConfig.ready registers them, so the
# layers point one way): each is called with ``today`` and returns [(user, Item)] with kind OTHER, a
# ``title`` and ``detail`` lines, and a key of its own.
SOURCES: list = []


def register_source(source) -> None:
    if source not in SOURCES:
        SOURCES.append(source)
REPORTED_STATUSES = (DocumentStatus.SUBMITTED, DocumentStatus.APPROVED, DocumentStatus.PUBLISHED)


@dataclass(frozen=True)
class Item:
    """One thing to remind one user of."""

    key: str
    kind: str  # DUE_SOON, OVERDUE or REPORT_DUE
    organisation: Organisation
    due: date  # the step's due date; for a report the first day of its due month
    url: str
    step: MeasureStep | None = None
    measure: Measure | None = None
    fiscal_year: int | None = None
    round: int | None = None
    title: str = ""  # OTHER items: what it is about, and its lines
    detail: tuple = ()


@dataclass
class Stats:
    emails: int = 0  # e-mails sent (or that would be sent in a dry run)
    items: int = 0  # items in them
    failed: int = 0  # e-mails that could not be sent (nothing recorded; retried next run)
    users: list = field(default_factory=list)  # (user, items) of the e-mails counted in ``emails``


# --- what is due ------------------------------------------------------------------------------------

def collect(today: date, days: int = DEFAULT_DAYS) -> dict:
    """The new (never sent) items of every user with an e-mail address: {user: [Item, ...]}, items in
    order (overdue, due soon, reports). A fixed number of queries, however many steps and users."""
    steps = _due_steps(today, days)
    reports = _due_reports(today)
    candidates: list[tuple[object, Item]] = [pair for source in SOURCES for pair in source(today)]
    org_ids = {s.measure.organisation_id for s in steps} | {org_id for org_id, _fy, _r in reports}
    if not org_ids and not candidates:
        return {}
    members = _members(org_ids) if org_ids else {}

    for step in steps:
        measure = step.measure
        kind = DUE_SOON if step.due_date >= today else OVERDUE
        prefix = "step-due" if kind == DUE_SOON else "step-overdue"
        url = absolute_url(reverse("measures:edit", args=[measure.organisation.slug, measure.pk]))
        for user in _responsible(measure, members.get(measure.organisation_id, [])):
            candidates.append((user, Item(
                key=f"{prefix}:{step.pk}:{step.due_date.isoformat()}:{user.pk}", kind=kind,
                organisation=measure.organisation, due=step.due_date, url=url, step=step, measure=measure,
                fiscal_year=measure.fiscal_year,
            )))
    orgs = {m.organisation_id: m.organisation for ms in members.values() for m in ms}
    for org_id, fy, round_ in reports:
        org = orgs.get(org_id)
        if org is None:
            continue
        url = absolute_url(reverse("reports:index", args=[org.slug]))
        for membership in members[org_id]:
            if membership.role not in (Role.STAFF, Role.APPROVER):
                continue
            user = membership.user
            candidates.append((user, Item(
                key=f"report-due:{org_id}:{fy}:{round_}:{user.pk}", kind=REPORT_DUE, organisation=org,
                due=reporting_date(fy, round_), url=url, fiscal_year=fy, round=round_,
            )))

    sent = set(SentReminder.objects.filter(key__in=[item.key for _u, item in candidates])
               .values_list("key", flat=True))
    result: dict = {}
    users = {}
    for user, item in candidates:
        if item.key in sent or not (user.email or "").strip():
            continue
        sent.add(item.key)  # once per user, even when two memberships lead to the same item
        result.setdefault(users.setdefault(user.pk, user), []).append(item)
    for items in result.values():
        items.sort(key=lambda i: (_KIND_ORDER[i.kind], i.due, i.organisation.name,
                                  i.measure.order if i.measure else 0, i.step.pk if i.step else 0))
    return dict(sorted(result.items(), key=lambda pair: pair[0].get_username()))


def _due_steps(today: date, days: int) -> list[MeasureStep]:
    fy = fiscal_year_of(today)
    done = ProgressEntry.objects.filter(measure=OuterRef("measure"), status=EntryStatus.DONE).exclude(
        document__status=DocumentStatus.WITHDRAWN)
    return list(
        MeasureStep.objects.filter(
            due_date__gte=today - timedelta(days=OVERDUE_DAYS), due_date__lte=today + timedelta(days=days),
            measure__fiscal_year__in=(fy - 1, fy),
        )
        .exclude(Exists(done))
        .select_related("measure__organisation")
        .prefetch_related(Prefetch("measure__divisions", queryset=Division.objects.only("pk", "organisation_id")))
        .order_by("due_date", "measure__organisation_id", "measure__order", "order", "pk")
    )


def reporting_date(fiscal_year: int, round_: int) -> date:
    """The first day of the month a round's report is due: April for round 6, October for round 12
    (the month after the round ends)."""
    _start, end = round_range(fiscal_year, round_)
    return date(end.year + (end.month == 12), end.month % 12 + 1, 1)


def _due_reports(today: date) -> list[tuple[int, int, int]]:
    """(organisation id, fiscal year, round) of the reports due today and not yet submitted."""
    fy = fiscal_year_of(today)
    due = [(year, round_) for year in (fy - 1, fy) for round_ in REPORT_ROUNDS
           if timedelta(0) <= today - reporting_date(year, round_) <= timedelta(days=REPORT_DAYS)]
    if not due:
        return []
    years = {year for year, _r in due}
    # The rule of reports.entries.services.measures_in_round (a measure without rounds reports in every
    # round), for all organisations in one query.
    reporting = set()
    for org_id, year, rounds in Measure.objects.filter(fiscal_year__in=years).values_list(
            "organisation_id", "fiscal_year", "report_rounds"):
        for y, round_ in due:
            if y == year and (not rounds or round_ in rounds):
                reporting.add((org_id, year, round_))
    if not reporting:
        return []
    reported = set(
        Document.objects.filter(kind=DocumentKind.PROGRESS, fiscal_year__in=years, round__in=REPORT_ROUNDS,
                                status__in=REPORTED_STATUSES)
        .values_list("organisation_id", "fiscal_year", "round")
    )
    return sorted(reporting - reported)


def _members(org_ids) -> dict[int, list[Membership]]:
    """Active memberships of active users in these organisations, with their divisions."""
    members = defaultdict(list)
    memberships = (
        Membership.objects.filter(organisation_id__in=org_ids, is_active=True, user__is_active=True)
        .select_related("user", "organisation")
        .prefetch_related(Prefetch("divisions", queryset=Division.objects.only("pk", "organisation_id")))
        .order_by("user__username")
    )
    for membership in memberships:
        membership.division_ids = {d.pk for d in membership.divisions.all()}
        members[membership.organisation_id].append(membership)
    return members


def _responsible(measure: Measure, memberships: list[Membership]) -> list:
    """The members of the measure's divisions; when none, every staff member of the organisation."""
    divisions = {d.pk for d in measure.divisions.all()}
    users = [m.user for m in memberships if m.division_ids & divisions]
    if not users:
        users = [m.user for m in memberships if m.role == Role.STAFF]
    return users


# --- sending ----------------------------------------------------------------------------------------

def message_for(user, items: list[Item]) -> EmailMessage:
    subject, body = render_email("reminders", {
        "recipient_name": display_name(user),
        "items": items,
        "overdue": [i for i in items if i.kind == OVERDUE],
        "due_soon": [i for i in items if i.kind == DUE_SOON],
        "reports": [i for i in items if i.kind == REPORT_DUE],
        "others": [i for i in items if i.kind == OTHER],
        "count": len(items),
        "site_url": settings.SITE_URL,
    })
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email.strip()])


def send(today: date, days: int = DEFAULT_DAYS, dry_run: bool = False) -> Stats:
    """E-mail every user their new items (queued for the background worker) and record the items' keys
    (nothing in a dry run)."""
    stats = Stats()
    due = collect(today, days)
    if not due:
        return stats
    if dry_run:
        for user, items in due.items():
            stats.emails += 1
            stats.items += len(items)
            stats.users.append((user, items))
        return stats
    for user, items in due.items():
        message = message_for(user, items)
        try:
            # The keys and the queued e-mail commit together (the database queue of the background
            # worker, core/mail_tasks.py, which sends it and tries again when the mail server fails).
            with transaction.atomic():
                SentReminder.objects.bulk_create([SentReminder(key=i.key, user=user) for i in items])
                if not enqueue_emails([message]):
                    raise MailNotQueued
        except IntegrityError:  # another run sent (some of) these items meanwhile
            logger.warning("reminders for %s were sent by another run meanwhile", user.get_username())
            continue
        except Exception:
            logger.exception("queueing the reminders to %s failed; they are sent again next time",
                             user.get_username())
            stats.failed += 1
            continue
        stats.emails += 1
        stats.items += len(items)
        stats.users.append((user, items))
    return stats
