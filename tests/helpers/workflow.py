"""Take a document through the real workflow services (reports/workflow/transitions.py), as the tests' set-up."""
from contextlib import nullcontext

from reports.models import Document, DocumentKind
from reports.workflow import transitions


def reload(document) -> Document:
    return Document.objects.get(pk=document.pk)


def submitted(org, staff, *, fiscal_year=2568, kind=DocumentKind.MEASURES, round_=0) -> Document:
    document = transitions.create_document(org, fiscal_year=fiscal_year, kind=kind, round=round_, actor=staff,
                                           notify=False)
    return reload(transitions.submit_document(reload(document), actor=staff, notify=False))


def publish(document, staff, approver, *, render=False, capture=None) -> Document:
    """``document`` (a draft) submitted by ``staff``, approved and published by ``approver``; reloaded.
    ``render``: the stored PDF is rendered after the commit; ``capture`` (pytest-django's
    ``django_capture_on_commit_callbacks``): run what the services left for after the commit."""
    with capture(execute=True) if capture else nullcontext():
        document = transitions.submit_document(reload(document), actor=staff, notify=False)
        document = transitions.approve_document(reload(document), actor=approver, notify=False)
        transitions.publish_document(reload(document), actor=approver, notify=False, render=render)
    return reload(document)


def published(org, staff, approver, *, render=False, capture=None, fiscal_year=2568, kind=DocumentKind.MEASURES,
              round_=0) -> Document:
    """A new document created by ``staff`` and published (``publish``)."""
    document = transitions.create_document(org, fiscal_year=fiscal_year, kind=kind, round=round_, actor=staff,
                                           notify=False)
    return publish(document, staff, approver, render=render, capture=capture)
