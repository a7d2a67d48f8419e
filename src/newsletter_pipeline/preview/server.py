"""The preview's HTTP server: the standard library's ``ThreadingHTTPServer``, fixed routes.

No URL is ever mapped to a file path: every route is matched against a fixed
pattern, and issues are looked up by slug in the site's dictionary, so there
is nothing for ``..`` to climb out of. Our URLs never need percent-escapes or
backslashes, so any request containing them (``%2e%2e``, ``%2f``, ``%252e``,
``\\``) is a 404 before routing, which keeps even a future file route safe.

Bound to loopback, the server also answers only to loopback ``Host`` names, so
a web page cannot reach it through DNS rebinding.

The one route that acts, ``POST /issue/<slug>/send-test``, sends a test of the
issue (never a list send). Any web page the user visits can make the browser
POST to 127.0.0.1, so it is refused unless all of these hold: the server is
bound to loopback and the client is on loopback, the ``Host`` is a loopback
name, the ``Origin`` is this server's own, and the ``X-Preview-Token`` header
carries the token of this server session (a random value written into the
preview's own pages, which other origins cannot read).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import re
import secrets
import socket
import socketserver
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from . import pages
from ..render.media import MEDIA_TYPES
from .site import SLUG, Site

LONG_POLL_SECONDS = 20.0  # below browsers' and proxies' idle timeouts
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}

ISSUE_ROUTE = re.compile(rf"/issue/(?P<slug>{SLUG})/(?P<file>|email\.html|state\.json)")
EPOCH = re.compile(r"-?[0-9]{1,18}", re.ASCII)  # what the page sends back: an epoch it was given, or -1
MEDIA_ROUTE = re.compile(rf"/issue/(?P<slug>{SLUG})/(?P<name>media/[0-9a-f]{{16}}\.(?P<ext>{'|'.join(MEDIA_TYPES)}))")
STATIC_ROUTE = re.compile(r"/_preview/(?P<name>[a-z]+\.(?:js|css))")
SEND_TEST_ROUTE = re.compile(rf"/issue/(?P<slug>{SLUG})/send-test")
TOKEN_HEADER = "X-Preview-Token"
MAX_POST_BODY = 1024  # the page posts nothing; a bigger body is not ours

SendTest = Callable[[Path, Path | None], tuple[bool, list[str]]]  # issue file, --templates -> (sent, lines)

# The page's own script and styles only; the email (an iframe srcdoc, which
# inherits this policy) may use inline styles and https images and fonts.
PAGE_CSP = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline' https:; "
            "img-src 'self' https: data:; font-src https: data:; frame-src 'self'; base-uri 'self'; "
            "form-action 'none'; frame-ancestors 'none'")
EMAIL_CSP = ("sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; "
             "style-src 'unsafe-inline' https:; img-src https: data:; font-src https: data:")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def safe_path(path: str) -> bool:
    """Whether a raw request path may be routed at all (see the module docstring)."""
    return path.startswith("/") and not any(bad in path for bad in ("%", "\\", "..", "//", "\x00"))


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def not_found(what: str = "not found") -> Response:
    return Response(HTTPStatus.NOT_FOUND, f"{what}\n".encode())


def _json(value: object) -> Response:
    return Response(HTTPStatus.OK, json.dumps(value).encode(), "application/json")


def _html(text: str, csp: str = PAGE_CSP) -> Response:
    return Response(HTTPStatus.OK, text.encode(), "text/html; charset=utf-8", {"Content-Security-Policy": csp})


def _redirect(location: str) -> Response:
    return Response(HTTPStatus.FOUND, b"", headers={"Location": location})


def _json_status(status: int, value: object) -> Response:
    return Response(status, json.dumps(value).encode(), "application/json")


def refused(why: str) -> Response:
    return _json_status(HTTPStatus.FORBIDDEN, {"ok": False, "lines": [f"refused: {why}"]})


def route(site: Site, raw_path: str, token: str = "") -> Response:
    """Map a request path to a response; the long poll is the only route that blocks."""
    parts = urlsplit(raw_path)
    path = parts.path
    if not safe_path(path):
        return not_found()
    if path == "/":
        if site.single and site.builds:
            return _redirect(f"/issue/{next(iter(site.builds))}/")
        return _html(pages.index_page(site))
    if path == "/index.json":
        return _json({"epoch": site.epoch, "issues": [b.summary() for b in site.builds.values()]})
    if path == "/_preview/events":
        since = parse_qs(parts.query).get("since", ["-1"])[0]
        if not EPOCH.fullmatch(since):  # int() would take "²" or fail on 5,000 digits, in the handler thread
            return Response(HTTPStatus.BAD_REQUEST, b"since must be a whole number, e.g. ?since=3\n")
        return _json({"epoch": site.wait(int(since), LONG_POLL_SECONDS)})
    if match := STATIC_ROUTE.fullmatch(path):
        found = pages.static_file(match["name"])
        return Response(HTTPStatus.OK, *found) if found else not_found()
    if match := MEDIA_ROUTE.fullmatch(path):  # a local image of the issue's last good build (site.local_media)
        build = site.builds.get(match["slug"])
        data = build.media.get(match["name"]) if build else None
        return Response(HTTPStatus.OK, data, MEDIA_TYPES[match["ext"]]) if data else not_found()
    if match := ISSUE_ROUTE.fullmatch(path):
        return _issue(site, match["slug"], match["file"], token)
    if re.fullmatch(rf"/issue/{SLUG}", path) and path.rsplit("/", 1)[1] in site.builds:
        return _redirect(path + "/")
    return not_found()


def _issue(site: Site, slug: str, file: str, token: str = "") -> Response:
    build = site.builds.get(slug)
    if build is None:
        return not_found(f"no issue '{slug}' in this preview")
    if file == "state.json":
        return _json(build.as_json())
    if file == "email.html":
        return _html(build.shown_html, EMAIL_CSP) if build.html else not_found("this issue has not built yet")
    editions = [b for b in site.builds.values() if b.base_slug == build.base_slug]
    return _html(pages.issue_page(build, with_index=not site.single, editions=editions if len(editions) > 1 else (),
                                  token=token))


class PreviewHandler(BaseHTTPRequestHandler):
    server: "PreviewServer"
    protocol_version = "HTTP/1.1"  # keep-alive: the page's polls reuse one connection
    timeout = 60  # idle keep-alive connections end by themselves

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def do_POST(self) -> None:  # noqa: N802
        self._send(self._post())

    def _respond(self, head: bool) -> None:
        if not self._host_allowed():
            response = Response(HTTPStatus.FORBIDDEN,
                                b"this preview answers only to localhost and 127.0.0.1\n")
        else:
            response = route(self.server.site, self.path, self.server.token)
        self._send(response, head)

    def _post(self) -> Response:
        """``POST /issue/<slug>/send-test``, after every guard of the module docstring."""
        if not self._read_body():
            self.close_connection = True
            return Response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"the preview takes no request body\n")
        match = SEND_TEST_ROUTE.fullmatch(urlsplit(self.path).path) if safe_path(self.path) else None
        if match is None:  # every other route is read-only
            return Response(HTTPStatus.METHOD_NOT_ALLOWED, b"only GET and HEAD here\n", headers={"Allow": "GET, HEAD"})
        problem = self._post_refusal()
        if problem:
            return refused(problem)
        build = self.server.site.builds.get(match["slug"])
        if build is None:
            return not_found(f"no issue '{match['slug']}' in this preview")
        return self.server.run_send_test(build.path)

    def _post_refusal(self) -> str | None:
        """Why this POST may not act (``None``: it may)."""
        if not (self.server.loopback and is_loopback(str(self.client_address[0]))):
            return "test sends work only when the preview listens on 127.0.0.1 (leave out --host)"
        if not self._host_allowed() or self.headers.get("Host") is None:
            return "this preview answers only to localhost and 127.0.0.1"
        if self.headers.get("Origin") != f"http://{self.headers['Host']}":
            return "the request does not come from this preview's page (reload the preview and try again)"
        sent = self.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(sent.encode(), self.server.token.encode()):
            return "the page's token does not match this preview session (reload the page)"
        return None

    def _read_body(self) -> bool:
        """Read (and drop) a small body so the connection stays usable; False when it is too big."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return False
        if not 0 <= length <= MAX_POST_BODY:
            return False
        self.rfile.read(length)
        return True

    def _send(self, response: Response, head: bool = False) -> None:
        try:
            self.send_response(response.status)
            headers = {"Content-Type": response.content_type, "Content-Length": str(len(response.body)),
                       "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                       "Referrer-Policy": "no-referrer", "Cross-Origin-Resource-Policy": "same-origin",
                       **response.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):  # the browser went away mid-answer
            self.close_connection = True

    def _host_allowed(self) -> bool:
        """Bound to loopback, answer only to loopback names (no DNS rebinding)."""
        host = self.headers.get("Host")
        if not self.server.loopback or host is None:
            return True
        name = host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0]
        return is_loopback(name)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        """Requests are not logged: the terminal is for rebuilds and errors."""


