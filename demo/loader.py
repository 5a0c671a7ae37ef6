"""Load the demo organisations from demo/data/*.json. Demo only: nothing else depends on this app.

The data is transcribed from the seed documents (text extracted from real PDF reports of Thai
municipalities, see tests/data/seeds/); what is invented is said in each file's "notes" and in the
results' "invented"/"notes". Idempotent: every row is matched on a natural key and saved only when a
value differs, so loading twice creates nothing and changes nothing. Everything runs in one
transaction.

Schema of one file (all keys required unless marked optional)::

    {
      "notes": [str, ...],                          # optional, free text, ignored by the loader
      "organisation": {"slug", "kind" (orgs.models.OrganisationKind value), "name", "district",
                       "province", "website", "phone", "address", "default_layout" ("A"|"B"|"C")},
      "divisions": [name, ...],                     # in display order
      "users": [{"username", "first_name", "last_name", "role" (orgs.models.Role value), "position",
                 "email" (optional; the demo users have <username>@example.org, a reserved domain)}],
      "invitations": [{"email", "role", "position", "invited_by" (a username of this file)}],  # optional:
                                                    # pending invitations (no e-mail is sent; the link is unknown)
      "results": [{
          "year": 2567,                             # ITA assessment year (B.E.), must be in the catalogue
          "total": "99.81", "tools": {"IIT": "..", "EIT": "..", "OIT": ".."},
          "indicators": {"1": "..", ..., "10": ".."},          # indicator number -> score
          "oit_items": {"O17": {"score": "0.00", "remark": ".."}},   # optional; or {"O17": "0.00"}
          "invented": true, "notes": "..", "summary": "..",    # summary optional
          "confirmed": true                         # optional, default true: see "Results" below
      }],
      "fiscal_years": [{                            # as many fiscal years as the organisation has, in order
          "fiscal_year": 2568,                      # B.E.; its measures link to catalogue year fiscal_year - 1
          "measures": [{
              "group_heading", "title", "guideline" (lines separated by "\n"), "weakness",
              "tools": ["IIT"], "indicators": [2], "oit_items": ["O17"], "divisions": [division names],
              "responsible_text", "start_month": "2024-10" | null, "end_month": "2025-03" | null,
              "timeline_text", "report_rounds": [6, 12], "monitoring" (lines separated by "\n"),
              "steps": [{"label" ("" = automatic numbering), "text", "due_date": "YYYY-MM-DD" (optional),
                         "sub_items": [{"label", "text", "due_date"}] (optional)}],
              "copied_from": {"fiscal_year": 2568, "measure": index into that year's "measures"}  # optional;
                                            # that fiscal year must come earlier in the file
          }],
          "documents": [{
              "kind" ("analysis"|"measures"|"progress"), "round" (0|3|6|9|12), "title", "intro",
              "preamble" (paragraphs separated by an empty line), "layout",
              "month_style" ("full"|"abbr", optional, default "full"),
              "columns" (optional, layout A: [{"key", "heading"}] in order, see reports.documents.data),
              "signer_name",
              "signer_position", "signer_role", "created_by" (a username of this file, optional;
              required with "workflow"),
              "memo": null | {"department", "reference", "date": "YYYY-MM-DD", "subject", "addressee",
                              "through" (optional, the ผ่าน line),
                              "body" (paragraphs separated by an empty line), "closing",
                              "signer_name", "signer_position"},
              "entries": [{"measure": index into this fiscal year's "measures", "output", "outcome",
                           "status" (reports.models.EntryStatus value),  # output/outcome: one paragraph a line
                           "evidence": [{"title", "public": bool, and "url" (a link) or "file" (a file
                                         name: a one-page PDF of the title and "text" is made)}]
                                       # optional, invented; added only to an entry that has none yet
                          }],
              "workflow": {"submitted": "YYYY-MM-DD", "approved": "YYYY-MM-DD", "published": "YYYY-MM-DD",
                           "approved_by": a username of this file (an approver or admin, not
                           "created_by"),
                           "publish_memo": bool (optional; default: true when the document has a memo)}
                                            # optional; dates in this order (equal is fine); "published"
                                            # (or "approved" and "published") may be left out: the
                                            # document then stays submitted (or approved), waiting
                                            # for the demo users; "approved_by" only with "approved"
          }]
      }]
    }

Natural keys: organisation slug; division (organisation, name); username; membership (user,
organisation); result (organisation, year); measure (organisation, fiscal_year, order = index + 1);
document (organisation, fiscal_year, kind, round, revision 1); entry (document, measure). A measure's
steps are replaced only when they differ. A document that has left the draft status is not touched.

Results: a new result gets an "entered" event by the file's first staff user, and every result is
confirmed through ita.services.confirm_result by the file's first approver (else its admin), so the
public pages show it; a result with "confirmed": false is left awaiting confirmation (the approver's
confirm button shows in the workspace). When the file's figures differ from the confirmed ones (the
data was edited), the result's version moves on and the new figures are confirmed again.
New documents are created as drafts, with a "create" WorkflowEvent by their "created_by".

A document with a "workflow" goes through the real workflow of reports.workflow.transitions when it is a draft that
never entered the workflow (no event other than "create"): submit_document by its "created_by",
approve_document by "approved_by" (this freezes the snapshot from the data just loaded) and
publish_document by the same approver, all with notify=False (no e-mail); publication queues the
rendering of the stored PDF for the background worker after the commit (reports/workflow/tasks.py; `make run`
runs one; `rerender_published --missing-only` renders them all at once), as far as the workflow's dates go (a workflow with only "submitted" leaves
the document submitted, in the approver's inbox). Each step is dated (transitions.happened_at) with the
given dates at 10:00 Asia/Bangkok (the create event with the submitted date): the events are append-only
and hash-chained (core/audit.py), so they are written with their date, never back-dated. Once it has left
the draft status, a document is left alone on later runs, so loading twice runs no workflow and sends
nothing (and what the demo users did with it since stays).

A measure's "copied_from" sets Measure.copied_from (as the copy page of measures does), so the copy
page knows which measures of the earlier year already have a copy.
"""
from __future__ import annotations

