"""The build pipeline: issue file -> ``RenderedIssue``, timing each stage."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..gcpause import paused
from ..issue.load import LoadedIssue, load_issue
from ..models import RenderedIssue
from .inline import inline_css
from .media import prepare_pictures
from ..errors import Location
from ..issue.load import display_path
from .mjml import Locator, Origin, compile_mjml
from .templates import render_mjml, template_dirs
from .text import render_text


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def template_locator(loaded: LoadedIssue, dirs: tuple[Path, ...]) -> Locator:
    """Point an MJML error at the template line that wrote it, else at the block in the issue.

    The template is the first of the chain ``dirs`` that has it; its line is
    where the failing generated line (or its text from the error's column) is
    written verbatim, once. Lines built from ``{{ ... }}`` are not found, and
    then the block of the issue is the best place we know.
    """

    def locate(origin: Origin) -> Location | None:
        template = next((d / origin.template for d in dirs if (d / origin.template).is_file()), None)
        if template is not None:
            found = _verbatim(template, _snippets(origin))
            if found is not None:
                return Location(display_path(template), *found)
        if origin.block is not None:
            return loaded.location(("blocks", origin.block))
        return Location(display_path(template)) if template is not None else None

    return locate


def _snippets(origin: Origin) -> list[tuple[str, int]]:
    """Texts to look for in the template, each with the offset of the error's column in it."""
    line, at = origin.text, max(origin.col - 1, 0)
    indent = len(line) - len(line.lstrip())
    found = [(line.strip(), max(at - indent, 0))]
    word = re.match(r"<?[^\s<>]+", line[at:])  # the tag or the text the error's column points at
    if word:
        found.append((word.group(0), 0))
    return found


def _verbatim(template: Path, snippets: list[tuple[str, int]]) -> tuple[int, int] | None:
    """(line, col) of the first snippet that occurs exactly once in ``template``, plus its offset."""
    try:
        text = template.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for snippet, offset in snippets:
        if snippet and text.count(snippet) == 1:
            index = text.index(snippet) + min(offset, len(snippet))
            line_start = text.rfind("\n", 0, index) + 1
            return text.count("\n", 0, index) + 1, index - line_start + 1
    return None


def render_issue(loaded: LoadedIssue, templates: Path | None = None,
                 timings: dict[str, float] | None = None) -> RenderedIssue:
    """Render a loaded issue to its final HTML, plain text and MJML."""
    timings = {} if timings is None else timings
    dirs = template_dirs(loaded, templates)
    with _timed(timings, "media"):
        pictures = prepare_pictures(loaded)
    with _timed(timings, "jinja"):
        mjml_source = render_mjml(loaded, dirs, pictures)
    with _timed(timings, "mjml"):
        compiled = compile_mjml(mjml_source, loaded.issue.language, loaded.issue.direction,
                                file=f"{loaded.slug}/email.mjml", locate=template_locator(loaded, dirs))
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
        media=tuple({p.file.name: p.file for p in pictures.values() if p.file is not None}.values()),
        pictures=tuple(pictures.values()),
    )


def build_issue(path: Path | str, templates: Path | None = None) -> tuple[LoadedIssue, RenderedIssue]:
    """Load and render one issue file; raises located ``NewsletterError`` subclasses."""
    timings: dict[str, float] = {}
    with paused():  # acyclic trees the size of the issue: the GC would only rescan them (gcpause.py)
        with _timed(timings, "load"):
            loaded = load_issue(path, templates=templates)
        return loaded, render_issue(loaded, templates, timings)
