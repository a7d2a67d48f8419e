"""--check-links through an office's HTTP proxy (HTTP_PROXY, HTTPS_PROXY, NO_PROXY), against a real
proxy on 127.0.0.1 that forwards every host to a local server: http as absolute requests, https
through CONNECT, credentials, a proxy that is down, and the address checks that still hold.
"""

from __future__ import annotations

import base64
import http.client
import json
import select
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from checkutil import line_of, links_issue
from send.conftest import PROXIED_HOST, Certs, certs  # noqa: F401 - the certificate fixture, used here too
from shared import LOCAL_ONLY_CONFIG, free_port, local_http_server

from newsletter_pipeline.checks.linkcheck import ALLOW_LOCAL_ENV, fetch

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "ALL_PROXY",
                   "all_proxy")


class Site(BaseHTTPRequestHandler):
    """The links' server: /ok answers 200, /gone 404."""

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's API
        self.send_response(404 if self.path == "/gone" else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def proxy(upstream: str, require: str | None = None) -> Iterator[tuple[str, list[str]]]:
    """A forwarding proxy: every host it is asked for is ``upstream``'s server. Yields (URL, requests seen)."""
    target = urlsplit(upstream)
    seen: list[str] = []

    class Forwarding(BaseHTTPRequestHandler):
        def _allowed(self) -> bool:
            if require is None or self.headers.get("Proxy-Authorization") == require:
                return True
            self.send_response(407, "Proxy Authentication Required")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False

        def do_CONNECT(self) -> None:  # noqa: N802
            seen.append(f"CONNECT {self.path}")
            if not self._allowed():
                return
            with socket.create_connection((target.hostname, target.port), timeout=5) as far:
                self.send_response(200, "Connection established")
                self.end_headers()
                ends = [self.connection, far]
                while True:
                    ready, _, _ = select.select(ends, [], [], 5)
                    if not ready:
                        return
                    for end in ready:
                        data = end.recv(65536)
                        if not data:
                            return
                        (far if end is self.connection else self.connection).sendall(data)

        def do_HEAD(self) -> None:  # noqa: N802
            seen.append(f"{self.command} {self.path}")
            if not self._allowed():
                return
            asked = urlsplit(self.path)
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=5)
            connection.request(self.command, asked.path or "/")
            answer = connection.getresponse()
            self.send_response(answer.status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            connection.close()

        do_GET = do_HEAD

        def log_message(self, *args: object) -> None:
            pass

    with local_http_server(Forwarding) as url:
        yield url, seen


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_http_links_go_through_the_proxy_by_a_name_only_it_resolves(environment) -> None:
    with local_http_server(Site) as site, proxy(site) as (address, seen):
        environment.setenv("HTTP_PROXY", address)
        ok, gone = fetch(f"http://{PROXIED_HOST}/ok", 5), fetch(f"http://{PROXIED_HOST}/gone", 5)
    assert (ok.status, ok.error) == (200, None)
    assert gone.status == 404
    assert f"HEAD http://{PROXIED_HOST}/ok" in seen and f"GET http://{PROXIED_HOST}/gone" in seen


def test_no_proxy_and_this_machine_are_reached_directly(environment) -> None:
    with local_http_server(Site) as site, proxy(site) as (address, seen):
        environment.setenv("HTTP_PROXY", address)
        environment.setenv("NO_PROXY", "intranet.example.org,.example.test")
        bypassed = fetch(f"http://{PROXIED_HOST}/ok", 2)
        local = fetch(f"{site}/ok", 5, allow_local=True)
    assert seen == []
    assert bypassed.error is not None and "proxy" not in bypassed.error  # direct: the name resolves nowhere
    assert (local.status, local.error) == (200, None)  # loopback never goes to a proxy


def test_a_proxy_that_is_down_or_refuses_is_named_and_its_password_never_shown(environment) -> None:
    port = free_port()
    environment.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    down = fetch(f"http://{PROXIED_HOST}/ok", 5)
    assert down.error is not None and down.error.startswith(f"cannot connect through the proxy 127.0.0.1:{port} "
                                                            "(HTTP_PROXY): ")
    credentials = "Basic " + base64.b64encode(b"desk:s3cret-proxy-pass").decode()
    with local_http_server(Site) as site, proxy(site, require=credentials) as (address, seen):
        environment.setenv("HTTP_PROXY", address.replace("http://", "http://desk:s3cret-proxy-pass@"))
        allowed = fetch(f"http://{PROXIED_HOST}/ok", 5)
        environment.setenv("HTTP_PROXY", address.replace("http://", "http://desk:wrong-password-here@"))
        refused = fetch(f"http://{PROXIED_HOST}/ok", 5)
    assert (allowed.status, allowed.error) == (200, None)
    assert refused.status == 407 and "s3cret" not in repr(refused) and "wrong-password" not in repr(refused)
    environment.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    other = fetch(f"https://{PROXIED_HOST}/ok", 2)
    assert other.error == ("not checked: HTTPS_PROXY must be an http:// proxy address such as "
                           "http://proxy.example.org:3128 (other kinds of proxy are not supported by the link check)")


def test_a_local_address_is_refused_through_the_proxy_too(environment) -> None:
    with local_http_server(Site) as site, proxy(site) as (address, seen):
        environment.setenv("HTTP_PROXY", address)
        metadata = fetch("http://169.254.169.254/latest/meta-data/", 2)
        private = fetch("http://10.1.2.3/", 2)
    assert seen == []
    assert metadata.error is not None and metadata.error.startswith("not checked: 169.254.169.254 is")
    assert private.error is not None and private.error.startswith("not checked: 10.1.2.3 is")


def test_https_links_go_through_connect_from_the_command_line(run_cli, tmp_path, certs) -> None:
    """TLS is with the link's own server (its certificate names PROXIED_HOST), tunnelled by the proxy."""
    with local_http_server(Site, tls=certs.server_context()) as site, proxy(site) as (address, seen):
        issue = links_issue(f"See [the page](https://{PROXIED_HOST}/ok) and "
                            f"[the old page](https://{PROXIED_HOST}/gone).")
        (tmp_path / "issues").mkdir()
        (tmp_path / "newsletter.yaml").write_text(LOCAL_ONLY_CONFIG, encoding="utf-8")
        path = tmp_path / "issues" / "2022-04-spring.yaml"
        path.write_text(issue, encoding="utf-8")
        # an empty lower-case name unsets its upper-case one (as urllib reads them): both are set
        env = {**{name: "" for name in PROXY_VARIABLES}, "HTTPS_PROXY": address, "https_proxy": address}
        result = run_cli("check", "--check-links", "--format", "json", str(path), timeout=60, cwd=Path.cwd(),
                         env={**env, ALLOW_LOCAL_ENV: "", "SSL_CERT_FILE": str(certs.ca_file)})
    assert "Traceback" not in result.stderr
    found = [(f["line"], f["message"]) for f in json.loads(result.stdout) if f["rule"] == "link-check"]
    assert found == [(line_of(issue, "/gone"), f"https://{PROXIED_HOST}/gone answers 404 Not Found")]
    assert f"CONNECT {PROXIED_HOST}:443" in seen