import json
import secrets
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.db.models import F

from core import datacache
from core.loading import LoadStats, upsert

from ita.models import (
    AssessmentResult,
    AssessmentYear,
    Indicator,
    IndicatorScore,
    OITItem,
    OITItemScore,
    ResultAction,
    ResultEvent,
    Tool,
    ToolScore,
)
from measures.models import Measure, MeasureStep
from orgs.models import Division, Invitation, Membership, Organisation
from reports.entries import services as entry_services
from reports.models import Document, DocumentStatus, Memo, ProgressEntry, WorkflowAction, WorkflowEvent
from reports.workflow import rules, transitions

DATA_DIR = Path(__file__).resolve().parent / "data"
ORG_FILES = ("phaktob", "danchang", "nongsamet")
ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@example.org"
# The demo's province office (invented): read-only oversight of the demo organisations' provinces.
OVERSEER_USERNAME = "somsak"
WORKFLOW_TIME = time(10, 0)
WORKFLOW_TZ = ZoneInfo("Asia/Bangkok")


class DemoDataError(Exception):
    pass


# --- helpers ------------------------------------------------------------------------------------

def _month(value):
    if not value:
        return None
    year, month = (int(part) for part in value.split("-")[:2])
    return date(year, month, 1)


def _date(value):
    return date.fromisoformat(value) if value else None


def _set_m2m(stats: LoadStats, obj, name: str, targets):
    manager = getattr(obj, name)
    wanted = {t.pk for t in targets}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(targets)
        if not getattr(obj, "_loader_created", False):
            stats.updated[f"{obj._meta.model_name}.{name}"] += 1


