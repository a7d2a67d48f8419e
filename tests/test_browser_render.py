"""The seed's email.html in real (headless) Chromium at phone and desktop widths.

Nothing leaves the machine: every request the page makes (remote images) is
aborted, and the layout must hold without them.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

WIDTHS = (320, 375, 600)


@pytest.fixture(scope="module")
def open_email(browser, seed_dist):
    """A function that opens the built email.html at a viewport width."""
    html = seed_dist.read("email.html")
    contexts = []

    def open_at(width: int):
        context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=True)
        contexts.append(context)
        context.route("**/*", lambda route: route.abort())
        page = context.new_page()
        page.set_content(html, wait_until="domcontentloaded", timeout=15_000)
        return page

    yield open_at
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_horizontal_scrolling(open_email, width):
    page = open_email(width)
    inner, scroll = page.evaluate("[window.innerWidth, document.scrollingElement.scrollWidth]")
    assert inner == width
    assert scroll <= inner, f"{scroll}px of content in a {inner}px viewport"


def card_boxes(page) -> list[list[dict[str, float]]]:
    """The bounding boxes of the np-card columns, one list per np-grid row."""
    return page.evaluate("""() => [...document.querySelectorAll('div.np-grid')].map(row =>
        [...row.querySelectorAll('div.np-card')].map(card => {
            const r = card.getBoundingClientRect();
            return {top: r.top, left: r.left, bottom: r.bottom, right: r.right, width: r.width};
        }))""")


def test_past_events_sit_side_by_side_at_600(open_email, seed_build):
    loaded, _ = seed_build
    grid = next(b for b in loaded.issue.blocks if b.type == "past_events")
    rows = card_boxes(open_email(600))
    assert sum(len(row) for row in rows) == len(grid.events)
    full = [row for row in rows if len(row) == grid.columns]
    assert len(full) == len(grid.events) // grid.columns
    for first, second in full:
        assert first["top"] == pytest.approx(second["top"], abs=1)
        assert second["left"] >= first["right"] - 1
        assert first["width"] > 150


@pytest.mark.parametrize("width", [375, 320])
def test_past_events_stack_on_phones(open_email, width):
    rows = card_boxes(open_email(width))
    pairs = [row for row in rows if len(row) == 2]
    assert pairs
    for first, second in pairs:
        assert second["top"] >= first["bottom"] - 1  # one above the other
        assert second["left"] == pytest.approx(first["left"], abs=1)
        assert first["width"] > width * 0.6  # each takes the row, not half of it


def test_content_is_visible_without_images(open_email, seed_build):
    """A quick sanity check that set_content rendered the email, not a blank page."""
    loaded, _ = seed_build
    page = open_email(600)
    assert page.title() == loaded.issue.subject
    assert page.locator("h1").inner_text().strip() == loaded.issue.blocks[0].title
