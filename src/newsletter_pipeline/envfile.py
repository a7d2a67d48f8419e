"""Reading ``.env``: a regular UTF-8 file of ``NAME=value`` lines, or a ``ConfigError`` saying what to fix.

python-dotenv skips a line it cannot parse with a log line of its own and
reads the rest, and skips a ``.env`` that is no file: a send then goes out
with settings the user did not write (an unclosed quote after
``NEWSLETTER_PROVIDER=`` meant the outbox instead of Listmonk). Here every
line that does not parse is named (line, column, the variable when one can be
read), never its value, which may be a secret; and a ``.env`` that is a
folder, a pipe, a device, a broken link or oversized is refused by its path
(``reading.py``: opening never blocks, and what it refuses is never read).

``strict=False`` is for the redactor only: it takes what can be read and
never raises, so that an error about a broken ``.env`` still hides the
secrets of its good lines.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import Binding, parse_stream

from .errors import ConfigError, Diagnostic, Location, display_path
from .reading import BROKEN_LINK, FOLDER, SPECIAL, TOO_LARGE, Refused, read_regular

MAX_BYTES = 1 << 20  # a .env is a few dozen lines; a bigger one was pasted into by mistake (or is no .env)

NAME_VALUE = ("write one setting per line as NAME=value, e.g. NEWSLETTER_PROVIDER=smtp; "
              "a line starting with # is a comment")
PLAIN_FILE = "it must be a plain text file of NAME=value lines: replace it by one, or remove it"
_HINTS = {  # reading.py's hints, in the words of a settings file
    FOLDER: PLAIN_FILE, SPECIAL: PLAIN_FILE,
    BROKEN_LINK: "point the link at your settings file, or replace it by the file",
    TOO_LARGE: "a .env holds a few lines of NAME=value settings: remove what was pasted into it by mistake",
}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")  # a word alone that python-dotenv may take for a name
# a word that reads as one of our settings' names: safe to repeat in a message (a pasted secret is not)
_SETTING_NAME = re.compile(r"(NEWSLETTER|LISTMONK|MAILCHIMP|BREVO)_[A-Z0-9_]+")


@dataclass
class EnvFile:
    """The values of a ``.env`` (python-dotenv's reading, ``${VAR}`` expanded) and the line of each name."""

    path: Path
    values: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # the line of a name's last assignment

    def location(self, name: str) -> Location:
        return Location(display_path(self.path), self.lines.get(name, 0))


def read_env_file(path: Path, strict: bool = True) -> EnvFile:
    """The settings of the ``.env`` at ``path`` (which exists, or is a link); see the module docstring."""
    try:
        data = _read_bytes(path)
        text = _decode(path, data) if strict else data.decode("utf-8-sig", errors="replace")
    except ConfigError:
        if strict:
            raise
        return EnvFile(path)
    bindings = list(parse_stream(io.StringIO(text)))
    problems = [_problem(path, binding) for binding in bindings if binding.error or _stray_word(binding)]
    if problems and strict:
        raise ConfigError(diagnostics=problems)
    good = "".join(b.original.string for b in bindings if not b.error)  # dotenv would log the bad ones
    values = {k: v for k, v in dotenv_values(stream=io.StringIO(good)).items() if v is not None}
    lines = {b.key: _first_line(b) for b in bindings if b.key is not None and not b.error}
    return EnvFile(path, values, lines)


def _read_bytes(path: Path) -> bytes:
    """The bytes of ``path``: a regular file of at most ``MAX_BYTES`` bytes (``reading.py``); else a ``ConfigError``."""
    try:
        return read_regular(path, MAX_BYTES, shown=display_path(path))
    except Refused as exc:
        raise _refused(path, f"this .env {exc.reason}", _HINTS.get(exc.kind, exc.hint)) from None


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", errors="replace")
        line, col = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise ConfigError(diagnostics=[Diagnostic(
            Location(display_path(path), line, col), "this .env file is not UTF-8 text",
            hint="save it as UTF-8 in your editor; the value there is not shown")]) from None


def _refused(path: Path, reason: str, hint: str) -> ConfigError:
    return ConfigError(diagnostics=[Diagnostic(Location(display_path(path)), reason, hint=hint)])


def _stray_word(binding: Binding) -> bool:
    """A line of one word that is no name (``NEWSLETTER_PROVIDER:smtp``): python-dotenv reads it as a name
    without a value, and the setting would be silently unset. A name alone (``NAME``) is its documented
    way to declare a variable without a value, and stays allowed when it is written as settings' names are
    (capitals, digits, ``_``); a word in other letters (``hunter2Secret``) is a value pasted on a line of its
    own, most likely a password, and is named by its line only."""
    return binding.key is not None and binding.value is None and not _ENV_NAME.fullmatch(binding.key)


_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")


def _first_line(binding: Binding) -> int:
    """The line a binding's statement starts on (python-dotenv counts from the blank lines before it)."""
    text = binding.original.string
    return binding.original.line + text[: len(text) - len(text.lstrip())].count("\n")


_KEY = re.compile(r"(export[^\S\r\n]+)?('[^']+'|[^=#\s]+)[^\S\r\n]*")
_QUOTED = {'"': re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL), "'": re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL)}


