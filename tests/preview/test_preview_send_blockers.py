"""What blocks a send, shown in the preview: the error banner, the red size badge, the inbox card,
and the "Send test" button (a real send to aiosmtpd, guarded by a session token and the Origin)."""

from __future__ import annotations

import http.client
import json
import re
from urllib.parse import urlsplit

import pytest
from shared import HELLO_ISSUE, HELLO_PREHEADER, clean_env, local_smtp_server

ISSUE = "issues/2021-12-hello.yaml"
SLUG = "2021-12-hello"
PREHEADER = HELLO_PREHEADER
VALID = HELLO_ISSUE
# line 11: a placeholder URL is a check error, which `send` refuses
BLOCKED = VALID.replace("url: https://www.ai4media.eu/", "url: https://localhost/x")


def _settings(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    """The settings the in-process preview's sends read, the developer's shell masked."""
    for name, value in clean_env(**values).items():
        monkeypatch.setenv(name, value)


# ---- the guards of POST /issue/<slug>/send-test (no browser needed) ----------------------------

def _post(url: str, headers: dict[str, str], path: str = f"/issue/{SLUG}/send-test") -> tuple[int, dict]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", path, body=b"", headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, (json.loads(body) if response.getheader("Content-Type") == "application/json"
                                 else {"text": body.decode()})
    finally:
        connection.close()


@pytest.fixture
def smtp_preview(serve, make_project, monkeypatch):
    """A preview of a clean issue whose provider is a real local SMTP server."""
    with local_smtp_server() as smtp:
        _settings(monkeypatch, NEWSLETTER_PROVIDER="smtp", NEWSLETTER_TEST_RECIPIENTS="ann@example.org",
                  **smtp.env())
        root = make_project({ISSUE: VALID})
        yield serve(root / ISSUE), smtp


def test_a_post_without_the_token_or_from_another_origin_is_refused_and_sends_nothing(smtp_preview) -> None:
    running, smtp = smtp_preview
    host = urlsplit(running.url).netloc
    own = {"Host": host, "Origin": f"http://{host}", "X-Preview-Token": running.server.token}
    attempts = {
        "no token": {k: v for k, v in own.items() if k != "X-Preview-Token"},
        "a wrong token": {**own, "X-Preview-Token": "guessed"},
        "another origin": {**own, "Origin": "https://evil.example"},
        "no origin": {k: v for k, v in own.items() if k != "Origin"},
        "a rebinding host": {**own, "Host": "evil.example", "Origin": "http://evil.example"},
    }
    for what, headers in attempts.items():
        status, answer = _post(running.url, headers)
        assert status == 403, (what, status, answer)
    assert smtp.recorder.messages == [] and smtp.recorder.connections == 0

    # the same request with the page's token and origin does send: the refusals above are the guards
    status, answer = _post(running.url, own)
    assert (status, answer["ok"]) == (200, True), answer
    assert [m.rcpt_tos for m in smtp.recorder.messages] == [["ann@example.org"]]


