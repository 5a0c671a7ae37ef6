"""Load benchmark: the public site and the staff pages at national scale, served as in production.

    make bench                                   # PDF benchmark, then this one
    .venv/bin/python bench/load_bench.py [--orgs 8000] [--years 5] [--duration 20] [--connections 50]
                                         [--database-url URL] [--no-seed] [--targets directory pdf ...]

1. The national data set: PostgreSQL (default ``postgres://postgres@127.0.0.1:5432/ita_scale``, created
   when missing), migrated, the catalogue loaded, ``seed_scale --orgs N --years Y`` (idempotent: a
   seeded database is used as it is). Media (the stored PDFs) in ``bench/out/scale-media``.
2. The production configuration: ``DEBUG=false``, compressed manifest static files (``collectstatic``),
   gunicorn with ``2 × CPUs + 1`` sync workers, WhiteNoise; plain HTTP on 127.0.0.1 (no TLS proxy here).
3. For every page measured, a plain file of the same size is put in a folder that WhiteNoise serves at the
   site root (bench/settings_bench.py), and both are loaded by ``wrk`` (Debian package, a second process)
   with the same connections and duration, after a short warm-up of each.

Printed per page: requests/s, latency p50 and p99, errors (socket errors and non-2xx answers), and the
same for its static file; the ratio is static requests/s ÷ page requests/s (how many times more
expensive the page is than a static file of its size). Page and file are loaded in alternating slices
(``--slices``, 4 × 5 s each by default), so both meet the same machine load. The percentiles are over
every request of the slices (wrk hands each slice's latencies over, bench/wrk_latencies.lua); the worst
slice's own p99 is printed beside them. Targets (issue
"Production readiness"): no errors; public HTML pages within 3× and stored PDFs within 1.5× of the static
file; the directory search and the organisation page under 100 ms p99; the staff dashboard and measures
list under 100 ms p99 with one connection (a staff member at a time: the page's own time on the
national data) and with 5 at once (issue #20 "Staff pages under load"; ``--staff-connections 1 5``); the
province oversight page under 100 ms p99 with one connection. The staff pages keep what they build from
the database while the organisation's data is unchanged (core/datacache.py, Redis here as in production),
so their figures are those of a page shown again; ``--staff-changes-per-second N`` has a helper process mark
the measured organisation's data changed N times a second meanwhile (``core.datacache.bump``, as a staff
member's save does), so that every so often a request builds its page anew; ``bench/page_profile.py
--changed`` times one page built after a change.

Nothing leaves the machine: the server listens on 127.0.0.1, wrk only talks to it, every run is bounded
by --duration.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/ita_scale"
DEFAULT_CACHE = "redis://127.0.0.1:6379/5"

HTML_TARGET = 3.0
PDF_TARGET = 1.5
P99_TARGET_MS = 100.0
# Staff pages whose p99 target holds at up to 5 connections too (issue #20), not only at one.
P99_AT_EVERY_CONNECTION = {"staff dashboard", "staff measures list"}


@dataclass
class Target:
    name: str
    path: str
    kind: str  # "html" | "pdf" | "staff"
    cookie: str = ""
    size: int = 0
    p99_target: bool = False


@dataclass
class Figures:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    latencies: dict[int, int] = field(default_factory=dict)  # microseconds -> requests (wrk_latencies.lua)
    worst_slice_p99_ms: float = 0.0


def percentile_ms(latencies: dict[int, int], percent: float) -> float:
    """The latency under which ``percent`` % of the requests were answered (nearest rank)."""
    total = sum(latencies.values())
    rank = max(1, math.ceil(total * percent / 100))
    seen = 0
    for value in sorted(latencies):
        seen += latencies[value]
        if seen >= rank:
            return value / 1000
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, quiet=False):
    out = subprocess.DEVNULL if quiet else None
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True, stdout=out)


def ensure_database(url: str):
    name = url.rsplit("/", 1)[-1]
    base = url.rsplit("/", 1)[0]
    exists = subprocess.run(
        ["psql", f"{base}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["psql", f"{base}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)


def server_env(args, static_root: Path, bench_static: Path) -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": args.database_url,
        "DEBUG": "false",
        "SECRET_KEY": "load-benchmark-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(args.media_root),
        "BENCH_STATIC_DIR": str(bench_static),
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "PYTHAINLP_READ_ONLY": "1",
        "LOG_LEVEL": "ERROR",
        "CACHE_URL": args.cache_url,  # shared by the workers, as in production: the public page cache is on
    })
    return env


def ensure_redis(url: str):
    """The shared cache: Redis on this machine (started when it is not answering), emptied first so
    every page is measured from its first, uncached build on."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError:
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port",
                        str(client.connection_pool.connection_kwargs.get("port", 6379)),
                        "--save", "", "--appendonly", "no"], check=True)
        time.sleep(1)
        client.ping()
    client.flushdb()


