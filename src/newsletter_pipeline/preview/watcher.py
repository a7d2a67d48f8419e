"""Live reload: file changes set a flag; one loop waits for them to settle and rebuilds.

As in mkdocs' serve, the watchers never build. They record what changed and
wake the loop, which waits until the changes stop for ``settle`` seconds (an
editor's save can be several writes, a formatter a second save), rebuilds once
with ``render.build_issue`` and ``checks.run_checks``, and bumps the epoch.

watchfiles (Rust notify: inotify on Linux, FSEvents on macOS) gives events
within milliseconds without polling. Folders, not files, are watched, because
editors that save by writing a temporary file and renaming it over the old
one would silently end a watch on the file itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from ..errors import NewsletterError
from ..words import plural
from .site import Build, Log, Site

SETTLE_SECONDS = 0.04  # a burst of saves becomes one rebuild; well under the 0.5 s reload goal
WATCH_STEP_MS = 20  # how often the Rust side groups events: the floor of the reload latency
RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS = 0.05, 2.0  # watching again after an error, backing off while it lasts
_DEFAULT_FILTER = watchfiles.DefaultFilter()  # editors' swap files, .git and the like


class ChangeFlag:
    """The changed paths since the last rebuild, and when the last one arrived."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._paths: set[Path] = set()
        self._last = 0.0
        self._stopped = False

    def add(self, paths: Iterable[Path]) -> None:
        with self._cond:
            self._paths.update(paths)
            self._last = time.monotonic()
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def take_settled(self, settle: float) -> set[Path] | None:
        """Wait for changes, then for ``settle`` quiet seconds; return them (None once stopped)."""
        with self._cond:
            self._cond.wait_for(lambda: self._paths or self._stopped)
            while not self._stopped and (quiet := self._last + settle - time.monotonic()) > 0:
                self._cond.wait(quiet)
            if self._stopped:
                return None
            taken, self._paths = self._paths, set()
            return taken


class _Watcher(threading.Thread):
    """One watchfiles generator over some folders; it only reports to the flag.

    It watches until stopped, whatever goes wrong on the way: an error while
    watching (a watched folder vanished, or a path in an event cannot be
    looked at: a link to itself made ``Path.resolve`` raise) is logged once and
    the watching starts again, and saves made while the OS watches were down
    are caught up by one rebuild. A watcher that ended instead left the
    preview (and ``build --watch``) deaf to every later save.
    """

    def __init__(self, folders: Iterable[Path], recursive: bool, flag: ChangeFlag,
                 relevant: Callable[[Path], bool], log: Log) -> None:
        super().__init__(name=f"preview-watch-{'deep' if recursive else 'flat'}", daemon=True)
        self.folders = sorted(folders)
        self.recursive = recursive
        self.flag = flag
        self.relevant = relevant
        self.log = log
        self.stop_event = threading.Event()
        self.ready = threading.Event()
        self._said: set[str] = set()

    def run(self) -> None:
        retry, down = RETRY_FIRST_SECONDS, False
        try:
            while not self.stop_event.is_set():
                try:
                    for changes in watchfiles.watch(*self.folders, watch_filter=self._keep, recursive=self.recursive,
                                                    step=WATCH_STEP_MS, debounce=1000, stop_event=self.stop_event,
                                                    rust_timeout=100, yield_on_timeout=True, raise_interrupt=False):
                        self.ready.set()  # the first (timeout) yield means the OS watches are in place
                        if down:  # back after an error: rebuild once for the saves made meanwhile
                            retry, down = RETRY_FIRST_SECONDS, False
                            self.flag.add(self.folders)
                        if changes:
                            self.flag.add(Path(name) for _, name in changes)
                except Exception as exc:  # noqa: BLE001 - e.g. a watched folder vanished: say so, watch again
                    self._say_once(f"preview: watching {', '.join(map(str, self.folders))} failed: "
                                   f"{type(exc).__name__}: {exc} (watching again)")
                    if not down:  # the loop rebuilds and re-plans: the folders to watch may have changed
                        down = True
                        self.flag.add(self.folders)
                    self.ready.set()
                    self.stop_event.wait(retry)
                    retry = min(retry * 2, RETRY_MAX_SECONDS)
        finally:
            self.ready.set()

    def _keep(self, change: watchfiles.Change, name: str) -> bool:
        """The events that matter; one the filter cannot judge counts, and the rebuild looks (an
        exception here would end the watchfiles generator, and every event of its batch with it)."""
        if not _DEFAULT_FILTER(change, name):
            return False
        try:
            return self.relevant(Path(name))
        except Exception as exc:  # noqa: BLE001 - a path that vanished, loops or cannot be read
            self._say_once(f"preview: cannot tell whether {name} matters: {type(exc).__name__}: {exc} "
                           "(rebuilding to see)")
            return True

    def _say_once(self, message: str) -> None:
        """Log ``message`` the first time only: an error that repeats on every save is said once."""
        if message not in self._said:
            self._said.add(message)
            self.log(message)