class PreviewServer(ThreadingHTTPServer):
    """Serves one ``Site``. Handler threads are daemons, so shutdown never waits on a browser."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 8000,
                 send_test: SendTest | None = None) -> None:
        self.site = site
        self.send_test = send_test
        self.token = secrets.token_urlsafe(32)  # per server session; see the module docstring
        self._sending = threading.Lock()  # one test send at a time: a double click sends once
        self.loopback = is_loopback(host)
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host.strip("[]"), port), PreviewHandler)
        self._thread: threading.Thread | None = None

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, a DNS query that can stall startup
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        """A browser closing its connection is normal; anything else is printed as usual."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    def run_send_test(self, path: Path) -> Response:
        """Send a test of ``path`` through ``send_test``; 409 while another one is under way."""
        if self.send_test is None:
            return _json_status(HTTPStatus.NOT_FOUND, {"ok": False, "lines": ["test sends are off in this preview"]})
        if not self._sending.acquire(blocking=False):
            return _json_status(HTTPStatus.CONFLICT, {"ok": False, "lines": ["a test send is already under way"]})
        try:
            sent, lines = self.send_test(path, self.site.templates)
        finally:
            self._sending.release()
        return _json_status(HTTPStatus.OK if sent else HTTPStatus.UNPROCESSABLE_ENTITY, {"ok": sent, "lines": lines})

    @property
    def url(self) -> str:
        host = self.server_name
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.server_port}/"

    def start_background(self) -> threading.Thread:
        """Serve from a thread (tests, benchmarks); ``stop`` ends it."""
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="preview-http", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self) -> None:
        """Wake the long polls, stop serving and close the socket."""
        self.site.close()
        if self._thread is not None:
            self.shutdown()
            self._thread.join(2)
        self.server_close()
