"""Public document pages, PDFs, evidence files and the ITAS link list (to be written)."""
from django.http import Http404


def document(request, slug, fiscal_year, kind, revision=None):
    raise Http404


def document_pdf(request, slug, fiscal_year, kind, revision=None):
    raise Http404


def evidence_file(request, slug, fiscal_year, kind, revision, evidence_pk):
    raise Http404


def itas_links(request, slug, fiscal_year):
    raise Http404
