"""A measure reported on in a submitted, approved or published document cannot be deleted; its entries in
draft and withdrawn documents go with it. Registered with measures.services (reports/apps.py), which asks
through ``register_reporter`` and never imports reports."""
from ..models import DocumentStatus, ProgressEntry

# Documents in these states must keep every measure they report on.
LOCKING_STATUSES = (DocumentStatus.SUBMITTED, DocumentStatus.APPROVED, DocumentStatus.PUBLISHED)


def locking_entries(measure):
    """Progress entries of submitted/approved/published documents that name this measure."""
    return (
        ProgressEntry.objects.filter(measure=measure, document__status__in=LOCKING_STATUSES)
        .select_related("document")
        .order_by("document__fiscal_year", "document__round", "document__revision")
    )


def draft_entries(measure):
    """Progress entries of other documents (draft, withdrawn): deleted together with the measure."""
    return (
        ProgressEntry.objects.filter(measure=measure)
        .exclude(document__status__in=LOCKING_STATUSES)
        .select_related("document")
    )


def register() -> None:
    from measures.services import register_reporter

    register_reporter(locking_entries, draft_entries)
