from django.shortcuts import render

from orgs.access import org_member_required

from .models import AssessmentResult


@org_member_required()
def result_list(request, org_slug):
    results = AssessmentResult.objects.for_org(request.org).select_related("year")
    return render(request, "ita/result_list.html", {"nav": "results", "results": results})
