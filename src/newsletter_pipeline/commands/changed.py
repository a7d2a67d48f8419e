"""Several issues at once, for CI: ``--changed-since REF``, ``--summary-file`` and ``newsletter changed``.

- ``select(issues, ref)``: the ISSUE arguments, or the issue files git says
  were added or changed in ``REF...HEAD`` (``changes.changed_issues``);
  exactly one of the two (a usage error otherwise).
- ``check_summary``: turns a ``check`` run into a ``summary.Summary``;
  ``refuse_summary_over_inputs``: ``--summary-file`` is never a file the run reads;
  ``refuse_foreign_summary``: nor any other file but a summary this tool wrote.
- ``send_tests``: test-sends each issue in turn with ``send.send_issue``, the
  one function that sends one issue (``newsletter send ISSUE`` calls it
  too). An issue that fails (invalid, check errors, settings, provider) is
  reported and the others are still sent; the exit code is the highest of the failures' codes (1, 2, 3). An
  issue with check errors is never sent. List sends are not offered here:
  CI test-sends, and only a person sends to the list.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from ..changes import changed_issues
from ..errors import EXIT_OK, NewsletterError, UsageError
from ..issue.load import CONFIG_NAME, ISSUE_SUFFIXES, display_path, find_project_root
from ..output import reason
from ..providers.base import SendResult, Status
from ..summary import IssueSummary, Summary, find_screenshots, wrote_it
from .check import CheckRun, project_of
from .send import Attempt, SendOptions, send_issue, validate_options

Echo = Callable[[str], None]


def require_one(issues: list[Path], ref: str | None, verb: str = "check") -> None:
    """ISSUE arguments or ``--changed-since REF``: exactly one of the two (exit 2 otherwise).

    ``check`` never gets here without ISSUE (it defaults to issues/, as ``archive`` does);
    ``send`` says why it does not.
    """
    if issues and ref is not None:
        raise UsageError("give ISSUE arguments or --changed-since REF, not both")
    if not issues and ref is None:
        example = _example_issue()
        flag = " --test" if verb == "send" else ""
        raise UsageError(f"missing ISSUE: name the issue to {verb}, e.g. `newsletter {verb} {example}{flag}`, "
                         "or pass --changed-since REF to take the ones git says were added or changed since REF "
                         f"(unlike `archive`, `{verb}` never takes every issue in issues/ by itself)")


def default_issues() -> list[Path]:
    """What ``check`` takes without ISSUE: every issue in the project's issues/, as ``archive`` does."""
    from ..archive.sources import find_issue_files

    folder = find_project_root(Path.cwd().resolve()) / "issues"
    if not folder.is_dir():
        raise UsageError(f"missing ISSUE: name the issue files (there is no issues/ folder in "
                         f"{display_path(folder.parent)} to check instead)")
    return [Path(display_path(path)) for path in find_issue_files([folder])]


def _example_issue() -> str:
    """The newest issue in the project's issues/ (for an example), else a made-up name."""
    folder = find_project_root(Path.cwd().resolve()) / "issues"
    found = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return display_path(found[-1]) if found else "issues/2024-05-my-issue.yaml"



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

def refuse_summary_over_inputs(path: Path | None, issues: list[Path], option: str = "--summary-file",
                               fix: str = "give the summary a file of its own, e.g. --summary-file summary.md"
                               ) -> None:
    """A ``UsageError`` (exit 2) when ``path`` is a file this run reads, before it reads any.

    The summary is Markdown written over whatever is at ``path``: named after an
    issue (``check X.yaml --summary-file X.yaml``), ``newsletter.yaml`` or
    ``.env``, it replaced that file, and the run said "summary written". The
    same file is found however it is named (a link, ``./``, a hard link: the
    same inode). A ``.yaml`` file in ``issues/`` is refused too: the next
    ``check`` or ``archive`` would read the Markdown as an issue.
    """
    if path is None:
        return
    roots = dict.fromkeys([*map(project_of, issues), find_project_root(Path.cwd().resolve())])
    inputs = [*issues, *(root / name for root in roots for name in (CONFIG_NAME, ".env"))]
    hit = next((given for given in inputs if _same_file(path, given)), None)
    if hit is not None:
        also = "" if display_path(hit) == display_path(path) else f" ({display_path(hit)})"
        raise UsageError(f"{option} {path} is a file this run reads{also}: the summary would be written into "
                         f"it; {fix}")
    if path.suffix.lower() in ISSUE_SUFFIXES and any(_same_file(path.parent, root / "issues") for root in roots):
        raise UsageError(f"{option} {path} would be an issue file in issues/, which the next check reads as an "
                         f"issue; {fix}")


