from django.shortcuts import render

from orgs.access import org_member_required

from .models import Document


@org_member_required()
def index(request, org_slug):
    documents = Document.objects.for_org(request.org).order_by("-fiscal_year", "kind", "round")
    return render(request, "reports/index.html", {"nav": "documents", "documents": documents})
