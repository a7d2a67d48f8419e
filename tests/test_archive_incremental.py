"""Incremental archive builds: unchanged issues are not rebuilt, changes are, deletions disappear.

These call ``commands.archive.run`` in this process (the CLI tests elsewhere cover the
process boundary) and assert through the manifest, inodes and mtimes, never timing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import feedparser
import pytest

from archive_helpers import BASE, issue_yaml, make_site_project
from newsletter_pipeline.archive.cache import MANIFEST
from newsletter_pipeline.commands.archive import run

ISSUES = {f"2022-0{n}-issue-{n}.yaml": issue_yaml(f"Issue {n}", f"2022-0{n}-10") for n in (1, 2, 3)}


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    root = make_site_project(tmp_path / "project", ISSUES)
    monkeypatch.chdir(root)
    monkeypatch.delenv("NEWSLETTER_ARCHIVE_URL", raising=False)
    return root


def build(root: Path, **options):
    return run([], root / "site", options.pop("base_url", BASE), **options)


def fingerprint(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns


def pages(root: Path) -> dict[str, tuple[int, int]]:
    return {p.parent.name: fingerprint(p) for p in (root / "site").glob("*/index.html")}


def manifest(root: Path) -> dict:
    return json.loads((root / "site" / MANIFEST).read_text(encoding="utf-8"))


def test_a_second_run_rebuilds_nothing(project):
    first = build(project)
    assert sorted(first.built) == ["2022-01-issue-1", "2022-02-issue-2", "2022-03-issue-3"]
    before, keys = pages(project), manifest(project)["issues"]
    second = build(project)
    assert second.built == [] and sorted(second.unchanged) == sorted(first.built)
    assert pages(project) == before
    assert manifest(project)["issues"] == keys


def test_one_changed_issue_is_the_only_one_rebuilt(project):
    build(project)
    before = pages(project)
    old_keys = {slug: r["key"] for slug, r in manifest(project)["issues"].items()}
    changed = project / "issues" / "2022-02-issue-2.yaml"
    changed.write_text(issue_yaml("Issue 2, corrected", "2022-02-10"), encoding="utf-8")
    result = build(project)
    assert result.built == ["2022-02-issue-2"]
    after = pages(project)
    assert after["2022-01-issue-1"] == before["2022-01-issue-1"]
    assert after["2022-03-issue-3"] == before["2022-03-issue-3"]
    assert after["2022-02-issue-2"] != before["2022-02-issue-2"]
    new_keys = {slug: r["key"] for slug, r in manifest(project)["issues"].items()}
    assert [s for s in new_keys if new_keys[s] != old_keys[s]] == ["2022-02-issue-2"]
    site = project / "site"
    assert "Issue 2, corrected" in (site / "2022-02-issue-2" / "index.html").read_text(encoding="utf-8")
    assert "Issue 2, corrected" in (site / "index.html").read_text(encoding="utf-8")
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["Issue 3", "Issue 2, corrected", "Issue 1"]
    # the unchanged issues' content comes from the cache, whole
    assert all("Supercalifragilisticexpialidocious" in e.content[0].value for e in feed.entries)


@pytest.mark.parametrize("change", ["settings", "template", "web_template", "base_url"])
def test_what_every_page_depends_on_rebuilds_every_page(project, change):
    build(project)
    base = BASE
    if change == "settings":
        config = project / "newsletter.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace("name: AI4Media Newsletter",
                                                                     "name: AI4Media Letters"), encoding="utf-8")
    elif change == "template":
        (project / "templates" / "blocks").mkdir(parents=True)
        (project / "templates" / "blocks" / "cta.mjml.j2").write_text(
            '    <mj-section><mj-column><mj-text>Overridden call</mj-text></mj-column></mj-section>\n')
    elif change == "web_template":
        (project / "templates" / "web").mkdir(parents=True)
        builtin = Path(__file__).resolve().parent.parent / "templates" / "web" / "page.html.j2"
        text = builtin.read_text(encoding="utf-8").replace("← All issues", "← Every issue")
        (project / "templates" / "web" / "page.html.j2").write_text(text, encoding="utf-8")
    else:
        base = "https://elsewhere.example.org/news/"
    result = build(project, base_url=base)
    assert sorted(result.built) == ["2022-01-issue-1", "2022-02-issue-2", "2022-03-issue-3"]
    page = (project / "site" / "2022-01-issue-1" / "index.html").read_text(encoding="utf-8")
    expected = {"settings": "AI4Media Letters", "template": "Overridden call",
                "web_template": "← Every issue", "base_url": base}[change]
    assert expected in page


def test_a_deleted_issue_leaves_the_site(project):
    build(project)
    (project / "issues" / "2022-03-issue-3.yaml").unlink()
    result = build(project)
    assert result.removed == ["2022-03-issue-3"] and result.built == []
    site = project / "site"
    assert not (site / "2022-03-issue-3").exists()
    assert "2022-03-issue-3" not in manifest(project)["issues"]
    for name in ("index.html", "feed.xml", "sitemap.xml"):
        assert "2022-03-issue-3" not in (site / name).read_text(encoding="utf-8")
    assert not list(site.glob(".archive/entries/2022-03-issue-3*"))


def test_a_page_deleted_by_hand_is_rebuilt(project):
    build(project)
    (project / "site" / "2022-01-issue-1" / "index.html").unlink()
    assert build(project).built == ["2022-01-issue-1"]


def test_files_the_user_added_to_the_site_are_kept(project):
    build(project)
    (project / "site" / "CNAME").write_text("news.example.org\n")
    build(project)
    assert (project / "site" / "CNAME").read_text() == "news.example.org\n"


def test_no_staging_folder_is_left_behind_and_the_site_is_readable(project):
    build(project)
    build(project)
    assert sorted(p.name for p in project.iterdir()) == ["issues", "newsletter.yaml", "site"]
    assert oct((project / "site").stat().st_mode & 0o777) == oct(0o777 & ~_umask())


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_a_templates_option_overrides_the_web_templates_and_rebuilds(project, tmp_path):
    build(project)
    overrides = tmp_path / "overrides" / "web"
    overrides.mkdir(parents=True)
    builtin = Path(__file__).resolve().parent.parent / "templates" / "web"
    (overrides / "index.html.j2").write_text(
        (builtin / "index.html.j2").read_text(encoding="utf-8").replace("All issues, newest first.", "Back issues."))
    (overrides / "page.html.j2").write_text(
        (builtin / "page.html.j2").read_text(encoding="utf-8").replace("← All issues", "← Back issues"))
    result = build(project, templates=overrides.parent)
    assert len(result.built) == 3
    site = project / "site"
    assert "Back issues." in (site / "index.html").read_text(encoding="utf-8")
    assert "← Back issues" in (site / "2022-01-issue-1" / "index.html").read_text(encoding="utf-8")
    assert build(project, templates=overrides.parent).built == []
    assert len(build(project).built) == 3  # without the option: back to the built-in templates


def test_an_empty_existing_folder_takes_the_first_build(project):
    (project / "site").mkdir()
    assert len(build(project).built) == 3
    assert (project / "site" / "index.html").is_file()
    assert not [p for p in (project / "site").rglob("*") if p.name.endswith(".tmp")]
