"""``newsletter build``: issue files -> DIR/<slug>/email.{html,txt,mjml}."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import Diagnostic, Location, NewsletterError, RenderError
from ..models import GMAIL_CLIP_BYTES, SIZE_WARNING_BYTES, RenderedIssue
from ..output import OutputPlan
from ..render import build_issue


def size_diagnostic(rendered: RenderedIssue, allow_clipping: bool) -> Diagnostic | None:
    """Gmail clips HTML over ~102 KB; warn early, fail past the limit unless allowed."""
    size = rendered.html_bytes
    where = Location(rendered.source, 1, 1)
    if size > GMAIL_CLIP_BYTES:
        return Diagnostic(where, f"email.html is {size:,} bytes; Gmail clips messages over {GMAIL_CLIP_BYTES:,}",
                          "size", "shorten the issue or split it; --allow-clipping builds it anyway",
                          "warning" if allow_clipping else "error")
    if size > SIZE_WARNING_BYTES:
        return Diagnostic(where, f"email.html is {size:,} bytes, close to Gmail's {GMAIL_CLIP_BYTES:,}-byte clip",
                          "size", "shorten the issue", "warning")
    return None


def run(paths: list[Path], out: Path, templates: Path | None, allow_clipping: bool) -> list[RenderedIssue]:
    """Build every issue; write nothing unless all of them build."""
    failures: list[Diagnostic] = []
    first_error: NewsletterError | None = None
    plan = OutputPlan()
    built: list[RenderedIssue] = []
    for path in paths:
        try:
            _, rendered = build_issue(path, templates)
        except NewsletterError as exc:
            if exc.diagnostics:
                failures += exc.diagnostics
            first_error = first_error or exc
            if not exc.diagnostics:
                raise
            continue
        problem = size_diagnostic(rendered, allow_clipping)
        if problem and problem.level == "error":
            failures.append(problem)
            continue
        if problem:
            print(problem, file=sys.stderr)
        folder = out / rendered.slug
        for name, content in (("email.html", rendered.html), ("email.txt", rendered.text),
                              ("email.mjml", rendered.mjml)):
            plan.add(folder / name, content, rendered.source)
        built.append(rendered)
    if failures:
        error_class = type(first_error) if first_error else RenderError
        raise error_class(diagnostics=failures)
    plan.write()
    return built
