"""Fixtures for the check tests: a throwaway project holding one issue, rendered and checked in memory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from checkutil import BASE, ISSUE_NAME

from newsletter_pipeline.checks import CheckReport, run_checks
from newsletter_pipeline.render import build_issue


@pytest.fixture
def project(make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write an issue (and template overrides) into a throwaway project, chdir there, return the issue path.

    Messages then name files as the user sees them: issues/..., templates/...
    """

    def write(issue: str = BASE, templates: dict[str, str] | None = None, config: str | None = None) -> Path:
        files = {ISSUE_NAME: issue}
        files.update({f"templates/{name}": text for name, text in (templates or {}).items()})
        if config is not None:
            files["newsletter.yaml"] = config
        root = make_project(files)
        monkeypatch.chdir(root)
        return Path(ISSUE_NAME)

    return write


@pytest.fixture
def check(project: Callable[..., Path]) -> Callable[..., CheckReport]:
    """Render an issue in memory and run every rule on it."""

    def run(issue: str = BASE, templates: dict[str, str] | None = None, config: str | None = None,
            check_links: bool = False) -> CheckReport:
        path = project(issue, templates, config)
        loaded, rendered = build_issue(path)
        return run_checks(loaded, rendered, check_links)

    return run
