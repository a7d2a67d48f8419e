"""Selecting the issue files a git range added or changed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from newsletter_pipeline.changes import changed_issues, is_issue_file
from newsletter_pipeline.errors import UsageError


def git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t.invalid", "HOME": str(repo), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "issues").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    for slug in ("2021-10-one", "2021-11-two", "2021-09-old"):
        (root / "issues" / f"{slug}.yaml").write_text(f"subject: {slug}\n")
    (root / "README.md").write_text("docs\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def test_changed_added_kept_deleted_skipped(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    (repo / "issues" / "2021-10-one.yaml").write_text("subject: changed\n")
    (repo / "issues" / "2021-12-three.yaml").write_text("subject: new\n")
    (repo / "issues" / "2021-09-old.yaml").unlink()
    (repo / "issues" / "notes.yaml").write_text("not an issue\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change one, add three, delete old")
    found = [p.relative_to(repo).as_posix() for p in changed_issues(base, repo)]
    assert found == ["issues/2021-10-one.yaml", "issues/2021-12-three.yaml"]


def test_docs_only_commit_selects_nothing(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD")
    (repo / "README.md").write_text("more docs\n")
    git(repo, "commit", "-q", "-am", "docs")
    assert changed_issues(base, repo) == []


def test_range_starts_at_the_merge_base(repo: Path) -> None:
    """A pull request sees only its own issues even when main moved on."""
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "issues" / "2021-12-three.yaml").write_text("subject: mine\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feature issue")
    git(repo, "checkout", "-q", "main")
    (repo / "issues" / "2021-11-two.yaml").write_text("subject: main moved\n")
    git(repo, "commit", "-q", "-am", "main edit")
    git(repo, "checkout", "-q", "feature")
    found = [p.name for p in changed_issues("main", repo)]
    assert found == ["2021-12-three.yaml"]


def test_unknown_ref_is_a_usage_error(repo: Path) -> None:
    with pytest.raises(UsageError, match="unknown git ref 'no-such-ref'"):
        changed_issues("no-such-ref", repo)


@pytest.mark.parametrize("ref", ["--upload-pack=touch /tmp/x", "--output=/tmp/x", "", "main; rm -rf x", "a\tb"])
def test_what_is_no_ref_is_never_given_to_git_nor_echoed_as_a_command(repo: Path, ref: str) -> None:
    """The hint said ``git fetch origin --upload-pack=touch /tmp/x``: a command to copy that runs another."""
    with pytest.raises(UsageError) as refused:
        changed_issues(ref, repo)
    assert str(refused.value) == f"{ref!r} is not a git ref: name a commit, a branch or a tag, such as main or HEAD~1"
    assert "git fetch" not in str(refused.value) and not (repo / "x").exists()


def test_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not inside"):
        changed_issues("HEAD", tmp_path)


@pytest.mark.parametrize(("path", "expected"), [
    ("issues/2021-12-one-year-of-ai4media.yaml", True),
    ("newsletters/issues/2022-01-x.yml", True),
    ("issues/notes.yaml", False),
    ("docs/2021-12-x.yaml", False),
    ("issues/2021-12-x.md", False),
])
def test_is_issue_file(path: str, expected: bool) -> None:
    assert is_issue_file(path) is expected
