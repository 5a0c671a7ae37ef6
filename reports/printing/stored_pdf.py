"""The stored PDF of a published (or withdrawn) document, and what its public copy shows.

``render_stored_pdf`` renders the PDF once from the approval snapshot and stores it (a background task
queued after the publication, reports/workflow/tasks.py); ``drop_stored_pdf`` drops it after a change of
what it lists (evidence made public or internal) and queues it again; an organisation admin tries a
failed one again (``retry_published_pdf``). ``document_snapshot``, ``public_memo`` and
``public_render_options`` are what the public page and PDF read of a frozen document.
"""
from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import pagecache
from orgs.models import Role

from ..documents.memo import approval_decision
from ..models import Document, DocumentStatus
from ..workflow.rules import WorkflowError, lock_document, require_role


def render_stored_pdf(document: Document, *, force: bool = False) -> bool:
    """Render the PDF of a published (or withdrawn) document from its snapshot and store it. Returns
    True when a PDF was rendered (False when one is stored already and ``force`` is not set)."""
    from django.core.files.base import ContentFile

    from .rendering import render_document_pdf

    if document.snapshot is None or document.status not in (DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN):
        return False
    if document.pdf_file and not force:
        return False
    from ..entries.evidence_print import for_copy

    # As the document says: public evidence only, and the memo cover in front only when the approver
    # published it so.
    memo = public_memo(document)
    data = for_copy(document, document_snapshot(document, decision=memo), public_copy=True)
    pdf = render_document_pdf(data, public_render_options(document))
    old = document.pdf_file.name if document.pdf_file else ""
    full_digest = hashlib.sha256(pdf).hexdigest()
    digest = full_digest[:20]  # the content hash in the name is the ETag
    document.pdf_file.save(f"{document.pk}-{digest}.pdf", ContentFile(pdf), save=False)
    document.pdf_sha256 = full_digest
    Document.objects.filter(pk=document.pk).update(pdf_file=document.pdf_file.name, pdf_rendered_at=timezone.now(),
                                                   pdf_sha256=full_digest)
    pagecache.bump(document.organisation.slug)  # the UPDATE sends no signal
    if old and old != document.pdf_file.name and not Document.objects.filter(pdf_file=old).exists():
        document.pdf_file.storage.delete(old)  # unless another document names the same file (seed_scale)
    return True


def drop_stored_pdf(pk: int) -> None:
    """After a change of what the stored PDF shows that is not in the snapshot (evidence made public or
    internal): the stored PDF is dropped at once (the old list is never served again) and a background
    task renders it again (reports/workflow/tasks.py); meanwhile the public page says the PDF is being prepared."""
    from ..workflow.tasks import enqueue_pdf_render

    document = Document.objects.select_related("organisation").get(pk=pk)
    old = document.pdf_file.name if document.pdf_file else ""
    Document.objects.filter(pk=pk).update(pdf_file="", pdf_rendered_at=None, pdf_sha256="", pdf_attempts=0,
                                          pdf_failed_at=None)
    pagecache.bump(document.organisation.slug)
    if old and not Document.objects.filter(pdf_file=old).exists():
        document.pdf_file.storage.delete(old)
    enqueue_pdf_render(pk)


def pdf_render_failed(document: Document) -> bool:
    """Whether the last background try to render the stored PDF failed (shown to the organisation's
    administrators, who may try again: ``retry_published_pdf``)."""
    return bool(document.pdf_failed_at) and not document.pdf_file and document.status in (
        DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN)


def retry_published_pdf(document: Document, *, actor) -> Document:
    """An organisation admin tries the stored PDF again after the background tries failed: the tries
    start again from the first (queued after the commit)."""
    from ..workflow.tasks import enqueue_pdf_render

    require_role(actor, document, Role.ADMIN)
    with transaction.atomic():
        document = lock_document(document)
        if not pdf_render_failed(document):
            raise WorkflowError(_("The PDF of this document is not waiting for another try."), "pdf_not_failed")
        Document.objects.filter(pk=document.pk).update(pdf_attempts=0, pdf_failed_at=None)
        document.pdf_attempts, document.pdf_failed_at = 0, None
        enqueue_pdf_render(document.pk)
    return document


def stored_pdf_etag(document: Document) -> str:
    """The ETag of a stored PDF: the "<id>-<content hash>" stem of its file name (render_stored_pdf)."""
    from pathlib import PurePosixPath

    return f'"{PurePosixPath(document.pdf_file.name).stem}"'


def document_snapshot(document: Document, *, decision: bool = True) -> dict:
    """The frozen data of an approved/published/withdrawn document, with its current status and the
    decision of its approval on the memo (the printed record of the e-approval; one query, skipped
    with ``decision=False`` where the memo is not shown)."""
    data = dict(document.snapshot)
    data["status"] = str(document.status)
    data["is_draft"] = False
    if isinstance(data.get("memo"), dict):
        data["memo"] = {**data["memo"], "decision": approval_decision(document) if decision else None}
    return data


def public_memo(document: Document) -> bool:
    """Whether the public PDF and page of a published (or withdrawn) document start with its memo."""
    return bool(document.publish_memo and document.snapshot and (document.snapshot.get("memo") or {}).get("saved"))


def public_render_options(document: Document):
    """The print options of what the public gets: the document's own, the memo cover as published."""
    from .rendering import RenderOptions

    return RenderOptions(memo=public_memo(document))
