"""PDF rendering for ITA Portal (WeasyPrint 70 + Sarabun).

Importing this package checks the WeasyPrint version pin (raises
``WeasyPrintVersionError``), installs the ToUnicode fix (see ``tounicode``) and the faster
text layout paths (see ``speedups``: same output).

    from reports.pdf import render_pdf
    pdf_bytes = render_pdf(html, base_url=..., allowed_dirs=[STATIC_ROOT, MEDIA_ROOT])
"""

from .fonts import FAMILY, SarabunFontsMissing, font_face_css, font_files
from .render import (
    BASE_CSS_PATH,
    LocalURLFetcher,
    UnexpectedFontError,
    URLNotAllowed,
    make_url_fetcher,
    render_pdf,
)
from .tounicode import PINNED_WEASYPRINT_VERSION, WeasyPrintVersionError

__all__ = [
    "BASE_CSS_PATH",
    "FAMILY",
    "LocalURLFetcher",
    "PINNED_WEASYPRINT_VERSION",
    "SarabunFontsMissing",
    "URLNotAllowed",
    "UnexpectedFontError",
    "WeasyPrintVersionError",
    "font_face_css",
    "font_files",
    "make_url_fetcher",
    "render_pdf",
]
