"""The archive in real Chromium: served over HTTP on 127.0.0.1, read on a 375 px phone."""

from __future__ import annotations

import functools
import http.server
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive_helpers import issue_yaml, make_site_project
from shared import SEED, local_http_server, run_newsletter

pytestmark = pytest.mark.browser

ISSUES = {
    "2022-01-winter-school.yaml": issue_yaml("Winter school", "2022-01-20", columns=3),
    "2022-03-spring-call.yaml": issue_yaml("Spring call", "2022-03-02", columns=2),
}
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5 && e.getClientRects().length)
    .slice(0, 3).map(e => e.tagName + '.' + e.className);
  return {width, scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth, wide};
}"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """The seed issue and two synthetic ones, archived under the address they are served at."""
    root = make_site_project(tmp_path_factory.mktemp("served") / "project", ISSUES)
    (root / "issues" / SEED.name).write_bytes(SEED.read_bytes())
    with local_http_server(functools.partial(_Quiet, directory=str(root / "site"))) as url:
        base = f"{url}/"  # the site is built for the address it is served at
        env = {k: v for k, v in os.environ.items() if k != "NEWSLETTER_ARCHIVE_URL"}
        result = run_newsletter(["archive", "--out", "site", "--base-url", base], cwd=root, env=env)
        assert result.returncode == 0, result.stderr
        yield base, root / "site"


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    # only the local server: the issues' images live on the public web, which tests never reach
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
                  else route.abort())
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()


def test_no_page_scrolls_sideways_at_375px(served, phone):
    base, site = served
    urls = [base] + [f"{base}{p.parent.name}/" for p in sorted(site.glob("*/index.html"))]
    assert len(urls) == 4
    for url in urls:
        response = phone.goto(url)
        assert response.status == 200
        metrics = phone.evaluate(OVERFLOW)
        assert metrics["width"] == 375, (url, metrics)  # laid out at the phone's width
        assert metrics["scroll"] <= 375 and metrics["body"] <= 375, (url, metrics)
        assert metrics["wide"] == [], (url, metrics)


def test_a_reader_goes_from_the_index_to_an_issue_and_back(served, phone):
    base, _ = served
    phone.goto(base)
    assert phone.title() == "AI4Media Newsletter · all issues"
    phone.get_by_role("link", name="Spring call").click()
    phone.wait_for_url(f"{base}2022-03-spring-call/")
    assert phone.title() == "Spring call · AI4Media Newsletter"
    assert phone.get_by_role("heading", level=1).inner_text() == "Spring call"
    phone.get_by_role("link", name="← All issues").click()
    phone.wait_for_url(base)
    phone.get_by_role("link", name="Atom feed").click()
    phone.wait_for_url(f"{base}feed.xml")


def test_the_page_shows_the_issue_without_the_email_only_parts(served, phone):
    base, _ = served
    phone.goto(f"{base}2021-12-one-year-of-ai4media/")
    text = phone.locator("body").inner_text()
    assert "Main Achievements" in text and "Detecting deepfakes in multimedia content" in text
    assert "Unsubscribe" not in text and "View in your browser" not in text
    assert "Thessaloniki" in text  # the postal address stays: it is who publishes this
    hidden_text = phone.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => getComputedStyle(e).display === 'none' && e.textContent.trim()).length""")
    assert hidden_text == 0
