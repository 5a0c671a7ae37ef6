"""Counting requests per key in fixed windows, in the shared cache (Redis in production, so every app
server counts together)."""
from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]  # no e-mail address or IP in cache keys
    return f"throttle:{scope}:{digest}:{int(time.time()) // window}"


def over_limit(scope: str, ident: str, *, limit: int, window: int) -> bool:
    """Count one request of ``ident``; True once more than ``limit`` came within the current window."""
    key = _key(scope, ident, window)
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window + 1)
            count = 1
    return count > limit
