"""The build pipeline: issue file -> ``RenderedIssue``, timing each stage."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..gcpause import paused
from ..issue.load import LoadedIssue, load_issue
from ..models import RenderedIssue
from .inline import inline_css
from .mjml import compile_mjml
from .templates import render_mjml, template_dirs
from .text import render_text


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def render_issue(loaded: LoadedIssue, templates: Path | None = None,
                 timings: dict[str, float] | None = None) -> RenderedIssue:
    """Render a loaded issue to its final HTML, plain text and MJML."""
    timings = {} if timings is None else timings
    dirs = template_dirs(loaded, templates)
    with _timed(timings, "jinja"):
        mjml_source = render_mjml(loaded, dirs)
    with _timed(timings, "mjml"):
        compiled = compile_mjml(mjml_source, loaded.issue.language, loaded.issue.direction,
                                file=f"{loaded.slug}/email.mjml")
    with _timed(timings, "inline"):
        html = inline_css(compiled)
    with _timed(timings, "text"):
        text = render_text(loaded, dirs)
    return RenderedIssue(
        slug=loaded.slug,
        subject=loaded.issue.subject,
        preheader=loaded.issue.preheader or "",
        language=loaded.issue.language,
        html=html,
        text=text,
        mjml=mjml_source,
        source=loaded.doc.file,
        timings=timings,
    )


def build_issue(path: Path | str, templates: Path | None = None) -> tuple[LoadedIssue, RenderedIssue]:
    """Load and render one issue file; raises located ``NewsletterError`` subclasses."""
    timings: dict[str, float] = {}
    with paused():  # acyclic trees the size of the issue: the GC would only rescan them (gcpause.py)
        with _timed(timings, "load"):
            loaded = load_issue(path)
        return loaded, render_issue(loaded, templates, timings)
