"""The workflow of a document: create, submit, return, approve, publish, withdraw, a new revision, and
deleting a draft never submitted

    draft → submitted → approved → published → withdrawn → (a new revision, draft)
    submitted → draft (returned by an approver, with a comment)

Each function is atomic, checks who may do it (reports/workflow/rules.py: the actor's role in the
document's organisation) and from which status, and writes exactly one WorkflowEvent per transition.
Views never set ``status``. Refusals raise WorkflowError (a Thai message for the user, and a ``code``
for tests).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import sanctioned_removal
from core.thai import to_thai_digits
from orgs.models import Role

from ..documents.data import default_signer_role
from ..entries.services import ENTRY_FIELDS, copy_evidence, delete_unreferenced_files, ensure_entries
from ..models import (
    Document,
    DocumentKind,
    DocumentStatus,
    Evidence,
    EvidenceKind,
    Memo,
    ProgressEntry,
    ReportRound,
    WorkflowAction,
    WorkflowEvent,
)
from .rules import (
    WorkflowError,
    actor_name,
    actor_position,
    check_version,
    is_latest_revision,
    is_own_submission,
    lock_document,
    require_role,
    require_status,
    was_submitted,
)

# --- when and by whom -------------------------------------------------------------------------------

# The time a workflow step happened: now, except when the demo loader replays the dates of the seed
# documents (``happened_at``). Events are append-only, so they are written with their date, never back-dated.
_happened_at: ContextVar[datetime | None] = ContextVar("happened_at", default=None)


@contextmanager
def happened_at(when: datetime):
    """DEMO DATA ONLY: the workflow steps taken inside are dated ``when`` instead of now."""
    token = _happened_at.set(when)
    try:
        yield
    finally:
        _happened_at.reset(token)


def _now() -> datetime:
    return _happened_at.get() or timezone.now()


def _event(document, action, from_status, actor, comment="", data=None, **flags) -> WorkflowEvent:
    return WorkflowEvent.objects.create(
        document=document, action=action, from_status=from_status or "", to_status=document.status,
        actor=actor, actor_name=actor_name(actor), comment=comment, data=data or {}, at=_now(), **flags,
    )


def _notify(event: WorkflowEvent, notify: bool) -> None:
    """The e-mail notices of ``event``, sent by a background task queued after the commit."""
    if not notify:
        return
    from .tasks import enqueue_notices

    enqueue_notices(event.pk)


def _transition(document: Document, to_status: str, **fields) -> None:
    document.status = to_status
    for name, value in fields.items():
        setattr(document, name, value)
    document.version = F("version") + 1
    document.save()
    document.refresh_from_db(fields=["version"])


# --- creating and deleting a draft ----------------------------------------------------------------

def previous_round_document(org, fiscal_year: int, round_: int) -> Document | None:
    """The report a new report of ``round_`` starts from: the latest revision of the nearest earlier
    round of the same year that is not withdrawn (published first, then approved, then any)."""
    candidates = (
        Document.objects.for_org(org)
        .filter(fiscal_year=fiscal_year, kind=DocumentKind.PROGRESS, round__gt=0, round__lt=round_)
        .exclude(status=DocumentStatus.WITHDRAWN)
        .order_by("-round", "-revision")
    )
    rank = {DocumentStatus.PUBLISHED: 0, DocumentStatus.APPROVED: 1}
    docs = list(candidates)
    if not docs:
        return None
    nearest = docs[0].round
    same_round = [d for d in docs if d.round == nearest]
    return sorted(same_round, key=lambda d: (rank.get(d.status, 2), -d.revision))[0]


def create_document(org, *, fiscal_year: int, kind: str, round: int = 0, actor, notify: bool = True) -> Document:
    """A new draft document (revision 1). A progress report gets one entry per measure of its round;
    a later round starts from what the previous round's report said (output, outcome, status, dates,
    evidence), so staff only add what is new."""
    if kind not in DocumentKind.values:
        raise WorkflowError(_("Unknown document kind."), "kind")
    if kind == DocumentKind.PROGRESS:
        if round not in (3, 6, 9, 12):
            raise WorkflowError(_("Choose the round of the progress report."), "round")
    else:
        round = ReportRound.NONE
    probe = Document(organisation=org, fiscal_year=fiscal_year, kind=kind, round=round)
    require_role(actor, probe, Role.STAFF)
    with transaction.atomic():
        existing = Document.objects.for_org(org).filter(fiscal_year=fiscal_year, kind=kind, round=round)
        if existing.exists():
            raise WorkflowError(
                _("This document already exists for this fiscal year; open it from the list."), "exists")
        document = Document.objects.create(
            organisation=org, fiscal_year=fiscal_year, kind=kind, round=round, revision=1,
            status=DocumentStatus.DRAFT, created_by=actor, signer_role=default_signer_role(kind),
        )
        if kind == DocumentKind.PROGRESS:
            source = previous_round_document(org, fiscal_year, round)
            if source is not None:
                # Not the title: the round is part of the standard title.
                for name in ("intro", "preamble", "layout", "arabic_digits", "month_style", "columns",
                             "signer_name", "signer_position", "signer_role"):
                    setattr(document, name, getattr(source, name))
                document.save()
            ensure_entries(document, source=source)
        _event(document, WorkflowAction.CREATE, "", actor)
    return document


def delete_draft(document: Document, *, actor) -> None:
    """Delete a draft that was never submitted (a new document, or a new revision not yet submitted)."""
    require_role(actor, document, Role.STAFF)
    with transaction.atomic():
        document = lock_document(document)
        require_status(document, DocumentStatus.DRAFT)
        if was_submitted(document):
            raise WorkflowError(_("A document that has been submitted is kept; it cannot be deleted."), "kept")
        files = list(Evidence.objects.filter(entry__document=document, kind=EvidenceKind.FILE)
                     .values_list("file", flat=True))
        # Its trail holds only its creation: removed with it, through the sanctioned path (recorded).
        with sanctioned_removal(f"never-submitted draft deleted: {document} (id {document.pk})",
                                actor=actor) as record:
            record.removed = document.delete()[1]
        transaction.on_commit(lambda: delete_unreferenced_files(files))


# --- the workflow ----------------------------------------------------------------------------------

def submit_document(document: Document, *, actor, expected_version: int | None = None,
                    notify: bool = True) -> Document:
    """draft → submitted (any member). ``expected_version``: the document version the page showed;
    when someone changed the document since, nothing happens (StaleDocument)."""
    require_role(actor, document, Role.STAFF)
    with transaction.atomic():
        document = lock_document(document)
        require_status(document, DocumentStatus.DRAFT)
        check_version(document, expected_version)
        _transition(document, DocumentStatus.SUBMITTED, submitted_by=actor, submitted_at=_now())
        event = _event(document, WorkflowAction.SUBMIT, DocumentStatus.DRAFT, actor)
        _notify(event, notify)
    return document


def return_document(document: Document, *, actor, comment: str, notify: bool = True) -> Document:
    """submitted → draft, with the approver's comment (required)."""
    require_role(actor, document, Role.APPROVER)
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError(_("Say what needs to be changed."), "comment")
    with transaction.atomic():
        document = lock_document(document)
        require_status(document, DocumentStatus.SUBMITTED)
        _transition(document, DocumentStatus.DRAFT)
        event = _event(document, WorkflowAction.RETURN, DocumentStatus.SUBMITTED, actor, comment)
        _notify(event, notify)
    return document


