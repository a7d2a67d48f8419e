"""Left to right and right to left as Chromium lays them out: the table of contents' indents, the
feature's sides and margins, and names isolated from the words around them.

Each issue is built with the real CLI in a throwaway project (the fixture project's settings, whose
footer has the social label ``@ai4mediaproject``); every request the page makes is aborted.
"""

from __future__ import annotations

import os
import shutil

import pytest
from shared import FIXTURE_CONFIG, clean_env, email_pages, run_newsletter

pytestmark = pytest.mark.browser

MARGIN = 32  # every block's text and images keep 32 px from the email's sides, on phones too


def features(language: str) -> str:
    """Three features (the default side, then left and right given) between two headings and a toc."""
    return f"""\
subject: Sides
preheader: A table of contents with a sub-entry, and a feature with its picture on each side.
date: 2024-06-10
language: {language}
blocks:
  - type: masthead
    title: Sides
  - type: toc
    title: Contents
  - type: heading
    title: First part
  - type: heading
    title: A sub-part
    level: 2
  - type: feature
    title: Default side
    image: {{src: "https://www.ai4media.eu/a.jpg", alt: default picture, width: 240}}
    body: The picture sits where lines start.
  - type: feature
    title: Left side
    image_position: left
    image: {{src: "https://www.ai4media.eu/b.jpg", alt: left picture, width: 240}}
    body: The picture sits on the left.
  - type: feature
    title: Right side
    image_position: right
    image: {{src: "https://www.ai4media.eu/c.jpg", alt: right picture, width: 240}}
    body: The picture sits on the right.
"""


MIXED = """\
subject: Mixed scripts
preheader: Names in Arabic and Japanese among English words, with their places.
date: 2024-06-10
language: en
blocks:
  - type: masthead
    title: Mixed scripts
  - type: article
    title: A paper by three
    authors:
      - {name: John Smith, affiliation: MIT}
      - {name: محمد عبد الله, affiliation: جامعة القاهرة 2024}
      - {name: 山田太郎}
    body: Three authors, two scripts.
"""
ISSUES = {"en": features("en"), "ar": features("ar"), "mixed": MIXED}


@pytest.fixture(scope="module")
def emails(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("direction-project")
    (root / "issues").mkdir()
    shutil.copy(FIXTURE_CONFIG, root / "newsletter.yaml")
    built = {}
    for name, text in ISSUES.items():
        (root / "issues" / f"2024-06-{name}.yaml").write_text(text, encoding="utf-8")
        out = tmp_path_factory.mktemp(f"{name}-out")
        result = run_newsletter(["build", f"issues/2024-06-{name}.yaml", "--out", str(out)], cwd=root,
                                env={**os.environ, **clean_env()})
        assert result.returncode == 0, result.stderr
        built[name] = next(out.glob("*/email.html")).read_text(encoding="utf-8")
    return built


@pytest.fixture(scope="module")
def open_email(browser, emails):
    with email_pages(browser, emails) as open_at:
        yield open_at


@pytest.mark.parametrize("language, start", [("en", "left"), ("ar", "right")])
def test_a_toc_sub_entry_is_indented_from_the_side_lines_start(open_email, language, start):
    """In right-to-left text the bullets sit on the right: a sub-entry's moves 20 px in from there."""
    page = open_email(language)
    first, sub = page.evaluate("""() => [...document.querySelectorAll('ul.np-toc li')].map(li => {
        const r = li.getBoundingClientRect(); return {left: r.left, right: r.right}; })""")
    if start == "left":
        assert sub["left"] - first["left"] == 20
    else:
        assert first["right"] - sub["right"] == 20


def feature_boxes(page) -> dict[str, dict[str, dict[str, float]]]:
    """Each feature's picture (its cell: the picture itself is not loaded) and heading boxes, by the heading's text."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('div.np-feature')].map(f => {
        const box = e => { const r = e.getBoundingClientRect();
                           return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
        return [f.querySelector('h2, h3, h4, h5').textContent, {image: box(f.querySelector('img').closest('td')),
                                                    text: box(f.querySelector('h2, h3, h4, h5'))}]; }))""")


