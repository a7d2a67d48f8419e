"""The content guard (``content_guard.py``) catches what it promises, so a green suite means
"never used the repository's issues/ or newsletter.yaml", not "nobody looked"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import content_guard
import pytest
from shared import FIXTURE_CONFIG, FIXTURE_PROJECT, REPO, SEED, newsletter_command


@pytest.mark.parametrize("use", [
    lambda: (REPO / "newsletter.yaml").read_text(encoding="utf-8"),
    lambda: open(REPO / "issues" / "2030-01-any.yaml", encoding="utf-8"),
    lambda: list((REPO / "issues").iterdir()),
    lambda: os.scandir(REPO / "issues"),
], ids=["read-config", "open-issue", "list-issues", "scan-issues"])
def test_reading_the_repositorys_content_fails(use) -> None:
    """Caught before the call, so also when the files are gone (``Path.glob`` of a missing folder reads nothing)."""
    with content_guard.expected() as caught, pytest.raises(content_guard.RepoContentUsed):
        use()
    assert caught and "the repository's own content" in caught[0]


@pytest.mark.parametrize("inherited", [False, True], ids=["cwd=REPO", "inherited-cwd"])
def test_the_cli_in_the_repository_fails_before_it_starts(inherited: bool, monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    with content_guard.expected() as caught, pytest.raises(content_guard.RepoContentUsed):
        subprocess.run([*newsletter_command(), "--help"], cwd=None if inherited else REPO, capture_output=True)
    assert caught and "started in the repository" in caught[0]


def test_a_python_snippet_in_the_repository_is_not_the_cli(monkeypatch) -> None:
    """``python -c`` importing one module (the ledger's crash hook test) reads no project."""
    monkeypatch.chdir(REPO)
    with content_guard.expected() as caught:
        result = subprocess.run([sys.executable, "-c", "import newsletter_pipeline.ledger"], capture_output=True)
    assert result.returncode == 0 and caught == []


def test_the_cli_given_a_repository_issue_fails(tmp_path) -> None:
    with content_guard.expected() as caught, pytest.raises(content_guard.RepoContentUsed):
        subprocess.run([*newsletter_command(), "check", str(REPO / "issues" / SEED.name)], cwd=tmp_path,
                       capture_output=True)
    assert caught and "issues" in caught[0]


@pytest.mark.parametrize("change", [
    lambda: (FIXTURE_PROJECT / "issues" / "2030-01-new.yaml").write_text("subject: x\n"),
    lambda: (FIXTURE_PROJECT / "dist").mkdir(),
    lambda: FIXTURE_CONFIG.unlink(),
    lambda: shutil.copy(SEED, FIXTURE_PROJECT / "issues" / "copy.yaml"),
], ids=["write", "mkdir", "unlink", "copy-into"])
def test_changing_the_fixture_project_fails(change) -> None:
    with content_guard.expected() as caught, pytest.raises(content_guard.RepoContentUsed):
        change()
    assert caught and "read-only" in caught[0]
    assert FIXTURE_CONFIG.is_file() and not (FIXTURE_PROJECT / "dist").exists()


def test_what_the_suite_may_do_passes(tmp_path, make_project) -> None:
    """Reading the fixture, the tool's templates and README, copying the fixture, the CLI elsewhere."""
    with content_guard.expected() as caught:
        SEED.read_text(encoding="utf-8")
        (REPO / "templates" / "layout.mjml.j2").read_text(encoding="utf-8")
        (REPO / "README.md").read_text(encoding="utf-8")
        root = make_project(seed=True)
        shutil.copytree(FIXTURE_PROJECT, tmp_path / "copy")
        shutil.rmtree(tmp_path / "copy")
        assert (root / "issues" / SEED.name).is_file()
        result = subprocess.run([*newsletter_command(), "--help"], cwd=FIXTURE_PROJECT, capture_output=True)
        assert result.returncode == 0
    assert caught == []


def test_a_cli_writing_into_the_fixture_is_found_at_the_end() -> None:
    """The end-of-session comparison names every file added, rewritten or removed since the start."""
    before = content_guard.fixture_files()
    assert before and "newsletter.yaml" in before
    assert content_guard.fixture_changes(before) == []
    fake = dict(before)
    fake["issues/gone.yaml"] = (1, 1)
    fake["newsletter.yaml"] = (0, 0)
    del fake[f"issues/{SEED.name}"]
    assert content_guard.fixture_changes(fake) == ["issues/2021-12-one-year-of-ai4media.yaml", "issues/gone.yaml",
                                                   "newsletter.yaml"]
