"""The rendered seed issue: golden files, the HTML's promises, and the content of both parts."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from shared import REPO, SEED_SLUG

from newsletter_pipeline.issue.records import (ArticleBlock, BulletsBlock, CtaBlock, EditorialBlock, FooterBlock,
                                              Issue, LinkListBlock, MastheadBlock, PastEventsBlock, Settings,
                                              UpcomingEventsBlock, Utm)
from newsletter_pipeline.models import GMAIL_CLIP_BYTES, UNSUBSCRIBE_PLACEHOLDER
from newsletter_pipeline.render import build_issue
from newsletter_pipeline.render.dates import format_date, format_month, format_range
from newsletter_pipeline.render.links import add_utm


GOLDEN = REPO / "tests" / "golden" / SEED_SLUG
PARTS = ("email.html", "email.txt", "email.mjml")


# --- golden files ----------------------------------------------------------


@pytest.mark.parametrize("name", PARTS)
def test_seed_matches_its_golden_file(seed_dist, update_golden, name):
    """Update deliberately with ``pytest --update-golden`` and review the diff before committing."""
    built = seed_dist.read(name)
    golden = GOLDEN / name
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(built, encoding="utf-8", newline="")
    assert golden.is_file(), f"missing {golden}: run pytest --update-golden"
    assert built == golden.read_text(encoding="utf-8"), f"{name} changed: review, then pytest --update-golden"


def test_in_process_build_equals_the_cli_build(seed_build, seed_dist):
    _, rendered = seed_build
    assert rendered.html == seed_dist.read("email.html")
    assert rendered.text == seed_dist.read("email.txt")
    assert rendered.mjml == seed_dist.read("email.mjml")
    assert set(rendered.timings) == {"load", "media", "jinja", "mjml", "inline", "text"}


# --- what email.html must show ---------------------------------------------


@pytest.fixture(scope="module")
def html(seed_dist) -> str:
    return seed_dist.read("email.html")


@pytest.fixture(scope="module")
def dom(html):
    return lxml.html.document_fromstring(html.encode("utf-8"))


def test_starts_with_doctype(html):
    assert html.startswith("<!doctype html>\n")


def test_under_gmail_clipping(html):
    assert len(html.encode("utf-8")) < GMAIL_CLIP_BYTES


def test_html_lang_dir_and_title(dom, seed_build):
    loaded, _ = seed_build
    root = dom.getroottree().getroot()
    assert root.get("lang") == loaded.issue.language != "und"
    assert root.get("dir") == "ltr"
    assert dom.findtext(".//title").strip() == loaded.issue.subject


def test_every_image_has_alt_social_icons_included(dom, seed_build):
    loaded, _ = seed_build
    images = dom.findall(".//img")
    assert len(images) >= 1 + len(loaded.settings.social)
    missing = [lxml.html.tostring(img, encoding="unicode") for img in images if not (img.get("alt") or "").strip()]
    assert missing == []
    social = [img for img in images if "ico-social" in (img.get("src") or "")]
    assert len(social) == len(loaded.settings.social)


def test_every_table_is_presentational_even_inside_mso_comments(html, dom):
    visible = dom.findall(".//table")
    assert visible and all(t.get("role") == "presentation" for t in visible)
    every = re.findall(r"<table\b[^>]*>", html)  # also those in <!--[if mso]> comments
    assert len(every) > len(visible)
    assert [t for t in every if 'role="presentation"' not in t] == []


def test_no_script_and_no_event_handlers(html, dom):
    assert not re.search(r"<script\b", html, re.IGNORECASE)
    assert "javascript:" not in html.lower()
    handlers = [(el.tag, name) for el in dom.iter() if isinstance(el.tag, str)
                for name in el.attrib if name.lower().startswith("on")]
    assert handlers == []


def test_preheader_is_hidden_preview_text(dom, seed_build):
    loaded, _ = seed_build
    body = dom.find(".//body")
    first = next(el for el in body.iter() if (el.text or "").strip())  # the first text in the body
    assert first.text_content().strip().startswith(loaded.issue.preheader)
    style = first.get("style").replace(" ", "")
    assert "display:none" in style and "max-height:0" in style


def test_dark_mode_support(html, dom):
    metas = {m.get("name"): m.get("content") for m in dom.findall(".//meta")}
    assert metas.get("color-scheme") == "light dark"
    assert "@media (prefers-color-scheme: dark)" in html


# --- every heading, bullet, name, date and call to action, in both parts ----


def _plain(markdown: str) -> str:
    """What a reader sees of a Markdown line: no markers, link text only."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown)
    return re.sub(r"\*\*|__|(?<!\w)[*_]|[*_](?!\w)", "", text)


