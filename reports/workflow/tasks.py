"""Background tasks of the documents (django-tasks; run by `manage.py db_worker`, see docs/DEPLOY.md).

- ``render_published_pdf(document_id)``: the stored PDF of a published (or withdrawn) document, queued
  after the commit of its publication (and after a change that drops it, ``drop_stored_pdf``). A failed
  try is queued again after 1, 5 and 25 minutes (``PDF_BACKOFF``); the tries are counted on the document
  (``Document.pdf_attempts``), and after the last one ``Document.pdf_failed_at`` is set: the organisation's
  administrators see it on the document page and try again
  (``reports.printing.stored_pdf.retry_published_pdf``). Until the PDF exists the public page shows the
  document and says the PDF is being prepared.
- ``send_workflow_notices(event_id)``: the e-mail notices of a workflow event (reports/workflow/notifications.py).
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from core.mail_tasks import enqueue_later, retry_at

from ..models import Document

logger = logging.getLogger(__name__)

PDF_BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=25))
PDF_MAX_ATTEMPTS = len(PDF_BACKOFF) + 1


@task()
def render_published_pdf(document_id: int, attempt: int = 1) -> bool:
    """Render and store the PDF unless one is stored already; True when this try rendered it."""
    from ..printing.stored_pdf import render_stored_pdf

    document = Document.objects.select_related("organisation").filter(pk=document_id).first()
    if document is None:
        return False
    try:
        rendered = render_stored_pdf(document)
    except Exception:
        when = retry_at(attempt, PDF_BACKOFF)
        Document.objects.filter(pk=document_id).update(
            pdf_attempts=attempt, pdf_failed_at=timezone.now() if when is None else None)
        if when is None:
            logger.error("rendering the published PDF of document %s failed %d times; its organisation's "
                         "administrators see it", document_id, attempt)
        else:
            logger.warning("rendering the published PDF of document %s failed (try %d); trying again at %s",
                           document_id, attempt, when.isoformat())
            enqueue_later(render_published_pdf, when, document_id, attempt + 1)
        raise  # the task's own result says FAILED (the worker's log and the admin show the traceback)
    if document.pdf_attempts or document.pdf_failed_at:
        Document.objects.filter(pk=document_id).update(pdf_attempts=0, pdf_failed_at=None)
    return rendered


def _enqueue_after_commit(task_obj, object_id: int, what: str) -> None:
    """Queue ``task_obj(object_id)`` after the commit of the current transaction (at once outside one).
    Never raises: the change that asked for it stands."""
    def enqueue():
        try:
            task_obj.enqueue(object_id)
        except Exception:
            logger.exception("queueing %s %s failed", what, object_id)

    transaction.on_commit(enqueue)


def enqueue_pdf_render(document_id: int) -> None:
    """Queue the render after the commit (``rerender_published --missing-only`` renders what is missing
    when queueing fails)."""
    _enqueue_after_commit(render_published_pdf, document_id, "the PDF of document")


@task()
def send_workflow_notices(event_id: int) -> int:
    """The e-mail notices of one workflow event; how many were sent."""
    from . import notifications

    return notifications.send_for_event(event_id)


def enqueue_notices(event_id: int) -> None:
    """Queue the notices of an event after the commit. Never raises: the transition stands."""
    _enqueue_after_commit(send_workflow_notices, event_id, "the notices of workflow event")
