"""The organisation's year at a glance: the checklist of a fiscal year and the documents waiting in the
workflow (the approver's inbox). Pure reading; workspace/dashboard.py gathers the rows in a fixed number of
queries and calls these functions.

The checklist of fiscal year *n* (due dates are the portal's own defaults, see ``due_dates``):

- the ITA result of assessment year *n*−1 entered and confirmed by an approver (``_result_line``), by
  31 October (the first month of the fiscal year: the results are announced about August);
- the analysis of that result published (a separate analysis document, or the measures plan, which opens
  with the analysis), and the measures plan approved and published, by 31 December: before the OIT
  assessment window opens (March);
- the 6-month report published by 30 April (the month after its round, before the OIT window closes);
- the 12-month report published by 31 October after the fiscal year has ended (so the line of FY *n*
  is due in FY *n*+1);
- every OIT item of assessment year *n* that the portal answers has its published document, of the fiscal
  year the catalogue names (``_oit_line``, ``reports.documents.portal_answers``), by 30 April.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.cycle_dates import due_dates  # noqa: F401  (re-exported: cycle.due_dates)
from core.thai import to_thai_digits
from ita.catalogue_queries import catalogue_items, catalogue_of, provisional_text
from orgs.access import ROLE_RANK
from orgs.models import Role
from reports.documents.portal_answers import portal_answers
from reports.models import Document, DocumentKind, DocumentStatus

DONE, DUE, OVERDUE = "done", "due", "overdue"
STATE_LABELS = {DONE: _("Done"), DUE: _("To do"), OVERDUE: _("Overdue")}
WAITING = (DocumentStatus.SUBMITTED, DocumentStatus.APPROVED)


@dataclass
class ChecklistLine:
    key: str
    label: str
    due: date
    done: bool
    today: date
    url: str  # the staff page where it is done
    document: Document | None = None  # the latest revision of the document of the line
    public_url: str = ""  # the public page of the published document
    note: str = ""  # a short explanation (plain text, already translated)
    items: list = field(default_factory=list)  # the OIT line: [(code, title, answered)]

    @property
    def state(self) -> str:
        if self.done:
            return DONE
        return OVERDUE if self.today > self.due else DUE

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def latest_documents(documents) -> dict[tuple[str, int], Document]:
    """{(kind, round): the highest revision} of the documents of one fiscal year."""
    latest: dict[tuple[str, int], Document] = {}
    for doc in sorted(documents, key=lambda d: d.revision):
        latest[(doc.kind, doc.round)] = doc
    return latest


def _published(document: Document | None) -> bool:
    return document is not None and document.status == DocumentStatus.PUBLISHED


def _public_url(document: Document | None) -> str:
    from reports.documents.links import document_path

    return document_path(document) if _published(document) else ""


def _result_line(result) -> tuple[bool, str]:
    """Whether the ITA result line is done (entered and its current figures confirmed by an approver, so
    they are public), and a note."""
    if result is None:
        return False, str(_("Not entered yet."))
    if result.is_confirmed:
        return True, str(_("Entered and confirmed."))
    if result.correction_pending:
        return False, str(_("A correction waits for an approver's confirmation (the public sees the confirmed figures)."))
    return False, str(_("Entered; waits for an approver's confirmation before it is public."))


def _oit_line(org, fiscal_year: int, catalogue=None, items=None):
    """Whether every OIT item of assessment year ``fiscal_year`` that the portal answers has its published
    document, of the fiscal year the catalogue names for it (``portal_document_fy_offset``: the 12-month
    report of the year before, for instance): (done, [(code, title, answered)], catalogue). An item is
    answered when every document ITAS expects for it is published. Three queries."""
    catalogue = catalogue if catalogue is not None else catalogue_of(fiscal_year)
    items = items if items is not None else catalogue_items(catalogue)
    answers = portal_answers(org, fiscal_year, items=items)
    by_item = {}
    for answer in answers:
        by_item.setdefault(answer.item.pk, (answer.item, []))[1].append(answer)
    rows = []
    for item, item_answers in by_item.values():
        expected = [a for a in item_answers if a.expected] or item_answers
        rows.append((item.code, item.title, all(a.document is not None for a in expected)))
    return all(answered for _code, _title, answered in rows), rows, catalogue, answers


def checklist(org, fiscal_year: int, documents, results, on: date) -> list[ChecklistLine]:
    """The lines of the year. ``documents``: every document of the fiscal year; ``results``: the
    organisation's ITA results (with their years)."""
    slug = org.slug
    due = due_dates(fiscal_year)
    latest = latest_documents(documents)
    index_url = reverse("reports:index", args=[slug])

    def doc_url(document):
        return reverse("reports:detail", args=[slug, document.pk]) if document else index_url

    lines = []
    result = next((r for r in results if r.year.year == fiscal_year - 1), None)
    done, note = _result_line(result)
    result_url = (reverse("ita:result_detail", args=[slug, fiscal_year - 1]) if result
                  else reverse("ita:results", args=[slug]))
    lines.append(ChecklistLine(
        "result", str(_("ITA result of assessment year %(year)s entered and confirmed")
                      % {"year": to_thai_digits(fiscal_year - 1)}),
        due["result"], done, on, result_url, note=note,
    ))

    analysis = latest.get((DocumentKind.ANALYSIS, 0))
    plan = latest.get((DocumentKind.MEASURES, 0))
    analysis_note = ""
    if not _published(analysis) and _published(plan):
        analysis_note = str(_("The published measures plan opens with the analysis."))
    lines.append(ChecklistLine(
        "analysis", str(_("Analysis of the ITA result approved and published")), due["analysis"],
        _published(analysis) or _published(plan), on, doc_url(analysis or plan), analysis,
        _public_url(analysis) or (_public_url(plan) if analysis_note else ""), analysis_note,
    ))
    lines.append(ChecklistLine(
        "measures", str(_("Measures plan approved and published")), due["measures"], _published(plan), on,
        doc_url(plan), plan, _public_url(plan),
    ))
    for round_ in (6, 12):
        report = latest.get((DocumentKind.PROGRESS, round_))
        label = (_("6-month report approved and published") if round_ == 6
                 else _("12-month report approved and published"))
        lines.append(ChecklistLine(
            f"progress-{round_}", str(label), due[f"progress-{round_}"], _published(report), on,
            doc_url(report), report, _public_url(report),
        ))

    catalogue = catalogue_of(fiscal_year)
    catalogue_items_ = catalogue_items(catalogue)  # read once for both OIT lines
    done, items, catalogue, portal = _oit_line(org, fiscal_year, catalogue, catalogue_items_)
    if not items:
        note = str(_("The catalogue names no OIT item that the portal's documents answer."))
    elif catalogue.provisional:
        note = provisional_text(fiscal_year, catalogue.based_on)
    else:
        note = ""
    lines.append(ChecklistLine(
        "oit", str(_("Every OIT item the portal answers has a published document")), due["oit"], done, on,
        reverse("public:itas", args=[slug, fiscal_year]), note=note, items=items,
    ))
    lines.append(_register_line(org, fiscal_year, due["oit"], on, catalogue, portal, catalogue_items_))
    return lines


