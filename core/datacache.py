"""What a staff page builds from an organisation's data, kept in the shared cache while that data is
unchanged.

The dashboard and the measures list read much and change nothing: on the national data building their data
was ~55 % of a request. They keep what they built (``get_or_build``) under three generations
(core/generations.py): the organisation's data, the ITA catalogue's and the installation's. One
``get_many`` reads the entry and the three tokens; an entry built under older tokens is built anew.

What bumps them (docs/ARCHITECTURE.md, "The staff pages' data cache"):

- ``org:<id>``: a save or delete of the organisation's rows that its staff pages read (the organisation,
  its divisions, measures with their steps and links, documents and progress entries, ITA results and
  tool scores, OIT register, rows and answers; the name of a member): model signals (workspace/signals.py),
  whoever saves;
- ``catalogue``: a change of the ITA catalogue (the same signals, and the catalogue's loaders);
- ``all``: a restore of the whole database, the demo's and the synthetic data set's loads;
- ``update()`` of the querysets of those models (``bulk_update`` too) bumps the organisations of the rows it
  changes (``UpdateBumpsQuerySet``); other writes that send no signal (``bulk_create``, a delete of rows
  whose deletes send none) bump in the function doing them.

A bump happens at once and again after the transaction commits. The cache must be shared by every
process that writes (web and task workers: ``CACHE_URL``); ``WORKSPACE_DATA_CACHE`` turns the layer on and
defaults to on when ``CACHE_URL`` is set, as the public page cache does. An entry lives at most
``TIMEOUT`` seconds, so a change that a bump missed (a raw SQL fix) shows within that time. This module
knows no model and no page.
"""
from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.db import models

from . import generations

logger = logging.getLogger(__name__)

CATALOGUE, ALL = "catalogue", "all"
TIMEOUT = 600


def _cache():
    return caches[getattr(settings, "WORKSPACE_DATA_CACHE_ALIAS", "default")]


def enabled() -> bool:
    return bool(getattr(settings, "WORKSPACE_DATA_CACHE", False))


def _gen_key(scope: str) -> str:
    return f"ws:gen:{scope}"


def org_scope(organisation_id) -> str:
    return f"org:{organisation_id}"


def bump(*organisation_ids, catalogue: bool = False, everything: bool = False) -> None:
    """New tokens for these organisations' data (None is skipped), the catalogue, or everything."""
    if not enabled():
        return
    scopes = [org_scope(pk) for pk in dict.fromkeys(organisation_ids) if pk is not None]
    scopes += [CATALOGUE] if catalogue else []
    scopes += [ALL] if everything else []
    if scopes:
        generations.renew(_cache(), [_gen_key(s) for s in scopes], "staff data cache")


def get_or_build(name: str, organisation_id: int, parts: tuple, build):
    """What ``build()`` returns for ``name`` of the organisation with ``parts`` (everything else the result
    depends on: year, day, language ...): from the cache while the organisation's data, the catalogue and
    the installation are unchanged since it was built, else built now (and kept). The value must pickle."""
    if not enabled():
        return build()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"ws:data:{name}:{organisation_id}:{digest}"
    gen_keys = [_gen_key(org_scope(organisation_id)), _gen_key(CATALOGUE), _gen_key(ALL)]
    cache = _cache()
    try:
        found = cache.get_many([key, *gen_keys])
        tokens = generations.current(cache, found, gen_keys)
    except Exception:  # a cache outage costs speed, never the page
        logger.exception("staff data cache: lookup failed")
        return build()
    entry = found.get(key)
    if entry is not None and entry["tokens"] == tokens and entry["parts"] == parts:
        return entry["value"]
    value = build()
    try:
        cache.set(key, {"tokens": tokens, "parts": parts, "value": value}, TIMEOUT)
    except Exception:
        logger.exception("staff data cache: store failed")
    return value


class UpdateBumpsQuerySet(models.QuerySet):
    """``update()`` (and so ``bulk_update``) bumps the organisations of the rows it changes: it sends no
    signal. ``organisation_lookup``: the path from the model to its organisation's id."""

    organisation_lookup = "organisation_id"

    def update(self, **kwargs):
        if not enabled():
            return super().update(**kwargs)
        rows = self.order_by()
        rows.query.select_for_update = False  # only reads which organisations; the UPDATE locks the rows
        organisations = set(rows.values_list(self.organisation_lookup, flat=True).distinct())
        count = super().update(**kwargs)
        if count:
            bump(*organisations)  # after the UPDATE: a request in between must not keep the state before it
        return count
