"""Shared fixtures: throwaway projects built from a dict of files, the CLI, and Chromium.

The suite runs in parallel (pytest-xdist, ``-n auto`` in the README's test command): a
session fixture runs once per worker, temp folders are per worker, and every
server takes a port the kernel picks. The content guard (``content_guard.py``)
fails a test that uses the repository's ``issues/`` or ``newsletter.yaml``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import content_guard
import pytest
from shared import FIXTURE_CONFIG, FIXTURE_PROJECT, SEED, SEED_SLUG, newsletter_command, run_newsletter

IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="Rewrite tests/golden/ from the current build (a deliberate rendering change).")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than half again the cores (3 on 2 cores).

    A worker spends much of a test waiting: for a CLI process it started, a
    browser, a local server, a held reply. With one worker per core a core
    sat idle meanwhile; measured on 2 cores at a neighbours' load of 4-7,
    2,035 tests took 160-183 s with 2 workers, 146 s with 3 and 164 s with 4.
    ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still overrides it, as xdist documents.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    return max(2, (os.cpu_count() or 1) * 3 // 2)


def pytest_configure(config: pytest.Config) -> None:
    content_guard.install()
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist) owns the end check
        config.stash[_FIXTURE_FILES] = content_guard.fixture_files()
        _cache_bytecode(config)


_FIXTURE_FILES = pytest.StashKey[dict]()
_PYCACHE = pytest.StashKey[str]()


def _cache_bytecode(config: pytest.Config) -> None:
    """Under PYTHONDONTWRITEBYTECODE, let the suite's processes cache bytecode in a folder of this session.

    With that setting (many containers have it, our 2-core machines too) each of
    the ~280 CLI processes of a run compiled every module of the package again:
    a seed send took 0.613 s of CPU, 0.579 s with the cache (12 runs each,
    interleaved). PYTHONPYCACHEPREFIX keeps the cache outside the source tree,
    which the setting keeps clean. Set before xdist starts its workers, so they
    and every process they start inherit it; removed when the session ends.
    Without the setting, Python's own ``__pycache__`` folders already serve.
    """
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    prefix = tempfile.mkdtemp(prefix="newsletter-tests-pycache-")
    config.stash[_PYCACHE] = prefix
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    os.environ["PYTHONDONTWRITEBYTECODE"] = ""  # empty reads as unset


def pytest_unconfigure(config: pytest.Config) -> None:
    prefix = config.stash.get(_PYCACHE, None)
    if prefix is not None:
        shutil.rmtree(prefix, ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    content_guard.take()  # each test starts with an empty record
    return (yield)


def _guarded(phase):
    """Fail a phase (setup, call, teardown) that used the repository's content; else its own outcome.

    A phase that raised already fails (most often with ``RepoContentUsed``
    itself): what it recorded is dropped, so it is not reported twice.
    """
    try:
        result = yield
    except BaseException:
        content_guard.take()
        raise
    found = content_guard.take()
    if found:
        pytest.fail(f"the test {phase} used the repository's content or wrote into the fixture project:\n  "
                    + "\n  ".join(found), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    return (yield from _guarded("setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    return (yield from _guarded("call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    return (yield from _guarded("teardown"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A CLI process that wrote into the fixture project is found here (the audit hook sees this process only)."""
    before = session.config.stash.get(_FIXTURE_FILES, None)
    changed = content_guard.fixture_changes(before) if before is not None else []
    if changed:
        message = (f"error: tests wrote into the read-only fixture project {FIXTURE_PROJECT}: {', '.join(changed)}"
                   " (a test that writes must copy it: make_project(seed=True))")
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(message, red=True)
        else:
            print(message)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@dataclass(frozen=True)
class SeedBuild:
    """The seed issue as the real CLI wrote it: dist folder and the process's output."""

    folder: Path
    stdout: str
    stderr: str

    def read(self, name: str) -> str:
        return (self.folder / name).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_dist(tmp_path_factory: pytest.TempPathFactory) -> SeedBuild:
    """``newsletter build`` of the seed, run once per session (per xdist worker) in a real process."""
    out = tmp_path_factory.mktemp("seed-dist")
    result = subprocess.run([*newsletter_command(), "build", str(SEED), "--out", str(out)], cwd=FIXTURE_PROJECT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return SeedBuild(out / SEED_SLUG, result.stdout, result.stderr)


@pytest.fixture(scope="session")
def seed_build():
    """``(LoadedIssue, RenderedIssue)`` of the seed, built once per session in this process."""
    from newsletter_pipeline.render import build_issue

    return build_issue(SEED)


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """A project folder with the fixture project's newsletter.yaml plus ``files`` (path -> text).

    Pass ``seed=True`` to include the seed issue.
    """

    def make(files: dict[str, str] | None = None, seed: bool = False) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        shutil.copy(FIXTURE_CONFIG, root / "newsletter.yaml")
        (root / "issues").mkdir(exist_ok=True)
        if seed:
            shutil.copy(SEED, root / "issues" / SEED.name)
        for name, text in (files or {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root

    return make


@pytest.fixture
def run_cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``newsletter`` as a real process (exit codes, stderr, no traceback).

    The process is forked from one that has already imported the package
    (``cli_process.py``): its own arguments, environment, folder and streams.
    ``fresh=True`` starts a new interpreter, for tests of start-up itself.

    Without ``cwd`` it runs in an empty folder of the test's own, never in the
    repository (whose newsletter.yaml and .env the CLI would read).
    """

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            input: str | None = None, timeout: float = 120, fresh: bool = False
            ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, **(env or {})}
        if cwd is None:
            cwd = tmp_path / "cwd"
            cwd.mkdir(exist_ok=True)
        return run_newsletter(list(args), cwd=cwd, env=full_env, input=input, timeout=timeout, fresh=fresh)

    return run


def find_chromium() -> str | None:
    """Chromium from NEWSLETTER_CHROMIUM or PATH (Debian's package installs /usr/bin/chromium)."""
    explicit = os.environ.get("NEWSLETTER_CHROMIUM")
    if explicit and Path(explicit).exists():
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Skips outside CI when Chromium is missing; in CI a missing browser is a failure."""
    path = find_chromium()
    if path is None:
        if IN_CI:
            pytest.fail("Chromium is required in CI: apt-get install -y chromium")
        pytest.skip("Chromium not installed (apt-get install -y chromium); browser tests need it")
    return path


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    """A headless Chromium driven by Playwright (no downloaded browser: Debian's one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
