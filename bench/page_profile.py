"""Where a staff page's time goes on the national data: one process, no HTTP server, no other load.

    .venv/bin/python bench/page_profile.py [dashboard|measures|edit] [--requests 300] [--queries]
                                           [--explain] [--profile tottime|cumulative] [--top 40]

The database is load_bench's (``ita_scale``, seeded by ``bench/load_bench.py``), with the production
settings of the load benchmark (DEBUG off, Redis as the shared cache and session store). The page is
the one load_bench measures: the staff member of the first organisation with a published 12-month
report, its fiscal year. Printed: the page's size and number of queries, then the median, mean and 90th
percentile of ``--requests`` requests through Django's test client (the whole middleware stack), and the
share of that time spent in the ORM (compiling, executing, reading rows) and in database round trips.
``--queries`` lists the queries, ``--explain`` their planning and execution times in PostgreSQL,
``--profile`` a cProfile of 200 more requests (it slows Python code about 2x: read shares, not seconds).
The staff pages keep what they build from the database while the organisation's data is unchanged
(core/datacache.py), so the figures are those of the kept page; ``--changed`` marks the data changed before
each request (not timed) and so times the page as built after a change.

A figure here is a single request's own cost; bench/load_bench.py measures pages under concurrent load.
Compare code versions by alternating runs (A, B, A, B): this machine's speed drifts by 20 % and more.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database_url: str, cache_url: str, static_root: Path):
    os.environ.update({
        "DATABASE_URL": database_url, "DEBUG": "false", "SECRET_KEY": "page-profile-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false", "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(static_root), "MEDIA_ROOT": str(ROOT / "bench" / "out" / "scale-media"),
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench", "PYTHAINLP_READ_ONLY": "1", "LOG_LEVEL": "ERROR",
        "CACHE_URL": cache_url,
    })
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)  # the manifest the production pages need


def page_client(page: str):
    """(client signed in as the staff member, path, organisation) of the page load_bench measures."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.test import Client
    from django.urls import reverse

    from measures.models import Measure
    from orgs.models import Membership, Role
    from reports.models import Document, DocumentKind, DocumentStatus

    doc = (Document.objects.filter(status=DocumentStatus.PUBLISHED, kind=DocumentKind.PROGRESS)
           .select_related("organisation").order_by("-fiscal_year", "-round", "organisation__slug").first())
    if doc is None:
        sys.exit("no published progress report: seed the database with bench/load_bench.py first")
    org = doc.organisation
    member = Membership.objects.filter(organisation=org, role=Role.STAFF, is_active=True).select_related("user").first()
    session = SessionStore()
    session[SESSION_KEY] = str(member.user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = member.user.get_session_auth_hash()
    session.create()
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session.session_key
    if page == "dashboard":
        path = reverse("dashboard", args=[org.slug]) + f"?year={doc.fiscal_year}"
    elif page == "measures":
        path = reverse("measures:list", args=[org.slug, doc.fiscal_year])
    else:
        first = Measure.objects.filter(organisation=org, fiscal_year=doc.fiscal_year).order_by("order").first()
        path = reverse("measures:edit", args=[org.slug, first.pk])
    return client, path, org


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", nargs="?", default="measures", choices=["dashboard", "measures", "edit"])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/ita_scale"))
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--profile", choices=["tottime", "cumulative"])
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--changed", action="store_true",
                        help="mark the organisation's data changed before each request (core.datacache.bump, "
                             "not timed): the page as built after a change instead of the one kept")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ita-page-profile-") as static_root:
        setup(args.database_url, args.cache_url, Path(static_root))
        from django.db import connection
        from django.db.models.sql.compiler import SQLCompiler
        from django.test.utils import CaptureQueriesContext

        from core import datacache

        client, path, org = page_client(args.page)
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        print(f"{path}: {len(response.content):,} bytes, {len(captured.captured_queries)} queries")
        for query in captured.captured_queries:
            if args.queries:
                print(f"  {query['sql'][:160]}")
            if args.explain:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE) " + query["sql"])
                    times = [row[0] for row in cursor.fetchall() if row[0].startswith(("Planning", "Execution"))]
                print(f"  {' '.join(times)}  {query['sql'][:80]}")

        for _ in range(20):  # warm: templates, caches, the connection
            client.get(path)
        spent = {"orm": 0.0, "database": 0.0}
        real_execute_sql = SQLCompiler.execute_sql

        def timed_execute_sql(self, *a, **kw):
            started = time.perf_counter()
            try:
                return real_execute_sql(self, *a, **kw)
            finally:
                spent["orm"] += time.perf_counter() - started

        def timed_execute(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent["database"] += time.perf_counter() - started

        times = []
        SQLCompiler.execute_sql = timed_execute_sql
        try:
            with connection.execute_wrapper(timed_execute):
                for _ in range(args.requests):
                    if args.changed:
                        datacache.bump(org.pk)
                    started = time.perf_counter()
                    client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
        finally:
            SQLCompiler.execute_sql = real_execute_sql
        times.sort()
        total = sum(times)
        print(f"{args.requests} requests: median {statistics.median(times):.2f} ms, mean {statistics.mean(times):.2f}, "
              f"p90 {times[int(len(times) * 0.9)]:.2f}; of the time: ORM (compile, execute, rows) "
              f"{100 * spent['orm'] * 1000 / total:.0f} %, database round trips (part of it) "
              f"{100 * spent['database'] * 1000 / total:.0f} %")

        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(200):
                client.get(path)
            profile.disable()
            pstats.Stats(profile).sort_stats(args.profile).print_stats(args.top)


if __name__ == "__main__":
    main()
