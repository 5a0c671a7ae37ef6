"""Organisation settings (organisation administrators only): profile, divisions, members.

Every change goes through orgs/services.py (and orgs/invitations.py); every object is looked up within
request.org, so another organisation's division or membership is a 404. A division that measures use cannot be deleted (it is printed in their documents and kept
in their history): rename it instead. The last active administrator cannot be demoted or
deactivated, and nobody deactivates their own membership.
"""
from django.contrib import messages
from django.db.models import Count, Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import RefusedChange
from core.thai import to_thai_digits

from . import invitations, services
from .access import org_member_required
from .forms import DivisionForm, InviteForm, MembershipForm, OrganisationForm
from .models import Division, Invitation, Membership, Role

ADMIN = org_member_required(Role.ADMIN)


def _page(request, template, tab, status=200, **context):
    return render(request, template, {"nav": "settings", "tab": tab, **context}, status=status)


@ADMIN
def settings_home(request, org_slug):
    """The organisation's profile."""
    org = request.org
    status = 200
    if request.method == "POST":
        form = OrganisationForm(request.POST, request.FILES, instance=org)
        if form.is_valid():
            try:
                services.save_profile(org, values=form.cleaned_data, expected_version=form.cleaned_data["version"],
                                      actor=request.user)
            except services.StaleProfile as exc:
                messages.error(request, exc.message)  # the input is kept; the page shows the current version
                form.data = form.data.copy()
                form.data["version"] = exc.current.version
                status = 409
            else:
                messages.success(request, _("The organisation profile has been saved."))
                return redirect("orgs:settings", org.slug)
    else:
        form = OrganisationForm(instance=org)
    return _page(request, "orgs/settings.html", "profile", form=form, status=status)


# --- divisions ------------------------------------------------------------------------------------

def _divisions(org):
    return Division.objects.filter(organisation=org).annotate(measure_count=Count("measures")).order_by(
        "order", "name"
    )


@ADMIN
def divisions(request, org_slug):
    org = request.org
    form = DivisionForm(request.POST or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_division(org, name=form.cleaned_data["name"], actor=request.user)
        except RefusedChange as exc:
            form.add_error("name", exc.message)
        else:
            messages.success(request, _("The division has been added."))
            return redirect("orgs:divisions", org.slug)
    return _page(request, "orgs/divisions.html", "divisions", form=form, divisions=_divisions(org))


@ADMIN
def division_edit(request, org_slug, pk):
    division = get_object_or_404(Division, pk=pk, organisation=request.org)
    form = DivisionForm(request.POST or None, instance=division, organisation=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_division(division, name=form.cleaned_data["name"], actor=request.user)
        except RefusedChange as exc:
            form.add_error("name", exc.message)
        else:
            messages.success(request, _("The division has been renamed."))
            return redirect("orgs:divisions", request.org.slug)
    return _page(request, "orgs/division_form.html", "divisions", form=form, division=division)


@ADMIN
@require_POST
def division_move(request, org_slug, pk):
    division = get_object_or_404(Division.objects.select_related("organisation"), pk=pk, organisation=request.org)
    services.move_division(division, up=request.POST.get("direction") == "up", actor=request.user)
    return redirect("orgs:divisions", request.org.slug)


@ADMIN
def division_delete(request, org_slug, pk):
    division = get_object_or_404(_divisions(request.org), pk=pk)
    if division.measure_count:
        messages.error(request, ngettext(
            "The division “%(name)s” is responsible for %(count)s measure and cannot be deleted. "
            "Rename it, or remove it from that measure first.",
            "The division “%(name)s” is responsible for %(count)s measures and cannot be deleted. "
            "Rename it, or remove it from those measures first.",
            division.measure_count,
        ) % {"name": division.name, "count": to_thai_digits(division.measure_count)})
        return redirect("orgs:divisions", request.org.slug)
    if request.method == "POST":
        try:
            services.delete_division(division, actor=request.user)
        except RefusedChange as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The division has been deleted."))
        return redirect("orgs:divisions", request.org.slug)
    return _page(request, "orgs/division_delete.html", "divisions", division=division)


# --- members --------------------------------------------------------------------------------------

def _members_page(request, invite_form=None, status=200):
    org = request.org
    members = Membership.objects.filter(organisation=org).select_related("user").annotate(
        # whether the member signs in with an authenticator app (twofactor/, django-otp)
        two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)),
    ).order_by("-is_active", "user__first_name", "user__username")
    invitations = Invitation.objects.pending().filter(organisation=org).select_related("invited_by")
    return render(request, "orgs/members.html", {
        "nav": "settings", "tab": "members", "members": members, "invitations": invitations,
        "invite_form": invite_form or InviteForm(), "now": timezone.now(),
    }, status=status)


