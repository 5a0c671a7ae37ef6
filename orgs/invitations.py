"""Invitations to an organisation and password-reset links: the only ways an account gets into an
organisation or a new password (no password is ever generated for, or shown to, anyone).

    invitation, sent = invite(org, email=..., role=..., position="", actor=admin)
    sent = resend(invitation, actor=admin)           # new token: the old link is dead
    revoke(invitation, actor=admin)
    invitation = usable_invitation(token)            # None unless pending and not expired
    user = accept_with_new_account(token, username=..., password=..., first_name=..., last_name=...)
    membership = accept_as(token, user=request.user) # an existing account accepts
    sent = send_password_reset(membership, actor=admin)

Actors: an active administrator of the organisation, or an installation administrator (a Django
superuser, who invites the first administrator of a new organisation). Each change is atomic, checks
its actor and the invitation's state (``core.errors.RefusedChange`` otherwise), and is recorded in the
history of the invitation or the membership (django-simple-history), shown on the organisation's
history page. The link holds a random token; only its SHA-256 hash is stored. A link works once and for
``EXPIRY`` (7 days). E-mails are rendered in Thai with links on ``settings.SITE_URL`` and queued after
the change is saved for a background task (core/mail_tasks.py), which sends them and tries again later
when the mail server fails; what cannot even be queued is reported as "not sent" (resend later).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from core.errors import RefusedChange
from core.mail_tasks import enqueue_emails

from .models import Invitation, InvitationStatus, Membership, Role

EXPIRY = timedelta(days=7)


# --- tokens, actors, e-mail ---------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def normalise_email(email: str) -> str:
    return get_user_model().objects.normalize_email((email or "").strip())


def can_manage(actor, organisation) -> bool:
    """An installation administrator, or an active administrator of ``organisation``."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return Membership.objects.filter(user=actor, organisation=organisation, role=Role.ADMIN, is_active=True).exists()


def _check_actor(actor, organisation):
    if not can_manage(actor, organisation):
        raise RefusedChange(_("Only the organisation's administrators can do this."), "not_admin")


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def display_name(user) -> str:
    return (user.get_full_name().strip() or user.get_username()) if user else ""


def _render(template: str, context: dict) -> tuple[str, str]:
    with translation.override("th"):
        subject = render_to_string(f"orgs/email/{template}_subject.txt", context)
        body = render_to_string(f"orgs/email/{template}_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def _send(template: str, context: dict, to: str) -> bool:
    """Queue the e-mail for the background task (core/mail_tasks.py: never sent inside the request; tried
    again with a backoff). False when it could not be queued: the change stands, the page says so."""
    subject, body = _render(template, context)
    return enqueue_emails([EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])])


def accept_url(token: str) -> str:
    return absolute_url(reverse("invitation_accept", args=[token]))


def _send_invitation(invitation: Invitation, token: str, actor) -> bool:
    with translation.override("th"):
        role = str(invitation.get_role_display())
    return _send("invitation", {
        "invitation": invitation, "organisation": invitation.organisation, "role": role,
        "inviter": display_name(actor), "url": accept_url(token), "expires_at": invitation.expires_at,
    }, invitation.email)


# --- invitations --------------------------------------------------------------------------------------

def invite(organisation, *, email: str, role: str, position: str = "", actor) -> tuple[Invitation, bool]:
    """A new pending invitation and its e-mail. Refused for an address of an active member of the
    organisation and for an address with a pending invitation (resend that one). Whether the address
    belongs to an account elsewhere in the installation changes nothing, and is never said."""
    email = normalise_email(email)
    if role not in Role.values:
        raise RefusedChange(_("Choose a role."), "role")
    with transaction.atomic():
        _check_actor(actor, organisation)
        if Membership.objects.filter(organisation=organisation, is_active=True, user__email__iexact=email).exists():
            raise RefusedChange(_("A member of the organisation already has this e-mail address."), "member")
        if Invitation.objects.pending().filter(organisation=organisation, email__iexact=email).exists():
            raise RefusedChange(_("An invitation to this address is pending already: resend it from the list of "
                                  "invitations."), "pending")
        token, digest = _new_token()
        invitation = Invitation(
            organisation=organisation, email=email, role=role, position=position.strip(), token_hash=digest,
            expires_at=timezone.now() + EXPIRY, invited_by=actor,
        )
        invitation._history_user = actor
        invitation.save()
    return invitation, _send_invitation(invitation, token, actor)


