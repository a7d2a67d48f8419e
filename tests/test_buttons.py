"""Bulletproof buttons: padded in Outlook for Windows, unchanged everywhere else.

Outlook's Word engine ignores padding on ``<a>`` and honours it only on table
cells (``mso-padding-alt`` is its own property, ignored by every other client);
browsers and the other clients pad the link, which keeps the whole button clickable.
"""

from __future__ import annotations

import lxml.html
import pytest

from newsletter_pipeline.checks.css import parse_style


def _buttons(html: str) -> list[tuple[dict[str, str], dict[str, str]]]:
    """(cell style, link style) of every button of an email."""
    doc = lxml.html.fromstring(html)
    found = []
    for table in doc.xpath('//table[contains(concat(" ", @class, " "), " np-button ")]'):
        [cell] = table.xpath(".//td")
        [link] = cell.xpath("./a")
        found.append((parse_style(cell.get("style")), parse_style(link.get("style"))))
    return found


def test_every_button_cell_carries_outlooks_padding(seed_dist):
    buttons = _buttons(seed_dist.read("email.html"))
    assert len(buttons) >= 5  # the seed's "Read more" and call-to-action buttons
    for cell, link in buttons:
        assert cell.get("mso-padding-alt") == link["padding"] == "12px 24px"
        assert "padding" not in cell  # elsewhere the link is padded: padding on both would double it


@pytest.mark.browser
def test_buttons_keep_their_look_outside_outlook(browser, seed_dist):
    """In Chromium the cell adds nothing around the padded link but its 2px border."""
    context = browser.new_context(viewport={"width": 600, "height": 900})
    try:
        context.route("**/*", lambda route: route.abort())
        page = context.new_page()
        page.set_content(seed_dist.read("email.html"), wait_until="domcontentloaded", timeout=15_000)
        boxes = page.evaluate("""() => [...document.querySelectorAll('.np-button td')].map(td => {
            const a = td.querySelector('a').getBoundingClientRect(), c = td.getBoundingClientRect();
            return [c.width - a.width, c.height - a.height, a.height]; })""")
    finally:
        context.close()
    assert boxes
    for width_extra, height_extra, link_height in boxes:
        assert (width_extra, height_extra) == (4, 4)
        assert link_height >= 24 + 16  # 12px padding above and below a 16px label: a comfortable target
