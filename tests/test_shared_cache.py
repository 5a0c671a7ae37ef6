"""The public page cache and the sessions on a real shared Redis (as in production, CACHE_URL=redis://...):
what one app server bumps or ends, another sees at once. The test starts its own redis-server (Debian package
redis-server, installed by `make test`) on a free loopback port and stops it afterwards."""
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.test.utils import override_settings
from django.urls import reverse

from core import pagecache
from core.redis_cache import RedisCache

from .helpers.settings_process import run_with_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def redis_url():
    server = shutil.which("redis-server")
    assert server, "redis-server is missing: `make test` installs it (Debian package redis-server)"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def two_servers(url):
    """Two cache objects on one Redis, as two app servers have: nothing in memory is shared."""
    config = {"BACKEND": "core.redis_cache.RedisCache", "LOCATION": url}
    return {"default": config, "other": dict(config)}


def test_the_backend_reuses_one_client_and_does_what_djangos_does(redis_url):
    cache = RedisCache(redis_url, {})
    reference = DjangoRedisCache(redis_url, {})
    cache.clear()
    assert cache.add("k", {"a": 1}, 60) and not cache.add("k", 2, 60)
    assert reference.get("k") == {"a": 1}  # the same data format as Django's own backend
    cache.set_many({"x": b"bytes", "y": "ไทย"}, None)
    assert cache.get_many(["x", "y", "missing"]) == {"x": b"bytes", "y": "ไทย"}
    assert cache._cache.get_client() is cache._cache.get_client()
    assert reference._cache.get_client() is not reference._cache.get_client()


def test_a_bump_on_one_server_is_seen_by_the_other_at_once(client, org_a, redis_url, settings):
    settings.CACHES = two_servers(redis_url)
    caches["default"].clear()
    url = reverse("public:organisation", args=[org_a.slug])
    client.get(url)  # built and stored by "this server"
    settings.PUBLIC_PAGE_CACHE_ALIAS = "other"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert len(captured) == 0  # "the other server" answers from the shared entry
    # "This server" saves a change (its signal bumps through its own cache object) ...
    with override_settings(PUBLIC_PAGE_CACHE_ALIAS="default"):
        org_a.phone = "043-123456"
        org_a.save()
    # ... and "the other server" builds the page anew.
    assert "043-123456" in client.get(url).text


def test_a_lost_token_is_never_taken_for_an_old_one(client, org_a, redis_url, settings):
    settings.CACHES = two_servers(redis_url)
    caches["default"].clear()
    url = reverse("public:organisation", args=[org_a.slug])
    client.get(url)
    # Redis evicts the organisation's token (memory pressure); the entry itself survives.
    caches["default"].delete(pagecache._gen_key(f"org:{org_a.slug}"))
    org_a.phone = "043-654321"
    type(org_a).objects.filter(pk=org_a.pk).update(phone="043-654321")  # no signal: only the loss helps
    assert "043-654321" in client.get(url).text


# --- sessions ---------------------------------------------------------------------------------------------

SHOW_SESSION_ENGINE = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_ENGINE)"


@pytest.mark.parametrize("cache_url, engine", [
    ("redis://127.0.0.1:6399/0", "django.contrib.sessions.backends.cached_db"),
    ("", "django.contrib.sessions.backends.db"),  # no CACHE_URL, a process-local cache: sessions stay in the database only
])
def test_the_settings_read_sessions_from_the_cache_only_when_it_is_shared(cache_url, engine):
    done = run_with_settings(["-c", SHOW_SESSION_ENGINE], drop=("CACHE_URL",), DEBUG="true",
                             **({"CACHE_URL": cache_url} if cache_url else {}))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [engine]


def session_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured if "django_session" in q["sql"]], len(captured)


def test_a_signed_in_page_reads_its_session_from_the_shared_cache_and_a_sign_out_ends_it_everywhere(
        client, staff_a, org_a, redis_url, settings):
    settings.WORKSPACE_DATA_CACHE = False  # the page's own queries stay the same: only the session's differ
    url = reverse("dashboard", args=[org_a.slug])
    client.force_login(staff_a)
    in_database, queries_db = session_queries(client, url)
    assert len(in_database) == 1  # the database engine reads the session on every page

    settings.CACHES = two_servers(redis_url)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    caches["default"].clear()
    this_server, other_server = Client(), Client()
    this_server.force_login(staff_a)
    other_server.cookies = this_server.cookies  # the same browser, its next request on another app server
    assert session_queries(this_server, url) == ([], queries_db - 1)
    assert session_queries(other_server, url) == ([], queries_db - 1)

    this_server.post(reverse("logout"))
    assert other_server.get(url).status_code == 302  # signed out on every server at once


# --- the staff dashboard's data (core/datacache.py) ---------------------------------------------------------

def test_the_dashboard_data_one_server_keeps_is_renewed_by_a_change_on_another(client, staff_a, org_a, redis_url,
                                                                                settings):
    from measures.models import Measure

    from .factories import MeasureFactory

    settings.CACHES = two_servers(redis_url)
    caches["default"].clear()
    measure = MeasureFactory(organisation=org_a, fiscal_year=2570, title="ก่อนแก้ไข")
    url = reverse("dashboard", args=[org_a.slug]) + "?year=2570"
    client.force_login(staff_a)
    settings.WORKSPACE_DATA_CACHE_ALIAS = "other"
    built = session_queries(client, url)[1]  # built and kept by "the other server"
    settings.WORKSPACE_DATA_CACHE_ALIAS = "default"
    kept = session_queries(client, url)[1]  # "this server" uses what the other one kept
    assert kept < built
    with override_settings(WORKSPACE_DATA_CACHE_ALIAS="other"):  # a change saved on "the other server"
        Measure.objects.filter(pk=measure.pk).update(fiscal_year=2569)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).text
    assert len(captured) == built and 'data-count="0"' in page  # built anew here

