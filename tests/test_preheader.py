"""The hidden preheader: first text of the body, padded with zero-width filler, without white text.

Inbox previews show the first text of the body. The preheader is hidden
without the white-1px-text trick (SpamAssassin's HTML_FONT_LOW_CONTRAST),
and ``&zwnj;&nbsp;`` pairs after it keep the body's first words out of the preview.
"""

from __future__ import annotations

import shutil
import subprocess

import lxml.html
import pytest
from shared import FIXTURE_CONFIG, newsletter_command

from newsletter_pipeline.checks.css import parse_style

FILLER = "\u200c\u00a0"  # &zwnj;&nbsp;
ISSUE = """\
subject: Spring news
date: 2022-04-12
preheader: Three new papers, a summer school and the dates of our next webinar.
language: en
blocks:
  - type: masthead
    title: Spring news
  - type: editorial
    title: Hello
    body: The first words of the body, which must not reach the inbox preview.
"""


@pytest.fixture(scope="module")
def preheader_html(tmp_path_factory) -> str:
    """The email.html of a one-block issue of the fixture project, built by the real CLI."""
    root = tmp_path_factory.mktemp("preheader")
    shutil.copy(FIXTURE_CONFIG, root / "newsletter.yaml")
    (root / "issues").mkdir()
    (root / "issues" / "2022-04-spring.yaml").write_text(ISSUE, encoding="utf-8")
    done = subprocess.run([*newsletter_command(), "build", "issues/2022-04-spring.yaml", "--out", str(root / "dist")],
                          cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [html] = (root / "dist").glob("*/email.html")
    return html.read_text(encoding="utf-8")


def _preheader(html: str):
    body = lxml.html.fromstring(html).find(".//body")
    return next(el for el in body.iter() if (el.text or "").strip())  # what an inbox preview reads first


def test_the_preheader_is_the_first_text_and_is_padded_with_filler(preheader_html):
    element = _preheader(preheader_html)
    text = element.text_content()
    assert text.startswith("Three new papers, a summer school and the dates of our next webinar.")
    filler = text.removeprefix("Three new papers, a summer school and the dates of our next webinar.")
    assert filler == FILLER * (len(filler) // 2) and len(filler) // 2 >= 80


def test_the_preheader_is_hidden_without_white_text(preheader_html):
    style = parse_style(_preheader(preheader_html).get("style"))
    assert (style.get("display"), style.get("max-height"), style.get("overflow"), style.get("mso-hide")) == (
        "none", "0", "hidden", "all")
    assert "color" not in style and "font-size" not in style  # HTML_FONT_LOW_CONTRAST: no text colour at all
    assert "font-size:1px;color:#ffffff" not in preheader_html.replace(" ", "")  # nor MJML's mj-preview element


@pytest.mark.browser
def test_the_preheader_is_invisible_in_chromium(browser, preheader_html):
    context = browser.new_context(viewport={"width": 600, "height": 900})
    try:
        page = context.new_page()
        page.route("**/*", lambda route: route.abort())
        page.set_content(preheader_html, wait_until="domcontentloaded", timeout=15_000)
        shown = page.evaluate("""() => { const e = document.querySelector('.np-preheader');
            const r = e.getBoundingClientRect(); return [e.checkVisibility(), r.width, r.height]; }""")
        visible_text = page.evaluate("document.body.innerText")
    finally:
        context.close()
    assert shown == [False, 0, 0]
    assert "Three new papers" not in visible_text
