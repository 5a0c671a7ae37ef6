"""Everything that changes documents: create, edit entries and evidence, and the workflow

    draft → submitted → approved → published → withdrawn → (a new revision, draft)
    submitted → draft (returned by an approver, with a comment)

Each function is atomic, checks who may do it (the actor's role in the document's organisation) and
from which status, and writes exactly one WorkflowEvent per transition. Views never set ``status``.
Refusals raise WorkflowError (a Thai message for the user, and a ``code`` for tests).

Roles: staff prepare and submit; approvers (and organisation admins) approve, return and publish; an
organisation admin withdraws a published document. Nobody approves their own submission unless the
organisation allows it (Organisation.allow_self_approval). A superuser acts as an organisation admin.
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import pagecache
from core.thai import to_thai_digits
from core.audit import sanctioned_removal
from core.errors import RefusedChange
from measures.models import Measure
from orgs.access import ROLE_RANK, role_of
from orgs.models import Membership, Role

from .documents import default_signer_role
from .models import (
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


class WorkflowError(RefusedChange):
    """A refused change of this app (core.errors.RefusedChange: ``message`` for the user, ``code``)."""


class StaleDocument(WorkflowError):
    """The document (or entry) changed since the user's page was loaded."""

    def __init__(self, message: str, current=None):
        super().__init__(message, "stale")
        self.current = current


# --- who may do what ------------------------------------------------------------------------------

def _require_role(actor, document: Document, minimum: str) -> str:
    role = role_of(actor, document.organisation)
    if role is None:
        raise WorkflowError(_("You are not a member of this organisation."), "not_member")
    if ROLE_RANK[Role(role)] < ROLE_RANK[Role(minimum)]:
        if minimum == Role.ADMIN:
            raise WorkflowError(_("Only an organisation administrator may do this."), "role")
        raise WorkflowError(_("Only an approver may do this."), "role")
    return role


def _require_status(document: Document, *allowed: str) -> None:
    if document.status not in allowed:
        raise WorkflowError(
            _("This cannot be done while the document is %(status)s.")
            % {"status": document.get_status_display()},
            "status",
        )


def is_own_submission(document: Document, actor) -> bool:
    return document.submitted_by_id is not None and document.submitted_by_id == actor.pk


@dataclass(frozen=True)
class Actions:
    """What a user may do with a document now (for the buttons of a page)."""

    edit: bool = False
    submit: bool = False
    return_: bool = False
    approve: bool = False
    publish: bool = False
    withdraw: bool = False
    revise: bool = False
    delete: bool = False

    @property
    def any(self):
        return any((self.submit, self.return_, self.approve, self.publish, self.withdraw, self.revise,
                    self.delete))


def allowed_actions(document: Document, user, role: str | None = None) -> Actions:
    """The transitions ``user`` may make on ``document`` (the same rules the services enforce)."""
    role = role if role is not None else role_of(user, document.organisation)
    if role is None:
        return Actions()
    rank = ROLE_RANK[Role(role)]
    approver = rank >= ROLE_RANK[Role.APPROVER]
    status = document.status
    self_ok = document.organisation.allow_self_approval or not is_own_submission(document, user)
    return Actions(
        edit=status == DocumentStatus.DRAFT,
        submit=status == DocumentStatus.DRAFT,
        return_=approver and status == DocumentStatus.SUBMITTED,
        approve=approver and status == DocumentStatus.SUBMITTED and self_ok,
        publish=approver and status == DocumentStatus.APPROVED,
        withdraw=rank >= ROLE_RANK[Role.ADMIN] and status == DocumentStatus.PUBLISHED,
        revise=status == DocumentStatus.WITHDRAWN and is_latest_revision(document),
        delete=status == DocumentStatus.DRAFT and not was_submitted(document) if document.pk else False,
    )


def was_submitted(document: Document) -> bool:
    return document.events.filter(action=WorkflowAction.SUBMIT).exists()


