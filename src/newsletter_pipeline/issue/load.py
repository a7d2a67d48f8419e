"""Load an issue file and the project settings it shares, reporting every error at once."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import ConfigError, Diagnostic, DiagnosticList, Location, display_path
from ..i18n import Messages, messages_for
from ..i18n.project import template_message_ids
from ..template_folders import template_chain
from .located_yaml import LocatedDocument, Path_, read_located_yaml
from .defaults import with_localized_defaults
from .editions import MAX_STEM, NAME, split_name
from . import records
from .records import FooterBlock, Issue, Settings, Unsure
from .strings import check_strings

CONFIG_NAME = "newsletter.yaml"
ISSUE_SUFFIXES = (".yaml", ".yml")  # what an issue file may end in
SLUG_PATTERN = NAME  # YYYY-MM-slug, or YYYY-MM-slug.<language> for an edition (editions.py)


@dataclass(frozen=True)
class LoadedIssue:
    """A validated issue with its settings and the location of every value."""

    path: Path
    slug: str
    issue: Issue
    settings: Settings
    doc: LocatedDocument
    project_root: Path
    messages: Messages = Messages("en", "en")  # the built-in words, in the issue's language

    @property
    def edition(self) -> str | None:
        """The language of an edition file (``x.el.yaml``: ``"el"``); None for the default edition."""
        return (split_name(self.slug) or ("", None))[1]

    @property
    def base_slug(self) -> str:
        """The slug every edition of this issue shares."""
        return (split_name(self.slug) or (self.slug,))[0]

    def location(self, path: Path_) -> Location:
        """Where the value at an issue key path (e.g. ``("blocks", 3, "image")``) is written."""
        return self.doc.value_location(path)


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding newsletter.yaml, else the current one.

    Anything named newsletter.yaml counts (a folder, a broken link), so that
    reading it reports what is wrong with it rather than "no newsletter.yaml".
    """
    for folder in [start, *start.parents]:
        if os.path.lexists(folder / CONFIG_NAME):
            return folder
    return Path.cwd()


def issue_files_in(folder: Path) -> list[Path]:
    """The issue files of ``folder``, in name order: its ``.yaml``/``.yml`` files but ``newsletter.yaml``
    (what ``check``, ``build``, ``archive`` and the preview take a folder to mean)."""
    return sorted(p for p in folder.iterdir() if p.suffix in ISSUE_SUFFIXES and p.name != CONFIG_NAME and p.is_file())


def expand_folders(paths: list[Path]) -> list[Path]:
    """``paths`` with each folder replaced by the issue files in it (``check issues/``), in name order.

    Anything else passes through for the loader to read or to explain: a file,
    a missing path, and a folder named like an issue file (``x.yaml/``), which
    is a mistake the loader names.
    """
    out: list[Path] = []
    for path in paths:
        if path.suffix in ISSUE_SUFFIXES or not os.path.isdir(path):  # Path.is_dir() raises for a long name
            out.append(path)
            continue
        found = issue_files_in(path)
        if not found:
            from ..errors import UsageError

            raise UsageError(f"no issue files in {display_path(path)} (issue files end in .yaml, e.g. "
                             f"{display_path(path / '2024-05-my-issue.yaml')})")
        out += [Path(display_path(p)) for p in found]
    return out


def read_settings_doc(root: Path) -> LocatedDocument:
    path = root / CONFIG_NAME
    if not os.path.lexists(path):
        raise ConfigError(
            f"no {CONFIG_NAME} found in {display_path(root)} or the folders above the issue "
            "(create one with your sender, postal address and brand; see README 'Project settings')"
        )
    return read_located_yaml(path, display_path(path), "settings file")


def refuse_missing_templates(root: Path, templates: str | None, doc: LocatedDocument, key: Path_) -> None:
    """A ``ConfigError`` (exit 2) at the ``templates:`` line when it names no folder, as ``--templates`` gets.

    Skipping it would build with the project's and the built-in templates
    while the user believes their overrides are used (a typo in the name).
    """
    if not templates:
        return
    folder = root / templates
    if folder.is_dir():
        return
    if folder.is_symlink() and not folder.exists():
        what = f"is a symbolic link to {os.readlink(folder)}, which does not exist"
    else:
        what = "is a file, not a folder" if folder.exists() else "does not exist"
    raise ConfigError(diagnostics=[Diagnostic(
        doc.value_location(key), f"{display_path(folder)} {what}", ".".join(map(str, key)),
        f"name the folder that holds your template overrides, relative to {CONFIG_NAME}, such as "
        "templates: my-templates; or remove the line to use the project's templates/ and the built-in ones")])


