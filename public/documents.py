"""What the public document pages show: which revision an address names, the data of its page, the
public evidence of a progress report and the ITAS link list. No view logic, no HTTP.

Only published and withdrawn revisions are ever looked at: a draft, submitted or approved (not yet
published) revision does not exist for the public site. The revision history is made from the
documents' own publication and withdrawal fields, never from WorkflowEvent (whose comments, e.g. of a
return, are internal); the reason for a withdrawal is public.

Queries are fixed whatever the number of measures, evidence or revisions:

- a document page: the revisions (1, organisation joined), the public evidence ids (1) and the date of
  the last change of that evidence (1), the last two only for a published progress report with evidence;
- a PDF: the revisions (1) (a missing PDF is never rendered in the request: reports/workflow/tasks.py renders it);
- an evidence file: the revisions (1) and the evidence row (1);
- the ITAS page: the organisation (1), the assessment year (1), its OIT items (1), the documents (1).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from orgs.models import Organisation
from reports.documents import links
from reports.entries.evidence_print import with_access
from reports.models import Document, DocumentKind, DocumentStatus, Evidence, EvidenceKind, ReportRound
from reports.printing.rendering import document_context
from reports.printing.stored_pdf import document_snapshot, public_memo, public_render_options

PUBLIC_STATUSES = (DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN)
SAFE_LINK_SCHEMES = ("http", "https")


# --- which revision an address names ---------------------------------------------------------------

@dataclass
class Lookup:
    """The revisions of one document (organisation, fiscal year, kind, round) the public may see, and
    the one an address names."""

    revisions: list[Document]  # published or withdrawn, by revision ascending
    document: Document  # the revision shown
    stable: bool  # addressed by the stable URL (no /r<N>/)

    @property
    def organisation(self) -> Organisation:
        return self.document.organisation

    @property
    def current(self) -> Document | None:
        """The revision published now (None when every published revision has been withdrawn)."""
        published = [d for d in self.revisions if d.status == DocumentStatus.PUBLISHED]
        return published[-1] if published else None

    @property
    def withdrawn(self) -> bool:
        return self.document.status == DocumentStatus.WITHDRAWN

    @property
    def published(self) -> bool:
        return self.document.status == DocumentStatus.PUBLISHED

    def last_modified(self) -> datetime | None:
        """The last publication or withdrawal of any revision (the page shows the whole history)."""
        return _latest(stamp for d in self.revisions for stamp in (d.published_at, d.withdrawn_at))


def _latest(stamps) -> datetime | None:
    stamps = [s for s in stamps if s is not None]
    return max(stamps) if stamps else None


def public_revisions(slug: str, fiscal_year: int, kind: str, round_: int) -> list[Document]:
    """The published and withdrawn revisions, oldest first (one query, organisation joined)."""
    return list(
        Document.objects.filter(
            organisation__slug=slug, fiscal_year=fiscal_year, kind=kind, round=round_,
            status__in=PUBLIC_STATUSES, snapshot__isnull=False,
        ).select_related("organisation").order_by("revision")
    )


def lookup(slug: str, fiscal_year: int, kind_slug: str, revision: int | None = None) -> Lookup:
    """The revision an address names; Http404 when there is none the public may see.

    Stable address: the highest published revision; when none is published now, the latest withdrawn
    one (its page says so). ``/r<N>/``: revision N when it is published or withdrawn."""
    try:
        kind, round_ = links.parse_kind_slug(kind_slug)
    except ValueError as exc:
        raise Http404 from exc
    revisions = public_revisions(slug, fiscal_year, kind, round_)
    if not revisions:
        raise Http404
    if revision is None:
        published = [d for d in revisions if d.status == DocumentStatus.PUBLISHED]
        return Lookup(revisions, (published or revisions)[-1], stable=True)
    for document in revisions:
        if document.revision == revision:
            return Lookup(revisions, document, stable=False)
    raise Http404


# --- the document page ------------------------------------------------------------------------------

def snapshot_evidence_ids(data: dict) -> list[int]:
    return [ev["id"] for m in data.get("measures", ()) for ev in m.get("evidence", ()) if ev.get("id")]


def public_evidence_ids(document: Document, data: dict) -> set[int]:
    """The ids of the snapshot's evidence that is public now (Evidence.is_public as it is today; one
    query). Nothing for a withdrawn revision: its evidence is no longer served."""
    ids = snapshot_evidence_ids(data)
    if not ids or document.status != DocumentStatus.PUBLISHED:
        return set()
    return set(
        Evidence.objects.filter(pk__in=ids, entry__document=document, is_public=True).values_list("pk", flat=True)
    )


def evidence_changed_at(document: Document, data: dict) -> datetime | None:
    """When the snapshot's evidence last changed (e.g. marked public or internal after publication)."""
    ids = snapshot_evidence_ids(data)
    if not ids or document.status != DocumentStatus.PUBLISHED:
        return None
    return Evidence.history.filter(id__in=ids).aggregate(at=Max("history_date"))["at"]