def is_latest_revision(document: Document) -> bool:
    return not Document.objects.filter(
        organisation_id=document.organisation_id, fiscal_year=document.fiscal_year, kind=document.kind,
        round=document.round, revision__gt=document.revision,
    ).exists()


# --- events --------------------------------------------------------------------------------------

def actor_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def actor_position(user, org) -> str:
    """The user's position in the organisation (Membership.position), "" when none is recorded."""
    if user is None:
        return ""
    membership = Membership.objects.filter(user=user, organisation=org).only("position").first()
    return membership.position.strip() if membership else ""


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


def _lock(document: Document) -> Document:
    """The document row, locked for the rest of the transaction, with its current values."""
    return Document.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=document.pk)


def _check_version(document: Document, expected_version: int | None) -> None:
    if expected_version is not None and document.version != expected_version:
        raise StaleDocument(
            _("Someone changed this document after you opened it. Nothing was changed; "
              "look at the current version and try again."),
            current=document,
        )


def _transition(document: Document, to_status: str, **fields) -> None:
    document.status = to_status
    for name, value in fields.items():
        setattr(document, name, value)
    document.version = F("version") + 1
    document.save()
    document.refresh_from_db(fields=["version"])


# --- creating documents --------------------------------------------------------------------------

def measures_in_round(org, fiscal_year: int, round_: int):
    """The measures of the year that a report of this round covers (all of them without a round)."""
    measures = list(Measure.objects.for_org(org).for_year(fiscal_year).order_by("order", "pk"))
    if not round_:
        return measures
    return [m for m in measures if not m.report_rounds or round_ in m.report_rounds]


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
    _require_role(actor, probe, Role.STAFF)
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


def ensure_entries(document: Document, *, source: Document | None = None) -> int:
    """Create the missing entries of a draft progress report (measures added since it was created).
    Entries copied from ``source`` keep its texts and evidence. Returns how many were created."""
    if document.kind != DocumentKind.PROGRESS or document.status != DocumentStatus.DRAFT:
        return 0
    have = set(document.entries.values_list("measure_id", flat=True))
    wanted = [m for m in measures_in_round(document.organisation, document.fiscal_year, document.round)
              if m.pk not in have]
    if not wanted:
        return 0
    previous = {}
    if source is not None:
        previous = {e.measure_id: e for e in source.entries.prefetch_related("evidence")}
    created = 0
    for measure in wanted:
        before = previous.get(measure.pk)
        entry = ProgressEntry(document=document, measure=measure)
        if before is not None:
            for name in ("output", "outcome", "status", "status_reason", "activity_start", "activity_end"):
                setattr(entry, name, getattr(before, name))
        entry.save()
        created += 1
        if before is not None:
            for ev in before.evidence.all():
                _copy_evidence(ev, entry)
    return created


def _copy_evidence(ev: Evidence, entry: ProgressEntry) -> Evidence:
    """The same evidence on another entry; a file is shared, not copied (stored files are never deleted
    while an evidence row names them)."""
    copy = Evidence(
        entry=entry, kind=ev.kind, title=ev.title, original_name=ev.original_name, content_type=ev.content_type,
        size=ev.size, url=ev.url, order=ev.order, created_by=ev.created_by, created_at=ev.created_at,
        is_public=ev.is_public,
    )
    copy.file.name = ev.file.name
    copy.save()
    return copy


def delete_draft(document: Document, *, actor) -> None:
    """Delete a draft that was never submitted (a new document, or a new revision not yet submitted)."""
    _require_role(actor, document, Role.STAFF)
    with transaction.atomic():
        document = _lock(document)
        _require_status(document, DocumentStatus.DRAFT)
        if was_submitted(document):
            raise WorkflowError(_("A document that has been submitted is kept; it cannot be deleted."), "kept")
        files = list(Evidence.objects.filter(entry__document=document, kind=EvidenceKind.FILE)
                     .values_list("file", flat=True))
        # Its trail holds only its creation: removed with it, through the sanctioned path (recorded).
        with sanctioned_removal(f"never-submitted draft deleted: {document} (id {document.pk})",
                                actor=actor) as record:
            record.removed = document.delete()[1]
        transaction.on_commit(lambda: _delete_unreferenced(files))


