"""Progress entries of a draft report: edit an entry with its evidence (files and links); download an
evidence file; remove evidence; mark evidence public or internal (Evidence.is_public: staff while the
document is a draft, an approver or organisation admin at any time, also after publication). Everything is scoped by request.org (orgs.access): an entry, a document
or evidence of another organisation is a 404. Changes go through reports/entries/services.py only.

The entry page saves the entry and its optional new evidence in one transaction, so a refused or
failed save changes nothing. A save from an outdated page (someone saved the entry meanwhile, or the
document was submitted) is refused with 409; what the user typed stays in the form, next to the current
text.
"""
from __future__ import annotations

import copy
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from measures import cells
from measures.models import MeasureStep
from orgs.access import has_role, org_member_required
from orgs.models import Role

from . import services
from ..models import Document, Evidence, EvidenceKind, ProgressEntry
from ..workflow import rules
from .evidence import evidence_response
from .forms import EntryForm


def _document(request, pk) -> Document:
    return get_object_or_404(Document.objects.for_org(request.org).select_related("organisation"), pk=pk)


def _entry(document: Document, entry_pk: int) -> ProgressEntry:
    """The entry of this document (404 when it belongs to another one), with its measure and steps."""
    queryset = (
        ProgressEntry.objects.filter(document=document)
        .select_related("measure")
        .prefetch_related(
            Prefetch("measure__steps", queryset=MeasureStep.objects.order_by("parent_id", "order", "pk")),
            "measure__divisions",
        )
    )
    entry = get_object_or_404(queryset, pk=entry_pk)
    entry.document = document  # the scoped document (organisation selected), not a second query
    return entry


def _evidence(request, pk, evidence_pk, **filters) -> Evidence:
    queryset = Evidence.objects.select_related("entry__document").filter(
        entry__document__organisation=request.org, entry__document_id=pk, **filters)
    return get_object_or_404(queryset, pk=evidence_pk)


def _entry_url(org_slug, document_pk, entry_pk) -> str:
    return reverse("reports:entry", args=[org_slug, document_pk, entry_pk])


def _neighbours(document: Document, entry: ProgressEntry) -> dict:
    """Position of the entry in the document and the previous/next entry ids."""
    ids = list(document.entries.order_by("measure__order", "measure_id").values_list("pk", flat=True))
    index = ids.index(entry.pk)
    return {
        "position": index + 1,
        "entry_count": len(ids),
        "previous_pk": ids[index - 1] if index > 0 else None,
        "next_pk": ids[index + 1] if index + 1 < len(ids) else None,
    }


def _conflict_context(current: ProgressEntry) -> dict:
    """The other person's saved entry and who saved it (from the history)."""
    record = current.history.select_related("history_user").first()
    user = getattr(record, "history_user", None)
    return {
        "conflict": current,
        "conflict_user": rules.actor_name(user) if user else "",
        "conflict_date": getattr(record, "history_date", None),
        "conflict_output": cells.output_cell(current),
        "conflict_outcome": cells.outcome_cell(current),
    }


def _evidence_list(entry) -> list[Evidence]:
    """The entry's evidence in order; ``href`` of a link only when it is an http(s) address."""
    items = list(entry.evidence.order_by("order", "pk"))
    for ev in items:
        ev.href = ev.url if urlsplit(ev.url).scheme.lower() in ("http", "https") else ""
    return items


def can_set_public(request, document: Document) -> bool:
    """Whether the page offers the public/internal toggle (services.set_evidence_public decides)."""
    return document.is_draft or has_role(request.membership, Role.APPROVER)


def _render(request, document, entry, form, *, status=200, **extra):
    measure = entry.measure
    context = {
        "nav": "documents",
        "fiscal_year": document.fiscal_year,
        "document": document,
        "entry": entry,
        "measure": measure,
        "form": form,
        "editable": document.is_draft,
        "can_set_public": can_set_public(request, document),
        "evidence": _evidence_list(entry),
        "measure_lines": cells.guideline_cell(measure),
        "steps": cells.steps_cell(measure),
        "responsible": cells.responsible_cell(measure),
        "timeline": cells.timeline_cell(measure, document.month_style or "full"),
        "output_lines": cells.output_cell(entry),
        "outcome_lines": cells.outcome_cell(entry),
        **_neighbours(document, entry),
        **extra,
    }
    return render(request, "reports/entry.html", context, status=status)


