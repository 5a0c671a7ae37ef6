"""Checking that links still open (the OIT register's link health).

``check_links(urls, policy)`` checks many URLs at once with httpx (asyncio): at most
``policy.concurrency`` requests in flight and ``policy.per_host`` per host; a timeout per request; a
few retries with exponential backoff for what may pass on a second try (timeouts, refused or reset
connections, 429 and 5xx); HEAD first, then GET where HEAD is refused or fails (many servers answer
HEAD wrongly); redirects followed up to ``policy.max_redirects``; the checker's own User-Agent; TLS
errors reported as such, never ignored. The whole run ends by ``policy.deadline`` seconds: what is not
checked by then is reported as not checked ("deadline"), so a run never hangs.

It knows nothing of the database: the register hands it URLs and stores the results.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import httpx

# Error codes of a failed check (stored; the pages translate them).
TIMEOUT = "timeout"
CONNECT = "connect"  # refused, reset, unreachable, DNS failure
TLS = "tls"
REDIRECTS = "redirects"  # too many redirects, or a redirect loop
HTTP = "http"  # an HTTP error status (4xx, 5xx)
INVALID = "invalid"  # not an http(s) URL
BLOCKED = "blocked"  # a private or local address, refused unless the policy allows it
DEADLINE = "deadline"  # not checked before the run's deadline
OTHER = "other"

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
HEAD_REFUSED = frozenset({400, 403, 404, 405, 406, 409, 500, 501, 502, 503})  # try GET before believing it


@dataclass(frozen=True)
class Policy:
    timeout: float = 10.0  # seconds per request (connect, read, write, pool each)
    retries: int = 2  # further tries after the first, for what may pass on a second try
    backoff: float = 0.5  # seconds before the first retry; doubled each time
    max_redirects: int = 5
    concurrency: int = 20
    per_host: int = 2
    deadline: float = 900.0  # seconds for the whole run
    user_agent: str = "ITAPortal-LinkChecker/1.0"
    allow_private: bool = False  # local and private addresses (tests, intranets)
    verify: ssl.SSLContext | bool = True


@dataclass(frozen=True)
class Result:
    url: str
    ok: bool
    status: int | None = None  # the last HTTP status received
    final_url: str = ""  # after redirects
    error: str = ""  # one of the codes above, "" when ok
    detail: str = ""  # the error's own words (for the staff page), short
    attempts: int = 0
    elapsed: float = 0.0  # seconds, the last attempt
    checked_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


class _Failure(Exception):
    def __init__(self, code: str, detail: str = "", status: int | None = None, final_url: str = "",
                 retry: bool = False):
        super().__init__(detail)
        self.code, self.detail, self.status, self.final_url, self.retry = code, detail, status, final_url, retry


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or ''}"


def _is_tls_error(exc: BaseException) -> bool:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(exc) or "SSL" in type(exc).__name__:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:300]


async def _refuse_private(url: str) -> None:
    """A host that resolves to a loopback, private, link-local or reserved address is refused (the
    checker runs inside the installation's network: staff-typed URLs must not reach it)."""
    host = urlsplit(url).hostname or ""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise _Failure(CONNECT, _short(exc), retry=True) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise _Failure(BLOCKED, f"{host} → {address}")


def _classify(exc: Exception) -> _Failure:
    if isinstance(exc, httpx.TooManyRedirects):
        return _Failure(REDIRECTS, _short(exc))
    if isinstance(exc, httpx.TimeoutException):
        return _Failure(TIMEOUT, _short(exc), retry=True)
    if _is_tls_error(exc):
        return _Failure(TLS, _short(exc))
    if isinstance(exc, (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        return _Failure(CONNECT, _short(exc), retry=True)
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return _Failure(INVALID, _short(exc))
    return _Failure(OTHER, _short(exc))


async def _request(client: httpx.AsyncClient, method: str, url: str) -> httpx.Response:
    try:
        async with client.stream(method, url) as response:  # GET: the body is never read
            return response
    except httpx.HTTPError as exc:
        raise _classify(exc) from exc


def _status_failure(response: httpx.Response) -> _Failure:
    return _Failure(HTTP, f"HTTP {response.status_code}", response.status_code, str(response.url),
                    retry=response.status_code in RETRY_STATUSES)


async def _attempt(client: httpx.AsyncClient, url: str) -> tuple[int, str]:
    """(status, final URL) of one try: HEAD, then GET where HEAD was refused or failed oddly."""
    try:
        response = await _request(client, "HEAD", url)
    except _Failure as failure:
        if failure.code != OTHER:
            raise
    else:
        if response.status_code < 400:
            return response.status_code, str(response.url)
        if response.status_code not in HEAD_REFUSED:
            raise _status_failure(response)
    response = await _request(client, "GET", url)
    if response.status_code >= 400:
        raise _status_failure(response)
    return response.status_code, str(response.url)


async def _check_one(client, url: str, policy: Policy, overall: asyncio.Semaphore, hosts: dict,
                     ends_at: float) -> Result:
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        return Result(url, False, error=INVALID, detail=url[:300])
    host = hosts.setdefault(_host_key(url), asyncio.Semaphore(policy.per_host))
    attempts, failure, started = 0, None, time.monotonic()
    while True:
        attempts += 1
        async with host, overall:
            started = time.monotonic()
            try:
                if not policy.allow_private:
                    await _refuse_private(url)
                status, final = await _attempt(client, url)
                return Result(url, True, status, final, attempts=attempts, elapsed=time.monotonic() - started)
            except _Failure as exc:
                failure = exc
        wait = policy.backoff * 2 ** (attempts - 1)
        if not failure.retry or attempts > policy.retries or time.monotonic() + wait >= ends_at:
            break
        await asyncio.sleep(wait)
    return Result(url, False, failure.status, failure.final_url, failure.code, failure.detail, attempts,
                  time.monotonic() - started)


_DEFAULT_TLS: ssl.SSLContext | None = None


def _tls(verify):
    """certifi's roots, loaded once (building the context costs a few hundred milliseconds)."""
    global _DEFAULT_TLS
    if verify is not True:
        return verify
    if _DEFAULT_TLS is None:
        import certifi

        _DEFAULT_TLS = ssl.create_default_context(cafile=certifi.where())
    return _DEFAULT_TLS


async def check_links_async(urls, policy: Policy = Policy()) -> dict[str, Result]:
    unique = list(dict.fromkeys(urls))
    if not unique:
        return {}
    ends_at = time.monotonic() + policy.deadline
    timeout = httpx.Timeout(policy.timeout)
    limits = httpx.Limits(max_connections=policy.concurrency, max_keepalive_connections=policy.concurrency)
    overall = asyncio.Semaphore(policy.concurrency)
    hosts: dict[str, asyncio.Semaphore] = {}
    async with httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=True,
                                 max_redirects=policy.max_redirects, verify=_tls(policy.verify), trust_env=False,
                                 headers={"User-Agent": policy.user_agent}) as client:
        tasks = {asyncio.create_task(_check_one(client, url, policy, overall, hosts, ends_at)): url
                 for url in unique}
        done, pending = await asyncio.wait(tasks, timeout=max(0.0, ends_at - time.monotonic())) if tasks \
            else (set(), set())
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
    results = {}
    for task, url in tasks.items():
        if task in done and not task.cancelled() and task.exception() is None:
            results[url] = task.result()
        elif task in done and task.exception() is not None:
            results[url] = Result(url, False, error=OTHER, detail=_short(task.exception()))
        else:
            results[url] = Result(url, False, error=DEADLINE)
    return results


def check_links(urls, policy: Policy = Policy()) -> dict[str, Result]:
    """Check ``urls`` (duplicates checked once); {url: Result} for every one of them. Runs its own event
    loop (in a thread of its own when the caller already runs one, as a browser-test process does)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(check_links_async(urls, policy))
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, check_links_async(list(urls), policy)).result()
