"""``newsletter new TITLE``: the next issue, with the block structure of the last one.

Every text of the source issue becomes a ``TODO: ...`` placeholder and every
address keeps its site but gets the path ``/TODO`` (a picture in the project
folder gets the site its pictures are published on), so the new file builds at
once (the preview shows the structure) while ``check`` and ``send`` report
each placeholder at its line until it is replaced (the ``placeholder`` rule).
The subject is the title, the date the given one, the preheader a placeholder:
nothing of the old issue's envelope is left to go stale.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..archive.sources import ARCHIVE_URL_ENV
from ..errors import Diagnostic, IssueError, Location, NewsletterError, UsageError, echo
from ..issue.editions import split_name
from ..issue.load import display_path, find_project_root, issue_problems, read_settings_doc
from ..issue.located_yaml import read_located_yaml
from ..issue.values import ValueProblem, single_line
from ..output import write_atomic
from ..render.media import is_local
from ..slugs import MAX_LENGTH, slugify

# values that choose a layout rather than say something: kept as they are
KEPT = frozenset({"type", "id", "image_position", "network", "decorative", "columns", "level", "width", "height",
                  "language", "settings"})
IMAGE_SUFFIX = re.compile(r"\.(png|jpe?g|gif|webp)$", re.IGNORECASE)
PICTURE_KEYS = frozenset({"src", "dark_src", "logo", "icon"})  # the fields that may name a picture file of the project


def latest_issue(issues: Path) -> Path | None:
    """The newest default-edition issue in ``issues`` by its ``YYYY-MM-`` name, or None."""
    named = [p for p in issues.glob("*.yaml") if (split_name(p.stem) or ("", "x"))[1] is None]
    return max(named, key=lambda p: p.name, default=None)


def placeholder_for(key: str, value: Any, date: dt.date, site: str | None = None) -> Any:
    """The placeholder that replaces ``value`` (at ``key``): text -> ``TODO: ...``, URL -> site/TODO.

    A picture file of the project (``images/x.jpg``) becomes ``site/TODO.jpg``
    on ``site``, where the project publishes its pictures (``picture_site``):
    the text placeholder is no address, so no build took it, and the
    original path would build but slip last issue's picture past ``check``.
    Without a ``site`` the path is kept: it did not build without one either,
    and the build's error says to set archive_url.
    """
    if isinstance(value, dt.date):
        return date
    if not isinstance(value, str) or key in KEPT:
        return value
    if value.strip().startswith(("https://", "http://")):
        parts = urlsplit(value.strip())
        return f"{parts.scheme}://{parts.netloc}/TODO{_suffix(parts.path)}"
    if value.strip().startswith("mailto:"):
        return f"mailto:TODO@{value.rpartition('@')[2]}"
    if key in PICTURE_KEYS and value.strip() and is_local(value.strip()):
        return f"{site}/TODO{_suffix(value.strip())}" if site else value
    return f"TODO: write the {key.replace('_', ' ')}"


def _suffix(path: str) -> str:
    """A picture's extension (``.jpg``), kept on its placeholder so the image checks see a picture."""
    found = IMAGE_SUFFIX.search(path)
    return found.group(0).lower() if found else ""


def picture_site(root: Path, source: dict[str, Any], env: Mapping[str, str]) -> str | None:
    """``https://host`` of the address the project's pictures are published under, as the build picks it
    (NEWSLETTER_ARCHIVE_URL, else the issue's archive_url, else newsletter.yaml's), else of its website."""
    settings = source.get("settings")
    settings = settings if isinstance(settings, dict) else {}
    try:
        config = read_settings_doc(root).data
    except NewsletterError:  # a broken newsletter.yaml is the build's to report, at its line; `new` still writes
        config = {}
    config = config if isinstance(config, dict) else {}
    for value in (env.get(ARCHIVE_URL_ENV), settings.get("archive_url"), config.get("archive_url"),
                  settings.get("website"), config.get("website")):
        parts = urlsplit(value.strip()) if isinstance(value, str) else None
        if parts and parts.scheme in ("https", "http") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return None


def hollow(value: Any, key: str, date: dt.date, site: str | None = None) -> Any:
    """``value`` with its structure kept and every text and address replaced by a placeholder."""
    if key in KEPT:
        return value
    if isinstance(value, dict):
        return {k: hollow(v, k, date, site) for k, v in value.items()}
    if isinstance(value, list):
        item_key = key[:-1] if key.endswith("s") else key  # items -> item, names -> name
        return [hollow(v, item_key, date, site) for v in value]
    return placeholder_for(key, value, date, site)


