"""``newsletter init DIR``: a new newsletter project that builds and passes ``check --strict``.

The starter files live in ``newsletter_pipeline/starter/`` (inside the package,
so a wheel installed anywhere has them). Values the user gives are written
into the YAML as JSON strings, which YAML reads as double-quoted scalars: a
name with a colon, a quote or a ``#`` stays one value.

An existing file is never overwritten: the command first lists every file it
would write, and refuses (exit 2) when any of them is there, before writing
anything. A failure half-way removes the files it had written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from string import Template

from pydantic import TypeAdapter, ValidationError

from ..errors import OutputError, UsageError
from ..output import write_atomic

STARTER = Path(__file__).resolve().parent.parent / "starter"
DEFAULT_SENDER = "newsletter@example.org"
DEFAULT_ADDRESS = "Example Organisation, 1 Example Street, 1000 Example City, Country"
ELSEWHERE = "choose another folder: newsletter init OTHER-DIR"  # what to do when a file cannot be written (no --out here)


@dataclass(frozen=True)
class Answers:
    """What ``init`` asks for (options, or prompts on a terminal)."""

    name: str
    sender_email: str = DEFAULT_SENDER
    postal_address: str = DEFAULT_ADDRESS
    language: str = "en"


def validate(answers: Answers) -> None:
    """Refuse (``UsageError``, exit 2) an answer that would make ``newsletter.yaml`` invalid.

    Each field is checked by the schema's own type, so init accepts exactly
    what the loader will; the message names the option to change.
    """
    from ..issue.schema import Email, LanguageTag, Lines, Text

    for option, kind, value, example in (
        ("--name", Text, answers.name, '"Example Weekly"'),
        ("--sender-email", Email, answers.sender_email, "news@example.org"),
        ("--postal-address", Lines, answers.postal_address, '"Example Org, 1 Main Street, 1000 City"'),
        ("--language", LanguageTag, answers.language, "en, de or pt-BR"),
    ):
        try:
            TypeAdapter(kind).validate_python(value)
        except ValidationError:
            raise UsageError(f"{option} {json.dumps(value, ensure_ascii=False)} cannot be used: "
                             f"{_why(option)} (for example {option} {example})") from None
    if "\n" in answers.name or not answers.name.strip():
        raise UsageError("--name must be one line of text (for example --name \"Example Weekly\")")


def _why(option: str) -> str:
    return {"--name": "the name must be one line of text, without tabs or control characters",
            "--sender-email": "that is not an email address",
            "--postal-address": "the postal address must be text (it may span lines)",
            "--language": "give a language code of 2 or 3 letters, optionally with a region"}[option]


def files(answers: Answers, today: dt.date) -> dict[str, str]:
    """Every file of the new project, by path relative to its folder (nothing is written)."""
    from .schema import issue_schema, settings_schema

    values = _values(answers, today)
    issue_name = f"issues/{today:%Y-%m}-welcome.yaml"
    return {
        "newsletter.yaml": _template("newsletter.yaml", values),
        issue_name: _template("issue.yaml", values),
        "images/README.md": "Keep the originals of your pictures here. In an issue, an image's `src:` is the\n"
                            "https: address where you put the picture on the web.\n",
        "schema/issue.schema.json": json.dumps(issue_schema(), indent=2, ensure_ascii=False) + "\n",
        "schema/settings.schema.json": json.dumps(settings_schema(), indent=2, ensure_ascii=False) + "\n",
        ".env.example": _env_example(),
        ".gitignore": (STARTER / "gitignore").read_text(encoding="utf-8"),
        ".github/workflows/newsletter.yml": (STARTER / "workflow.yml").read_text(encoding="utf-8"),
        "requirements.txt": _template("requirements.txt", values),
        "README.md": _template("README.md", {"name": answers.name}),
    }


def _env_example() -> str:
    from ..config import env_example

    return env_example()


def _values(answers: Answers, today: dt.date) -> dict[str, str]:
    """The starter's placeholders: YAML scalars (JSON strings) and the words in ``answers.language``."""
    from ..i18n import date_locale, messages_for
    from ..render.dates import format_month

    _ = messages_for(answers.language).gettext
    quoted = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731 - a YAML double-quoted scalar
    words = {
        "subject": _("Welcome to {name}").format(name=answers.name),
        "preheader": _("Our first issue: what to expect, and how to reach us."),
        "subtitle": _("Newsletter · {month}").format(month=format_month(today, date_locale(answers.language))),
        "editorial_title": _("Hello, and thank you for subscribing"),
        "article_title": _("How this newsletter is made"),
    }
    bodies = {
        "editorial_body": _("Each issue brings you our news, the stories behind them and the events coming up. "
                            "Reply to this email to tell us what you would like to read about."),
        "article_body": _("Every issue is a short text file. We write it, check it, preview it, and send "
                          "ourselves a test before it goes to you."),
    }
    return {
        "name": quoted(answers.name), "sender_email": quoted(answers.sender_email),
        "postal_address": quoted(answers.postal_address), "language": quoted(answers.language),
        "date": today.isoformat(), "title": quoted(words["subject"]),
        **{key: quoted(text) for key, text in words.items()},
        **bodies,  # inside a literal block (|-): one line, written as is
        "requirement": f"newsletter-pipeline=={version('newsletter-pipeline')}",
    }


def _template(name: str, values: dict[str, str]) -> str:
    return Template((STARTER / name).read_text(encoding="utf-8")).substitute(values)


def existing(folder: Path, paths: list[str]) -> list[str]:
    """The paths of ``paths`` already present under ``folder`` (anything counts, a broken link too)."""
    return [p for p in paths if os.path.lexists(folder / p)]


def run(folder: Path, answers: Answers, today: dt.date | None = None,
        announce: Callable[[str], None] = lambda line: None) -> list[str]:
    """Write the new project into ``folder`` (made if missing); return the paths written.

    Raises ``UsageError`` (exit 2) when ``folder`` is a file or any file to
    write exists, before writing anything; ``OutputError`` (exit 4) when a
    file cannot be written, after removing those already written.
    """
    validate(answers)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder: give a new folder's name "
                         "(e.g. newsletter init my-newsletter)")
    planned = files(answers, today or dt.date.today())
    there = existing(folder, list(planned))
    if there:
        raise UsageError(f"{folder} already has {', '.join(there)}; newsletter init never overwrites "
                         "a file: choose a new folder, or move these files away first")
    written: list[Path] = []
    made: list[Path] = []
    try:
        for relative, content in planned.items():
            target = folder / relative
            made += _make_folder(target.parent)
            write_atomic(target, content, instead=ELSEWHERE)
            written.append(target)
    except OutputError:
        _undo(written, made)
        raise
    for target in written:  # only once all are there: a failure removes them again
        announce(f"wrote {target}")
    return list(planned)


def _make_folder(folder: Path) -> list[Path]:
    """Make ``folder`` and its missing parents; return those it made, outermost first."""
    missing = [p for p in [folder, *folder.parents] if not p.exists()][::-1]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from ..output import output_error

        raise output_error(folder, exc, ELSEWHERE) from None
    return missing


def _undo(written: list[Path], made: list[Path]) -> None:
    """Remove what a failed ``init`` wrote: its files, then the folders it made (innermost first)."""
    for path in written:
        path.unlink(missing_ok=True)
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty: something else was put there meanwhile


__all__ = ["Answers", "DEFAULT_ADDRESS", "DEFAULT_SENDER", "STARTER", "files", "run", "validate"]
