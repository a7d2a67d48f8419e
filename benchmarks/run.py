#!/usr/bin/env python3
"""Benchmarks for newsletter-pipeline, by named section.

    .venv/bin/python benchmarks/run.py                 # every section; updates benchmarks/results.json
    .venv/bin/python benchmarks/run.py build stages    # only the named sections
    .venv/bin/python benchmarks/run.py --quick         # a small version of each (a smoke test; writes nothing)
    .venv/bin/python benchmarks/run.py --strict        # exit 1 when a target is missed
    .venv/bin/python benchmarks/run.py --list          # the sections, in run order
    .venv/bin/python benchmarks/run.py --markdown      # results.json as the README's results table

This file is the registry and the runner. Each section lives in its own file
beside it (build.py, stages.py, batch.py, check.py, preview.py, send.py,
archive.py, startup.py) and registers a function with ``@section(name,
description)``; the runner imports every sibling, so a new file is picked up
without being listed anywhere. A section gets a ``Bench`` (run counts that
honour --quick, a scratch folder, process-measuring helpers) and returns a
JSON-able dict whose ``targets`` list says what was measured against which
goal and whose ``figures`` list names other headline numbers. A section that
cannot run here (no npm, no Chromium) raises ``Skip`` with the reason.

Results are merged into benchmarks/results.json by section, with the date,
the machine and the 1-minute load average before and after the section (the
2 cores are shared; a load above ~1 slows wall times, so CPU seconds are
reported beside them). Running one section keeps the others' last figures.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    # the section files import this module as ``run``: make that name mean this very module,
    # so they register in the registry that main() reads, not in a second copy of it
    sys.modules.setdefault("run", sys.modules[__name__])

import argparse
import compileall
import datetime as dt
import importlib
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results.json"
# the test suite's fixture project, not the repository's own issues/ and newsletter.yaml (its content)
FIXTURE_PROJECT = REPO / "tests" / "fixtures" / "ai4media"
CONFIG = FIXTURE_PROJECT / "newsletter.yaml"
SEED = FIXTURE_PROJECT / "issues" / "2021-12-one-year-of-ai4media.yaml"
VENV_BIN = Path(sys.executable).parent
# run order of the known sections; sections in new files follow, alphabetically
ORDER = ("build", "stages", "batch", "check", "preview", "send", "startup", "archive", "media")


class Skip(Exception):
    """Raised by a section that cannot run on this machine; the message says why and what to install."""


# --- measuring -----------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One child process: wall seconds, CPU seconds (user + system, its children included) and peak RSS."""

    wall_s: float
    cpu_s: float
    rss_kib: int


def load_avg() -> float:
    return round(os.getloadavg()[0], 2)


def summarize(samples: list[Sample]) -> dict[str, Any]:
    walls = [s.wall_s for s in samples]
    peaks = [s.rss_kib / 1024 for s in samples]
    return {"runs": len(samples), "median_s": round(statistics.median(walls), 4), "min_s": round(min(walls), 4),
            "max_s": round(max(walls), 4), "median_cpu_s": round(statistics.median(s.cpu_s for s in samples), 4),
            "peak_rss_mib": round(max(peaks), 1), "median_rss_mib": round(statistics.median(peaks), 1)}


# The measured processes are started by this small helper process, not by the runner itself.
# Linux counts the memory of the process that spawned a child in the child's peak RSS
# (ru_maxrss keeps the high-water mark of the address space that exec replaced), so a
# runner that has imported the pipeline for in-process sections would inflate every figure.
LAUNCHER = """
import json, os, subprocess, sys, tempfile, time
for line in sys.stdin:
    job = json.loads(line)
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty child cannot block on it
        start = time.perf_counter()
        child = subprocess.Popen(job["argv"], cwd=job["cwd"], env=job["env"], stdout=subprocess.DEVNULL,
                                 stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage
        wall = time.perf_counter() - start
        errors.seek(0)
        tail = errors.read()[-4000:].decode(errors="replace")
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_kib": usage.ru_maxrss,
                      "code": os.waitstatus_to_exitcode(status), "stderr": tail}), flush=True)
"""


class Launcher:
    """A long-lived small Python process that runs and measures the children (see LAUNCHER)."""

    _process: subprocess.Popen[str] | None = None

    @classmethod
    def start(cls) -> None:
        if cls._process is None or cls._process.poll() is not None:
            cls._process = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, text=True)

    @classmethod
    def run(cls, argv: list[str], cwd: Path, env: dict[str, str]) -> dict[str, Any]:
        cls.start()
        assert cls._process and cls._process.stdin and cls._process.stdout
        cls._process.stdin.write(json.dumps({"argv": argv, "cwd": str(cwd), "env": env}) + "\n")
        cls._process.stdin.flush()
        return json.loads(cls._process.stdout.readline())

    @classmethod
    def stop(cls) -> None:
        if cls._process is not None:
            cls._process.communicate(timeout=30)
            cls._process = None


