"""The preview server's safety: fixed routes, no traversal in any encoding, loopback only."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from pathlib import Path

import pytest
from shared import SEED_NAME, SEED_SLUG

from newsletter_pipeline.commands.preview import host_warning
from newsletter_pipeline.preview.server import is_loopback, safe_path


TRAVERSALS = [
    "/../newsletter.yaml", "/../../../../etc/passwd", "/..%2fnewsletter.yaml", "/%2e%2e/newsletter.yaml",
    "/%2E%2E%2Fnewsletter.yaml", "/.%2e/newsletter.yaml", "/%252e%252e/newsletter.yaml",
    "/%252e%252e%252fnewsletter.yaml", "/..\\newsletter.yaml", "/..%5cnewsletter.yaml", "/%5c..%5cnewsletter.yaml",
    "/issue/../../newsletter.yaml", f"/issue/{SEED_SLUG}/../../newsletter.yaml",
    f"/issue/{SEED_SLUG}/%2e%2e/%2e%2e/newsletter.yaml", f"/issue/{SEED_SLUG}/..%2f..%2fnewsletter.yaml",
    "/issue/%2e%2e/state.json", "/issue/..%2f..%2fissues/state.json", "/_preview/../site.py",
    "/_preview/%2e%2e/site.py", "/_preview/..%2f..%2fpreview%2fsite.py", "/_preview/static/preview.js",
    "/_preview/preview.js%00.py", "/_preview/..%c0%af..%c0%afetc/passwd", "//etc/passwd", "/%2fetc%2fpasswd",
    "/newsletter.yaml", f"/issues/{SEED_NAME}", "/etc/passwd", "/issue/", "/issue/nope/", "/_preview/",
]


def request(url: str, path: str, method: str = "GET", host: str | None = None,
            timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """Send ``path`` exactly as written: no client-side normalisation of dots or escapes."""
    address = url.removeprefix("http://").rstrip("/")
    name, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(name, int(port), timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=host is not None)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture
def running(serve, seed_project: Path):
    return serve(seed_project / "issues" / SEED_NAME)


def test_traversal_attempts_get_404(running) -> None:
    answers = {path: request(running.url, path) for path in TRAVERSALS}
    assert {path: status for path, (status, _, _) in answers.items() if status != 404} == {}
    for status, _, body in answers.values():
        assert b"postal_address" not in body and b"root:" not in body and b"import" not in body


def test_the_routes_serve_the_preview_and_its_own_assets(running) -> None:
    status, headers, _ = request(running.url, "/")
    assert (status, headers["location"]) == (302, f"/issue/{SEED_SLUG}/")
    status, headers, _ = request(running.url, f"/issue/{SEED_SLUG}")
    assert (status, headers["location"]) == (302, f"/issue/{SEED_SLUG}/")

    status, headers, body = request(running.url, f"/issue/{SEED_SLUG}/")
    assert status == 200 and b'data-slug="2021-12-one-year-of-ai4media"' in body
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"

    status, headers, body = request(running.url, f"/issue/{SEED_SLUG}/state.json")
    state = json.loads(body)
    build = running.site.builds[SEED_SLUG]
    assert (state["subject"], state["size"], state["html"], state["source"], state["errors"]) == (
        "One year of AI4Media", build.size, build.shown_html, build.html, [])

    status, headers, body = request(running.url, f"/issue/{SEED_SLUG}/email.html")
    assert status == 200 and body.decode() == build.shown_html
    assert headers["content-security-policy"].startswith("sandbox")  # the email can never run script

    status, headers, body = request(running.url, "/_preview/preview.js")
    assert status == 200 and headers["content-type"] == "text/javascript" and b"long-poll" in body
    assert request(running.url, "/_preview/preview.css")[0] == 200
    assert request(running.url, "/_preview/missing.js")[0] == 404

    status, _, body = request(running.url, f"/issue/{SEED_SLUG}/", method="HEAD")
    assert status == 200 and body == b""
    assert request(running.url, "/", method="POST")[0] == 405  # only send-test takes a POST


def test_index_json_lists_every_issue(serve, seed_project: Path) -> None:
    (seed_project / "issues" / "2022-02-bad.yaml").write_text("subject: [unclosed\n")
    running = serve(seed_project / "issues")
    index = json.loads(request(running.url, "/index.json")[2])
    by_slug = {i["slug"]: i for i in index["issues"]}
    assert by_slug[SEED_SLUG]["status"] == "ok" and by_slug[SEED_SLUG]["date"] == "2021-12-15"
    assert by_slug["2022-02-bad"]["status"] == "error"
    assert re.search(r"issues/2022-02-bad\.yaml:\d+:\d+: error: invalid YAML", by_slug["2022-02-bad"]["errors"][0])


def test_a_file_no_slug_can_name_gets_a_page_that_says_what_is_wrong(serve, seed_project: Path) -> None:
    """``issues/Notatki Ż.yaml`` was listed with a link to ``/issue/Notatki Ż/``, which answered 404."""
    (seed_project / "issues" / "Notatki Ż.yaml").write_text((seed_project / "issues" / SEED_NAME).read_text("utf-8"),
                                                            encoding="utf-8")
    running = serve(seed_project / "issues")
    status, _, index = request(running.url, "/")
    links = re.findall(r'href="(/issue/[^"]+/)">([^<]*)<', index.decode())
    assert len(links) == 2 and all(re.fullmatch(r"/issue/[a-z0-9.-]+/", href) for href, _ in links), links
    [(href, label)] = [(href, label) for href, label in links if SEED_SLUG not in href]
    assert label == "Notatki Ż.yaml"
    status, _, page = request(running.url, href)
    assert status == 200
    state = json.loads(request(running.url, href + "state.json")[2])
    assert "file name 'Notatki Ż.yaml' is not YYYY-MM-slug.yaml" in state["errors"][0]


def test_a_foreign_host_name_is_refused(running) -> None:
    """A page on another site cannot reach the preview by DNS rebinding."""
    status, _, body = request(running.url, f"/issue/{SEED_SLUG}/state.json", host="attacker.example:80")
    assert status == 403 and b"One year" not in body
    port = running.server.server_port
    assert request(running.url, "/index.json", host=f"localhost:{port}")[0] == 200
    assert request(running.url, "/index.json", host=f"127.0.0.1:{port}")[0] == 200


def test_the_long_poll_answers_when_a_rebuild_bumps_the_epoch(running) -> None:
    epoch = running.site.epoch
    assert json.loads(request(running.url, "/_preview/events?since=-1")[2]) == {"epoch": epoch}
    answer: list[bytes] = []
    waiter = threading.Thread(target=lambda: answer.append(
        request(running.url, f"/_preview/events?since={epoch}", timeout=10)[2]))
    waiter.start()
    running.site.rebuild()
    waiter.join(10)
    assert json.loads(answer[0]) == {"epoch": epoch + 1}


def _non_loopback_addresses() -> list[str]:
    found = set()
    try:
        found |= {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # UDP connect sends nothing: it only picks the outgoing address
            found.add(probe.getsockname()[0])
        except OSError:
            pass
    return sorted(a for a in found if not is_loopback(a) and a != "0.0.0.0")


def test_the_server_listens_on_loopback_only(running) -> None:
    host, port = running.server.server_address[:2]
    assert host == "127.0.0.1"
    listening = [line.split()[1] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                 if line.split()[3] == "0A"]  # 0A: LISTEN
    assert f"0100007F:{port:04X}" in listening
    assert f"00000000:{port:04X}" not in listening
    for address in _non_loopback_addresses():
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=2).close()


def test_helpers_tell_loopback_and_reject_escapes() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.10", "example.org", "::"]))
    assert host_warning("127.0.0.1") is None and host_warning("localhost") is None
    warning = host_warning("0.0.0.0")
    assert warning and warning.startswith("warning: serving on 0.0.0.0") and "127.0.0.1" in warning
    assert safe_path("/issue/2021-12-a/state.json")
    assert not any(map(safe_path, ["/%2e%2e/", "/a/../b", "/a\\b", "//x", "x", "/a%20b"]))


def test_the_preview_switches_between_the_editions_of_an_issue(serve, seed_project: Path) -> None:
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "editions" / f"{SEED_SLUG}.el.yaml"
    (seed_project / "issues" / fixture.name).write_text(fixture.read_text("utf-8"), encoding="utf-8")
    running = serve(seed_project / "issues")
    pages = {slug: request(running.url, f"/issue/{slug}/")[2].decode() for slug in (SEED_SLUG, f"{SEED_SLUG}.el")}
    english, greek = pages[SEED_SLUG], pages[f"{SEED_SLUG}.el"]
    assert f'<a href="/issue/{SEED_SLUG}.el/" hreflang="el" lang="el" title="Ένας χρόνος AI4Media">el</a>' in english
    assert f'<a href="/issue/{SEED_SLUG}/" aria-current="page" lang="en">en</a>' in english
    assert f'<a href="/issue/{SEED_SLUG}/" hreflang="en" lang="en"' in greek
    assert f'<a href="/issue/{SEED_SLUG}.el/" aria-current="page" lang="el">el</a>' in greek
    assert '<strong id="subject" class="subject" lang="el">' in greek
    state = json.loads(request(running.url, f"/issue/{SEED_SLUG}.el/state.json")[2])
    assert state["subject"] == "Ένας χρόνος AI4Media" and "Απεγγραφή" in state["html"]


def test_an_issue_without_editions_has_no_switcher(running) -> None:
    assert 'class="group languages"' not in request(running.url, f"/issue/{SEED_SLUG}/")[2].decode()


@pytest.mark.parametrize("since", ["9" * 5000, "%C2%B2", "%D9%A3", "1.5", "abc", "--1"])
def test_a_bad_since_is_a_400_and_the_server_keeps_serving(running, since: str) -> None:
    """5,000 digits and "²" (which str.isdigit() accepts) used to kill the request with a traceback."""
    status, _, body = request(running.url, f"/_preview/events?since={since}")
    assert (status, body) == (400, b"since must be a whole number, e.g. ?since=3\n")
    assert request(running.url, "/_preview/events?since=-1")[0] == 200


def test_a_link_out_of_the_project_is_not_previewed(serve, make_project, tmp_path: Path) -> None:
    """A folder preview skips an issue link whose target lies outside the project, and says so."""
    outside = tmp_path / "elsewhere" / "2021-12-secret.yaml"
    outside.parent.mkdir()
    root = make_project(seed=True)
    outside.write_text((root / "issues" / SEED_NAME).read_text(encoding="utf-8"), encoding="utf-8")
    (root / "issues" / "2021-12-secret.yaml").symlink_to(outside)
    (root / "issues" / "2021-12-inside.yaml").symlink_to(root / "issues" / SEED_NAME)  # inside: fine
    running = serve(root / "issues")
    slugs = [issue["slug"] for issue in json.loads(request(running.url, "/index.json")[2])["issues"]]
    assert slugs == ["2021-12-inside", SEED_SLUG]
    assert request(running.url, "/issue/2021-12-secret/state.json")[0] == 404
    refusals = [line for line in running.log if "2021-12-secret.yaml: warning: skipped: a link to" in line]
    assert len(refusals) == 1 and "outside the project" in refusals[0]


def test_an_issue_that_is_a_broken_link_shows_one_located_error(serve, make_project) -> None:
    root = make_project(seed=True)
    (root / "issues" / "2021-12-broken.yaml").symlink_to("nowhere.yaml")
    running = serve(root / "issues" / "2021-12-broken.yaml")
    state = json.loads(request(running.url, "/issue/2021-12-broken/state.json")[2])
    assert state["errors"] == [f"{root / 'issues' / '2021-12-broken.yaml'}: error: this issue file is a symbolic "
                               "link to nowhere.yaml, which does not exist (point the link at an existing file, "
                               "or replace it by the file)"]
