"""Shared test helpers that take a document through the real workflow services (reports.services)."""
from reports import services
from reports.models import Document, DocumentKind


def reload(document) -> Document:
    return Document.objects.get(pk=document.pk)


def submitted(org, staff, *, fiscal_year=2568, kind=DocumentKind.MEASURES, round_=0) -> Document:
    document = services.create_document(org, fiscal_year=fiscal_year, kind=kind, round=round_, actor=staff,
                                        notify=False)
    return reload(services.submit_document(reload(document), actor=staff, notify=False))


def published(org, staff, approver, *, render=False, **kwargs) -> Document:
    """A document created and submitted by ``staff``, approved and published by ``approver``."""
    document = submitted(org, staff, **kwargs)
    document = services.approve_document(document, actor=approver, notify=False)
    return reload(services.publish_document(reload(document), actor=approver, notify=False, render=render))
