"""Settings of the load benchmark (bench/load_bench.py): the production settings, plus a folder of
plain files served by WhiteNoise at the site root, of the same sizes as the pages measured, so that
each page is compared with a static file of its size served by the same server."""
import os

from ita_portal.settings import *  # noqa: F401,F403

WHITENOISE_ROOT = os.environ.get("BENCH_STATIC_DIR") or None
