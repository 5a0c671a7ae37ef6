"""The OIT link checker over many links (`make bench`).

    .venv/bin/python bench/linkcheck_bench.py [--links 10000] [--hosts 100] [--repeat 3]

A local asyncio HTTP server listens on ``--hosts`` ports of 127.0.0.1 (each port is a "host" for the
checker's per-host limit, as the ~7,850 organisations' sites are in real life); one link in a hundred
answers 404, one in a thousand never answers (its check ends by timeout). ``oit.linkcheck.check_links``
checks ``--links`` distinct URLs with the production policy's limits (20 at once, 2 per host) but local
addresses allowed and a 2-second timeout. The reference, in the same run: the same URLs fetched by a
bare httpx loop (HEAD only, no retries, same overall limit, no per-host limit) — the cost of the
checker's own work is the ratio. Prints wall time, links per second and the ratio (medians).
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from oit.linkcheck import Policy, check_links  # noqa: E402

SILENT_EVERY = 1000
MISSING_EVERY = 100


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            path = request.split(b" ", 2)[1]
            number = int(path.rsplit(b"/", 1)[1] or 0)
            if number % SILENT_EVERY == SILENT_EVERY - 1:
                await asyncio.sleep(3600)  # never answers
            status = b"404 Not Found" if number % MISSING_EVERY == MISSING_EVERY - 1 else b"200 OK"
            body = b"" if request.startswith(b"HEAD") else b"ok"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\n" + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


def serve(hosts: int, ready, stop):
    async def main():
        servers = [await asyncio.start_server(_handle, "127.0.0.1", 0, backlog=512) for _ in range(hosts)]
        ready.append([s.sockets[0].getsockname()[1] for s in servers])
        while not stop.is_set():
            await asyncio.sleep(0.05)
        for s in servers:
            s.close()

    asyncio.run(main())


async def _plain(urls, concurrency: int, timeout: float):
    limit = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=concurrency)) as client:
        async def one(url):
            async with limit:
                try:
                    return (await client.head(url)).status_code
                except httpx.HTTPError:
                    return None
        return await asyncio.gather(*(one(url) for url in urls))


def main() -> int:
    import threading

    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=10000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    ready, stop = [], threading.Event()
    thread = threading.Thread(target=serve, args=(args.hosts, ready, stop), daemon=True)
    thread.start()
    while not ready:
        time.sleep(0.01)
    ports = ready[0]
    urls = [f"http://127.0.0.1:{ports[i % len(ports)]}/item/{i}" for i in range(args.links)]
    policy = Policy(allow_private=True, timeout=2.0, retries=1, backoff=0.2, deadline=600)

    checker, plain, summary = [], [], None
    for _ in range(args.repeat):
        started = time.perf_counter()
        asyncio.run(_plain(urls, policy.concurrency, policy.timeout))
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        results = check_links(urls, policy)
        checker.append(time.perf_counter() - started)
        summary = results
    stop.set()

    ok = sum(r.ok for r in summary.values())
    by_error = {}
    for r in summary.values():
        if not r.ok:
            by_error[r.error] = by_error.get(r.error, 0) + 1
    c, p = statistics.median(checker), statistics.median(plain)
    print(f"link checker: {args.links:,} links on {args.hosts} local hosts, policy {policy.concurrency} at once, "
          f"{policy.per_host} per host, timeout {policy.timeout:g} s, {policy.retries} retry")
    print(f"  results: {ok:,} healthy, broken by reason {by_error}")
    print(f"  checker     {c:6.2f} s  {args.links / c:7.0f} links/s   (runs: {', '.join(f'{t:.2f}' for t in checker)})")
    print(f"  bare httpx  {p:6.2f} s  {args.links / p:7.0f} links/s   (HEAD only, no per-host limit, no retries)")
    print(f"  ratio checker / bare httpx: {c / p:.2f}x")
    expected_broken = args.links // MISSING_EVERY
    if ok + sum(by_error.values()) != args.links or sum(by_error.values()) < expected_broken:
        print("!!! unexpected results")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
