"""A fresh Python with the real settings (ita_portal.settings), for the tests of what the environment
switches on and off: this process's environment without the names in ``drop``, plus ``env``."""
import os
import subprocess
import sys

from django.conf import settings

# the test runner's own; a fresh process must read the real settings
ALWAYS_DROPPED = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run_with_settings(args: list[str], *, drop=(), **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in (*ALWAYS_DROPPED, *drop)}
    environment.update(DJANGO_SETTINGS_MODULE="ita_portal.settings", PYTHAINLP_READ_ONLY="1", **env)
    return subprocess.run([sys.executable, *args], env=environment, cwd=settings.BASE_DIR, capture_output=True,
                          text=True, timeout=120)
