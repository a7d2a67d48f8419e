#!/usr/bin/env python3
"""Benchmarks for newsletter-pipeline, by named section.

    .venv/bin/python benchmarks/run.py                 # every section
    .venv/bin/python benchmarks/run.py build           # only the named sections
    .venv/bin/python benchmarks/run.py --quick         # fewer runs, smaller inputs (a smoke test)
    .venv/bin/python benchmarks/run.py --strict        # exit 1 when a target is missed
    .venv/bin/python benchmarks/run.py --list          # the registered sections

Each section is a function registered with ``@section(name, description)``;
it gets a ``Bench`` (run counts, scratch folder, helpers) and returns a
JSON-able dict whose ``targets`` list says what was measured against which
goal. Results are merged into benchmarks/results.json by section, so running
one section keeps the others' last figures. Times are wall-clock medians
after a warm-up run; memory is the peak RSS of the measured child process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results.json"
SEED = REPO / "issues" / "2021-12-one-year-of-ai4media.yaml"
VENV_BIN = Path(sys.executable).parent


# --- the registry -------------------------------------------------------------


@dataclass
class Bench:
    """What a section gets: how hard to try, where to scratch, and measuring helpers."""

    quick: bool
    scratch: Path

    def runs(self, full: int, quick: int = 1) -> int:
        return quick if self.quick else full

    def command(self, name: str = "newsletter") -> str:
        """A console script of this venv (what users run), else the module."""
        script = VENV_BIN / name
        return str(script) if script.exists() else name

    def run_process(self, argv: list[str], cwd: Path = REPO, env: dict[str, str] | None = None) -> tuple[float, int]:
        """Wall seconds and peak RSS (KiB) of one child process, which must succeed."""
        start = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, env={**os.environ, **(env or {})},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would be the max of all children so far
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
        if child.stderr:
            child.stderr.close()
        if child.returncode != 0:
            raise SystemExit(f"benchmark command failed ({child.returncode}): {' '.join(argv)}\n{stderr}")
        return elapsed, usage.ru_maxrss  # KiB on Linux

    def measure_process(self, argv: list[str], runs: int, warmup: int = 1, **kwargs: Any) -> dict[str, Any]:
        """Median and spread of ``runs`` runs after ``warmup`` unmeasured ones."""
        for _ in range(warmup):
            self.run_process(argv, **kwargs)
        samples = [self.run_process(argv, **kwargs) for _ in range(runs)]
        times = [t for t, _ in samples]
        peaks = [kib / 1024 for _, kib in samples]
        return {"runs": runs, "median_s": round(statistics.median(times), 4), "min_s": round(min(times), 4),
                "max_s": round(max(times), 4), "peak_rss_mib": round(max(peaks), 1),
                "median_rss_mib": round(statistics.median(peaks), 1)}


SectionFn = Callable[[Bench], dict[str, Any]]


@dataclass
class Section:
    name: str
    description: str
    run: SectionFn


SECTIONS: dict[str, Section] = {}


def section(name: str, description: str) -> Callable[[SectionFn], SectionFn]:
    """Register a benchmark section under ``name`` (run order is registration order)."""

    def register(fn: SectionFn) -> SectionFn:
        if name in SECTIONS:
            raise ValueError(f"benchmark section {name!r} registered twice")
        SECTIONS[name] = Section(name, description, fn)
        return fn

    return register


def target(what: str, measured: float, limit: float, unit: str) -> dict[str, Any]:
    """One goal: ``measured`` must be at most ``limit``."""
    return {"what": what, "measured": measured, "limit": limit, "unit": unit, "met": measured <= limit}


# --- section: build -------------------------------------------------------------


def synthetic_project(scratch: Path, factor: int) -> Path:
    """A copy of the project whose seed has its block list repeated ``factor`` times (one footer)."""
    import yaml

    root = scratch / f"x{factor}"
    (root / "issues").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "newsletter.yaml", root / "newsletter.yaml")
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    body = [b for b in data["blocks"] if b["type"] != "footer"]
    footer = [b for b in data["blocks"] if b["type"] == "footer"]
    data["blocks"] = body * factor + footer
    path = root / "issues" / f"2021-12-synthetic-x{factor}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def stage_times(path: Path, runs: int) -> dict[str, Any]:
    """Median seconds per pipeline stage (RenderedIssue.timings, plus the checks), in process, after a warm-up."""
    from newsletter_pipeline.checks import run_checks
    from newsletter_pipeline.render import build_issue

    start = time.perf_counter()
    _, first = build_issue(path)  # warm-up: template compilation, lazy regexes (what one CLI run pays)
    first_s = time.perf_counter() - start
    samples: list[dict[str, float]] = []
    size = blocks = 0
    for _ in range(runs):
        loaded, rendered = build_issue(path)
        timings = dict(rendered.timings)
        # `newsletter build` also runs the checks (no network) on what it rendered
        start = time.perf_counter()
        run_checks(loaded, rendered)
        timings["checks"] = time.perf_counter() - start
        samples.append(timings)
        size, blocks = rendered.html_bytes, len(loaded.issue.blocks)
    stages = {stage: round(statistics.median(s[stage] for s in samples), 4) for stage in samples[0]}
    return {"runs": runs, "blocks": blocks, "html_bytes": size, "stages_s": stages,
            "total_s": round(sum(stages.values()), 4),
            "first_build_s": round(first_s, 4),
            "first_build_stages_s": {stage: round(t, 4) for stage, t in first.timings.items()}}


def import_time(newsletter: str) -> dict[str, float]:
    """Cumulative import seconds of the heaviest top-level modules of one build (python -X importtime)."""
    python = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
    result = subprocess.run([python, "-X", "importtime", "-m", "newsletter_pipeline", "build", str(SEED),
                             "--out", tempfile.mkdtemp(prefix="newsletter-bench-imports-")],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    totals: dict[str, float] = {}
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            if not name.startswith("  ") or name.strip().startswith("newsletter_pipeline.commands"):
                totals[name.strip()] = int(parts[1]) / 1e6
    heaviest = sorted(totals.items(), key=lambda item: -item[1])[:8]
    return {name: round(seconds, 4) for name, seconds in heaviest}


@section("build", "newsletter build of the seed: whole process (wall, peak RSS), --help, and per-stage times")
def build_section(bench: Bench) -> dict[str, Any]:
    newsletter = bench.command()
    out = bench.scratch / "dist"
    whole = bench.measure_process([newsletter, "build", str(SEED), "--out", str(out)], runs=bench.runs(9, 3))
    # a fresh TMPDIR means a cold Jinja bytecode cache: what a first build on a new machine costs
    cold_tmp = bench.scratch / "cold-tmp"
    cold_tmp.mkdir()
    cold_s, cold_kib = bench.run_process([newsletter, "build", str(SEED), "--out", str(out)],
                                         env={"TMPDIR": str(cold_tmp)})
    help_ = bench.measure_process([newsletter, "--help"], runs=bench.runs(9, 3))
    imports = import_time(newsletter)
    stages = {"seed": stage_times(SEED, bench.runs(7, 2))}
    for factor in (10, 50):
        stages[f"x{factor}"] = stage_times(synthetic_project(bench.scratch, factor), bench.runs(3, 1))
    return {
        "build": whole,
        "build_cold_cache": {"wall_s": round(cold_s, 4), "peak_rss_mib": round(cold_kib / 1024, 1)},
        "help": help_,
        "imports_s": imports,
        "stages": stages,
        "targets": [
            target("median whole-process build of the seed", whole["median_s"], 0.3, "s"),
            target("peak RSS of the build", whole["peak_rss_mib"], 60, "MiB"),
            target("median newsletter --help", help_["median_s"], 0.15, "s"),
        ],
    }


# --- running and reporting --------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    # the load average says whether other work shared the 2 cores during the run
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(terse=True), "load_avg_1m": round(os.getloadavg()[0], 2)}


def print_section(name: str, result: dict[str, Any]) -> None:
    print(f"\n== {name}")
    for key, value in result.items():
        if key != "targets":
            print(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    for goal in result.get("targets", []):
        mark = "ok  " if goal["met"] else "MISS"
        print(f"  [{mark}] {goal['what']}: {goal['measured']} {goal['unit']} (target <= {goal['limit']} {goal['unit']})")


def write_results(new: dict[str, dict[str, Any]], quick: bool) -> None:
    """Merge ``new`` sections into results.json, atomically."""
    try:
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = {}
    stamp = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "quick": quick,
             "machine": machine()}
    sections = results.setdefault("sections", {})
    for name, result in new.items():
        sections[name] = {**stamp, **result}
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, RESULTS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sections", nargs="*", help="sections to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="fewer runs: a smoke test, not a measurement")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--list", action="store_true", help="list the sections and exit")
    parser.add_argument("--no-write", action="store_true", help="do not update benchmarks/results.json")
    args = parser.parse_args(argv)
    if args.list:
        for item in SECTIONS.values():
            print(f"{item.name:12} {item.description}")
        return 0
    unknown = [name for name in args.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    chosen = args.sections or list(SECTIONS)
    results: dict[str, dict[str, Any]] = {}
    print(f"machine: {json.dumps(machine())}{'  (quick)' if args.quick else ''}")
    with tempfile.TemporaryDirectory(prefix="newsletter-bench-") as scratch:
        for name in chosen:
            folder = Path(scratch) / name
            folder.mkdir()
            results[name] = SECTIONS[name].run(Bench(args.quick, folder))
            print_section(name, results[name])
    if not args.no_write:
        write_results(results, args.quick)
        print(f"\nwrote {RESULTS.relative_to(REPO)}")
    missed = [g for r in results.values() for g in r.get("targets", []) if not g["met"]]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
