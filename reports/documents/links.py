"""The stable public addresses of published documents (see public/urls.py for the scheme).

A document is addressed by organisation slug, fiscal year and a kind slug: "analysis", "measures",
"progress-3", "progress-6", "progress-9", "progress-12". The stable address shows the current published
revision; "/r<N>/" addresses one revision forever.

Here, below the public site and the workspace (both link to published documents), not in public/.
"""
from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from ..models import DocumentKind

KIND_SLUGS = ("analysis", "measures", "progress-3", "progress-6", "progress-9", "progress-12")


def kind_slug(kind: str, round_: int = 0) -> str:
    """"progress-6" for the 6-month progress report; the kind itself for the others."""
    return f"{kind}-{round_}" if kind == DocumentKind.PROGRESS else str(kind)


def parse_kind_slug(slug: str) -> tuple[str, int]:
    """("progress", 6) for "progress-6"; (kind, 0) for the others. ValueError for an unknown slug."""
    if slug not in KIND_SLUGS:
        raise ValueError(slug)
    if slug.startswith("progress-"):
        return DocumentKind.PROGRESS, int(slug.removeprefix("progress-"))
    return slug, 0


def document_path(document, *, revision: bool = False, pdf: bool = False) -> str:
    """The public path of a document: stable (current published revision) or of this revision."""
    args = [document.organisation.slug, document.fiscal_year, kind_slug(document.kind, document.round)]
    if revision:
        name = "public:revision_pdf" if pdf else "public:revision"
        args.append(document.revision)
    else:
        name = "public:document_pdf" if pdf else "public:document"
    return reverse(name, args=args)


def absolute(path: str) -> str:
    """An absolute URL (settings.SITE_URL + path), as pasted into ITAS and used in canonical links."""
    return f"{settings.SITE_URL}{path}"