def _ensure_password(stats: LoadStats, user, password: str):
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
        if not getattr(user, "_loader_created", False):
            stats.updated["user.password"] += 1


def ensure_catalogue():
    """The measures and results refer to the ITA catalogue: load it when the database has none."""
    if not AssessmentYear.objects.exists():
        call_command("load_ita_catalogue")


# --- catalogue look-ups ---------------------------------------------------------------------------

class _Catalogue:
    def __init__(self):
        self.tools = {t.code: t for t in Tool.objects.all()}
        self.years = {y.year: y for y in AssessmentYear.objects.all()}

    def tool(self, code):
        try:
            return self.tools[code]
        except KeyError:
            raise DemoDataError(f"unknown tool {code!r}") from None

    def year(self, year):
        try:
            return self.years[int(year)]
        except KeyError:
            raise DemoDataError(f"assessment year {year} is not in the ITA catalogue") from None

    def indicator(self, year, number):
        obj = Indicator.objects.filter(year__year=year, number=int(number)).first()
        if obj is None:
            raise DemoDataError(f"indicator {number} of {year} is not in the ITA catalogue")
        return obj

    def oit_item(self, year, code):
        obj = OITItem.objects.filter(year__year=year, code=code).first()
        if obj is None:
            raise DemoDataError(f"OIT item {code} of {year} is not in the ITA catalogue")
        return obj


# --- loading ----------------------------------------------------------------------------------------