@ADMIN
def members(request, org_slug):
    return _members_page(request)


def sent_message(request, sent: bool, email: str):
    if sent:
        messages.success(request, _("The invitation has been sent to %(email)s.") % {"email": email})
    else:
        messages.warning(request, _("The invitation to %(email)s has been saved, but the e-mail could not be "
                                    "sent. Try “Resend” later.") % {"email": email})


@ADMIN
@require_POST
def member_invite(request, org_slug):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation, sent = invitations.invite(request.org, actor=request.user, **form.cleaned_data)
        except RefusedChange as exc:
            form.add_error("email", exc.message)
        else:
            sent_message(request, sent, invitation.email)
            return redirect("orgs:members", request.org.slug)
    return _members_page(request, invite_form=form, status=400)


def _invitation(request, pk):
    return get_object_or_404(Invitation.objects.pending(), pk=pk, organisation=request.org)


@ADMIN
@require_POST
def invitation_resend(request, org_slug, pk):
    invitation = _invitation(request, pk)
    try:
        sent = invitations.resend(invitation, actor=request.user)
    except RefusedChange as exc:
        messages.error(request, exc.message)
    else:
        sent_message(request, sent, invitation.email)
    return redirect("orgs:members", request.org.slug)


@ADMIN
@require_POST
def invitation_revoke(request, org_slug, pk):
    invitation = _invitation(request, pk)
    try:
        invitations.revoke(invitation, actor=request.user)
    except RefusedChange as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation to %(email)s has been revoked; its link no longer works.")
                         % {"email": invitation.email})
    return redirect("orgs:members", request.org.slug)


@ADMIN
@require_POST
def member_password_reset(request, org_slug, pk):
    membership = get_object_or_404(Membership.objects.select_related("user", "organisation"), pk=pk,
                                   organisation=request.org)
    try:
        sent = invitations.send_password_reset(membership, actor=request.user)
    except RefusedChange as exc:
        messages.error(request, exc.message)
    else:
        if sent:
            messages.success(request, _("A link to choose a new password has been sent to %(name)s.")
                             % {"name": _display(membership.user)})
        else:
            messages.error(request, _("The e-mail could not be sent; try again later."))
    return redirect("orgs:member_edit", request.org.slug, membership.pk)


@ADMIN
def member_edit(request, org_slug, pk):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, organisation=request.org)
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_membership(membership, role=form.cleaned_data["role"],
                                       position=form.cleaned_data["position"], actor=request.user)
        except RefusedChange as exc:
            form.add_error("role", exc.message)
        else:
            messages.success(request, _("The membership has been saved."))
            return redirect("orgs:members", request.org.slug)
    return _page(request, "orgs/member_form.html", "members", form=form, membership=membership)


@ADMIN
@require_POST
def member_active(request, org_slug, pk):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, organisation=request.org)
    active = request.POST.get("active") == "1"
    try:
        services.set_membership_active(membership, active=active, actor=request.user)
    except RefusedChange as exc:
        messages.error(request, exc.message)
    else:
        if active:
            messages.success(request, _("%(name)s can use the workspace again.") % {"name": _display(membership.user)})
        else:
            messages.success(request, _("%(name)s no longer has access to the organisation.") % {
                "name": _display(membership.user)})
    return redirect("orgs:members", request.org.slug)


def _display(user):
    return user.get_full_name() or user.username
