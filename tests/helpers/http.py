"""Local HTTP(S) servers for tests of the link checker: nothing reaches the internet.

``LocalSite`` serves fixed paths on 127.0.0.1 (a free port) in a thread and records what it was asked
(method, path, User-Agent) and how many requests were in flight at most. ``silent_server`` accepts
connections and never answers. ``self_signed_certificate`` makes a certificate with openssl.
"""
from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalSite:
    """Paths: /ok 200, /missing 404, /broken 500, /loop redirects to itself, /moved → /ok,
    /head-refused (HEAD 405, GET 200), /flaky (503 to the first two requests: HEAD and GET of a first try; then 200), /slow (200 after
    ``slow`` seconds)."""

    def __init__(self, *, tls_context: ssl.SSLContext | None = None, slow: float = 0.2):
        self.requests: list[tuple[str, str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.slow = slow
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self, body: bool):
                with site._lock:
                    site.requests.append((self.command, self.path, self.headers.get("User-Agent", "")))
                    site.in_flight += 1
                    site.max_in_flight = max(site.max_in_flight, site.in_flight)
                    site._counts[self.path] = site._counts.get(self.path, 0) + 1
                    count = site._counts[self.path]
                try:
                    status, headers = site.route(self.command, self.path, count)
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    payload = b"ok" if body else b""
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if body:
                        self.wfile.write(payload)
                finally:
                    with site._lock:
                        site.in_flight -= 1

            def do_HEAD(self):
                self._answer(body=False)

            def do_GET(self):
                self._answer(body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls_context is not None:
            self.server.socket = tls_context.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls_context is not None else "http"
        self.base = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def route(self, method: str, path: str, count: int) -> tuple[int, dict]:
        if path == "/ok":
            return 200, {}
        if path == "/missing":
            return 404, {}
        if path == "/broken":
            return 500, {}
        if path == "/loop":
            return 302, {"Location": "/loop"}
        if path == "/moved":
            return 301, {"Location": "/ok"}
        if path == "/head-refused":
            return (405, {}) if method == "HEAD" else (200, {})
        if path == "/flaky":
            return (503, {}) if count <= 2 else (200, {})
        if path.startswith("/slow"):
            time.sleep(self.slow)
            return 200, {}
        return 404, {}

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, path: str) -> int:
        return self._counts.get(path, 0)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def silent_server():
    """A server that accepts connections and never sends a byte: yields its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def refused_url() -> str:
    """An address on 127.0.0.1 where nothing listens (the port was free a moment ago)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}/"


def self_signed_certificate(directory) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1 (openssl)."""
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