def is_safe_link(url: str) -> bool:
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return False
    return parts.scheme.lower() in SAFE_LINK_SCHEMES and bool(parts.netloc)


def evidence_groups(document: Document, data: dict, public_ids: set[int]) -> list[dict]:
    """[{"number_text", "title", "items": [{"kind", "label", "url", "name", "content_type", "size"}]}]:
    the public evidence of each measure, links (http/https only) and files (their public URL)."""
    from django.urls import reverse

    groups = []
    for measure in data.get("measures", ()):
        items = []
        for ev in measure.get("evidence", ()):
            if ev.get("id") not in public_ids:
                continue
            if ev.get("kind") == EvidenceKind.LINK:
                if not is_safe_link(ev.get("url", "")):
                    continue
                url = ev["url"]
            elif ev.get("kind") == EvidenceKind.FILE and ev.get("file"):
                url = reverse("public:evidence", args=[
                    document.organisation.slug, document.fiscal_year,
                    links.kind_slug(document.kind, document.round), document.revision, ev["id"]])
            else:
                continue
            items.append({
                "kind": ev["kind"], "label": ev.get("title") or ev.get("name") or ev.get("url") or "",
                "url": url, "name": ev.get("name", ""), "content_type": ev.get("content_type", ""),
                "size": ev.get("size") or 0,
            })
        if items:
            title = measure.get("title") or measure.get("measure") or []
            groups.append({"number_text": measure.get("number_text", ""), "title": " ".join(title), "items": items})
    return groups


@dataclass
class DocumentPage:
    """Everything a document page shows, and what its conditional headers are made of."""

    lookup: Lookup
    data: dict
    public_ids: set[int] = field(default_factory=set)
    evidence_at: datetime | None = None

    @property
    def document(self) -> Document:
        return self.lookup.document

    def last_modified(self) -> datetime | None:
        return _latest([self.lookup.last_modified(), self.evidence_at, self.document.pdf_rendered_at])

    def etag(self) -> str:
        """A weak validator of everything the page depends on (the language included)."""
        parts = [get_language() or "", str(self.document.pk), str(self.lookup.stable)]
        for d in self.lookup.revisions:
            parts += [str(d.pk), d.status, str(d.published_at), str(d.withdrawn_at), d.withdrawn_reason]
        parts += [str(i) for i in sorted(self.public_ids)]
        parts.append(self.document.pdf_file.name if self.document.pdf_file else "pdf being prepared")
        return f'W/"{hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]}"'

    def context(self) -> dict:
        document = self.document
        lookup = self.lookup
        stable_path = links.document_path(document)
        revision_path = links.document_path(document, revision=True)
        if lookup.withdrawn and lookup.stable:
            pdf_path = ""  # the stable PDF address is a 404 while nothing is published
        else:
            pdf_path = links.document_path(document, revision=not lookup.stable, pdf=True)
        current = lookup.current
        # public evidence only; the memo only when it was published with the document
        render = document_context(with_access(self.data, self.public_ids, public_copy=True),
                                  public_render_options(document))
        history = [
            {"revision": d.revision, "published_at": d.published_at, "withdrawn_at": d.withdrawn_at,
             "withdrawn_reason": d.withdrawn_reason, "status": d.status,
             "url": links.document_path(d, revision=True), "shown": d.pk == document.pk,
             "current": current is not None and d.pk == current.pk}
            for d in reversed(lookup.revisions)
        ]
        return {
            **render,
            "document": document,
            "organisation": lookup.organisation,
            "stable": lookup.stable,
            "withdrawn": lookup.withdrawn,
            "current": current,
            "current_url": links.document_path(current, revision=True) if current and current != document else "",
            "canonical": links.absolute(stable_path),
            "stable_url": links.absolute(stable_path),
            "revision_url": links.absolute(revision_path),
            "pdf_url": pdf_path,
            "pdf_ready": bool(document.pdf_file),  # else a background task is rendering it (reports/workflow/tasks.py)
            "history": history,
            "is_progress": document.kind == DocumentKind.PROGRESS,
            "evidence_groups": evidence_groups(document, self.data, self.public_ids),
            "itas_url": links.absolute(reverse_itas(lookup.organisation.slug, document.fiscal_year)),
        }


