"""``newsletter build --watch``: a real process that rebuilds on save and exits 130 on Ctrl-C."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time

from shared import newsletter_command

ISSUE = "issues/2021-12-watched.yaml"
VALID = """\
subject: Watched
preheader: A short note about what is new in the AI4Media project this month.
date: 2021-12-15
language: en
blocks:
  - type: masthead
    title: First version
  - type: cta
    button:
      label: Visit the AI4Media website
      url: https://www.ai4media.eu/
"""


class Lines:
    """The lines a process writes to one stream, read by a thread so waits never block on a pipe."""

    def __init__(self, stream) -> None:
        self.queue: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self.queue.put(line.rstrip("\n"))

    def wait_for(self, start: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.queue.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(line)
            if line.startswith(start):
                return line
        raise AssertionError(f"no line starting {start!r} within {timeout} s; saw {self.seen}")


def test_build_watch_rebuilds_on_save_keeps_the_output_on_errors_and_exits_130(make_project) -> None:
    root = make_project({ISSUE: VALID})
    issue, html = root / ISSUE, root / "out" / "2021-12-watched" / "email.html"
    process = subprocess.Popen([*newsletter_command(), "build", "--watch", ISSUE, "--out", "out"], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        out, err = Lines(process.stdout), Lines(process.stderr)
        out.wait_for("built out/2021-12-watched/email.html")
        out.wait_for("watching ")
        assert "First version" in html.read_text()

        issue.write_text(VALID.replace("First version", "Saved again"))
        out.wait_for("built out/2021-12-watched/email.html")
        assert "Saved again" in html.read_text() and "First version" not in html.read_text()

        issue.write_text(VALID.replace("https://www.ai4media.eu/", "https://localhost/x"))  # a check error
        err.wait_for(f"{ISSUE}:11:")
        err.wait_for("not written: out/2021-12-watched/")
        assert "Saved again" in html.read_text()  # the last good build stays

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 130
        err.wait_for("interrupted")
        assert not any("Traceback" in line for line in err.seen)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
