"""Idempotent loading of data files (the ITA catalogue, the demo data): match each row on its
natural key, create it or save only the fields that differ, and count what changed."""
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist


@dataclass
class LoadStats:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    def count(self, model_or_obj, created: bool, changed: bool = False):
        name = model_or_obj._meta.model_name
        if created:
            self.created[name] += 1
        elif changed:
            self.updated[name] += 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def report_lines(self, what: str) -> list[str]:
        """e.g. ["ITA catalogue created: 3 tool, 50 indicator"], or ["ITA catalogue: up to date."]."""
        if not self.changed:
            return [f"{what}: up to date."]
        return [
            f"{what} {label}: " + ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
            for label, counts in (("created", self.created), ("updated", self.updated))
            if counts
        ]


def upsert(stats: LoadStats, model, lookup: dict, values: dict, create_only: dict | None = None):
    """Get by `lookup` and set `values` (saving only changed fields), or create with values +
    `create_only`. A created object carries `_loader_created = True`."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values, **(create_only or {}))
        obj._loader_created = True
        stats.count(obj, True)
        return obj
    _save_changes(stats, obj, values)
    return obj


def _differs(obj, name: str, value) -> bool:
    """Whether field `name` of `obj` differs from `value`; a related object is compared by its key, so
    that reading the field does not load the row it points to."""
    try:
        model_field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return getattr(obj, name) != value
    if model_field.is_relation and model_field.many_to_one and name == model_field.name:
        return getattr(obj, model_field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _save_changes(stats: LoadStats, obj, values: dict) -> None:
    """Set and save only the fields of `values` that differ, and count the object as changed or not."""
    changed = [name for name, value in values.items() if _differs(obj, name, value)]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
    stats.count(obj, False, bool(changed))


def upsert_many(stats: LoadStats, model, existing: dict, rows: dict) -> dict:
    """`upsert` for many rows of one model in a few queries: `existing` maps each natural key to its saved
    object (read by the caller in one query), `rows` maps each key to (lookup, values). Changed objects
    save only the fields that differ; new ones are created by one bulk_create (the models loaded this
    way have no save() of their own and no signals). Returns key -> object."""
    objects, new = {}, []
    for key, (lookup, values) in rows.items():
        obj = existing.get(key)
        if obj is None:
            obj = model(**lookup, **values)
            obj._loader_created = True
            new.append(obj)
            stats.count(obj, True)
        else:
            _save_changes(stats, obj, values)
        objects[key] = obj
    model.objects.bulk_create(new)
    return objects
