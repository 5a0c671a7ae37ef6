"""A same-site crawler for the test client, and the English words of a page's visible text.

Not a test module (tests/test_crawl.py uses it). The crawler starts from a list of URLs, follows links
(``a[href]``, ``[hx-get]``, GET forms' ``action``, ``iframe[src]``) and redirects within the site, GET only,
and records every answer's status. HTML pages are parsed; any other answer (PDF, DOCX, XLSX, CSV, XML,
fonts) is only checked for its status. Bounded: a path is opened with at most ``QUERY_VARIANTS``
different query strings, Django's admin without query strings and with at most ``ADMIN_OBJECTS`` object
pages per model, and the whole crawl stops at ``max_pages`` (reported, so a test can assert it was not
reached).
"""
from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.core.signals import got_request_exception
from django.test import Client
from django.urls import Resolver404, resolve
from lxml import etree
from lxml import html as lxml_html

QUERY_VARIANTS = 4
ADMIN_OBJECTS = 1
SAME_SITE_HOSTS = {"", "testserver", "127.0.0.1:8000", "localhost:8000"}
# URL names opened with a throwaway client and never followed: they change the client's session or
# language (a GET of "language" switches the language for the rest of the crawl) or are POST-only.
ISOLATED = {"language", "set_language", "logout"}
SKIPPED_PREFIXES = ("/static/", "/media/")

# --- visible text ----------------------------------------------------------------------------------

TEXT_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")
BUTTON_INPUTS = {"submit", "button", "reset"}


# An element whose text is not shown: script, style or template, marked with a language other than Thai
# (an empty lang counts as Thai), or marked translate="no". Text inside one is hidden with it.
_HIDDEN = etree.XPath("descendant-or-self::*[self::script or self::style or self::template"
                      " or (@lang != '' and not(starts-with(@lang, 'th'))) or @translate = 'no']")
_WITH_TEXT_ATTRIBUTES = etree.XPath(
    "descendant-or-self::*[@alt or @title or @placeholder or @aria-label or (self::input and @value)]")


def parse(page: str | bytes):
    """The page's element tree (parsed once for both its links and its visible text)."""
    return lxml_html.fromstring(page)


def visible_text(page) -> list[str]:
    """The pieces of text a reader meets on an HTML page (its source, or its ``parse``d tree, which this
    empties of its hidden elements: read its links first): its text nodes (not in script, style or
    template; not in an element marked with a language other than Thai, such as the "English" switch, nor
    marked ``translate="no"``, the HTML mark of codes such as a key or a snippet), the alt, title,
    placeholder and aria-label attributes, and the value of input buttons."""
    root = parse(page) if isinstance(page, (str, bytes)) else page
    for el in _HIDDEN(root):
        el.clear(keep_tail=True)  # its text, children and attributes go; the text after it stays
    pieces: list[str] = [text for text in root.itertext() if isinstance(text, str)]
    for el in _WITH_TEXT_ATTRIBUTES(root):
        pieces.extend(el.get(name) for name in TEXT_ATTRIBUTES if el.get(name))
        if el.tag == "input" and (el.get("type") or "").lower() in BUTTON_INPUTS and el.get("value"):
            pieces.append(el.get("value"))
    return [p.strip() for p in pieces if p and p.strip()]


# What is not a word of a sentence: addresses, file names, codes.
NOT_WORDS = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|(?:https?://|www\.)\S*"  # URLs (also "https://" alone, a placeholder)
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:go\.th|or\.th|ac\.th|in\.th|co\.th|com|org|net|th)\b"  # domains
    r"|\S+\.(?:pdf|docx|xlsx|csv|png|jpe?g|ttf|json|xml|zip)\b"  # file names
    r"|/\S*"  # paths
    r"|\b[A-Z]{1,2}\d+(?:\.\d+)*\b"  # codes of OIT items and indicators: O17, E1.2
    r"|\b(?=[0-9a-f]*\d)[0-9a-f]{16,}\b"  # hashes (SHA-256 of a published PDF)
    , re.IGNORECASE)
WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*(…)?")
LATIN = re.compile(r"[A-Za-z]")


def english_words(pieces: list[str], allowed: set[str], phrases: tuple[str, ...] = ()) -> Counter:
    """The Latin-letter words of ``pieces`` that are not in ``allowed`` (compared as written, in upper
    case for acronyms and in title case for names written in small letters) nor in one of ``phrases``
    (case-insensitive: names of several words such as "No Gift Policy"). A word cut short by "…"
    (a shortened text) is allowed when it begins an allowed word."""
    phrase = re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) or r"(?!)",
                        re.IGNORECASE)
    found: Counter = Counter()
    for piece in pieces:
        if not LATIN.search(piece):  # most pieces are Thai only: nothing to look for
            continue
        for match in WORD.finditer(NOT_WORDS.sub(" ", phrase.sub(" ", piece))):
            word = match.group(0).rstrip("…")
            if word in allowed or word.upper() in allowed or word.title() in allowed:
                continue
            if match.group(1) and any(a.startswith(word) for a in allowed):
                continue
            found[word] += 1
    return found


