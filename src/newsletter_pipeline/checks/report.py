"""The check report and the rule runner."""

from __future__ import annotations

from pathlib import Path

from ..gcpause import paused
from ..issue.load import LoadedIssue
from ..models import RenderedIssue
from .context import CheckContext
from .findings import CheckReport, Finding, unique
from .rules import RULE_IDS, RULES, Rule, load_rules

__all__ = ["CheckReport", "Finding", "RULE_IDS", "RULES", "Rule", "run_checks"]


def run_checks(loaded: LoadedIssue, rendered: RenderedIssue, check_links: bool = False,
               templates: Path | None = None) -> CheckReport:
    """Run every rule on a rendered issue; findings come sorted by location.

    ``check_links`` also fetches every URL (network); ``templates`` is the
    ``--templates`` override used to render, so findings name the right file.
    """
    ctx = CheckContext(loaded, rendered, templates)
    findings: list[Finding] = []
    with paused():  # a computed style per element, all acyclic: see gcpause.py
        for rule in load_rules():
            findings += rule(ctx)
    if check_links:
        from .linkcheck import check_links as fetch_all

        findings += fetch_all(ctx)
    return CheckReport(unique(findings))
