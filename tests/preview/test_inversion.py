"""The forced-inversion simulation (preview/static/invert.js) in Chromium: the check's formula, images left
alone, and the preview's "Inverted" toggle."""

from __future__ import annotations

import pytest
from shared import SEED_NAME

from newsletter_pipeline.checks.css import inverted
from newsletter_pipeline.preview.chromium import invert_script

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html><body style="margin:0">
<div id="paper" style="background-color:#eef2f6;color:#1f2933;border-top:4px solid #0b3b60">text
  <a id="link" href="#" style="color:#00677f">link</a>
  <img id="logo" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" style="background-color:#ffffff" alt="">
</div></body></html>"""


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content(PAGE)
    yield page
    context.close()


def rgb(css: str) -> tuple[int, int, int]:
    r, g, b = (int(float(v)) for v in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return r, g, b


def test_the_browser_inverts_as_the_check_computes(page):
    page.evaluate(f"{invert_script()}\nnpInvert(document);")
    painted = page.evaluate("""() => { const s = id => getComputedStyle(document.getElementById(id));
        return [s('paper').backgroundColor, s('paper').color, s('paper').borderTopColor, s('link').color,
                getComputedStyle(document.body).backgroundColor]; }""")
    expected = [inverted(c) for c in ((0xee, 0xf2, 0xf6), (0x1f, 0x29, 0x33), (0x0b, 0x3b, 0x60), (0x00, 0x67, 0x7f))]
    assert [rgb(c) for c in painted[:4]] == expected
    assert rgb(painted[4]) == (0, 0, 0)  # the white canvas behind an unpainted body


def test_images_are_left_alone(page):
    page.evaluate(f"{invert_script()}\nnpInvert(document);")
    assert page.evaluate("getComputedStyle(document.getElementById('logo')).backgroundColor") == "rgb(255, 255, 255)"


def test_the_previews_inverted_toggle_repaints_the_light_email(serve, seed_project, page):
    running = serve(seed_project / "issues" / SEED_NAME)
    page.goto(running.url)
    page.wait_for_selector('body[data-renders="1"]', state="attached")
    shown = "() => getComputedStyle(document.querySelector('#stage iframe.current').contentDocument.body).backgroundColor"
    assert rgb(page.evaluate(shown)) == (0xee, 0xf2, 0xf6)  # colors.background, light
    page.click("button[data-toggle=inverted]")
    page.wait_for_selector('body[data-renders="2"]', state="attached")
    assert rgb(page.evaluate(shown)) == inverted((0xee, 0xf2, 0xf6))
    assert page.get_attribute("button[data-toggle=inverted]", "aria-pressed") == "true"
    assert "inverted=1" in page.evaluate("location.hash")  # kept on reload, like the other toggles
    page.click("button[data-toggle=inverted]")
    page.wait_for_selector('body[data-renders="3"]', state="attached")
    assert rgb(page.evaluate(shown)) == (0xee, 0xf2, 0xf6)
