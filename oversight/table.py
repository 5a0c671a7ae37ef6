"""The province table: one row per organisation of a province with the state of its fiscal year (result
confirmed, measures plan, 6- and 12-month reports published, OIT register readiness), its latest confirmed
score and level, and how late each overdue item is. From published and confirmed data only, in a fixed
number of queries whatever the number of organisations."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from core.cycle_dates import due_dates
from ita.models import AssessmentResult, OITItem
from oit.models import Health, Register, RegisterStatus, Row
from orgs.models import Organisation
from reports.documents.portal_answers import document_slots
from reports.models import Document, DocumentKind, DocumentStatus

LINES = ("result", "measures", "progress-6", "progress-12", "oit")
LINE_LABELS = {
    "result": _("ITA result confirmed"), "measures": _("Measures plan published"),
    "progress-6": _("6-month report published"), "progress-12": _("12-month report published"),
    "oit": _("OIT register ready"),
}
COMPLETE, LATE, ON_TIME = "complete", "late", "on_time"


@dataclass
class OrgRow:
    organisation: Organisation
    done: dict = field(default_factory=dict)  # line -> bool
    late_days: dict = field(default_factory=dict)  # line -> days overdue (only overdue lines)
    register: dict | None = None  # {"answered", "items", "broken", "confirmed"}
    score: Decimal | None = None  # the latest confirmed total score, as the public sees it
    latest_year: int | None = None  # its assessment year

    @property
    def state(self) -> str:
        if all(self.done.values()):
            return COMPLETE
        return LATE if self.late_days else ON_TIME

    @property
    def cells(self) -> list[tuple[str, bool, int | None]]:
        """(line, done, days late or None) in the order of LINES."""
        return [(line, self.done[line], self.late_days.get(line)) for line in LINES]

    @property
    def most_late(self) -> int:
        return max(self.late_days.values(), default=0)


def province_rows(province: str, fiscal_year: int, today: date) -> list[OrgRow]:
    """Six queries: organisations, OIT rows left unanswered that a portal document may answer, published
    documents, confirmed results, OIT registers, their rows' counts. An OIT item counts as answered as on
    the staff page (oit.register.readiness): the organisation answered it in its register, or a published
    document of the portal answers it."""
    orgs = list(Organisation.objects.filter(province=province).order_by("district", "name")
                .only("pk", "name", "slug", "district", "province", "kind"))
    rows = {org.pk: OrgRow(org) for org in orgs}
    if not rows:
        return []
    waiting = list(
        Row.objects.filter(register__organisation__province=province, register__year=fiscal_year,
                           answers__isnull=True, item__isnull=False)
        .exclude(item__portal_documents="")
        .values("register_id", "register__organisation_id", "item__portal_documents",
                "item__portal_document_fy_offset"))
    years = {fiscal_year} | {fiscal_year + w["item__portal_document_fy_offset"] for w in waiting}
    published = set(
        Document.objects.filter(organisation__province=province, fiscal_year__in=years,
                                status=DocumentStatus.PUBLISHED)
        .values_list("organisation_id", "fiscal_year", "kind", "round"))
    by_portal: dict[int, int] = {}  # register -> rows answered by a published portal document only
    for w in waiting:
        item = OITItem(portal_documents=w["item__portal_documents"])
        year = fiscal_year + w["item__portal_document_fy_offset"]
        if any((w["register__organisation_id"], year, kind, round_) in published
               for kind, round_, _expected in document_slots(item)):
            by_portal[w["register_id"]] = by_portal.get(w["register_id"], 0) + 1
    latest = {}  # organisation -> (assessment year, confirmed total) of its latest confirmed result
    for result in (AssessmentResult.objects.with_public_figures().filter(organisation__province=province)
                   .order_by("organisation_id", "-year__year").values("organisation_id", "year__year",
                                                                         "public_total")):
        if result["public_total"] is not None:
            latest.setdefault(result["organisation_id"], (result["year__year"], result["public_total"]))
    registers = {r["organisation_id"]: r for r in Register.objects.filter(
        organisation__province=province, year=fiscal_year).values("organisation_id", "status", "pk")}
    row_counts = {r["register_id"]: r for r in Row.objects.filter(
        register__organisation__province=province, register__year=fiscal_year).values("register_id").annotate(
        items=Count("pk", distinct=True),
        answered=Count("pk", filter=Q(answers__isnull=False), distinct=True),
        broken=Count("answers", filter=Q(answers__health=Health.BROKEN), distinct=True))}
    due = due_dates(fiscal_year)
    for org_id, row in rows.items():
        if org_id in latest:
            row.latest_year, total = latest[org_id]
            row.score = Decimal(str(total))
        row.done["result"] = row.latest_year == fiscal_year - 1
        row.done["measures"] = (org_id, fiscal_year, DocumentKind.MEASURES, 0) in published
        row.done["progress-6"] = (org_id, fiscal_year, DocumentKind.PROGRESS, 6) in published
        row.done["progress-12"] = (org_id, fiscal_year, DocumentKind.PROGRESS, 12) in published
        register = registers.get(org_id)
        counts = row_counts.get(register["pk"]) if register else None
        if register is not None and counts is not None:
            answered = counts["answered"] + by_portal.get(register["pk"], 0)
            row.register = {"items": counts["items"], "answered": answered, "broken": counts["broken"],
                            "confirmed": register["status"] == RegisterStatus.CONFIRMED}
            row.done["oit"] = (row.register["confirmed"] and not row.register["broken"]
                               and row.register["answered"] == row.register["items"])
        else:
            row.done["oit"] = False
        for line in LINES:
            if not row.done[line] and today > due[line]:
                row.late_days[line] = (today - due[line]).days
    return list(rows.values())