@dataclass
class Bench:
    """What a section gets: how hard to try, where to scratch, and measuring helpers."""

    quick: bool
    scratch: Path

    def runs(self, full: int, quick: int = 1) -> int:
        return quick if self.quick else full

    def command(self, name: str = "newsletter") -> str:
        """A console script of this venv (what users run), else the name on PATH."""
        script = VENV_BIN / name
        return str(script) if script.exists() else name

    def sample(self, argv: list[str], cwd: Path = REPO, env: dict[str, str] | None = None) -> Sample:
        """Run one child process, which must succeed, and measure it (wall, CPU, peak RSS)."""
        done = Launcher.run(argv, cwd, {**os.environ, **(env or {})})
        if done["code"] != 0:
            raise SystemExit(f"benchmark command failed ({done['code']}): {' '.join(argv)}\n{done['stderr']}")
        return Sample(done["wall"], done["cpu"], done["rss_kib"])  # ru_maxrss: KiB on Linux

    def run_process(self, argv: list[str], cwd: Path = REPO, env: dict[str, str] | None = None) -> tuple[float, int]:
        """Wall seconds and peak RSS (KiB) of one child process, which must succeed."""
        measured = self.sample(argv, cwd, env)
        return measured.wall_s, measured.rss_kib

    def measure_process(self, argv: list[str], runs: int, warmup: int = 1, **kwargs: Any) -> dict[str, Any]:
        """Median and spread of ``runs`` runs after ``warmup`` unmeasured ones."""
        for _ in range(warmup):
            self.sample(argv, **kwargs)
        return summarize([self.sample(argv, **kwargs) for _ in range(runs)])

    def measure_alternating(self, commands: dict[str, list[str]], runs: int, warmup: int = 1,
                            **kwargs: Any) -> dict[str, dict[str, Any]]:
        """Like ``measure_process`` for several commands, run in turn (A B A B ...).

        Interleaving exposes every command to the same moments of the shared
        machine, so a burst of load elsewhere cannot favour one of them.
        """
        for _ in range(warmup):
            for argv in commands.values():
                self.sample(argv, **kwargs)
        samples: dict[str, list[Sample]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, argv in commands.items():
                samples[name].append(self.sample(argv, **kwargs))
        return {name: summarize(found) for name, found in samples.items()}


# --- the registry ------------------------------------------------------------------


SectionFn = Callable[[Bench], dict[str, Any]]


@dataclass
class Section:
    name: str
    description: str
    run: SectionFn


SECTIONS: dict[str, Section] = {}


def section(name: str, description: str) -> Callable[[SectionFn], SectionFn]:
    """Register a benchmark section under ``name``.

    A file both run as a script and imported by discovery registers twice
    from the same source; only a different file reusing a name is an error.
    """

    def register(fn: SectionFn) -> SectionFn:
        known = SECTIONS.get(name)
        if known and known.run.__code__.co_filename != fn.__code__.co_filename:
            raise ValueError(f"benchmark section {name!r} registered by two files")
        SECTIONS[name] = Section(name, description, fn)
        return fn

    return register


def discover() -> list[str]:
    """Import every section file beside this one; return the section names in run order."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    for path in sorted(HERE.glob("*.py")):
        if path.stem != "run" and not path.stem.startswith("_"):
            importlib.import_module(path.stem)
    known = [name for name in ORDER if name in SECTIONS]
    return known + sorted(name for name in SECTIONS if name not in ORDER)


def target(what: str, measured: float, limit: float, unit: str, at_least: bool = False) -> dict[str, Any]:
    """One goal: ``measured`` must be at most ``limit`` (at least, with ``at_least``)."""
    met = measured >= limit if at_least else measured <= limit
    return {"what": what, "measured": measured, "limit": limit, "unit": unit,
            "comparison": ">=" if at_least else "<=", "met": met}


def figure(what: str, value: str) -> dict[str, str]:
    """A headline number without a target, shown in the results table."""
    return {"what": what, "value": value}


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
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform(terse=True), "load_avg_1m": load_avg()}


def _with_unit(value: float, unit: str) -> str:
    return f"{value} {unit}" if unit else str(value)


def print_section(name: str, result: dict[str, Any]) -> None:
    print(f"\n== {name}")
    if "error" in result:
        print(f"  FAILED: {result['error']}")
        return
    for key, value in result.items():
        if key not in ("targets", "figures"):
            print(f"  {key}: {json.dumps(value, ensure_ascii=False)}")
    for item in result.get("figures", []):
        print(f"  - {item['what']}: {item['value']}")
    for goal in result.get("targets", []):
        mark = "ok  " if goal["met"] else "MISS"
        comparison = goal.get("comparison", "<=")
        print(f"  [{mark}] {goal['what']}: {_with_unit(goal['measured'], goal['unit'])} "
              f"(target {comparison} {_with_unit(goal['limit'], goal['unit'])})")


def write_results(new: dict[str, dict[str, Any]]) -> None:
    """Merge ``new`` sections into results.json, atomically."""
    try:
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = {}
    stamp = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine()}
    sections = results.setdefault("sections", {})
    for name, result in new.items():
        sections[name] = {**stamp, **result}
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, RESULTS)


def markdown_table(order: list[str]) -> str:
    """The README's results table, from results.json: one row per target or headline figure."""
    results = json.loads(RESULTS.read_text(encoding="utf-8")).get("sections", {})
    rows = ["| section | measure | result | target | met | date (load before → after) | machine |",
            "|---|---|---|---|---|---|---|"]
    for name in [n for n in order if n in results] + sorted(set(results) - set(order)):
        result = results[name]
        host = result.get("machine", {})
        where = f"{host.get('cores', '?')} cores, Python {host.get('python', '?')}"
        loads = result.get("load_avg", {})
        when = f"{result.get('date', '?')[:16].replace('T', ' ')} ({loads.get('before', '?')} → {loads.get('after', '?')})"
        if "skipped" in result:
            rows.append(f"| {name} | skipped | {result['skipped']} | | | {when} | {where} |")
        for item in result.get("figures", []):
            rows.append(f"| {name} | {item['what']} | {item['value']} | | | {when} | {where} |")
        for goal in result.get("targets", []):
            mark = "✓" if goal["met"] else "✗"
            rows.append(f"| {name} | {goal['what']} | {_with_unit(goal['measured'], goal['unit'])} | "
                        f"{goal.get('comparison', '<=')} {_with_unit(goal['limit'], goal['unit'])} | {mark} | {when} | "
                        f"{where} |")
    return "\n".join(rows)


def run_section(name: str, quick: bool, scratch: Path) -> dict[str, Any]:
    folder = scratch / name
    folder.mkdir()
    before = load_avg()
    start = time.perf_counter()
    try:
        result = SECTIONS[name].run(Bench(quick, folder))
    except Skip as skipped:
        result = {"skipped": str(skipped)}
    except (Exception, SystemExit) as failed:  # noqa: BLE001 - one broken section must not cost the others
        result = {"error": f"{type(failed).__name__}: {str(failed).strip()[-3000:]}"}
    result["load_avg"] = {"before": before, "after": load_avg()}
    result["section_s"] = round(time.perf_counter() - start, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sections", nargs="*", help="sections to run (default: all)")
    parser.add_argument("--quick", action="store_true",
                        help="a small version of each section: a smoke test, not a measurement (writes nothing)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--list", action="store_true", help="list the sections and exit")
    parser.add_argument("--markdown", action="store_true", help="print results.json as a Markdown table and exit")
    parser.add_argument("--no-write", action="store_true", help="do not update benchmarks/results.json")
    args = parser.parse_args(argv)
    order = discover()
    if args.list:
        for name in order:
            print(f"{name:10} {SECTIONS[name].description}")
        return 0
    if args.markdown:
        print(markdown_table(order))
        return 0
    unknown = [name for name in args.sections if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(order)}")
    chosen = [name for name in order if name in args.sections] if args.sections else order
    results: dict[str, dict[str, Any]] = {}
    print(f"machine: {json.dumps(machine())}{'  (quick)' if args.quick else ''}")
    # Measure what an installed package runs: byte-compiled modules. Under PYTHONDONTWRITEBYTECODE
    # (set on some machines), a module edited since its .pyc was written is compiled again by every
    # process measured, which made an edited tree look 20-30 ms slower than it is.
    compileall.compile_dir(str(REPO / "src"), quiet=1)
    Launcher.start()  # while this process is still small
    with tempfile.TemporaryDirectory(prefix="newsletter-bench-") as scratch:
        for name in chosen:
            results[name] = run_section(name, args.quick, Path(scratch))
            print_section(name, results[name])
    Launcher.stop()
    failed = [name for name, result in results.items() if "error" in result]
    if args.quick or args.no_write:
        print("\nresults.json not updated" + (" (--quick figures are not measurements)" if args.quick else ""))
    else:
        write_results({name: result for name, result in results.items() if name not in failed})
        print(f"\nwrote {RESULTS.relative_to(REPO)}" + (f" (not the failed: {', '.join(failed)})" if failed else ""))
    if failed:
        print(f"FAILED sections: {', '.join(failed)}", file=sys.stderr)
        return 2
    missed = [g for r in results.values() for g in r.get("targets", []) if not g["met"]]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
