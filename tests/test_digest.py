"""A second newsletter of another kind and brand: a software community's monthly digest.

The seed is a research project's newsletter; this fixture project
(tests/projects/digest/) is a software community's digest with sections, a
table of contents into the web archive, code, a quote, an image, a feature,
sponsors, many links and four social networks without MJML icons of their own.
It builds, passes ``check --strict``, matches its golden files, and no Markdown
syntax reaches either part of it or of the seed.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import lxml.html
import pytest
from shared import REPO, clean_env, run_newsletter

PROJECT = REPO / "tests" / "projects" / "digest"
ISSUE = "issues/2024-05-tidewater-3-0.yaml"
SLUG = "2024-05-tidewater-3-0"
GOLDEN = REPO / "tests" / "golden" / SLUG
PARTS = ("email.html", "email.txt", "email.mjml")
ARCHIVE = "https://news.tidewater-ssg.org/2024-05-tidewater-3-0/"
# what Markdown looks like when it is printed instead of rendered
RAW_MARKDOWN = re.compile(r"`|^\s*>|^\s*#{1,6}\s|\*\*|\]\(|!\[|\[\^", re.MULTILINE)


def cli(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    return run_newsletter(list(args), cwd=cwd, env={**os.environ, **clean_env()})


@pytest.fixture(scope="module")
def digest(tmp_path_factory) -> Path:
    """The digest built by the real CLI; the folder of its three files."""
    out = tmp_path_factory.mktemp("digest")
    result = cli("build", ISSUE, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return out / SLUG


def read(folder: Path, name: str) -> str:
    return (folder / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", PARTS)
def test_digest_matches_its_golden_file(digest, update_golden, name):
    """Update deliberately with ``pytest --update-golden`` and review the diff before committing."""
    golden = GOLDEN / name
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(read(digest, name), encoding="utf-8", newline="")
    assert golden.is_file(), f"missing {golden}: run pytest --update-golden"
    assert read(digest, name) == golden.read_text(encoding="utf-8"), f"{name} changed: review, then --update-golden"


def test_digest_passes_check_strict():
    result = cli("check", "--strict", ISSUE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stdout + result.stderr


def test_digest_uses_every_new_block_type():
    text = (PROJECT / ISSUE).read_text(encoding="utf-8")
    used = set(re.findall(r"^  - type: (\w+)$", text, re.MULTILINE))
    assert {"heading", "quote", "image", "feature", "sponsors", "toc", "divider", "spacer"} <= used


def visible_text(html: str) -> str:
    dom = lxml.html.document_fromstring(html.encode("utf-8"))
    for hidden in dom.xpath("//style|//script|//head"):
        hidden.drop_tree()
    return "\n".join(line.strip() for line in dom.text_content().splitlines())


@pytest.mark.parametrize("which", ["digest", "seed"])
def test_no_markdown_syntax_reaches_either_part(request, which):
    folder = request.getfixturevalue("digest") if which == "digest" else request.getfixturevalue("seed_dist").folder
    for part, text in (("text", read(folder, "email.txt")), ("html", visible_text(read(folder, "email.html")))):
        raw = [m.group(0) for m in RAW_MARKDOWN.finditer(text)]
        assert raw == [], f"{which} {part} part shows Markdown syntax: {raw}"


def test_digest_html_has_the_markdown_constructs(digest):
    dom = lxml.html.document_fromstring(read(digest, "email.html").encode("utf-8"))
    assert [c.text_content() for c in dom.xpath("//p/code")][:2] == ["pip install --upgrade tidewater", "tidewater doctor"]
    [pre] = dom.xpath("//pre")
    assert 'extends = "tidewater-base"' in pre.text_content()
    assert "pre-wrap" in pre.get("style")  # long lines wrap instead of scrolling sideways
    assert [li.text_content() for li in dom.xpath("//ol/li")][0].startswith("Move the template list")
    subheadings = [h.text_content() for h in dom.xpath("//h4")][:2]  # ### inside an h3 block (in a section)
    assert subheadings == ["What changes for theme authors", "What stays the same"]
    assert dom.xpath("//p[contains(., 'nothing to do.')]/br")  # the hard line break


def test_digest_sections_set_the_heading_levels(digest):
    dom = lxml.html.document_fromstring(read(digest, "email.html").encode("utf-8"))
    levels = [(h.tag, h.text_content()) for h in dom.xpath("//h1|//h2|//h3|//h4")
              if not h.text_content().startswith("What ")]  # the article's own ### sub-headings
    assert levels[:6] == [("h1", "Tidewater Monthly, May 2024"), ("h2", "In this issue"), ("h2", "Releases"),
                          ("h3", "Tidewater 3.0: incremental builds"), ("h3", "Migrating a theme to the new API"),
                          ("h2", "Community")]
    assert ("h3", "Links from the community") in levels and ("h4", "Tutorials") in levels


def test_the_toc_links_into_the_web_archive(digest):
    dom = lxml.html.document_fromstring(read(digest, "email.html").encode("utf-8"))
    toc = [(a.text_content(), a.get("href")) for a in dom.xpath("//ul[contains(@class, 'np-toc')]//a")]
    assert toc == [("Releases", ARCHIVE + "#releases"), ("Community", ARCHIVE + "#community"),
                   ("Links from the community", ARCHIVE + "#links-from-the-community")]
    anchors = {a.get("id") for a in dom.xpath("//a[@id]")}
    assert {"releases", "community", "links-from-the-community", "release-3"} <= anchors
    text = read(digest, "email.txt")
    assert "- Links from the community\n    " + ARCHIVE + "#links-from-the-community" in text


def test_digest_text_part_reads_well(digest):
    text = read(digest, "email.txt")
    assert "\n    [theme]\n    name = \"harbour\"\n" in text  # code: indented, kept line by line
    assert "\n    I moved forty client sites to 3.0 in an afternoon." in text  # the quote, indented
    assert "\n    — Marta Kowalska, web agency owner, on the forum\n" in text
    assert "\n1. Move the template list from theme.ini to theme.toml.\n" in text
    assert "Your templates, filters and assets: nothing to do.\nQuestions go to the forum" in text
    assert "[Image: Twenty people around a long table" in text
    # tagged as in the HTML part (utm.domains: the project's own host only); a long URL gets its own line
    assert ("- Northwind Hosting:\n  https://tidewater-ssg.org/sponsors/northwind/?utm_source=monthly&utm_medium=email"
            "&utm_campaign=2024-05-tidewater-3-0\n") in text
    assert "Mastodon: https://fosstodon.org/@tidewater" in text