def _delete_unreferenced(names) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name and not Evidence.objects.filter(file=name).exists():
            default_storage.delete(name)


# --- editing a draft -----------------------------------------------------------------------------

ENTRY_FIELDS = ("output", "outcome", "status", "status_reason", "activity_start", "activity_end")


def _editable_document(document: Document, actor, expected_version: int | None = None) -> Document:
    _require_role(actor, document, Role.STAFF)
    document = _lock(document)
    if document.status != DocumentStatus.DRAFT:
        raise StaleDocument(
            _("The document is %(status)s now, so it can no longer be changed. Your text is still in the "
              "form below; copy it if you need it.") % {"status": document.get_status_display()},
            current=document,
        )
    _check_version(document, expected_version)
    return document


def _touch(document: Document) -> None:
    """A change inside a draft: the document's version moves on (a submit from an older page is refused)."""
    Document.objects.filter(pk=document.pk).update(version=F("version") + 1, updated_at=timezone.now())


def save_entry(entry: ProgressEntry, *, data: dict, expected_version: int, actor) -> ProgressEntry:
    """Save the fields of a progress entry of a draft. ``expected_version`` is the entry version the
    form was loaded with; a stale save is refused with StaleDocument (current entry attached)."""
    with transaction.atomic():
        _editable_document(entry.document, actor)
        claimed = ProgressEntry.objects.filter(pk=entry.pk, version=expected_version).update(
            version=F("version") + 1)
        if not claimed:
            raise StaleDocument(
                _("Someone saved this entry after you opened it. Your text was not saved; it is still in the "
                  "form below. Compare it with the current text and save again."),
                current=ProgressEntry.objects.get(pk=entry.pk),
            )
        for name in ENTRY_FIELDS:
            if name in data:
                setattr(entry, name, data[name])
        entry.version = expected_version + 1
        entry._history_user = actor
        entry.save()
        _touch(entry.document)
    return entry


MEMO_FIELDS = ("division", "department", "reference", "date", "subject", "addressee", "through", "body",
               "closing", "signer_name", "signer_position")


def save_memo(document: Document, *, fields: dict, actor, expected_version: int | None = None) -> Memo:
    """Save the memo cover of a draft (created on its first save). ``expected_version`` is the document
    version the page was opened with: a save after another change of the draft is refused (StaleDocument)."""
    with transaction.atomic():
        document = _editable_document(document, actor, expected_version)
        memo = Memo.objects.filter(document=document).first() or Memo(document=document)
        for name in MEMO_FIELDS:
            if name in fields:
                setattr(memo, name, fields[name])
        memo.save()
        _touch(document)
    return memo


def add_evidence_file(entry: ProgressEntry, *, upload, title: str = "", actor, checked=None,
                      is_public: bool = False) -> Evidence:
    """Store an uploaded file as evidence of a draft's entry under a generated name. ``checked`` is the
    result of reports.evidence.check_upload (done again here when not given)."""
    from .evidence import check_upload

    checked = checked or check_upload(upload)
    with transaction.atomic():
        _editable_document(entry.document, actor)
        ev = Evidence(
            entry=entry, kind=EvidenceKind.FILE, title=title.strip(), original_name=checked.name,
            content_type=checked.content_type, size=checked.size, order=_next_evidence_order(entry),
            created_by=actor, is_public=is_public,
        )
        upload.name = f"upload{checked.extension}"
        ev.file = upload
        ev._history_user = actor
        ev.save()
        _touch(entry.document)
    return ev