# --- the crawler -----------------------------------------------------------------------------------

@dataclass
class CrawlResult:
    statuses: dict[str, int] = field(default_factory=dict)  # url -> status
    seconds: dict[str, float] = field(default_factory=dict)  # url -> time of the answer
    html_pages: int = 0
    other_files: int = 0  # PDF, DOCX, XLSX, CSV, XML, fonts: status only
    server_errors: dict[str, str] = field(default_factory=dict)  # url -> exception
    english: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # word -> urls
    english_count: int = 0
    stopped_at_limit: bool = False

    def by_status(self) -> Counter:
        return Counter(self.statuses.values())


def _name_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


_HREFS = etree.XPath("descendant-or-self::a/@href[. != '']")
_HX_GETS = etree.XPath("descendant-or-self::*/@hx-get[. != '']")
_FRAMES = etree.XPath("descendant-or-self::iframe/@src[. != '']")


def _links(root, base: str) -> list[str]:
    found = [*_HREFS(root), *_HX_GETS(root), *_FRAMES(root)]
    found += [el.get("action") or base for el in root.iter("form")
              if (el.get("method") or "get").lower() == "get"]
    return [urljoin(base, str(link)) for link in found]


class Crawler:
    def __init__(self, client: Client, *, allowed_words: set[str], allowed_phrases: tuple[str, ...] = (),
                 max_pages: int = 1500, english_check=lambda path: True, downloads_checked: dict | None = None):
        self.client = client
        # URL names of downloads already answered (shared between crawls: a PDF, DOCX or XLSX is checked
        # for its status once, whoever opens it; who may open it is tests/test_url_permissions.py's job)
        self.downloads_checked = downloads_checked if downloads_checked is not None else {}
        self.allowed = allowed_words
        self.phrases = allowed_phrases
        self.max_pages = max_pages
        self.english_check = english_check  # path -> whether its text is checked for English
        self.result = CrawlResult()
        self._query_variants: Counter = Counter()
        self._admin_objects: Counter = Counter()

    def _normalise(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or parts.netloc not in SAME_SITE_HOSTS:
            return None
        path = parts.path or "/"
        if path.startswith(SKIPPED_PREFIXES):
            return None
        query = "" if path.startswith("/admin/") else parts.query
        return urlunsplit(("", "", path, query, ""))

    def _admit(self, url: str) -> bool:
        """The bounds: query variants per path, object pages per admin model."""
        path, _, query = url.partition("?")
        if query:
            if self._query_variants[path] >= QUERY_VARIANTS:
                return False
            self._query_variants[path] += 1
        segments = path.strip("/").split("/")
        if segments[0] == "admin" and len(segments) > 3 and segments[3] not in ("add",):
            model = tuple(segments[1:3])
            if self._admin_objects[model] >= ADMIN_OBJECTS * 3:  # change, history, delete of each object
                return False
            self._admin_objects[model] += 1
        return True

    def run(self, start: list[str]) -> CrawlResult:
        errors: dict[str, str] = {}

        def on_exception(sender, request=None, **kwargs):
            import sys
            errors[request.get_full_path() if request else "?"] = repr(sys.exc_info()[1])

        got_request_exception.connect(on_exception, dispatch_uid="tests.crawl")
        try:
            self._crawl(start)
        finally:
            got_request_exception.disconnect(dispatch_uid="tests.crawl")
        for url, status in self.result.statuses.items():
            if status >= 500:
                self.result.server_errors[url] = errors.get(url, "")
        return self.result

    def _crawl(self, start):
        queue: list[str] = []
        seen: set[str] = set()

        def add(url):
            url = self._normalise(url)
            if url and url not in seen and self._admit(url):
                seen.add(url)
                queue.append(url)

        for url in start:
            add(url)
        while queue:
            if len(self.result.statuses) >= self.max_pages:
                self.result.stopped_at_limit = True
                return
            url = queue.pop(0)
            name = _name_of(url.partition("?")[0])
            if url in self.downloads_checked:
                self.result.statuses[url] = self.downloads_checked[url]
                self.result.other_files += 1
                continue
            client = Client(raise_request_exception=False) if name in ISOLATED else self.client
            began = time.monotonic()
            response = client.get(url)
            self.result.seconds[url] = time.monotonic() - began
            self.result.statuses[url] = response.status_code
            if name in ISOLATED:
                continue
            if response.status_code in (301, 302, 303, 307, 308):
                add(urljoin(url, response["Location"]))
                continue
            content_type = response.get("Content-Type", "")
            if not content_type.startswith("text/html"):
                self.result.other_files += 1
                if response.status_code == 200:
                    self.downloads_checked[url] = response.status_code
                continue
            self.result.html_pages += 1
            body = response.content
            if not body.strip():
                continue
            root = parse(body)
            for link in _links(root, url):
                add(link)
            if self.english_check(url):
                for word, count in english_words(visible_text(root), self.allowed, self.phrases).items():
                    self.result.english[word].add(url)
                    self.result.english_count += count
