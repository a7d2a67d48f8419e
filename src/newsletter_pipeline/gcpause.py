"""Pausing Python's cyclic garbage collector around work that makes no garbage cycles.

Two places spend much of their time in the collector for nothing
(benchmarks/README.md has the figures):

- **Start-up.** Importing the pipeline makes some 100,000 objects that live as
  long as the process (modules, classes, pydantic validators). The collector
  scans them again and again while they appear (~35 ms of a 0.45 s
  ``newsletter build``). ``paused(freeze=True)`` imports without it, then
  freezes what was loaded (``gc.freeze``) so that no later collection scans
  it again.
- **One issue's build and checks.** They allocate a tree of objects per block
  (YAML nodes, located values, models, computed styles), all acyclic. A full
  collection scans every live object, and more of them are triggered the
  bigger the issue, so the collector made the stages grow faster than the
  number of blocks (91 ms of collection for a 701-block issue against 24 ms
  for 351 blocks). Paused, the few cycles a build leaves (a few hundred
  objects per issue) are collected as usual once it is done.

Reconsidered for issue 17 (CPU medians of alternating whole-process runs,
benchmarks/README.md "Process-global tricks"): without the import pause
a ``newsletter build`` of the seed costs ~60 ms more CPU (382 against 321 ms);
without the per-issue pauses a build of 100 issues costs ~2.5 ms more per
issue (28.1 against 25.6 ms). Both stay. Ending the process with
``os._exit`` to skip the interpreter's teardown saved only ~8 ms once the
imports are frozen, so it was not adopted.

The pause is process-wide and nests: concurrent or nested pauses (the preview
server builds in a background thread) restore the collector only when the
outermost one ends, and only if it was on when that one began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused(freeze: bool = False) -> Iterator[None]:
    """Run the block with the cyclic GC off.

    ``freeze``: when this is the outermost pause, move every object that exists
    at its end to the permanent generation (for what start-up loaded).
    """
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if freeze:
                    gc.freeze()
                if _was_enabled:
                    gc.enable()
