"""Dark mode as Chromium paints it: no light leftovers in the seed or the digest.

Every visible element's painted colours are read from the browser's computed
styles under ``prefers-color-scheme: dark``: a light background or border
(a stripe between sections, a band under the footer) fails, and so does text
that is unreadable on the background it sits on.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from shared import REPO, clean_env, run_newsletter

pytestmark = pytest.mark.browser

DIGEST = REPO / "tests" / "projects" / "digest"
DIGEST_ISSUE = "issues/2024-05-tidewater-3-0.yaml"
LIGHT = 0.4  # relative luminance above which a background or border reads as light (#eef2f6 is 0.88)

# Per visible element: its painted background, border colours and, when it holds text, the text
# colour and the nearest painted background behind it. Images paint pixels, not colours: skipped.
PAINTED = """() => {
  const rgba = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const painted = s => { const c = rgba(s); return c.length === 3 || (c.length === 4 && c[3] > 0); };
  const behind = e => { for (; e; e = e.parentElement) { const b = getComputedStyle(e).backgroundColor;
                        if (painted(b)) return b; } return 'rgb(255, 255, 255)'; };
  const describe = e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
                        + ' "' + (e.textContent || '').trim().slice(0, 30) + '"';
  const out = [];
  for (const e of document.body.querySelectorAll('*')) {
    if (e.tagName === 'IMG' || !e.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const r = e.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const s = getComputedStyle(e);
    const item = {what: describe(e), button: !!e.closest('.np-button'), paints: []};
    if (painted(s.backgroundColor)) item.paints.push(['background', s.backgroundColor]);
    for (const side of ['Top', 'Right', 'Bottom', 'Left']) {
      if (parseFloat(s['border' + side + 'Width']) > 0 && !['none', 'hidden'].includes(s['border' + side + 'Style'])
          && painted(s['border' + side + 'Color'])) item.paints.push(['border-' + side.toLowerCase(), s['border' + side + 'Color']]);
    }
    const text = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (text) { item.text = s.color; item.on = behind(e); item.px = parseFloat(s.fontSize);
                item.bold = parseInt(s.fontWeight) >= 600; }
    out.push(item);
  }
  return out;
}"""


def luminance(css: str) -> float:
    """WCAG relative luminance of an ``rgb()``/``rgba()`` value."""
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (float(part) for part in css[css.index("(") + 1:css.index(")")].split(",")[:3])
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(first: str, second: str) -> float:
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def light_leftovers(items: list[dict]) -> list[str]:
    """What a dark-mode reader would see as light paint or unreadable text, one line per element."""
    problems = []
    for item in items:
        for where, colour in item["paints"]:
            # a button's fill and a secondary one's outline are meant to stand out (dark_link): only its
            # label's contrast matters
            stands_out = item["button"] and (where == "background" or where.startswith("border"))
            if luminance(colour) > LIGHT and not stands_out:
                problems.append(f"{item['what']}: light {where} {colour}")
        if "text" in item:
            large = item["px"] >= 24 or (item["bold"] and item["px"] >= 18.66)
            needed = 3.0 if large else 4.5
            if contrast(item["text"], item["on"]) < needed:
                problems.append(f"{item['what']}: text {item['text']} on {item['on']} "
                                f"({contrast(item['text'], item['on']):.2f}:1)")
    return problems


@pytest.fixture(scope="module")
def digest_html(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("digest-dark")
    result = run_newsletter(["build", DIGEST_ISSUE, "--out", str(out)], cwd=DIGEST,
                            env={**os.environ, **clean_env()})
    assert result.returncode == 0, result.stderr
    [html] = Path(out).glob("*/email.html")
    return html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def painted(browser):
    """The painted colours of an email's visible elements in Chromium, in a colour scheme."""
    contexts = []

    def paint(html: str, scheme: str = "dark", width: int = 600) -> list[dict]:
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        contexts.append(context)
        context.route("**/*", lambda route: route.abort())
        page = context.new_page()
        page.set_content(html, wait_until="domcontentloaded", timeout=15_000)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        return page.evaluate(PAINTED)

    yield paint
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", [375, 600])
def test_seed_has_no_light_leftovers_in_dark_mode(painted, seed_dist, width):
    items = painted(seed_dist.read("email.html"), width=width)
    assert len(items) > 50  # the walk saw the email, not an empty page
    assert light_leftovers(items) == []


@pytest.mark.parametrize("width", [375, 640])
def test_digest_has_no_light_leftovers_in_dark_mode(painted, digest_html, width):
    items = painted(digest_html, width=width)
    assert len(items) > 50
    assert light_leftovers(items) == []


def test_the_walk_sees_light_paint_in_light_mode(painted, seed_dist):
    """Guards the two tests above against passing vacuously: in light mode the same walk finds
    the light background stripes and the light surfaces."""
    problems = light_leftovers(painted(seed_dist.read("email.html"), scheme="light"))
    assert any("light border-top rgb(238, 242, 246)" in p for p in problems)  # colors.background
    assert any("light background rgb(255, 255, 255)" in p for p in problems)  # colors.surface


BOTH_BUTTONS = """\
subject: Two buttons
preheader: A bulleted section with a button and a secondary link under it, in dark mode.
date: 2024-06-10
blocks:
  - type: masthead
    title: Two buttons
  - type: bullets
    title: What is new
    items: [One thing, Another thing]
    button: {label: Register for the workshop, url: "https://www.ai4media.eu/register/"}
    link: {label: Read the programme, url: "https://www.ai4media.eu/programme/"}
"""


def test_the_secondary_button_stays_an_outline_in_dark_mode(browser, make_project, run_cli):
    """Light mode fills the primary button and outlines the secondary one; dark mode painted both alike."""
    root = make_project({"issues/2024-06-buttons.yaml": BOTH_BUTTONS})
    result = run_cli("build", "issues/2024-06-buttons.yaml", "--out", "dist", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    html = (root / "dist/2024-06-buttons/email.html").read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 600, "height": 900}, color_scheme="dark")
    try:
        context.route("**/*", lambda route: route.abort())
        page = context.new_page()
        page.set_content(html, wait_until="domcontentloaded", timeout=15_000)
        primary, secondary = page.evaluate("""() => [...document.querySelectorAll('table.np-button td')].map(td => {
            const cell = getComputedStyle(td), label = getComputedStyle(td.querySelector('a'));
            return {fill: cell.backgroundColor, border: cell.borderTopColor, label: label.color}; })""")
        items = page.evaluate(PAINTED)
    finally:
        context.close()
    assert primary["fill"] == "rgb(140, 196, 255)"  # dark_link, as before
    assert secondary["fill"] == "rgb(30, 30, 30)" and secondary["label"] == "rgb(140, 196, 255)"  # the surface
    assert secondary["border"] == "rgb(140, 196, 255)"  # outlined in the label's colour, as in light mode
    for button in (primary, secondary):
        assert contrast(button["label"], button["fill"]) >= 4.5
    assert light_leftovers(items) == []
