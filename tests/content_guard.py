"""The suite never uses the repository's own content, and never writes into its fixture project.

The repository's ``issues/`` and ``newsletter.yaml`` belong to whoever writes
the newsletter; replacing them must leave the suite green (``.ci/run`` checks
them with ``newsletter check --strict issues/``). Tests use the fixture project
``tests/fixtures/ai4media/`` (``shared.FIXTURE_PROJECT``), read-only, or a copy
of it (``make_project``).

A Python audit hook (PEP 578) sees what the test process does:

- opening, listing or copying a path in ``issues/`` or ``newsletter.yaml`` of the
  repository (in-process code, e.g. ``build_issue`` of an issue without a
  project, which falls back to the working directory's ``newsletter.yaml``);
- starting the CLI with the repository as its working directory (it would read
  the repository's ``newsletter.yaml`` and the developer's ``.env``) or with one
  of those paths on its command line;
- writing, creating or removing anything in the fixture project.

The hook raises ``RepoContentUsed`` before the operation happens, and records
it too (code may swallow the exception): ``conftest.py`` fails the test that
did it. A CLI process cannot be watched from here, so what one writes into the
fixture project is found by comparing the fixture's files at the end of the
session (``fixture_changes``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from shared import FIXTURE_PROJECT, REPO, REPO_CONTENT


class RepoContentUsed(AssertionError):
    """A test used the repository's content, or wrote into the fixture project."""


_REPO = str(REPO)
_CONTENT = tuple(str(path) for path in REPO_CONTENT)
_FIXTURE = str(FIXTURE_PROJECT)
_READS = frozenset({"open", "os.listdir", "os.scandir", "shutil.copyfile", "shutil.copytree"})
_CHANGES = frozenset({"os.mkdir", "os.remove", "os.rmdir", "os.rename", "shutil.rmtree", "os.truncate",
                      "os.chmod", "os.utime"})
_WATCHED = _READS | _CHANGES | {"subprocess.Popen"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

violations: list[str] = []
_active = False


def _absolute(path: Any, base: str | None = None) -> str | None:
    """``path`` as an absolute string (no filesystem access), or None if it is not a path."""
    if path is None or isinstance(path, int):
        return None
    try:
        text = os.fsdecode(os.fspath(path))
    except TypeError:
        return None
    return os.path.normpath(os.path.join(base if base is not None else os.getcwd(), text))


def _inside(path: str | None, folder: str) -> bool:
    return path is not None and (path == folder or path.startswith(folder + os.sep))


def _is_content(path: str | None) -> bool:
    return any(_inside(path, item) for item in _CONTENT)


def _runs_cli(words: list[Any]) -> bool:
    """``python -m newsletter_pipeline ...`` or the ``newsletter`` script (a ``-c`` snippet is not the CLI)."""
    texts = [os.fsdecode(os.fspath(word)) if isinstance(word, (str, bytes, os.PathLike)) else "" for word in words]
    return "newsletter_pipeline" in texts or any(os.path.basename(text) == "newsletter" for text in texts[:1])


def _popen_use(argv: Any, cwd: Any) -> str | None:
    words = [argv] if isinstance(argv, (str, bytes, os.PathLike)) else list(argv or ())
    if not _runs_cli(words):
        return None
    where = _absolute(cwd) if cwd is not None else os.getcwd()
    if where == _REPO:
        return ("the CLI was started in the repository, where it reads the repository's newsletter.yaml "
                "and .env: pass cwd= a project of the test (make_project, FIXTURE_PROJECT)")
    for word in words[1:]:
        if _is_content(_absolute(word, where)):
            return f"the CLI was given the repository's {word}: use SEED or a make_project file"
    return None


def _opens_for_writing(args: tuple[Any, ...]) -> bool:
    _, mode, flags = args
    if isinstance(mode, str):
        return any(letter in mode for letter in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _dir_fd_relative(event: str, args: tuple[Any, ...], path: Any) -> bool:
    """A relative ``path`` that an ``os`` call resolves against a folder descriptor, not the working directory.

    ``shutil.rmtree`` (tmp_path's cleanup) walks with ``dir_fd``; ``os.open``
    reports no ``dir_fd`` at all (its ``mode`` is None), so a relative one is skipped.
    """
    if isinstance(path, int) or path is None or os.path.isabs(os.fsdecode(os.fspath(path))):
        return False
    if event == "open":
        return args[1] is None
    return any(isinstance(arg, int) and arg >= 0 for arg in args[1:]) if event.startswith("os.") else False


def _paths(event: str, args: tuple[Any, ...]) -> list[str]:
    """The absolute paths an audit event names (skipping descriptors and descriptor-relative names)."""
    count = 2 if event in ("os.rename", "shutil.copyfile", "shutil.copytree") else 1
    named = [arg if arg is not None or event == "open" else "." for arg in args[:count]]
    return [path for arg in named if not _dir_fd_relative(event, args, arg)
            for path in [_absolute(arg)] if path is not None]


def content_use(event: str, args: tuple[Any, ...]) -> str | None:
    """What an audit event does with the repository's content or to the fixture project, else None."""
    if event == "subprocess.Popen":
        return _popen_use(args[1], args[2])
    paths = _paths(event, args)
    if event in _READS and any(_is_content(path) for path in paths):
        return f"{event} {args[0]!s}: the repository's own content; use FIXTURE_PROJECT, SEED or make_project"
    changed = paths[1:] if event.startswith("shutil.copy") else paths
    if event == "open" and not _opens_for_writing(args):
        changed = []
    if (event in _CHANGES or event == "open" or event.startswith("shutil.copy")) and \
            any(_inside(path, _FIXTURE) for path in changed):
        return f"{event} {changed[0]}: the fixture project is read-only; copy it with make_project"
    return None


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _active or event not in _WATCHED:
        return
    found = content_use(event, args)
    if found is not None:
        violations.append(found)
        raise RepoContentUsed(found)


def install() -> None:
    """Watch this process from now on (an audit hook cannot be removed; it stays until the process ends)."""
    global _active
    if not _active:
        sys.addaudithook(_hook)
        _active = True


def take() -> list[str]:
    """The violations recorded since the last call, emptied."""
    found = violations[:]
    violations.clear()
    return found


@contextmanager
def expected() -> Iterator[list[str]]:
    """For the guard's own tests: the violations inside the block are theirs, not the test's."""
    before = take()
    caught: list[str] = []
    try:
        yield caught
    finally:
        caught.extend(take())
        violations.extend(before)


def fixture_files() -> dict[str, tuple[int, int]]:
    """Every file of the fixture project with its size and modification time (ns)."""
    return {str(path.relative_to(FIXTURE_PROJECT)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted(FIXTURE_PROJECT.rglob("*"))}


def fixture_changes(before: dict[str, tuple[int, int]]) -> list[str]:
    """What changed in the fixture project since ``before`` (files added, removed or rewritten)."""
    after = fixture_files()
    return sorted({name for name in before.keys() | after.keys() if before.get(name) != after.get(name)})