def pick_targets(env: dict) -> list[Target]:
    """The pages to load, chosen in a child process with Django set up on the benchmark database: a
    synthetic organisation with a published 12-month report, its staff member's session, and the
    size of every answer (Django's test client, as the server will answer it)."""
    code = r'''
import json, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from orgs.models import Membership, Role
from reports.documents.links import document_path
from reports.models import Document, DocumentKind, DocumentStatus
doc = (Document.objects.filter(status=DocumentStatus.PUBLISHED, kind=DocumentKind.PROGRESS)
       .select_related("organisation").order_by("-fiscal_year", "-round", "organisation__slug").first())
assert doc is not None, "no published progress report: seed the database first"
org = doc.organisation
plan = Document.objects.filter(organisation=org, fiscal_year=doc.fiscal_year, kind=DocumentKind.MEASURES,
                               status=DocumentStatus.PUBLISHED).first() or doc
member = Membership.objects.filter(organisation=org, role=Role.STAFF, is_active=True).select_related("user").first()
assert member is not None, f"{org.slug} has no staff member"
session = SessionStore()
session[SESSION_KEY] = str(member.user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = member.user.get_session_auth_hash()
session.create()
cookie = f"sessionid={session.session_key}"
word = org.province
from django.contrib.auth import get_user_model
from django.db.models import Count
from orgs.models import Organisation, OversightScope
largest = Organisation.objects.values("province").annotate(n=Count("pk")).order_by("-n", "province").first()["province"]
overseer, _ = get_user_model().objects.get_or_create(username="scale-overseer")
OversightScope.objects.get_or_create(user=overseer, province="")
oversight = SessionStore()
oversight[SESSION_KEY] = str(overseer.pk)
oversight[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
oversight[HASH_SESSION_KEY] = overseer.get_session_auth_hash()
oversight.create()
oversight_cookie = f"sessionid={oversight.session_key}"
targets = [
    ("directory", "/", "html", "", False),
    ("directory search", "/?q=" + __import__("urllib.parse").parse.quote(word), "html", "", True),
    ("organisation page", reverse("public:organisation", args=[org.slug]), "html", "", True),
    ("document page", document_path(doc), "html", "", False),
    ("stored PDF", document_path(plan, pdf=True), "pdf", "", False),
    ("staff dashboard", reverse("dashboard", args=[org.slug]) + f"?year={doc.fiscal_year}", "staff", cookie, True),
    ("staff measures list", reverse("measures:list", args=[org.slug, doc.fiscal_year]), "staff", cookie, True),
    ("national picture /stats/", reverse("public:stats"), "html", "", True),
    ("province picture /stats/<largest>/", reverse("public:stats_province", args=[largest]), "html", "", True),
    ("province oversight (largest)", reverse("oversight:province", args=[largest]), "staff", oversight_cookie, True),
]
client = Client(HTTP_HOST="127.0.0.1")
out = []
for name, path, kind, ck, p99 in targets:
    headers = {"HTTP_COOKIE": ck} if ck else {}
    response = client.get(path, **headers)
    assert response.status_code == 200, (name, path, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    out.append({"name": name, "path": path, "kind": kind, "cookie": ck, "size": len(body), "p99_target": p99})
print("TARGETS=" + json.dumps(out))
'''
    done = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"choosing the pages failed:\n{done.stderr[-3000:]}")
    import json
    line = next(l for l in done.stdout.splitlines() if l.startswith("TARGETS="))
    return [Target(**t) for t in json.loads(line.removeprefix("TARGETS="))]


