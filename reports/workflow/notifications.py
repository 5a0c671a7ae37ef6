"""E-mail notices of the workflow.

After the commit of every transition reports/workflow/transitions.py queues the task
``reports.workflow.tasks.send_workflow_notices``, which calls ``send_for_event(event.pk)`` in a worker
(never inside the request). Who gets a notice (never the person who made the change, never an inactive
user or member, never a user without an e-mail address):

    submit                     the organisation's approvers and organisation admins
    return, approve, publish   the author (who submitted the document; else who created it)
    withdraw                   the author and the organisation admins
    create, revise             nobody

One message per recipient, in Thai (rendered under ``translation.override("th")`` from
templates/reports/email/workflow_*.txt), with a link built from ``settings.SITE_URL``. Sending never
raises: a failing mail server is logged (and the message tried again later, core/mail_tasks.py), and the
transition that triggered the notice stands.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from core.mail_tasks import deliver
from orgs.models import Membership, Role

from ..models import WorkflowAction, WorkflowEvent

logger = logging.getLogger(__name__)

APPROVER_ROLES = (Role.APPROVER, Role.ADMIN)
AUTHOR_ACTIONS = (WorkflowAction.RETURN, WorkflowAction.APPROVE, WorkflowAction.PUBLISH, WorkflowAction.WITHDRAW)


def absolute_url(path: str) -> str:
    """``path`` (from reverse) on the site's address (settings.SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + path


def render_email(template: str, context: dict) -> tuple[str, str]:
    """Subject (one line) and body of ``reports/email/<template>_subject.txt`` / ``_body.txt``, in Thai."""
    with translation.override("th"):
        subject = render_to_string(f"reports/email/{template}_subject.txt", context)
        body = render_to_string(f"reports/email/{template}_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def display_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def _can_receive(user) -> bool:
    return user is not None and user.is_active and bool((user.email or "").strip())


def recipients(event: WorkflowEvent) -> list:
    """The users ``event`` is announced to (see the module doc), in a stable order, without duplicates."""
    document = event.document
    action = event.action
    users = []
    if action == WorkflowAction.SUBMIT:
        users += _members(document.organisation_id, APPROVER_ROLES)
    if action in AUTHOR_ACTIONS:
        author = document.submitted_by or document.created_by
        if author is not None and (author.is_superuser or _members(document.organisation_id, None, user=author)):
            users.append(author)
    if action == WorkflowAction.WITHDRAW:
        users += _members(document.organisation_id, (Role.ADMIN,))
    seen, result = set(), []
    for user in users:
        if user.pk in seen or user.pk == event.actor_id or not _can_receive(user):
            continue
        seen.add(user.pk)
        result.append(user)
    return result


def _members(org_id, roles, *, user=None) -> list:
    """Active users with an active membership of the organisation (of these roles, when given)."""
    memberships = Membership.objects.filter(organisation_id=org_id, is_active=True, user__is_active=True)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    if user is not None:
        memberships = memberships.filter(user=user)
    return [m.user for m in memberships.select_related("user").order_by("user__username")]


def messages_for(event: WorkflowEvent) -> list[EmailMessage]:
    """One e-mail per recipient of ``event`` (not sent)."""
    from ..documents.data import title_lines

    targets = recipients(event)
    if not targets:
        return []
    document = event.document
    org = document.organisation
    context = {
        "action": str(event.action),
        "organisation": org,
        "document": document,
        "title": " ".join(line.strip() for line in title_lines(document) if line.strip()),
        "status": document.get_status_display(),
        "actor_name": event.actor_name or (display_name(event.actor) if event.actor else ""),
        "comment": event.comment.strip(),
        "at": timezone.localtime(event.at),
        "url": absolute_url(reverse("reports:detail", args=[org.slug, document.pk])),
    }
    with translation.override("th"):
        context["status"] = str(context["status"])
    messages = []
    for user in targets:
        subject, body = render_email("workflow", {**context, "recipient_name": display_name(user)})
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email.strip()]))
    return messages


def send_messages(messages: list[EmailMessage]) -> int:
    """Send over one connection (in a background task); a message that fails is logged and queued again
    with a backoff (core/mail_tasks.py), never raised. Returns how many were sent now."""
    from core.mail_tasks import enqueue_later, retry_at, send_emails, to_data

    sent, failed = deliver(messages)
    if failed:
        try:
            enqueue_later(send_emails, retry_at(1), [to_data(m) for m in failed], 2)
        except Exception:
            logger.exception("queueing %d e-mail(s) to try again failed", len(failed))
    return sent


def send_for_event(event_pk: int) -> int:
    """E-mail the notices of one workflow event; returns how many e-mails were sent (0 for an unknown
    event). Never raises: a notice must not break the transition that caused it."""
    try:
        event = (
            WorkflowEvent.objects.select_related(
                "document__organisation", "document__submitted_by", "document__created_by", "actor")
            .filter(pk=event_pk)
            .first()
        )
        if event is None:
            return 0
        messages = messages_for(event)
    except Exception:
        logger.exception("preparing the e-mail notices of workflow event %s failed", event_pk)
        return 0
    return send_messages(messages)