def seed_content(issue: Issue, settings: Settings) -> list[tuple[str, str]]:
    """(kind, text) for every heading, bullet, name, date and call to action of the issue."""
    out: list[tuple[str, str]] = [("date", format_month(issue.date))]
    for block in issue.blocks:
        title = getattr(block, "title", None)
        if title:
            out.append(("heading", title))
        if isinstance(block, MastheadBlock) and block.subtitle:
            out.append(("heading", block.subtitle))
        if isinstance(block, EditorialBlock):
            out += [("bullet", _plain(line[2:])) for line in block.body.splitlines() if line.startswith("- ")]
            if block.signature:
                out += [("name", name) for name in block.signature.names]
                out += [("name", block.signature.affiliation)] if block.signature.affiliation else []
        if isinstance(block, ArticleBlock):
            for person in block.authors:
                out += [("name", v) for v in (person.name, person.role, person.affiliation) if v]
            out += [("cta", block.link.label)] if block.link else []
        if isinstance(block, LinkListBlock):
            out += [("bullet", link.title) for link in block.links]
            out += [("cta", block.button.label)] if block.button else []
        if isinstance(block, BulletsBlock):
            out += [("bullet", _plain(item)) for item in block.items]
            out += [("cta", b.label) for b in (block.button, block.link) if b]
        if isinstance(block, CtaBlock):
            out.append(("cta", block.button.label))
        if isinstance(block, UpcomingEventsBlock):
            for event in block.events:
                out += [("heading", event.title), ("date", format_range(event.start, event.end)),
                        ("name", event.place), ("cta", event.label)]
        if isinstance(block, PastEventsBlock):
            for event in block.events:
                out += [("heading", event.title), ("date", format_date(event.date)),
                        ("name", event.where), ("cta", event.label)]
                out += [("heading", event.subtitle)] if event.subtitle else []
        if isinstance(block, FooterBlock):
            out += [("name", link.label) for link in settings.social]
            out += [("name", settings.postal_address)]
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def visible_text(dom) -> str:
    body = dom.find(".//body")
    return _squash(body.text_content())


def test_the_content_list_is_complete(seed_build):
    """Guards the helper: the seed has all of these in numbers, so none is silently skipped."""
    loaded, _ = seed_build
    kinds = [kind for kind, _ in seed_content(loaded.issue, loaded.settings)]
    assert kinds.count("heading") >= 25 and kinds.count("bullet") >= 20
    assert kinds.count("name") >= 15 and kinds.count("date") >= 10 and kinds.count("cta") >= 15


def test_seed_content_appears_in_the_html(seed_build, dom):
    loaded, _ = seed_build
    page = visible_text(dom)
    missing = [(k, t) for k, t in seed_content(loaded.issue, loaded.settings) if _squash(t) not in page]
    assert missing == []


def test_seed_content_appears_in_the_text(seed_build, seed_dist):
    loaded, _ = seed_build
    text = _squash(seed_dist.read("email.txt"))
    missing = [(k, t) for k, t in seed_content(loaded.issue, loaded.settings) if _squash(t) not in text]
    assert missing == []


def test_date_formats():
    import datetime as dt

    assert format_range(dt.date(2022, 4, 25), dt.date(2022, 4, 27)) == "25–27 April 2022"
    assert format_range(dt.date(2022, 4, 25), dt.date(2022, 5, 2)) == "25 April\u2009–\u20092 May 2022"  # CLDR thin spaces
    assert format_range(dt.date(2021, 12, 30), dt.date(2022, 1, 2)) == "30 December 2021\u2009–\u20092 January 2022"
    assert format_range(dt.date(2021, 11, 11), None) == format_date(dt.date(2021, 11, 11)) == "11 November 2021"
    assert format_month(dt.date(2021, 12, 15)) == "December 2021"


# --- UTM --------------------------------------------------------------------


def hrefs(dom) -> list[str]:
    return [a.get("href") for a in dom.iter("a") if a.get("href")]