CHANGER = r'''
import sys, time, django
django.setup()
from core import datacache
from orgs.models import Organisation
pk = Organisation.objects.get(slug=sys.argv[1]).pk
pause = 1 / float(sys.argv[2])
while True:
    datacache.bump(pk)
    time.sleep(pause)
'''


def start_changer(env: dict, path: str, per_second: float) -> subprocess.Popen:
    """A process that marks the data of the organisation of a staff page (``/w/<slug>/...``) changed
    ``per_second`` times a second until it is stopped."""
    slug = path.split("/")[2]
    return subprocess.Popen([PYTHON, "-c", CHANGER, slug, str(per_second)], cwd=ROOT, env=env,
                            start_new_session=True)


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    cmd = [
        str(Path(PYTHON).parent / "gunicorn"), "ita_portal.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--timeout", "120", "--log-level", "warning", "--access-logfile", "/dev/null",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            sys.exit("gunicorn exited")
    stop_server(proc)
    sys.exit("gunicorn did not answer /healthz within 60 s")


def stop_server(proc: subprocess.Popen):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, connections: int, duration: int, cookie: str = "") -> Figures:
    cmd = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
           "-s", str(ROOT / "bench" / "wrk_latencies.lua"), url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        errors += int(non2xx.group(1))
    latencies = {}
    if "LATENCIES\n" in out:
        for line in out.split("LATENCIES\n", 1)[1].splitlines():
            value, count = map(int, line.split())
            latencies[value] = latencies.get(value, 0) + count
    return Figures(rps, p50, p99, errors, requests, latencies, p99)