@pytest.mark.parametrize("language, default", [("en", "left"), ("ar", "right")])
def test_image_position_names_the_same_side_in_both_directions(open_email, language, default):
    """``left`` and ``right`` are the sides the reader sees; unset, the picture comes first: where lines start."""
    boxes = feature_boxes(open_email(language, 600))
    for title, side in (("Default side", default), ("Left side", "left"), ("Right side", "right")):
        image, text = boxes[title]["image"], boxes[title]["text"]
        if side == "left":
            assert image["right"] <= text["left"], title
        else:
            assert text["right"] <= image["left"], title


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_feature_keeps_the_32px_margins_at_600(open_email, language):
    """The picture 184 px wide (its column's box) and the text each 32 px from their side of the email."""
    for title, boxes in feature_boxes(open_email(language, 600)).items():
        image, text = boxes["image"], boxes["text"]
        outer = (image["left"], 600 - text["right"]) if image["left"] < text["left"] else \
            (text["left"], 600 - image["right"])
        assert outer == (MARGIN, MARGIN), title
        assert image["right"] - image["left"] == 184, title


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_stacked_feature_keeps_the_32px_margins_on_phones(open_email, language):
    """On a phone the picture sits above the text, which starts and ends 32 px from the sides as all text does."""
    for title, boxes in feature_boxes(open_email(language, 375)).items():
        image, text = boxes["image"], boxes["text"]
        assert image["bottom"] <= text["top"] + 1, title
        assert (text["left"], 375 - text["right"]) == (MARGIN, MARGIN), title
        assert image["left"] - MARGIN == pytest.approx(375 - MARGIN - image["right"], abs=0.5), title  # centred


# The x of every character of a piece of text in an element, in logical order (the order it is written).
CHARACTERS = """([selector, needle]) => {
  const element = [...document.querySelectorAll(selector)].find(e => e.textContent.includes(needle));
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const chars = [];
  for (let node; (node = walker.nextNode());) for (let i = 0; i < node.length; i++) chars.push([node, i]);
  const at = element.textContent.indexOf(needle);
  return chars.slice(at, at + needle.length).map(([node, i]) => {
    const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
    const r = range.getBoundingClientRect(); return {left: r.left, right: r.right};
  });
}"""


def test_an_arabic_name_and_place_keep_their_parentheses_in_an_english_line(open_email):
    """``محمد عبد الله (جامعة القاهرة 2024)``: the brackets around the place, the year inside them."""
    page = open_email("mixed")
    place = "جامعة القاهرة 2024"
    chars = page.evaluate(CHARACTERS, ["p.np-meta", f"({place})"])
    opening, inside, closing = chars[0], chars[1:-1], chars[-1]
    assert opening["right"] <= min(c["left"] for c in inside) + 0.5  # ( on the left of the place...
    assert closing["left"] >= max(c["right"] for c in inside) - 0.5  # ...and ) on its right
    name = page.evaluate(CHARACTERS, ["p.np-meta", "محمد عبد الله"])
    assert max(c["right"] for c in name) <= opening["left"] + 0.5  # the name before the brackets
    japanese = page.evaluate(CHARACTERS, ["p.np-meta", "山田太郎"])
    assert japanese[0]["left"] >= closing["right"]  # and the next author after them


def test_a_latin_social_label_reads_left_to_right_in_an_arabic_footer(open_email):
    """``@ai4mediaproject``, not ``ai4mediaproject@``: the label takes the direction of its own letters."""
    chars = open_email("ar").evaluate(CHARACTERS, ["div.np-footer a", "@ai4mediaproject"])
    assert [c["left"] for c in chars] == sorted(c["left"] for c in chars)