def _locked(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=invitation.pk)


def resend(invitation: Invitation, *, actor) -> bool:
    """A new link (and seven more days) for a pending invitation; the old link stops working."""
    with transaction.atomic():
        invitation = _locked(invitation)
        _check_actor(actor, invitation.organisation)
        if invitation.status != InvitationStatus.PENDING:
            raise RefusedChange(_("This invitation is no longer pending."), "not_pending")
        token, invitation.token_hash = _new_token()
        invitation.expires_at = timezone.now() + EXPIRY
        invitation.sent_count += 1
        invitation._history_user = actor
        invitation.save()
    return _send_invitation(invitation, token, actor)


def revoke(invitation: Invitation, *, actor) -> Invitation:
    with transaction.atomic():
        invitation = _locked(invitation)
        _check_actor(actor, invitation.organisation)
        if invitation.status != InvitationStatus.PENDING:
            raise RefusedChange(_("This invitation is no longer pending."), "not_pending")
        invitation.status = InvitationStatus.REVOKED
        invitation._history_user = actor
        invitation.save()
    return invitation


def usable_invitation(token: str, *, lock: bool = False) -> Invitation | None:
    """The pending, unexpired invitation of this link's token, or None."""
    if not token or len(token) > 200:
        return None
    queryset = Invitation.objects.select_related("organisation", "invited_by")
    if lock:
        queryset = queryset.select_for_update(of=("self",))  # invited_by is an outer join
    invitation = queryset.filter(token_hash=hash_token(token)).first()
    return invitation if invitation is not None and invitation.is_usable else None


def _invalid_link():
    return RefusedChange(_("This invitation link is not valid any more: it has been used, replaced by a newer "
                           "one, revoked, or it has expired. Ask the organisation's administrator for a new "
                           "invitation."), "invalid_link")


def _accepted(invitation: Invitation, user) -> None:
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_by = user
    invitation._history_user = user
    invitation.save()


def accept_with_new_account(token: str, *, username: str, password: str, first_name: str = "",
                            last_name: str = ""):
    """Create the invitee's account (with the invitation's e-mail address) and its membership."""
    with transaction.atomic():
        invitation = usable_invitation(token, lock=True)
        if invitation is None:
            raise _invalid_link()
        user = get_user_model().objects.create_user(
            username=username, email=invitation.email, password=password,
            first_name=first_name.strip(), last_name=last_name.strip(),
        )
        membership = Membership(user=user, organisation=invitation.organisation, role=invitation.role,
                                position=invitation.position)
        membership._history_user = user
        membership.save()
        _accepted(invitation, user)
    return user


def accept_as(token: str, *, user) -> Membership:
    """The signed-in account ``user`` accepts: a new membership, or its former one active again with the
    invited role. An account that is an active member already keeps its membership as it is."""
    if not user.is_authenticated or not user.is_active:
        raise _invalid_link()
    with transaction.atomic():
        invitation = usable_invitation(token, lock=True)
        if invitation is None:
            raise _invalid_link()
        membership = Membership.objects.select_for_update().filter(
            user=user, organisation=invitation.organisation).first()
        if membership is None:
            membership = Membership(user=user, organisation=invitation.organisation)
        if membership.pk is None or not membership.is_active:
            membership.role, membership.position, membership.is_active = (
                invitation.role, invitation.position, True)
            membership._history_user = user
            membership.save()
        _accepted(invitation, user)
    return membership


# --- password reset -----------------------------------------------------------------------------------

def send_password_reset(membership: Membership, *, actor) -> bool:
    """One e-mail to an active member with a link to choose a new password (Django's password-reset
    token: it works once, until the password changes or PASSWORD_RESET_TIMEOUT passes)."""
    user = membership.user
    _check_actor(actor, membership.organisation)
    if not (membership.is_active and user.is_active):
        raise RefusedChange(_("The member has no access to the organisation; reactivate the membership first."),
                            "inactive")
    if not (user.email or "").strip():
        raise RefusedChange(_("The member's account has no e-mail address."), "no_email")
    path = reverse("password_reset_confirm", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
    })
    return _send("password_reset", {
        "organisation": membership.organisation, "recipient_name": display_name(user),
        "username": user.get_username(), "sender": display_name(actor), "url": absolute_url(path),
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }, user.email.strip())
