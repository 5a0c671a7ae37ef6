from django.shortcuts import render

from orgs.access import org_member_required

from .models import Measure


@org_member_required()
def index(request, org_slug):
    measures = Measure.objects.for_org(request.org).order_by("-fiscal_year", "order")
    return render(request, "measures/index.html", {"nav": "measures", "measures": measures})
