"""``newsletter archive``: every issue -> a static site with pages, index, Atom feed and sitemap.

The steps (see ``archive/`` for each): find the issue files and refuse
duplicate slugs; for each issue, reuse the last build's page when its content
hash is unchanged, else load, render and check it exactly as ``build`` does
(``build_checked``: a check error stops the run too) and adapt the email for
the web; gather every error of every issue and stop
with all of them (exit 1) before anything is written; render the index, feed
and sitemap; publish (a first build in one rename, an update file by file in
an order that keeps every link valid).
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..archive.editions import Edition, cache_part, edition_groups
from ..archive.cache import MANIFEST, ContentHasher, IssueRecord, Manifest, entry_path, read_manifest
from ..archive.page import adapt_email
from ..archive.publish import check_output_folder, publish
from ..archive.site import page_path, render_page, render_site_files
from ..archive.sources import (ARCHIVE_URL_ENV, find_issue_files, load_project_settings,
                               refuse_duplicate_slugs, resolve_base_url, unique_files)
from ..checked import build_checked
from ..errors import Diagnostic, IssueError, NewsletterError, RenderError, UsageError
from ..issue.load import CONFIG_NAME, LoadedIssue, display_path, find_project_root
from ..progress import Progress, quiet
from ..render import render_issue
from ..render.media import local_uses, prepare_logo
from ..render.templates import template_dirs
from ..render.web import site_template_dirs
from ..template_folders import template_chain

log = logging.getLogger(__name__)


@dataclass
class ArchiveResult:
    """What a run did, for the CLI to report."""

    out: Path
    base_url: str
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BuiltPage:
    record: IssueRecord
    page: str
    content: str
    warnings: list[str]  # the checks' warnings, as ``build`` prints them
    media: tuple[Any, ...] = ()  # the local images (render/media.py's MediaFile), published under media/


def run(paths: list[Path], out: Path, base_url: str | None, templates: Path | None = None,
        env: Mapping[str, str] = os.environ, progress: Progress = quiet) -> ArchiveResult:
    """Build (or update) the site in ``out``; write nothing unless every issue builds; ``progress`` sees each."""
    root = find_project_root((paths[0].resolve().parent if paths else Path.cwd().resolve()))
    settings = load_project_settings(root)
    base, warning = resolve_base_url(base_url, settings, env)
    files = unique_files(find_issue_files(paths or [root / "issues"]))
    issues = (root / "issues").resolve()
    if out.resolve().is_relative_to(issues):  # its pages would sit among the issue files the team edits
        raise UsageError(f"--out {display_path(out)} is inside {display_path(root / 'issues')}: the site would be "
                         "mixed with the issue files; choose a folder outside it, such as site")
    check_output_folder(out)
    with site_lock(out):  # from reading the manifest to writing the new one: one run at a time
        previous, damaged = read_manifest(out, partial(plausible_chain, template_chain(root, None, templates),
                                                       templates is not None))
        hasher = ContentHasher(base_url=base, config=root / CONFIG_NAME, archive_url_env=env.get(ARCHIVE_URL_ENV),
                               templates=str(templates.resolve()) if templates else "")
        result = ArchiveResult(out, base, warnings=[w for w in (warning, damaged) if w])
        records, contents, pages = _build_issues(files, out, previous, hasher, base, templates, result, progress)
        dirs = site_template_dirs(root, settings.templates, templates)
        # the index and feed share the logo without any issue: it is processed and published for them too
        logo = prepare_logo(root, settings, base, env)
        if logo is not None and logo.file is not None:
            pages[logo.file.name] = logo.file.data
        site = render_site_files(settings, base, list(records.values()), contents, dirs, logo)
        site[MANIFEST] = Manifest(base, records).to_json()  # last: it vouches for everything before it
        result.removed = sorted(set(previous.issues) - set(records)) if previous else []
        drop = {d for slug in result.removed for d in (slug, entry_path(slug))}
        result.warnings += publish(out, pages, site, drop)
    return result


@contextmanager
def site_lock(out: Path) -> Iterator[None]:
    """Hold the lock of the folder the site ``out`` is in, waiting while another run holds it.

    Two runs at once (two terminals, CI jobs) would both find no site, both
    stage one, and the later rename would fail; or both would read one
    manifest, and the later would write one without the other's new pages.
    The second therefore waits, then finds the first one's site and updates
    it. The lock is the kernel's ``flock`` on the folder itself, so no lock
    file is left in a project that a failed run must leave as it was, runs
    of other projects into the same folder wait too, and it is released when
    a run ends however it ends. Where there is no ``flock`` (Windows) or the
    folder cannot be opened, the run goes unlocked: ``publish`` still refuses
    to put a first site over one that another run has just made.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        fcntl = None  # type: ignore[assignment]
    folder = Path(os.path.realpath(out)).parent
    while not os.path.isdir(folder) and folder != folder.parent:  # --out new/site: what exists of the way
        folder = folder.parent
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        fd = None
    try:
        if fd is not None and fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.warning(f"another archive run is writing {display_path(out)}, or a site beside it; waiting "
                            "for it to finish")
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        if fd is not None:
            os.close(fd)  # which releases the lock


