"""The signature of a backup's manifest: HMAC-SHA256 under a key only the installation holds.

The manifest carries the sha256 of every member, so signing it signs the whole archive. Someone who edits a
row and recomputes the manifest's hashes cannot recompute the signature without the key. The key is
``BACKUP_KEY`` from the environment, else ``SECRET_KEY`` (docs/DEPLOY.md: keep it where the backups are
not, and the same on the machine that restores).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os

from django.conf import settings

SIGNATURE = "manifest.sig"
ALGORITHM = "HMAC-SHA256"


def backup_key() -> bytes:
    return (os.environ.get("BACKUP_KEY") or settings.SECRET_KEY).encode()


def key_id(key: bytes) -> str:
    """A short name of the key (not the key): tells "made with another key" from "changed"."""
    return hashlib.sha256(b"ita-portal-backup-key-id:" + key).hexdigest()[:16]


def sign(manifest_bytes: bytes, key: bytes | None = None) -> bytes:
    key = key if key is not None else backup_key()
    mac = hmac.new(key, manifest_bytes, hashlib.sha256).hexdigest()
    return json.dumps({"algorithm": ALGORITHM, "key_id": key_id(key), "signature": mac}).encode()


def signature_problem(manifest_bytes: bytes, signature_bytes: bytes | None, key: bytes | None = None) -> str:
    """"" when the signature is good; else why it is not (for the refusal's message)."""
    key = key if key is not None else backup_key()
    if signature_bytes is None:
        return f"it is not signed (no {SIGNATURE})"
    try:
        signature = json.loads(signature_bytes)
        mac = signature["signature"]
        if signature.get("algorithm") != ALGORITHM or not isinstance(mac, str):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return f"its {SIGNATURE} cannot be read"
    expected = hmac.new(key, manifest_bytes, hashlib.sha256).hexdigest()
    if hmac.compare_digest(mac, expected):
        return ""
    if signature.get("key_id") != key_id(key):
        return "it was signed with another key (set BACKUP_KEY to the key of the installation that made it)"
    return "its signature does not match: the archive was changed after the backup was made"
