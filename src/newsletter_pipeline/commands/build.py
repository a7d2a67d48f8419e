"""``newsletter build``: issue files -> DIR/<slug>/email.{html,txt,mjml} and media/; ``--watch`` rebuilds on save."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..checked import build_checked
from ..checks import CheckReport
from ..errors import Diagnostic, NewsletterError, RenderError
from ..models import RenderedIssue
from ..output import OutputPlan, prune_media
from ..render.media import MEDIA_FOLDER, MEDIA_NAME

if TYPE_CHECKING:
    from ..preview.site import Build


def allow_clipping_in(report: CheckReport) -> CheckReport:
    """``--allow-clipping``: gmail-clipping becomes a warning."""
    report.findings = [f.with_level("warning") if f.rule == "gmail-clipping" else f for f in report.findings]
    return report


def drafts_in(report: CheckReport) -> CheckReport:
    """A draft builds: the TODO marks (``placeholder``) are warnings here, so the writer can look at
    it; ``check`` and ``send`` keep them errors, so it is never sent."""
    from ..checks.rules.placeholders import DRAFT_RULES

    report.findings = [f.with_level("warning") if f.rule in DRAFT_RULES else f for f in report.findings]
    return report


def email_files(html: str, text: str, mjml: str, media: dict[str, bytes]) -> list[tuple[str, str | bytes]]:
    """The files of one built issue's folder: the email's three parts, then its local images
    (``media/<hash>.jpg``, as the archive will publish them: render/media.py)."""
    return [("email.html", html), ("email.txt", text), ("email.mjml", mjml), *media.items()]


def run(paths: list[Path], out: Path, templates: Path | None, allow_clipping: bool) -> list[RenderedIssue]:
    """Build and check every issue; write nothing unless all of them build without check errors."""
    failures: list[Diagnostic] = []
    first_error: NewsletterError | None = None
    plan = OutputPlan(out)
    built: list[RenderedIssue] = []
    for path in paths:
        try:
            _, rendered, report = build_checked(path, templates)  # the same checks as `newsletter check`
        except NewsletterError as exc:
            if not exc.diagnostics:  # nothing located to collect (e.g. a missing file): stop here
                raise
            failures += exc.diagnostics
            first_error = first_error or exc
            continue
        report = drafts_in(report)
        if allow_clipping:
            report = allow_clipping_in(report)
        for warning in report.warnings:
            print(warning, file=sys.stderr)
        if report.errors:
            failures += [f.as_diagnostic() for f in report.errors]
            continue
        for name, content in email_files(rendered.html, rendered.text, rendered.mjml,
                                         {media.name: media.data for media in rendered.media}):
            plan.add(out / rendered.slug / name, content, rendered.source)
        built.append(rendered)
    if failures:
        error_class = type(first_error) if first_error else RenderError
        raise error_class(diagnostics=failures)
    plan.write()
    for rendered in built:
        prune_media(out / rendered.slug / MEDIA_FOLDER, {Path(media.name).name for media in rendered.media},
                    MEDIA_NAME)
    return built


def watch(paths: list[Path], out: Path, templates: Path | None, allow_clipping: bool,
          echo: Callable[[str], None], log: Callable[[str], None]) -> None:
    """``build --watch``: build every issue, then rebuild each saved one, until Ctrl-C.

    ``paths`` are the files and folders as named: an issue file added to a
    named folder later is built when it is saved, as the preview shows it.

    The preview's watcher does the watching (``preview.watcher``: the same
    files trigger a rebuild, the same settling, the same builds and checks).
    An issue that fails to build or has check errors is logged with its
    located errors and its old output stays; the others are written as
    ``build`` writes them. Ctrl-C (or SIGTERM) raises ``KeyboardInterrupt``
    out of here, after the watchers are stopped (the CLI exits 130).
    """
    from ..errors import MissingFileError
    from ..preview import LiveReload, Site

    for path in paths:
        if not os.path.exists(path):  # not Path.exists(): it raises for a name over 255 bytes
            raise MissingFileError(path, "issue file")
    site = Site(paths, templates, log)
    site.check_slugs()

    def write(builds: list[Build]) -> None:
        for written, line in write_builds(builds, out, allow_clipping):
            (echo if written else log)(line)

    first = site.rebuild()
    for result in first:
        if not result.ok:
            log("\n".join(result.errors))
    write(first)
    live = LiveReload(site, log, on_rebuilt=write)
    stop = threading.Event()
    try:
        live.start()  # returns once the OS watches exist: no save after the next line is missed
        echo(f"watching {', '.join(map(str, paths))} for changes (Ctrl-C to stop)")
        while not stop.wait(1.0):  # a timed wait, so Ctrl-C reaches this (main) thread at once
            pass
    finally:
        live.stop()
        site.close()


def write_builds(builds: list[Build], out: Path, allow_clipping: bool) -> list[tuple[bool, str]]:
    """Write the builds that ``build`` would write: (written, line) per issue; a build with check
    errors is not written, and its lines are those errors (the build's own errors are logged
    by the watcher), then why nothing was written."""
    lines: list[tuple[bool, str]] = []
    for result in builds:
        errors = [f["text"] for f in result.findings
                  if f["level"] == "error" and not (allow_clipping and f["rule"] == "gmail-clipping")]
        if not result.ok or errors:
            lines += [(False, text) for text in errors]
            lines.append((False, f"not written: {out / result.slug}/ keeps the last good build "
                                 "(fix the errors and save)"))
            continue
        plan = OutputPlan(out)
        for name, content in email_files(result.html, result.text, result.mjml, result.media):
            plan.add(out / result.slug / name, content, str(result.path))
        plan.write()
        prune_media(out / result.slug / MEDIA_FOLDER, {Path(name).name for name in result.media}, MEDIA_NAME)
        lines.append((True, f"built {out / result.slug}/email.html ({result.size:,} bytes), email.txt, email.mjml"))
    return lines
