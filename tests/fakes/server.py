"""Plumbing shared by the fake provider servers.

A fake is a real HTTP server on 127.0.0.1 (ephemeral port) run in a thread.
Subclasses declare routes and provider rules; this module gives them:

- request recording (``requests``, ``count()``) so tests can count created
  campaigns and sends;
- an auth hook, checked before any route;
- fault injection controlled by the test (``faults``): a 5xx on the next N
  matching calls, a connection dropped *after* the action was performed, a
  reply slower than the client's read timeout, and forced 429s;
- a fixed-window rate limiter (``rate_limit(limit, window)``), whose 429 reply
  each provider shapes with its own headers and error body.
"""

from __future__ import annotations

import fnmatch
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes
    status: int = 0  # the status the fake answered (0: connection dropped)

    @property
    def json(self) -> Any:
        return json.loads(self.raw) if self.raw else None

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Reply:
    """What a route answers. ``body`` is JSON-encoded unless it is bytes."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"


class HTTPError(Exception):
    """Raised by a route to answer with the provider's error reply."""

    def __init__(self, reply: Reply):
        super().__init__(reply.status)
        self.reply = reply


@dataclass
class _Fault:
    kind: str  # "status" | "drop" | "delay" | "rate"
    match: str | None
    remaining: int
    status: int = 500
    seconds: float = 0.0
    message: str = "injected failure"
    until: Callable[[], bool] | None = None  # delay: reply as soon as this holds (at most ``seconds``)


class Faults:
    """Faults the test arms; each applies to the next ``n`` matching requests.

    ``match`` is ``"METHOD /path/glob"`` (fnmatch on the path), ``"METHOD"``,
    or None for any request.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Fault] = []

    def fail(self, n: int = 1, status: int = 500, match: str | None = None,
             message: str = "injected failure") -> None:
        """Answer ``status`` with the provider's error body saying ``message`` (before acting)."""
        self._arm(_Fault("status", match, n, status=status, message=message))

    def drop_after_action(self, n: int = 1, match: str | None = None) -> None:
        """Perform the action, then close the connection without a reply."""
        self._arm(_Fault("drop", match, n))

    def delay(self, seconds: float, n: int = 1, match: str | None = None) -> None:
        """Perform the action, then wait ``seconds`` before replying."""
        self._arm(_Fault("delay", match, n, seconds=seconds))

    def hold(self, until: Callable[[], bool], n: int = 1, match: str | None = None, timeout: float = 10.0) -> None:
        """Perform the action, then hold the reply until ``until()`` holds (checked on every request
        and on ``FakeServer.poke()``), at most ``timeout`` seconds."""
        self._arm(_Fault("delay", match, n, seconds=timeout, until=until))

    def rate_limit(self, n: int = 1, reset: float = 0.0, match: str | None = None) -> None:
        """Answer the provider's 429 (with ``reset`` seconds to wait) to ``n`` requests."""
        self._arm(_Fault("rate", match, n, seconds=reset))

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def _arm(self, fault: _Fault) -> None:
        with self._lock:
            self._armed.append(fault)

    def take(self, kind: str, method: str, path: str) -> _Fault | None:
        """The first armed fault of ``kind`` matching this request, consumed once."""
        with self._lock:
            for fault in self._armed:
                if fault.kind == kind and fault.remaining > 0 and _matches(fault.match, method, path):
                    fault.remaining -= 1
                    return fault
        return None


def _matches(pattern: str | None, method: str, path: str) -> bool:
    if pattern is None:
        return True
    want_method, _, want_path = pattern.partition(" ")
    if want_method.upper() != method:
        return False
    return not want_path or fnmatch.fnmatchcase(path, want_path)


Route = tuple[str, re.Pattern[str], Callable[..., Reply]]


