"""The issues a preview serves, their latest builds, and the epoch browsers wait on.

The rebuild loop is the only writer; HTTP handler threads only read. Every
rebuild bumps ``Site.epoch`` and wakes the browsers' long polls.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
import traceback
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checked import build_checked
from ..checks.rules.envelope import PREHEADER_MAX, PREHEADER_MIN, visible_length
from ..config import Config
from ..errors import NewsletterError, UsageError
from ..issue.editions import split_name
from ..issue.load import CONFIG_NAME, ISSUE_SUFFIXES, LoadedIssue, display_path, find_project_root, issue_files_in
from ..models import GMAIL_CLIP_BYTES, SIZE_WARNING_BYTES
from ..render.media import local_uses
from ..render.templates import environment, template_dirs

Log = Callable[[str], None]


def real(path: Path) -> Path:
    """``path`` made absolute, links followed, as ``Path.resolve()`` does; but a link loop is kept as
    named, not raised. Python 3.11's resolve() raises RuntimeError on one, and a link to itself in
    issues/ for a moment made the watcher's filter raise, which stopped the preview's reloading."""
    return Path(os.path.realpath(path))


SLUG = r"[a-z0-9-]+(?:\.[a-z0-9-]+)?"  # an edition is <slug>.<language>; one dot, never at an end: no ".."


def key(path: Path) -> str:
    """The issue's name in the preview's URLs and ``Site.builds``: its slug, or for a file no slug can name
    (``Notatki Ż.yaml``), one made from it, so its page opens and says what is wrong with the name."""
    if re.fullmatch(SLUG, path.stem):
        return path.stem
    return "file-" + hashlib.sha256(path.stem.encode("utf-8", "surrogateescape")).hexdigest()[:12]


@dataclass(frozen=True)
class Build:
    """One build attempt of one issue.

    When the attempt failed, ``errors`` holds its located diagnostics and
    ``html``/``text``/``mjml`` are those of the last good build (or empty), so
    the page can show the error over the email the author last saw.

    ``html`` is the email as ``build`` writes it and readers get it;
    ``shown_html`` is what the preview shows, its local images served by the
    preview itself (``local_media``).
    """

    slug: str
    path: Path
    epoch: int
    subject: str = ""
    date: str = ""
    html: str = ""
    text: str = ""
    mjml: str = ""
    findings: tuple[dict[str, Any], ...] = ()
    errors: tuple[str, ...] = ()
    duration_ms: float = 0.0
    template_dirs: tuple[Path, ...] = ()
    language: str = ""  # the issue's language, once it has built
    preheader: str = ""
    # the sender as a send would set it: NEWSLETTER_FROM_NAME, NEWSLETTER_FROM_EMAIL over newsletter.yaml
    from_name: str = ""
    from_email: str = ""
    shown_html: str = ""
    media: dict[str, bytes] = field(default_factory=dict)  # local images by name ("media/<hash>.jpg"), served as they are
    pictures: tuple[Path, ...] = ()  # the local image files it reads: saving one rebuilds it

    @property
    def base_slug(self) -> str:
        """The slug this issue's editions share (``x.el`` -> ``x``)."""
        return (split_name(self.slug) or (self.slug,))[0]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def size(self) -> int:
        return len(self.html.encode("utf-8"))

    @property
    def status(self) -> str:
        """``error`` (the build or a check failed), ``warning`` or ``ok``."""
        levels = {f["level"] for f in self.findings}
        if self.errors or "error" in levels:
            return "error"
        return "warning" if "warning" in levels else "ok"

    @property
    def blocking(self) -> list[dict[str, str]]:
        """What stops ``send``: the build's errors, then the checks' errors, each with its ``file:line``."""
        found = [{"location": _location_of(text), "text": text} for text in self.errors]
        found += [{"location": f["location"], "text": f["text"]} for f in self.findings if f["level"] == "error"]
        return found

    def inbox(self) -> dict[str, Any]:
        """The inbox card: sender, subject and preheader as a client's list shows them.

        ``visible`` is the preheader's length as a reader sees it, as the
        ``preheader`` check counts it (``envelope.visible_length``).
        """
        text = " ".join(self.preheader.split())
        visible = "".join(c for i, c in enumerate(text) if unicodedata.category(c) != "Cf"
                          or c == "\u200d" and i and ord(text[i - 1]) > 0x2000)  # joining two emoji into one
        return {"from_name": self.from_name, "from_email": self.from_email, "subject": self.subject,
                "preheader": visible, "visible": visible_length(visible), "min": PREHEADER_MIN,
                "max": PREHEADER_MAX}

    def summary(self) -> dict[str, Any]:
        """What the index shows: no bodies."""
        return {"slug": self.slug, "file": display_path(self.path), "epoch": self.epoch, "ok": self.ok,
                "status": self.status, "subject": self.subject, "date": self.date, "size": self.size,
                "limit": GMAIL_CLIP_BYTES, "warn_at": SIZE_WARNING_BYTES,
                "errors": list(self.errors), "findings": list(self.findings),
                "duration_ms": round(self.duration_ms, 1), "blocking": self.blocking, "inbox": self.inbox()}

    def as_json(self) -> dict[str, Any]:
        # "html" is drawn in the page; "source" is the HTML tab: the email as readers get it
        return {**self.summary(), "html": self.shown_html, "source": self.html, "text": self.text, "mjml": self.mjml}


