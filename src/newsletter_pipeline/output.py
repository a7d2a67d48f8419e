"""The only writer of output files: atomic, and never two items to one path."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import UsageError


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` so readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide the email from a web server
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class OutputPlan:
    """Collects every file of a build first, so nothing is written when anything fails."""

    def __init__(self) -> None:
        self.files: dict[Path, str] = {}

    def add(self, path: Path, content: str, owner: str) -> None:
        key = path.resolve()
        if key in self.files:
            raise UsageError(f"two issues would write {path} ({owner} and an earlier one share a slug)")
        self.files[key] = content

    def write(self) -> list[Path]:
        for path, content in self.files.items():
            write_atomic(path, content)
        return list(self.files)
