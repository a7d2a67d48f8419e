"""The block types and Markdown of issue 13, each in a throwaway project of its own.

One issue (ALL) holds every new block and every Markdown construct; the tests
read its two parts, its check findings and, in Chromium, its layout.
"""

from __future__ import annotations

import re

import lxml.html
import pytest
import yaml
from shared import assert_clean_failure, clean_env

from newsletter_pipeline.blocks import anchors, heading_levels
from newsletter_pipeline.issue.schema import Issue

NAME = "issues/2024-04-all.yaml"
SLUG = "2024-04-all"
SETTINGS = {
    "name": "Harbour Notes", "sender": {"name": "Harbour Notes", "email": "notes@harbour-notes.org"},
    "postal_address": "Harbour Notes, 1 Quay Street, Bristol BS1 4DJ, United Kingdom",
    "brand": {"colors": {"primary": "#7c2d12", "link": "#9a3412"}},
}
LONG_CODE = "result = some_function_with_a_long_name(first_argument, second_argument, third_argument_too)"
ALL = f"""\
subject: Every block and construct
preheader: Every block type and Markdown construct of the newsletter format, in one email.
date: 2024-04-01
blocks:
  - type: masthead
    title: Every block
  - type: toc
  - type: heading
    title: Community news
    intro: What happened this month.
  - type: article
    id: release
    title: Release 2.0
    body: |
      Run `pip install harbour` first, then:

      ```python
      {LONG_CODE}
      ```

      > A quoted line
      > that continues.

      ### A sub-heading

      #### A deeper one

      3. third
      4. fourth

      Line one\\
      line two. See [the feature](#aida).
  - type: heading
    title: Sub things
    level: 2
  - type: quote
    text: Open source is a conversation.
    attribution: Ada, maintainer
    link: https://harbour-notes.org/ada/
  - type: image
    src: https://harbour-notes.org/img/team.jpg
    alt: The team on the quay
    caption: The team at the **spring** meeting.
  - type: image
    src: https://harbour-notes.org/img/inset.jpg
    alt: A small map of the harbour
    width: 300
    href: https://harbour-notes.org/map/
  - type: image
    src: https://harbour-notes.org/img/wave.png
    decorative: true
    width: 200
  - type: feature
    id: aida
    title: Meet the academy
    image: {{src: "https://harbour-notes.org/img/academy.jpg", alt: Students at a lecture, width: 240}}
    body: Courses from **30 universities**.
    image_position: right
    link: {{label: Browse the academy courses, url: "https://harbour-notes.org/academy/"}}
  - type: divider
  - type: spacer
    height: 16
  - type: sponsors
    title: Partners
    sponsors:
      - {{name: Northwind, logo: "https://harbour-notes.org/logos/northwind.png", url: "https://harbour-notes.org/p/northwind/"}}
      - {{name: Kestrel, logo: "https://harbour-notes.org/logos/kestrel.png", url: "https://harbour-notes.org/p/kestrel/"}}
      - {{name: Osprey, logo: "https://harbour-notes.org/logos/osprey.png", url: "https://harbour-notes.org/p/osprey/", width: 160}}
      - {{name: Puffin, logo: "https://harbour-notes.org/logos/puffin.png", url: "https://harbour-notes.org/p/puffin/"}}
"""
UNSUPPORTED = """\
subject: Unsupported Markdown
preheader: A table, raw HTML, a footnote and an image inside text, all readable.
date: 2024-04-01
blocks:
  - type: masthead
    title: Unsupported
  - type: editorial
    body: |
      | tool | speed |
      |------|-------|
      | fast | 2 s   |

      Raw <b>bold</b> and a footnote[^1] and ![a chart](https://harbour-notes.org/chart.png).

      [^1]: The footnote text.
"""


def project(make_project, issue: str = ALL, **settings) -> object:
    return make_project({"newsletter.yaml": yaml.safe_dump({**SETTINGS, **settings}), NAME: issue})


