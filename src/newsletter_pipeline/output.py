"""The only writer of output files: atomic, and never two items to one path.

``write_atomic`` is the one way this package writes a file (builds, the
archive, the send ledger, the outbox, screenshots): a reader or a process
killed half-way sees the old file or the new one, never half of one. Files get
the mode the user's umask gives a new file, not ``mkstemp``'s 0600.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import UsageError


def umask() -> int:
    """The process's umask (reading it means setting it, so it is set straight back)."""
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: Path, content: str | bytes, *, durable: bool = False) -> None:
    """Write ``content`` (text encoded as UTF-8, bytes unchanged) to ``path``: temp file, then rename.

    ``durable`` also fsyncs before the rename, for records that must survive a
    power loss (the send ledger), at the cost of a disk flush per write.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~umask())  # mkstemp's 0600 would hide the email from a web server
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
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