class FakeServer:
    """Base of the fake providers: routing, auth, recording, faults, rate limits.

    Subclasses set ``base_path``, register routes in ``routes()`` and implement
    ``authorized``, ``auth_error``, ``error_reply`` and ``rate_limited``.
    Use as a context manager, or call ``start()``/``stop()``.
    """

    base_path = ""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults = Faults()
        self.lock = threading.RLock()  # guards the provider state and the log
        self._recorded = threading.Condition(self.lock)  # notified on every request, for wait_for
        self._routes: list[Route] = [
            (method, re.compile(f"^{self.base_path}{pattern}$"), handler)
            for method, pattern, handler in self.routes()
        ]
        self.max_in_flight: int | None = None  # simultaneous requests allowed (Mailchimp: 10)
        self._in_flight = 0
        self._window: tuple[int, float] | None = None  # (limit, seconds)
        self._window_start = 0.0
        self._window_count = 0
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----- to be provided by each provider
    def routes(self) -> list[tuple[str, str, Callable[..., Reply]]]:
        raise NotImplementedError

    def authorized(self, request: Request) -> bool:
        raise NotImplementedError

    def auth_error(self, request: Request) -> Reply:
        raise NotImplementedError

    def error_reply(self, status: int, message: str) -> Reply:
        """The provider's error body for a generic failure (5xx, 404 route)."""
        raise NotImplementedError

    def rate_limited(self, reset: float) -> Reply:
        """The provider's 429 reply, telling the client to wait ``reset`` seconds."""
        raise NotImplementedError

    def rate_headers(self, limit: int, remaining: int, reset: float) -> dict[str, str]:
        """Headers every reply carries while a rate limit is set (Brevo sends them)."""
        return {}

    # ----- lifecycle
    def start(self) -> FakeServer:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping on a delay fault
        self.poke()  # and those holding a reply until a condition
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root(self) -> str:
        """``http://127.0.0.1:PORT`` (no base path)."""
        assert self._httpd is not None, "start() the fake first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The API base URL, base path included."""
        return self.root + self.base_path

    # ----- test helpers
    def rate_limit(self, limit: int, window: float) -> None:
        """Allow ``limit`` requests per ``window`` seconds; 429 beyond (None to lift)."""
        with self.lock:
            self._window = (limit, window)
            self._window_start, self._window_count = time.monotonic(), 0

    def count(self, method: str, path_glob: str, status: int | None = None) -> int:
        """How many recorded requests match (``status`` None: any answer, 0: dropped)."""
        with self.lock:
            return sum(1 for r in self.requests
                       if r.method == method and fnmatch.fnmatchcase(r.path, self.base_path + path_glob)
                       and (status is None or r.status == status))

    # ----- dispatch
    def handle(self, request: Request) -> tuple[Reply | None, _Fault | None]:
        """The reply to send (None: drop the connection) and the delay fault to apply before it."""
        method, path = request.method, request.path
        fault = self.faults.take("status", method, path)
        if fault:
            return self.error_reply(fault.status, fault.message), None
        fault = self.faults.take("rate", method, path)
        if fault:
            return self.rate_limited(fault.seconds), None
        limited = self._over_window()
        if limited is None and self.max_in_flight is not None and self._in_flight > self.max_in_flight:
            limited = self.rate_limited(1.0)
        if limited is not None:
            return limited, None
        if not self.authorized(request):
            return self.auth_error(request), None
        reply = self._route(request)
        if self.faults.take("drop", method, path):
            return None, None
        return reply, self.faults.take("delay", method, path)

    def _route(self, request: Request) -> Reply:
        allowed = False
        for method, pattern, handler in self._routes:
            found = pattern.match(request.path)
            if found and method == request.method:
                try:
                    with self.lock:
                        return handler(request, *found.groups())
                except HTTPError as exc:
                    return exc.reply
            allowed = allowed or bool(found)
        return self.error_reply(405 if allowed else 404, "no such endpoint")

    def _over_window(self) -> Reply | None:
        with self.lock:
            if self._window is None:
                return None
            limit, window = self._window
            now = time.monotonic()
            if now - self._window_start >= window:
                self._window_start, self._window_count = now, 0
            self._window_count += 1
            if self._window_count <= limit:
                return None
            return self.rate_limited(window - (now - self._window_start))

    def extra_headers(self) -> dict[str, str]:
        with self.lock:
            if self._window is None:
                return {}
            limit, window = self._window
            reset = max(0.0, window - (time.monotonic() - self._window_start))
            return self.rate_headers(limit, max(0, limit - self._window_count), reset)

    def record(self, request: Request) -> None:
        with self._recorded:
            self.requests.append(request)
            self._recorded.notify_all()

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        """Block until ``condition()`` holds (checked on every request received); fail after ``timeout``."""
        with self._recorded:
            if not self._recorded.wait_for(condition, timeout):
                raise AssertionError(f"{type(self).__name__}: condition not met within {timeout} s")

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        with self.lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self.lock:
                self._in_flight -= 1

    def sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def wait_out(self, fault: _Fault) -> None:
        """A delay fault: ``seconds``, or until its condition holds (or the fake stops)."""
        if fault.until is None:
            self.sleep(fault.seconds)
            return
        with self._recorded:
            self._recorded.wait_for(lambda: fault.until() or self._stopping.is_set(), fault.seconds)

    def poke(self) -> None:
        """Re-check held replies' conditions (call after changing what they look at)."""
        with self._recorded:
            self._recorded.notify_all()


def seconds_header(value: float) -> str:
    """Seconds for Retry-After/x-sib-ratelimit-reset.

    Real providers send whole seconds; the fakes keep fractions so tests stay
    fast (the client accepts both).
    """
    value = max(0.0, value)
    return str(int(value)) if value == int(value) else f"{value:.3f}"


def _handler_for(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like the real APIs

        def setup(self) -> None:
            super().setup()
            # headers and body go out in two writes: without this, Nagle plus
            # delayed ACKs add 40 ms to every reply on a kept-alive connection
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                              {k.lower(): v for k, v in self.headers.items()}, raw)
            fake.record(request)
            with fake.in_flight():
                self._answer(request)

        def _answer(self, request: Request) -> None:
            reply, delay = fake.handle(request)
            if reply is None:
                self.close_connection = True  # the action happened; the client never hears of it
                return
            request.status = reply.status
            fake.poke()  # a held reply may wait for this status (hold(until=...)); record() came before it
            if delay is not None:
                fake.wait_out(delay)
            self._send(reply)

        def _send(self, reply: Reply) -> None:
            if isinstance(reply.body, bytes):
                body = reply.body
            elif reply.body is None:
                body = b""
            else:
                body = json.dumps(reply.body).encode()
            self.send_response(reply.status)
            if body:
                self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in {**fake.extra_headers(), **reply.headers}.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (read timeout): that is the point of a delay fault

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
            pass

    return Handler
