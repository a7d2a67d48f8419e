"""Run many ``newsletter`` invocations in one process, for ``test_fuzz.py``.

Usage: ``python fuzz_driver.py CASES.json RESULTS.jsonl`` from inside a project.
Each case puts bytes (or a special file: a folder, a pipe, a link loop, a
broken link) at a path of the project, runs the CLI's ``main`` in-process with
``standalone_mode=False`` and records the exit code, stdout and stderr. An
exception that escapes ``main`` is recorded with its traceback (the CLI
process would have printed it); a run over ``CASE_SECONDS`` is a hang.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import shutil
import signal
import sys
import traceback
from pathlib import Path

CASE_SECONDS = 20


class Hang(BaseException):
    """Raised by the alarm: not an Exception, so nothing in the CLI can swallow it."""


def place(path: Path, case: dict) -> None:
    """Put the case's content at ``path`` (after removing whatever is there)."""
    _remove(path)
    kind = case.get("special")
    if kind == "folder":
        path.mkdir()
    elif kind == "pipe":
        os.mkfifo(path)
    elif kind == "link loop":
        path.symlink_to(path.name)
    elif kind == "broken link":
        path.symlink_to("nowhere.yaml")
    else:
        path.write_bytes(base64.b64decode(case["data"]))


def run_case(args: list[str]) -> dict:
    from newsletter_pipeline.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: object = 0
    signal.alarm(CASE_SECONDS)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(args, standalone_mode=False)
    except SystemExit as exc:
        code = exc.code if exc.code is not None else 0
    except Hang:
        code = "hang"
    except BaseException:  # noqa: BLE001 - exactly what the fuzz test looks for
        code = "traceback"
        err.write(traceback.format_exc())
    finally:
        signal.alarm(0)
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


def main() -> None:
    cases = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    originals = {}

    def alarm(signum: int, frame: object) -> None:
        raise Hang()

    signal.signal(signal.SIGALRM, alarm)
    with open(sys.argv[2], "w", encoding="utf-8") as results:
        for case in cases:
            path = Path(case["target"])
            originals.setdefault(path, path.read_bytes() if path.is_file() else None)
            place(path, case)
            result = run_case(case["args"])
            results.write(json.dumps({"id": case["id"], **result}) + "\n")
            for original, data in originals.items():  # the next case starts from the fixtures again
                if data is None:
                    _remove(original)
                else:
                    place(original, {"data": base64.b64encode(data).decode()})


def _remove(path: Path) -> None:
    """Remove a file, link, pipe or folder at ``path``, if any."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


if __name__ == "__main__":
    main()
