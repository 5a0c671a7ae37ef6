"""An app server process (ita_portal/wsgi.py) keeps its start-up objects out of the garbage collector's
full collections (core/startup.py), after every view module is imported."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wsgi_application_freezes_what_start_up_made():
    code = ("import gc, sys; import ita_portal.wsgi as w; "
            "print(gc.get_freeze_count(), 'measures.views' in sys.modules, 'public.views_org' in sys.modules, "
            "callable(w.application))")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="ita_portal.settings_test")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    frozen, views, public_views, app = out
    assert int(frozen) > 50_000  # Django, the apps and their views
    assert (views, public_views, app) == ("True", "True", "True")