def refuse_foreign_summary(path: Path | None) -> None:
    """A ``UsageError`` (exit 2) when ``path`` exists and is not a summary this tool wrote, before any work.

    Listing the files a run reads never ends (``--templates``' and the
    project's templates, the issue's local pictures, whatever a later version
    reads): ``--summary-file templates/blocks/article.txt.j2`` replaced a
    template by Markdown and said "summary written". So the summary replaces
    only a file that starts as the writer starts every summary
    (``summary.wrote_it``): the one CI rewrites on each run. Also written: an
    empty file (the user made it for the summary, ``touch summary.md``) and
    what is no regular file (``/dev/stdout``, a pipe: written in place, never
    replaced). A folder is click's to refuse (``dir_okay=False``).
    """
    if path is None:
        return
    fix = "give the summary a new file, e.g. --summary-file summary.md"
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return
        with open(path, "rb") as handle:
            start = handle.read(64)
    except FileNotFoundError:
        return
    except OSError as exc:  # unreadable: whether it is a summary cannot be told, and a rename would replace it
        raise UsageError(f"{path} already exists and cannot be read ({reason(exc)}) to tell whether newsletter "
                         f"wrote it: {fix}") from None
    if start and not wrote_it(start):
        raise UsageError(f"{path} already exists and is not a summary newsletter wrote: {fix}")


def _same_file(a: Path, b: Path) -> bool:
    """One file (or folder) under both names: the same inode when both exist, else the same resolved path."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        pass
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a link loop (Python 3.11's pathlib)
        return False


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
            result="checked" if check.rendered else "not read" if not check.readable
            else "not rendered, so only its values were checked")
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
    """Test-send every issue with ``send.send_issue``; returns the highest failure's exit code and a row each.

    An issue that fails (invalid, check errors, settings, provider) is
    reported, located, and the others are still sent.
    """
    validate_test_options(options)
    code, rows = EXIT_OK, []
    for path in paths:
        echo(f"== {path}")
        attempt = Attempt(path)
        try:
            issue_code = send_issue(attempt, options, None, echo, echo_err)
            failure = None
        except NewsletterError as exc:
            echo_err(exc.report())
            issue_code, failure = exc.exit_code, exc
        rows.append(_row(attempt, failure))
        code = max(code, issue_code)
    return code, rows


def _row(attempt: Attempt, failure: NewsletterError | None) -> IssueSummary:
    """The summary row of one issue: its email and findings, then what became of the send."""
    row = IssueSummary(path=str(attempt.path), slug=attempt.path.stem, provider=attempt.provider)
    if attempt.rendered is not None:
        rendered = attempt.rendered
        # one line in the table even when the subject is refused for its line breaks
        row.slug, row.subject, row.html_bytes = rendered.slug, " ".join(rendered.subject.split()), rendered.html_bytes
    if attempt.report is not None:
        row.errors = [str(f) for f in attempt.report.errors]
        row.warnings = [str(f) for f in attempt.report.warnings]
    if attempt.report is not None and attempt.report.errors:
        row.result = "not sent: fix the check errors"
    elif failure is not None:
        if failure.diagnostics:
            row.errors = [str(d) for d in failure.diagnostics if d.level == "error"] or [failure.report()]
        else:
            row.failure = failure.report()
        row.result = "not sent"
    elif attempt.dry_run:
        row.result = "dry run: not sent"
    elif attempt.result is not None:
        _record(row, attempt.result)
    return row


def _record(row: IssueSummary, result: SendResult) -> None:
    refused = [r for r, status in result.outcomes.items() if status in (Status.REJECTED, Status.FAILED)]
    accepted = [r for r in result.recipients if r not in refused]
    row.ids = list(result.message_ids.values()) or ([result.campaign_id] if result.campaign_id else [])
    row.result = f"test sent to {', '.join(accepted) or 'nobody'}"
    if refused:
        row.failure = f"refused: {', '.join(refused)}" + (f" ({'; '.join(result.notes)})" if result.notes else "")
