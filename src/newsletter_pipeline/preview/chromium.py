"""Headless Chromium over the DevTools pipe: full-page PNGs at a width, light, dark or inverted.

Chromium is driven directly through ``--remote-debugging-pipe`` (the DevTools
protocol as NUL-separated JSON on file descriptors 3 and 4), so screenshots
need no Python dependency beyond the standard library and no browser download:
one launch, exact viewport widths, and real ``prefers-color-scheme: dark``
emulation (``Emulation.setEmulatedMedia``) rather than a CSS rewrite.
Protocol reference: https://chromedevtools.github.io/devtools-protocol/
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..progress import Progress, quiet
from ..shots import Shot

ENV_VAR = "NEWSLETTER_CHROMIUM"
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (f"install it (Debian/Ubuntu: apt-get install -y chromium) or set {ENV_VAR} "
                "to the path of a Chromium or Chrome executable")
# Background services would try the network and slow every launch; --no-sandbox is added for root only,
# where Chromium refuses to start without it.
FLAGS = ("--headless", "--disable-gpu", "--hide-scrollbars", "--mute-audio", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-quic", "--disable-default-apps", "--disable-extensions")
CALL_TIMEOUT = 30.0
LOAD_TIMEOUT = 15.0  # remote images that never answer must not hang the command


class ChromiumError(ConfigError):
    """Chromium is missing, failed to start, or stopped answering (exit 2)."""


def find_chromium(env: dict[str, str] | None = None) -> Path:
    """``$NEWSLETTER_CHROMIUM`` if set (it must exist), else the first Chromium or Chrome on PATH."""
    env = os.environ if env is None else env
    explicit = env.get(ENV_VAR)
    if explicit:
        found = shutil.which(explicit)
        if found is None:
            raise ChromiumError(f"{ENV_VAR}={explicit} is not an executable; {INSTALL_HINT}")
        return Path(found)
    for name in NAMES:
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return Path(found)
    raise ChromiumError(f"Chromium not found on PATH (looked for {', '.join(NAMES)}); {INSTALL_HINT}")


class DevTools:
    """A minimal DevTools-protocol client over Chromium's pipe: calls and awaited events."""

    def __init__(self, process: subprocess.Popen[bytes], write_fd: int, read_fd: int) -> None:
        self.process = process
        self.write_fd = write_fd
        self.read_fd = read_fd
        self.buffer = b""
        self.events: list[dict[str, Any]] = []
        self.next_id = 0

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:  # it exited before reading: the same error as exiting before answering
            raise self._exited(method) from None
        deadline = time.monotonic() + CALL_TIMEOUT
        while True:
            try:
                reply = self._read(deadline, method)
            except TimeoutError:
                raise ChromiumError(f"Chromium did not answer {method} within {CALL_TIMEOUT:.0f} s") from None
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise ChromiumError(f"Chromium refused {method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, name: str, timeout: float) -> bool:
        """Wait for an event (kept from earlier reads too); False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == name:
                    self.events.remove(event)
                    return True
            try:
                self.events.append(self._read(deadline, name))
            except TimeoutError:
                return False

    def _read(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            # in slices, so a browser that exited is noticed though a process it left holds the pipe open
            if remaining <= 0:
                raise TimeoutError(waiting_for)
            if not select.select([self.read_fd], [], [], min(remaining, 0.5))[0]:
                if self.process.poll() is not None:
                    raise self._exited(waiting_for)
                continue
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                raise self._exited(waiting_for)
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def _exited(self, waiting_for: str) -> ChromiumError:
        """The one error for a browser gone before answering, whichever end of the pipe noticed first
        (``launch`` adds what it said on stderr). A program that is no headless browser exits at once."""
        try:
            code: int | None = self.process.wait(1.0)
        except subprocess.TimeoutExpired:  # it closed the pipe but runs on
            code = None
        gone = ("closed its DevTools pipe" if code is None else f"exited (killed by signal {-code})" if code < 0
                else f"exited (exit status {code})")
        executable = str(self.process.args[0])  # type: ignore[index]
        return ChromiumError(f"{executable} {gone} before answering {waiting_for}: it did not start as "
                             f"headless Chromium; set {ENV_VAR} to the path of a Chromium or Chrome executable "
                             f"(`{shlex.quote(executable)} --headless --dump-dom about:blank` shows why this one "
                             "fails)")


@contextmanager
def launch(executable: Path) -> Iterator[DevTools]:
    """Start Chromium with a throwaway profile; always stop it and delete the profile."""
    profile = tempfile.mkdtemp(prefix="newsletter-chromium-")
    to_browser_r, to_browser_w = os.pipe()
    from_browser_r, from_browser_w = os.pipe()
    args = [str(executable), *FLAGS, *(["--no-sandbox"] if os.geteuid() == 0 else []),
            "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"]

    def wire_pipe() -> None:  # in the child: Chromium reads commands on fd 3 and answers on fd 4
        # move both ends out of the way first: either could itself be fd 3 or 4
        commands, answers = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_r, from_browser_w))
        os.dup2(commands, 3)
        os.dup2(answers, 4)

    try:
        # a session (and process group) of its own: a browser that hangs is ended with every process it
        # started (a wrapper script's child outlived a plain kill); our own Ctrl-C closes it in _close
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, pass_fds=(3, 4), preexec_fn=wire_pipe,
                                   start_new_session=True)
    except OSError as exc:
        shutil.rmtree(profile, ignore_errors=True)
        raise ChromiumError(f"could not start {executable}: {exc}; {INSTALL_HINT}") from None
    finally:
        os.close(to_browser_r)
        os.close(from_browser_w)
    client = DevTools(process, to_browser_w, from_browser_r)
    try:
        yield client
    except ChromiumError as exc:
        raise ChromiumError(f"{exc}{_stderr_tail(process)}") from None
    finally:
        _close(client)
        shutil.rmtree(profile, ignore_errors=True)


def _close(client: DevTools) -> None:
    try:
        os.write(client.write_fd, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
    except OSError:
        pass
    try:
        client.process.wait(5)
    except subprocess.TimeoutExpired:
        client.process.kill()
        client.process.wait(5)
    _end_group(client.process)  # and whatever it left running (a crashed browser's helpers, a wrapper's child)
    for fd in (client.write_fd, client.read_fd):
        os.close(fd)
    if client.process.stderr:
        client.process.stderr.close()


def _stderr_tail(process: subprocess.Popen[bytes]) -> str:
    """The last lines the browser wrote, once it has exited: what it left running in its group is ended
    first, since such a process keeps the pipe open (reading it waited for ever on a wrapper's child)."""
    if process.poll() is None or process.stderr is None:
        return ""
    _end_group(process)
    chunks, deadline = [], time.monotonic() + 1.0
    while (left := deadline - time.monotonic()) > 0 and select.select([process.stderr], [], [], left)[0]:
        chunk = os.read(process.stderr.fileno(), 65536)
        if not chunk:
            break
        chunks.append(chunk)
    lines = b"".join(chunks).decode(errors="replace").strip().splitlines()
    return ("\nChromium said:\n  " + "\n  ".join(lines[-5:])) if lines else ""


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """Kill what the browser left running in its process group (its own session: see ``launch``)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:  # nothing left: the usual case
        pass


WINDOW_HEIGHT = 800  # px: the window the email opens in; a taller email is captured beyond it


def screenshots(executable: Path, html_file: Path, shots: Sequence[Shot],
                progress: Progress = quiet) -> dict[str, bytes]:
    """Full-page PNGs of ``html_file``, one per shot, from one browser launch; ``progress`` sees each shot."""
    with launch(executable) as browser:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.call("Page.enable", session=session)
        return {shot.name: _shoot(browser, session, html_file, shot) for shot in progress(shots, "taking screenshots")}


def _shoot(browser: DevTools, session: str, html_file: Path, shot: Shot) -> bytes:
    browser.call("Emulation.setDeviceMetricsOverride",
                 {"width": shot.width, "height": WINDOW_HEIGHT, "deviceScaleFactor": 1, "mobile": shot.mobile},
                 session)
    browser.call("Emulation.setEmulatedMedia", {"media": "screen", "features": [
        {"name": "prefers-color-scheme", "value": "dark" if shot.dark else "light"}]}, session)
    browser.events.clear()
    browser.call("Page.navigate", {"url": html_file.resolve().as_uri()}, session)
    browser.wait_event("Page.loadEventFired", LOAD_TIMEOUT)
    if shot.inverted:
        _evaluate(browser, session, f"{invert_script()}\nnpInvert(document);")
    height = browser.call("Page.getLayoutMetrics", session=session)["cssContentSize"]["height"]
    clip = {"x": 0, "y": 0, "width": shot.width, "height": max(1, round(height)), "scale": 1}
    # beyond the window only when the page is taller: Chromium shifts a right-to-left page that fits in
    # the window ~90 px to the right when asked to capture beyond it (a short Arabic email was cut off)
    beyond = height > WINDOW_HEIGHT
    data = browser.call("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": beyond},
                        session)["data"]
    return base64.b64decode(data)


def invert_script() -> str:
    """The forced-inversion simulation (``npInvert(document)``), shared with the preview's toggle."""
    return resources.files(__package__).joinpath("static", "invert.js").read_text(encoding="utf-8")


def _evaluate(browser: DevTools, session: str, script: str) -> None:
    """Run ``script`` in the page; a script error is Chromium's failure, not a silent half-inverted shot."""
    result = browser.call("Runtime.evaluate", {"expression": script, "returnByValue": True}, session)
    if "exceptionDetails" in result:
        detail = result["exceptionDetails"].get("exception", {}).get("description") or result["exceptionDetails"]
        raise ChromiumError(f"the inversion script failed in Chromium: {detail}")
