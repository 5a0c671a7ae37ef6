"""Access helpers: every staff page resolves the organisation from the URL through the user's own
memberships, so another organisation's data is a 404, never a 403 that confirms it exists.

    @org_member_required()                 # any active member
    @org_member_required(Role.APPROVER)    # approver or organisation admin
    @org_member_required(Role.ADMIN)       # organisation admin
    def view(request, org_slug, ...):
        request.org, request.membership are set; query with Model.objects.for_org(request.org)
"""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership, Role

ROLE_RANK = {Role.STAFF: 1, Role.APPROVER: 2, Role.ADMIN: 3}


def role_of(user, org) -> str | None:
    """The user's role in the organisation (admin for a superuser), None when not an active member."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    membership = Membership.objects.filter(user=user, organisation=org, is_active=True).only("role").first()
    return membership.role if membership else None


class SuperuserMembership:
    """Stands in for a membership when a superuser opens any organisation (support and demo)."""

    role = Role.ADMIN
    position = ""
    is_active = True
    can_approve = True
    is_org_admin = True

    def __init__(self, user, organisation):
        self.user = user
        self.organisation = organisation

    def get_role_display(self):
        return Role.ADMIN.label


def membership_for(user, org_slug):
    """The user's active membership of the organisation with this slug, or Http404."""
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__slug=org_slug, is_active=True)
        .first()
    )
    if membership is not None:
        return membership
    if user.is_superuser:
        from .models import Organisation

        org = Organisation.objects.filter(slug=org_slug).first()
        if org is not None:
            return SuperuserMembership(user, org)
    raise Http404


def has_role(membership, minimum_role) -> bool:
    return ROLE_RANK[Role(membership.role)] >= ROLE_RANK[Role(minimum_role)]


def org_member_required(minimum_role=Role.STAFF):
    def decorator(view):
        @wraps(view)
        def wrapper(request, org_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, org_slug)
            if not has_role(membership, minimum_role):
                raise PermissionDenied
            request.membership = membership
            request.org = membership.organisation
            return view(request, org_slug, *args, **kwargs)

        return wrapper

    return decorator


def superuser_required(view):
    """Installation administrators (superusers) only: sign in first; anyone else gets a 404."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            raise Http404
        return view(request, *args, **kwargs)
    return wrapped


# --- oversight (read-only, by province) ---------------------------------------------------------------

def overseen_provinces(user) -> set[str] | None:
    """The provinces ``user`` oversees: None for the whole country (a national scope, or a superuser), else
    a set (empty: none)."""
    if not user.is_authenticated:
        return set()
    return overseen_provinces_of([user])[user.pk]


def overseen_provinces_of(users) -> dict[int, set[str] | None]:
    """``overseen_provinces`` of several signed-in users (by pk), in one query."""
    from .models import OversightScope

    users = list(users)
    found: dict[int, set[str]] = {user.pk: set() for user in users}
    if any(not user.is_superuser for user in users):
        for user_id, province in OversightScope.objects.filter(user__in=list(found)).values_list("user", "province"):
            found[user_id].add(province)
    return {user.pk: None if user.is_superuser or "" in found[user.pk] else found[user.pk] for user in users}


def may_oversee(user, province: str) -> bool:
    provinces = overseen_provinces(user)
    return provinces is None or province in provinces


def oversight_required(view):
    """Views of ``/w/province/<province>/…``: sign in first; a province the user does not oversee is a 404."""
    @wraps(view)
    def wrapped(request, province=None, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if province is not None and not may_oversee(request.user, province):
            raise Http404
        if province is None and overseen_provinces(request.user) == set():
            raise Http404
        return view(request, province, *args, **kwargs) if province is not None else view(request, *args, **kwargs)
    return wrapped
