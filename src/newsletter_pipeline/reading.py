"""The one way a file that an issue names, or that stands where one should be, is opened for reading.

What is found on disk in an input's place is untrusted (README "Security
model"): a pipe, a device, a folder, a link loop, a huge file, or a link out
of the project. ``open_regular`` answers an open regular file or ``Refused``,
and it never blocks and never reads what it refuses:

- the file is opened with ``O_NONBLOCK``, so a pipe with no writer cannot hang
  the build, and what was opened is checked with ``fstat``, not the path, so
  nothing can be swapped in between the check and the read;
- with ``inside=`` (the project folder), the path is resolved through its
  links first and refused when it leads out of that folder, before anything
  is opened. The resolved path is then opened one component at a time from
  the folder itself with ``O_NOFOLLOW``: a link put on the path after it was
  resolved is refused rather than followed.

The issue loader (``issue/located_yaml.py``), the local pictures
(``render/media.py``), the archive's content hash and ``.env``
(``envfile.py``) use it; each words the
refusal for its own file (``Refused.kind``), the rest of the message is shared.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

MISSING = "missing"  # nothing by that name (or a folder on the way is a file)
BROKEN_LINK = "broken link"
LOOP = "loop"
PERMISSION = "permission"
FOLDER = "folder"
SPECIAL = "special"  # a pipe, socket or device
TOO_LARGE = "too large"
OUTSIDE = "outside"  # leads out of the ``inside`` folder through a link
UNREADABLE = "unreadable"  # another error of the system or the disk

_READ = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_ITSELF = "name the file itself, or put a file in its place"
_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


class Refused(Exception):
    """``path`` is not read: ``kind`` says why; ``reason`` completes "this file ..." and ``hint`` says what to do."""

    def __init__(self, kind: str, reason: str, hint: str):
        super().__init__(reason)
        self.kind, self.reason, self.hint = kind, reason, hint


def read_regular(path: Path, limit: int, *, inside: Path | None = None, shown: str = "") -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; else ``Refused`` (see ``open_regular``)."""
    with open_regular(path, limit, inside=inside, shown=shown) as handle:
        try:
            expected = min(os.fstat(handle.fileno()).st_size, limit)
            data = handle.read(expected + 1)  # not limit + 1: that much memory would be asked for every file
            if len(data) > expected:  # it grew after fstat: read on, still no more than the limit
                data += handle.read(limit + 1 - len(data))
        except OSError as exc:  # EIO from a failing disk
            raise _refused(path, exc, shown) from None
    if len(data) > limit:  # it grew after fstat
        raise _too_large(len(data), limit)
    return data


def open_regular(path: Path, limit: int | None = None, *, inside: Path | None = None,
                 shown: str = "") -> BinaryIO:
    """``path`` opened for reading when it is a regular file of at most ``limit`` bytes, else ``Refused``.

    ``inside``: a folder the file must be in once every link on its path is
    followed (``OUTSIDE`` otherwise, decided before anything is opened).
    ``shown`` names the file in hints (default: ``path``).
    """
    fd = _open_inside(path, inside, shown) if inside is not None else _open(path, shown)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _folder()
        if not stat.S_ISREG(info.st_mode):
            raise _special()
        if limit is not None and info.st_size > limit:
            raise _too_large(info.st_size, limit)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _folder() -> Refused:
    return Refused(FOLDER, "is a folder", _ITSELF)


def _special() -> Refused:
    return Refused(SPECIAL, "is not a regular file (a pipe, socket or device)", _ITSELF)


def _too_large(size: int, limit: int) -> Refused:
    return Refused(TOO_LARGE, f"is {size:,} bytes, more than {limit:,}", "make it smaller")


def _open(path: Path, shown: str) -> int:
    try:
        return os.open(path, _READ)
    except OSError as exc:
        raise _refused(path, exc, shown) from None


def _open_inside(path: Path, inside: Path, shown: str) -> int:
    """``path`` opened when it resolves inside ``inside``: component by component, following no link."""
    root = Path(os.path.realpath(inside))
    real = Path(os.path.realpath(path))  # never raises: a loop or a missing part is left as written
    if not real.is_relative_to(root):
        raise Refused(OUTSIDE, "is outside the folder it must be in (a symbolic link on its path leads out)",
                      "put the file itself in the folder instead of a link to it")
    parts = real.relative_to(root).parts
    if not parts:
        raise _folder()
    if os.open not in os.supports_dir_fd or not _NOFOLLOW:  # pragma: no cover - not on Linux or macOS
        return _open(real, shown)
    try:
        folder = os.open(root, _FOLDER)
    except OSError as exc:  # the folder itself went away, or may not be entered
        raise _refused(path, exc, shown) from None
    try:
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            try:
                fd = os.open(part, (_READ if last else _FOLDER) | _NOFOLLOW, dir_fd=folder)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR) and os.path.islink(root.joinpath(*parts[:index + 1])):
                    # resolving left a link here, so it is a loop (or it became a link since: refused alike)
                    exc = OSError(errno.ELOOP, os.strerror(errno.ELOOP))
                raise _refused(path, exc, shown) from None
            os.close(folder)
            folder = fd
        return folder
    except BaseException:
        os.close(folder)
        raise


def _refused(path: Path, exc: OSError, shown: str) -> Refused:
    shown = shown or str(path)
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if os.path.islink(path):
            return Refused(BROKEN_LINK, f"is a symbolic link to {os.readlink(path)}, which does not exist",
                           "point the link at an existing file, or replace it by the file")
        return Refused(MISSING, "does not exist", "check the spelling and the folder")
    if exc.errno == errno.ELOOP:
        return Refused(LOOP, "is a symbolic link that leads back to itself (a loop)",
                       "replace the link by the file itself")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return Refused(PERMISSION, "cannot be read: permission denied",
                       f"allow yourself to read it, e.g. chmod u+r {shown}")
    if exc.errno == errno.EISDIR:
        return _folder()
    if exc.errno == errno.ENAMETOOLONG:  # no file can have it: "check the disk" would send the user astray
        return Refused(MISSING, "does not exist: its name is longer than the file system allows",
                       "check the name; an issue's file name is far shorter")
    if exc.errno == errno.ENXIO:  # what opening a socket answers
        return _special()
    return Refused(UNREADABLE, f"cannot be read: {exc.strerror or exc}", "check the file and the disk it is on")
