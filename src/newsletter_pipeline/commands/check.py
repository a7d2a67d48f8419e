"""``newsletter check``: render in memory, run every rule, report compiler-style or as JSON.

Writes nothing. An issue that does not load or render is still checked: its
load errors become findings and the value-level rules run on its YAML (see
``checks.source``), so one run lists everything to fix.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..checked import build_checked
from ..checks import CheckReport, Finding
from ..checks.unsubscribe import list_send_headers
from ..config import Config
from ..errors import (EXIT_INVALID, EXIT_OK, EXIT_USAGE, ConfigError, Location, MissingFileError,
                      NewsletterError, UnreadableFileError)
from ..issue.load import find_project_root
from ..models import RenderedIssue
from ..progress import Progress, quiet
from ..words import plural


@dataclass
class IssueCheck:
    path: Path
    report: CheckReport
    rendered: bool = True
    email: RenderedIssue | None = None  # subject and size for --summary-file
    sender: str | None = None  # settings.sender.email: the mailto: fallback of List-Unsubscribe
    readable: bool = True  # False: the file itself could not be read (a folder, a pipe, too large...)


@dataclass
class CheckRun:
    """The outcome of checking several issues: what to print, and the exit code."""

    checks: list[IssueCheck] = field(default_factory=list)
    strict: bool = False
    notes: list[str] = field(default_factory=list)  # lines after the summary that are no finding (list-unsubscribe)

    @property
    def findings(self) -> list[Finding]:
        return [f for check in self.checks for f in check.report.findings]

    @property
    def exit_code(self) -> int:
        if not all(c.readable for c in self.checks):
            return EXIT_USAGE  # as for one such file alone: the input, not its content
        return EXIT_INVALID if any(c.report.failed(self.strict) for c in self.checks) else EXIT_OK

    def as_json(self) -> str:
        return json.dumps([f.as_dict() for f in self.findings], indent=2, ensure_ascii=False)

    def as_text(self) -> str:
        return "\n".join(map(str, self.findings))

    def summary(self) -> str:
        """One line per issue for stderr: counts, and why it failed."""
        lines = []
        for check in self.checks:
            errors, warnings = len(check.report.errors), len(check.report.warnings)
            verdict = "failed" if check.report.failed(self.strict) else "ok"
            strict = " (--strict: warnings fail)" if self.strict and warnings and not errors else ""
            unrendered = ("; not read" if not check.readable else
                          "; not rendered, so only its values were checked" if not check.rendered else "")
            lines.append(f"{check.path}: {verdict}: {plural(errors, 'error')}, {plural(warnings, 'warning')}"
                         f"{strict}{unrendered}")
        return "\n".join(lines + [f"note: {note}" for note in self.notes])


def check_issue(path: Path, check_links: bool = False) -> IssueCheck:
    """Check one issue file; load and template errors are reported as findings, not raised."""
    try:
        loaded, rendered, report = build_checked(path, check_links=check_links)
    except ConfigError:
        raise
    except NewsletterError as exc:
        if not exc.diagnostics:
            raise
        from ..checks.source import unrendered_findings, written_sender  # only for issues that fail to render

        return IssueCheck(path, CheckReport(unrendered_findings(path, exc)), rendered=False,
                          sender=written_sender(path))
    return IssueCheck(path, report, email=rendered, sender=str(loaded.settings.sender.email))


def project_of(path: Path) -> Path:
    """The project root of the issue at ``path``, as ``load_issue`` finds it."""
    try:
        folder = path.resolve().parent
    except (OSError, RuntimeError):  # a link loop: the loader names it when the issue is checked
        folder = Path(os.path.abspath(path)).parent
    return find_project_root(folder)


def run(paths: list[Path], strict: bool = False, check_links: bool = False, progress: Progress = quiet) -> CheckRun:
    """Check every issue (all paths must exist: a typo is a usage error, exit 2); ``progress`` sees each."""
    for path in paths:
        if not os.path.lexists(path):  # a folder or a broken link gets its own message from the loader
            raise MissingFileError(path)
    # first: a broken .env stops the run before the checks (exit 2); each issue's project's own .env,
    # never the working folder's (the note names the provider its list send would use)
    configs = [Config.load(root) for root in dict.fromkeys(map(project_of, paths))]
    config = configs[0] if configs else None
    outcome = CheckRun(strict=strict)
    for path in progress(paths, "checking issues and their links" if check_links else "checking issues"):
        try:
            outcome.checks.append(check_issue(path, check_links))
        except UnreadableFileError as exc:
            if len(paths) == 1 or Path(exc.path) != path:  # alone, or newsletter.yaml (every issue would stop)
                raise
            # one unreadable issue among several does not stop the others: CI checks every changed issue
            # and writes their summary
            finding = Finding("file", "error", Location(str(path)), f"{exc.reason} ({exc.hint})")
            outcome.checks.append(IssueCheck(path, CheckReport([finding]), rendered=False, readable=False))
    if config is not None:
        sender = next((c.sender for c in outcome.checks if c.sender), None)
        outcome.notes.append(list_send_headers(config, sender))
    return outcome
