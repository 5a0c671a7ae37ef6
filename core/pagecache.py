"""A shared cache of public pages and stored-PDF answers, invalidated per organisation.

The public site is read far more than it changes (and hardest in the weeks before ITAS checks the
links), so an anonymous GET of a public address is answered from Django's cache when it can be, before
the session, CSRF, authentication and view layers run: a page from its stored bytes and headers, a PDF
from its stored file name (the file itself is read through the storage API, as the view does).

Freshness: every entry holds the tokens of the *generations* it was built under, and is used only
while they are current (one ``get_many`` reads the entry and the tokens); a token changes whenever
something the public sees changes. The scopes are data, not addresses:

- ``org:<slug>`` (``org_scope``): the organisation's profile, results, publications, withdrawals, public
  evidence, its OIT register, its stored PDFs;
- ``site``: any of those, for any organisation (the directory, the national picture);
- ``catalogue``: the ITA catalogue (the ITAS lists of every organisation).

This module knows no URL. The app that owns the public addresses declares which scopes each of them
depends on (``register_scopes``, called in its ``AppConfig.ready``: public/caching.py), and the changes
reach ``bump`` through one path described in docs/ARCHITECTURE.md ("The public page cache"): model
signals (public/signals.py) for saves and deletes, and the function doing it for writes that send no
signal (queryset ``update()``, ``bulk_create``, raw loads).

A change bumps the generations at once and again after its transaction commits; the next request
builds the page anew.
So a republished document shows at once behind its stable link, as without the cache.

The cache must be shared by every process that serves requests (``CACHE_URL``, e.g. Redis): a
process-local cache would not see another process's bump. ``PUBLIC_PAGE_CACHE`` turns the layer on; it
defaults to on when ``CACHE_URL`` is set (docs/DEPLOY.md). Requests with a session cookie (a signed-in
user's chrome differs) and non-GET requests always pass through. Only answers a view marks as public
(``mark_public``) are stored: 200s without cookies.
"""
from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from . import generations

logger = logging.getLogger(__name__)

SITE, CATALOGUE = "site", "catalogue"
TIMEOUT = 3600  # an entry's lifetime, so a missed bump (e.g. a raw SQL fix) ages out within the hour
SKIP_HEADERS = {"set-cookie"}
FILE_INLINE_LIMIT = 1024 * 1024  # stored PDFs up to 1 MB are kept in the cache whole
CONDITIONAL_HEADERS = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")


def _cache():
    return caches[getattr(settings, "PUBLIC_PAGE_CACHE_ALIAS", "default")]


def enabled() -> bool:
    return bool(getattr(settings, "PUBLIC_PAGE_CACHE", False))


# --- scopes: declared by the owner of the public addresses ---------------------------------------------

_scope_finders: list = []


def org_scope(slug: str) -> str:
    return f"org:{slug}"


def register_scopes(finder) -> None:
    """Declare public addresses: ``finder(path)`` returns the scopes an anonymous GET of ``path`` depends
    on, or None when the path is none of its own (then the request is never cached)."""
    if finder not in _scope_finders:
        _scope_finders.append(finder)


def scopes_of(path: str) -> list[str] | None:
    for finder in _scope_finders:
        scopes = finder(path)
        if scopes is not None:
            return scopes
    return None


# --- generations -------------------------------------------------------------------------------------

def _gen_key(scope: str) -> str:
    return f"public:gen:{scope}"


def _current(found: dict, scopes: list[str]) -> list[str]:
    """The current tokens of ``scopes`` from ``found`` (a get_many answer); a scope without a token
    (never bumped, or evicted) gets a new one, so no entry built before the loss matches it."""
    return generations.current(_cache(), found, [_gen_key(s) for s in scopes])


def tokens(scopes: list[str]) -> list[str]:
    """The current tokens of ``scopes`` (what a cached entry must have been built under to be used)."""
    return _current(_cache().get_many([_gen_key(s) for s in scopes]), scopes)


def bump(*slugs: str, catalogue: bool = False) -> None:
    """New tokens for these organisations (and the catalogue) and for the site: now, and again when the
    current transaction commits (a request served between the two could have cached the old state)."""
    if not enabled():
        return
    scopes = [SITE, *([CATALOGUE] if catalogue else []), *(org_scope(s) for s in slugs if s)]
    generations.renew(_cache(), [_gen_key(s) for s in scopes], "public cache")