def new_issue(source: dict[str, Any], title: str, date: dt.date, site: str | None = None) -> dict[str, Any]:
    """The new issue's data: fresh subject, preheader and date; ``source``'s blocks hollowed out
    (its local pictures on ``site``, see ``placeholder_for``)."""
    blocks = [hollow(block, "block", date, site) for block in source.get("blocks") or []]
    for block in blocks:  # the masthead's title is the issue's title
        if isinstance(block, dict) and block.get("type") == "masthead" and "title" in block:
            block["title"] = title
    data: dict[str, Any] = {"subject": title, "preheader": "TODO: write the preheader (the line inboxes show "
                            "after the subject)", "date": date}
    for key in ("language", "settings"):
        if key in source:
            data[key] = source[key]
    data["blocks"] = blocks or [{"type": "masthead", "title": title}]
    return data


def render(data: dict[str, Any], source_name: str) -> str:
    """The issue file's text: the schema line, a note on the placeholders, then the YAML."""
    import yaml

    header = ("# yaml-language-server: $schema=../schema/issue.schema.json\n"
              f"# Written by `newsletter new` with the blocks of {source_name}. Replace every TODO:\n"
              "# `newsletter check` lists those left, and an issue with a TODO is never sent.\n")
    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True  # one date object in many places is written out each time, never as &id001

    body = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
    return header + body


def refuse_no_issue(shown: str, problems: list[Diagnostic]) -> None:
    """An ``IssueError`` (exit 1, as ``check`` gives it) when the source is no valid issue.

    Its blocks are the structure of the new file: copying a list that is no
    list of blocks (``blocks: 5``), or a file that is no issue at all
    (``--from /etc/passwd``), would crash or write a file that only looks like
    a start. The problems are the source's own, at their lines.
    """
    if not problems:
        return
    lead = Diagnostic(Location(shown, 1, 1), "this is not an issue that newsletter new can take the blocks from",
                      hint="fix the problems listed below, as newsletter check also reports them, or give "
                           "another issue with --from ISSUE; nothing was written")
    ordered = sorted(problems, key=lambda d: (d.location.line, d.location.col))
    raise IssueError(diagnostics=[lead, *ordered])


def run(title: str, date: dt.date | None = None, source: Path | None = None, cwd: Path | None = None,
        slug: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """Write ``issues/YYYY-MM-<slug>.yaml`` of the project at ``cwd``; return its path.

    ``slug`` (``--slug``) names the file instead of the title: a title in
    Chinese or Japanese, or only emoji, has nothing to spell one with.
    Raises ``UsageError`` (exit 2) for a title without letters or digits and no
    ``slug``, a ``slug`` that is no file name's slug, when there is no issue to
    start from, or when the file exists (never overwritten); ``IssueError``
    (exit 1) when the issue to start from is no valid issue.
    """
    date = date or dt.date.today()
    try:  # the title becomes the subject and the masthead's title: one line of visible text, as they must be
        single_line(title)
    except ValueProblem as problem:
        words = problem.message.format(**problem.context)
        raise UsageError(f"the title {echo(title)} {words}; give a title of one line, "
                         'such as "Spring update"') from None
    if not title.strip():
        raise UsageError('the title is empty: give the issue a title, such as "Spring update"')
    if slug is not None:
        if slugify(slug) != slug:
            raise UsageError(f"--slug {echo(slug)} cannot name an issue file: write it in small letters a-z and "
                             f"digits joined by hyphens, at most {MAX_LENGTH} characters, such as "
                             f"--slug {slugify(slug) or 'spring-update'}")
    else:
        slug = slugify(title)
    if not slug:
        raise UsageError(f"the title {title!r} has no letters or digits that can be written in a file name "
                         "(a-z, 0-9; Greek and Cyrillic are spelled in Latin letters): keep the title and name "
                         'the file with --slug, such as --slug spring-update, or give a title such as "Spring '
                         'update", then change the subject in the new file as you like')
    root = find_project_root((cwd or Path.cwd()).resolve())
    source = source or latest_issue(root / "issues")
    if source is None:
        raise UsageError(f"{display_path(root / 'issues')} has no issue to take the blocks from: give one "
                         "with --from ISSUE, or start a project with `newsletter init DIR`")
    # four digits, as the file name pattern wants: strftime's %Y writes the year 1 as "1"
    target = root / "issues" / f"{date.year:04d}-{date.month:02d}-{slug}.yaml"
    if target.exists() or target.is_symlink():
        raise UsageError(f"{display_path(target)} already exists; newsletter new never overwrites an issue: "
                         "choose another title, or edit that file")
    doc = read_located_yaml(source, display_path(source))
    refuse_no_issue(doc.file, issue_problems(doc))
    target.parent.mkdir(parents=True, exist_ok=True)
    site = picture_site(root, doc.data, os.environ if env is None else env)
    write_atomic(target, render(new_issue(doc.data, title.strip(), date, site), display_path(source)))
    return target