def test_the_token_is_in_the_page_and_changes_with_each_server(serve, make_project) -> None:
    root = make_project({ISSUE: VALID})
    first, second = serve(root / ISSUE), serve(root / ISSUE)
    assert first.server.token != second.server.token and len(first.server.token) >= 32
    parts = urlsplit(first.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", f"/issue/{SLUG}/")
    page = connection.getresponse().read().decode()
    connection.close()
    assert f'<meta name="preview-token" content="{first.server.token}">' in page


# ---- in Chromium -----------------------------------------------------------------------------

def _open(page, running) -> None:
    page.goto(running.url)
    page.wait_for_selector('body[data-renders="1"]', state="attached")


@pytest.mark.browser
def test_a_check_error_shows_a_banner_with_its_line_a_red_badge_and_a_jump_to_checks(
        serve, make_project, page) -> None:
    root = make_project({ISSUE: BLOCKED})
    running = serve(root / ISSUE)
    _open(page, running)
    banner = page.locator("#blocking")
    assert banner.is_visible()
    assert page.locator("#blocking-title").inner_text() == "1 error would stop `newsletter send`:"
    (item,) = page.locator("#blocking-list li").all_inner_texts()
    assert re.fullmatch(rf"\S*{ISSUE}:11: error: placeholder-url: .*localhost.*", item), item
    assert page.locator("#size").get_attribute("class") == "size over"  # a small email, red for its error
    assert page.locator("#check-count").inner_text() == "(1 error, 0 warnings)"

    page.click("#blocking-show")
    assert page.locator("#view-checks").is_visible()
    assert "placeholder-url" in page.locator("#findings").inner_text()

    page.click("button[data-view=email]")
    (root / ISSUE).write_text(VALID)  # fixed and saved: the banner goes, the badge is green
    page.wait_for_selector("#blocking", state="hidden")
    assert page.locator("#size").get_attribute("class") == "size ok"


@pytest.mark.browser
def test_the_inbox_card_shows_sender_subject_and_the_preheaders_visible_length(
        serve, make_project, page, monkeypatch) -> None:
    _settings(monkeypatch, NEWSLETTER_FROM_NAME="AI4Media Team")
    # a zero-width joiner and a doubled space: a reader sees neither
    padded = PREHEADER.replace("short note", "short\u200d note").replace("new in", "new  in")
    root = make_project({ISSUE: VALID.replace(PREHEADER, f'"{padded}"')})
    running = serve(root / ISSUE)
    _open(page, running)
    assert page.locator("#inbox-from").inner_text() == "AI4Media Team <newsletter@ai4media.eu>"
    assert page.locator("#inbox-subject").inner_text() == "Hello"
    assert page.locator("#inbox-preheader").inner_text().strip() == f"– {PREHEADER}"
    assert page.locator("#inbox-length").inner_text() == (
        f"preheader: {len(PREHEADER)} visible characters (aim for 40–140)")
    assert page.locator("#inbox-length").get_attribute("class") == "inbox-length ok"


@pytest.mark.browser
def test_send_test_sends_to_the_test_recipients_and_shows_the_result(smtp_preview, page) -> None:
    running, smtp = smtp_preview
    _open(page, running)
    page.click("#send-test")
    page.wait_for_selector('body[data-send-done="1"]', state="attached")
    result = page.locator("#send-result")
    assert result.get_attribute("class") == "send-result ok", result.inner_text()
    assert result.inner_text().startswith("smtp: test sent to ann@example.org"), result.inner_text()
    (message,) = smtp.recorder.messages
    assert message.rcpt_tos == ["ann@example.org"]
    assert b"Subject: [TEST] Hello" in message.data


@pytest.mark.browser
def test_send_test_without_recipients_shows_the_error_and_sends_nothing(
        serve, make_project, page, monkeypatch) -> None:
    with local_smtp_server() as smtp:
        _settings(monkeypatch, NEWSLETTER_PROVIDER="smtp", **smtp.env())
        root = make_project({ISSUE: VALID})
        running = serve(root / ISSUE)
        _open(page, running)
        page.click("#send-test")
        page.wait_for_selector('body[data-send-done="1"]', state="attached")
        result = page.locator("#send-result")
        assert result.get_attribute("class") == "send-result error"
        assert "NEWSLETTER_TEST_RECIPIENTS" in result.inner_text()
        assert smtp.recorder.messages == []


def test_the_index_counts_one_error_as_one_error(serve, make_project) -> None:
    root = make_project({ISSUE: BLOCKED, "issues/2021-11-fine.yaml": VALID})
    running = serve(root / "issues")
    parts = urlsplit(running.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", "/")
    page = connection.getresponse().read().decode()
    connection.close()
    assert f'<tr class="status-error" data-slug="{SLUG}">' in page
    assert '<td class="status">1 error, 0 warnings</td>' in page and "1 errors" not in page


def test_send_test_sends_what_the_preview_shows_with_its_templates_folder(serve, make_project, monkeypatch) -> None:
    """``preview --templates DIR``: the button's test send is built with the same overrides as the page."""
    from email import message_from_bytes, policy

    from shared import REPO

    with local_smtp_server() as smtp:
        _settings(monkeypatch, NEWSLETTER_PROVIDER="smtp", NEWSLETTER_TEST_RECIPIENTS="ann@example.org",
                  **smtp.env())
        root = make_project({ISSUE: VALID})
        cta = (REPO / "templates" / "blocks" / "cta.mjml.j2").read_text(encoding="utf-8")
        assert "{{ button(block.button) }}" in cta
        (root / "over" / "blocks").mkdir(parents=True)
        (root / "over" / "blocks" / "cta.mjml.j2").write_text(
            cta.replace("{{ button(block.button) }}", "<p>Overridden call to action</p>\n{{ button(block.button) }}"),
            encoding="utf-8")
        running = serve(root / ISSUE, templates=root / "over")
        assert "Overridden call to action" in running.site.builds[SLUG].html  # what the page shows
        host = urlsplit(running.url).netloc
        status, answer = _post(running.url, {"Host": host, "Origin": f"http://{host}",
                                             "X-Preview-Token": running.server.token})
        assert (status, answer["ok"]) == (200, True), answer
        [delivered] = smtp.recorder.messages
        message = message_from_bytes(delivered.data, policy=policy.default)
        html = message.get_body(("html",)).get_content()
        assert "Overridden call to action" in html
