#!/usr/bin/env python3
"""Benchmark section "check": ``newsletter check`` of the seed issue.

    .venv/bin/python benchmarks/check.py            # this section (results merged into results.json)
    .venv/bin/python benchmarks/check.py --quick    # fewer runs: a smoke test

Goal (issue 3): checking the seed takes under 0.5 s as a whole process
(interpreter start, imports, render in memory, every rule), median of 9 runs
after a warm-up. Also measured: the rules alone, in process, per rule, so a
slow rule shows up by name. The section registers itself in
``benchmarks/run.py``'s registry, whose options and results file it shares.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench_run  # noqa: E402 - the registry lives beside this file


def rules_in_process(runs: int) -> dict[str, Any]:
    """Median seconds of all rules on the seed, and of each rule, with the issue rendered once."""
    from newsletter_pipeline.checks.context import CheckContext
    from newsletter_pipeline.checks.report import run_checks
    from newsletter_pipeline.checks.rules import load_rules
    from newsletter_pipeline.render import build_issue

    loaded, rendered = build_issue(bench_run.SEED)
    totals = []
    for _ in range(runs):
        start = time.perf_counter()
        run_checks(loaded, rendered)
        totals.append(time.perf_counter() - start)
    per_rule: dict[str, list[float]] = {}
    for _ in range(runs):
        ctx = CheckContext(loaded, rendered)
        ctx.tree, ctx.locate  # parse and index once, as run_checks does; measured in the total
        for rule in load_rules():
            start = time.perf_counter()
            list(rule(ctx))
            per_rule.setdefault(rule.__name__, []).append(time.perf_counter() - start)
    return {"all_rules_median_s": round(statistics.median(totals), 4),
            "per_rule_median_ms": {name: round(statistics.median(t) * 1000, 2) for name, t in per_rule.items()}}


@bench_run.section("check", "newsletter check of the seed (whole process) and the rules in process")
def check_section(bench: bench_run.Bench) -> dict[str, Any]:
    argv = [bench.command(), "check", str(bench_run.SEED)]
    whole = bench.measure_process(argv, runs=bench.runs(9, 3))
    strict = bench.measure_process([*argv[:2], "--strict", argv[2]], runs=bench.runs(9, 3))
    rules = rules_in_process(bench.runs(20, 3))
    return {
        "check": whole,
        "check_strict": strict,
        "rules": rules,
        "figures": [bench_run.figure("all rules in process (median)", f"{rules['all_rules_median_s'] * 1000:.1f} ms"),
                    bench_run.figure("newsletter check --strict (median wall)", f"{strict['median_s']} s")],
        "targets": [bench_run.target("median newsletter check of the seed", whole["median_s"], 0.5, "s")],
    }


if __name__ == "__main__":
    sys.exit(bench_run.main(["check", *sys.argv[1:]]))
