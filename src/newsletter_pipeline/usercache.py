"""The user's own cache folder, which the compiled templates, the processed pictures and Babel's answers share.

``$XDG_CACHE_HOME/newsletter-pipeline``, else ``~/.cache/newsletter-pipeline``,
made 0700. Whoever can write a cache can choose what a build reads from it
(compiled templates are code), so a folder that is not ours alone is not
used: the build then runs without the cache (slower, never broken).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

CACHE_FOLDER = "newsletter-pipeline"


def cache_folder(env: Mapping[str, str]) -> Path | None:
    """``$XDG_CACHE_HOME/newsletter-pipeline`` (an absolute one), else ``~/.cache/newsletter-pipeline``.

    Made 0700 if missing. ``None`` unless it is a real folder (not a link),
    owned by us, writable by nobody else, in a folder nobody else can swap it out of.
    """
    base = env.get("XDG_CACHE_HOME", "")
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
        folder = root / CACHE_FOLDER
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        mine, above = os.lstat(folder), os.stat(folder.parent)
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        return None
    private = stat.S_ISDIR(mine.st_mode) and mine.st_uid == os.geteuid() and not mine.st_mode & 0o022
    steady = above.st_uid in (0, os.geteuid()) and (not above.st_mode & 0o022 or above.st_mode & stat.S_ISVTX)
    return folder if private and steady else None