def test_seed_links_carry_utm_except_mailto_and_unsubscribe(dom, seed_build):
    loaded, _ = seed_build
    links = hrefs(dom)
    web = [h for h in links if h.startswith("http") and h != UNSUBSCRIBE_PLACEHOLDER]
    assert len(web) >= 25
    for href in web:
        query = parse_qs(urlsplit(href).query)
        assert query == {**query, "utm_source": ["newsletter"], "utm_medium": ["email"],
                         "utm_campaign": [loaded.slug]}, href
    assert UNSUBSCRIBE_PLACEHOLDER in links
    assert f"mailto:{loaded.settings.contact_email}" in links


def test_add_utm_rules():
    utm = Utm(domains=["ai4media.eu"])
    tagged = add_utm("https://www.ai4media.eu/a/?x=1#top", utm, "2021-12-x")
    assert tagged == "https://www.ai4media.eu/a/?x=1&utm_source=newsletter&utm_medium=email&utm_campaign=2021-12-x#top"
    assert add_utm("https://www.i-aida.org/", utm, "s") == "https://www.i-aida.org/"
    assert add_utm("https://notai4media.eu/", utm, "s") == "https://notai4media.eu/"
    assert add_utm("mailto:info@ai4media.eu", Utm(), "s") == "mailto:info@ai4media.eu"
    assert add_utm(UNSUBSCRIBE_PLACEHOLDER, Utm(), "s") == UNSUBSCRIBE_PLACEHOLDER
    assert add_utm("https://x.org/?utm_source=own", Utm(), "s") == \
        "https://x.org/?utm_source=own&utm_medium=email&utm_campaign=s"
    assert add_utm("https://x.org/", None, "s") == "https://x.org/"
    assert add_utm("https://x.org/", Utm(campaign="winter"), "s").endswith("utm_campaign=winter")


ISSUE = "issues/2021-12-links.yaml"
LINKS_ISSUE = """\
subject: Links
date: 2021-12-15
{settings}blocks:
  - type: editorial
    body: "See [our site](https://www.ai4media.eu/x/) and [AIDA](https://www.i-aida.org/)."
  - type: cta
    button:
      label: Write to us
      url: mailto:info@ai4media.eu
"""


def _build(make_project, monkeypatch, settings: str = ""):
    root = make_project({ISSUE: LINKS_ISSUE.format(settings=settings)})
    monkeypatch.chdir(root)
    _, rendered = build_issue(ISSUE)
    return rendered, hrefs(lxml.html.document_fromstring(rendered.html.encode("utf-8")))


def test_utm_domains_limit_tagging(make_project, monkeypatch):
    rendered, links = _build(make_project, monkeypatch,
                             "settings:\n  utm:\n    campaign: winter\n    domains: [ai4media.eu]\n")
    assert "https://www.ai4media.eu/x/?utm_source=newsletter&utm_medium=email&utm_campaign=winter" in links
    assert "https://www.i-aida.org/" in links
    assert "https://twitter.com/ai4mediaproject" in links  # a social link, outside the domains
    assert "mailto:info@ai4media.eu" in links


def test_without_utm_settings_links_are_untouched(make_project, monkeypatch):
    root = make_project({ISSUE: LINKS_ISSUE.format(settings="")})
    config = root / "newsletter.yaml"
    text = config.read_text(encoding="utf-8")
    assert "utm:\n  source: newsletter\n  medium: email\n" in text
    config.write_text(text.replace("utm:\n  source: newsletter\n  medium: email\n", ""), encoding="utf-8")
    monkeypatch.chdir(root)
    _, rendered = build_issue(ISSUE)
    assert "utm_" not in rendered.html
    assert 'href="https://www.ai4media.eu/x/"' in rendered.html


# --- issue settings override project settings --------------------------------


def test_issue_settings_override_the_project(make_project, monkeypatch):
    plain, _ = _build(make_project, monkeypatch)
    assert "#0b3b60" in plain.html  # the project's primary colour
    themed, _ = _build(make_project, monkeypatch,
                       'settings:\n  name: Winter Letter\n  brand:\n    colors:\n      primary: "#5B2A86"\n')
    assert "#5b2a86" in themed.html and "#0b3b60" not in themed.html
    assert "Winter Letter" in themed.text and "AI4Media Newsletter" not in themed.text
    assert "#00838f" in themed.html or "#00677f" in themed.html  # the rest of the palette still applies


def test_a_missing_footer_is_added(make_project, monkeypatch):
    rendered, links = _build(make_project, monkeypatch)
    assert UNSUBSCRIBE_PLACEHOLDER in links
    assert "Unsubscribe: " + UNSUBSCRIBE_PLACEHOLDER in rendered.text
    assert Path(ISSUE).read_text(encoding="utf-8").count("footer") == 0