def _problem(path: Path, binding: Binding) -> Diagnostic:
    """What is wrong with a statement python-dotenv could not parse, at its line and column, in plain words.

    python-dotenv fails only on the name (none, or two words before ``=``) or on
    a quoted value (its quote never closed, or text after it); an unquoted value
    always parses. The value itself is never shown.
    """
    text = binding.original.string
    start = len(text) - len(text.lstrip())
    line = _first_line(binding)
    statement = text[start:]
    indent = start - (text.rfind("\n", 0, start) + 1)

    def at(offset: int, message: str, key: str = "", hint: str = "") -> Diagnostic:
        before = statement[:offset]
        row = line + before.count("\n")
        col = (offset - (before.rfind("\n") + 1)) + 1 + (indent if "\n" not in before else 0)
        return Diagnostic(Location(display_path(path), row, col), message, key, hint)

    found = _KEY.match(statement)
    if not found or statement.startswith("="):
        return at(0, "there is no name before the '='", hint=NAME_VALUE)
    key = found.group(2).strip("'")
    end = found.end()
    if statement[end:end + 1] != "=":
        word = key.split(":", 1)[0]
        named = word if _SETTING_NAME.fullmatch(word) else ""
        if ":" in key:
            return at(found.start(2) + key.index(":"), "this line has ':' where a .env needs '='", named,
                      f"write {named or 'NAME'}=value, with '=' in place of ':'")
        if "=" in statement.split("\n", 1)[0][end:]:
            return at(found.start(2), "the name before the '=' is more than one word", named,
                      "a name is one word without spaces: write NAME=value, e.g. NEWSLETTER_PROVIDER=smtp")
        return at(end, "this line is not NAME=value: there is no '=' after the name", named, NAME_VALUE)
    value = end + 1 + len(statement[end + 1:]) - len(statement[end + 1:].lstrip(" \t\f\v"))
    quote = statement[value:value + 1]
    if quote not in _QUOTED:  # python-dotenv reads any unquoted value; nothing else is known to fail
        return at(0, "this line cannot be read as NAME=value", key, NAME_VALUE)
    closed = _QUOTED[quote].match(statement, value)
    if closed is None:
        return at(value, f"the value's opening quote ({quote}) is never closed", key,
                  f"add the closing {quote} at the end of the value, or remove the opening one"
                  + (f"; a \\{quote} inside the value does not close it" if f"\\{quote}" in statement else ""))
    if "\n" in statement[value:closed.end()]:
        closing_line = line + statement[:closed.end()].count("\n")
        return at(value, f"the value's opening quote ({quote}) is not closed on this line: the value runs on "
                         f"to the next {quote}, on line {closing_line}", key,
                  f"add the closing {quote} at the end of this line's value")
    after = closed.end() + len(statement[closed.end():]) - len(statement[closed.end():].lstrip(" \t\f\v"))
    return at(after, f"there is text after the value's closing quote ({quote})", key,
              "put the whole value inside the quotes, or remove what follows them; a comment after a value "
              "starts with a space and #")