def interleaved(page_url, static_url, connections, duration, slices, cookie=""):
    """The page and its static file, each loaded for ``duration`` seconds in all, in ``slices``
    alternating slices, so both meet the same moments of machine load (the ratio is what is tracked).
    Requests/s over all slices; p50 and p99 over every request of the slices (their latencies merged), and
    the worst slice's own p99 beside them."""
    runs = {"page": [], "static": []}
    each = max(1, round(duration / slices))
    for _ in range(slices):
        runs["page"].append(wrk(page_url, connections, each, cookie))
        runs["static"].append(wrk(static_url, connections, each))

    def merge(figures):
        latencies = {}
        for f in figures:
            for value, count in f.latencies.items():
                latencies[value] = latencies.get(value, 0) + count
        return Figures(rps=sum(f.rps for f in figures) / len(figures),
                       p50_ms=percentile_ms(latencies, 50), p99_ms=percentile_ms(latencies, 99),
                       errors=sum(f.errors for f in figures), requests=sum(f.requests for f in figures),
                       latencies=latencies, worst_slice_p99_ms=max(f.p99_ms for f in figures))

    return merge(runs["page"]), merge(runs["static"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--cache-url", default=DEFAULT_CACHE, help="Redis database for the shared cache (emptied)")
    parser.add_argument("--media-root", type=Path, default=ROOT / "bench" / "out" / "scale-media")
    parser.add_argument("--orgs", type=int, default=8000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--no-seed", action="store_true", help="use the database as it is")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per page and per file")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--staff-connections", type=int, nargs="+", default=[1, 5],
                        help="connections for the staff pages; the p99 target is checked at the first (and, for "
                             "the dashboard and the measures list, at every count up to 5)")
    parser.add_argument("--slices", type=int, default=4,
                        help="alternating slices of page and static-file load per page")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--targets", nargs="*", help="only these pages (names as printed, e.g. 'stored PDF')")
    parser.add_argument("--staff-changes-per-second", type=float, default=0,
                        help="mark the staff pages' organisation's data changed this often while they are loaded")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs it (Debian package wrk)")

    work = Path(tempfile.mkdtemp(prefix="ita-load-"))
    static_root, bench_static = work / "static", work / "plain"
    bench_static.mkdir(parents=True)
    args.media_root.mkdir(parents=True, exist_ok=True)
    env = server_env(args, static_root, bench_static)
    setup_env = dict(env, DJANGO_SETTINGS_MODULE="ita_portal.settings")

    started = time.monotonic()
    ensure_database(args.database_url)
    manage(setup_env, "migrate", "--noinput", "-v", "0")
    manage(setup_env, "load_ita_catalogue", quiet=True)
    if not args.no_seed:
        manage(setup_env, "seed_scale", "--orgs", str(args.orgs), "--years", str(args.years))
    manage(setup_env, "collectstatic", "--noinput", "-v", "0")
    print(f"data and static files ready in {time.monotonic() - started:.0f} s")

    ensure_redis(args.cache_url)
    targets = pick_targets(env)
    if args.targets:
        targets = [t for t in targets if t.name in args.targets]
    for t in targets:
        (bench_static / f"plain-{t.size}.bin").write_bytes(os.urandom(t.size))

    ensure_redis(args.cache_url)  # pick_targets' requests filled it
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(env, port, args.workers)
    rows = []
    try:
        for t in targets:
            for connections in (args.staff_connections if t.kind == "staff" else [args.connections]):
                plain = f"{base}/plain-{t.size}.bin"
                changer = None
                if t.kind == "staff" and t.path.startswith("/w/") and args.staff_changes_per_second > 0:
                    changer = start_changer(env, t.path, args.staff_changes_per_second)
                try:
                    for url, cookie in ((base + t.path, t.cookie), (plain, "")):
                        wrk(url, connections, args.warmup, cookie)
                    page, static = interleaved(base + t.path, plain, connections, args.duration, args.slices,
                                               t.cookie)
                finally:
                    if changer is not None:
                        changer.terminate()
                        changer.wait(timeout=10)
                rows.append((t, connections, page, static))
                print(f"  {t.name} ({connections} conn.): {page.rps:.0f} req/s, p99 {page.p99_ms:.1f} ms "
                      f"(static file {static.rps:.0f} req/s)", flush=True)
    finally:
        stop_server(proc)
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"gunicorn {args.workers} sync workers, {os.cpu_count()} CPUs, wrk 2 threads, "
          f"{args.duration} s per run; database {args.database_url.rsplit('/', 1)[-1]}")
    if args.staff_changes_per_second:
        print(f"the staff pages' organisation's data marked changed {args.staff_changes_per_second:g} times a "
              f"second while they were loaded")
    head = (f"{'page':<22} {'bytes':>8} {'conn':>4} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'worst slice p99':>15} "
            f"{'errors':>6} "
            f"{'static req/s':>12} {'static p99':>10} {'ratio':>6}  target")
    print(head)
    print("-" * len(head))
    failures = []
    for t, connections, page, static in rows:
        ratio = static.rps / page.rps if page.rps else float("inf")
        checks = []
        if t.kind in ("html", "pdf"):
            limit = PDF_TARGET if t.kind == "pdf" else HTML_TARGET
            checks.append((f"≤{limit}×", ratio <= limit))
        if t.p99_target and (t.kind != "staff" or connections == args.staff_connections[0]
                             or (t.name in P99_AT_EVERY_CONNECTION and connections <= 5)):
            checks.append((f"p99<{P99_TARGET_MS:.0f}ms", page.p99_ms < P99_TARGET_MS))
        checks.append(("0 errors", page.errors == 0 and static.errors == 0))
        verdict = " ".join(f"{label} {'ok' if ok else 'MISSED'}" for label, ok in checks)
        failures += [f"{t.name}: {label}" for label, ok in checks if not ok]
        print(f"{t.name:<22} {t.size:>8} {connections:>4} {page.rps:>8.0f} {page.p50_ms:>7.1f} "
              f"{page.p99_ms:>7.1f} {page.worst_slice_p99_ms:>15.1f} {page.errors:>6} {static.rps:>12.0f} {static.p99_ms:>10.1f} "
              f"{ratio:>5.2f}×  {verdict}")
    print()
    print("all targets met" if not failures else "targets missed: " + "; ".join(failures))


if __name__ == "__main__":
    main()