def local_media(html: str, archive: str | None, media: tuple[Any, ...], slug: str) -> str:
    """``html`` with each local image's published address pointing at the preview's own copy.

    Before ``newsletter archive`` has published them the addresses answer
    404, so the preview serves the processed files itself
    (``/issue/<slug>/media/<hash>.<ext>``, server.py): what it shows is byte
    for byte what readers will get.
    """
    for item in media:
        html = html.replace(f"{(archive or '').rstrip('/')}/{item.name}", f"/issue/{slug}/{item.name}")
    return html


def build(path: Path, epoch: int, templates: Path | None = None, previous: Build | None = None,
          log: Log | None = None) -> Build:
    """Build and check one issue; never raises, so a broken file cannot stop the server."""
    start = time.perf_counter()
    try:
        loaded, rendered, report = build_checked(path, templates)
    except NewsletterError as exc:
        report = exc.report()  # a file that is no file already starts with its path
        errors = tuple(map(str, exc.diagnostics)) or (
            report if report.startswith(f"{display_path(path)}: ") else f"{display_path(path)}: {report}",)
        return _failed(path, epoch, errors, previous, start, templates)
    except Exception as exc:  # noqa: BLE001 - a bug in one stage must not take the server down
        if log:
            log(traceback.format_exc())
        errors = (f"{display_path(path)}: error: internal error while building: {exc!r} "
                  f"(run `newsletter --debug build {display_path(path)}` for the traceback)",)
        return _failed(path, epoch, errors, previous, start, templates)
    return Build(
        slug=rendered.slug, path=path, epoch=epoch, subject=rendered.subject,
        date=loaded.issue.date.isoformat(), html=rendered.html,
        shown_html=local_media(rendered.html, loaded.settings.archive_url, rendered.media, rendered.slug),
        text=rendered.text, mjml=rendered.mjml, media={m.name: m.data for m in rendered.media},
        findings=tuple(_finding(f) for f in report.findings),
        duration_ms=(time.perf_counter() - start) * 1000,
        template_dirs=template_dirs(loaded, templates), language=loaded.issue.language,
        preheader=rendered.preheader or "", **_sender(loaded),
        pictures=tuple((loaded.project_root / use.src).resolve() for use in local_uses(loaded)),
    )


def _sender(loaded: LoadedIssue) -> dict[str, str]:
    """From name and address as ``send`` sets them; a bad setting falls back to newsletter.yaml
    (``send`` reports it, the preview only shows)."""
    sender = loaded.settings.sender
    try:
        config = Config.load(loaded.project_root)
        return {"from_name": config.get("NEWSLETTER_FROM_NAME") or sender.name,
                "from_email": config.address("NEWSLETTER_FROM_EMAIL") or str(sender.email)}
    except NewsletterError:
        return {"from_name": sender.name, "from_email": str(sender.email)}


def _location_of(text: str) -> str:
    """The ``file:line:col`` (or ``file``) a compiler-style line starts with."""
    head = text.split(": ", 1)[0]
    return head if head and " " not in head else ""


def _finding(finding: Any) -> dict[str, Any]:
    return {**finding.as_dict(), "location": str(finding.location), "text": str(finding)}


def _failed(path: Path, epoch: int, errors: tuple[str, ...], previous: Build | None, start: float,
            templates: Path | None) -> Build:
    last = previous or Build(slug=key(path), path=path, epoch=epoch)
    root = find_project_root(real(path).parent)
    dirs = last.template_dirs or tuple(d for d in (templates, root / "templates") if d is not None)
    return Build(slug=key(path), path=path, epoch=epoch, subject=last.subject, date=last.date,
                 html=last.html, shown_html=last.shown_html, text=last.text, mjml=last.mjml, errors=errors,
                 preheader=last.preheader,
                 from_name=last.from_name, from_email=last.from_email,
                 media=last.media, pictures=last.pictures,
                 duration_ms=(time.perf_counter() - start) * 1000, template_dirs=dirs,
                 language=last.language or (split_name(path.stem) or ("", ""))[1] or "")


