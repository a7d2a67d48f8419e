"""Fixtures for the CI tests: a git repository with a merge's worth of changes, and an SMTP server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cihelpers import ALPHA, BETA, GAMMA, OLD, commit, git, issue_text
from shared import FIXTURE_CONFIG, SmtpServer, local_smtp_server


@dataclass
class MergeRepo:
    """Base commit: alpha, beta, old. Merge commit: alpha changed, gamma added, old deleted."""

    root: Path
    base: str
    head: str


@pytest.fixture
def merge_repo(tmp_path: Path) -> MergeRepo:
    root = tmp_path / "newsletter"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    shutil.copy(FIXTURE_CONFIG, root / "newsletter.yaml")
    base = commit(root, "base", {ALPHA: issue_text("Alpha, first draft", 0), BETA: issue_text("Beta", 1),
                                 OLD: issue_text("Old", 2), "README.md": "our newsletter\n"})
    head = commit(root, "merge: alpha changed, gamma added, old removed",
                  {ALPHA: issue_text("Alpha, as merged", 0), GAMMA: issue_text("Gamma", 3)}, delete=(OLD,))
    return MergeRepo(root, base, head)


@pytest.fixture
def smtp_sink() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, stopped after the test."""
    with local_smtp_server() as server:
        yield server
