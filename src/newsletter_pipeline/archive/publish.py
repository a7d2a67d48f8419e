"""Write the site all at once: assemble it beside the output folder, then swap it in.

The new site is built in a sibling staging folder: the files of the last
build are hard-linked in (cheap, and unchanged pages keep their inode and
mtime), the new files are written over them with ``write_atomic`` (which
replaces a link rather than writing through it, so the live site is never
touched), and the pages of deleted issues are left out. Only then is the
staging folder renamed into place. A failure at any point leaves the old
site as it was and removes the staging folder.

The output folder belongs to the archive: a folder that is not empty and
holds no archive manifest is refused, so ``--out .`` cannot replace a project.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import UsageError
from ..issue.load import display_path
from ..output import write_atomic
from .cache import MANIFEST


def check_output_folder(out: Path) -> None:
    """Refuse an output path that is a file, or a non-empty folder the archive did not make."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{display_path(out)} is a file; --out needs a folder for the site")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UsageError(f"refusing to replace {display_path(out)}: it is not empty and was not made by "
                         "'newsletter archive' (no .archive/manifest.json); choose a new or empty folder")


def publish(out: Path, files: dict[str, str], drop: set[str]) -> None:
    """Make ``out`` the last build's files minus ``drop``, plus ``files``.

    ``files`` maps relative paths to text; ``drop`` holds relative paths (POSIX
    style) of files or folders of the last build to leave out.
    """
    out = Path(os.path.realpath(out))  # through a symlink: swap the real folder, keep the link
    check_output_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        os.chmod(stage, 0o777 & ~_umask())  # mkdtemp's 0700 would hide the site from a web server
        if out.is_dir():
            _link_tree(out, stage, drop)
        for relative, content in files.items():
            write_atomic(stage / relative, content)
        _swap(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _link_tree(source: Path, target: Path, drop: set[str]) -> None:
    """Hard-link every file of ``source`` into ``target`` (copy where links are not possible)."""
    for folder, subfolders, names in os.walk(source):
        relative = Path(folder).relative_to(source)
        subfolders[:] = [d for d in subfolders if (relative / d).as_posix() not in drop]
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in names:
            if (relative / name).as_posix() in drop:
                continue
            try:
                os.link(Path(folder) / name, target / relative / name)
            except OSError:
                shutil.copy2(Path(folder) / name, target / relative / name)


def _swap(stage: Path, out: Path) -> None:
    """Rename ``stage`` to ``out``; the old site moves aside first and is removed after."""
    if not out.exists():
        os.rename(stage, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()  # only the unique name is wanted: rename needs the target to be absent
    os.rename(out, old)
    try:
        os.rename(stage, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