@dataclass
class Site:
    """The previewed issues: files named on the command line, and the issues inside folders named there."""

    sources: list[Path]
    templates: Path | None = None
    log: Log | None = None
    builds: dict[str, Build] = field(default_factory=dict)
    epoch: int = 0
    closed: bool = False

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        self._refused: set[Path] = set()

    @property
    def single(self) -> bool:
        """One issue file named: ``/`` is its preview rather than an index."""
        return len(self.sources) == 1 and not self.sources[0].is_dir()

    def issue_paths(self) -> list[Path]:
        """Every issue file, in command-line order, folders expanded in name order.

        In a folder, a symbolic link whose target lies outside the project is
        skipped (and logged once): anyone who can add a file to issues/ could
        otherwise have the preview show, say, a file of the user's home folder.
        Files named on the command line are served as named.
        """
        paths: list[Path] = []
        for source in self.sources:
            if source.is_dir():
                root = real(find_project_root(real(source)))
                paths += [p for p in issue_files_in(source) if self._inside(p, root)]
            else:
                paths.append(source)
        return paths

    def _inside(self, path: Path, root: Path) -> bool:
        """Whether ``path``, links followed, is inside ``root``; logs the first refusal of each path."""
        if real(path).is_relative_to(root):
            return True
        if path not in self._refused:
            self._refused.add(path)
            if self.log:
                project = "this project" if display_path(root) == "." else f"the project {display_path(root)}"
                self.log(f"{display_path(path)}: warning: skipped: a link to {real(path)}, outside {project} "
                         "(copy the file into the project to preview it)")
        return False

    def check_slugs(self) -> None:
        """Two issues with one slug would share a URL; refuse to start."""
        seen: dict[str, Path] = {}
        for path in self.issue_paths():
            name = key(path)
            if name in seen:
                raise UsageError(f"{display_path(path)} and {display_path(seen[name])} share the slug "
                                 f"'{path.stem}'; preview them separately")
            seen[name] = path

    def rebuild(self, changed: Iterable[Path] | None = None) -> list[Build]:
        """Rebuild the issues a change touches (all of them for a template or config change)."""
        paths = self.issue_paths()
        wanted = self._affected(paths, changed)
        if not wanted and [key(p) for p in paths] == list(self.builds):
            return []  # nothing the preview shows has changed: no epoch, no browser refresh
        if changed and any(self._in_template_folder(Path(p)) for p in changed):
            environment.cache_clear()  # a new override file shadows one Jinja has already cached
        epoch = self.epoch + 1
        fresh = {key(path): build(path, epoch, self.templates, self.builds.get(key(path)), self.log)
                 for path in wanted}
        kept = {name: fresh.get(name) or self.builds.get(name) for name in map(key, paths)}
        with self._changed:
            self.builds = {slug: b for slug, b in kept.items() if b is not None}
            self.epoch = epoch
            self._changed.notify_all()
        return list(fresh.values())

    def _affected(self, paths: list[Path], changed: Iterable[Path] | None) -> list[Path]:
        """Only the saved (and new) issues when every change is an issue file; else all of them."""
        if changed is None:
            return paths
        resolved = {real(c) for c in changed}
        if not all(self._is_issue_file(c) for c in resolved):
            return paths  # a template or newsletter.yaml: every issue may look different
        return [p for p in paths if real(p) in resolved or key(p) not in self.builds]

    def _is_issue_file(self, path: Path) -> bool:
        """A named issue file, or an issue file (new, changed or deleted) in a named folder."""
        if path in {real(p) for p in self.sources}:
            return True
        in_folder = path.parent in {real(s) for s in self.sources if s.is_dir()}
        return in_folder and path.suffix in ISSUE_SUFFIXES and path.name != CONFIG_NAME

    def _issue_dirs(self) -> set[Path]:
        return {real(p).parent for p in self.issue_paths()} | {real(s) for s in self.sources if s.is_dir()}

    def wait(self, since: int, timeout: float) -> int:
        """Block until the epoch passes ``since`` (or timeout, or close); return the epoch."""
        with self._changed:
            self._changed.wait_for(lambda: self.epoch != since or self.closed, timeout)
            return self.epoch

    def close(self) -> None:
        """Release every waiting long poll, so shutdown never waits on a browser."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def watch_targets(self) -> tuple[frozenset[Path], frozenset[Path]]:
        """(folders to watch recursively: templates; folders to watch flat: issues and project roots)."""
        deep = self.template_folders()
        flat = self._issue_dirs() | {find_project_root(d) for d in self._issue_dirs()}
        flat |= {picture.parent for b in self.builds.values() for picture in b.pictures}
        return frozenset(d for d in deep if d.is_dir()), frozenset(d for d in flat - deep if d.is_dir())

    def template_folders(self) -> set[Path]:
        """Folders templates come from, plus each project's templates/ even before it exists."""
        folders = {real(d) for b in self.builds.values() for d in b.template_dirs}
        folders |= {find_project_root(d) / "templates" for d in self._issue_dirs()}
        if self.templates is not None:
            folders.add(real(self.templates))
        return folders

    def _in_template_folder(self, path: Path) -> bool:
        return any(path.is_relative_to(d) for d in self.template_folders())

    def is_relevant(self, path: Path) -> bool:
        """Issue files, newsletter.yaml, local images and anything in a template folder trigger a rebuild."""
        path = real(path)
        if any(path in b.pictures for b in self.builds.values()):
            return True
        return path.name == CONFIG_NAME or self._is_issue_file(path) or self._in_template_folder(path)
