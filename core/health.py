"""/healthz for load balancers: can this app server reach the database and the file storage?

200 ``{"database": "ok", "storage": "ok"}`` when ``SELECT 1`` works and the default storage can write,
read back and delete a small probe file under ``healthz/``; otherwise 503 with ``"error"`` for the
failing part. No sign-in, nothing else in the answer (the cause goes to the log), never cached.
"""
import logging
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

PROBE = b"ita-portal healthz probe"


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        logger.exception("healthz: database check failed")
        return False


def storage_ok():
    name = None
    try:
        # A name of its own per probe: several app servers may share one store.
        name = default_storage.save(f"healthz/probe-{uuid.uuid4().hex}.txt", ContentFile(PROBE))
        with default_storage.open(name, "rb") as probe:
            content = probe.read()
        default_storage.delete(name)
        name = None
        return content == PROBE
    except Exception:
        logger.exception("healthz: storage check failed")
        return False
    finally:
        if name is not None:
            try:
                default_storage.delete(name)
            except Exception:
                pass


@require_safe
def healthz(request):
    checks = {"database": database_ok(), "storage": storage_ok()}
    response = JsonResponse({part: "ok" if ok else "error" for part, ok in checks.items()},
                            status=200 if all(checks.values()) else 503)
    response["Cache-Control"] = "no-store"
    return response
