"""``newsletter build``: issue files -> DIR/<slug>/email.{html,txt,mjml} (and media/ for local images)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..checked import build_checked
from ..checks import CheckReport
from ..errors import Diagnostic, NewsletterError, RenderError
from ..models import RenderedIssue
from ..output import OutputPlan


def allow_clipping_in(report: CheckReport) -> CheckReport:
    """``--allow-clipping``: gmail-clipping becomes a warning."""
    report.findings = [f.with_level("warning") if f.rule == "gmail-clipping" else f for f in report.findings]
    return report


def run(paths: list[Path], out: Path, templates: Path | None, allow_clipping: bool) -> list[RenderedIssue]:
    """Build and check every issue; write nothing unless all of them build without check errors."""
    failures: list[Diagnostic] = []
    first_error: NewsletterError | None = None
    plan = OutputPlan()
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
        if allow_clipping:
            report = allow_clipping_in(report)
        for warning in report.warnings:
            print(warning, file=sys.stderr)
        if report.errors:
            failures += [f.as_diagnostic() for f in report.errors]
            continue
        folder = out / rendered.slug
        for name, content in (("email.html", rendered.html), ("email.txt", rendered.text),
                              ("email.mjml", rendered.mjml)):
            plan.add(folder / name, content, rendered.source)
        for media in rendered.media:  # local images, as the archive will publish them (render/media.py)
            plan.add(folder / media.name, media.data, rendered.source)
        built.append(rendered)
    if failures:
        error_class = type(first_error) if first_error else RenderError
        raise error_class(diagnostics=failures)
    plan.write()
    return built
