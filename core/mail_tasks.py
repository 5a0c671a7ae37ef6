"""E-mail through a background task (django-tasks): requests never talk to the mail server; and the
retry with backoff the other tasks use too (``retry_at``, ``enqueue_later``).

    enqueue_emails([EmailMessage(...), ...])   # -> True when queued (or, with the immediate backend, sent)
    deliver(messages)                          # -> (sent, failed): over one connection, now (in a task)

The ``send_emails`` task takes plain data (subject, body, sender, recipients), so it can wait in the
database queue. It sends every message over one connection; the messages that fail are queued again after
1, 5, 25 minutes and 2 hours (``BACKOFF``); after the last try they are logged as errors. A backend that
cannot defer (the immediate one of the tests and of a trial without a worker) tries again at once.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=25), timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1


def to_data(message: EmailMessage) -> dict:
    return {"subject": message.subject, "body": message.body, "from_email": message.from_email,
            "to": list(message.to), "cc": list(message.cc), "bcc": list(message.bcc),
            "reply_to": list(message.reply_to)}


def from_data(data: dict) -> EmailMessage:
    return EmailMessage(data["subject"], data["body"], data.get("from_email"), data.get("to") or [],
                        bcc=data.get("bcc") or None, cc=data.get("cc") or None,
                        reply_to=data.get("reply_to") or None)


def deliver(messages: list[EmailMessage]) -> tuple[int, list[EmailMessage]]:
    """Send over one connection now; returns how many were sent and the messages that failed (logged)."""
    if not messages:
        return 0, []
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception:
        logger.exception("cannot connect to the mail server; %d e-mail(s) not sent", len(messages))
        return 0, list(messages)
    sent, failed = 0, []
    try:
        for message in messages:
            message.connection = connection
            try:
                sent += message.send(fail_silently=False)
            except Exception:
                logger.exception("sending an e-mail to %s failed", ", ".join(message.to))
                failed.append(message)
    finally:
        try:
            connection.close()
        except Exception:
            logger.exception("closing the mail connection failed")
    return sent, failed


def retry_at(attempt: int, backoff=BACKOFF, now=None):
    """When try ``attempt + 1`` runs after try ``attempt`` (1-based) failed: ``backoff[attempt - 1]``
    later; None after the last try (``len(backoff) + 1`` tries in all)."""
    if attempt > len(backoff):
        return None
    return (now or timezone.now()) + backoff[attempt - 1]


def enqueue_later(task_obj, when, *args, **kwargs):
    """Enqueue ``task_obj`` to run at ``when``; at once where the backend cannot defer (immediate)."""
    if task_obj.get_backend().supports_defer:
        task_obj = task_obj.using(run_after=when)
    return task_obj.enqueue(*args, **kwargs)


@task()
def send_emails(messages: list[dict], attempt: int = 1) -> int:
    """Send ``messages`` (``to_data``); the failed ones are queued again with a backoff. Returns how many
    were sent by this try (and, on the immediate backend, by the tries it made at once)."""
    sent, failed = deliver([from_data(m) for m in messages])
    if failed:
        when = retry_at(attempt)
        if when is None:
            logger.error("%d e-mail(s) not sent after %d tries: %s", len(failed), attempt,
                         "; ".join(", ".join(m.to) for m in failed))
        else:
            retry = enqueue_later(send_emails, when, [to_data(m) for m in failed], attempt + 1)
            if retry.is_finished and retry.status == "SUCCESSFUL":  # the immediate backend: tried at once
                sent += retry.return_value
    return sent


def forget_sent(sender, task_result, **kwargs):
    """Once ``send_emails`` has run, its row in the database queue keeps no copy of the e-mails (their
    links hold invitation and password-reset tokens; what failed is queued again as a new task)."""
    if task_result.task.module_path != f"{__name__}.send_emails" or task_result.status != "SUCCESSFUL":
        return
    from django_tasks import task_backends
    from django_tasks_db import DatabaseBackend

    if isinstance(task_backends[task_result.backend], DatabaseBackend):  # the other backends keep no rows
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(pk=task_result.id).update(args_kwargs={"args": [[]], "kwargs": {}})


class MailNotQueued(Exception):
    """``enqueue_emails`` could not queue (or, on the immediate backend, send) the e-mails: raised inside
    the transaction that records them as sent, so that nothing is recorded."""


def enqueue_emails(messages: list[EmailMessage]) -> bool:
    """Queue ``messages`` for ``send_emails``; False (logged) when they could not be queued, or when the
    immediate backend could not send them at once."""
    if not messages:
        return True
    try:
        result = send_emails.enqueue([to_data(m) for m in messages])
    except Exception:
        logger.exception("queueing %d e-mail(s) failed", len(messages))
        return False
    if result.is_finished:  # the immediate backend: sent (or not) already
        return result.status == "SUCCESSFUL" and result.return_value == len(messages)
    return True
