from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.http import Http404
from django.shortcuts import redirect, render

from orgs.access import org_member_required
from orgs.models import Organisation

from . import dashboard as dashboard_data


@login_required
def workspace_start(request):
    """After sign-in: straight to the organisation, or a picker when the user has several."""
    organisations = list(Organisation.objects.for_user(request.user))
    if request.user.is_superuser and not organisations:
        organisations = list(Organisation.objects.all())
    if len(organisations) == 1:
        return redirect("dashboard", organisations[0].slug)
    return render(request, "core/workspace_start.html", {"organisations": organisations})


@org_member_required()
def dashboard(request, org_slug):
    """The organisation's fiscal year at a glance; ?year=<BE fiscal year>, default: see core.dashboard."""
    data = dashboard_data.build(request.org, request.GET.get("year"), role=request.membership.role,
                                user=request.user)
    return render(request, "core/dashboard.html", {
        "nav": "dashboard", "d": data, "fiscal_year": data.fiscal_year,
    })


def language(request, code):
    """Switch the language with a plain link (the public pages carry no CSRF token): set the cookie
    the locale middleware reads and go back to ``next`` (a local path only)."""
    from django.conf import settings
    from django.http import HttpResponseRedirect
    from django.utils.http import url_has_allowed_host_and_scheme

    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response


@cache_control(public=True, max_age=24 * 3600)
def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the static icon (base.html links it too)."""
    return HttpResponseRedirect(static("favicon.ico"))
