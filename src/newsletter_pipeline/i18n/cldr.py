"""What Babel answered, kept between processes: a build's dates without Babel's start-up.

A build asks Babel a handful of questions (is ``el`` a locale, how does
``en_001`` write 1 December 2021, which pattern writes a range of days), yet
the first answer of a process costs ~35 ms of a ~290 ms build: Babel's import
(~16 ms), CLDR's global data (~7 ms), and the locale's data unpickled and
merged from ``root``, ``en`` and ``en_001`` (~12 ms). Each answer depends only
on its question and on the installed Babel, so the answers are kept in the
user's cache folder (``usercache``), in one JSON file that names the Babel
they came from (``_babel``: the path, size and time of its code and data).

What is kept is only ever what one Babel call returned, never what our code
made of it, so a change of our code cannot be hidden by an old answer. A file
that cannot be read, is larger than ``MAX_BYTES``, is not this shape or names
another Babel is not used and is replaced; a cache that cannot be written (no
cache folder, a full disk) only costs the time. Measured in
benchmarks/README.md ("Stop 21").
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..usercache import cache_folder

FILE = "babel-answers-1.json"
MAX_BYTES = 1 << 20
MAX_ANSWERS = 4096  # the oldest go first; a year of weekly issues in 20 languages asks far fewer

_LOCK = threading.Lock()  # the preview builds in its threads
_state: dict[str, Any] = {}  # "answers", "path", "babel", read again only where the cache folder moves


def answer(question: tuple[str, ...], ask: Callable[[], Any], valid: Callable[[Any], bool]) -> Any:
    """What ``ask()`` (one Babel call, its result JSON) returns for ``question``, from the cache when it has it.

    ``valid`` tells an answer of the right shape; a kept one that is not is asked again.
    """
    key = "\x1f".join(question)
    with _LOCK:
        answers = _answers()
        if key in answers and valid(answers[key]):
            return answers[key]
    found = ask()
    with _LOCK:
        answers[key] = found
        while len(answers) > MAX_ANSWERS:
            del answers[next(iter(answers))]
        _save(answers)
    return found


def _answers() -> dict[str, Any]:
    where = (os.environ.get("XDG_CACHE_HOME"), os.environ.get("HOME"))  # what cache_folder reads
    if _state.get("where") != where:
        _state["where"] = where
        folder, babel = cache_folder(os.environ), _babel()
        _state["path"] = folder / FILE if folder is not None and babel else None
        _state["babel"] = babel
        _state["answers"] = _read(_state["path"], babel)
    return _state["answers"]


def _babel() -> str:
    """The installed Babel, as the path, size and modification time of its code and its CLDR data; ``""`` unknown."""
    try:
        spec = importlib.util.find_spec("babel")
        origin = Path(spec.origin) if spec and spec.origin else None
        if origin is None:
            return ""
        return "|".join(f"{path}:{info.st_size}:{info.st_mtime_ns}"
                        for path in (origin, origin.with_name("global.dat")) for info in [os.stat(path)])
    except (OSError, ImportError, ValueError):
        return ""


def _read(path: Path | None, babel: str) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        kept = json.loads(data) if len(data) <= MAX_BYTES else None
    except (OSError, ValueError):  # ValueError: not JSON, or not UTF-8
        return {}
    if not isinstance(kept, dict) or kept.get("babel") != babel or not isinstance(kept.get("answers"), dict):
        return {}
    return kept["answers"]


def _save(answers: dict[str, Any]) -> None:
    from ..errors import NewsletterError
    from ..output import write_atomic

    path = _state.get("path")
    if path is None:
        return
    try:
        write_atomic(path, json.dumps({"babel": _state["babel"], "answers": answers}, ensure_ascii=False))
    except (OSError, NewsletterError):  # a cache that cannot be written only costs time
        pass
