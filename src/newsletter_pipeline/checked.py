"""Build an issue, then run every check on it with the same ``--templates`` override.

The sequence ``build``, ``check``, ``send`` (and its CI form in
``commands/changed``) and the preview share: passing the override to both
stages is what makes findings point into the override's templates.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from .checks import CheckReport, run_checks
from .issue.load import LoadedIssue
from .models import RenderedIssue
from .render import build_issue


class CheckedIssue(NamedTuple):
    loaded: LoadedIssue
    rendered: RenderedIssue
    report: CheckReport


def build_checked(path: Path, templates: Path | None = None, check_links: bool = False) -> CheckedIssue:
    """Load, render and check ``path``; raises what ``build_issue`` raises (the checks report, never raise).

    ``check_links`` also fetches every URL (network).
    """
    loaded, rendered = build_issue(path, templates)
    return CheckedIssue(loaded, rendered, run_checks(loaded, rendered, check_links, templates=templates))
