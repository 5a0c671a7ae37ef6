"""Deleting the synthetic national data set (``seed_scale --reset``) with querysets, never objects in
memory: what hangs off the synthetic organisations and users first, then them, then the stored files only
they named (demo/scale.py)."""
from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import models, transaction

from core.audit import sanctioned_removal
from measures.models import Measure, MeasureStep
from reports.models import Document, Evidence

from .scale_rows import ScaleError


def _delete(qs) -> int:
    return qs._raw_delete(qs.db)


def _delete_cascade(qs, counts: dict, depth: int = 0) -> None:
    """Delete ``qs`` and what hangs off it, with querysets (no objects in memory): CASCADE relations
    first, SET_NULL ones updated, PROTECT ones must be empty. A self relation is taken to stay inside
    ``qs`` (MeasureStep.parent)."""
    if depth > 8:
        raise ScaleError("relations nested too deep")
    model = qs.model
    for rel in model._meta.get_fields(include_hidden=True):
        if not isinstance(rel, (models.ManyToOneRel, models.OneToOneRel)) or isinstance(rel, models.ManyToManyRel):
            continue
        related, fk = rel.related_model, rel.field
        on_delete = rel.on_delete
        if on_delete is models.DO_NOTHING:
            continue
        sub = related._base_manager.filter(**{f"{fk.name}__in": qs.values("pk")})
        if on_delete is models.CASCADE:
            if related is model:
                continue
            _delete_cascade(sub, counts, depth + 1)
        elif on_delete is models.SET_NULL:
            sub.update(**{fk.name: None})
        elif on_delete in (models.PROTECT, models.RESTRICT):
            if sub.exists():
                raise ScaleError(f"{related.__name__}.{fk.name} still refers to a synthetic {model.__name__}")
        else:
            raise ScaleError(f"{related.__name__}.{fk.name}: on_delete {on_delete.__name__} is not handled")
    n = _delete(qs)
    if n:
        counts[model._meta.label] = counts.get(model._meta.label, 0) + n


def delete_synthetic(orgs, users, log=print) -> dict:
    """Delete the synthetic organisations and users (querysets) and everything that hangs off them; then
    the stored PDFs (and evidence files) only they named. Returns {model label: rows deleted}."""
    counts: dict = {}
    slugs = list(orgs.values_list("slug", flat=True))
    docs = Document.objects.filter(organisation__in=orgs.values("pk"))
    files = set(docs.exclude(pdf_file="").values_list("pdf_file", flat=True).distinct())
    files |= set(Evidence.objects.filter(entry__document__in=docs.values("pk")).exclude(file="")
                 .values_list("file", flat=True))
    measures = Measure.objects.filter(organisation__in=orgs.values("pk"))
    with sanctioned_removal("seed_scale --reset: the synthetic organisations and users") as record:
        # Documents and measures first and in this order (entries PROTECT their measures), then the
        # organisations and users with everything else that hangs off them.
        _delete_cascade(docs, counts)
        Measure.objects.filter(copied_from__in=measures.values("pk")).update(copied_from=None)
        for name in ("tools", "indicators", "oit_items", "divisions"):
            through = getattr(Measure, name).through
            n = _delete(through.objects.filter(measure__in=measures.values("pk")))
            counts[through._meta.label] = n
        counts[MeasureStep._meta.label] = _delete(MeasureStep.objects.filter(measure__in=measures.values("pk")))
        _delete_cascade(measures, counts)
        _delete_cascade(orgs, counts)
        _delete_cascade(users, counts)

        def remove_files():
            for name in sorted(files):
                still = Document.objects.filter(pdf_file=name).exists() or Evidence.objects.filter(file=name).exists()
                if not still:
                    default_storage.delete(name)

        transaction.on_commit(remove_files)
        bump_public_cache(slugs)
        record.removed = {label: n for label, n in sorted(counts.items()) if n}
    log("Deleted: " + (", ".join(f"{n} {label}" for label, n in sorted(counts.items()) if n) or "nothing"))
    return counts


def bump_public_cache(slugs) -> None:
    """Rows written without save() send no signal: new generations for the site (and these orgs)."""
    try:
        from core import pagecache
    except ImportError:
        return
    bump = getattr(pagecache, "bump", None)
    if bump is not None:
        bump(*slugs)
    from core import datacache

    datacache.bump(everything=True)  # the staff pages' data cache, too
