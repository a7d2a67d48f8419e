"""The site folder is untrusted input: a damaged or hostile manifest, or links placed in the site,
never make ``newsletter archive`` touch anything outside ``--out`` nor end in a traceback.

Each attack is set up on a real first build, then a second real ``newsletter archive``
runs; the victim is a folder beside the site that must come out unchanged.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from archive_helpers import BASE, issue_yaml, make_site_project
from shared import assert_clean_failure, clean_env

KEPT = "2022-01-kept"
GONE = "2022-02-gone"
WARNING = "warning: site/.archive/manifest.json: "


@pytest.fixture
def site(tmp_path: Path, run_cli) -> tuple[Path, Path, object]:
    """A project whose archive holds two issues, a victim folder beside it, and a runner."""
    root = make_site_project(tmp_path / "p", {f"{KEPT}.yaml": issue_yaml("Kept", "2022-01-10"),
                                              f"{GONE}.yaml": issue_yaml("Gone", "2022-02-10")})
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("mine\n", encoding="utf-8")

    def archive() -> subprocess.CompletedProcess[str]:
        return run_cli("archive", "--out", "site", "--base-url", BASE, cwd=root, env=clean_env())

    assert archive().returncode == 0
    return root, victim, archive


def manifest(root: Path) -> dict:
    return json.loads((root / "site" / ".archive" / "manifest.json").read_text(encoding="utf-8"))


def write_manifest(root: Path, data: object) -> None:
    (root / "site" / ".archive" / "manifest.json").write_text(json.dumps(data), encoding="utf-8")


def assert_untouched(victim: Path) -> None:
    assert sorted(p.name for p in victim.iterdir()) == ["precious.txt"]
    assert (victim / "precious.txt").read_text(encoding="utf-8") == "mine\n"


def link_in_place_of(folder: Path, target: Path) -> None:
    """Empty ``folder`` of the site, remove it, and put a link to ``target`` (outside the site) in its place."""
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
    folder.symlink_to(target, target_is_directory=True)


def assert_rebuilt(result: subprocess.CompletedProcess[str], root: Path) -> None:
    """Exit 0, one warning naming the manifest, every page built again, a sound manifest written."""
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith(WARNING)]
    assert len(warnings) == 1, result.stderr
    assert "ignoring it and rebuilding every page" in warnings[0]
    assert "archive: 2 built, 0 unchanged, 0 removed" in result.stdout
    assert sorted(manifest(root)["issues"]) == [KEPT, GONE]


@pytest.mark.parametrize("name", ["../victim", "ABSOLUTE", "2022-03-x/../../../victim"])
def test_a_manifest_naming_a_path_outside_the_site_deletes_nothing(site, name):
    root, victim, archive = site
    data = manifest(root)
    slug = str(victim) if name == "ABSOLUTE" else name
    data["issues"][slug] = {**data["issues"][KEPT], "slug": slug}  # a removed issue, as far as it says
    write_manifest(root, data)
    result = archive()
    assert_rebuilt(result, root)
    assert repr(slug) in result.stderr and "not an issue slug" in result.stderr
    assert_untouched(victim)


def test_a_removed_issue_whose_page_folder_is_a_link_outside_loses_the_link_only(site):
    root, victim, archive = site
    page = root / "site" / GONE
    link_in_place_of(page, victim)
    (root / "issues" / f"{GONE}.yaml").unlink()
    result = archive()
    assert result.returncode == 0, result.stderr
    assert "1 removed" in result.stdout
    assert not page.is_symlink() and not page.exists()
    assert_untouched(victim)


def test_a_feed_cache_folder_that_links_outside_is_neither_read_nor_emptied(site):
    root, victim, archive = site
    entries = root / "site" / ".archive" / "entries"
    for child in entries.iterdir():
        (victim / child.name).write_bytes(child.read_bytes())
    link_in_place_of(entries, victim)
    (root / "issues" / f"{GONE}.yaml").unlink()
    expected = sorted(p.name for p in victim.iterdir())
    lines = assert_clean_failure(archive(), 2)  # its manifest refused, the rebuild cannot write there
    assert lines == [f"error: refusing to write site/.archive/entries/{KEPT}.html: a folder on its way is a "
                     "link that leads outside site; remove the link and run again"]
    assert sorted(p.name for p in victim.iterdir()) == expected  # nothing removed there
    assert (victim / "precious.txt").read_text(encoding="utf-8") == "mine\n"


def test_a_page_folder_linking_outside_is_never_written_through(site):
    root, victim, archive = site
    page = root / "site" / KEPT
    link_in_place_of(page, victim)
    issue = root / "issues" / f"{KEPT}.yaml"
    issue.write_text(issue.read_text(encoding="utf-8").replace("Kept", "Changed"), encoding="utf-8")
    lines = assert_clean_failure(archive(), 2)
    assert lines == [f"error: refusing to write site/{KEPT}/index.html: a folder on its way is a link that "
                     "leads outside site; remove the link and run again"]
    assert_untouched(victim)


@pytest.mark.parametrize("content", [
    b"{ not json", b"\xff\xfe\x00\x01binary\x00", b"[1, 2, 3]", b"null",
    b'{"format": 1, "base_url": "x", "issues": []}',
    b'{"format": 1, "base_url": "x", "issues": {"2022-01-kept": {"slug": "2022-01-kept"}}}',
    b'{"base_url": "x", "issues": {}}', b"[" * 100_000 + b"]" * 100_000,
], ids=["not-json", "binary", "list", "null", "issues-list", "short-record", "no-format", "deep"])
def test_a_manifest_that_is_not_one_we_wrote_means_a_rebuild_with_a_warning(site, content):
    root, victim, archive = site
    (root / "site" / ".archive" / "manifest.json").write_bytes(content)
    assert_rebuilt(archive(), root)
    assert_untouched(victim)


def test_wrongly_typed_values_and_foreign_template_folders_mean_a_rebuild(site):
    root, _, archive = site
    data = manifest(root)
    for change in ({"date": 20220110}, {"key": "../x"}, {"template_dirs": ["/"]}, {"slug": GONE}):
        write_manifest(root, {**data, "issues": {KEPT: {**data["issues"][KEPT], **change}}})
        assert_rebuilt(archive(), root)


def test_the_guard_accepts_the_manifest_it_writes(site):
    """Against the tests above passing because every manifest is refused."""
    root, _, archive = site
    result = archive()
    assert result.returncode == 0 and result.stderr == ""
    assert "archive: 0 built, 2 unchanged, 0 removed" in result.stdout
