from django.contrib.auth.decorators import login_required
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
    return render(request, "workspace/workspace_start.html", {"organisations": organisations})


@org_member_required()
def dashboard(request, org_slug):
    """The organisation's fiscal year at a glance; ?year=<BE fiscal year>, default: see workspace.dashboard."""
    data = dashboard_data.build(request.org, request.GET.get("year"), role=request.membership.role,
                                user=request.user)
    return render(request, "workspace/dashboard.html", {
        "nav": "dashboard", "d": data, "fiscal_year": data.fiscal_year,
    })
