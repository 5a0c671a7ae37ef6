"""Province oversight (read-only): /w/province/ (the provinces of the user's scope), /w/province/<province>/
(the table of its organisations, filters, sorting, XLSX export), /w/province/<province>/o/<slug>/ (an
organisation's published documents and their history). Never drafts, entries or internal evidence."""
from __future__ import annotations

import io

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.inert import inert_xlsx_row
from core.thai import fiscal_year_of
from orgs.access import oversight_required, overseen_provinces
from orgs.models import Organisation, OrganisationKind
from reports.documents.links import document_path
from reports.models import Document, DocumentStatus, WorkflowEvent

from .rows_html import rows_html
from .table import COMPLETE, LATE, LINE_LABELS, LINES, ON_TIME, province_rows

SORTS = {
    "name": lambda r: r.organisation.name,
    "district": lambda r: (r.organisation.district, r.organisation.name),
    "score": lambda r: (-(r.score or -1), r.organisation.name),
    "late": lambda r: (-r.most_late, r.organisation.name),
}


def _fiscal_year(request) -> int:
    current = fiscal_year_of(timezone.localdate())
    try:
        year = int(request.GET.get("fy", current))
    except ValueError:
        return current
    return year if current - 5 <= year <= current else current


@oversight_required
def index(request):
    provinces = overseen_provinces(request.user)
    if provinces is None:
        provinces = set(Organisation.objects.values_list("province", flat=True).distinct())
    provinces = sorted(p for p in provinces if p)
    if len(provinces) == 1:
        return redirect("oversight:province", provinces[0])
    return render(request, "oversight/index.html", {"provinces": provinces, "nav": "oversight"})


def _filtered(request, province):
    fiscal_year = _fiscal_year(request)
    rows = province_rows(province, fiscal_year, timezone.localdate())
    districts = sorted({r.organisation.district for r in rows})
    district, kind, state = request.GET.get("district", ""), request.GET.get("kind", ""), request.GET.get("state", "")
    if district:
        rows = [r for r in rows if r.organisation.district == district]
    if kind:
        rows = [r for r in rows if r.organisation.kind == kind]
    if state in (COMPLETE, LATE, ON_TIME):
        rows = [r for r in rows if r.state == state]
    sort = request.GET.get("sort", "district")
    rows.sort(key=SORTS.get(sort, SORTS["district"]))
    return fiscal_year, rows, {"district": district, "kind": kind, "state": state, "sort": sort}, districts


@oversight_required
def province(request, province):
    fiscal_year, rows, chosen, districts = _filtered(request, province)
    if not rows and not Organisation.objects.filter(province=province).exists():
        raise Http404
    current = fiscal_year_of(timezone.localdate())
    return render(request, "oversight/province.html", {
        "nav": "oversight", "province": province, "fiscal_year": fiscal_year, "rows_html": rows_html(rows, province),
        "chosen": chosen,
        "districts": districts, "kinds": OrganisationKind.choices, "lines": LINES,
        "years": list(range(current, current - 6, -1)),
        "states": [(COMPLETE, _("complete")), (LATE, _("late")), (ON_TIME, _("on time"))],
        "query": request.GET.urlencode(),
    })


@oversight_required
def export(request, province):
    fiscal_year, rows, _chosen, _districts = _filtered(request, province)
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = str(fiscal_year)
    header = [_("Organisation"), _("District"), _("Kind"), *[str(LINE_LABELS[line]) for line in LINES],
              _("Latest score"), _("Days late (most)")]
    sheet.append(header)
    yes, no = _("yes"), _("no")
    for row in rows:
        org = row.organisation
        sheet.append([org.name, org.district, org.get_kind_display(),
                      *[yes if row.done[line] else no for line in LINES],
                      float(row.score) if row.score is not None else None, row.most_late or None])
        inert_xlsx_row(sheet[sheet.max_row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="oversight-{fiscal_year}.xlsx"'
    return response


@oversight_required
def organisation(request, province, org_slug):
    org = get_object_or_404(Organisation, slug=org_slug, province=province)
    documents = list(Document.objects.filter(organisation=org, status__in=(DocumentStatus.PUBLISHED,
                                                                          DocumentStatus.WITHDRAWN))
                     .without_snapshot().order_by("-fiscal_year", "kind", "round", "-revision"))
    for document in documents:
        document.organisation = org
        document.public_path = document_path(document)
    events = (WorkflowEvent.objects.filter(document__in=documents).select_related("document")
              .order_by("-at", "-pk")[:100])
    return render(request, "oversight/organisation.html", {
        "nav": "oversight", "province": province, "organisation": org, "documents": documents, "events": events,
    })
