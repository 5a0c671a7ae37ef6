"""Evidence in a printed progress report: which items a copy lists, their public addresses, QR codes.

Under each measure the report lists the evidence of its entry (``reports/templates/reports/document/
_table.html``, a row right after the measure's row). Two copies:

- the public copy (the stored PDF rendered at publication, the public page): only evidence that is
  public (``Evidence.is_public``), each with its permanent public address (absolute, from
  settings.SITE_URL) and, in the PDF, a small QR code of that address;
- the staff copy (drafts until approval, the preview, prints with other options): every item; public
  ones with their address and QR code, internal ones by name only, marked as internal.

Publicness is not part of the frozen snapshot (an approver may change it after publication), so it is
read live: ``for_copy`` overlays it on the data (one query). When it changes on a published document,
``reports.entries.services.set_evidence_public`` renders the stored PDF again, so the public PDF always lists
what is public now (the same as the public page).

The address of a public file is the public evidence URL of its revision
(``/o/<slug>/<fy>/<kind>/r<N>/evidence/<id>/``), known from the document data alone, so a staff copy of
a draft already prints the address it will have once published. The address of a public link is the
link itself (http/https only; other schemes are printed by name only).
"""
from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from ..models import DocumentKind, Evidence, EvidenceKind

QR_BORDER = 2  # modules of white around the code (the cell's padding adds to the quiet zone)
QR_SCALE = 4  # pixels per module: sharp even in viewers that smooth small images despite /Interpolate false


def evidence_ids(data: dict) -> list[int]:
    return [ev["id"] for m in data.get("measures", ()) for ev in m.get("evidence", ()) if ev.get("id")]


def live_public_ids(document, data: dict) -> set[int]:
    """The ids of the data's evidence of this document that is public now (one query; none without
    evidence)."""
    ids = evidence_ids(data)
    if not ids or document.pk is None:
        return set()
    return set(Evidence.objects.filter(pk__in=ids, entry__document_id=document.pk, is_public=True)
               .values_list("pk", flat=True))


def is_web_link(url: str) -> bool:
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def public_file_url(data: dict, evidence_id: int) -> str:
    """The absolute public URL of an evidence file of the document the data describes."""
    kind = data["kind"]
    kind_slug = f"{kind}-{data['round']}" if kind == DocumentKind.PROGRESS else kind
    path = reverse("public:evidence", args=[
        data["organisation"]["slug"], data["fiscal_year"], kind_slug, data["revision"], evidence_id])
    return f"{settings.SITE_URL}{path}"


def public_address(data: dict, ev: dict) -> str:
    """The permanent public address of a public evidence item ("" when it has none to print)."""
    if ev.get("kind") == EvidenceKind.LINK:
        return ev.get("url", "") if is_web_link(ev.get("url", "")) else ""
    if ev.get("kind") == EvidenceKind.FILE and ev.get("file") and ev.get("id"):
        return public_file_url(data, ev["id"])
    return ""


def with_access(data: dict, public_ids: set[int], *, public_copy: bool) -> dict:
    """The data with each evidence item marked ``public`` (bool) and given its ``address`` (the public
    address of a public item, else ""); in the public copy, only public items that have an address."""
    if data.get("kind") != DocumentKind.PROGRESS:
        return data
    measures = []
    for measure in data.get("measures", ()):
        items = []
        for ev in measure.get("evidence", ()):
            public = ev.get("id") in public_ids
            address = public_address(data, ev) if public else ""
            if public_copy and not address:
                continue
            items.append({**ev, "public": public, "address": address})
        measures.append({**measure, "evidence": items})
    return {**data, "measures": measures, "evidence_copy": "public" if public_copy else "staff"}


def for_copy(document, data: dict, *, public_copy: bool) -> dict:
    """``with_access`` with the document's evidence publicness as it is now."""
    if data.get("kind") != DocumentKind.PROGRESS:
        return data
    return with_access(data, live_public_ids(document, data), public_copy=public_copy)


# --- what a row prints -----------------------------------------------------------------------------

@lru_cache(maxsize=512)
def qr_data_uri(url: str) -> str:
    """A QR code (never Micro QR) of ``url`` as a PNG data URI of QR_SCALE pixels per module, printed
    at 18 mm with ``image-rendering: pixelated`` (no smoothing)."""
    import segno

    return segno.make_qr(url).png_data_uri(scale=QR_SCALE, border=QR_BORDER)


def printed_items(measure: dict, *, qr: bool = True) -> list[dict]:
    """[{"label", "file_name", "address", "qr", "internal"}] of a measure's evidence, as a row prints it.
    Items never marked (data that did not go through ``with_access``) are not printed at all: a caller
    that forgets to choose the copy prints no evidence rather than internal evidence."""
    items = []
    for ev in measure.get("evidence", ()):
        if "public" not in ev:
            continue
        label = ev.get("title") or ev.get("name") or ev.get("url") or ""
        file_name = ev.get("name", "") if ev.get("kind") == EvidenceKind.FILE and ev.get("name") != label else ""
        address = ev.get("address", "") if ev.get("public") else ""
        items.append({
            "label": label, "file_name": file_name, "address": address,
            "qr": qr_data_uri(address) if (address and qr) else "",
            "internal": not ev.get("public"),
        })
    return items
