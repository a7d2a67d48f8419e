"""The preview page in real Chromium: loading, views, live reload, the error overlay, the index."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from shared import SEED_NAME, SEED_SLUG

pytestmark = pytest.mark.browser

EMAIL = "#stage iframe.current"


def email_text(page) -> str:
    return page.frame_locator(EMAIL).locator("body").inner_text()


def wait_for_render(page, count: int) -> None:
    page.wait_for_selector(f'body[data-renders="{count}"]', state="attached")


def wait_for_email_text(page, text: str) -> None:
    page.wait_for_function(f"t => document.querySelector('{EMAIL}')?.contentDocument?.body?.innerText.includes(t)",
                           arg=text)


def wait_for_email_loaded(page) -> None:
    """The shown email and its (refused) images are in: its layout no longer moves."""
    page.wait_for_function(f"() => document.querySelector('{EMAIL}')?.contentDocument?.readyState === 'complete'")


def frame_eval(page, script: str):
    """Evaluate ``script`` (a function of the email's window) inside the shown email."""
    return page.evaluate(f"(() => {{ const w = document.querySelector('{EMAIL}').contentWindow; "
                         f"return ({script})(w); }})()")


def test_the_page_loads_with_the_email_subject_and_size(serve, seed_project: Path, page) -> None:
    running = serve(seed_project / "issues" / SEED_NAME)
    page.goto(running.url)
    wait_for_render(page, 1)
    assert page.url == f"{running.url}issue/{SEED_SLUG}/"
    assert "Detecting deepfakes in multimedia content" in email_text(page)
    assert page.locator("#subject").inner_text() == "One year of AI4Media"
    size = running.site.builds[SEED_SLUG].size
    assert page.locator("#size").inner_text() == f"{size:,} B of Gmail's 102,400 ({round(size * 100 / 102400)}%)"
    assert page.locator("#connection").inner_text() == "live"
    assert page.locator("#overlay").is_hidden()


def test_view_toggles_show_width_dark_mode_text_sources_and_checks(serve, seed_project: Path, page) -> None:
    running = serve(seed_project / "issues" / SEED_NAME)
    build = running.site.builds[SEED_SLUG]
    page.goto(running.url)
    wait_for_render(page, 1)
    assert frame_eval(page, "w => w.innerWidth") >= 600

    page.click("button[data-width=mobile]")
    page.wait_for_function(f"() => document.querySelector('{EMAIL}').contentWindow.innerWidth === 375")
    # mjml's columns stack below 480 px: the grid of past events is one column wide on a phone
    assert frame_eval(page, "w => w.matchMedia('(max-width: 479px)').matches") is True

    light = frame_eval(page, "w => w.getComputedStyle(w.document.body).backgroundColor")
    page.click("button[data-toggle=dark]")
    wait_for_render(page, 2)
    dark = frame_eval(page, "w => w.getComputedStyle(w.document.body).backgroundColor")
    assert dark == "rgb(18, 18, 18)" and light != dark

    page.click("button[data-view=text]")
    assert page.locator("#view-email").is_hidden()
    assert page.locator("#text").inner_text().strip() == build.text.strip()
    page.click("button[data-view=html]")
    assert page.locator("#html-source").inner_text().lower().startswith("<!doctype html>")
    page.click("button[data-view=mjml]")
    assert page.locator("#mjml-source").inner_text().lstrip().startswith("<mjml")
    page.click("button[data-view=checks]")
    shown = page.locator("#findings li").all_inner_texts()
    assert shown == ([f["text"] for f in build.findings] or ["No problems found."])
    errors = sum(f["level"] == "error" for f in build.findings)
    warnings = len(build.findings) - errors
    assert page.locator("#check-count").inner_text() == (
        f"({errors} error{'' if errors == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'})")

    page.reload()  # the chosen view, width and dark mode live in the URL
    wait_for_render(page, 1)
    assert page.locator("#view-checks").is_visible()
    assert page.locator("button[data-width=mobile]").get_attribute("aria-pressed") == "true"
    assert page.locator("button[data-toggle=dark]").get_attribute("aria-pressed") == "true"


def test_saving_the_issue_shows_the_new_text_keeping_scroll_and_view(serve, seed_project: Path, page) -> None:
    issue = seed_project / "issues" / SEED_NAME
    running = serve(issue)
    page.goto(running.url)
    wait_for_render(page, 1)
    page.click("button[data-width=mobile]")
    page.evaluate("window.notReloaded = true")
    wait_for_email_loaded(page)
    frame_eval(page, "w => w.scrollTo(0, 1500)")
    assert frame_eval(page, "w => w.scrollY") == 1500

    issue.write_text(issue.read_text().replace("Detecting deepfakes in multimedia content",
                                               "Spotting deepfakes, freshly saved"))
    wait_for_email_text(page, "Spotting deepfakes, freshly saved")
    assert page.evaluate("window.notReloaded") is True
    wait_for_email_loaded(page)
    assert frame_eval(page, "w => w.scrollY") == 1500
    assert frame_eval(page, "w => w.innerWidth") == 375
    assert page.locator("button[data-width=mobile]").get_attribute("aria-pressed") == "true"

    page.click("button[data-view=text]")  # the plain text (titles in capitals) follows too
    issue.write_text(issue.read_text().replace("Spotting deepfakes, freshly saved", "Second save"))
    page.wait_for_function("() => document.querySelector('#text').textContent.includes('SECOND SAVE')")
    assert page.locator("#view-text").is_visible()
    page.click("button[data-view=email]")  # the email rebuilt while hidden comes back where it was
    assert "Second save" in email_text(page)
    wait_for_email_loaded(page)
    assert frame_eval(page, "w => w.scrollY") == 1500


def test_a_yaml_error_shows_the_overlay_with_file_and_line_and_fixing_it_recovers(
        serve, seed_project: Path, page) -> None:
    issue = seed_project / "issues" / SEED_NAME
    good = issue.read_text()
    running = serve(issue)
    page.goto(running.url)
    wait_for_render(page, 1)

    issue.write_text(re.sub(r"(?m)^subject: .*$", "subject: [unclosed", good))
    page.wait_for_selector("#overlay:not([hidden])")
    errors = page.locator("#errors").inner_text()
    line = good.splitlines().index(next(l for l in good.splitlines() if l.startswith("subject: "))) + 1
    assert re.search(rf"{re.escape(SEED_NAME)}:{line}:10: error: invalid YAML: the \[ in column 10 opens a list",
                     errors), errors  # located at the bracket left open
    assert page.locator("#check-count").inner_text().startswith("(1 error, ")  # not "1 errors"
    # the last good email stays underneath
    assert "Detecting deepfakes" in email_text(page)

    issue.write_text(good.replace("Detecting deepfakes in multimedia content", "Back from the error"))
    page.wait_for_selector("#overlay", state="hidden")
    wait_for_email_text(page, "Back from the error")
    assert running.site.builds[SEED_SLUG].ok


def test_a_check_warning_is_listed_with_its_location(serve, make_project, page) -> None:
    padding = "\n\n".join(f"      Paragraph {i}: " + "lorem ipsum dolor sit amet " * 15 for i in range(185))
    root = make_project({"issues/2022-01-long.yaml": (
        "subject: A long issue\ndate: 2022-01-10\npreheader: Two hundred paragraphs to bring the email near Gmail's clip\n"
        "blocks:\n  - type: article\n    title: Long\n"
        f"    body: |-\n{padding}\n")})
    running = serve(root / "issues" / "2022-01-long.yaml")
    build = running.site.builds["2022-01-long"]
    assert any(f["rule"] == "gmail-clipping" for f in build.findings), f"no size finding at {build.size} bytes"
    page.goto(running.url + "#view=checks")
    wait_for_render(page, 1)
    finding = page.locator("#findings li", has_text="gmail-clipping").inner_text()
    assert re.fullmatch(r"\S*issues/2022-01-long\.yaml:\d+:\d+: (warning|error): gmail-clipping: .+", finding), finding
    assert page.locator("#size").get_attribute("class") in ("size warn", "size over")


def test_a_folder_gets_an_index_linking_to_each_preview(serve, seed_project: Path, page) -> None:
    (seed_project / "issues" / "2022-02-broken.yaml").write_text("subject: Broken\ndate: 2022-02-01\nblocks: []\n")
    running = serve(seed_project / "issues")
    page.goto(running.url)
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    seed_row = page.locator(f'tr[data-slug="{SEED_SLUG}"]')
    assert seed_row.locator("td").nth(0).inner_text() == "One year of AI4Media"
    assert seed_row.locator("td").nth(1).inner_text() == "2021-12-15"
    assert f"{running.site.builds[SEED_SLUG].size:,} bytes" in seed_row.locator("td").nth(2).inner_text()
    assert seed_row.locator(".status").inner_text() == "ok"
    assert page.locator('tr[data-slug="2022-02-broken"] .status').inner_text() == "build failed"

    issue = seed_project / "issues" / "2022-03-new.yaml"  # a new file in the folder joins the index
    issue.write_text("subject: Brand new\ndate: 2022-03-01\nblocks:\n  - type: cta\n    text: Hello\n"
                     "    button: {label: Go, url: 'https://example.org/'}\n")
    page.wait_for_selector('tr[data-slug="2022-03-new"]')

    page.click(f'tr[data-slug="{SEED_SLUG}"] a')
    wait_for_render(page, 1)
    assert page.url == f"{running.url}issue/{SEED_SLUG}/"
    assert page.locator("a.back").get_attribute("href") == "/"
