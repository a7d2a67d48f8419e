"""send with local images (issue 14): their published addresses are asked for before a list send."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

from shared import PHOTO_ISSUE_NAME, clean_env, local_http_server, photo_issue, with_photo

from newsletter_pipeline.checks.linkcheck import ALLOW_LOCAL_ENV
from newsletter_pipeline.checks.published import check_published, media_urls

# a public-looking address (the placeholder rule refuses local ones in an email) that has no server:
# the tests have no network, and with one this name does not resolve
ARCHIVE = "https://archive.newsletter-pipeline-tests.eu/news"
ISSUE = PHOTO_ISSUE_NAME
TEXT = photo_issue()


class Archive(BaseHTTPRequestHandler):
    """A published site: /news/media/present.jpg is there; HEAD is refused on /news/media/head-less.jpg."""

    def _answer(self) -> None:
        if self.path == "/news/media/head-less.jpg" and self.command == "HEAD":
            return self._send(405)
        self._send(200 if self.path in ("/news/media/present.jpg", "/news/media/head-less.jpg") else 404)

    def _send(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = _answer

    def log_message(self, *args: object) -> None:
        pass


def test_each_address_is_asked_for_and_missing_ones_are_named() -> None:
    with local_http_server(Archive) as base:
        urls = media_urls(f"{base}/news/", ["media/present.jpg", "media/head-less.jpg", "media/gone.jpg",
                                            "media/present.jpg"])
        assert urls == [f"{base}/news/media/present.jpg", f"{base}/news/media/head-less.jpg",
                        f"{base}/news/media/gone.jpg"]
        found = check_published(urls, {ALLOW_LOCAL_ENV: "1"})
    assert [item.problem for item in found] == [None, None, "answers 404 Not Found"]


def test_a_local_server_is_not_asked_without_the_allow_local_setting() -> None:
    with local_http_server(Archive) as base:
        (found,) = check_published([f"{base}/news/media/present.jpg"], {})
    assert found.problem and "not checked" in found.problem


def project_with_photo(make_project):
    return with_photo(make_project({ISSUE: TEXT}), ARCHIVE, (900, 600))


def env(tmp_path):
    return clean_env(XDG_CACHE_HOME=str(tmp_path / "cache"), NEWSLETTER_LINKCHECK_TIMEOUT="3")


def test_a_list_send_with_unpublished_images_is_refused_and_sends_nothing(make_project, run_cli, tmp_path) -> None:
    root = project_with_photo(make_project)
    result = run_cli("send", ISSUE, "--now", "--yes", cwd=root, env=env(tmp_path))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"refusing the list send: 1 local image(s) of this issue are not published yet: {ARCHIVE}/media/" \
        in result.stderr and "run 'newsletter archive'" in result.stderr
    assert not (root / "outbox").exists() and not (root / ".newsletter").exists()


def test_a_dry_run_lists_the_images_and_their_state(make_project, run_cli, tmp_path) -> None:
    root = project_with_photo(make_project)
    result = run_cli("send", ISSUE, "--now", "--dry-run", cwd=root, env=env(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    at = lines.index("images:")
    assert lines[at + 1].startswith(f"  {ARCHIVE}/media/") and ": MISSING, cannot connect" in lines[at + 1]
    assert not (root / "outbox").exists()


def test_a_test_send_warns_and_still_sends(make_project, run_cli, tmp_path) -> None:
    root = project_with_photo(make_project)
    result = run_cli("send", ISSUE, "--test", "--to", "me@lab.ai4media.eu", cwd=root, env=env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"warning: {ARCHIVE}/media/" in result.stderr and "not published yet" in result.stderr
    assert list((root / "outbox").rglob("*.eml"))