@pytest.fixture
def built(make_project, run_cli):
    """Build ALL with the real CLI (which runs the checks); (html dom, text, stderr)."""
    root = project(make_project)
    result = run_cli("build", NAME, "--out", "out", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    folder = root / "out" / SLUG
    html = (folder / "email.html").read_text(encoding="utf-8")
    return lxml.html.document_fromstring(html.encode("utf-8")), (folder / "email.txt").read_text(encoding="utf-8"), \
        result.stderr


def test_every_block_builds_without_a_finding(built):
    _, _, stderr = built
    assert stderr == ""


# --- Markdown ------------------------------------------------------------------


def test_markdown_constructs_render_in_html(built):
    dom, _, _ = built
    assert [c.text_content() for c in dom.xpath("//p/code")] == ["pip install harbour"]
    [pre] = dom.xpath("//pre")
    assert pre.text_content().strip() == LONG_CODE
    assert "monospace" in pre.get("style") and "pre-wrap" in pre.get("style")
    [quote] = [q for q in dom.xpath("//blockquote") if "np-quote" not in (q.get("class") or "")]
    assert quote.text_content().split() == "A quoted line that continues.".split()
    assert dom.xpath("//h4[.='A sub-heading']") and dom.xpath("//h5[.='A deeper one']")  # below the h3 article
    [ordered] = dom.xpath("//ol")
    assert ordered.get("start") == "3" and [li.text_content() for li in ordered] == ["third", "fourth"]
    assert dom.xpath("//p[starts-with(., 'Line one')]/br")


def test_markdown_constructs_read_well_in_text(built):
    _, text, _ = built
    assert f"\n    {LONG_CODE}\n" in text  # code: indented and never re-wrapped
    assert "\n    A quoted line that continues.\n" in text
    assert "\nA sub-heading\n-------------\n" in text and "\nA deeper one\n------------\n" in text
    assert "\n3. third\n" in text and "\n4. fourth\n" in text
    assert "\nLine one\nline two. See the feature.\n" in text  # an in-email anchor has no URL in text
    for line in text.splitlines():
        assert not re.match(r"\s*(>|#{1,6}\s)", line), line
    assert "`" not in text


@pytest.mark.parametrize("markdown, level, tags", [
    ("### Trzy\n\n##### Pięć\n\n###### Sześć\n\n#### Cztery", 2, ["h3", "h4", "h5", "h4"]),
    ("##### Pięć\n\n### Trzy\n\n#### Cztery", 2, ["h3", "h3", "h4"]),  # the first: one below the block's h2
    ("# Jeden\n\n## Dwa\n\n### Trzy\n\n#### Cztery", 3, ["h4", "h4", "h4", "h5"]),  # what ### and #### mean
    ("### a\n\n#### b\n\n##### c\n\n###### d", 4, ["h5", "h6", "h6", "h6"]),  # never past h6
])
def test_markdown_headings_go_at_most_one_level_down(markdown, level, tags):
    """``#####`` after ``###`` in a body was an h5 after an h3, and the heading-order check failed the build."""
    from newsletter_pipeline.render.markdown import markdown_to_html

    html = markdown_to_html(markdown, level=level)
    assert re.findall(r"<(h\d)>", html) == tags and re.findall(r"</(h\d)>", html) == tags, html


def test_unsupported_markdown_is_readable_and_a_located_warning(make_project, run_cli):
    root = project(make_project, UNSUPPORTED)
    result = run_cli("check", NAME, cwd=root, env=clean_env())
    assert result.returncode == 0, result.stdout + result.stderr  # warnings only
    lines = UNSUPPORTED.splitlines()
    findings = [line for line in (result.stdout + result.stderr).splitlines() if ": markdown: " in line]
    where = [tuple(int(n) for n in re.match(rf"{NAME}:(\d+):(\d+):", f).groups()) for f in findings]
    row = lines.index("      Raw <b>bold</b> and a footnote[^1] and ![a chart](https://harbour-notes.org/chart.png).") + 1
    assert where == [(lines.index("      | tool | speed |") + 1, 7), (row, 11), (row, 18), (row, 37), (row, 46)]
    assert "a table cannot be shown in email" in findings[0] and "write each row as a list item" in findings[0]
    assert "image block" in findings[-1]
    strict = run_cli("check", "--strict", NAME, cwd=root, env=clean_env())
    assert strict.returncode == 1
    build = run_cli("build", NAME, "--out", "out", cwd=root, env=clean_env())
    assert build.returncode == 0, build.stderr
    text = (root / "out" / SLUG / "email.txt").read_text(encoding="utf-8")
    html = (root / "out" / SLUG / "email.html").read_text(encoding="utf-8")
    dom = lxml.html.document_fromstring(html.encode("utf-8"))
    assert "tool · speed" in text and "fast · 2 s" in text
    assert "Raw bold and a footnote[1] and a chart <https://harbour-notes.org/chart.png>." in text
    assert "[1] The footnote text." in text
    assert not dom.xpath("//table//b") and not dom.xpath("//img[contains(@src, 'chart.png')]")
    assert dom.xpath("//a[@href='https://harbour-notes.org/chart.png' and .='a chart']")
    for part in (text, dom.text_content()):
        assert "|---" not in part and "<b>" not in part and "[^1]" not in part and "![" not in part


# --- blocks --------------------------------------------------------------------


def test_block_titles_go_one_level_lower_inside_sections(built):
    dom, text, _ = built
    heads = [(h.tag, h.text_content()) for h in dom.xpath("//h1|//h2|//h3|//h4")]
    assert heads[:4] == [("h1", "Every block"), ("h2", "In this issue"), ("h2", "Community news"),
                         ("h3", "Release 2.0")]
    assert ("h3", "Sub things") in heads and ("h4", "Meet the academy") in heads and ("h4", "Partners") in heads
    assert "\nRelease 2.0\n-----------\n" in text  # a block title inside a section: not in capitals
    assert "=" * 78 + "\nCOMMUNITY NEWS\n==============\n" in text


def test_the_toc_links_to_in_email_anchors_without_an_archive(built):
    dom, text, _ = built
    toc = [(a.text_content(), a.get("href")) for a in dom.xpath("//ul[contains(@class, 'np-toc')]//a")]
    assert toc == [("Community news", "#community-news"), ("Sub things", "#sub-things")]
    assert {a.get("id") for a in dom.xpath("//a[@id]")} == {"community-news", "sub-things", "release", "aida"}
    assert "IN THIS ISSUE\n=============\n\n- Community news\n  - Sub things\n" in text


def test_the_toc_links_to_the_archive_copy_when_there_is_one(make_project, run_cli):
    root = project(make_project, archive_url="https://harbour-notes.org/archive/")
    result = run_cli("build", NAME, "--out", "out", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    html = (root / "out" / SLUG / "email.html").read_text(encoding="utf-8")
    dom = lxml.html.document_fromstring(html.encode("utf-8"))
    hrefs = [a.get("href") for a in dom.xpath("//ul[contains(@class, 'np-toc')]//a")]
    assert hrefs == [f"https://harbour-notes.org/archive/{SLUG}/#community-news",
                     f"https://harbour-notes.org/archive/{SLUG}/#sub-things"]


def test_an_anchor_link_to_a_missing_id_is_a_located_error(make_project, run_cli):
    issue = ALL.replace("[the feature](#aida)", "[the feature](#aidaa)")
    root = project(make_project, issue)
    lines = assert_clean_failure(run_cli("build", NAME, "--out", "out", cwd=root, env=clean_env()), 1)
    row = next(i for i, line in enumerate(issue.splitlines(), 1) if "#aidaa" in line)
    assert len(lines) == 1 and lines[0].startswith(f"{NAME}:{row}:"), lines
    assert "link-href: '#aidaa' points at no block" in lines[0] and "id: aidaa" in lines[0]
    assert not (root / "out").exists()


def test_image_block_full_width_inset_captioned_and_decorative(built):
    dom, text, _ = built
    [team] = dom.xpath("//img[@alt='The team on the quay']")
    [inset] = dom.xpath("//img[@alt='A small map of the harbour']")
    [wave] = dom.xpath("//img[contains(@src, 'wave.png')]")
    assert int(team.get("width")) > int(inset.get("width")) == 300  # full width by default
    assert inset.getparent().get("href") == "https://harbour-notes.org/map/"
    assert wave.get("alt") == ""
    assert dom.xpath("//strong[.='spring']")  # the caption is Markdown
    assert "[Image: The team on the quay]\n\nThe team at the spring meeting.\n" in text
    assert "Image link: https://harbour-notes.org/map/" in text


def test_quote_feature_and_sponsors(built):
    dom, text, _ = built
    [quote] = dom.xpath("//blockquote[contains(@class, 'np-quote')]")
    assert quote.text_content().strip() == "Open source is a conversation."
    assert dom.xpath("//a[@href='https://harbour-notes.org/ada/' and .='Ada, maintainer']")
    assert "    Open source is a conversation.\n\n    — Ada, maintainer\n    https://harbour-notes.org/ada/" in text
    logos = {img.get("alt"): img.getparent().get("href") for img in dom.xpath("//img[contains(@src, '/logos/')]")}
    assert logos == {n: f"https://harbour-notes.org/p/{n.lower()}/" for n in ("Northwind", "Kestrel", "Osprey", "Puffin")}
    assert "- Osprey: https://harbour-notes.org/p/osprey/" in text
    assert "Meet the academy\n----------------\n\n[Image: Students at a lecture]\n\nCourses from 30 universities." in text


@pytest.mark.parametrize("written, meant", [("photo", "image"), ("blockquote", "quote"), ("pull-quote", "quote"),
                                            ("partners", "sponsors"), ("contents", "toc"), ("hr", "divider"),
                                            ("section", "heading")])
def test_synonyms_of_the_new_types(make_project, run_cli, written, meant):
    issue = ALL.replace("  - type: divider\n", f"  - type: {written}\n")
    root = project(make_project, issue)
    [line] = assert_clean_failure(run_cli("build", NAME, "--out", "out", cwd=root, env=clean_env()), 1)
    assert line.endswith(f"unknown block type '{written}' (did you mean '{meant}'?)"), line


def test_heading_levels_and_anchors_follow_sections():
    issue = Issue.model_validate({"subject": "s", "date": "2024-01-01", "blocks": [
        {"type": "toc"}, {"type": "cta", "button": {"label": "a", "url": "https://a.org/"}},
        {"type": "heading", "title": "News"}, {"type": "heading", "title": "News", "level": 2},
        {"type": "article", "title": "A", "body": "b"}, {"type": "heading", "title": "Other", "id": "news-2"},
        {"type": "article", "title": "B", "body": "b"}]})
    assert heading_levels(issue.blocks) == [2, 2, 2, 3, 4, 2, 3]
    assert anchors(issue.blocks) == [None, None, "news", "news-3", None, "news-2", None]  # never the same twice


def test_a_block_id_with_spaces_is_a_located_error_in_plain_words(make_project, run_cli):
    issue = ALL.replace("    id: aida\n", "    id: the academy\n")
    root = project(make_project, issue)
    [line] = assert_clean_failure(run_cli("build", NAME, "--out", "out", cwd=root, env=clean_env()), 1)
    row = issue.splitlines().index("    id: the academy") + 1
    assert line.startswith(f"{NAME}:{row}:9: error: blocks[")
    assert "invalid id 'the academy' (use letters, digits, - and _, starting with a letter, no spaces" in line


def test_an_image_block_without_alt_is_a_located_error(make_project, run_cli):
    issue = ALL.replace("    alt: The team on the quay\n", "")
    root = project(make_project, issue)
    [line] = assert_clean_failure(run_cli("build", NAME, "--out", "out", cwd=root, env=clean_env()), 1)
    assert ".alt: required (describe the image for screen readers, or set decorative: true)" in line
    assert line.startswith(f"{NAME}:")


def test_two_blocks_with_the_same_id_is_a_located_error(make_project, run_cli):
    issue = ALL.replace("  - type: divider\n", "  - type: divider\n    id: aida\n", 1)
    assert issue != ALL
    root = project(make_project, issue)
    [line] = assert_clean_failure(run_cli("build", NAME, "--out", "out", cwd=root, env=clean_env()), 1)
    rows = [i for i, text in enumerate(issue.splitlines(), 1) if text.strip() == "id: aida"]
    assert len(rows) == 2
    assert line.startswith(f"{NAME}:{rows[1]}:9: error: blocks["), (line, rows)  # at the second one
    assert "the id 'aida' is already the id of block" in line and "rename one of them" in line
