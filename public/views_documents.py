"""Public document pages, PDFs, evidence files and the ITAS link list (no sign-in; see public/urls.py).

Only published and withdrawn revisions exist here (public/documents.py finds them); everything else,
including a draft, submitted or approved revision, is a 404 at every address.

Caching (see ``public_cache``): stable addresses are ``Cache-Control: public, no-cache``, revision
addresses ``public, max-age=300``; all with Last-Modified (the last publication or
withdrawal, or evidence change) and a weak ETag, and answer conditional requests with 304
(``django.views.decorators.http.condition``); PDFs and evidence files are ``max-age=3600``, a PDF with
its content-hash ETag. The lookup runs once per request: the condition functions and the view share it.
"""
from __future__ import annotations

from functools import wraps

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_safe

from reports.documents import links
from reports.entries.evidence import evidence_response
from reports.printing.rendering import content_disposition
from reports.printing.stored_pdf import document_snapshot, public_render_options, stored_pdf_etag

from . import documents
from core.pagecache import mark_public

PAGE_MAX_AGE = 300
FILE_MAX_AGE = 3600


def public_cache(max_age: int):
    """Cache-Control on successful and 304 responses (never on a 404): a revision's address
    (``/r<N>/``) ``public, max-age=…``; a stable address (the current revision, the ITAS list)
    ``public, no-cache``: caches keep it but ask every time (a cheap 304), so a republished document
    shows at once behind the link pasted into ITAS."""
    def decorator(view):
        @wraps(view)
        def inner(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if response.status_code in (200, 304):
                if kwargs.get("revision") is None:
                    patch_cache_control(response, public=True, no_cache=True)
                else:
                    patch_cache_control(response, public=True, max_age=max_age)
            return mark_public(response)
        return inner
    return decorator


def _once(request, key, make):
    """``make()`` once per request (the condition functions and the view need the same lookup)."""
    cache = request.__dict__.setdefault("_public_documents", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


# --- document page ------------------------------------------------------------------------------------

def _page(request, slug, fiscal_year, kind, revision=None) -> documents.DocumentPage:
    return _once(request, "page", lambda: documents.document_page(slug, fiscal_year, kind, revision))


@require_safe
@public_cache(PAGE_MAX_AGE)
@condition(etag_func=lambda request, *a, **kw: _page(request, *a, **kw).etag(),
           last_modified_func=lambda request, *a, **kw: _page(request, *a, **kw).last_modified())
def document(request, slug, fiscal_year, kind, revision=None):
    page = _page(request, slug, fiscal_year, kind, revision)
    return render(request, "public/document.html", page.context())


# --- PDF -----------------------------------------------------------------------------------------------

def _pdf_document(request, slug, fiscal_year, kind, revision=None):
    return _once(request, "pdf", lambda: documents.pdf_document(slug, fiscal_year, kind, revision))


def _pdf_etag(request, *args, **kwargs):
    doc = _pdf_document(request, *args, **kwargs)
    return stored_pdf_etag(doc) if doc.pdf_file else None


def _pdf_last_modified(request, *args, **kwargs):
    doc = _pdf_document(request, *args, **kwargs)
    return documents.pdf_last_modified(doc) if doc.pdf_file else None


PDF_RETRY_AFTER = 60  # seconds


def pdf_being_prepared(request, doc, revision=None):
    """The stored PDF does not exist yet (a background task renders it, reports/workflow/tasks.py): a Thai page
    saying so, with the link to the document's page, as 503 with Retry-After, never stored by caches
    (a link checker or ITAS sees a passing state, not a broken link or an HTML "PDF")."""
    response = render(request, "public/pdf_being_prepared.html", {
        "document": doc, "organisation": doc.organisation, "retry_after_minutes": 1,
        "page_url": links.document_path(doc, revision=revision is not None),
    }, status=503)
    response["Retry-After"] = str(PDF_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@public_cache(FILE_MAX_AGE)
@condition(etag_func=_pdf_etag, last_modified_func=_pdf_last_modified)
def document_pdf(request, slug, fiscal_year, kind, revision=None):
    """The stored PDF; while a background task still renders it, the "being prepared" page (503). The
    request never renders it."""
    doc = _pdf_document(request, slug, fiscal_year, kind, revision)
    if not doc.pdf_file:
        return pdf_being_prepared(request, doc, revision)
    try:
        handle = doc.pdf_file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        document_snapshot(doc, decision=False), public_render_options(doc))
    response["X-Content-Type-Options"] = "nosniff"
    return mark_public(response, file_name=doc.pdf_file.name)


# --- evidence file -------------------------------------------------------------------------------------

@require_safe
@public_cache(FILE_MAX_AGE)
def evidence_file(request, slug, fiscal_year, kind, revision, evidence_pk):
    """A public evidence file of a published revision, with the headers of the staff download."""
    evidence = documents.public_evidence(slug, fiscal_year, kind, revision, evidence_pk)
    return evidence_response(evidence)


# --- ITAS link list -----------------------------------------------------------------------------------

def _itas(request, slug, fiscal_year) -> documents.ItasPage:
    return _once(request, "itas", lambda: documents.itas_page(slug, fiscal_year))


@require_safe
@public_cache(PAGE_MAX_AGE)
@condition(etag_func=lambda request, *a, **kw: _itas(request, *a, **kw).etag(),
           last_modified_func=lambda request, *a, **kw: _itas(request, *a, **kw).last_modified())
def itas_links(request, slug, fiscal_year):
    return render(request, "public/itas.html", _itas(request, slug, fiscal_year).context())


@require_safe
@public_cache(PAGE_MAX_AGE)
@condition(etag_func=lambda request, slug, fiscal_year, fmt: _itas(request, slug, fiscal_year).etag(),
           last_modified_func=lambda request, slug, fiscal_year, fmt: _itas(request, slug, fiscal_year).last_modified())
def itas_export(request, slug, fiscal_year, fmt):
    """"Export for ITAS": every address of the ITAS page, one row per address (item number, item name,
    URL, what it is), as CSV or XLSX; every cell inert (core/inert.py)."""
    import csv
    import io

    from django.http import HttpResponse, Http404 as NotFound
    from django.utils.translation import gettext as _

    from core.inert import inert_csv_row, inert_xlsx_row

    page = _itas(request, slug, fiscal_year)
    header = [_("Item"), _("Title"), _("Address to paste"), _("What it is")]
    rows = page.export_rows()
    name = f"itas-{slug}-{fiscal_year}"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(inert_csv_row(row) for row in rows)
        response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "ITAS"
        for row in [header, *rows]:
            sheet.append(list(row))
            inert_xlsx_row(sheet[sheet.max_row])
        for column, width in zip("ABCD", (8, 60, 70, 30)):
            sheet.column_dimensions[column].width = width
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise NotFound
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_safe
def oit_file(request, slug, fiscal_year, answer_pk):
    response = evidence_response(documents.oit_file(slug, fiscal_year, answer_pk))
    patch_cache_control(response, public=True, max_age=FILE_MAX_AGE)
    return response
