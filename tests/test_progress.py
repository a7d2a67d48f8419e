"""Progress bars for long work: drawn on a terminal, absent from pipes (CI logs, scripts)."""

from __future__ import annotations

import os
import subprocess

import pytest
from shared import HELLO_ISSUE, clean_env, newsletter_command

from newsletter_pipeline.shots import SHOTS

VALID = HELLO_ISSUE

ISSUES = {"issues/2021-11-first.yaml": VALID, "issues/2021-12-second.yaml": VALID.replace("Hello", "Second")}


def _with_terminal_stderr(args: list[str], cwd, **env: str) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal; returns (exit code, what the terminal showed)."""
    primary, secondary = os.openpty()
    process = subprocess.Popen([*newsletter_command(), *args], cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=secondary, env={**os.environ, **clean_env(**env)})
    os.close(secondary)
    shown = b""
    try:
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the process closed the terminal's other end
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
    return process.wait(timeout=60), shown.decode(errors="replace")


def test_check_and_archive_show_a_progress_bar_on_a_terminal(make_project) -> None:
    root = make_project(ISSUES)
    code, shown = _with_terminal_stderr(["check"], root)
    assert code == 0, shown
    assert "checking issues" in shown and "2/2" in shown
    code, shown = _with_terminal_stderr(["archive", "--base-url", "https://news.example.org/"], root)
    assert code == 0, shown
    assert "building the archive" in shown and "2/2" in shown


def test_no_progress_bar_when_stderr_is_not_a_terminal(make_project, run_cli) -> None:
    root = make_project(ISSUES)
    for args in (["check"], ["archive", "--base-url", "https://news.example.org/"]):
        result = run_cli(*args, cwd=root, env=clean_env())
        assert result.returncode == 0, result.stderr
        assert "2/2" not in result.stderr and "[#" not in result.stderr and "\r" not in result.stderr


TEST_RECIPIENTS = "a@example.org,b@example.org,c@example.org"


def test_a_test_send_to_many_recipients_shows_a_progress_bar_on_a_terminal_only(make_project, run_cli) -> None:
    root = make_project(ISSUES)
    send = ["send", "issues/2021-12-second.yaml", "--test", "--to", TEST_RECIPIENTS]
    code, shown = _with_terminal_stderr(send, root)
    assert code == 0, shown
    assert "writing test messages" in shown and "3/3" in shown  # one step per recipient (outbox)
    result = run_cli(*send, cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    assert "3/3" not in result.stderr and "[#" not in result.stderr and "\r" not in result.stderr
    assert len(list((root / "outbox" / "2021-12-second").glob("*.eml"))) == 3


@pytest.mark.browser
def test_screenshot_shows_a_progress_bar_on_a_terminal(make_project, chromium_path) -> None:
    root = make_project(ISSUES)
    code, shown = _with_terminal_stderr(["screenshot", "issues/2021-12-second.yaml", "--out", "shots"], root,
                                        NEWSLETTER_CHROMIUM=chromium_path)
    assert code == 0, shown
    assert "taking screenshots" in shown and f"{len(SHOTS)}/{len(SHOTS)}" in shown  # one step per PNG
    assert sorted(p.name for p in (root / "shots" / "2021-12-second").iterdir()) == sorted(
        f"{shot.name}.png" for shot in SHOTS)
