"""``newsletter archive``: the site it writes (pages, index, feed, sitemap) as a reader sees it."""

from __future__ import annotations

import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from archive_helpers import BASE, MERGE_TAGS, crawl, file_of, issue_yaml, make_site_project, parse_page
from shared import FIXTURE_PROJECT, SEED_SLUG, run_newsletter

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ISSUES = {
    "2022-01-winter-school.yaml": issue_yaml("Winter school", "2022-01-20", "Lectures & labs <in> January."),
    "2022-03-spring-call.yaml": issue_yaml("Spring call", "2022-03-02", columns=2),
    "2021-11-kick-off.yml": issue_yaml("Kick-off", "2021-11-05", preheader=None, columns=1),
}


def archive(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command; NEWSLETTER_ARCHIVE_URL comes only from ``env``, never from the caller's shell."""
    full_env = {k: v for k, v in os.environ.items() if k != "NEWSLETTER_ARCHIVE_URL"} | (env or {})
    return run_newsletter(["archive", *args], cwd=cwd, env=full_env)


@pytest.fixture(scope="module")
def repo_site(tmp_path_factory) -> Path:
    """What the issue asks to show: the archive of a real project (the fixture's)."""
    out = tmp_path_factory.mktemp("repo") / "site"
    result = archive("--out", str(out), "--base-url", BASE, cwd=FIXTURE_PROJECT)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A three-issue project, built once for this module."""
    root = make_site_project(tmp_path_factory.mktemp("three") / "project", ISSUES)
    result = archive("--out", "site", "--base-url", "https://news.example.org", cwd=root)
    assert result.returncode == 0, result.stderr
    return root / "site"


def test_the_repository_archive_lists_the_seed_issue_with_its_page_and_feed(repo_site):
    index = (repo_site / "index.html").read_text(encoding="utf-8")
    assert re.search(rf'<a href="{SEED_SLUG}/">One year of AI4Media</a>', index)
    page = parse_page(repo_site / SEED_SLUG / "index.html")
    assert page.title == "One year of AI4Media · AI4Media Newsletter"
    feed = feedparser.parse((repo_site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert [e.title for e in feed.entries if e.link == f"{BASE}{SEED_SLUG}/"] == ["One year of AI4Media"]


def test_index_lists_issues_newest_first_with_date_and_summary(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    subjects = re.findall(r'<h2><a href="[^"]+/">([^<]+)</a></h2>', index)
    assert subjects == ["Spring call", "Winter school", "Kick-off"]
    assert '<time datetime="2022-01-20">20 January 2022</time>' in index
    assert "Lectures &amp; labs &lt;in&gt; January." in index  # escaped, never markup


def test_feed_is_valid_atom_with_absolute_links_and_each_issues_content(site):
    raw = (site / "feed.xml").read_bytes()
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == ["Spring call", "Winter school", "Kick-off"]
    assert {link.href for link in feed.feed.links} == {BASE, f"{BASE}feed.xml"}
    for entry in feed.entries:
        assert entry.id == entry.link and entry.link.startswith(BASE)
        assert entry.link.endswith("/") and file_of(site, entry.link).is_file()
        assert entry.updated_parsed and entry.published_parsed
        content = entry.content[0].value
        assert "Supercalifragilisticexpialidocious" in content and "Workshop three" in content
        for url in re.findall(r'(?:href|src)="([^"]*)"', content):
            assert re.match(r"^(https://|mailto:)", url), url
        assert not MERGE_TAGS.search(content)
    assert feed.entries[1].summary == "Lectures & labs <in> January."
    # the raw XML is well formed on its own, not only for a forgiving parser
    ET.fromstring(raw)


def test_sitemap_names_the_index_and_every_page(site):
    tree = ET.parse(site / "sitemap.xml")
    locs = [node.text for node in tree.iter(f"{SITEMAP}loc")]
    assert locs == [BASE, f"{BASE}2022-03-spring-call/", f"{BASE}2022-01-winter-school/", f"{BASE}2021-11-kick-off/"]
    assert [n.text for n in tree.iter(f"{SITEMAP}lastmod")][1:] == ["2022-03-02", "2022-01-20", "2021-11-05"]


def test_every_link_between_pages_resolves_and_every_page_is_reachable(site):
    reached, broken = crawl(site)
    assert broken == []
    pages = set(site.glob("*/index.html")) | {site / "index.html"}
    assert pages <= reached
    assert site / "feed.xml" in reached


def test_pages_carry_title_description_open_graph_and_a_way_back(site):
    page = parse_page(site / "2022-01-winter-school" / "index.html")
    url = f"{BASE}2022-01-winter-school/"
    assert page.title == "Winter school · AI4Media Newsletter"
    assert page.meta["description"] == "Lectures & labs <in> January."
    assert page.meta["og:title"] == "Winter school"
    assert page.meta["og:description"] == page.meta["description"]
    assert page.meta["og:url"] == page.meta["canonical"] == url
    assert page.meta["og:type"] == "article" and page.meta["og:site_name"] == "AI4Media Newsletter"
    assert page.meta["og:image"] == "https://www.ai4media.eu/img/wide.jpg"  # the first article's image
    assert ("a", "href", "../") in page.links
    no_preheader = parse_page(site / "2021-11-kick-off" / "index.html")
    assert no_preheader.meta["description"] == "Kick-off"  # falls back to the subject


def test_no_page_keeps_a_merge_tag_the_unsubscribe_line_or_the_hidden_preheader(site, repo_site):
    for page in [*site.glob("**/*.html"), *repo_site.glob("**/*.html")]:
        html = page.read_text(encoding="utf-8")
        assert not MERGE_TAGS.search(html), page
        assert "Unsubscribe" not in html and "You receive this email" not in html
        assert "View in your browser" not in html
        hidden = re.findall(r'<div[^>]*display:\s*none[^>]*>([^<]*)', html)
        assert not [text for text in hidden if "summary" in text.lower() or "AI4Media’s first year" in text]
        assert 'aria-roledescription="email"' not in html


def test_the_email_itself_still_has_what_the_web_page_drops(seed_dist):
    """Guards the test above: it would pass vacuously if the email lost these."""
    email = seed_dist.read("email.html")
    assert MERGE_TAGS.search(email) and "You receive this email" in email
    assert re.search(r'<div[^>]*display:\s*none[^>]*>AI4Media’s first year', email)


def test_web_links_are_tagged_as_web_traffic_not_email(site):
    html = (site / "2022-01-winter-school" / "index.html").read_text(encoding="utf-8")
    assert "utm_medium=web" in html and "utm_medium=email" not in html
    assert "utm_campaign=2022-01-winter-school" in html


def test_view_in_browser_link_of_the_email_is_the_archive_page(tmp_path):
    """The footer links to <archive_url>/<slug>/; the archive must serve exactly that page."""
    root = make_site_project(tmp_path / "p", {"2022-01-winter-school.yaml": ISSUES["2022-01-winter-school.yaml"]},
                             settings_extra="archive_url: https://newsletter.ai4media.eu/letters\n")
    env = {k: v for k, v in os.environ.items() if k != "NEWSLETTER_ARCHIVE_URL"}
    built = run_newsletter(["build", "issues/2022-01-winter-school.yaml", "--out", "dist"], cwd=root, env=env)
    assert built.returncode == 0, built.stderr
    email = (root / "dist" / "2022-01-winter-school" / "email.html").read_text(encoding="utf-8")
    link = re.search(r'<a href="([^"]+)"[^>]*>View in your browser</a>', email).group(1)
    assert link == "https://newsletter.ai4media.eu/letters/2022-01-winter-school/"
    result = archive("--out", "site", cwd=root)  # no --base-url: the configured archive_url
    assert result.returncode == 0, result.stderr
    assert result.stderr == built.stderr  # the checks' warnings, as build prints them; no base URL warning
    base = "https://newsletter.ai4media.eu/letters/"
    target = file_of(root / "site", link, base)
    assert target == root / "site" / "2022-01-winter-school" / "index.html" and target.is_file()
    assert parse_page(target).meta["canonical"] == link


def test_environment_archive_url_wins_and_a_different_base_url_is_warned_about(tmp_path):
    root = make_site_project(tmp_path / "p", {"2022-01-a.yaml": issue_yaml("A", "2022-01-01")})
    env = {"NEWSLETTER_ARCHIVE_URL": "https://env.ai4media.eu/x"}
    env_run = archive("--out", "site", cwd=root, env=env)
    assert env_run.returncode == 0, env_run.stderr
    page = parse_page(root / "site" / "2022-01-a" / "index.html")
    assert page.meta["canonical"] == "https://env.ai4media.eu/x/2022-01-a/"
    other = archive("--out", "site", "--base-url", BASE, cwd=root, env=env)
    assert other.returncode == 0, other.stderr
    assert "warning: --base-url https://news.example.org/ differs" in other.stderr
    assert "https://env.ai4media.eu/x/" in other.stderr


def test_a_right_to_left_page_points_its_way_back_to_the_right(tmp_path):
    """Bidi does not mirror "←": on an Arabic page the way back (to the right, where the line starts) is "→"."""
    arabic = issue_yaml("Winter school", "2022-01-20").replace("language: en", "language: ar")
    root = make_site_project(tmp_path / "project", {"2022-01-winter-school.yaml": arabic})
    result = archive("--out", "site", "--base-url", BASE, cwd=root)
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "2022-01-winter-school" / "index.html").read_text(encoding="utf-8")
    assert 'dir="rtl"' in page
    assert re.search(r'<a href="\.\./">→ [^<←]+</a>', page), page[:3000]
    assert "←" not in page
