"""Bump the staff pages' data cache (core/datacache.py) when an organisation's data or the catalogue changes.

The one path for saves and deletes (docs/ARCHITECTURE.md, "The staff pages' data cache"): the receivers
here bump, whoever saved (a service, the Django admin, a loader). Rows that hang off another row (a step
off its measure, an answer off its register row) bump on save only: connecting their deletes would make
Django read every row of a cascade one by one to send the signal. Their deletes come with their parent's,
or bump in the function doing them, as do writes that send no signal (queryset ``update()``,
``bulk_create``)."""
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from core import datacache
from ita.models import (AssessmentResult, AssessmentYear, Indicator, OITItem, SubIndicator, Tool, ToolScore,
                        ToolWeight)
from measures.models import Measure, MeasureStep
from oit.models import Answer, Register, Row
from orgs.models import Division, Membership, Organisation
from reports.models import Document, ProgressEntry

# What the kept pages read (the dashboard, the measures list): model → the foreign keys from it to the
# organisation (the last one is the organisation's own). A model read by a page that starts to keep its
# data is added here.
ORGANISATION_PATHS = {
    Division: ("organisation",),
    Measure: ("organisation",),
    Document: ("organisation",),
    AssessmentResult: ("organisation",),
    Register: ("organisation",),
    MeasureStep: ("measure", "organisation"),
    ProgressEntry: ("document", "organisation"),
    ToolScore: ("result", "organisation"),
    Row: ("register", "organisation"),
    Answer: ("row", "register", "organisation"),
}
DELETES_TOO = {Division, Measure, Document, AssessmentResult, Register}
MEASURE_LINKS = (Measure.divisions.through, Measure.tools.through, Measure.indicators.through,
                 Measure.oit_items.through)
CATALOGUE = (AssessmentYear, Tool, ToolWeight, Indicator, SubIndicator, OITItem)


def organisation_id(instance, path) -> int | None:
    """The organisation of ``instance`` along ``path``: through the related rows already in memory, or one
    query from the first that is not."""
    obj = instance
    for i, name in enumerate(path[:-1]):
        field = type(obj)._meta.get_field(name)
        if not field.is_cached(obj):
            lookup = "__".join(path[i + 1:-1] + (path[-1] + "_id",))
            return (field.related_model.objects.filter(pk=getattr(obj, field.attname))
                    .values_list(lookup, flat=True).first())
        obj = getattr(obj, name)
    return getattr(obj, path[-1] + "_id")


def row_changed(sender, instance, **kwargs):
    if datacache.enabled():
        datacache.bump(organisation_id(instance, ORGANISATION_PATHS[sender]))


def measure_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A measure's divisions, tools, indicators or OIT items set, from either side."""
    if not datacache.enabled() or not action.startswith("post_"):
        return
    if not reverse or hasattr(instance, "organisation_id"):  # a measure's links, or a division's measures
        datacache.bump(instance.organisation_id)
    elif pk_set:  # a catalogue row's measures
        datacache.bump(*Measure.objects.filter(pk__in=pk_set).values_list("organisation_id", flat=True).distinct())
    else:  # a catalogue row's measures cleared: whose they were is no longer known
        datacache.bump(everything=True)


def organisation_changed(sender, instance, **kwargs):
    datacache.bump(instance.pk)


def user_changed(sender, instance, created=False, update_fields=None, **kwargs):
    # A member's name shows on the documents they submitted or approved (a sign-in saves last_login only).
    if datacache.enabled() and not created and set(update_fields or ()) != {"last_login"}:
        datacache.bump(*Membership.objects.filter(user=instance).values_list("organisation_id", flat=True))


def catalogue_changed(sender, instance, **kwargs):
    datacache.bump(catalogue=True)


def connect():
    for model in ORGANISATION_PATHS:
        post_save.connect(row_changed, sender=model, dispatch_uid=f"datacache-{model._meta.label}-save")
        if model in DELETES_TOO:
            post_delete.connect(row_changed, sender=model, dispatch_uid=f"datacache-{model._meta.label}-delete")
    for signal in (post_save, post_delete):
        signal.connect(organisation_changed, sender=Organisation, dispatch_uid=f"datacache-org-{signal}")
        for model in CATALOGUE:
            signal.connect(catalogue_changed, sender=model, dispatch_uid=f"datacache-{model._meta.label}-{signal}")
    post_save.connect(user_changed, sender=get_user_model(), dispatch_uid="datacache-user-save")
    for through in MEASURE_LINKS:
        m2m_changed.connect(measure_links_changed, sender=through, dispatch_uid=f"datacache-{through._meta.label}")
