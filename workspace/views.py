from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from orgs.access import org_member_required
from orgs.models import Organisation, Role
from reports.models import Document, DocumentStatus

from . import dashboard as dashboard_data


@login_required
def workspace_start(request):
    """After sign-in: straight to the organisation, or a picker when the user has several."""
    organisations = list(Organisation.objects.for_user(request.user))
    if request.user.is_superuser and not organisations:
        organisations = list(Organisation.objects.all())
    oversees = request.user.is_superuser or request.user.oversight_scopes.exists()
    if len(organisations) == 1 and not oversees:
        return redirect("dashboard", organisations[0].slug)
    if not organisations and oversees:
        return redirect("oversight:index")  # a province office: its oversight pages
    return render(request, "workspace/workspace_start.html", {"organisations": organisations, "oversees": oversees})


@org_member_required()
def dashboard(request, org_slug):
    """The organisation's fiscal year at a glance; ?year=<BE fiscal year>, default: see workspace.dashboard."""
    data = dashboard_data.build(request.org, request.GET.get("year"), role=request.membership.role,
                                user=request.user)
    failed_pdfs = []
    # The background tries to store these PDFs failed (reports/workflow/tasks.py).
    if request.membership.role == Role.ADMIN:
        failed_pdfs = list(Document.objects.for_org(request.org).filter(
            pdf_failed_at__isnull=False, pdf_file="", status__in=(DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN),
        ).order_by("-fiscal_year", "kind", "round", "revision"))
    return render(request, "workspace/dashboard.html", {
        "nav": "dashboard", "d": data, "fiscal_year": data.fiscal_year, "failed_pdfs": failed_pdfs,
    })