# --- what a view marks -------------------------------------------------------------------------------

def mark_public(response, *, file_name: str | None = None):
    """Mark a 200 answer of a public view as storable (``file_name``: a FileResponse of that stored file)."""
    if response.status_code == 200 and not hasattr(response, "public_cache"):
        response.public_cache = {"file": file_name} if file_name else {}
    return response


class StoredFileResponse(FileResponse):
    """A stored file with the headers of its first answer (replayed below), as WhiteNoise serves static
    files: nothing is derived from the file again (type, length, disposition)."""

    def set_headers(self, filelike):
        pass


# --- the middleware ------------------------------------------------------------------------------------

def _entry_key(request) -> str:
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"public:page:{language[:8]}:{digest}"


def lookup(request, scopes):
    """(key, tokens, entry): one round trip to the cache for the entry and the current tokens of its
    scopes; ``entry`` is None unless it was built under exactly those tokens."""
    key = _entry_key(request)
    found = _cache().get_many([key, *(_gen_key(s) for s in scopes)])
    tokens = _current(found, scopes)
    entry = found.get(key)
    if entry is not None and entry.get("tokens") != tokens:
        entry = None
    return key, tokens, entry


class PublicCacheMiddleware:
    """Sits right after WhiteNoise: outside sessions, CSRF, authentication and the views, inside the
    security headers and the Content-Security-Policy (which every answer still gets)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        scopes = scopes_of(request.path)
        if scopes is None:
            return self.get_response(request)
        try:
            key, tokens, entry = lookup(request, scopes)
        except Exception:
            logger.exception("public cache: lookup failed")
            return self.get_response(request)
        if entry is not None:
            response = self._replay(request, entry)
            if response is not None:
                return response
        response = self.get_response(request)
        return self._store(key, tokens, response)

    @staticmethod
    def _store(key, tokens, response):
        """Keep a marked answer; the answer to send (a small stored file: its bytes, as kept)."""
        marked = getattr(response, "public_cache", None)
        if marked is None or response.status_code != 200 or response.cookies:
            return response
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in SKIP_HEADERS]
        last_modified = response.get("Last-Modified")
        entry = {"headers": headers, "tokens": tokens, "etag": response.get("ETag"),
                 "last_modified": last_modified and parse_http_date_safe(last_modified)}
        if marked.get("file"):
            size = int(response.get("Content-Length") or 0)
            if 0 < size <= FILE_INLINE_LIMIT:  # small enough: kept whole, answered like a page
                try:
                    with default_storage.open(marked["file"], "rb") as fh:
                        entry["content"] = fh.read()
                except OSError:
                    return response
                # Send what is kept (a storage may share one file object between opens, as the
                # in-memory one does: the view's handle could have been read to its end here).
                response.file_to_stream.close()
                sent = HttpResponse(entry["content"])
                for name, value in headers:
                    sent.headers[name] = value
                response = sent
            else:  # only the name: the file is read from the storage for every answer
                entry["file"] = marked["file"]
        elif response.streaming:
            return response
        else:
            entry["content"] = response.content
        try:
            _cache().set(key, entry, TIMEOUT)
        except Exception:
            logger.exception("public cache: store failed")
        return response

    @staticmethod
    def _replay(request, entry):
        """The stored answer, or a 304 (412) when the request's validators match: decided on the
        stored validators, before a stored file is opened. None when the stored file is gone."""
        if any(h in request.META for h in CONDITIONAL_HEADERS) and (entry["etag"] or entry["last_modified"]):
            headers = HttpResponse()
            for name, value in entry["headers"]:
                headers.headers[name] = value
            conditional = get_conditional_response(request, etag=entry["etag"],
                                                   last_modified=entry["last_modified"], response=headers)
            if conditional is not headers:
                return conditional
        if "file" in entry:
            try:
                response = StoredFileResponse(default_storage.open(entry["file"], "rb"))
            except OSError:  # the stored file is gone (re-rendered): build the answer anew
                return None
        else:
            response = HttpResponse(entry["content"])
        for name, value in entry["headers"]:
            response.headers[name] = value
        return response
