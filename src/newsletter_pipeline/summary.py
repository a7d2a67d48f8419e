"""Summaries of a run over several issues: a plain table for the terminal, Markdown for CI.

``check`` and ``send`` fill one ``IssueSummary`` per issue; this module only
formats them. ``--summary-file PATH`` writes the Markdown (atomically), and
when ``$GITHUB_STEP_SUMMARY`` is set the same Markdown is appended there, which
is how GitHub Actions shows it on the run's page.

Screenshot links: on GitHub Actions (``GITHUB_SERVER_URL``,
``GITHUB_REPOSITORY`` and ``GITHUB_RUN_ID`` set) they point at the run's
artifacts, since an artifact's files have no address of their own; elsewhere
they are paths relative to the summary file.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .models import GMAIL_CLIP_BYTES, SIZE_WARNING_BYTES
from .output import output_error, reason, write_atomic
from .shots import SHOTS
from .words import plural

STEP_SUMMARY_VAR = "GITHUB_STEP_SUMMARY"
TITLES = {"check": "Newsletter check", "send": "Newsletter test send"}


def first_lines(kind: str) -> str:
    """What every summary file of ``kind`` starts with: its heading and a blank line.

    The one definition for the writer (``markdown``) and for ``wrote_it``, which
    tells a summary of ours (written over on the next run) from any other file.
    """
    return f"## {TITLES[kind]}\n\n"


def wrote_it(start: bytes) -> bool:
    """Whether a file starting with ``start`` is a summary this tool wrote (of either kind)."""
    return any(start.startswith(first_lines(kind).encode("utf-8")) for kind in TITLES)


@dataclass
class IssueSummary:
    """What one issue came to: its email, its findings and, for sends, where it went."""

    path: str  # as the user sees it (relative to the working folder when inside it)
    slug: str = ""
    subject: str = ""
    html_bytes: int | None = None  # None: the issue did not render
    errors: list[str] = field(default_factory=list)  # findings, ``file:line:col: error: rule: message``
    warnings: list[str] = field(default_factory=list)
    failure: str = ""  # why the issue failed beyond its findings (usage, configuration, provider)
    provider: str = ""
    ids: list[str] = field(default_factory=list)  # Message-IDs, or the provider's campaign id
    result: str = ""  # e.g. "checked", "test sent to a@x.org", "not sent"
    screenshots: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failure


@dataclass
class Summary:
    """A run over several issues: ``kind`` is "check" or "send"."""

    kind: str
    issues: list[IssueSummary]
    selection: str = ""  # e.g. "added or changed since abc123"; empty when the issues were named

    @property
    def title(self) -> str:
        return TITLES[self.kind]

    def intro(self) -> str:
        if not self.issues:
            verb = "checked" if self.kind == "check" else "sent"
            return f"No issue {self.selection or 'given'}: nothing {verb}."
        failed = sum(not issue.ok for issue in self.issues)
        count = f"{len(self.issues)} issue{'s' if len(self.issues) != 1 else ''}"
        where = f" {self.selection}" if self.selection else ""
        return f"{count}{where}; {failed} failed." if failed else f"{count}{where}; all passed."


# --- sizes -------------------------------------------------------------------------------------

def size_text(html_bytes: int | None) -> str:
    """``45,120 B (44% of Gmail's 102,400)``; "not rendered" when there is no HTML."""
    if html_bytes is None:
        return "not rendered"
    percent = round(100 * html_bytes / GMAIL_CLIP_BYTES)
    return f"{html_bytes:,} B ({percent}% of Gmail's {GMAIL_CLIP_BYTES:,})"


def size_mark(html_bytes: int | None) -> str:
    if html_bytes is None:
        return ""
    if html_bytes > GMAIL_CLIP_BYTES:
        return "❌ clipped by Gmail: "
    if html_bytes > SIZE_WARNING_BYTES:
        return "⚠️ close to Gmail's limit: "
    return ""


# --- the terminal table ------------------------------------------------------------------------

def text_table(summary: Summary) -> str:
    """Aligned columns for stdout: issue, subject, size, then provider and ids for sends."""
    header = ["issue", "subject", "size", "result"]
    if summary.kind == "send":
        header[3:3] = ["provider", "message or campaign ids"]
    rows = [header]
    for issue in summary.issues:
        size = f"{issue.html_bytes:,} B" if issue.html_bytes is not None else "-"
        row = [issue.path, issue.subject or "-", size, _result(issue)]
        if summary.kind == "send":
            row[3:3] = [issue.provider or "-", " ".join(issue.ids) or "-"]
        rows.append(row)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _result(issue: IssueSummary) -> str:
    if issue.failure:
        return f"failed: {issue.result}" if issue.result else "failed"
    if issue.errors:
        errors = plural(len(issue.errors), "error")
        return f"{errors}: {issue.result}" if issue.result else errors
    return issue.result or "ok"


# --- Markdown ----------------------------------------------------------------------------------

def run_url(environ: Mapping[str, str]) -> str | None:
    """The GitHub Actions run's page, when running there."""
    parts = [environ.get(name, "") for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    return "{}/{}/actions/runs/{}".format(*parts) if all(parts) else None


def find_screenshots(folder: Path, slug: str) -> list[Path]:
    """The PNGs ``newsletter screenshot --out FOLDER`` wrote for ``slug``, in its order."""
    return [path for shot in SHOTS if (path := folder / slug / f"{shot.name}.png").is_file()]


def markdown(summary: Summary, base: Path | None = None, link_to: str | None = None) -> str:
    """The summary as GitHub-flavoured Markdown.

    Screenshot links go to ``link_to`` (the run's page) when given, else are
    relative to ``base`` (the summary file's folder).
    """
    lines = [first_lines(summary.kind) + _cell(summary.intro()), ""]
    if summary.issues:
        lines += _table(summary, base, link_to) + [""]
        lines += [line for issue in summary.issues for line in _details(issue)]
    return "\n".join(lines).rstrip() + "\n"


def _table(summary: Summary, base: Path | None, link_to: str | None) -> list[str]:
    header = ["", "issue", "subject", "HTML size (Gmail clips over 102,400 B)", "errors", "warnings"]
    if summary.kind == "send":
        header += ["provider", "result", "message or campaign ids"]
    else:
        header += ["screenshots"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for issue in summary.issues:
        cells = ["✅" if issue.ok else "❌", f"`{_code(issue.path)}`", _text_cell(issue.subject or "-"),
                 size_mark(issue.html_bytes) + size_text(issue.html_bytes),
                 str(len(issue.errors)), str(len(issue.warnings))]
        if summary.kind == "send":
            cells += [_cell(issue.provider or "-"), _cell(_result(issue)),
                      "<br>".join(f"`{_code(i)}`" for i in issue.ids) or "-"]
        else:
            cells += [_links(issue, base, link_to)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _links(issue: IssueSummary, base: Path | None, link_to: str | None) -> str:
    if not issue.screenshots:
        return "-"
    links = []
    for path in issue.screenshots:
        if link_to:
            target = f"{link_to}#artifacts"
        else:
            target = Path(os.path.relpath(path.resolve(), (base or Path.cwd()).resolve())).as_posix()
        links.append(f"[{_cell(path.stem)}]({target.replace(' ', '%20').replace(')', '%29')})")
    return " · ".join(links)


def _details(issue: IssueSummary) -> list[str]:
    """The findings and failure of one issue, verbatim in a fenced block (no Markdown surprises)."""
    body = [*issue.errors, *issue.warnings] + ([issue.failure] if issue.failure else [])
    if not body:
        return []
    text = "\n".join(body).replace("```", "'''")
    return [f"### `{_code(issue.path)}`", "", "```text", text, "```", ""]


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!~|])")  # what would make a subject a link, an image or emphasis


def _plain(text: str) -> str:
    """One line of text, no HTML."""
    return " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    """Text safe in a table cell: one line, pipes escaped, no HTML."""
    return _plain(text).replace("|", "\\|")


def _text_cell(text: str) -> str:
    """An author's text (a subject) in a cell: also no Markdown, each sign escaped with a backslash.

    A subject ``[win](https://evil.example)`` was a live link in the pull request's comment.
    """
    return _MARKDOWN.sub(r"\\\1", _plain(text))


def _code(text: str) -> str:
    return " ".join(text.split()).replace("`", "'").replace("|", "\\|")


# --- writing -----------------------------------------------------------------------------------

def publish(summary: Summary, path: Path | None, environ: Mapping[str, str] | None = None,
            warn: Callable[[str], None] = lambda line: None) -> list[str]:
    """Write the Markdown to ``path`` (if given) and append it to ``$GITHUB_STEP_SUMMARY`` (if set).

    Returns the places written, for the command to mention: only those really
    written. ``path`` that cannot be written raises ``OutputError`` (exit 4).
    ``$GITHUB_STEP_SUMMARY`` that cannot be appended to is a warning (``warn``),
    not a failure: the runner sets it, and the run's result (a check, test
    sends already made) must not turn into a failure because the run's page
    lacks its table; the warning in the log says why it does.
    """
    environ = os.environ if environ is None else environ
    written = []
    step_summary = environ.get(STEP_SUMMARY_VAR)
    if step_summary:
        try:
            # GitHub collects what each step appends to this file; the file is theirs, so append, never replace
            with open(step_summary, "a", encoding="utf-8") as handle:
                handle.write(markdown(summary, link_to=run_url(environ)) + "\n")
            written.append(f"${STEP_SUMMARY_VAR}")
        except OSError as exc:
            warn(f"warning: ${STEP_SUMMARY_VAR} ({step_summary}): the summary could not be appended there: "
                 f"{reason(exc)} (the run's page shows no summary table; the run's result is unchanged)")
    if path is not None:
        _write_summary_file(path, markdown(summary, base=path.parent))
        written.insert(0, str(path))
    return written


def _write_summary_file(path: Path, text: str) -> None:
    """``write_atomic``, but into a device or a pipe in place (``/dev/stdout``): renaming a temporary
    file over it would replace the device by a regular file (as root, ``/dev/full`` became one)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = stat.S_IFREG  # not there yet (or unreachable): write_atomic makes it or says why not
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):  # a folder: write_atomic's message says what is in the way
        write_atomic(path, text, instead=ELSEWHERE)
        return
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise output_error(path, exc, ELSEWHERE) from None


ELSEWHERE = "choose another --summary-file"
