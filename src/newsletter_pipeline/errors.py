"""Typed errors that carry source locations.

Domain code raises these; only ``cli.py`` turns them into messages and exit
codes, so the rest of the package never prints or exits.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

EXIT_OK = 0
EXIT_INVALID = 1  # invalid issue, template error, check error
EXIT_USAGE = 2  # usage or configuration error, missing file
EXIT_PROVIDER = 3  # provider or network failure after retries
EXIT_OUTPUT = 4  # an output file could not be written (read-only folder, full disk, --out is a file)
EXIT_INTERNAL = 70  # a bug: an unexpected exception (BSD sysexits' EX_SOFTWARE)
EXIT_STDOUT_FAILED = 120  # stdout could not take the output (closed, full disk), as Python exits when its last flush fails
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT), as shells report 128 + 2
EXIT_OUTPUT_CLOSED = 141  # the reader of stdout went away (``| head``): as shells report SIGPIPE, 128 + 13


# Line breaks, control characters (terminal escapes) and bidi overrides in a message would let an issue's
# value break the one-line-per-problem format or rewrite the user's terminal; they are shown escaped.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` with every line break, control character and bidi override escaped (``\\n``, ``\\x1b``)."""
    return _UNPRINTABLE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)

ECHO_LIMIT = 80  # characters of a user's value that a message repeats


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """``value`` quoted for a message, cut to ``limit`` characters with "…".

    A diagnostic repeats the bad value so the user can find it, but a value
    can be a whole pasted page: one screen line is enough to recognise it.
    Control characters show as escapes (``repr``), so a message never
    carries a raw line break or terminal escape from the input.
    """
    return repr(cut(str(value), limit))


def cut(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` itself when short, else its first ``limit - 1`` characters and "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_path(path: Path | str) -> str:
    """Paths relative to the working directory read best in compiler-style messages.

    A symbolic link is named as itself, not as its target: a broken link or a
    link loop must be reported under the name the user gave. The one way every
    message names a file (the issue loader, output errors, ``.env``).
    """
    path, cwd = Path(path), Path.cwd().resolve()
    try:
        return str(Path(os.path.abspath(path)).relative_to(cwd))
    except ValueError:
        pass
    try:
        return str(path.resolve().relative_to(cwd))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a link loop (Python 3.11's pathlib)
        return str(path)


@dataclass(frozen=True)
class Location:
    """A point in a source file; line and col are 1-based (0 means unknown)."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col or 1}"
        return self.file


@dataclass(frozen=True)
class Diagnostic:
    """One located problem: ``file:line:col: level: key.path: message (hint)``."""

    location: Location
    message: str
    key_path: str = ""
    hint: str = ""
    level: str = "error"

    def __str__(self) -> str:
        path = f"{cut(self.key_path)}: " if self.key_path else ""  # a pasted key can be any length
        hint = f" ({self.hint})" if self.hint else ""
        return one_line(f"{self.location}: {self.level}: {path}{self.message}{hint}")


class NewsletterError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str = "", diagnostics: list[Diagnostic] | None = None):
        self.diagnostics: list[Diagnostic] = list(diagnostics or [])
        super().__init__(message or "\n".join(map(str, self.diagnostics)))

    def report(self) -> str:
        """The text shown to the user: every diagnostic, or the message."""
        if self.diagnostics:
            return "\n".join(map(str, self.diagnostics))
        return f"error: {self}"


class IssueError(NewsletterError):
    """The issue file (or the project config) is invalid."""


class TemplateError(NewsletterError):
    """A template failed to render, or produced MJML that does not compile."""


class RenderError(NewsletterError):
    """The rendered email breaks a hard limit (for example Gmail clipping)."""


class UsageError(NewsletterError):
    exit_code = EXIT_USAGE


class MissingFileError(UsageError):
    def __init__(self, path: Path | str, what: str = "issue file"):
        super().__init__(f"{what} not found: {path} (check the path; issues live in issues/)")


class UnreadableFileError(UsageError):
    """An input file exists but cannot be read as a text file (a folder, a pipe, a link loop...)."""

    def __init__(self, path: Path | str, reason: str, hint: str):
        # no diagnostics: callers that collect located problems per issue stop at this one
        self.path, self.reason, self.hint = str(path), reason, hint
        super().__init__(f"{path}: error: {reason} ({hint})")

    def report(self) -> str:
        return str(self)


class OutputError(NewsletterError):
    """An output file could not be written; what was there before is left as it was."""

    exit_code = EXIT_OUTPUT

    def report(self) -> str:
        return str(self)  # the message starts with the path, compiler-style


class ConfigError(NewsletterError):
    """A setting is missing or malformed. Never silenced."""

    exit_code = EXIT_USAGE


class ProviderError(NewsletterError):
    exit_code = EXIT_PROVIDER


class Interrupted(NewsletterError):
    """Ctrl-C or SIGTERM part-way through a send: exit 130, with what the send had done by then."""

    exit_code = EXIT_INTERRUPTED


@dataclass
class DiagnosticList:
    """Collects every diagnostic of a file so the user fixes them in one round."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, location: Location, message: str, key_path: str = "", hint: str = "") -> None:
        self.items.append(Diagnostic(location, message, key_path, hint))

    def raise_if_any(self, error_class: type[NewsletterError] = IssueError) -> None:
        if self.items:
            ordered = sorted(self.items, key=lambda d: (d.location.file, d.location.line, d.location.col))
            raise error_class(diagnostics=ordered)
