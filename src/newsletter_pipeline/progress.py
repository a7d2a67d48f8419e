"""Progress of long work (``screenshot``, ``check``, ``archive``), without importing click.

Commands take a ``Progress``: a function that wraps the items they work
through and yields them back. The CLI passes one that draws click's progress
bar on a terminal; everything else (tests, CI logs, pipes) gets ``quiet``,
which yields the items and prints nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

Progress = Callable[[Sequence[Any], str], Iterable[Any]]


def quiet(items: Sequence[Any], label: str) -> Iterable[Any]:
    """No progress shown: the items as they are."""
    return items
