"""A CLI run forked from the suite's server (``cli_process.py``) answers what a fresh interpreter answers.

Most CLI tests rely on it, so each difference a fork could make is compared
here with a fresh ``python -m newsletter_pipeline`` on the same input.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import cli_process
import pytest
from shared import HELLO_ISSUE, SEED_IN_PROJECT, clean_env


def both(args: list[str], cwd: Path, env: dict[str, str] | None = None, input: str | None = None
         ) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    full = {**os.environ, **clean_env(), **(env or {})}
    forked = cli_process.run(args, cwd=cwd, env=full, input=input)
    fresh = cli_process.run(args, cwd=cwd, env=full, input=input, fresh=True)
    return forked, fresh


def same(forked: subprocess.CompletedProcess[str], fresh: subprocess.CompletedProcess[str]) -> None:
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)
    assert forked.args == fresh.args


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["no-such-verb"], ["build"]])
def test_usage_and_help_name_the_command_as_python_dash_m(tmp_path, args) -> None:
    forked, fresh = both(args, tmp_path)
    same(forked, fresh)
    assert "python -m newsletter_pipeline" in forked.stdout + forked.stderr


def test_a_build_reads_the_folder_and_environment_of_its_own_run(make_project, tmp_path) -> None:
    root = make_project({"issues/2021-12-small.yaml": HELLO_ISSUE})
    for archive in ("https://www.ai4media.eu/news-a/", "https://www.ai4media.eu/news-b/"):
        forked, fresh = both(["build", "issues/2021-12-small.yaml", "--out", "out"], root,
                             env={"NEWSLETTER_ARCHIVE_URL": archive})
        same(forked, fresh)
        assert forked.returncode == 0, forked.stderr
        assert archive in (root / "out" / "2021-12-small" / "email.html").read_text(encoding="utf-8")


def test_exit_codes_and_located_errors_match(make_project) -> None:
    root = make_project({"issues/2021-12-bad.yaml": "subject: [unclosed\n", "issues/binary.yaml": "\x00\x01"})
    for name in ("issues/2021-12-bad.yaml", "issues/binary.yaml", "issues/missing.yaml"):
        forked, fresh = both(["check", name], root)
        same(forked, fresh)
        assert forked.returncode in (1, 2) and "Traceback" not in forked.stderr


def test_stdin_reaches_the_process_and_a_previous_run_leaves_nothing_behind(make_project) -> None:
    root = make_project(seed=True)
    german = both(["check", SEED_IN_PROJECT, "--format", "json"], root, env={"NEWSLETTER_LANGUAGE": "de"})
    same(*german)
    # a list send asks for the slug on stdin; a wrong answer sends nothing (exit 2), the same both ways
    forked, fresh = both(["send", SEED_IN_PROJECT, "--now"], root, input="wrong-slug\n")
    same(forked, fresh)
    assert forked.returncode != 0 and not (root / "outbox").exists()


def test_the_timeout_kills_the_process(make_project) -> None:
    root = make_project(seed=True)
    start = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        cli_process.run(["preview", SEED_IN_PROJECT, "--port", "0"], cwd=root, env={**os.environ, **clean_env()},
                        timeout=1.5)
    assert time.monotonic() - start < 10


def test_a_python_startup_setting_gets_a_fresh_interpreter(tmp_path) -> None:
    env = {**os.environ, **clean_env(), "PYTHONPROFILEIMPORTTIME": "1"}
    result = cli_process.run(["--help"], cwd=tmp_path, env=env)
    assert result.returncode == 0 and "import time:" in result.stderr  # only a new interpreter reads it


ENDING = """
import atexit, sys, threading, time
sys.path.insert(0, {tests!r})
atexit.register(lambda: print("atexit ran"))
def late():
    time.sleep(0.05)
    print("the thread finished")
threading.Thread(target=late).start()
sys.stdout.write("unflushed ")
if sys.argv[1] == "shut_down":
    from cli_forkserver import shut_down
    shut_down({code!r})
sys.exit({code!r})
"""


@pytest.mark.parametrize("code, reader", [(None, "reads"), (3, "reads"), (260, "reads"), (-1, "reads"),
                                          ("a message", "reads"), (0, "went away"), ("a message", "went away")])
def test_a_forked_run_ends_as_the_interpreter_ends(code, reader) -> None:
    """``cli_forkserver.shut_down`` against ``sys.exit``: the thread waited for, atexit, the last flush
    (exit 120 when nobody reads stdout any more), the code."""
    script = ENDING.format(tests=str(Path(__file__).parent), code=code)
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}  # stdout buffered
    results = []
    for how in ("sys.exit", "shut_down"):
        argv = [cli_process.sys.executable, "-c", script, how]
        if reader == "reads":
            done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=30)
            results.append((done.returncode, done.stdout, done.stderr))
        else:
            read_end, write_end = os.pipe()
            os.close(read_end)
            try:
                done = subprocess.run(argv, stdout=write_end, stderr=subprocess.PIPE, text=True, env=env,
                                      timeout=30)
            finally:
                os.close(write_end)
            results.append((done.returncode,))  # the interpreter's own words on the failed flush differ
    assert results[0] == results[1]
    if reader == "reads":
        assert results[0][1] == "unflushed the thread finished\natexit ran\n"
    else:
        assert results[0] == (120,)


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["check", "--help"]])
def test_help_to_a_full_stdout_ends_alike(tmp_path, args) -> None:
    """click's own output to a stdout that fails: said in one line, exit 120, forked as fresh."""
    from shared import full_device

    full = os.open(full_device(tmp_path), os.O_WRONLY)
    try:
        env = {**os.environ, **clean_env()}
        forked = cli_process.run(args, cwd=tmp_path, env=env, stdout=full)
        fresh = cli_process.run(args, cwd=tmp_path, env=env, stdout=full, fresh=True)
    finally:
        os.close(full)
    same(forked, fresh)
    assert forked.returncode == 120 and forked.stderr.startswith("error: stdout cannot be written"), forked.stderr
