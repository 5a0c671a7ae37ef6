"""Bump the public cache's generations (core/pagecache.py) when something the public sees changes.

The one path for saves and deletes of what the public pages read (docs/ARCHITECTURE.md, "The public page
cache"): services do not bump for a row they save or delete, the receivers here do, whoever saved it (a
service, the Django admin, a loader). Only writes that send no signal (queryset ``update()``,
``bulk_create``, raw loads) bump in the function that does them."""
from django.db.models.signals import post_delete, post_save

from ita.models import AssessmentResult
from oit.models import Register
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


def register_changed(sender, instance, **kwargs):
    # The public ITAS page shows a register's confirmed snapshot only.
    if cache.enabled() and instance.confirmed_at is not None:
        cache.bump(_slug(instance.organisation_id))


def connect():
    for signal in (post_save, post_delete):
        signal.connect(organisation_changed, sender=Organisation, dispatch_uid=f"public-org-{signal}")
        signal.connect(result_changed, sender=AssessmentResult, dispatch_uid=f"public-result-{signal}")
        signal.connect(document_changed, sender=Document, dispatch_uid=f"public-doc-{signal}")
        signal.connect(evidence_changed, sender=Evidence, dispatch_uid=f"public-evidence-{signal}")
        signal.connect(register_changed, sender=Register, dispatch_uid=f"public-oit-register-{signal}")
