"""The national picture: /stats/ and /stats/<province>/ (public/stats.py), charts with their tables, and the
same figures as open-data CSV (/stats/publication.csv, /stats/levels.csv; ?province= for one province)."""
from __future__ import annotations

import csv
import io

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.inert import inert_csv_row
from core.pagecache import mark_public
from core.thai import to_thai_digits
from orgs.models import Organisation

from . import charts
from .stats import SLOTS, picture


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def _context(p):
    fy = p.fiscal_years[0]
    slot_labels = {"measures": _("Measures plan"), "progress-6": _("6-month report"),
                   "progress-12": _("12-month report")}
    plan_chart = charts.bars(
        _("Share of organisations that published their measures plan, fiscal year %(fy)s")
        % {"fy": to_thai_digits(fy)},
        [(g.label, g.share(fy, "measures"), _percent(g.share(fy, "measures"))) for g in p.groups],
        maximum=1, chart_id="plans")
    year = p.assessment_years[0]
    level_chart = charts.bars(
        _("ITA levels, assessment year %(year)s") % {"year": to_thai_digits(year)},
        [(label, p.level_counts[year].get(label, 0), str(p.level_counts[year].get(label, 0)))
         for label in p.level_order[year]], chart_id="levels")
    score_chart = charts.bars(
        _("ITA scores, assessment year %(year)s") % {"year": to_thai_digits(year)},
        [(to_thai_digits(f"{int(low)}–{int(high)}"), n, str(n)) for low, high, n in p.score_bins[year]],
        chart_id="scores")
    averages = [g for g in p.groups if g.average is not None]
    average_chart = charts.bars(
        _("Average ITA score, assessment year %(year)s") % {"year": to_thai_digits(year)},
        [(g.label, float(g.average), f"{g.average}") for g in averages], maximum=100, chart_id="averages")
    slot_keys = [slot for slot, _k, _r in SLOTS]
    publication = [(fy_, [(g, [g.published.get((fy_, slot), 0) for slot in slot_keys]) for g in p.groups],
                    [(k, [k.published.get((fy_, slot), 0) for slot in slot_keys]) for k in p.kinds])
                   for fy_ in p.fiscal_years]
    level_tables = [(y, [(label, p.level_counts[y].get(label, 0)) for label in p.level_order[y]])
                    for y in p.assessment_years]
    return {
        "publication": publication, "level_tables": level_tables, "score_rows": p.score_bins[year],
        "p": p, "slots": [(slot, slot_labels[slot]) for slot, _k, _r in SLOTS], "plan_chart": plan_chart,
        "level_chart": level_chart, "score_chart": score_chart, "average_chart": average_chart,
        "averages": averages, "latest_year": year,
    }


@require_safe
def national(request):
    return mark_public(render(request, "public/stats.html", _context(picture())))


@require_safe
def province(request, province):
    if not Organisation.objects.filter(province=province).exists():
        raise Http404
    return mark_public(render(request, "public/stats.html", _context(picture(province))))


def _csv(name, header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(inert_csv_row(row) for row in rows)
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def publication_csv(request):
    p = picture(request.GET.get("province", ""))
    rows = []
    for group in [*p.groups, *p.kinds]:
        for fy in p.fiscal_years:
            rows.append([group.key, fy, group.organisations,
                         *[group.published.get((fy, slot), 0) for slot, _k, _r in SLOTS],
                         "" if group.average is None else f"{group.average}"])
    header = ["group", "fiscal_year", "organisations", *[slot for slot, _k, _r in SLOTS],
              f"average_score_{p.assessment_years[0]}"]
    return _csv("publication.csv", header, rows)


@require_safe
def levels_csv(request):
    p = picture(request.GET.get("province", ""))
    rows = [[year, label, p.level_counts[year].get(label, 0)] for year in p.assessment_years
            for label in p.level_order[year]]
    return _csv("levels.csv", ["assessment_year", "level", "organisations"], rows)
