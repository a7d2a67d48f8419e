"""--check-links against a real HTTP server on 127.0.0.1: dead links, HEAD refusals, redirects, timeouts."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from checkutil import ISSUE_NAME, line_of, only, where
from shared import LOCAL_ONLY_CONFIG, local_http_server

from newsletter_pipeline.checks.linkcheck import ALLOW_LOCAL_ENV, fetch, fetch_all

CONFIG = LOCAL_ONLY_CONFIG + """\
utm:
  source: newsletter
  medium: email
"""


class Handler(BaseHTTPRequestHandler):
    """/ok 200; /gone 404; /broken 500; /moved -> /moved2 -> /ok; /no-head 405 to HEAD; /slow sleeps."""

    seen: list[tuple[str, str]] = []

    def _answer(self) -> None:
        path, _, query = self.path.partition("?")
        self.seen.append((self.command, self.path))
        if path == "/slow":
            time.sleep(1.5)
        if path == "/no-head" and self.command == "HEAD":
            return self._send(405)
        if path == "/moved":
            return self._send(301, location="/moved2")
        if path == "/moved2":
            return self._send(302, location=f"http://127.0.0.1:{self.server.server_port}/ok")
        self._send({"/gone": 404, "/broken": 500}.get(path, 200))

    def _send(self, status: int, location: str | None = None) -> None:
        body = b"<p>hello</p>"
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    do_GET = do_HEAD = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(autouse=True)
def allow_local(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server is on 127.0.0.1, which --check-links fetches only when told to."""
    monkeypatch.setenv(ALLOW_LOCAL_ENV, "1")


@pytest.fixture
def server() -> Iterator[str]:
    Handler.seen = []
    with local_http_server(Handler) as url:
        yield url


def _issue(base: str) -> str:
    return f"""\
subject: Spring news from the AI4Media lab
preheader: Three new papers, an open dataset and the dates of our summer school in Thessaloniki.
date: 2022-04-01
language: en
blocks:
  - type: masthead
    title: Spring news
  - type: editorial
    body: |-
      See [the dataset]({base}/ok), [the old page]({base}/gone) and [the report]({base}/broken).

      Also [the archive]({base}/moved) and [the picky server]({base}/no-head), and [the dataset]({base}/ok) again.
"""


def test_check_links_reports_dead_links_and_redirects_at_their_lines(check, server):
    issue = _issue(server)
    report = check(issue, config=CONFIG, check_links=True)
    findings = only(report, "link-check")
    gone = next(f for f in findings if "/gone" in f.message)
    broken = next(f for f in findings if "/broken" in f.message)
    moved = next(f for f in findings if "redirects" in f.message)
    assert len(findings) == 3  # /ok and /no-head are fine
    assert (gone.level, where(gone)) == ("error", (ISSUE_NAME, line_of(issue, "/gone")))
    assert "answers 404" in gone.message and "utm_campaign=2022-04-spring-news" in gone.message
    assert (broken.level, where(broken)) == ("error", (ISSUE_NAME, line_of(issue, "/broken")))
    assert "answers 500" in broken.message
    assert (moved.level, where(moved)) == ("warning", (ISSUE_NAME, line_of(issue, "/moved)")))
    assert "redirects 2 time(s)" in moved.message and f"link to {server}/ok directly" in moved.message
    assert "drops the UTM parameters" in moved.message

    # each unique URL once, as readers get it (UTM-tagged); HEAD first, GET only where HEAD failed
    for _, path in Handler.seen:
        if path not in ("/moved2", "/ok"):  # later hops go where the server's Location says
            assert "utm_source=newsletter&utm_medium=email&utm_campaign=2022-04-spring-news" in path
    methods = {}
    for method, path in Handler.seen:
        methods.setdefault(path.split("?")[0], []).append(method)
    assert methods == {"/ok": ["HEAD", "HEAD"],  # the link (twice in the issue, fetched once) and /moved's end
                       "/gone": ["HEAD", "GET"], "/broken": ["HEAD", "GET"], "/no-head": ["HEAD", "GET"],
                       "/moved": ["HEAD"], "/moved2": ["HEAD"]}


def test_timeouts_and_refused_connections_are_errors(server):
    slow, refused = fetch_all([f"{server}/slow", "http://127.0.0.1:9/nothing-listens"], timeout=0.3,
                              allow_local=True)
    assert slow.error == "no answer within 0.3 s"
    assert refused.error and refused.error.startswith("cannot connect")


def test_head_refused_falls_back_to_get(server):
    result = fetch(f"{server}/no-head", allow_local=True)
    assert (result.status, result.error, result.chain) == (200, None, [])
    assert [m for m, p in Handler.seen] == ["HEAD", "GET"]


def test_links_are_not_fetched_without_the_option(check, server):
    report = check(_issue(server), config=CONFIG)
    assert only(report, "link-check") == [] and Handler.seen == []


def test_check_links_from_the_command_line(run_cli, project, server):
    issue = _issue(server)
    path = project(issue, config=CONFIG)
    result = run_cli("check", "--check-links", "--format", "json", str(path), cwd=Path.cwd(), timeout=60,
                     env={ALLOW_LOCAL_ENV: "1"})
    assert result.returncode == 1  # 404, 500 (and the 127.0.0.1 URLs are placeholder-url errors too)
    found = {(f["level"], f["line"]) for f in json.loads(result.stdout) if f["rule"] == "link-check"}
    assert found == {("error", line_of(issue, "/gone")), ("warning", line_of(issue, "/moved)"))}
