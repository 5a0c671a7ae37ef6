"""Who may do what with a document, and the guards every change of a document goes through.

The workflow (reports/workflow/transitions.py), the entries and evidence (reports/entries/services.py),
the memo cover (reports/documents/memo.py), the document settings (reports/documents/settings.py) and the
stored PDF (reports/printing/stored_pdf.py) check the actor's role and the document's status here, lock
the document's row (``lock_document``) and refuse a save from an outdated page (``check_version``).
Refusals raise WorkflowError (a Thai message for the user, and a ``code`` for tests).

Roles: staff prepare and submit; approvers (and organisation admins) approve, return and publish; an
organisation admin withdraws a published document. Nobody approves their own submission unless the
organisation allows it (Organisation.allow_self_approval). A superuser acts as an organisation admin.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import RefusedChange
from orgs.access import ROLE_RANK, role_of
from orgs.models import Membership, Role

from ..models import Document, DocumentStatus, WorkflowAction


class WorkflowError(RefusedChange):
    """A refused change of this app (core.errors.RefusedChange: ``message`` for the user, ``code``)."""


class StaleDocument(WorkflowError):
    """The document (or entry) changed since the user's page was loaded."""

    def __init__(self, message: str, current=None):
        super().__init__(message, "stale")
        self.current = current


# --- who may do what ------------------------------------------------------------------------------

def require_role(actor, document: Document, minimum: str) -> str:
    role = role_of(actor, document.organisation)
    if role is None:
        raise WorkflowError(_("You are not a member of this organisation."), "not_member")
    if ROLE_RANK[Role(role)] < ROLE_RANK[Role(minimum)]:
        if minimum == Role.ADMIN:
            raise WorkflowError(_("Only an organisation administrator may do this."), "role")
        raise WorkflowError(_("Only an approver may do this."), "role")
    return role


def require_status(document: Document, *allowed: str) -> None:
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


# --- who acted ------------------------------------------------------------------------------------

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


# --- guards of every change ------------------------------------------------------------------------

def lock_document(document: Document) -> Document:
    """The document row, locked for the rest of the transaction, with its current values."""
    return Document.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=document.pk)


def check_version(document: Document, expected_version: int | None) -> None:
    if expected_version is not None and document.version != expected_version:
        raise StaleDocument(
            _("Someone changed this document after you opened it. Nothing was changed; "
              "look at the current version and try again."),
            current=document,
        )


def editable_draft(document: Document, actor, expected_version: int | None = None) -> Document:
    """The draft ``document``, locked, for a change by ``actor`` (any member); StaleDocument when it is no
    longer a draft or (with ``expected_version``) changed since the page was opened."""
    require_role(actor, document, Role.STAFF)
    document = lock_document(document)
    if document.status != DocumentStatus.DRAFT:
        raise StaleDocument(
            _("The document is %(status)s now, so it can no longer be changed. Your text is still in the "
              "form below; copy it if you need it.") % {"status": document.get_status_display()},
            current=document,
        )
    check_version(document, expected_version)
    return document


def touch_document(document: Document) -> None:
    """A change inside a draft: the document's version moves on (a submit from an older page is refused)."""
    Document.objects.filter(pk=document.pk).update(version=F("version") + 1, updated_at=timezone.now())