def reverse_itas(slug: str, fiscal_year: int) -> str:
    from django.urls import reverse

    return reverse("public:itas", args=[slug, fiscal_year])


def document_page(slug: str, fiscal_year: int, kind_slug: str, revision: int | None = None) -> DocumentPage:
    found = lookup(slug, fiscal_year, kind_slug, revision)
    data = document_snapshot(found.document, decision=public_memo(found.document))
    page = DocumentPage(found, data)
    if found.document.kind == DocumentKind.PROGRESS:
        page.public_ids = public_evidence_ids(found.document, data)
        page.evidence_at = evidence_changed_at(found.document, data)
    return page


# --- PDF and evidence ---------------------------------------------------------------------------------

def pdf_document(slug: str, fiscal_year: int, kind_slug: str, revision: int | None = None) -> Document:
    """The revision whose stored PDF an address serves: the current published one (stable address) or
    revision N when published or withdrawn (a permanent record). Http404 otherwise."""
    found = lookup(slug, fiscal_year, kind_slug, revision)
    if found.stable and not found.published:
        raise Http404
    return found.document


def pdf_last_modified(document: Document) -> datetime | None:
    return _latest([document.published_at, document.pdf_rendered_at])


def public_evidence(slug: str, fiscal_year: int, kind_slug: str, revision: int, evidence_pk: int) -> Evidence:
    """A public evidence file of revision N, only while that revision is published; Http404 otherwise."""
    found = lookup(slug, fiscal_year, kind_slug, revision)
    document = found.document
    if document.status != DocumentStatus.PUBLISHED or evidence_pk not in snapshot_evidence_ids(document.snapshot):
        raise Http404
    evidence = Evidence.objects.filter(
        pk=evidence_pk, entry__document=document, is_public=True, kind=EvidenceKind.FILE,
    ).first()
    if evidence is None or not evidence.file:
        raise Http404
    return evidence


# --- the ITAS link list -----------------------------------------------------------------------------

def slot_label(kind: str, round_: int) -> str:
    label = str(DocumentKind(kind).label)
    if kind == DocumentKind.PROGRESS and round_:
        label = f"{label} {ReportRound(round_).label}"
    return label


@dataclass
class ItasPage:
    organisation: Organisation
    fiscal_year: int
    has_catalogue: bool
    rows: list[dict]
    documents: list[Document]
    provisional: dict | None = None  # {"year", "based_on"} when the catalogue is provisional
    unanswered: list[dict] = field(default_factory=list)  # items the portal does not answer
    not_published: list[str] = field(default_factory=list)  # codes of answered items still waiting
    register: dict | None = None  # the organisation's confirmed OIT register (oit.register.snapshot_of)
    register_confirmed_at: datetime | None = None

    def last_modified(self) -> datetime | None:
        return _latest([*(stamp for d in self.documents for stamp in (d.published_at, d.withdrawn_at)),
                        self.register_confirmed_at])

    def etag(self) -> str:
        parts = [get_language() or "", str(self.organisation.pk), str(self.has_catalogue), str(self.provisional)]
        for row in self.rows:
            parts += [row["code"], row["title"]] + [f"{link['key']}={link['fiscal_year']}={link['url']}"
                                                    for link in row["links"]]
        parts += [f"{row['code']}={row['title']}={row['fiscal_year']}" for row in self.unanswered]
        parts += [f"{d.pk}:{d.status}:{d.published_at}:{d.withdrawn_at}" for d in self.documents]
        parts.append(f"register:{self.register_confirmed_at}")
        return f'W/"{hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]}"'

    def context(self) -> dict:
        return {
            "organisation": self.organisation, "fiscal_year": self.fiscal_year,
            "has_catalogue": self.has_catalogue, "rows": self.rows, "provisional": self.provisional,
            "unanswered": self.unanswered, "not_published": self.not_published,
            "canonical": links.absolute(reverse_itas(self.organisation.slug, self.fiscal_year)),
            "register_confirmed_at": self.register_confirmed_at, "has_register": self.register is not None,
        }

    def export_rows(self) -> list[tuple[str, str, str, str]]:
        """(item code, item title, URL, what it is) for every address of the page, item by item."""
        found = []
        for row in sorted([*self.rows, *self.unanswered], key=lambda r: r.get("number", 0)):
            for link in row.get("links", []):
                if link["url"]:
                    found.append((row["code"], row["title"], link["url"], link["label"]))
            for answer in row.get("own", []):
                found.append((row["code"], row["title"], answer["url"], answer["title"]))
        return found


