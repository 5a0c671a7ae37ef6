"""/invitation/<token>/: the invitee's page (no sign-in needed to open it). A signed-in account accepts
with one button; anyone else creates an account (username, name, password) or signs in first and comes
back. The page is the same whether or not the invitation's address has an account in the installation.
An unusable link (used, replaced, revoked, expired, unknown) gets one answer (404)."""
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.errors import RefusedChange

from . import invitations
from .forms import AcceptForm

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _invalid(request):
    return render(request, "orgs/invitation_invalid.html", status=404)


@never_cache
def accept(request, token):
    invitation = invitations.usable_invitation(token)
    if invitation is None:
        return _invalid(request)
    org = invitation.organisation
    form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                invitations.accept_as(token, user=request.user)
            except RefusedChange:
                return _invalid(request)
            messages.success(request, _("Welcome to %(name)s.") % {"name": org.name})
            return redirect("dashboard", org.slug)
    else:
        form = AcceptForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            try:
                user = invitations.accept_with_new_account(
                    token, username=form.cleaned_data["username"], password=form.cleaned_data["password1"],
                    first_name=form.cleaned_data["first_name"], last_name=form.cleaned_data["last_name"])
            except RefusedChange:
                return _invalid(request)
            login(request, user, backend=BACKEND)
            messages.success(request, _("Welcome to %(name)s.") % {"name": org.name})
            return redirect("dashboard", org.slug)
    status = 400 if form is not None and form.is_bound else 200
    return render(request, "orgs/invitation_accept.html", {
        "invitation": invitation, "organisation": org, "form": form,
    }, status=status)