def add_evidence_link(entry: ProgressEntry, *, url: str, title: str = "", actor, is_public: bool = False) -> Evidence:
    with transaction.atomic():
        _editable_document(entry.document, actor)
        ev = Evidence(entry=entry, kind=EvidenceKind.LINK, url=url.strip(), title=title.strip(),
                      order=_next_evidence_order(entry), created_by=actor, is_public=is_public)
        ev._history_user = actor
        ev.save()
        _touch(entry.document)
    return ev


def remove_evidence(evidence: Evidence, *, actor) -> None:
    with transaction.atomic():
        _editable_document(evidence.entry.document, actor)
        name = evidence.file.name if evidence.kind == EvidenceKind.FILE else ""
        evidence._history_user = actor
        evidence.delete()
        _touch(evidence.entry.document)
        if name:
            transaction.on_commit(lambda: _delete_unreferenced([name]))


def set_evidence_public(evidence: Evidence, *, public: bool, actor) -> Evidence:
    """Mark evidence public (shown on the public page of the published report) or internal. Staff may
    do it while the document is a draft; an approver or organisation admin at any time, also after
    publication (it is not part of the frozen document: public pages read the flag as it is now; the
    stored PDF, which lists the public evidence, is rendered again after the commit)."""
    document = evidence.entry.document
    role = _require_role(actor, document, Role.STAFF)
    with transaction.atomic():
        document = _lock(document)
        if document.status != DocumentStatus.DRAFT and ROLE_RANK[Role(role)] < ROLE_RANK[Role.APPROVER]:
            raise WorkflowError(_("Only an approver may change this once the document has been submitted."), "role")
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if evidence.is_public != bool(public):
            evidence.is_public = bool(public)
            evidence._history_user = actor
            evidence.save(update_fields=["is_public"])
            if document.pdf_file and document.status in (DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN):
                pk = document.pk  # the stored PDF lists the public evidence: render it again
                transaction.on_commit(lambda: _refresh_stored_pdf(pk))
    return evidence


def _next_evidence_order(entry) -> int:
    last = entry.evidence.aggregate(m=Max("order"))["m"]
    return 0 if last is None else last + 1


# --- the workflow ----------------------------------------------------------------------------------

def submit_document(document: Document, *, actor, expected_version: int | None = None,
                    notify: bool = True) -> Document:
    """draft → submitted (any member). ``expected_version``: the document version the page showed;
    when someone changed the document since, nothing happens (StaleDocument)."""
    _require_role(actor, document, Role.STAFF)
    with transaction.atomic():
        document = _lock(document)
        _require_status(document, DocumentStatus.DRAFT)
        _check_version(document, expected_version)
        _transition(document, DocumentStatus.SUBMITTED, submitted_by=actor, submitted_at=_now())
        event = _event(document, WorkflowAction.SUBMIT, DocumentStatus.DRAFT, actor)
        _notify(event, notify)
    return document


def return_document(document: Document, *, actor, comment: str, notify: bool = True) -> Document:
    """submitted → draft, with the approver's comment (required)."""
    _require_role(actor, document, Role.APPROVER)
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError(_("Say what needs to be changed."), "comment")
    with transaction.atomic():
        document = _lock(document)
        _require_status(document, DocumentStatus.SUBMITTED)
        _transition(document, DocumentStatus.DRAFT)
        event = _event(document, WorkflowAction.RETURN, DocumentStatus.SUBMITTED, actor, comment)
        _notify(event, notify)
    return document


