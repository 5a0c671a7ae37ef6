"""Which public addresses the shared page cache (core/pagecache.py) may answer, and which generations each
depends on: declared here, where the addresses are (public/urls.py, mounted at the site's root), and
registered with core.pagecache in ``PublicConfig.ready``.

    /o/<slug>/...            the organisation's generation and the catalogue's (its ITAS lists)
    /o/<slug>/.../pdf/       a stored PDF is frozen: only its organisation's changes matter
    /  and /stats/.../       the directory and the national picture: any change anywhere ("site")

Only answers a view marks (``core.pagecache.mark_public``) are stored; the open data, the sitemap and
the CSV files of /stats/ are not marked (built each time).
"""
from __future__ import annotations

import re

from core.pagecache import CATALOGUE, SITE, org_scope

ORG_PATH = re.compile(r"^/o/(?P<slug>[-\w]+)/")
SITE_PATHS = ("/",)


def scopes_of(path: str) -> list[str] | None:
    match = ORG_PATH.match(path)
    if match:
        if path.endswith("/pdf/"):
            return [org_scope(match["slug"])]
        return [CATALOGUE, org_scope(match["slug"])]
    if path in SITE_PATHS or (path.startswith("/stats/") and path.endswith("/")):
        return [SITE]
    return None
