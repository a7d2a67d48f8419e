"""``newsletter build --watch``: a real process that rebuilds on save and exits 130 on Ctrl-C."""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def watching(root, target: str = ISSUE):
    """``newsletter build --watch TARGET --out out`` in ``root``: (process, stdout lines, stderr lines); killed after."""
    process = subprocess.Popen([*newsletter_command(), "build", "--watch", target, "--out", "out"], cwd=root,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        yield process, Lines(process.stdout), Lines(process.stderr)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_build_watch_rebuilds_on_save_keeps_the_output_on_errors_and_exits_130(make_project) -> None:
    root = make_project({ISSUE: VALID})
    issue, html = root / ISSUE, root / "out" / "2021-12-watched" / "email.html"
    with watching(root) as (process, out, err):
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


def test_build_watch_of_a_folder_writes_what_build_writes_and_builds_a_new_issue(make_project, tmp_path,
                                                                                 monkeypatch) -> None:
    """The watch wrote the preview's copy of the email (its images at the preview's own /issue/ address)
    and no images at all; and a folder was read once, so an issue saved into it later was never built."""
    from shared import PHOTO_ISSUE_NAME, photo_issue, run_newsletter, with_photo

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = with_photo(make_project({PHOTO_ISSUE_NAME: photo_issue()}), "https://news.ai4media.eu/archive",
                      (900, 500))
    built = run_newsletter(["build", "issues", "--out", "built"], cwd=root, env={**os.environ})
    assert built.returncode == 0, built.stderr
    expected = {p.relative_to(root / "built"): p.read_bytes() for p in (root / "built").rglob("*") if p.is_file()}
    assert any(p.parts[1] == "media" for p in expected)
    with watching(root, "issues") as (process, out, _):
        out.wait_for("built out/2026-12-photo/email.html")
        out.wait_for("watching issues ")
        written = {p.relative_to(root / "out"): p.read_bytes() for p in (root / "out").rglob("*") if p.is_file()}
        assert written == expected  # the same files, byte for byte: the email readers get and its images

        (root / ISSUE).write_text(VALID)  # a new issue in the watched folder
        out.wait_for("built out/2021-12-watched/email.html")
        assert "First version" in (root / "out/2021-12-watched/email.html").read_text()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 130


def test_an_out_folder_replaced_by_a_file_is_said_plainly_and_the_watch_goes_on(make_project) -> None:
    """It printed a Python traceback under "preview: rebuild failed:"; and later saves must still build."""
    import shutil

    root = make_project({ISSUE: VALID})
    issue = root / ISSUE
    with watching(root) as (process, out, err):
        out.wait_for("watching ")
        shutil.rmtree(root / "out")
        (root / "out").write_text("a file in the way\n", encoding="utf-8")
        issue.write_text(VALID.replace("First version", "Saved again"))
        line = err.wait_for("out: error:")
        assert line.startswith("out: error: cannot write here: a file is in the way where a folder should be")
        (root / "out").unlink()
        issue.write_text(VALID.replace("First version", "Third version"))
        out.wait_for("built out/2021-12-watched/email.html")
        assert "Third version" in (root / "out" / "2021-12-watched" / "email.html").read_text()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 130
        assert not any("Traceback" in seen or "preview:" in seen for seen in err.seen), err.seen


def test_an_issue_that_was_a_link_is_still_watched_once_a_plain_file(make_project) -> None:
    """Found by probing: once the issue file had been a link, the plain file put back was never rebuilt."""
    root = make_project({ISSUE: VALID, "drafts/x.yaml": VALID.replace("First version", "Linked version")})
    issue, html = root / ISSUE, root / "out" / "2021-12-watched" / "email.html"
    with watching(root) as (process, out, err):
        out.wait_for("watching ")
        link = root / "issues" / "tmp.yaml"
        link.symlink_to("../drafts/x.yaml")
        os.replace(link, issue)  # the issue is now a link into drafts/
        out.wait_for("built out/2021-12-watched/email.html")
        assert "Linked version" in html.read_text()
        issue.unlink()  # a rebuild of its own: the issue is missing for a moment, as `rm` then `cp` makes it
        err.wait_for(f"{ISSUE}")
        issue.write_text(VALID.replace("First version", "Plain again"))
        out.wait_for("built out/2021-12-watched/email.html")
        assert "Plain again" in html.read_text()
        issue.write_text(VALID.replace("First version", "Saved after"))
        out.wait_for("built out/2021-12-watched/email.html")
        assert "Saved after" in html.read_text()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 130