def approve_document(document: Document, *, actor, comment: str = "", notify: bool = True) -> Document:
    """submitted → approved; freezes the snapshot every later page and PDF reads."""
    from ..documents.data import build_document_data

    require_role(actor, document, Role.APPROVER)
    with transaction.atomic():
        document = lock_document(document)
        require_status(document, DocumentStatus.SUBMITTED)
        own = is_own_submission(document, actor)
        if own and not document.organisation.allow_self_approval:
            raise WorkflowError(
                _("You submitted this document, so another approver must approve it."), "self_approval")
        document.status = DocumentStatus.APPROVED
        snapshot = build_document_data(document)
        _transition(document, DocumentStatus.APPROVED, approved_by=actor, approved_at=_now(),
                    snapshot=snapshot)
        event = _event(document, WorkflowAction.APPROVE, DocumentStatus.SUBMITTED, actor, (comment or "").strip(),
                       data={"position": actor_position(actor, document.organisation)}, self_approved=own)
        _notify(event, notify)
    return document


def publish_document(document: Document, *, actor, publish_memo: bool = False, notify: bool = True,
                     render: bool = True) -> Document:
    """approved → published. ``publish_memo``: the approver's choice whether the public PDF and page
    start with the memo cover (carrying the decision of the approval); default: the document alone,
    since publishing the internal memo is a deliberate act. The choice is stored on the document and
    recorded in the event. The PDF is rendered once from the snapshot and stored by a background task
    queued after the commit (reports/workflow/tasks.py: tried again with a backoff; the publication stands
    whatever happens to it). ``render=False`` queues nothing (``rerender_published --missing-only``
    renders it later)."""
    if not isinstance(publish_memo, bool):
        raise WorkflowError(_("Choose what to publish: the document alone or with its memo cover."), "publish_memo")
    require_role(actor, document, Role.APPROVER)
    with transaction.atomic():
        document = lock_document(document)
        require_status(document, DocumentStatus.APPROVED)
        if publish_memo and not Memo.objects.filter(document=document).exists():
            raise WorkflowError(_("This document has no memo cover to publish."), "no_memo")
        _transition(document, DocumentStatus.PUBLISHED, published_by=actor, published_at=_now(),
                    publish_memo=publish_memo)
        event = _event(document, WorkflowAction.PUBLISH, DocumentStatus.APPROVED, actor,
                       data={"publish_memo": publish_memo})
        _notify(event, notify)
        if render:
            from .tasks import enqueue_pdf_render

            enqueue_pdf_render(document.pk)
    return document


