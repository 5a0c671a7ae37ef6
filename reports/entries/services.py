"""Changes of the progress entries of a draft report and of their evidence: the entries a report gets
(one per measure of its round, ``ensure_entries``), saving an entry, adding and removing evidence (files
and links), marking evidence public or internal.

Each function is atomic and goes through the guards of reports/workflow/rules.py: only a member of the
document's organisation, only while the document is a draft (an approver may still mark evidence public
or internal after that), a stale save refused with StaleDocument.
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from measures.models import Measure
from orgs.access import ROLE_RANK
from orgs.models import Role

from ..models import Document, DocumentKind, DocumentStatus, Evidence, EvidenceKind, ProgressEntry
from ..printing.stored_pdf import drop_stored_pdf
from ..workflow.rules import StaleDocument, WorkflowError, editable_draft, lock_document, require_role, touch_document

# --- the entries of a report -------------------------------------------------------------------------

def measures_in_round(org, fiscal_year: int, round_: int):
    """The measures of the year that a report of this round covers (all of them without a round)."""
    measures = list(Measure.objects.for_org(org).for_year(fiscal_year).order_by("order", "pk"))
    if not round_:
        return measures
    return [m for m in measures if not m.report_rounds or round_ in m.report_rounds]


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
                copy_evidence(ev, entry)
    return created


def copy_evidence(ev: Evidence, entry: ProgressEntry) -> Evidence:
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


def delete_unreferenced_files(names) -> None:
    """Delete the stored evidence files of ``names`` that no evidence row names any more."""
    from django.core.files.storage import default_storage

    for name in names:
        if name and not Evidence.objects.filter(file=name).exists():
            default_storage.delete(name)


# --- editing a draft's entries and evidence -----------------------------------------------------------

ENTRY_FIELDS = ("output", "outcome", "status", "status_reason", "activity_start", "activity_end")


def save_entry(entry: ProgressEntry, *, data: dict, expected_version: int, actor) -> ProgressEntry:
    """Save the fields of a progress entry of a draft. ``expected_version`` is the entry version the
    form was loaded with; a stale save is refused with StaleDocument (current entry attached)."""
    with transaction.atomic():
        editable_draft(entry.document, actor)
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
        touch_document(entry.document)
    return entry


def add_evidence_file(entry: ProgressEntry, *, upload, title: str = "", actor, checked=None,
                      is_public: bool = False) -> Evidence:
    """Store an uploaded file as evidence of a draft's entry under a generated name. ``checked`` is the
    result of reports.entries.evidence.check_upload (done again here when not given)."""
    from .evidence import check_upload

    checked = checked or check_upload(upload)
    with transaction.atomic():
        editable_draft(entry.document, actor)
        ev = Evidence(
            entry=entry, kind=EvidenceKind.FILE, title=title.strip(), original_name=checked.name,
            content_type=checked.content_type, size=checked.size, order=_next_evidence_order(entry),
            created_by=actor, is_public=is_public,
        )
        upload.name = f"upload{checked.extension}"
        ev.file = upload
        ev._history_user = actor
        ev.save()
        touch_document(entry.document)
    return ev


def add_evidence_link(entry: ProgressEntry, *, url: str, title: str = "", actor, is_public: bool = False) -> Evidence:
    with transaction.atomic():
        editable_draft(entry.document, actor)
        ev = Evidence(entry=entry, kind=EvidenceKind.LINK, url=url.strip(), title=title.strip(),
                      order=_next_evidence_order(entry), created_by=actor, is_public=is_public)
        ev._history_user = actor
        ev.save()
        touch_document(entry.document)
    return ev


def remove_evidence(evidence: Evidence, *, actor) -> None:
    with transaction.atomic():
        editable_draft(evidence.entry.document, actor)
        name = evidence.file.name if evidence.kind == EvidenceKind.FILE else ""
        evidence._history_user = actor
        evidence.delete()
        touch_document(evidence.entry.document)
        if name:
            transaction.on_commit(lambda: delete_unreferenced_files([name]))


def set_evidence_public(evidence: Evidence, *, public: bool, actor) -> Evidence:
    """Mark evidence public (shown on the public page of the published report) or internal. Staff may
    do it while the document is a draft; an approver or organisation admin at any time, also after
    publication (it is not part of the frozen document: public pages read the flag as it is now; the
    stored PDF, which lists the public evidence, is rendered again after the commit)."""
    document = evidence.entry.document
    role = require_role(actor, document, Role.STAFF)
    with transaction.atomic():
        document = lock_document(document)
        if document.status != DocumentStatus.DRAFT and ROLE_RANK[Role(role)] < ROLE_RANK[Role.APPROVER]:
            raise WorkflowError(_("Only an approver may change this once the document has been submitted."), "role")
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if evidence.is_public != bool(public):
            evidence.is_public = bool(public)
            evidence._history_user = actor
            evidence.save(update_fields=["is_public"])
            if document.pdf_file and document.status in (DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN):
                pk = document.pk  # the stored PDF lists the public evidence: render it again
                transaction.on_commit(lambda: drop_stored_pdf(pk))
    return evidence


def _next_evidence_order(entry) -> int:
    last = entry.evidence.aggregate(m=Max("order"))["m"]
    return 0 if last is None else last + 1