def read_data(name: str) -> dict:
    with (DATA_DIR / f"{name}.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def _load_users(stats, org, users, password):
    User = get_user_model()
    by_username = {}
    for row in users:
        user = upsert(
            stats, User, {"username": row["username"]},
            {"first_name": row["first_name"], "last_name": row["last_name"], "email": row.get("email", ""),
             "is_active": True},
        )
        _ensure_password(stats, user, password)
        upsert(
            stats, Membership, {"user": user, "organisation": org},
            {"role": row["role"], "position": row.get("position", ""), "is_active": True},
        )
        by_username[user.username] = user
    return by_username


def _first_with_role(rows, users, *roles):
    for role in roles:
        for row in rows:
            if row["role"] == role:
                return users[row["username"]]
    return None


def _confirm_results(stats, org, loaded, user_rows, users):
    """Confirm the loaded results by the demo approver (see "Results" in the module's docstring)."""
    from ita import services as results

    entered_by = _first_with_role(user_rows, users, "staff", "admin", "approver")
    approver = _first_with_role(user_rows, users, "approver", "admin")
    for result, row in loaded:
        result = AssessmentResult.objects.select_related("organisation", "year").get(pk=result.pk)
        if not result.events.exists():
            ResultEvent.objects.create(result=result, action=ResultAction.ENTER, version=result.version,
                                       actor=entered_by, actor_name=results.actor_name(entered_by))
            stats.created["resultevent"] += 1
        if not row.get("confirmed", True) or approver is None:
            continue
        if result.is_confirmed:
            if results.same_figures(results.snapshot_of(result), result.confirmed_snapshot):
                continue
            # DEMO ONLY: the figures were loaded by upsert (no version bump): a new version to confirm.
            AssessmentResult.objects.filter(pk=result.pk).update(version=F("version") + 1)
            result.refresh_from_db(fields=["version"])
        try:
            results.confirm_result(result, actor=approver, expected_version=result.version)
        except results.ResultError as exc:
            raise DemoDataError(f"{org.slug} result {result.year.year}: {exc.message}") from exc
        stats.updated["result.confirmed"] += 1


def _load_results(stats, org, results, cat):
    loaded = []
    for row in results:
        year = cat.year(row["year"])
        result = upsert(
            stats, AssessmentResult, {"organisation": org, "year": year},
            {"total_score": Decimal(row["total"]), "summary": row.get("summary", ""), "notes": row.get("notes", "")},
        )
        for code, score in row.get("tools", {}).items():
            upsert(stats, ToolScore, {"result": result, "tool": cat.tool(code)}, {"score": Decimal(score)})
        for number, score in row.get("indicators", {}).items():
            upsert(
                stats, IndicatorScore, {"result": result, "indicator": cat.indicator(year.year, number)},
                {"score": Decimal(score)},
            )
        for code, item in row.get("oit_items", {}).items():
            item = item if isinstance(item, dict) else {"score": item}
            upsert(
                stats, OITItemScore, {"result": result, "item": cat.oit_item(year.year, code)},
                {"score": Decimal(item["score"]), "remark": item.get("remark", "")},
            )
        loaded.append((result, row))
    return loaded


def _wanted_steps(rows):
    """[(top_index, sub_index or None, label, text, due_date)] in order."""
    out = []
    for i, row in enumerate(rows):
        out.append((i, None, row.get("label", ""), row["text"], _date(row.get("due_date"))))
        for j, sub in enumerate(row.get("sub_items", [])):
            out.append((i, j, sub.get("label", ""), sub["text"], _date(sub.get("due_date"))))
    return out


def _existing_steps(measure):
    out = []
    for i, step in enumerate(measure.top_steps()):
        out.append((i, None, step.label, step.text, step.due_date))
        for j, sub in enumerate(step.children):
            out.append((i, j, sub.label, sub.text, sub.due_date))
    return out


def _load_steps(stats, measure, rows):
    if _existing_steps(measure) == _wanted_steps(rows):
        return
    if measure.steps.exists():
        measure.steps.all().delete()
        stats.updated["measure.steps"] += 1
    for i, row in enumerate(rows, start=1):
        parent = MeasureStep.objects.create(
            measure=measure, order=i, label=row.get("label", ""), text=row["text"], due_date=_date(row.get("due_date"))
        )
        stats.count(parent, True)
        for j, sub in enumerate(row.get("sub_items", []), start=1):
            child = MeasureStep.objects.create(
                measure=measure, parent=parent, order=j, label=sub.get("label", ""), text=sub["text"],
                due_date=_date(sub.get("due_date")),
            )
            stats.count(child, True)


def _copied_from(org, fiscal_year, row):
    """The measure a row says it was copied from (an earlier fiscal year of the same file), or None."""
    source = row.get("copied_from")
    if not source:
        return None
    year, index = int(source["fiscal_year"]), int(source["measure"])
    found = Measure.objects.filter(organisation=org, fiscal_year=year, order=index + 1).first()
    if year >= fiscal_year or found is None:
        raise DemoDataError(f"{org.slug} {fiscal_year}: copied_from names no measure {index} of an earlier "
                            f"fiscal year ({year})")
    return found


def _load_measures(stats, org, fiscal_year, rows, divisions, cat):
    catalogue_year = fiscal_year - 1
    measures = []
    for order, row in enumerate(rows, start=1):
        measure = upsert(
            stats, Measure, {"organisation": org, "fiscal_year": fiscal_year, "order": order},
            {
                "group_heading": row.get("group_heading", ""),
                "title": row["title"],
                "guideline": row.get("guideline", ""),
                "weakness": row.get("weakness", ""),
                "responsible_text": row.get("responsible_text", ""),
                "start_month": _month(row.get("start_month")),
                "end_month": _month(row.get("end_month")),
                "timeline_text": row.get("timeline_text", ""),
                "report_rounds": row.get("report_rounds", [6, 12]),
                "monitoring": row.get("monitoring", ""),
                "copied_from": _copied_from(org, fiscal_year, row),
            },
        )
        _set_m2m(stats, measure, "tools", [cat.tool(code) for code in row.get("tools", [])])
        _set_m2m(stats, measure, "indicators", [cat.indicator(catalogue_year, n) for n in row.get("indicators", [])])
        _set_m2m(stats, measure, "oit_items", [cat.oit_item(catalogue_year, c) for c in row.get("oit_items", [])])
        try:
            _set_m2m(stats, measure, "divisions", [divisions[name] for name in row.get("divisions", [])])
        except KeyError as exc:
            raise DemoDataError(f"{org.slug}: measure {order} names an unknown division {exc}") from None
        _load_steps(stats, measure, row.get("steps", []))
        measures.append(measure)
    return measures


def _load_documents(stats, org, fiscal_year, rows, measures, users):
    for row in rows:
        lookup = {"organisation": org, "fiscal_year": fiscal_year, "kind": row["kind"], "round": row["round"],
                  "revision": 1}
        existing = Document.objects.filter(**lookup).first()
        if existing is not None and existing.status != DocumentStatus.DRAFT:
            continue  # the workflow has taken it over: leave it alone
        document = upsert(
            stats, Document, lookup,
            {
                "title": row.get("title", ""), "intro": row.get("intro", ""), "preamble": row.get("preamble", ""),
                "layout": row.get("layout", ""), "month_style": row.get("month_style", "full"),
                "columns": row.get("columns", []), "signer_name": row.get("signer_name", ""),
                "signer_position": row.get("signer_position", ""), "signer_role": row.get("signer_role", ""),
            },
            create_only={"status": DocumentStatus.DRAFT, "created_by": users.get(row.get("created_by"))},
        )
        memo = row.get("memo")
        if memo:
            upsert(stats, Memo, {"document": document}, {**memo, "date": _date(memo.get("date"))})
        else:
            Memo.objects.filter(document=document).delete()
        for entry in row.get("entries", []):
            try:
                measure = measures[entry["measure"]]
            except IndexError:
                raise DemoDataError(f"{org.slug}: entry refers to measure {entry['measure']}") from None
            progress_entry = upsert(
                stats, ProgressEntry, {"document": document, "measure": measure},
                {"output": entry.get("output", ""), "outcome": entry.get("outcome", ""),
                 "status": entry.get("status", "not_started")},
            )
            _load_evidence(stats, progress_entry, entry.get("evidence", []), users.get(row.get("created_by")))
        if getattr(document, "_loader_created", False):
            workflow = row.get("workflow") or {}
            _create_event(stats, document, _at(workflow["submitted"], "submitted") if workflow else None)
        if row.get("workflow"):
            _run_workflow(stats, org, document, row["workflow"], users)


def _demo_pdf(title: str, text: str) -> bytes:
    """A one-page PDF standing for a scanned evidence document (demo only)."""
    from django.utils.html import escape

    from reports.pdf import render_pdf

    return render_pdf(f'<html lang="th"><body><h1 style="font-size:16pt">{escape(title)}</h1>'
                      f"<p>{escape(text)}</p><p>(เอกสารตัวอย่างสำหรับการสาธิตระบบ)</p></body></html>")


def _load_evidence(stats, entry, rows, actor):
    """The evidence of an entry of a draft, through reports.entries.services (history, checks, stored names);
    only when the entry has none yet, so loading again adds nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    if not rows or entry.evidence.exists():
        return
    for row in rows:
        if row.get("url"):
            ev = entry_services.add_evidence_link(entry, url=row["url"], title=row.get("title", ""), actor=actor,
                                                  is_public=bool(row.get("public")))
        else:
            upload = SimpleUploadedFile(row["file"], _demo_pdf(row.get("title", ""), row.get("text", "")),
                                        content_type="application/pdf")
            ev = entry_services.add_evidence_file(entry, upload=upload, title=row.get("title", ""), actor=actor,
                                                  is_public=bool(row.get("public")))
        stats.count(ev, True)


def _create_event(stats, document, at=None):
    """The "create" event that reports.workflow.transitions.create_document writes, for a document the loader made
    (dated ``at``: the day the seed document was written, when it went through the workflow)."""
    event = WorkflowEvent.objects.create(
        document=document, action=WorkflowAction.CREATE, from_status="", to_status=document.status,
        actor=document.created_by, actor_name=rules.actor_name(document.created_by),
        at=at or timezone.now(),
    )
    stats.count(event, True)


def _at(value: str, what: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise DemoDataError(f"workflow {what}: {value!r} is not a YYYY-MM-DD date") from None
    return datetime.combine(day, WORKFLOW_TIME, tzinfo=WORKFLOW_TZ)


WORKFLOW_STEPS = (
    ("submitted", WorkflowAction.SUBMIT, "submitted_at"),
    ("approved", WorkflowAction.APPROVE, "approved_at"),
    ("published", WorkflowAction.PUBLISH, "published_at"),
)


def _run_workflow(stats, org, document, workflow, users):
    """Submit, approve and publish a draft through reports.workflow.transitions as far as ``workflow`` has dates,
    then back-date it (see the docstring)."""
    created = getattr(document, "_loader_created", False)
    document.refresh_from_db()
    if document.status != DocumentStatus.DRAFT or document.events.exclude(action=WorkflowAction.CREATE).exists():
        return  # it is (or was) in the workflow: the people using the demo decide now
    where = f"{org.slug} {document.fiscal_year} {document.kind} {document.round}"
    steps = []
    for key, action, field in WORKFLOW_STEPS:
        if not workflow.get(key):
            break
        steps.append((key, action, field, _at(workflow[key], f"{where} {key}")))
    if not steps or any(workflow.get(key) for key, *_rest in WORKFLOW_STEPS[len(steps):]):
        raise DemoDataError(f"{where}: a workflow gives submitted, then approved, then published dates")
    if any(a[3] > b[3] for a, b in zip(steps, steps[1:])):
        raise DemoDataError(f"{where}: the workflow dates are not in order")
    author = document.created_by
    approver = users.get(workflow.get("approved_by"))
    if author is None or (len(steps) > 1 and approver is None):
        raise DemoDataError(f"{where}: a workflow needs created_by (and approved_by to approve), users of the "
                            "same file")
    if not document.events.filter(action=WorkflowAction.CREATE).exists():
        _create_event(stats, document, steps[0][3])  # loaded by an older version of the loader, without its event
    # DEMO ONLY: the steps are dated as in the seed documents (transitions.happened_at), not now.
    try:
        with transitions.happened_at(steps[0][3]):
            document = transitions.submit_document(document, actor=author, notify=False)
        if len(steps) > 1:
            with transitions.happened_at(steps[1][3]):
                document = transitions.approve_document(document, actor=approver, notify=False)
        if len(steps) > 2:
            # A demo document transcribed with its memo was published with it (seed 004: the memo in front).
            publish_memo = bool(workflow.get("publish_memo", Memo.objects.filter(document=document).exists()))
            with transitions.happened_at(steps[2][3]):
                document = transitions.publish_document(document, actor=approver, publish_memo=publish_memo,
                                                        notify=False)
    except rules.WorkflowError as exc:
        raise DemoDataError(f"{where}: {exc.message}") from exc
    # The document's own created/updated stamps (auto_now) follow; a queryset update() writes them
    # without save() or history. Never do this to real data.
    Document.objects.filter(pk=document.pk).update(created_at=steps[0][3], updated_at=steps[-1][3])
    stats.created["workflowevent"] += len(steps)
    if not created:
        stats.updated["document.status"] += 1


def load_organisation(data: dict, *, password: str | None = None, stats: LoadStats | None = None) -> Organisation:
    """Load one demo file's content (a dict, see the schema above). Needs the catalogue loaded."""
    stats = stats if stats is not None else LoadStats()
    password = password if password is not None else settings.DEMO_PASSWORD
    cat = _Catalogue()
    o = data["organisation"]
    org = upsert(
        stats, Organisation, {"slug": o["slug"]},
        {key: o.get(key, "") for key in ("kind", "name", "district", "province", "website", "phone", "address")}
        | {"default_layout": o.get("default_layout", "A")},
    )
    divisions = {
        name: upsert(stats, Division, {"organisation": org, "name": name}, {"order": i})
        for i, name in enumerate(data.get("divisions", []), start=1)
    }
    users = _load_users(stats, org, data.get("users", []), password)
    _load_invitations(stats, org, data.get("invitations", []), users)
    loaded = _load_results(stats, org, data.get("results", []), cat)
    _confirm_results(stats, org, loaded, data.get("users", []), users)
    for fy in data.get("fiscal_years", []):
        fiscal_year = int(fy["fiscal_year"])
        measures = _load_measures(stats, org, fiscal_year, fy.get("measures", []), divisions, cat)
        _load_documents(stats, org, fiscal_year, fy.get("documents", []), measures, users)
    return org


def _load_invitations(stats, org, rows, users):
    """Pending invitations of the demo (a fresh random token whose link nobody knows; no e-mail). Idempotent:
    an address with a pending invitation keeps it, its link renewed for seven days when it has expired."""
    from orgs.invitations import EXPIRY, hash_token

    for row in rows:
        pending = Invitation.objects.pending().filter(organisation=org, email__iexact=row["email"]).first()
        if pending is not None:
            if not pending.is_usable:
                pending.expires_at = timezone.now() + EXPIRY
                pending.save(update_fields=["expires_at"])
                stats.count(pending, created=False, changed=True)
            continue
        invitation = Invitation.objects.create(
            organisation=org, email=row["email"], role=row["role"], position=row.get("position", ""),
            token_hash=hash_token(secrets.token_urlsafe(32)), expires_at=timezone.now() + EXPIRY,
            invited_by=users.get(row.get("invited_by")),
        )
        stats.count(invitation, created=True)


def ensure_admin(stats: LoadStats, password: str):
    User = get_user_model()
    admin = upsert(
        stats, User, {"username": ADMIN_USERNAME},
        {"email": ADMIN_EMAIL, "is_staff": True, "is_superuser": True, "is_active": True},
    )
    _ensure_password(stats, admin, password)
    return admin


@transaction.atomic
def seed_demo(names=ORG_FILES, *, password: str | None = None) -> LoadStats:
    """Catalogue (if missing), the superuser `admin` and every demo organisation, in one transaction."""
    stats = LoadStats()
    password = password if password is not None else settings.DEMO_PASSWORD
    ensure_catalogue()
    ensure_admin(stats, password)
    for name in names:
        load_organisation(read_data(name), password=password, stats=stats)
    from .oit_demo import load_registers

    load_registers(stats)
    ensure_overseer(stats, password, [read_data(name)["organisation"]["province"] for name in names])
    datacache.bump(everything=True)  # some rows are written without a signal (the staff pages' data cache)
    return stats


def ensure_overseer(stats: LoadStats, password: str, provinces):
    """``somsak``: oversight of the demo provinces (INVENTED person, demo only)."""
    from orgs.models import OversightScope

    User = get_user_model()
    user = upsert(stats, User, {"username": OVERSEER_USERNAME},
                  {"email": "somsak@example.org", "first_name": "สมศักดิ์", "last_name": "ดูแลดี", "is_active": True})
    _ensure_password(stats, user, password)
    for province in provinces:
        upsert(stats, OversightScope, {"user": user, "province": province}, {})
    return user


def demo_logins(names=ORG_FILES):
    """[(username, organisation name or "", role)] of the demo accounts, admin first."""
    rows = [(ADMIN_USERNAME, "", "superuser")]
    for name in names:
        data = read_data(name)
        for user in data.get("users", []):
            rows.append((user["username"], data["organisation"]["name"], user["role"]))
    provinces = ", ".join(read_data(name)["organisation"]["province"] for name in names)
    rows.append((OVERSEER_USERNAME, "", f"province oversight ({provinces})"))
    return rows
