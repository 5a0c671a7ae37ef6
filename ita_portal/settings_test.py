"""Settings for the test suite: the real settings plus what makes tests fast and hermetic."""
import os

os.environ.setdefault("SECRET_KEY", "test-only-not-a-secret-" + "0123456789abcdef" * 3)
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One process: the memory cache is shared by every request, so the public page cache is on in every test
# (tests/conftest.py empties the cache before each test).
PUBLIC_PAGE_CACHE = True
WORKSPACE_DATA_CACHE = True  # the staff pages' data (core/datacache.py), for the same reason
# The cast of the tests (and Django's admin_client) have no authenticator app; the requirement for
# administrators is switched on by the tests that are about it (tests/test_two_factor.py). Being asked for
# a code once a user has an app, and an organisation's own requirement for its approvers, apply regardless.
TWO_FACTOR_REQUIRED = False
# Background tasks run at once in the test process (the e-mails reach mail.outbox, the PDFs are stored
# after the commit); tests/test_background_tasks.py also runs a real `db_worker` process.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