def plausible_chain(fixed: tuple[Path, ...], has_override: bool, dirs: list[str]) -> bool:
    """Whether a manifest's template folders are a chain this run could have made.

    ``fixed`` is the chain without newsletter.yaml's ``templates:``, so at most
    one folder more may sit after the ``--templates`` one.
    A manifest naming any other folder (say ``/``) would make the hash read it.
    """
    expected = [str(folder) for folder in fixed]
    if dirs == expected:
        return True
    middle = 1 if has_override else 0
    return len(dirs) == len(expected) + 1 and dirs[:middle] + dirs[middle + 1:] == expected


def _build_issues(files: list[Path], out: Path, previous: Manifest | None, hasher: ContentHasher,
                  base: str, templates: Path | None, result: ArchiveResult, progress: Progress = quiet
                  ) -> tuple[dict[str, IssueRecord], dict[str, str], dict[str, str | bytes]]:
    """Records, feed contents and files to write for every issue; raises with every error at once."""
    problems = refuse_duplicate_slugs(files)
    failures: list[Diagnostic] = list(problems.items)
    first_error: NewsletterError | None = IssueError(diagnostics=failures) if failures else None
    records: dict[str, IssueRecord] = {}
    contents: dict[str, str] = {}
    plan: dict[str, str | bytes] = {}
    groups = edition_groups(files)
    for path in progress(files, "building the archive"):
        editions = groups.get(path, ())
        slug = path.stem
        if slug in records or any(d.location.file == display_path(path) for d in problems.items):
            continue
        reused = _reuse(previous, path, out, hasher, editions)
        if reused:
            records[slug], contents[slug] = reused
            result.unchanged.append(slug)
            continue
        try:
            built = build_page(path, hasher, base, templates, editions)
        except NewsletterError as exc:
            if not exc.diagnostics:
                raise
            failures += exc.diagnostics
            first_error = first_error or exc
            continue
        records[slug], contents[slug] = built.record, built.content
        result.warnings += built.warnings
        plan[page_path(slug)] = built.page
        plan[entry_path(slug)] = built.content
        plan.update({media.name: media.data for media in built.media})  # named by content: shared, never stale
        result.built.append(slug)
    if failures:
        raise type(first_error or IssueError())(diagnostics=failures)
    return records, contents, plan


def _reuse(previous: Manifest | None, path: Path, out: Path, hasher: ContentHasher,
           editions: tuple[Edition, ...] = ()) -> tuple[IssueRecord, str] | None:
    """The last build's record and feed content of an unchanged issue, without loading it."""
    record = previous.issues.get(path.stem) if previous else None
    if record is None or hasher.key(path, record.template_dirs, cache_part(editions), record.pictures) != record.key:
        return None
    if not (out / page_path(record.slug)).is_file():
        return None
    try:
        content = (out / entry_path(record.slug)).read_text(encoding="utf-8")
    except OSError:
        return None
    return dataclasses.replace(record, source=display_path(path)), content


def build_page(path: Path, hasher: ContentHasher, base: str, templates: Path | None,
               editions: tuple[Edition, ...] = ()) -> BuiltPage:
    """Load, render, check and adapt one issue: its page, its feed content and its manifest record.

    The email is checked exactly as ``build`` checks it (``build_checked``), and
    a check error stops it (``RenderError``, located): the archive never
    publishes an issue that ``build`` refuses. The page is then rendered again
    with the web's campaign tags, unless the issue has none.
    """
    email_loaded, email, report = build_checked(path, templates)
    if report.errors:  # with its warnings, which build prints too: one round of fixes
        raise RenderError(diagnostics=[finding.as_diagnostic() for finding in report.findings])
    loaded = for_web(email_loaded)
    # every folder, present or not: one that appears later must change the hash
    chain = [str(d) for d in template_chain(loaded.project_root, loaded.settings.templates, templates)]
    rendered = email if loaded is email_loaded else render_issue(loaded, templates)
    parts = adapt_email(rendered.html, rendered.preheader, rendered.source)
    page = render_page(loaded, parts, base, template_dirs(loaded, templates), editions, rendered.pictures)
    issue = loaded.issue
    pictures = sorted({use.src for use in local_uses(loaded)})
    record = IssueRecord(loaded.slug, display_path(path), issue.subject, issue.preheader or "",
                         issue.date.isoformat(), issue.language,
                         hasher.key(path, chain, cache_part(editions), pictures), chain, pictures)
    return BuiltPage(record, page, parts.feed_content, [str(w) for w in report.warnings], rendered.media)


def for_web(loaded: LoadedIssue) -> LoadedIssue:
    """The issue as the web shows it: campaign links say ``utm_medium=web``, not ``email``.

    Visits from the archive are then not counted as clicks in the email.
    """
    utm = loaded.settings.utm
    if utm is None:
        return loaded
    settings = loaded.settings.model_copy(update={"utm": utm.model_copy(update={"medium": "web"})})
    return dataclasses.replace(loaded, settings=settings)