def _register_line(org, fiscal_year: int, due: date, on: date, catalogue, portal, items) -> ChecklistLine:
    """The OIT register of assessment year ``fiscal_year``: every item answered (by the organisation or the
    portal), no broken link, confirmed by an approver (oit.register.readiness_of; a few queries)."""
    from oit.register import readiness_of

    figures = readiness_of(org, fiscal_year, catalogue=catalogue, portal=portal, items=items)
    parts = [str(_("%(answered)s of %(items)s items answered") % {
        "answered": to_thai_digits(figures.answered), "items": to_thai_digits(figures.items)})]
    if figures.broken:
        parts.append(str(ngettext("%(n)s link is broken", "%(n)s links are broken", figures.broken)
                         % {"n": to_thai_digits(figures.broken)}))
    parts.append(str(_("confirmed by an approver") if figures.confirmed else _("not confirmed yet")))
    done = bool(figures.items) and figures.answered == figures.items and not figures.broken and figures.confirmed
    return ChecklistLine(
        "oit-register", str(_("OIT register: every item answered, its links open, confirmed")), due, done, on,
        reverse("oit:register", args=[org.slug, fiscal_year]), note=" · ".join(parts),
    )


# --- documents waiting in the workflow ------------------------------------------------------------

@dataclass
class WaitingDocument:
    document: Document
    for_me: bool  # the user decides: approve or return (submitted), or publish (approved)
    own_submission: bool  # submitted by the user, and the organisation wants another approver

    @property
    def action_label(self) -> str:
        if self.document.status == DocumentStatus.SUBMITTED:
            return str(_("Approve or return"))
        return str(_("Publish"))


def waiting_documents(org, role: str | None, user, documents) -> list[WaitingDocument]:
    """``documents``: every document of the organisation that is submitted or approved but not yet published
    (read with the dashboard's documents), oldest submission first. For an approver (or organisation
    admin), ``for_me`` says which wait for their decision (the rules of reports.workflow.rules.allowed_actions)."""
    approver = role is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[Role.APPROVER]
    rows = []
    for document in sorted(documents, key=lambda d: (d.submitted_at is None, d.submitted_at or 0, d.pk)):
        own = (approver and document.status == DocumentStatus.SUBMITTED and not org.allow_self_approval
               and user is not None and document.submitted_by_id == user.pk)
        rows.append(WaitingDocument(document, approver and not own, own))
    return rows
