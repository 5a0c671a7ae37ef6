"""HTML -> PDF with WeasyPrint: Sarabun only, no network, correct extractable text.

Independent of Django settings: the Django layer passes ``base_url`` and
``allowed_dirs`` (e.g. STATIC_ROOT, MEDIA_ROOT) explicitly.
"""

from __future__ import annotations

import gc
import mimetypes
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import repaginate, speedups, thai_breaks, tounicode
from .fonts import FAMILY, font_dir, font_face_css
from .repaginate import active as repaginate_active

tounicode.install()  # idempotent; the import above already checked the WeasyPrint pin
speedups.install()  # same output, less repeated text layout work (see speedups)
repaginate.install()  # inert outside repaginate.active (render_pdf's ``repaginate``)
thai_breaks.install()  # word-break: keep-all: Thai lines break between words only (see thai_breaks)

BASE_CSS_PATH = Path(__file__).with_name("base.css")


class URLNotAllowed(ValueError):
    """A resource URL outside the allowed local directories (or not file:/data:)."""


class UnexpectedFontError(RuntimeError):
    """The PDF would embed a font other than the allowed families (system fallback)."""


class LocalURLFetcher(URLFetcher):
    """WeasyPrint URL fetcher that only reads local files in allowed directories.

    Allowed: ``data:`` URLs, and ``file://`` URLs whose resolved path (symlinks
    followed) lies inside the Sarabun font directory or one of ``allowed_dirs``.
    Everything else (http, https, ftp, other paths) raises :class:`URLNotAllowed`
    before any I/O; WeasyPrint then logs "Failed to load ..." and skips the
    resource.  Refused URLs are recorded in :attr:`refused`.
    """

    def __init__(self, allowed_dirs: Iterable[str | os.PathLike] = ()):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.allowed_dirs = tuple(Path(d).resolve() for d in (font_dir(), *allowed_dirs))
        self.refused: list[str] = []

    def local_path(self, url: str) -> Path:
        """Return the allowed local path of a file URL, or raise URLNotAllowed."""
        parts = urlsplit(url)
        if parts.scheme.lower() == "file" and parts.netloc in ("", "localhost"):
            path = Path(url2pathname(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in self.allowed_dirs):
                return path
        self.refused.append(url)
        raise URLNotAllowed(f"Resource URL not allowed in PDF rendering: {url}")

    def fetch(self, url, headers=None):
        if urlsplit(url).scheme.lower() == "data":
            return super().fetch(url, headers)  # urllib's DataHandler, no I/O
        path = self.local_path(url)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), {"Content-Type": mime_type})


def make_url_fetcher(allowed_dirs: Iterable[str | os.PathLike] = ()) -> LocalURLFetcher:
    return LocalURLFetcher(allowed_dirs)


_thread_cache = threading.local()


def _base_sheets() -> tuple[FontConfiguration, list[weasyprint.CSS]]:
    """This thread's FontConfiguration with the Sarabun ``@font-face`` sheet and ``base.css``,
    parsed once: loading the fonts into a new fontconfig set and parsing the sheets again cost
    about 25 ms a render.  (Extra ``@font-face`` rules in a caller's stylesheets would stay in the
    shared configuration; render_pdf's font check still applies to every PDF.)"""
    cached = getattr(_thread_cache, "base", None)
    if cached is None:
        font_config = FontConfiguration()
        fetcher = LocalURLFetcher()
        sheets = [
            weasyprint.CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher),
            weasyprint.CSS(filename=BASE_CSS_PATH, font_config=font_config, url_fetcher=fetcher),
        ]
        cached = _thread_cache.base = (font_config, sheets)
    return cached


