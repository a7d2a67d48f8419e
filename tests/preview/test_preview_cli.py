"""``newsletter preview`` as a real process: it serves, stops on Ctrl-C, and refuses bad arguments."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import urllib.request
from pathlib import Path

from shared import SEED_IN_PROJECT, newsletter_command


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*newsletter_command(), "preview", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def first_line(process: subprocess.Popen[str], timeout: float = 30) -> str:
    """The first line of stdout, waiting at most ``timeout`` seconds."""
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        process.kill()
        raise AssertionError(f"no output within {timeout} s: {process.communicate()}")
    return process.stdout.readline()


def test_preview_serves_and_ctrl_c_stops_it_cleanly(seed_project: Path) -> None:
    process = start([SEED_IN_PROJECT, "--port", "0"], seed_project)
    try:
        line = first_line(process)
        assert line.startswith("serving http://127.0.0.1:") and line.rstrip().endswith("(Ctrl-C to stop)")
        url = line.split()[1]
        with urllib.request.urlopen(url, timeout=10) as response:  # follows the redirect to the issue
            assert response.url.endswith("/issue/2021-12-one-year-of-ai4media/")
            assert b"One year of AI4Media" in response.read()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert out.rstrip().endswith("stopped")
    assert "built 2021-12-one-year-of-ai4media" in err and "Traceback" not in err


def test_sigterm_stops_it_too(seed_project: Path) -> None:
    process = start([SEED_IN_PROJECT, "--port", "0"], seed_project)
    try:
        assert first_line(process).startswith("serving ")
        process.terminate()
        out, err = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0 and "Traceback" not in err


def test_a_non_loopback_host_prints_a_warning(seed_project: Path, run_cli) -> None:
    # 192.0.2.1 (TEST-NET-1) is never assigned to this machine: the warning is printed, then binding fails
    result = run_cli("preview", SEED_IN_PROJECT, "--host", "192.0.2.1", "--port", "0", cwd=seed_project)
    assert "warning: serving on 192.0.2.1, not 127.0.0.1" in result.stderr
    assert result.returncode == 2 and "cannot listen on 192.0.2.1:0" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_a_usage_error(seed_project: Path, run_cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("preview", SEED_IN_PROJECT, "--port", str(port), cwd=seed_project)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr and "--port 0" in result.stderr


def test_missing_files_and_empty_folders_are_usage_errors(make_project, run_cli) -> None:
    root = make_project()
    result = run_cli("preview", "issues/2021-12-missing.yaml", cwd=root)
    assert result.returncode == 2 and "not found: issues/2021-12-missing.yaml" in result.stderr
    result = run_cli("preview", "issues", cwd=root)
    assert result.returncode == 2 and "no issue files (*.yaml) in issues" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_invalid_issue_still_starts_the_server_and_reports_the_error(make_project) -> None:
    root = make_project({"issues/2022-01-bad.yaml": "subject: [unclosed\n"})
    process = start(["issues/2022-01-bad.yaml", "--port", "0"], root)
    try:
        assert first_line(process).startswith("serving ")
        os.kill(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert "issues/2022-01-bad.yaml:2:1: error: invalid YAML" in err or \
        "issues/2022-01-bad.yaml:1:" in err, err
