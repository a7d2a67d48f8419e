"""The new blocks and Markdown in real (headless) Chromium: phone and desktop widths, light and dark.

Two emails: test_block_types.ALL (every block and construct, a long code
line among them) and the digest fixture project. Every request the page makes
(remote images) is aborted; the layout must hold without them.
"""

from __future__ import annotations

import os

import pytest
import yaml
from shared import REPO, clean_env, email_pages, run_newsletter
from test_block_types import ALL, NAME, SETTINGS

pytestmark = pytest.mark.browser

WIDTHS = (320, 375, 600)
DIGEST = REPO / "tests" / "projects" / "digest"


def build(project, issue: str, out) -> str:
    result = run_newsletter(["build", issue, "--out", str(out)], cwd=project,
                            env={**os.environ, **clean_env()})
    assert result.returncode == 0, result.stderr
    return next(out.glob("*/email.html")).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def emails(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("blocks-project")
    (root / "issues").mkdir()
    (root / "newsletter.yaml").write_text(yaml.safe_dump(SETTINGS), encoding="utf-8")
    (root / NAME).write_text(ALL, encoding="utf-8")
    return {"all": build(root, NAME, tmp_path_factory.mktemp("all-out")),
            "digest": build(DIGEST, "issues/2024-05-tidewater-3-0.yaml", tmp_path_factory.mktemp("digest-out"))}


@pytest.fixture(scope="module")
def open_email(browser, emails):
    with email_pages(browser, emails) as open_at:
        yield open_at


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["all", "digest"])
def test_no_horizontal_scrolling(open_email, name, width, scheme):
    page = open_email(name, width, scheme)
    inner, scroll = page.evaluate("[window.innerWidth, document.scrollingElement.scrollWidth]")
    assert inner == width
    assert scroll <= inner, f"{scroll}px of content in a {inner}px viewport"
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll('pre, blockquote, img, table')]
        .map(e => e.getBoundingClientRect().right))""")
    assert widest <= width + 0.5  # the long code line wraps; no element pokes out
    dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert dark == (scheme == "dark")


def test_dark_mode_recolours_code_and_headings(open_email):
    page = open_email("all", 375, "dark")
    code_bg, h4 = page.evaluate("""() => [getComputedStyle(document.querySelector('pre')).backgroundColor,
                                          getComputedStyle(document.querySelector('h4')).color]""")
    assert code_bg == "rgb(18, 18, 18)" and h4 == "rgb(232, 232, 232)"  # dark_background, dark_text


def box(page, selector: str) -> dict[str, float]:
    return page.evaluate(f"""() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();
        return {{top: r.top, bottom: r.bottom, left: r.left, right: r.right}}; }}""")


def test_feature_sits_beside_its_image_at_600_and_stacks_on_phones(open_email):
    wide = open_email("all", 600)
    image = box(wide, "img[alt='Students at a lecture']")
    heading = wide.evaluate("""() => { const h = [...document.querySelectorAll('h4')].find(e => e.textContent === 'Meet the academy');
        const r = h.getBoundingClientRect(); return {top: r.top, left: r.left, right: r.right}; }""")
    assert heading["right"] <= image["left"] + 1  # image_position: right
    narrow = open_email("all", 320)
    image = box(narrow, "img[alt='Students at a lecture']")
    heading = narrow.evaluate("""() => { const h = [...document.querySelectorAll('h4')].find(e => e.textContent === 'Meet the academy');
        return h.getBoundingClientRect().top; }""")
    assert image["bottom"] <= heading + 1  # stacked, image first


def test_sponsor_logos_wrap_on_phones(open_email):
    def rows(page) -> int:
        tops = page.evaluate("() => [...document.querySelectorAll(\"img[src*='/logos/']\")].map(i => Math.round(i.getBoundingClientRect().top))")
        return len(set(tops))

    assert rows(open_email("all", 320)) > rows(open_email("all", 600))  # 4 logos: 2 rows at 600, more at 320
