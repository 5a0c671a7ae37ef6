"""Generation tokens in a shared cache: what the public page cache (core/pagecache.py) and the staff pages'
data cache (core/datacache.py) build their entries under.

A *scope* (an organisation's data, the catalogue, ...) has a token in the cache; an entry records the tokens
it was built under and is used only while they are all current. Changing something gives its scopes new
tokens (``renew``): every entry built before no longer matches, without finding or deleting it.
"""
from __future__ import annotations

import logging
import time

from django.db import transaction

logger = logging.getLogger(__name__)


def new_token() -> str:
    return f"{time.time_ns():x}"


def current(cache, found: dict, keys: list[str]) -> list[str]:
    """The current tokens under ``keys`` from ``found`` (a ``get_many`` answer that asked for them); a key
    without a token (never renewed, or evicted) gets a new one, so no entry built before the loss matches."""
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            token = new_token()
            # add(): of two processes creating the same token, the first one wins for both.
            if not cache.add(key, token, None):
                token = cache.get(key) or token
        tokens.append(token)
    return tokens


def renew(cache, keys: list[str], what: str) -> None:
    """New tokens under ``keys``: now, and again when the current transaction commits (a request served
    between the two could have built an entry from the state before the change). A cache outage is logged,
    never raised: it must not break the change itself (``what`` names the cache in the log)."""
    def do():
        try:
            cache.set_many({key: new_token() for key in keys}, None)
        except Exception:
            logger.exception("%s: renewing %s failed", what, keys)

    do()
    transaction.on_commit(do)
