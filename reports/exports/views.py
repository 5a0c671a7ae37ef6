"""Staff exports: a document as Word (DOCX) and the measures and entries of a fiscal year as Excel.

    /w/<org>/documents/<pk>/docx/              the document, from reports.documents.views.document_data (its
                                               frozen snapshot once approved), same options as the PDF
    /w/<org>/documents/xlsx/<fiscal_year>/     measures (one row per step) and progress entries

Members of the organisation only (orgs.access); another organisation's document is a 404.
"""
from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from orgs.access import org_member_required

from ..documents.views import _document, _options_form, document_data
from ..printing.rendering import ascii_filename, disposition, pdf_filename
from .docx import CONTENT_TYPE as DOCX_TYPE
from .docx import docx_filename, render_document_docx
from .xlsx import CONTENT_TYPE as XLSX_TYPE
from .xlsx import ascii_xlsx_filename, measures_workbook, xlsx_filename


def _file_response(content: bytes, content_type: str, ascii_name: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = disposition(ascii_name, name, attachment=True)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@org_member_required()
def docx(request, org_slug, pk):
    document = _document(request, pk)
    data = document_data(document)
    options = _options_form(request, document, data).options()
    content = render_document_docx(data, options)
    return _file_response(content, DOCX_TYPE, docx_filename(ascii_filename(data, options)),
                          docx_filename(pdf_filename(data, options)))


@require_safe
@org_member_required()
def xlsx(request, org_slug, fiscal_year):
    content = measures_workbook(request.org, fiscal_year)
    return _file_response(content, XLSX_TYPE, ascii_xlsx_filename(request.org, fiscal_year),
                          xlsx_filename(request.org, fiscal_year))
