"""Open data (no sign-in): CSV files of the organisations and of their ITA results.

    /opendata/organisations.csv   slug, name, kind, kind_label, district, province, website, public_url
    /opendata/results.csv         organisation, year, scale, total, IIT, EIT, OIT, official_level,
                                  official_level_text

The results are the confirmed ones only, with their confirmed figures (``AssessmentResult.public_view``):
a result an approver has not confirmed is not published; a correction not yet confirmed keeps the
confirmed figures.

UTF-8 with a byte-order mark (so Excel opens the Thai text correctly), comma-separated, one header row
of English keys. Numbers are plain (Arabic digits, a dot as decimal separator, two decimals; empty when
not entered), years Buddhist era. ``official_level`` is the level on the scale of that year (AA…F up to
2565, ``excellent`` / ``good`` / ``pass`` / ``improve`` / ``urgent`` from 2566), ``official_level_text``
the same in Thai. Sent as an attachment, cacheable by anyone for an hour. A fixed number of queries.
"""
from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from core.inert import inert_csv_row

from ita.models import AssessmentResult, LevelScale
from orgs.models import Organisation
from reports.documents.data import NEW_LEVEL_TEXT

from reports.documents.links import absolute

CACHE_SECONDS = 3600
TOOL_CODES = ("IIT", "EIT", "OIT")
ORGANISATION_COLUMNS = ("slug", "name", "kind", "kind_label", "district", "province", "website", "public_url")
RESULT_COLUMNS = ("organisation", "year", "scale", "total", *TOOL_CODES, "official_level", "official_level_text")


def _csv_response(filename: str, header, rows) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(inert_csv_row(row) for row in rows)
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response


def _number(value) -> str:
    return "" if value is None else f"{value:.2f}"


def organisation_rows():
    with translation.override("th"):
        return [
            [org.slug, org.name, org.kind, str(org.get_kind_display()), org.district, org.province, org.website,
             absolute(reverse("public:organisation", args=[org.slug]))]
            for org in Organisation.objects.order_by("province", "district", "name", "slug")
        ]


def result_rows():
    results = (
        AssessmentResult.objects.with_public_figures().select_related("organisation", "year")
        .order_by("organisation__slug", "year__year")
    )
    rows = []
    for result in (r.public_view() for r in results):
        tools = result.tool_score_map()
        level = result.official_level
        level = "" if level is None else str(level)
        text = level if result.year.scale == LevelScale.OLD else NEW_LEVEL_TEXT.get(level, "")
        rows.append([result.organisation.slug, result.year.year, result.year.scale, _number(result.total_score),
                     *(_number(tools.get(code)) for code in TOOL_CODES), level, text])
    return rows


@require_safe
def organisations_csv(request):
    return _csv_response("ita-organisations.csv", ORGANISATION_COLUMNS, organisation_rows())


@require_safe
def results_csv(request):
    return _csv_response("ita-results.csv", RESULT_COLUMNS, result_rows())
