#!/usr/bin/env python3
"""Benchmark section "startup": ``newsletter --help``, which stays fast only while imports stay lazy.

    .venv/bin/python benchmarks/startup.py            # this section (results merged into results.json)
    .venv/bin/python benchmarks/startup.py --quick    # fewer runs: a smoke test

Goal (issue 7): 0.15 s or less, median of 15 runs after a warm-up (wall; CPU
beside it). ``cli.py`` imports each verb's implementation inside the verb, so
``--help`` loads click and our error types only; the section also lists what
the bare interpreter costs and which of our modules ``--help`` imported, so
an eager import that creeps in shows up by name.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench_run  # noqa: E402 - the registry lives beside this file

LISTED = "import sys, newsletter_pipeline.cli; print(sorted(m for m in sys.modules if m.startswith('newsletter_pipeline')))"


@bench_run.section("startup", "newsletter --help (CLI start-up with lazy imports), beside a bare interpreter")
def startup_section(bench: bench_run.Bench) -> dict[str, Any]:
    python = str(bench_run.VENV_BIN / "python")
    measured = bench.measure_alternating({"help": [bench.command(), "--help"], "python -c pass": [python, "-c", "pass"]},
                                         runs=bench.runs(15, 3))
    ours = subprocess.run([python, "-c", LISTED], capture_output=True, text=True, timeout=60).stdout.strip()
    help_ = measured["help"]
    return {
        "help": help_,
        "bare_interpreter": measured["python -c pass"],
        "modules_of_ours_imported": ours,
        "figures": [bench_run.figure("bare interpreter (python -c pass)", f"{measured['python -c pass']['median_s']} s")],
        "targets": [bench_run.target("median newsletter --help", help_["median_s"], 0.15, "s")],
    }


if __name__ == "__main__":
    sys.exit(bench_run.main(["startup", *sys.argv[1:]]))