def load_issue(path: Path | str, env: dict[str, str] | None = None, templates: Path | None = None) -> LoadedIssue:
    """Read, validate and merge an issue with its project settings.

    ``templates``: the ``--templates`` folder the issue renders with, whose
    messages ``strings:`` may translate like those of the project's ``templates/``.

    Raises ``MissingFileError`` for a missing file, ``UnreadableFileError``
    for one that is no readable file (see ``located_yaml.read_source``) and
    ``IssueError`` carrying every located problem of the issue and the settings.
    """
    path = Path(path)
    shown = display_path(path)
    doc = read_located_yaml(path, shown)  # first: a link loop or a folder is refused before resolve()
    root = find_project_root(path.resolve().parent)
    problems = DiagnosticList()
    config_doc = read_settings_doc(root)
    if SLUG_PATTERN.match(path.stem.lower()) and not SLUG_PATTERN.match(path.stem):
        # pt-BR, sr-Latn: a language tag as the README and BCP 47 write it, but a file name is an address
        problems.add(Location(shown, 1, 1), f"file name '{path.name}' has capital letters",
                     hint=f"rename it to {path.stem.lower()}{path.suffix}: file names are written in small "
                          "letters, also an edition's language (pt-br for pt-BR)")
    elif not SLUG_PATTERN.match(path.stem):
        problems.add(Location(shown, 1, 1), f"file name '{path.name}' is not YYYY-MM-slug.yaml",
                     hint="rename it, e.g. 2021-12-one-year-of-ai4media.yaml (or .el.yaml for its Greek edition); "
                          "the slug uses a-z, 0-9 and -")
    elif len(path.stem) > MAX_STEM:  # the build's folder and the send record are named after it
        problems.add(Location(shown, 1, 1), f"the file name is {len(path.stem)} characters long before "
                     f"{path.suffix}, too long for the folders and records named after it",
                     hint=f"shorten the file name to at most {MAX_STEM} characters before {path.suffix}")
    if not isinstance(doc.data, dict):
        problems.items.append(_not_a_mapping(shown))
        problems.raise_if_any()
    schema_problems = DiagnosticList()
    issue = _validate_issue(doc, schema_problems)
    settings = _validate_settings(config_doc, doc, schema_problems)
    overrides = doc.data.get("settings")
    if settings is not None and not (isinstance(overrides, dict) and "templates" in overrides):
        refuse_missing_templates(root, settings.templates, config_doc, ("templates",))
    early = doc.problems + config_doc.problems
    problems.items += early
    reported = {(d.location.file, d.key_path) for d in early}
    problems.items += [d for d in schema_problems.items if (d.location.file, d.key_path) not in reported]
    if settings is not None:
        chain = template_chain(root, settings.templates, templates)
        check_strings(settings.strings, config_doc, doc, problems, partial(template_message_ids, chain))
    problems.raise_if_any()
    assert issue is not None and settings is not None
    _check_edition_language(path, issue, doc, problems)
    problems.raise_if_any()
    settings = _apply_env(settings, env if env is not None else os.environ)
    messages = messages_for(issue.language, settings.strings)
    issue = with_localized_defaults(_with_footer(issue), messages, social=bool(settings.social))
    return LoadedIssue(path, path.stem, issue, settings, doc, root, messages)


def _not_a_mapping(shown: str) -> Diagnostic:
    return Diagnostic(Location(shown, 1, 1), "an issue must be a mapping of key: value lines",
                      hint="start with 'subject: ...'")


def issue_problems(doc: LocatedDocument) -> list[Diagnostic]:
    """What check's schema stage finds wrong with ``doc`` as an issue, settings aside (``new --from``).

    Empty when ``doc`` is an issue whose structure can be relied on: a mapping,
    without the reader's problems (duplicate keys...), valid against the schema.
    """
    if not isinstance(doc.data, dict):
        return [_not_a_mapping(doc.file)]
    found = DiagnosticList()
    _validate_issue(doc, found)
    reported = {(d.location.file, d.key_path) for d in doc.problems}
    return [*doc.problems, *(d for d in found.items if (d.location.file, d.key_path) not in reported)]


