"""Link health of the OIT registers: which links to check, what a check run records, and the one e-mail
per broken link to the staff responsible (not one per night: again only after the link was fixed and
broke again).

A link that failed ``BROKEN_AFTER`` (2) checks in a row is broken; one that opens again is healthy at once.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.mail_tasks import enqueue_emails
from core.thai import fiscal_year_of
from orgs.models import Membership, Role

from . import linkcheck
from .models import BROKEN_AFTER, CHECKS_KEPT, Answer, AnswerKind, Health, LinkCheck

logger = logging.getLogger(__name__)


def current_assessment_year() -> int:
    """The assessment of fiscal year n runs during fiscal year n (OIT answers from about March)."""
    return fiscal_year_of(timezone.localdate())


def links_to_check(*, year: int | None = None, org_slug: str | None = None):
    answers = Answer.objects.filter(kind=AnswerKind.LINK, row__register__year=year or current_assessment_year())
    if org_slug:
        answers = answers.filter(row__register__organisation__slug=org_slug)
    return answers.select_related("row__register__organisation").order_by("pk")


def policy() -> linkcheck.Policy:
    return linkcheck.Policy(
        timeout=float(getattr(settings, "OIT_LINKCHECK_TIMEOUT", 10)),
        concurrency=int(getattr(settings, "OIT_LINKCHECK_CONCURRENCY", 20)),
        per_host=int(getattr(settings, "OIT_LINKCHECK_PER_HOST", 2)),
        deadline=float(getattr(settings, "OIT_LINKCHECK_DEADLINE", 1800)),
        allow_private=bool(getattr(settings, "OIT_LINKCHECK_ALLOW_PRIVATE", False)),
        user_agent=f"ITAPortal-LinkChecker/1.0 (+{settings.SITE_URL})",
    )


@dataclass
class RunFigures:
    checked: int = 0
    healthy: int = 0
    failing: int = 0
    broken: int = 0
    newly_broken: int = 0
    not_checked: int = 0  # the run's deadline came first


def record(answers: list[Answer], results: dict[str, linkcheck.Result]) -> RunFigures:
    """Store each answer's check and its new health (one transaction); keep the last CHECKS_KEPT checks."""
    figures = RunFigures()
    with transaction.atomic():
        for answer in answers:
            result = results.get(answer.url)
            if result is None or result.error == linkcheck.DEADLINE:
                figures.not_checked += 1
                continue
            figures.checked += 1
            LinkCheck.objects.create(answer=answer, checked_at=result.checked_at, ok=result.ok, status=result.status,
                                     error=result.error, detail=result.detail[:300],
                                     final_url=result.final_url[:1000], elapsed_ms=int(result.elapsed * 1000))
            was_broken = answer.health == Health.BROKEN
            if result.ok:
                answer.health, answer.failures_in_row, answer.broken_notified_at = Health.HEALTHY, 0, None
                figures.healthy += 1
            else:
                answer.failures_in_row += 1
                answer.health = Health.BROKEN if answer.failures_in_row >= BROKEN_AFTER else Health.FAILING
                if answer.health == Health.BROKEN:
                    figures.broken += 1
                    figures.newly_broken += not was_broken
                else:
                    figures.failing += 1
            answer.last_checked_at, answer.last_status = result.checked_at, result.status
            answer.last_error, answer.final_url = result.error, result.final_url[:1000]
            Answer.objects.filter(pk=answer.pk).update(
                health=answer.health, failures_in_row=answer.failures_in_row, last_checked_at=answer.last_checked_at,
                last_status=answer.last_status, last_error=answer.last_error, final_url=answer.final_url,
                broken_notified_at=answer.broken_notified_at)
            old = list(LinkCheck.objects.filter(answer=answer).values_list("pk", flat=True)[CHECKS_KEPT:])
            if old:
                LinkCheck.objects.filter(pk__in=old).delete()
    return figures


def check(*, year: int | None = None, org_slug: str | None = None, run_policy=None) -> RunFigures:
    answers = list(links_to_check(year=year, org_slug=org_slug))
    results = linkcheck.check_links([a.url for a in answers], run_policy or policy())
    return record(answers, results)


# --- the e-mail about broken links ---------------------------------------------------------------------

def _responsible(org_id: int, division_id: int | None) -> list:
    """Active staff-level members with an e-mail address: those of the row's division, else all staff."""
    members = (Membership.objects.filter(organisation_id=org_id, is_active=True, user__is_active=True)
               .exclude(user__email="").select_related("user").order_by("user__username"))
    if division_id is not None:
        of_division = [m.user for m in members.filter(divisions=division_id)]
        if of_division:
            return of_division
    return [m.user for m in members.filter(role=Role.STAFF)] or [m.user for m in members]


def notify_broken() -> int:
    """One e-mail per person listing the broken links not announced yet; each link is announced once
    (until it opens again). Returns the number of e-mails sent."""
    from django.template.loader import render_to_string
    from django.utils import translation

    pending = list(Answer.objects.filter(kind=AnswerKind.LINK, health=Health.BROKEN, broken_notified_at=None)
                   .select_related("row__register__organisation").order_by("row__register__organisation", "row__number"))
    by_user: dict[int, tuple] = {}
    for answer in pending:
        register = answer.row.register
        for user in _responsible(register.organisation_id, answer.row.division_id):
            entry = by_user.setdefault(user.pk, (user, []))
            entry[1].append(answer)
    sent = 0
    for user, answers in by_user.values():
        registers = {a.row.register_id: a.row.register for a in answers}
        context = {
            "user": user, "answers": answers,
            "links": [settings.SITE_URL.rstrip("/") + reverse("oit:register", args=[r.organisation.slug, r.year])
                      for r in registers.values()],
        }
        with translation.override("th"):
            subject = " ".join(render_to_string("oit/email/broken_subject.txt", context).split())
            body = render_to_string("oit/email/broken_body.txt", context).strip() + "\n"
        # queued for the background worker (core/mail_tasks.py), which tries again when the server fails
        if not enqueue_emails([EmailMessage(subject, body, to=[user.email])]):
            logger.error("the broken-link e-mail to %s could not be queued; announced again next run", user.email)
            return sent
        sent += 1
    Answer.objects.filter(pk__in=[a.pk for a in pending]).update(broken_notified_at=timezone.now())
    return sent
