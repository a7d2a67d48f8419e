#!/usr/bin/env python3
"""Benchmark section "batch": 100 issues built in one process.

    .venv/bin/python benchmarks/batch.py            # this section (results merged into results.json)
    .venv/bin/python benchmarks/batch.py --quick    # 20 issues: a smoke test

Goal (issue 17): 20 ms or less per issue (issue 7 asked for 30 ms). The 100
issues are copies of the seed, each with its own file name (slug), subject and
article titles, in one project. Measured two ways:

- **whole process**: ``newsletter build`` given all 100 files, as a user or
  CI runs it (start-up, imports, then for each issue load, render, check, and
  the 300 files written at the end); wall and CPU time divided by the number
  of issues. This is the figure the target applies to.
- **in process**: a child process that imports the build command, then times
  ``commands.build.run`` on the 100 issues: the steady per-issue cost without
  start-up, and the first issue apart.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench_run  # noqa: E402 - the registry lives beside this file

TARGET_MS = 20.0
CHILD = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from newsletter_pipeline.cli import collector_paused
with collector_paused():  # as the CLI imports it
    from newsletter_pipeline.commands.build import run
imported = time.perf_counter()
paths = [Path(p) for p in sys.argv[2:]]
out = Path(sys.argv[1])
first = time.perf_counter()
run(paths[:1], out / "first", None, False)
rest = time.perf_counter()
run(paths[1:], out / "rest", None, False)
end = time.perf_counter()
print(json.dumps({"import_s": imported - start, "first_issue_s": rest - first,
                  "per_issue_after_first_s": (end - rest) / (len(paths) - 1)}))
"""


def batch_project(scratch: Path, count: int) -> list[Path]:
    """``count`` issue files made from the seed, each with its own slug, subject and article titles."""
    import yaml

    root = scratch / "project"
    (root / "issues").mkdir(parents=True)
    shutil.copy(bench_run.CONFIG, root / "newsletter.yaml")
    seed = yaml.safe_load(bench_run.SEED.read_text(encoding="utf-8"))
    paths = []
    for n in range(count):
        data = {**seed, "subject": f"{seed['subject']} ({n})",
                "blocks": [{**b, "title": f"{b['title']} ({n})"} if b["type"] == "article" else b
                           for b in seed["blocks"]]}
        path = root / "issues" / f"2021-12-batch-{n:03d}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


@bench_run.section("batch", "100 issues built in one process: ms per issue, whole process and in process")
def batch_section(bench: bench_run.Bench) -> dict[str, Any]:
    count = bench.runs(100, 20)
    paths = batch_project(bench.scratch, count)
    root = paths[0].parent.parent
    argv = [bench.command(), "build", *[str(p.relative_to(root)) for p in paths], "--out", "dist"]
    whole = bench.measure_process(argv, runs=bench.runs(5, 1), cwd=root)
    python = str(bench_run.VENV_BIN / "python")
    inner = []
    for _ in range(bench.runs(3, 1)):
        done = subprocess.run([python, "-c", CHILD, str(bench.scratch / "dist-in-process"), *map(str, paths)],
                              cwd=root, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise SystemExit(f"batch child failed:\n{done.stderr[-3000:]}")
        inner.append(json.loads(done.stdout))
    steady = sorted(inner, key=lambda r: r["per_issue_after_first_s"])[len(inner) // 2]
    per_issue_ms = round(whole["median_s"] / count * 1000, 1)
    return {
        "issues": count,
        "whole_process": whole,
        "whole_process_ms_per_issue": {"wall": per_issue_ms, "cpu": round(whole["median_cpu_s"] / count * 1000, 1)},
        "in_process": {key: round(value, 4) for key, value in steady.items()},
        "figures": [bench_run.figure("in process, after the first issue",
                                     f"{steady['per_issue_after_first_s'] * 1000:.1f} ms per issue "
                                     f"(first issue {steady['first_issue_s'] * 1000:.0f} ms, "
                                     f"imports {steady['import_s'] * 1000:.0f} ms)")],
        "targets": [bench_run.target(f"whole-process build of {count} issues, per issue (median wall)",
                                     per_issue_ms, TARGET_MS, "ms")],
    }


if __name__ == "__main__":
    sys.exit(bench_run.main(["batch", *sys.argv[1:]]))