def approve_document(document: Document, *, actor, comment: str = "", notify: bool = True) -> Document:
    """submitted → approved; freezes the snapshot every later page and PDF reads."""
    from .documents import build_document_data

    _require_role(actor, document, Role.APPROVER)
    with transaction.atomic():
        document = _lock(document)
        _require_status(document, DocumentStatus.SUBMITTED)
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
    queued after the commit (reports/tasks.py: tried again with a backoff; the publication stands
    whatever happens to it). ``render=False`` queues nothing (``rerender_published --missing-only``
    renders it later)."""
    if not isinstance(publish_memo, bool):
        raise WorkflowError(_("Choose what to publish: the document alone or with its memo cover."), "publish_memo")
    _require_role(actor, document, Role.APPROVER)
    with transaction.atomic():
        document = _lock(document)
        _require_status(document, DocumentStatus.APPROVED)
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
    _require_role(actor, document, Role.ADMIN)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("Give the reason for withdrawing the document."), "reason")
    with transaction.atomic():
        document = _lock(document)
        _require_status(document, DocumentStatus.PUBLISHED)
        _transition(document, DocumentStatus.WITHDRAWN, withdrawn_at=_now(), withdrawn_reason=reason)
        event = _event(document, WorkflowAction.WITHDRAW, DocumentStatus.PUBLISHED, actor, reason)
        _notify(event, notify)
    return document


def new_revision(document: Document, *, actor) -> Document:
    """A draft revision n+1 of a withdrawn document (its latest revision), with the same settings, memo,
    entries and evidence."""
    _require_role(actor, document, Role.STAFF)
    with transaction.atomic():
        document = _lock(document)
        _require_status(document, DocumentStatus.WITHDRAWN)
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
                _copy_evidence(ev, new)
        ensure_entries(revision)
        _event(revision, WorkflowAction.REVISE, "", actor,
               _("Revision %(n)s, replacing revision %(old)s.") % {
                   "n": to_thai_digits(revision.revision), "old": to_thai_digits(document.revision)})
    return revision


# --- the stored PDF ----------------------------------------------------------------------------------

def render_stored_pdf(document: Document, *, force: bool = False) -> bool:
    """Render the PDF of a published (or withdrawn) document from its snapshot and store it. Returns
    True when a PDF was rendered (False when one is stored already and ``force`` is not set)."""
    from django.core.files.base import ContentFile

    from .rendering import render_document_pdf

    if document.snapshot is None or document.status not in (DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN):
        return False
    if document.pdf_file and not force:
        return False
    from .evidence_print import for_copy

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


def _refresh_stored_pdf(pk: int) -> None:
    """After a change of what the stored PDF shows that is not in the snapshot (evidence made public or
    internal): the stored PDF is dropped at once (the old list is never served again) and a background
    task renders it again (reports/tasks.py); meanwhile the public page says the PDF is being prepared."""
    from .tasks import enqueue_pdf_render

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
    from .tasks import enqueue_pdf_render

    _require_role(actor, document, Role.ADMIN)
    with transaction.atomic():
        document = _lock(document)
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


def approval_decision(document: Document) -> dict | None:
    """The executive's ความเห็น/คำสั่ง of an approved document, from its (latest) APPROVE event:
    {"text": "อนุมัติ", "name", "position", "date" (B.E., Thai digits)}; None before approval. The
    position is the one recorded at approval (else the approver's current one)."""
    from core.thai import format_date

    if document.pk is None or not document.is_frozen:
        return None
    event = (WorkflowEvent.objects.filter(document_id=document.pk, action=WorkflowAction.APPROVE)
             .order_by("-at", "-pk").first())
    if event is None:
        return None
    recorded = event.data or {}
    if "position" in recorded:
        position = str(recorded["position"] or "").strip()
    else:  # approved before positions were recorded: the approver's position now
        membership = Membership.objects.filter(user_id=event.actor_id, organisation_id=document.organisation_id)
        position = (membership.values_list("position", flat=True).first() or "").strip()
    return {
        "text": "อนุมัติ",
        "name": event.actor_name,
        "position": position,
        "date": format_date(timezone.localtime(event.at).date()),
    }


def reporting_date(fiscal_year: int, round_: int) -> date:
    """The first day of the month a round's report is due: April for round 6, October for round 12
    (the month after the round ends)."""
    from core.thai import round_range

    _start, end = round_range(fiscal_year, round_)
    return date(end.year + (end.month == 12), end.month % 12 + 1, 1)
