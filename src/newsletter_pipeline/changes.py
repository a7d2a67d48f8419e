"""Which issue files a git range added or changed (``--changed-since REF``).

CI uses this to check the issues of a pull request and to test-send the
issues of a merge. The range is ``REF...HEAD`` (from the merge base), so a
pull request whose base branch moved on still sees only its own changes, and
a push sees exactly what it brought.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import UsageError
from .issue.load import ISSUE_SUFFIXES, SLUG_PATTERN


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UsageError("--changed-since needs git, which is not installed") from None


def repository_root(cwd: Path) -> Path:
    result = _git(["rev-parse", "--show-toplevel"], cwd)
    if result.returncode != 0:
        raise UsageError(f"finding the changed issues needs a git repository; {cwd} is not inside one "
                         "(run the command in the project's git checkout)")
    return Path(result.stdout.strip())


def is_issue_file(path: str) -> bool:
    """An issue is ``issues/YYYY-MM-slug.yaml`` at any depth of the repository."""
    candidate = Path(path)
    return (candidate.suffix in ISSUE_SUFFIXES and candidate.parent.name == "issues"
            and bool(SLUG_PATTERN.match(candidate.stem)))


def changed_issues(ref: str, cwd: Path | None = None) -> list[Path]:
    """Issue files added, modified or renamed in ``REF...HEAD``; deleted ones are skipped.

    Raises ``UsageError`` for an unknown ref, naming it.
    """
    if not ref or ref.startswith("-") or any(c.isspace() or not c.isprintable() for c in ref):
        # never given to git (an option such as --output=FILE), nor echoed back as a command to copy
        raise UsageError(f"{ref!r} is not a git ref: name a commit, a branch or a tag, such as main or HEAD~1")
    cwd = (cwd or Path.cwd()).resolve()
    root = repository_root(cwd)
    if _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root).returncode != 0:
        raise UsageError(f"unknown git ref '{ref}' (fetch it first, e.g. git fetch origin {ref}; "
                         "in GitHub Actions use actions/checkout with fetch-depth: 0)")
    result = _git(["diff", "--name-only", "--diff-filter=d", "--no-renames", "-z", f"{ref}...HEAD"], root)
    if result.returncode != 0:
        raise UsageError(f"git diff {ref}...HEAD failed: {result.stderr.strip()}")
    names = sorted(name for name in result.stdout.split("\0") if name and is_issue_file(name))
    return [root / name for name in names]
