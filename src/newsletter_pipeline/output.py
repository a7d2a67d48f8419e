"""The only writer of output files: atomic, and never two items to one path.

``write_atomic`` is the one way this package writes a file (builds, the
archive, the send ledger, the outbox, screenshots): a reader or a process
killed half-way sees the old file or the new one, never half of one. Files get
the mode the user's umask gives a new file, not ``mkstemp``'s 0600: the
temporary file is created with mode 0o666 and the kernel applies the umask,
so the umask is never set (setting it to read it raced with the preview's
threads creating files).

A build's files go through ``OutputPlan``: every file is first written into a
staging folder beside its issue folder, and only when all of them are written
are they renamed into place. A full disk or a read-only folder therefore
leaves no new file and the previous build as it was; the failure is an
``OutputError`` (exit 4) naming the path and what to do. Inside the output
folder nothing is written through a link: a link where an issue's folder or
file goes (a pull request can commit one) is replaced, never followed, as the
archive does; and the staging folder of a build that was killed outright is
removed by a later build.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
from pathlib import Path

from .errors import OutputError, UsageError, display_path

OUT = "choose another --out folder"  # what to do instead, for a build; other writers name their own
_FULL = "the disk is full (or a file size limit applies): free some space, or {instead}"
_REASONS = {  # errno -> (what happened, what to do)
    errno.ENOSPC: ("no space left on the disk", _FULL),
    errno.EDQUOT: ("the disk quota is used up", _FULL),
    errno.EFBIG: ("the file is larger than the size limit allows", _FULL),
    errno.EROFS: ("the folder is on a read-only disk", "{instead}"),
    errno.EACCES: ("permission denied", "make the folder writable, or {instead}"),
    errno.EPERM: ("permission denied", "make the folder writable, or {instead}"),
    errno.ENOTDIR: ("a file is in the way where a folder should be", "remove that file, or {instead}"),
    errno.EEXIST: ("a file is in the way where a folder should be", "remove that file, or {instead}"),
    errno.ELOOP: ("a symbolic link on the way leads back to itself (a loop)", "replace the link by a folder"),
    errno.EISDIR: ("a folder is in the way where a file should be", "remove that folder, or {instead}"),
    errno.ENOENT: ("the folder does not exist", "make it, or {instead}"),
    errno.ENAMETOOLONG: ("the name is longer than the file system allows", "shorten the names on the way, "
                         "or {instead}"),
}


def _proc_umask() -> int | None:
    """The umask as Linux shows it in /proc (4.7 and later), without setting it; None elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _import_umask() -> int:
    """Where /proc cannot tell, read once at import (before any thread of ours exists) by setting it."""
    current = os.umask(0o022)
    os.umask(current)
    return current


_IMPORT_UMASK = _proc_umask()
if _IMPORT_UMASK is None:  # pragma: no cover - not Linux
    _IMPORT_UMASK = _import_umask()


def umask() -> int:
    """The process's umask, never set to read it (see the module docstring)."""
    current = _proc_umask()
    return _IMPORT_UMASK if current is None else current


def reason(exc: OSError) -> str:
    """What ``exc`` means for a write, in words (``no space left on the disk``)."""
    return _REASONS.get(exc.errno or 0, (exc.strerror or str(exc),))[0]


def output_error(path: Path, exc: OSError, instead: str = OUT) -> OutputError:
    """``exc`` while writing ``path`` as a message a user can act on; ``instead``: where else to write."""
    what, todo = _REASONS.get(exc.errno or 0, (exc.strerror or str(exc), "check the folder and the disk"))
    todo = todo.format(instead=instead)
    if exc.errno == errno.EEXIST and exc.filename and os.path.islink(exc.filename):  # mkdir over a dead link
        what, todo = "a symbolic link that leads nowhere (or back to itself) is in the way", "replace it by a folder"
    return OutputError(f"{display_path(path)}: error: cannot write here: {what} ({todo}; nothing was changed there)")


def write_atomic(path: Path, content: str | bytes, *, durable: bool = False, instead: str = OUT) -> None:
    """Write ``content`` (text encoded as UTF-8, bytes unchanged) to ``path``: temp file, then rename.

    ``durable`` also fsyncs before the rename, for records that must survive a
    power loss (the send ledger), at the cost of a disk flush per write.
    Raises ``OutputError`` when the file cannot be written; ``path`` is then unchanged. Its message
    ends with what to do, ``instead`` where the user chose no --out (``NEWSLETTER_OUTBOX_DIR``...).
    """
    try:
        _write_file(path, content, durable)
    except OSError as exc:
        raise output_error(path, exc, instead) from None


