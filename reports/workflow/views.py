"""Workflow pages: create a document, and the transitions (submit, return, approve, publish, withdraw,
new revision, delete a draft; and an admin's new try of a published PDF whose rendering failed) through
reports/workflow/transitions.py (the PDF's: reports/printing/stored_pdf.py).

Both views take POST only and are open to any member of the organisation: the services decide who may
do what (and refuse with a WorkflowError, shown as a message). Another organisation's document is a 404.
A return or withdrawal without its comment re-renders the document page (400) with the error and what
was typed.
"""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.access import org_member_required

from core.thai import to_thai_digits

from . import transitions
from ..documents.views import _detail_context, _document, _options_form, document_data, memo_form
from ..printing.stored_pdf import retry_published_pdf
from .forms import ApproveForm, CreateDocumentForm, PublishForm, ReturnForm, SubmitForm, WithdrawForm
from .rules import WorkflowError, allowed_actions


@require_POST
@org_member_required()
def create(request, org_slug):
    form = CreateDocumentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("reports:index", org_slug)
    data = form.cleaned_data
    try:
        document = transitions.create_document(
            request.org, fiscal_year=data["fiscal_year"], kind=data["kind"], round=data["round"],
            actor=request.user,
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect("reports:index", org_slug)
    messages.success(request, _("The document has been created."))
    return redirect("reports:detail", org_slug, document.pk)


# --- transitions ------------------------------------------------------------------------------------

def _rerender(request, document, **forms):
    """The document page again (400) with a transition form and its errors, what was typed kept."""
    data = document_data(document)
    options_form = _options_form(request, document, data)
    context = _detail_context(request, document, data, options_form, memo_form=memo_form(request, document),
                              **forms)
    return render(request, "reports/detail.html", context, status=400)


def _submit(request, document):
    form = SubmitForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else 0  # 0: never current, so refused
    transitions.submit_document(document, actor=request.user, expected_version=version)
    messages.success(request, _("The document has been submitted for approval."))


def _with_text(request, document, form_class, field, flag, form_name, service, message):
    """Return and withdraw: a required text. An empty one re-renders the page when the user may do it;
    otherwise the service refuses (role or status) and says why."""
    form = form_class(request.POST)
    if form.is_valid():
        text = form.cleaned_data[field]
    elif getattr(allowed_actions(document, request.user, role=request.membership.role), flag):
        return _rerender(request, document, **{form_name: form})
    else:
        text = form.data.get(field, "")
    service(document, actor=request.user, **{field: text})
    messages.success(request, message)
    return None


def _return(request, document):
    return _with_text(request, document, ReturnForm, "comment", "return_", "return_form",
                      transitions.return_document, _("The document has been returned for changes."))


def _withdraw(request, document):
    return _with_text(request, document, WithdrawForm, "reason", "withdraw", "withdraw_form",
                      transitions.withdraw_document, _("The document has been withdrawn."))


def _approve(request, document):
    form = ApproveForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
    elif allowed_actions(document, request.user, role=request.membership.role).approve:
        return _rerender(request, document, approve_form=form)  # only a comment that is too long
    else:
        comment = ""  # the service refuses (role, status or own submission) and says why
    transitions.approve_document(document, actor=request.user, comment=comment)
    messages.success(request, _("The document has been approved."))
    return None


def _publish(request, document):
    """The approver's choice of what the public gets (the document alone unless they choose the memo
    too). An unknown choice re-renders the page with the error when the user may publish; otherwise
    the service refuses (role or status) and says why."""
    form = PublishForm(request.POST)
    if form.is_valid():
        publish_memo = form.publish_memo()
    elif allowed_actions(document, request.user, role=request.membership.role).publish:
        return _rerender(request, document, publish_form=form)
    else:
        publish_memo = False
    transitions.publish_document(document, actor=request.user, publish_memo=publish_memo)
    if publish_memo:
        messages.success(request, _("The document has been published with its memo cover."))
    else:
        messages.success(request, _("The document has been published."))
    return None


def _revise(request, document):
    revision = transitions.new_revision(document, actor=request.user)
    messages.success(request, _("Revision %(n)s has been started as a draft.") % {"n": to_thai_digits(revision.revision)})
    return redirect("reports:detail", request.org.slug, revision.pk)


def _delete(request, document):
    transitions.delete_draft(document, actor=request.user)
    messages.success(request, _("The draft has been deleted."))
    return redirect("reports:index", request.org.slug)


def _retry_pdf(request, document):
    """An organisation admin tries the stored PDF again after the background tries failed."""
    retry_published_pdf(document, actor=request.user)
    messages.success(request, _("The PDF file is being prepared again; it will be on the public page in a few "
                                "minutes."))
    return None


ACTIONS = {
    "submit": _submit,
    "return": _return,
    "approve": _approve,
    "publish": _publish,
    "withdraw": _withdraw,
    "revise": _revise,
    "delete": _delete,
    "retry_pdf": _retry_pdf,
}


@require_POST
@org_member_required()
def transition(request, org_slug, pk, action):
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    document = _document(request, pk)
    try:
        response = handler(request, document)
    except WorkflowError as exc:
        messages.error(request, exc.message)
        response = None
    return response or redirect("reports:detail", org_slug, document.pk)