def render_pdf(
    html: str | Sequence[str],
    *,
    base_url: str | os.PathLike | None = None,
    stylesheets: Iterable[str | os.PathLike | weasyprint.CSS] = (),
    allowed_dirs: Iterable[str | os.PathLike] = (),
    allowed_font_families: Iterable[str] = (FAMILY,),
    relayout: Callable[[int, weasyprint.Document], str | None] | None = None,
    repaginate: Callable[[int, list], dict[int, str] | None] | None = None,
) -> bytes:
    """Render an HTML string to PDF bytes.

    - ``html``: one HTML string, or a sequence of them (e.g. a memo cover and the
      report behind it): each part is laid out on its own, with its own page
      counters (``counter(page)``/``counter(pages)`` count that part only), and the
      pages are joined in order into one PDF.  Every part gets the same
      ``base_url``, ``stylesheets`` and URL restrictions.
    - ``base_url``: resolves relative URLs (a directory path or file:// URL).
    - ``stylesheets``: extra user stylesheets after the Sarabun ``@font-face``
      rules and ``base.css``; a ``str`` is CSS *text*, a ``Path``/``os.PathLike``
      a CSS file, or a ready ``weasyprint.CSS``.  The document's own ``<style>``
      (author origin) overrides all of them.
    - ``allowed_dirs``: local directories resources may be read from (e.g.
      STATIC_ROOT, MEDIA_ROOT), in addition to the font package directory.
    - ``relayout``: called with each part's index and laid-out document; when it returns an
      HTML string, that part is laid out again from it (e.g. another way to keep a block with
      the end of a table, see reports.pdf.pagination).
    - ``repaginate``: the same without a second layout: called with each part's index and its
      laid-out page boxes (before margin boxes); when it returns ``{page index: "CSS
      declarations"}`` (e.g. ``{4: "padding-bottom: 36mm"}``), those pages get the declarations
      in their ``@page`` style and WeasyPrint re-makes them and the pages after them, keeping
      the pages before (reports.pdf.repaginate).
    - ``allowed_font_families``: after rendering, every embedded font must be one of
      these, else :class:`UnexpectedFontError` (catches fontconfig fallback to a
      system font for characters Sarabun lacks).
    """
    base_url = os.fspath(base_url) if base_url else None
    fetcher = LocalURLFetcher(allowed_dirs)
    font_config, base_sheets = _base_sheets()

    def css(**source):
        return weasyprint.CSS(**source, font_config=font_config, url_fetcher=fetcher)

    sheets = list(base_sheets)
    for sheet in stylesheets:
        if isinstance(sheet, weasyprint.CSS):
            sheets.append(sheet)
        elif isinstance(sheet, str):
            sheets.append(css(string=sheet, base_url=base_url))
        else:
            sheets.append(css(filename=os.fspath(sheet)))

    parts = [html] if isinstance(html, str) else list(html)
    if not parts:
        raise ValueError("render_pdf needs at least one HTML part")
    def layout(part, index=None):
        html = weasyprint.HTML(string=part, base_url=base_url, url_fetcher=fetcher)
        if repaginate is None or index is None:
            return html.render(font_config=font_config, stylesheets=sheets)
        with repaginate_active(lambda page_boxes: repaginate(index, page_boxes)):
            return html.render(font_config=font_config, stylesheets=sheets)

    documents = []
    for index, part in enumerate(parts):
        document = layout(part, index)
        if relayout is not None:
            again = relayout(index, document)
            if again is not None:
                document = None
                gc.collect()  # the first layout's boxes go before the second is made (peak memory)
                document = layout(again)
        documents.append(document)
    document = documents[0]
    if len(documents) > 1:  # fonts are collected while the joined pages are drawn
        document = document.copy([page for doc in documents for page in doc.pages])
    pdf = document.write_pdf()

    allowed = set(allowed_font_families)
    unexpected = sorted({font.family for font in document.fonts.values()} - allowed)
    if unexpected:
        raise UnexpectedFontError(
            f"PDF would embed font(s) {unexpected}; only {sorted(allowed)} are allowed "
            "(text contains characters missing from Sarabun?)")
    return pdf
