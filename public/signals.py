"""Bump the public cache's generations (core/pagecache.py) when something the public sees changes."""
from django.db.models.signals import post_delete, post_save

from ita.models import AssessmentResult
from orgs.models import Organisation
from reports.models import Document, DocumentStatus, Evidence

from core import pagecache as cache

PUBLIC_STATUSES = (DocumentStatus.PUBLISHED, DocumentStatus.WITHDRAWN)


def _slug(organisation_id) -> str | None:
    return Organisation.objects.filter(pk=organisation_id).values_list("slug", flat=True).first()


def organisation_changed(sender, instance, **kwargs):
    cache.bump(instance.slug)


def result_changed(sender, instance, **kwargs):
    if cache.enabled():
        cache.bump(_slug(instance.organisation_id))


def document_changed(sender, instance, **kwargs):
    # Drafts, submitted and approved revisions are not public: their changes show nowhere.
    if cache.enabled() and instance.status in PUBLIC_STATUSES:
        cache.bump(_slug(instance.organisation_id))


def evidence_changed(sender, instance, **kwargs):
    if cache.enabled():
        slug = (Organisation.objects.filter(documents__entries=instance.entry_id)
                .values_list("slug", flat=True).first())
        cache.bump(slug)


def connect():
    for signal in (post_save, post_delete):
        signal.connect(organisation_changed, sender=Organisation, dispatch_uid=f"public-org-{signal}")
        signal.connect(result_changed, sender=AssessmentResult, dispatch_uid=f"public-result-{signal}")
        signal.connect(document_changed, sender=Document, dispatch_uid=f"public-doc-{signal}")
        signal.connect(evidence_changed, sender=Evidence, dispatch_uid=f"public-evidence-{signal}")
