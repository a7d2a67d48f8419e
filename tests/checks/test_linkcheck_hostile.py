"""--check-links against servers that answer like attackers: redirects out of the web, into the
local network, bytes dripped slowly, headers without end. A real server on 127.0.0.1 each time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from http.server import BaseHTTPRequestHandler

from pathlib import Path

import pytest
from checkutil import ISSUE_NAME, LINKS_ISSUE, line_of, links_issue, only, where
from send.conftest import Certs, certs  # noqa: F401 - the send tests' certificate fixture, used here too
from shared import LOCAL_ONLY_CONFIG, local_http_server

from newsletter_pipeline.checks.linkcheck import ALLOW_LOCAL_ENV, TIMEOUT_ENV, fetch, settings

CONFIG = LOCAL_ONLY_CONFIG
DRIP_BYTES = 40  # one every 0.1 s: 4 s in all, far longer than the tests' deadlines
# the deadline of the checks that fetch several links at once: the drip still misses it by 2 s, and the
# other links have time to answer on a loaded CI machine (at 0.5 s the redirect once ran out of it)
DEADLINE = 2.0


class Hostile(BaseHTTPRequestHandler):
    """/to?<url> redirects there; /drip sends its headers a byte at a time; /flood sends headers forever."""

    seen: list[str] = []

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's API
        self.seen.append(self.path)
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the checker hung up, as it should

    def _answer(self) -> None:
        if self.path.startswith("/to?"):
            self.send_response(302)
            self.send_header("Location", self.path[4:])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/escape":
            self.wfile.write(b"HTTP/1.1 301 \x1b[2JMoved\r\nLocation: /ok\x1b]0;pwned\x07\r\nContent-Length: 0\r\n\r\n")
        elif self.path == "/drip":
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * DRIP_BYTES + b"\r\n\r\n":
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        elif self.path == "/flood":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            line = b"X-Flood: " + b"a" * 60_000 + b"\r\n"
            for _ in range(99):
                self.wfile.write(line)
            self.wfile.write(b"\r\n")
        else:  # 200; /photo.png is a picture, /page-not-photo.png a page where a picture was
            self.send_response(200)
            self.send_header("Content-Type", "image/png" if self.path == "/photo.png" else "text/html; charset=utf-8")
            self.send_header("Content-Length", "0")
            self.end_headers()

    do_GET = do_HEAD

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Hostile.seen = []
    with local_http_server(Hostile) as url:
        yield url


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://ftp.ai4media.eu/pub/", "data:text/html,<p>hi</p>",
                                    "javascript:alert(1)"])
def test_a_redirect_out_of_the_web_is_reported_not_followed(server, target):
    result = fetch(f"{server}/to?{target}", allow_local=True)
    assert result.error == f"redirects to '{target}', which is not a web address (only http: and https: are followed)"
    assert result.chain == [target]


@pytest.mark.parametrize("target, kind", [
    ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
    ("http://10.0.0.1/admin", "a private network address"),
    ("http://192.168.1.1/", "a private network address"),
    ("http://[::1]/", "a loopback address"),
    ("http://0x7f.0.0.2/", "a loopback address"),  # loopback, but not the address the link started on
])
def test_a_redirect_into_a_local_network_is_refused_even_when_local_links_are_allowed(server, target, kind):
    result = fetch(f"{server}/to?{target}", allow_local=True)
    host = target.split("/")[2].strip("[]")
    assert result.error == (f"redirects to {host}, {kind}; subscribers cannot reach it and it may be an attack")
    assert Hostile.seen == [f"/to?{target}"]  # nothing else was asked of anyone


def test_a_redirect_within_the_allowed_local_start_host_is_followed(server):
    port = server.rsplit(":", 1)[1]
    result = fetch(f"{server}/to?http://2130706433:{port}/ok", allow_local=True)  # 127.0.0.1, written as a number
    assert (result.error, result.status, result.chain) == (None, 200, [f"http://2130706433:{port}/ok"])


def test_a_local_start_is_not_fetched_without_the_opt_in(server):
    result = fetch(f"{server}/ok")
    assert result.error == (f"not checked: 127.0.0.1 is a loopback address; subscribers cannot reach it "
                            f"(set {ALLOW_LOCAL_ENV}=1 to check a local server)")
    assert Hostile.seen == []


def test_control_characters_from_a_server_never_reach_the_report(server):
    result = fetch(f"{server}/escape", allow_local=True)
    assert result.error == r"redirects to '/ok\x1b]0;pwned\x07', which holds control characters"
    assert result.reason == r"'\x1b[2JMoved'"


def test_a_server_dripping_bytes_cannot_hold_a_link_past_its_deadline(server):
    result = fetch(f"{server}/drip", timeout=0.5, allow_local=True)
    assert result.error == "no answer within 0.5 s"  # each byte came well within a per-read timeout


def test_endless_headers_are_cut_off(server):
    result = fetch(f"{server}/flood", allow_local=True)
    assert result.error == "sends more than 256 KiB of headers and data"


def test_the_deadline_and_the_opt_in_come_from_the_environment():
    assert settings({TIMEOUT_ENV: "0.5", ALLOW_LOCAL_ENV: "1"}) == (0.5, True)
    assert settings({}) == (10.0, False)
    assert settings({TIMEOUT_ENV: "soon", ALLOW_LOCAL_ENV: "no"}) == (10.0, False)


def test_check_reports_a_hostile_redirect_at_the_link_line(check, server, monkeypatch):
    monkeypatch.setenv(ALLOW_LOCAL_ENV, "1")
    monkeypatch.setenv(TIMEOUT_ENV, str(DEADLINE))
    issue = links_issue(f"See [the file]({server}/to?file:///etc/passwd) and [the slow page]({server}/drip).")
    findings = only(check(issue, config=CONFIG, check_links=True), "link-check")
    assert sorted((f.level, where(f), f.message.split(": ", 1)[1]) for f in findings) == [
        ("error", (ISSUE_NAME, line_of(issue, "/drip")), f"no answer within {DEADLINE:g} s"),
        ("error", (ISSUE_NAME, line_of(issue, "passwd")),
         "redirects to 'file:///etc/passwd', which is not a web address (only http: and https: are followed)"),
    ]


def _https_server(certs: Certs) -> AbstractContextManager[str]:
    """``Hostile`` over TLS on 127.0.0.1, with a certificate of the test CA."""
    return local_http_server(Hostile, tls=certs.server_context())


def test_https_links_are_checked_within_the_deadline_from_the_command_line(run_cli, project, certs):
    """The TLS socket keeps the deadline too; the CA comes from SSL_CERT_FILE, as OpenSSL reads it."""
    with _https_server(certs) as base:
        issue = links_issue(f"See [the page]({base}/ok), [the slow page]({base}/drip) and "
                            f"[the file]({base}/to?file:///etc/passwd).")
        path = project(issue, config=CONFIG)
        result = run_cli("check", "--check-links", "--format", "json", str(path), timeout=60, cwd=Path.cwd(),
                         env={ALLOW_LOCAL_ENV: "1", TIMEOUT_ENV: str(DEADLINE), "SSL_CERT_FILE": str(certs.ca_file)})
    assert "Traceback" not in result.stderr
    found = sorted((f["line"], f["message"].split(": ", 1)[1]) for f in json.loads(result.stdout)
                   if f["rule"] == "link-check")
    line = line_of(issue, "/drip")
    assert found == [
        (line, f"no answer within {DEADLINE:g} s"),
        (line, "redirects to 'file:///etc/passwd', which is not a web address (only http: and https: are followed)"),
    ]


def test_an_image_that_answers_with_a_page_is_an_error_at_its_line(run_cli, project, certs):
    """A moved picture often answers 200 with an HTML page: --check-links checks that images are images."""
    with _https_server(certs) as base:
        issue = LINKS_ISSUE + f"""\
  - type: image
    src: {base}/photo.png
    alt: The lab's new building
  - type: image
    src: {base}/page-not-photo.png
    alt: The summer school's poster
  - type: editorial
    body: See [the programme]({base}/programme), a page, as a link should be.
"""
        path = project(issue, config=CONFIG)
        result = run_cli("check", "--check-links", "--format", "json", str(path), timeout=60, cwd=Path.cwd(),
                         env={ALLOW_LOCAL_ENV: "1", "SSL_CERT_FILE": str(certs.ca_file)})
    assert "Traceback" not in result.stderr
    found = [(f["level"], f["line"], f["message"]) for f in json.loads(result.stdout) if f["rule"] == "link-check"]
    assert found == [("error", line_of(issue, "/page-not-photo.png"),
                      f"{base}/page-not-photo.png is used as an image but answers text/html, not a picture "
                      "(readers see a broken image: point src at the image file itself)")]
