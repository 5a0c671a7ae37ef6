"""The organisation administrator's history page: what changed in measures, steps, progress entries
and evidence, field by field (the logic is in workspace/history.py)."""
from django.shortcuts import render

from orgs.access import org_member_required
from orgs.models import Role

from .history import KINDS, fiscal_years, history_page, parse_year


@org_member_required(Role.ADMIN)
def history(request, org_slug):
    org = request.org
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    year = parse_year(request.GET.get("year"))
    page = history_page(org, kind=kind, fiscal_year=year, page=request.GET.get("page"))
    years = fiscal_years(org)
    if year and year not in years:
        years = sorted([*years, year], reverse=True)
    return render(request, "workspace/history.html", {
        "nav": "settings", "tab": "history", "page_obj": page, "rows": page.rows,
        "kinds": list(KINDS.items()), "kind": kind, "years": years, "year": year,
    })