def itas_page(slug: str, fiscal_year: int) -> ItasPage:
    """The OIT items of assessment year ``fiscal_year``: for each item our documents answer, the
    absolute stable URL of the document of the right fiscal year (the item's offset in the catalogue)
    published now; the items we do not answer; a provisional catalogue is said so (Http404 for an
    unknown organisation)."""
    from ita.catalogue_queries import catalogue_items, catalogue_of
    from reports.documents.portal_answers import portal_answers

    org = get_object_or_404(Organisation, slug=slug)
    catalogue = catalogue_of(fiscal_year)
    items = catalogue_items(catalogue)
    answers = portal_answers(org, fiscal_year, items=items)
    years = {fiscal_year} | {answer.fiscal_year for answer in answers}
    documents = list(
        Document.objects.for_org(org).filter(fiscal_year__in=years, status__in=PUBLIC_STATUSES)
        .only("pk", "organisation", "fiscal_year", "kind", "round", "revision", "status", "published_at",
              "withdrawn_at")
        .order_by("fiscal_year", "kind", "round", "revision")
    )
    by_item: dict[int, list] = {}
    for answer in answers:
        by_item.setdefault(answer.item.pk, []).append(answer)
    register = confirmed_register(org, fiscal_year)
    own = {}
    if register is not None:
        for entry in register.confirmed_snapshot["items"]:
            own[entry["code"]] = [{
                "url": answer["url"] if answer["kind"] == "link" else links.absolute(answer["path"]),
                "title": answer["title"] or answer.get("name", ""), "kind": answer["kind"],
            } for answer in entry["answers"]]
    rows, unanswered, not_published = [], [], []
    for item in items:
        slots = by_item.get(item.pk)
        if not slots:
            unanswered.append({"code": item.code, "number": item.number, "title": item.title,
                               "own": own.get(item.code, []),
                               "fiscal_year": fiscal_year + item.portal_document_fy_offset
                               if item.portal_document_fy_offset else None})
            continue
        shown = [a for a in slots if a.expected or a.document] or slots
        if any(a.expected and a.document is None for a in slots) or not any(a.document for a in slots):
            not_published.append(item.code)
        rows.append({"code": item.code, "number": item.number, "title": item.title, "uncertain": item.uncertain,
                     "own": own.get(item.code, []), "links": [{
            "key": a.slug,
            "label": slot_label(a.kind, a.round),
            "fiscal_year": a.fiscal_year,
            "other_year": a.fiscal_year != fiscal_year,
            "url": a.url,
            "published_at": a.document.published_at if a.document else None,
            "revision": a.document.revision if a.document else None,
        } for a in shown]})
    provisional = None
    if catalogue is not None and catalogue.provisional:
        provisional = {"year": fiscal_year, "based_on": catalogue.based_on}
    return ItasPage(org, fiscal_year, catalogue is not None, rows, documents, provisional, unanswered,
                    not_published, register.confirmed_snapshot if register else None,
                    register.confirmed_at if register else None)


def confirmed_register(org, year: int):
    """The organisation's OIT register of ``year`` when an approver has confirmed it once (its snapshot)."""
    from oit.models import Register

    return (Register.objects.filter(organisation=org, year=year, confirmed_snapshot__isnull=False)
            .only("pk", "confirmed_snapshot", "confirmed_at").first())


def oit_file(slug: str, year: int, answer_pk: int):
    """A file of a confirmed OIT register, at its permanent public address (Http404 unless the confirmed
    snapshot holds it and it is still stored)."""
    from oit.models import Answer, AnswerKind

    org = get_object_or_404(Organisation, slug=slug)
    register = confirmed_register(org, year)
    held = register is not None and any(
        answer.get("answer") == answer_pk
        for entry in register.confirmed_snapshot["items"] for answer in entry["answers"])
    if not held:
        raise Http404
    return get_object_or_404(Answer, pk=answer_pk, kind=AnswerKind.FILE, row__register=register)