def _write_file(path: Path, content: str | bytes, durable: bool = False) -> None:
    """``write_atomic`` without the translation of ``OSError``."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class OutputPlan:
    """Collects every file of a build first, so nothing is written when anything fails."""

    def __init__(self, root: Path) -> None:
        """``root``: the output folder (``--out``), the one place a link is followed (the user chose it)."""
        self.root = Path(os.path.abspath(root))
        self.files: dict[Path, str | bytes] = {}

    def add(self, path: Path, content: str | bytes, owner: str) -> None:
        key = Path(os.path.abspath(path))  # as written: a link in the way is replaced, not followed (write)
        if self.root not in key.parents:
            raise ValueError(f"{path} is not inside the output folder {self.root}")
        if key in self.files:
            raise UsageError(f"two issues would write {path} ({owner} and an earlier one share a slug)")
        self.files[key] = content

    def write(self) -> list[Path]:
        """Stage every file beside its folder, then rename them all into place (see the module docstring)."""
        stages: dict[Path, Path] = {}  # folder -> its staging folder
        missing = {_first_missing(path.parent.parent) for path in self.files} - {None}
        path, done = next(iter(self.files), Path()), False
        try:
            for folder in {path.parent for path in self.files}:
                _unlink_links(self.root, folder)
            for path, content in self.files.items():
                stage = stages.get(path.parent) or self._stage_for(path.parent, stages)
                _write_file(stage / path.name, content)
            for path in self.files:
                path.parent.mkdir(exist_ok=True)
                os.replace(stages[path.parent] / path.name, path)
            done = True
        except OSError as exc:
            raise output_error(path, exc) from None  # the file being written, not its staging copy
        finally:
            for stage in stages.values():
                shutil.rmtree(stage, ignore_errors=True)
            if not done:
                for folder in missing:  # a failed first build leaves no empty --out folder behind
                    _remove_empty_tree(folder)  # type: ignore[arg-type]
        return list(self.files)

    @staticmethod
    def _stage_for(folder: Path, stages: dict[Path, Path]) -> Path:
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise output_error(folder.parent, exc) from None
        if folder.exists() and not folder.is_dir():
            raise OutputError(f"{display_path(folder)}: error: cannot write here: it is a file, not a folder "
                              "(remove it, or choose another --out folder; nothing was changed there)")
        _remove_stale_stages(folder)
        try:
            stages[folder] = Path(tempfile.mkdtemp(prefix=f".{folder.name}{STAGE_MARK}", dir=folder.parent))
        except OSError as exc:
            raise output_error(folder.parent, exc) from None
        return stages[folder]


STAGE_MARK = ".new-"  # .<folder>.new-<random>: a staging folder (tempfile.mkdtemp's random part after it)
STALE_S = 600.0  # a build stages for seconds at most; an older staging folder is a killed build's


def _unlink_links(root: Path, folder: Path) -> None:
    """Remove every link from below ``root`` down to ``folder`` (the links only: nothing they point at)."""
    for candidate in [*reversed(folder.relative_to(root).parents), Path(folder.relative_to(root))][1:]:
        inside = root / candidate
        if os.path.islink(inside):
            os.unlink(inside)


def _remove_stale_stages(folder: Path) -> None:
    """Remove the staging folders of ``folder`` that a build killed outright (SIGKILL, a power cut) left."""
    try:
        names = [name for name in os.listdir(folder.parent) if name.startswith(f".{folder.name}{STAGE_MARK}")]
    except OSError:
        return
    for name in names:
        stage = folder.parent / name
        try:
            info = os.lstat(stage)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode) and time.time() - info.st_mtime > STALE_S:
            shutil.rmtree(stage, ignore_errors=True)


def _first_missing(folder: Path) -> Path | None:
    """The outermost folder of ``folder``'s ancestry (itself included) that does not exist yet."""
    found = None
    for candidate in [folder, *folder.parents]:
        if os.path.lexists(candidate):
            return found
        found = candidate
    return found


def _remove_empty_tree(folder: Path) -> None:
    """Remove ``folder`` and the folders in it if none holds a file (what a failed write created)."""
    for root, _dirs, _files in sorted(os.walk(folder, topdown=False), key=lambda t: -len(t[0])):
        try:
            os.rmdir(root)
        except OSError:
            return


RECENT_S = 60.0  # prune_media leaves files this recent to a build that may be running beside this one


def prune_media(folder: Path, keep: set[str], ours: re.Pattern[str]) -> None:
    """Remove the processed images in an issue's ``media`` folder that its last build no longer uses.

    A changed picture gets a new name, so without this every earlier version
    stayed in ``dist/<slug>/media/``. Only files whose names match ``ours``
    (as the build names them) go, only in a real folder (not a link to one
    elsewhere), and a file that cannot be removed stays: it is unused, not
    wrong. A file written in the last minute stays too: another build of the
    same issue (a second terminal, ``build --watch``) may have just written it
    for the email it is putting in place. The archive keeps every version on
    purpose (emails already sent point at them).
    """
    recent = time.time() - RECENT_S
    for node in (folder.parent, folder):
        try:
            if not stat.S_ISDIR(os.lstat(node).st_mode):
                return
        except OSError:
            return
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name in keep or not ours.fullmatch(entry.name) or not entry.is_file(follow_symlinks=False):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_mtime < recent:
                os.unlink(entry.path)
        except OSError:
            pass
