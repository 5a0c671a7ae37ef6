"""Every change an organisation administrator makes on the settings pages: the profile, the divisions and
the members (invitations and password-reset links: orgs/invitations.py; the installation's organisations:
orgs/organisations.py).

    org = save_profile(org, values=form.cleaned_data, expected_version=..., actor=admin)
    division = add_division(org, name=..., actor=admin)
    rename_division(division, name=..., actor=admin)
    move_division(division, up=True, actor=admin)
    delete_division(division, actor=admin)
    change_membership(membership, role=..., position=..., actor=admin)
    set_membership_active(membership, active=False, actor=admin)

Each function is atomic, checks its actor (an active administrator of the organisation, or an
installation administrator) and refuses with ``core.errors.RefusedChange`` (a Thai ``message``, a
``code``). Profile and membership changes are kept by django-simple-history with the actor as the
history user: the organisation's history page shows them (workspace/history.py). The profile is saved
only at the version its page was opened with (``StaleProfile``). The checks "the organisation keeps an
active administrator" run with the organisation's row locked, so two administrators demoting each other
at once cannot both succeed. The public page cache hears of profile changes through the save signal
(public/signals.py).
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.errors import RefusedChange

from .invitations import can_manage
from .models import Division, Membership, Organisation, Role

# The fields of the profile page (orgs.forms.OrganisationForm).
PROFILE_FIELDS = (
    "name", "kind", "district", "province", "website", "address", "phone", "email", "strength_threshold",
    "default_layout", "allow_self_approval", "require_two_factor_approvers", "emblem",
)


class StaleProfile(RefusedChange):
    """Another administrator saved the profile after this page was opened."""

    def __init__(self, current: Organisation):
        super().__init__(_("Someone saved the organisation profile after you opened it. Nothing was changed; "
                           "look at the current profile and try again."), "stale")
        self.current = current


def _check_actor(actor, organisation) -> None:
    if not can_manage(actor, organisation):
        raise RefusedChange(_("Only the organisation's administrators can do this."), "not_admin")


def _lock_organisation(organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


# --- the profile --------------------------------------------------------------------------------------

def save_profile(organisation, *, values: dict, expected_version: int | None, actor) -> Organisation:
    """Save the profile fields in ``values`` (a validated OrganisationForm's cleaned_data; the emblem: a
    new upload, False to remove it, or the current file) at ``expected_version``."""
    with transaction.atomic():
        _check_actor(actor, organisation)
        locked = _lock_organisation(organisation)
        if expected_version is None or locked.version != expected_version:
            raise StaleProfile(locked)
        for name in PROFILE_FIELDS:
            if name in values:
                Organisation._meta.get_field(name).save_form_data(locked, values[name])
        locked.version += 1
        locked._history_user = actor
        locked.save()
    return locked


# --- divisions ----------------------------------------------------------------------------------------

def _duplicate() -> RefusedChange:
    return RefusedChange(_("A division with this name already exists."), "duplicate")


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise RefusedChange(_("Type the name of the division."), "name")
    return name


def add_division(organisation, *, name: str, actor) -> Division:
    """A new division, last in the order."""
    name = _clean_name(name)
    with transaction.atomic():
        _check_actor(actor, organisation)
        _lock_organisation(organisation)  # two additions at once get different places
        last = Division.objects.filter(organisation=organisation).aggregate(last=Max("order"))["last"]
        try:
            with transaction.atomic():
                return Division.objects.create(organisation=organisation, name=name, order=(last or 0) + 1)
        except IntegrityError:
            raise _duplicate() from None


def rename_division(division: Division, *, name: str, actor) -> Division:
    name = _clean_name(name)
    with transaction.atomic():
        _check_actor(actor, division.organisation)
        division.name = name
        try:
            with transaction.atomic():
                division.save(update_fields=["name"])
        except IntegrityError:
            raise _duplicate() from None
    return division


def _renumber(organisation) -> list[Division]:
    """Orders 1..n in the current order (after a move or a delete); the divisions in that order."""
    ordered = list(Division.objects.filter(organisation=organisation).order_by("order", "name"))
    for i, division in enumerate(ordered, 1):
        if division.order != i:
            Division.objects.filter(pk=division.pk).update(order=i)
            division.order = i
    return ordered


def move_division(division: Division, *, up: bool, actor) -> None:
    """One place up or down (nothing at either end)."""
    with transaction.atomic():
        _check_actor(actor, division.organisation)
        _lock_organisation(division.organisation)
        ordered = _renumber(division.organisation)
        index = next(i for i, d in enumerate(ordered) if d.pk == division.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(ordered):
            a, b = ordered[index], ordered[other]
            Division.objects.filter(pk=a.pk).update(order=b.order)
            Division.objects.filter(pk=b.pk).update(order=a.order)


def delete_division(division: Division, *, actor) -> None:
    """Refused while measures name the division (it is printed in their documents and kept in their
    history): rename it instead."""
    with transaction.atomic():
        _check_actor(actor, division.organisation)
        _lock_organisation(division.organisation)
        if division.measures.exists():
            raise RefusedChange(_("The division is responsible for measures and cannot be deleted."), "in_use")
        division.delete()
        _renumber(division.organisation)


# --- members ------------------------------------------------------------------------------------------

def leaves_no_admin(membership: Membership, role=None, active=None) -> bool:
    """True when changing ``membership`` to ``role`` / ``active`` would leave the organisation
    without an active administrator."""
    if not (membership.role == Role.ADMIN and membership.is_active):
        return False  # it is not an administrator now: nothing is lost
    role = membership.role if role is None else role
    active = membership.is_active if active is None else active
    if role == Role.ADMIN and active:
        return False
    return not Membership.objects.filter(
        organisation=membership.organisation, role=Role.ADMIN, is_active=True
    ).exclude(pk=membership.pk).exists()


def _no_admin_left() -> RefusedChange:
    return RefusedChange(_("The organisation needs at least one active administrator."), "last_admin")


def _locked_membership(membership: Membership, actor) -> Membership:
    _check_actor(actor, membership.organisation)
    _lock_organisation(membership.organisation)  # serialises the "one administrator left" checks
    return Membership.objects.select_related("user", "organisation").get(pk=membership.pk)


def change_membership(membership: Membership, *, role: str, position: str, actor) -> Membership:
    """A member's role and position."""
    if role not in Role.values:
        raise RefusedChange(_("Choose a role."), "role")
    with transaction.atomic():
        locked = _locked_membership(membership, actor)
        if leaves_no_admin(locked, role=role):
            raise _no_admin_left()
        locked.role, locked.position = role, (position or "").strip()
        locked._history_user = actor
        locked.save()
    return locked


def set_membership_active(membership: Membership, *, active: bool, actor) -> Membership:
    """Give a member access to the organisation again, or take it away (nobody their own)."""
    with transaction.atomic():
        locked = _locked_membership(membership, actor)
        if not active and locked.user_id == actor.pk:
            raise RefusedChange(_("You cannot deactivate your own membership."), "self")
        if leaves_no_admin(locked, active=active):
            raise _no_admin_left()
        locked.is_active = active
        locked._history_user = actor
        locked.save(update_fields=["is_active"])  # a history record (the organisation's history page)
    return locked