class LiveReload:
    """Owns the watchers and the rebuild loop of a ``Site``."""

    def __init__(self, site: Site, log: Log, settle: float = SETTLE_SECONDS,
                 on_rebuilt: Callable[[list[Build]], None] | None = None) -> None:
        """``on_rebuilt`` gets each rebuild's fresh builds, after they are logged (``build --watch``
        writes them)."""
        self.site = site
        self.log = log
        self.on_rebuilt = on_rebuilt
        self.settle = settle
        self.flag = ChangeFlag()
        self.watchers: list[_Watcher] = []
        self.targets: tuple[frozenset[Path], frozenset[Path]] | None = None
        self.loop = threading.Thread(target=self._loop, name="preview-rebuild", daemon=True)

    def start(self, ready_timeout: float = 5.0) -> None:
        """Start watching; returns once the OS watches exist, so no save is missed after it."""
        self._replan()
        self.loop.start()
        for watcher in self.watchers:
            watcher.ready.wait(ready_timeout)

    def stop(self, timeout: float = 0.8) -> None:
        """Stop the loop and the watchers, waiting at most about ``timeout`` seconds."""
        self.flag.stop()
        for watcher in self.watchers:
            watcher.stop_event.set()
        deadline = time.monotonic() + timeout
        for thread in [self.loop, *self.watchers]:
            if thread.is_alive():
                thread.join(max(0.0, deadline - time.monotonic()))

    def _loop(self) -> None:
        while (changed := self.flag.take_settled(self.settle)) is not None:
            try:
                fresh = self.site.rebuild(changed)
                for result in fresh:
                    self.log(_describe(result))
                if fresh and self.on_rebuilt is not None:
                    self.on_rebuilt(fresh)
            except NewsletterError as exc:  # e.g. build --watch's --out became a file: said as build says it
                self.log(exc.report())
            except Exception as exc:  # noqa: BLE001 - e.g. a watched folder vanished; the next save retries
                self.log(f"error: internal error while rebuilding: {type(exc).__name__}: {exc} (a bug in "
                         "newsletter-pipeline; the next save tries again; please report it)")
            finally:
                try:  # follow the files even after a failed rebuild, or the next saves go unseen
                    self._replan()
                except Exception as exc:  # noqa: BLE001 - a folder to watch vanished: the next save retries
                    self.log(f"warning: cannot watch every file for changes: {type(exc).__name__}: {exc}")

    def _replan(self) -> None:
        """(Re)start the watchers when the folders to watch changed (e.g. a new templates: folder)."""
        targets = self.site.watch_targets()
        if targets == self.targets:
            return
        for watcher in self.watchers:
            watcher.stop_event.set()
        replanning = self.targets is not None
        self.targets = targets
        deep, flat = targets
        self.watchers = [_Watcher(folders, recursive, self.flag, self.site.is_relevant, self.log)
                         for folders, recursive in ((deep, True), (flat, False)) if folders]
        for watcher in self.watchers:
            watcher.start()
        if replanning:
            # A save between the last rebuild and the new OS watches would be lost:
            # once they are in place, rebuild once more to catch up.
            for watcher in self.watchers:
                watcher.ready.wait(5.0)
            self.flag.add([*deep, *flat])


def _describe(result: Build) -> str:
    """One log line per rebuilt issue; a failed build logs its located errors."""
    if not result.ok:
        return "\n".join(result.errors)
    counts = {level: sum(f["level"] == level for f in result.findings) for level in ("error", "warning")}
    return (f"rebuilt {result.slug} in {result.duration_ms:.0f} ms: {result.size:,} bytes, "
            f"{plural(counts['error'], 'check error')}, {plural(counts['warning'], 'warning')}")
