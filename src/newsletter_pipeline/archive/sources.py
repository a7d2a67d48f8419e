"""What the archive is built from: the issue files, their slugs and the project settings."""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ConfigError, DiagnosticList, Location, UsageError
from ..issue.load import checked, display_path, issue_files_in, read_settings_doc, refuse_missing_templates
from ..issue.records import Settings

ARCHIVE_URL_ENV = "NEWSLETTER_ARCHIVE_URL"


def find_issue_files(paths: list[Path]) -> list[Path]:
    """Issue files named by ``paths`` (files, or folders searched for *.yaml and *.yml)."""
    found: list[Path] = []
    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError:  # missing, or a name no file can have (over 255 bytes), which is_dir() raises for
            raise UsageError(f"issue file or folder not found: {path} (issues live in issues/)") from None
        if stat.S_ISDIR(mode):
            found += issue_files_in(path)
        elif stat.S_ISREG(mode):
            found.append(path)
        else:
            raise UsageError(f"issue file or folder not found: {path} (issues live in issues/)")
    if not found:
        shown = ", ".join(display_path(p) for p in paths)
        raise UsageError(f"no issue files in {shown} (add one, e.g. issues/2021-12-first-issue.yaml)")
    return found


def refuse_duplicate_slugs(files: list[Path]) -> DiagnosticList:
    """Two files with one slug would write one page: name both, at the second one."""
    problems = DiagnosticList()
    first: dict[str, Path] = {}
    for path in files:
        earlier = first.setdefault(path.stem, path)
        if earlier != path and earlier.resolve() != path.resolve():
            problems.add(Location(display_path(path), 1, 1),
                         f"slug '{path.stem}' is already used by {display_path(earlier)}", "slug",
                         "each issue needs its own file name; rename one of them")
    return problems


def unique_files(files: list[Path]) -> list[Path]:
    """``files`` without the same file named twice (e.g. both ``issues/`` and one of its files)."""
    seen: set[Path] = set()
    kept = []
    for path in files:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            kept.append(path)
    return kept


def load_project_settings(root: Path) -> Settings:
    """newsletter.yaml alone (no issue's overrides), for the site-wide pages.

    Its errors are an ``IssueError`` (exit 1), as when ``build`` loads it with an issue.
    """
    doc = read_settings_doc(root)
    problems = DiagnosticList(list(doc.problems))
    settings = checked(Settings, dataclasses.replace(doc, data=doc.data if isinstance(doc.data, dict) else {}),
                       problems)
    problems.raise_if_any()
    refuse_missing_templates(root, settings.templates, doc, ("templates",))
    return settings


def resolve_base_url(option: str | None, settings: Settings,
                     env: Mapping[str, str] = os.environ) -> tuple[str, str | None]:
    """The site's absolute base URL (ending in ``/``), and a warning when emails link elsewhere.

    Read from ``--base-url``, then ``NEWSLETTER_ARCHIVE_URL``, then newsletter.yaml's
    ``archive_url``: the last two are where the emails' "view in browser" links point.
    """
    configured = env.get(ARCHIVE_URL_ENV) or settings.archive_url
    chosen = option or configured
    if not chosen:
        raise ConfigError(f"the archive needs its public address: pass --base-url URL, set {ARCHIVE_URL_ENV}, "
                          "or set archive_url in newsletter.yaml")
    base = normalize_base_url(chosen)
    warning = None
    linked = configured.rstrip("/") + "/" if configured else None  # as the footer template builds it
    if linked and linked != base:
        warning = (f"warning: --base-url {base} differs from the archive_url the emails link to "
                   f"({linked}); their 'view in browser' links will not reach this site")
    return base, warning


def normalize_base_url(value: str) -> str:
    """An absolute http(s) URL ending in one ``/``, without query or fragment."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(f"invalid base URL {value!r}: use an absolute https:// address, "
                         "e.g. https://news.example.org/")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"