def _check_edition_language(path: Path, issue: Issue, doc: LocatedDocument, problems: DiagnosticList) -> None:
    """An edition's file name and its ``language:`` must agree: the name decides where it goes."""
    edition = (split_name(path.stem) or ("", None))[1]
    if edition and edition != issue.language.lower():
        where = doc.value_location(("language",)) if "language" in doc.data else Location(doc.file, 1, 1)
        problems.add(where, f"the file name says this is the '{edition}' edition, but language is "
                            f"'{issue.language}'", "language",
                     f"write language: {edition}, or rename the file to {split_name(path.stem)[0]}."  # type: ignore[index]
                     f"{issue.language.lower()}{path.suffix}")


def checked(model: type[records.Record], doc: LocatedDocument, problems: DiagnosticList) -> Any:
    """``doc``'s value as a ``model`` record; ``None`` with its errors in ``problems``.

    The records' own check (records.py) answers for a valid file without
    pydantic; anything it cannot vouch for goes to the pydantic models of
    schema.py, whose errors are the located messages (validation.py).
    """
    data = doc.data
    try:
        return records.validate(model, data, doc.plain)
    except Unsure:
        pass
    from pydantic import ValidationError

    from . import schema
    from .validation import add_validation_errors, validate_as_written

    exact = getattr(schema, model.__name__)
    try:
        valid = validate_as_written(exact, data, doc.plain)
    except ValidationError as exc:
        add_validation_errors(exc, exact, doc, problems)
        return None
    return records.from_model(model, valid.model_dump())


def _validate_issue(doc: LocatedDocument, problems: DiagnosticList) -> Issue | None:
    issue = checked(Issue, doc, problems)
    if issue is None:
        return None
    footers = [i for i, b in enumerate(issue.blocks) if isinstance(b, FooterBlock)]
    for extra in footers[1:]:
        problems.add(doc.value_location(("blocks", extra)), "an issue has at most one footer",
                     f"blocks[{extra}]", "remove this block")
    return issue


def _validate_settings(config: LocatedDocument, doc: LocatedDocument, problems: DiagnosticList) -> Settings | None:
    base = config.data if isinstance(config.data, dict) else {}
    override = doc.data.get("settings") if isinstance(doc.data, dict) else None
    merged_doc = LocatedDocument(config.file, _deep_merge(base, override or {}),
                                 dict(config.values), dict(config.keys), plain=dict(config.plain),
                                 merged=config.merged | {p[1:] for p in doc.merged if p[:1] == ("settings",)})
    if isinstance(override, dict):  # errors in overridden values point into the issue file
        for table, source in ((merged_doc.values, doc.values), (merged_doc.keys, doc.keys),
                              (merged_doc.plain, doc.plain)):
            table.update({p[1:]: v for p, v in source.items() if p[:1] == ("settings",) and len(p) > 1})
    found = DiagnosticList()
    if isinstance(override, dict) and "templates" in override:
        # the templates are code (README, "Security model"); an issue is content, which anyone who
        # writes one could otherwise turn into markup of their choosing, e.g. through a picture folder
        found.add(doc.key_location(("settings", "templates")), "an issue cannot choose the templates",
                  "templates", "remove this line; set the project's templates in newsletter.yaml, "
                  "or with --templates")
    settings = checked(Settings, merged_doc, found)
    # next to the issue file, show the key path as written there: settings.brand...
    problems.items += [replace(d, key_path=f"settings.{d.key_path}")
                       if d.location.file == doc.file and d.key_path else d for d in found.items]
    return settings


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _with_footer(issue: Issue) -> Issue:
    """Every email ends with the legally required footer, written or not."""
    if any(isinstance(b, FooterBlock) for b in issue.blocks):
        return issue
    return issue.model_copy(update={"blocks": [*issue.blocks, FooterBlock(type="footer")]})


def _apply_env(settings: Settings, env: Any) -> Settings:
    archive = env.get("NEWSLETTER_ARCHIVE_URL")
    if archive:
        return settings.model_copy(update={"archive_url": archive})
    return settings

