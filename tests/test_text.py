"""The plain-text part: structure, every URL written out, the footer, 78 columns."""

from __future__ import annotations

import re
from typing import Any

import pytest

from newsletter_pipeline.issue.records import ArticleBlock, BulletsBlock, EditorialBlock
from newsletter_pipeline.models import UNSUBSCRIBE_PLACEHOLDER
from newsletter_pipeline.render import build_issue
from newsletter_pipeline.render.links import add_utm
from newsletter_pipeline.render.text import WIDTH

MD_LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.fixture(scope="module")
def text(seed_dist) -> str:
    return seed_dist.read("email.txt")


def link_urls(value: Any) -> list[str]:
    """Every link target in a model dump: ``url``/``href`` fields and Markdown links."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("url", "href") and isinstance(item, str):
                found.append(item)
            else:
                found += link_urls(item)
    elif isinstance(value, list):
        for item in value:
            found += link_urls(item)
    elif isinstance(value, str):
        found += MD_LINK.findall(value)
    return found


def test_lines_fit_78_columns_unless_they_hold_one_long_url(text):
    assert WIDTH == 78
    long_lines = [line for line in text.splitlines() if len(line) > WIDTH]
    assert long_lines, "the seed has URLs over 78 characters; they must stay whole"
    for line in long_lines:
        assert re.fullmatch(r"\s*<?(https?://|mailto:)\S+>?[.,;]?", line), line


def test_every_link_url_is_written_out_unbroken(seed_build, text):
    loaded, _ = seed_build
    urls = link_urls(loaded.issue.model_dump()) + link_urls(loaded.settings.model_dump(exclude={"brand"}))
    assert len(urls) >= 20
    urls = [add_utm(u, loaded.settings.utm, loaded.slug) for u in urls]  # tagged as in the HTML part
    words = set(re.findall(r"\S+", text.replace("<", " ").replace(">", " ")))
    assert [u for u in urls if u not in words] == []


def underlined_headings(text: str) -> dict[str, int]:
    """Heading text (wrapped lines joined) -> length of its '=' underline."""
    lines, found = text.splitlines(), {}
    for i, line in enumerate(lines):
        if line and set(line) == {"="}:
            first = i
            while first > 0 and lines[first - 1]:
                first -= 1
            found[" ".join(lines[first:i])] = len(line)
    return found


def test_headings_are_uppercased_and_underlined(seed_build, text):
    loaded, _ = seed_build
    titles = [b.title for b in loaded.issue.blocks
              if isinstance(b, (EditorialBlock, ArticleBlock, BulletsBlock)) and b.title]
    assert len(titles) >= 8
    headings = underlined_headings(text)
    for title in titles:
        assert title.upper() in headings, title
        underline = headings[title.upper()]
        if len(title) <= WIDTH:
            assert underline == len(title), title
        else:  # wrapped: as long as its longest line
            assert WIDTH - 20 < underline <= WIDTH, title


def test_bullets_are_dashes_with_a_hanging_indent(seed_build, text):
    loaded, _ = seed_build
    bullets = next(b for b in loaded.issue.blocks if isinstance(b, BulletsBlock))
    lines = text.splitlines()
    for item in bullets.items:
        first_words = " ".join(item.split()[:5])
        start = next(i for i, line in enumerate(lines) if line.startswith("- " + first_words))
        following = lines[start + 1: start + 4]
        for line in following:
            if not line:
                break
            assert line.startswith("  ") and not line.startswith("   "), line


def test_footer_has_unsubscribe_and_postal_address(seed_build, text):
    loaded, _ = seed_build
    footer = text.split("Follow us\n---------\n", 1)[1]
    assert f"Unsubscribe: {UNSUBSCRIBE_PLACEHOLDER}" in footer.splitlines()
    assert " ".join(footer.split()).count(loaded.settings.postal_address) == 1
    assert f"Contact: {loaded.settings.contact_email}" in footer


def test_sections_are_separated_by_rules(seed_build, text):
    loaded, _ = seed_build
    assert text.count("\n" + "-" * WIDTH + "\n") == len(loaded.issue.blocks) - 1
    assert text.endswith("\n") and not text.endswith("\n\n")


ISSUE = "issues/2021-12-text.yaml"
TEXT_ISSUE = """\
subject: Text
date: 2021-12-15
blocks:
  - type: editorial
    body: |-
      36 European organisations have already joined our network and have become associate members of the project.

      1. First numbered point, long enough that it has to wrap onto a second line of the text part.
      2. Second point.

      Read [the report](https://www.ai4media.eu/report/) today.
  - type: cta
    button:
      label: Go
      url: https://www.ai4media.eu/very/long/path/that/goes/on/and/on/past/the/seventy-eight/column/limit/
"""


@pytest.fixture
def small(make_project, monkeypatch) -> str:
    root = make_project({ISSUE: TEXT_ISSUE})
    monkeypatch.chdir(root)
    return build_issue(ISSUE)[1].text


def test_a_paragraph_starting_with_a_number_is_not_a_list_item(small):
    lines = small.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("36 European"))
    assert lines[start + 1] and not lines[start + 1].startswith(" "), lines[start: start + 2]


def test_numbered_items_hang_under_their_text(small):
    lines = small.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("1. First numbered point"))
    assert lines[start + 1].startswith("   ") and lines[start + 1].strip()
    assert "2. Second point." in lines


def test_markdown_links_are_written_out_with_the_html_parts_utm(small):
    assert ("Read the report <https://www.ai4media.eu/report/?utm_source=newsletter&utm_medium=email"
            "&utm_campaign=2021-12-text> today.") in " ".join(small.split())


def test_a_long_url_stands_alone_on_its_line(small):
    url = ("https://www.ai4media.eu/very/long/path/that/goes/on/and/on/past/the/seventy-eight/column/limit/"
           "?utm_source=newsletter&utm_medium=email&utm_campaign=2021-12-text")
    lines = small.splitlines()
    assert url in lines and "Go:" in lines
    # a longer line is one URL, whole (the tagged Markdown link too: "<https://...>")
    assert all(len(line) <= WIDTH or re.fullmatch(r"<?https://\S+>?\.?", line) for line in lines), lines


def test_the_footer_invites_to_follow_only_when_there_is_something_to_follow(make_project):
    """Without social links the footer has no "Follow us" heading (a new project has none), in both parts."""
    from shared import FIXTURE_CONFIG, HELLO_ISSUE

    root = make_project({"issues/2021-12-hello.yaml": HELLO_ISSUE})
    _, followed = build_issue(root / "issues" / "2021-12-hello.yaml")
    assert "Follow us\n---------" in followed.text and ">Follow us</h2>" in followed.html
    config = FIXTURE_CONFIG.read_text(encoding="utf-8")
    without = re.sub(r"^social:\n(?:  .*\n)+", "", config, flags=re.MULTILINE)
    assert without != config
    (root / "newsletter.yaml").write_text(without, encoding="utf-8")
    _, alone = build_issue(root / "issues" / "2021-12-hello.yaml")
    assert "Follow us" not in alone.text and "Follow us" not in alone.html and "<h2></h2>" not in alone.html
    assert UNSUBSCRIBE_PLACEHOLDER in alone.text  # the rest of the footer is there


FOOTER_PARTS = ("social", "contact_email", "website", "funding", "footer text")


@pytest.mark.parametrize("kept", [set(), {"social"}, {"contact_email"}, {"footer text"}, {"funding"},
                                  {"footer text", "funding"}, {"website", "funding"}, set(FOOTER_PARTS)],
                         ids=lambda kept: "+".join(sorted(kept)) or "nothing")
def test_the_footer_has_one_blank_line_between_its_parts_whatever_it_holds(make_project, kept):
    """A footer without social links, contact or website began with a second blank line after the rule."""
    import yaml
    from shared import FIXTURE_CONFIG

    config = yaml.safe_load(FIXTURE_CONFIG.read_text(encoding="utf-8"))
    for key in ("social", "contact_email", "website"):
        if key not in kept:
            config.pop(key, None)
    if "funding" in kept:
        config["funding"] = {"text": "Funded by the European Union."}
    from shared import HELLO_ISSUE

    footer = "  - type: footer\n    text: Write to us any time.\n" if "footer text" in kept else ""
    root = make_project({"issues/2021-12-hello.yaml": HELLO_ISSUE + footer})
    (root / "newsletter.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    text = build_issue(root / "issues" / "2021-12-hello.yaml")[1].text
    assert "\n\n\n" not in text, text
    assert UNSUBSCRIBE_PLACEHOLDER in text
    footer_part = text.rsplit("-" * WIDTH + "\n\n", 1)[1]
    assert footer_part[0].strip(), footer_part  # the footer's first line holds text
    for expected in (["Funded by the European Union."] if "funding" in kept else []) + (
            ["Write to us any time."] if "footer text" in kept else []):
        assert expected in footer_part


def tag(url: str) -> str:
    return f"{url}?utm_source=newsletter" if url.startswith("https:") else url


@pytest.mark.parametrize("markdown, expected", [
    ("<https://www.ai4media.eu/autolink> i <kontakt@ai4media.eu>",
     "<https://www.ai4media.eu/autolink?utm_source=newsletter> i <kontakt@ai4media.eu>"),
    ("[kontakt@ai4media.eu](mailto:kontakt@ai4media.eu) or [https://www.ai4media.eu/](https://www.ai4media.eu/)",
     "<kontakt@ai4media.eu> or <https://www.ai4media.eu/?utm_source=newsletter>"),
    ("<https://bücher.de/zażółć>", "<https://xn--bcher-kva.de/za%C5%BC%C3%B3%C5%82%C4%87?utm_source=newsletter>"),
    ("[the report](https://www.ai4media.eu/) and [write to us](mailto:kontakt@ai4media.eu)",  # text of its own: both
     "the report <https://www.ai4media.eu/?utm_source=newsletter> and write to us <kontakt@ai4media.eu>"),
])
def test_a_link_whose_text_is_its_address_writes_the_address_once(markdown, expected):
    """An autolink came out as ``https://x.org/a <https://x.org/a>``, its address twice."""
    from newsletter_pipeline.render.markdown import markdown_to_text

    assert markdown_to_text(markdown, tag) == [expected]


def test_an_autolink_in_the_text_part_has_the_html_parts_utm_once(make_project, monkeypatch):
    issue = TEXT_ISSUE.replace("Read [the report]", "Write to <kontakt@ai4media.eu> or see <https://www.ai4media.eu/a/>.\n\n"
                                                    "      Read [the report]")
    monkeypatch.chdir(make_project({ISSUE: issue}))
    text = " ".join(build_issue(ISSUE)[1].text.split())
    assert ("Write to <kontakt@ai4media.eu> or see <https://www.ai4media.eu/a/?utm_source=newsletter&utm_medium=email"
            "&utm_campaign=2021-12-text>.") in text


def test_a_rule_and_a_strikethrough_stay_visible_in_the_text_part():
    """The README says both work in both parts; the text part dropped them ("~~€50~~ €40" read "€50 €40")."""
    from newsletter_pipeline.render.markdown import TEXT_RULE, markdown_to_text, markdown_to_html

    assert markdown_to_text("Now ~~€50~~ €40.\n\n---\n\nAfter the rule.") == [
        "Now ~~€50~~ €40.", TEXT_RULE, "After the rule."]
    assert TEXT_RULE.strip() and set(TEXT_RULE) != {"-"}  # not the rule that separates blocks
    assert "<s>€50</s>" in markdown_to_html("Now ~~€50~~ €40.") and "<hr" in markdown_to_html("a\n\n---\n\nb")


def test_a_list_marker_is_never_alone_on_its_line():
    """A link title longer than a line (a URL) left "-" on a line of its own above it."""
    from newsletter_pipeline.render.text import wrap_lines

    title = "https://www.example-long-domain-name-for-testing.eu/" + "segment/" * 6 + "anywhere"
    assert wrap_lines("- " + title, hanging="  ") == ["- " + title]
    assert wrap_lines("12. " + title + " and more words", hanging="    ") == ["12. " + title, "    and more words"]


def test_code_reads_left_to_right_in_a_right_to_left_email():
    from newsletter_pipeline.render.markdown import markdown_to_html

    html = markdown_to_html("Run `print(\"hi\")` here.\n\n```python\nprint(\"hello\")  # كود\n```")
    assert '<code dir="ltr">print("hi")</code>' in html.replace("&quot;", '"')
    assert '<pre dir="ltr"><code>print' in html


@pytest.mark.parametrize("sign", ["?", "!", ":", ";", "»"])
def test_no_line_of_the_text_part_starts_with_a_closing_sign(sign):
    """French writes "vraiment ?": wrapped at that space, the next line started with "?" (UAX #14 says never)."""
    from newsletter_pipeline.render.text import WIDTH, wrap_lines

    words = "Les nouvelles du mois de décembre sont arrivées et elles sont très bonnes, vraiment"
    words = words[: WIDTH - len("vraiment") - 1].rsplit(" ", 1)[0]
    words = words + " " + "x" * (WIDTH - len(words) - 1)  # the line is full just before the sign
    assert len(words) == WIDTH
    lines = wrap_lines(f"{words} {sign} Oui, la suite est là.")
    assert not any(line.lstrip().startswith(sign) for line in lines), lines
    assert " ".join(" ".join(lines).split()) == f"{words} {sign} Oui, la suite est là."