@org_member_required()
def entry_edit(request, org_slug, pk, entry_pk):
    document = _document(request, pk)
    entry = _entry(document, entry_pk)
    if request.method != "POST":
        form = EntryForm(instance=copy.copy(entry)) if document.is_draft else None
        return _render(request, document, entry, form)

    data = request.POST.copy()  # mutable: a conflict moves the hidden version on
    # The form gets its own copy of the entry: validation writes the typed values onto its instance,
    # and the page must still show the saved entry (status, texts) around the form.
    form = EntryForm(data, request.FILES, instance=copy.copy(entry))
    if not form.is_valid():
        return _render(
            request, document, entry, form, status=400,
            error_message=_("The entry was not saved. Please correct the errors below."),
            file_not_kept="evidence_file" in request.FILES and "evidence_file" not in form.errors,
        )
    cleaned = form.cleaned_data
    stored_files = []
    try:
        with transaction.atomic():
            services.save_entry(entry, data=form.entry_data(), expected_version=cleaned["version"],
                                actor=request.user)
            if cleaned.get("evidence_url"):
                services.add_evidence_link(entry, url=cleaned["evidence_url"],
                                           title=cleaned.get("evidence_url_title", ""), actor=request.user,
                                           is_public=bool(cleaned.get("evidence_url_public")))
            if cleaned.get("evidence_file"):
                ev = services.add_evidence_file(entry, upload=cleaned["evidence_file"],
                                                title=cleaned.get("evidence_file_title", ""),
                                                actor=request.user, checked=form.checked_upload,
                                                is_public=bool(cleaned.get("evidence_file_public")))
                stored_files.append(ev.file.name)
    except rules.WorkflowError as exc:
        _forget_files(stored_files)
        return _refused(request, document, entry, form, data, exc)
    except Exception:
        _forget_files(stored_files)
        raise

    messages.success(request, _("The entry was saved."))
    target = entry.pk
    if request.POST.get("next"):  # "Save and next"; the last entry stays where it is
        target = _neighbours(document, entry)["next_pk"] or entry.pk
    return redirect(_entry_url(org_slug, document.pk, target))


def _forget_files(names) -> None:
    """Stored files of a rolled-back save: nothing refers to them."""
    for name in names:
        if name and not Evidence.objects.filter(file=name).exists():
            default_storage.delete(name)


def _refused(request, document, entry, form, data, exc: rules.WorkflowError):
    """Re-render a refused save with the typed values kept (409 when the page was outdated)."""
    fresh_document = _document(request, document.pk)
    fresh_entry = _entry(fresh_document, entry.pk)
    file_not_kept = "evidence_file" in request.FILES
    if isinstance(exc, rules.StaleDocument):
        extra = {}
        if isinstance(exc.current, ProgressEntry):
            data["version"] = str(exc.current.version)  # a second save, after reading theirs, goes through
            extra = _conflict_context(exc.current)
        return _render(request, fresh_document, fresh_entry, form, status=409, error_message=exc.message,
                       file_not_kept=file_not_kept, **extra)
    return _render(request, fresh_document, fresh_entry, form, status=400, error_message=exc.message,
                   file_not_kept=file_not_kept)


@org_member_required()
def evidence_file(request, org_slug, pk, evidence_pk):
    """A stored evidence file, for members of the organisation (whatever the document's status)."""
    evidence = _evidence(request, pk, evidence_pk, kind=EvidenceKind.FILE)
    response = evidence_response(evidence)
    response["Cache-Control"] = "private, no-cache"
    return response


@require_POST
@org_member_required()
def evidence_delete(request, org_slug, pk, evidence_pk):
    evidence = _evidence(request, pk, evidence_pk)
    entry_pk = evidence.entry_id
    try:
        services.remove_evidence(evidence, actor=request.user)
    except rules.StaleDocument:
        messages.error(request, _("Evidence can only be removed while the document is a draft."))
    except rules.WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The evidence “%(label)s” was removed.") % {"label": evidence.label})
    return redirect(_entry_url(org_slug, pk, entry_pk))


@require_POST
@org_member_required()
def evidence_public(request, org_slug, pk, evidence_pk):
    """Mark evidence public ("public" = "1") or internal (anything else); back to its entry page."""
    evidence = _evidence(request, pk, evidence_pk)
    public = request.POST.get("public") == "1"
    try:
        services.set_evidence_public(evidence, public=public, actor=request.user)
    except rules.WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        if public:
            messages.success(request, _("The evidence “%(label)s” is now public.") % {"label": evidence.label})
        else:
            messages.success(request, _("The evidence “%(label)s” is now internal.") % {"label": evidence.label})
    return redirect(_entry_url(org_slug, pk, evidence.entry_id))
