"""Write the site so that no reader, and no interrupted run, ever sees a broken one.

Every error is found before this stage runs, so publishing only writes.

- **A first build** is written into a sibling staging folder that is renamed
  into place: the site appears whole or not at all.
- **An update** touches only what changed, so a rebuild after one edit costs
  one page, not the whole tree (copying and deleting hundreds of folders
  would dominate an incremental build). Each file is written to a temporary
  name and renamed (``write_atomic``), in an order that keeps every link
  valid at every moment: new and changed pages first, then the index, feed
  and sitemap that link to them, then the manifest, and only then the
  removal of deleted issues' pages, which nothing links to any more. If the
  run is killed half-way, every file is still whole and the old manifest
  makes the next run redo the rest.

The output folder belongs to the archive: a folder that is not empty and
holds no archive manifest is refused, so ``--out .`` cannot touch a project.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import OutputError, UsageError
from ..issue.load import display_path
from ..output import umask, write_atomic
from .cache import MANIFEST, contained


def check_output_folder(out: Path) -> None:
    """Refuse an output path that is a file, or a non-empty folder the archive did not make."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{display_path(out)} is a file; --out needs a folder for the site")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UsageError(f"refusing to replace {display_path(out)}: it is not empty and was not made by "
                         "'newsletter archive' (no .archive/manifest.json); choose a new or empty folder")


def publish(out: Path, pages: dict[str, str | bytes], site: dict[str, str], drop: set[str]) -> list[str]:
    """Write ``pages``, then ``site`` (in its order; the manifest last), then remove ``drop``.

    Keys are paths relative to ``out`` (``pages`` include the local images,
    ``media/<hash>.<ext>``, as bytes); ``drop`` holds relative paths of files or
    folders of the last build that no longer belong to the site. Nothing outside
    ``out`` is written or removed, whatever links the folder holds: a write
    through a link that leaves it is refused before anything is written
    (``UsageError``); such a removal is skipped, with the warning returned.
    """
    check_output_folder(out)
    if not out.is_dir() or not any(out.iterdir()):
        _write_new(out, {**pages, **site})
        return []
    _refuse_escapes(out, [*pages, *site])
    for relative, content in [*pages.items(), *site.items()]:
        write_atomic(out / relative, content)
    return [warning for relative in sorted(drop) if (warning := _remove(out, relative))]


def _refuse_escapes(out: Path, relatives: list[str]) -> None:
    for relative in relatives:
        if not contained(out, relative):
            raise UsageError(f"refusing to write {display_path(out / relative)}: a folder on its way is a link "
                             f"that leads outside {display_path(out)}; remove the link and run again")


def _remove(out: Path, relative: str) -> str | None:
    """Remove one file or folder of the last build; a link only as a link, never what it points at."""
    target = out / relative
    if not contained(out, relative):
        return (f"warning: not removing {display_path(target)}: a folder on its way is a link that "
                f"leads outside {display_path(out)}")
    if target.is_symlink() or not target.is_dir():
        target.unlink(missing_ok=True)
    else:
        shutil.rmtree(target)  # does not follow links inside the folder
    return None


def _write_new(out: Path, files: dict[str, str | bytes]) -> None:
    """The whole site into a staging folder beside ``out``, then one rename.

    ``out`` a link (``--out site`` -> ``/srv/www/empty``): the site goes where it
    leads, staged beside it, as ``build --out`` writes through the link the user
    chose; renaming onto the link itself would replace the link. Another run
    that put a site there meanwhile (another project, or one that could not
    take the lock, see ``commands/archive.py``) is an ``OutputError`` (exit 4):
    this run's site is dropped whole, the other one's left as it is.
    """
    target = Path(os.path.realpath(out)) if os.path.islink(out) else out
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        os.chmod(stage, 0o777 & ~umask())  # mkdtemp's 0700 would hide the site from a web server
        for relative, content in files.items():
            write_atomic(stage / relative, content)
        if target.is_dir():
            target.rmdir()  # empty (checked above): rename cannot replace a folder
        os.rename(stage, target)
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST) and os.path.isdir(target):
            raise OutputError(f"{display_path(out)}: error: another archive run wrote a site here at the same "
                              "time, so this run wrote nothing (run the command again to update that site)") from None
        raise
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
