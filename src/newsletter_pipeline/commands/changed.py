"""Several issues at once, for CI: ``--changed-since REF``, ``--summary-file`` and ``newsletter changed``.

- ``select(issues, ref)``: the ISSUE arguments, or the issue files git says
  were added or changed in ``REF...HEAD`` (``changes.changed_issues``);
  exactly one of the two (a usage error otherwise).
- ``check_summary``: turns a ``check`` run into a ``summary.Summary``.
- ``send_tests``: test-sends each issue in turn. An issue that fails (invalid,
  check errors, settings, provider) is reported and the others are still
  sent; the exit code is the highest of the failures' codes (1, 2, 3). An
  issue with check errors is never sent. List sends are not offered here:
  CI test-sends, and only a person sends to the list.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..changes import changed_issues
from ..checked import build_checked
from ..config import Config
from ..errors import EXIT_INVALID, EXIT_OK, EXIT_PROVIDER, NewsletterError, UsageError
from ..issue.load import display_path
from ..ledger import Ledger
from ..providers import DEFAULT_PROVIDER, provider_class
from ..providers.base import SendResult, Status
from ..summary import IssueSummary, Summary, find_screenshots
from .check import CheckRun
from .send import SendOptions, describe, make_content, report, test_recipients, validate_options

Echo = Callable[[str], None]


def require_one(issues: list[Path], ref: str | None) -> None:
    """ISSUE arguments or ``--changed-since REF``: exactly one of the two (exit 2 otherwise)."""
    if issues and ref is not None:
        raise UsageError("give ISSUE arguments or --changed-since REF, not both")
    if not issues and ref is None:
        raise UsageError("missing ISSUE: name the issue files, or pass --changed-since REF to take the "
                         "ones git says were added or changed since REF")


def select(issues: list[Path], ref: str | None) -> list[Path]:
    """The issues to work on: ISSUE arguments or ``--changed-since REF``, never both or neither."""
    require_one(issues, ref)
    if ref is None:
        return issues
    return [Path(display_path(path)) for path in changed_issues(ref)]


def nothing_changed(ref: str, verb: str) -> str:
    return f"no issue added or changed since {ref}; nothing to {verb}"


def selection_text(ref: str | None) -> str:
    return f"added or changed since `{ref}`" if ref else ""


# --- check -------------------------------------------------------------------------------------

def check_summary(outcome: CheckRun, ref: str | None, screenshots: Path | None) -> Summary:
    """One row per checked issue: subject, size, findings and the PNGs found in ``screenshots``."""
    rows = []
    for check in outcome.checks:
        email = check.email
        slug = email.slug if email else check.path.stem
        row = IssueSummary(
            path=str(check.path), slug=slug, subject=email.subject if email else "",
            html_bytes=email.html_bytes if email else None,
            errors=[str(f) for f in check.report.errors], warnings=[str(f) for f in check.report.warnings],
            screenshots=find_screenshots(screenshots, slug) if screenshots else [],
            result="checked" if check.rendered else "not rendered, so only its values were checked")
        if outcome.strict and check.report.warnings and not check.report.errors:
            row.failure = "--strict: warnings fail"
        rows.append(row)
    return Summary("check", rows, selection_text(ref))


# --- send --test -------------------------------------------------------------------------------

def validate_test_options(options: SendOptions) -> None:
    """Several issues are only ever test-sent: refuse --now and --schedule before anything runs."""
    if not options.test:
        raise UsageError("--changed-since and --summary-file go with --test: CI sends tests, "
                         "and only a person sends to the list (newsletter send ISSUE --now or --schedule)")
    validate_options(options)


def send_tests(paths: list[Path], options: SendOptions, echo: Echo, echo_err: Echo) -> tuple[int, list[IssueSummary]]:
    """Test-send every issue; returns the exit code (highest of the failures) and a row per issue."""
    validate_test_options(options)
    code, rows = EXIT_OK, []
    for path in paths:
        row = IssueSummary(path=str(path), slug=path.stem)
        echo(f"== {path}")
        try:
            issue_code = _send_one(path, options, row, echo, echo_err)
        except NewsletterError as exc:
            echo_err(exc.report())
            issue_code = exc.exit_code
            if exc.diagnostics:
                row.errors = [str(d) for d in exc.diagnostics if d.level == "error"] or [exc.report()]
            else:
                row.failure = exc.report()
            row.result = row.result or "not sent"
        code = max(code, issue_code)
        rows.append(row)
    return code, rows


def _send_one(path: Path, options: SendOptions, row: IssueSummary, echo: Echo, echo_err: Echo) -> int:
    """Build, check, then test-send one issue, filling ``row`` as it goes."""
    loaded, rendered, checks = build_checked(path)
    row.slug, row.subject, row.html_bytes = rendered.slug, rendered.subject, rendered.html_bytes
    row.errors = [str(f) for f in checks.errors]
    row.warnings = [str(f) for f in checks.warnings]
    for finding in checks.findings:
        echo_err(str(finding.as_diagnostic()))
    if checks.errors:
        row.result = "not sent: fix the check errors"
        return EXIT_INVALID
    config = Config.load(loaded.project_root)
    cls = provider_class(options.provider or config.get("NEWSLETTER_PROVIDER") or DEFAULT_PROVIDER)
    row.provider = cls.name
    cls.require("test_send")
    provider = cls(config, Ledger(loaded.project_root))
    try:
        content = make_content(loaded, rendered, config)
        recipients = test_recipients(options, config)
        if options.dry_run:
            shown = provider.prepare(content, test=True)
            recipients = recipients or provider.default_test_recipients()
            for line in describe(options, provider, shown, recipients, None,
                                 provider.plan("test", shown, recipients, None)):
                echo(line)
            row.result = "dry run: not sent"
            return EXIT_OK
        result = provider.test_send(content, recipients)
    finally:
        provider.close()
    report(result, echo)
    _record(row, result)
    return EXIT_PROVIDER if result.failed else EXIT_OK


def _record(row: IssueSummary, result: SendResult) -> None:
    refused = [r for r, status in result.outcomes.items() if status in (Status.REJECTED, Status.FAILED)]
    accepted = [r for r in result.recipients if r not in refused]
    row.ids = list(result.message_ids.values()) or ([result.campaign_id] if result.campaign_id else [])
    row.result = f"test sent to {', '.join(accepted) or 'nobody'}"
    if refused:
        row.failure = f"refused: {', '.join(refused)}" + (f" ({'; '.join(result.notes)})" if result.notes else "")
