"""``newsletter screenshot``: PNGs of an issue at 600 px, 375 px, in dark mode and inverted, for pull requests."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import UsageError
from ..issue.load import display_path
from ..output import write_atomic
from ..preview.chromium import find_chromium, screenshots
from ..progress import Progress, quiet
from ..render import build_issue
from ..shots import SHOTS


def one_issue_please(folder: Path, verb: str) -> str:
    """The message for a folder given where one issue file is wanted (``screenshot issues/``)."""
    found = sorted(folder.glob("*.yaml"))
    example = display_path(found[-1]) if found else f"{display_path(folder)}/2024-05-my-issue.yaml"
    return (f"{display_path(folder)} is a folder: `newsletter {verb}` takes one issue file, "
            f"e.g. `newsletter {verb} {example}`")


def run(issue: Path, out: Path, templates: Path | None = None, progress: Progress = quiet) -> list[Path]:
    """Build ``issue`` and write OUT/<slug>/{desktop-600,mobile-375,dark-600,inverted-600}.png; return the paths.

    Chromium is looked up before building, so a missing browser is reported
    first; no PNG is written unless all of them were taken.
    """
    if os.path.isdir(issue):  # not Path.is_dir(): it raises for a name over 255 bytes
        raise UsageError(one_issue_please(issue, "screenshot"))
    chromium = find_chromium()
    _, rendered = build_issue(issue, templates)
    with tempfile.TemporaryDirectory(prefix="newsletter-shot-") as tmp:
        page = Path(tmp) / "email.html"
        page.write_text(rendered.html, encoding="utf-8")
        images = screenshots(chromium, page, SHOTS, progress)
    folder = out / rendered.slug
    written = []
    for shot in SHOTS:
        path = folder / f"{shot.name}.png"
        write_atomic(path, images[shot.name])  # readers see the old PNG or the new one, never half
        written.append(path)
    return written