def withdraw_document(document: Document, *, actor, reason: str, notify: bool = True) -> Document:
    """published → withdrawn (organisation admin, with a reason). It stays in the history."""
    require_role(actor, document, Role.ADMIN)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Give the reason for withdrawing the document."), "reason")
    with transaction.atomic():
        document = lock_document(document)
        require_status(document, DocumentStatus.PUBLISHED)
        _transition(document, DocumentStatus.WITHDRAWN, withdrawn_at=_now(), withdrawn_reason=reason)
        event = _event(document, WorkflowAction.WITHDRAW, DocumentStatus.PUBLISHED, actor, reason)
        _notify(event, notify)
    return document


def new_revision(document: Document, *, actor) -> Document:
    """A draft revision n+1 of a withdrawn document (its latest revision), with the same settings, memo,
    entries and evidence."""
    require_role(actor, document, Role.STAFF)
    with transaction.atomic():
        document = lock_document(document)
        require_status(document, DocumentStatus.WITHDRAWN)
        if not is_latest_revision(document):
            raise WorkflowError(_("A newer revision of this document already exists."), "not_latest")
        copy_fields = ("title", "intro", "preamble", "layout", "arabic_digits", "month_style", "columns",
                       "signer_name", "signer_position", "signer_role")
        revision = Document.objects.create(
            organisation=document.organisation, fiscal_year=document.fiscal_year, kind=document.kind,
            round=document.round, revision=document.revision + 1, status=DocumentStatus.DRAFT, created_by=actor,
            **{name: getattr(document, name) for name in copy_fields},
        )
        memo = Memo.objects.filter(document=document).first()
        if memo is not None:
            memo.pk = None
            memo.id = None
            memo.document = revision
            memo._state.adding = True
            memo.save()
        for entry in document.entries.prefetch_related("evidence"):
            new = ProgressEntry.objects.create(
                document=revision, measure_id=entry.measure_id,
                **{name: getattr(entry, name) for name in ENTRY_FIELDS},
            )
            for ev in entry.evidence.all():
                copy_evidence(ev, new)
        ensure_entries(revision)
        _event(revision, WorkflowAction.REVISE, "", actor,
               _("Revision %(n)s, replacing revision %(old)s.") % {
                   "n": to_thai_digits(revision.revision), "old": to_thai_digits(document.revision)})
    return revision
