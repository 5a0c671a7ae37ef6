"""Weekly OIT reminders through ``send_due_reminders`` (reports/workflow/reminders.py; registered by OitConfig.ready).

During the OIT window of the current assessment year (from settings.OIT_WINDOW_START, "MM-DD", default
1 March, to OIT_WINDOW_END, default 30 June, in that year's Christian-era calendar: assessment year 2570
→ 2027), the staff and approvers of each organisation whose register has unanswered items or broken
links get one reminder a week (key ``oit:<org>:<year>:<ISO week>:<user>``), listing what is missing.
"""
from __future__ import annotations

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.thai import fiscal_year_of, to_thai_digits
from orgs.models import Membership, Organisation, Role

from .register import readiness_of_many


def window(year: int) -> tuple[date, date]:
    ce = year - 543
    start = getattr(settings, "OIT_WINDOW_START", "03-01")
    end = getattr(settings, "OIT_WINDOW_END", "06-30")
    return (date.fromisoformat(f"{ce}-{start}"), date.fromisoformat(f"{ce}-{end}"))


def candidates(today: date) -> list:
    from reports.workflow.notifications import absolute_url
    from reports.workflow.reminders import OTHER, Item

    year = fiscal_year_of(today)
    start, end = window(year)
    if not start <= today <= end:
        return []
    week = today.isocalendar()
    found = []
    members = (Membership.objects.filter(is_active=True, user__is_active=True, role__in=(Role.STAFF, Role.APPROVER))
               .select_related("user", "organisation").order_by("organisation_id", "user__username"))
    by_org: dict[int, list] = {}
    for membership in members:
        by_org.setdefault(membership.organisation_id, []).append(membership)
    orgs = list(Organisation.objects.filter(pk__in=by_org).order_by("name"))
    readiness = readiness_of_many(orgs, year)  # a fixed number of queries for every organisation at once
    for org in orgs:
        figures = readiness[org.pk]
        if not figures.missing_codes and not figures.broken:
            continue
        with translation.override("th"):
            title = _("OIT register of assessment year %(year)s (%(org)s)") % {
                "year": to_thai_digits(year), "org": org.name}
            detail = []
            if figures.missing_codes:
                detail.append(ngettext("%(n)s item has no answer yet: %(codes)s",
                                       "%(n)s items have no answer yet: %(codes)s", len(figures.missing_codes))
                              % {"n": to_thai_digits(len(figures.missing_codes)),
                                 "codes": ", ".join(figures.missing_codes)})
            if figures.broken:
                detail.append(ngettext("%(n)s link is broken", "%(n)s links are broken", figures.broken)
                              % {"n": to_thai_digits(figures.broken)})
        url = absolute_url(reverse("oit:register", args=[org.slug, year]))
        for membership in by_org[org.pk]:
            user = membership.user
            found.append((user, Item(key=f"oit:{org.pk}:{year}:{week.year}-W{week.week:02d}:{user.pk}", kind=OTHER,
                                     organisation=org, due=end, url=url, fiscal_year=year, title=title,
                                     detail=tuple(detail))))
    return found
