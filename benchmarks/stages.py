#!/usr/bin/env python3
"""Benchmark section "stages": the in-process cost of each stage, and how it grows with the blocks.

    .venv/bin/python benchmarks/stages.py            # this section (results merged into results.json)
    .venv/bin/python benchmarks/stages.py --quick    # smaller issues, fewer runs: a smoke test

Section "sandbox" (``benchmarks/run.py sandbox``): the cost of rendering the
templates in Jinja's sandbox, against a plain environment, on the seed.

The stages are those ``newsletter build`` runs (``RenderedIssue.timings``):
load and validate, Jinja, MJML compile, CSS inlining (premailer), plain text,
plus the checks. They are timed for the seed and for synthetic issues whose
block list is the seed's repeated 10x, 25x and 50x (one footer), as the median
of repeated builds in one process after a warm-up build (warm caches; the
first build of a process is reported apart, as ``first_build_stages_s``).

Goal (issue 7): every stage's cost grows linearly with the number of blocks.
Shown three ways per stage: the time per block at each size; a least-squares
line ``t = a + b * blocks`` with its R²; and the growth exponent k in
``t ~ blocks^k`` between the two largest sizes (1 is linear, 2 quadratic).
The growth is computed from the fastest of the runs at each size (noise from
other work only ever adds time). The targets: the largest exponent at most
1.15 and the smallest R² at least 0.99.
"""

from __future__ import annotations

import math
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench_run  # noqa: E402 - the registry lives beside this file

MAX_EXPONENT = 1.15
MIN_R2 = 0.99


def synthetic_project(scratch: Path, factor: int) -> Path:
    """A copy of the project whose seed has its block list repeated ``factor`` times (one footer).

    Each repeated block is written out in full, as an author would write it
    (no YAML anchors and aliases, which would make loading look cheaper).
    """
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    root = scratch / f"x{factor}"
    (root / "issues").mkdir(parents=True, exist_ok=True)
    shutil.copy(bench_run.CONFIG, root / "newsletter.yaml")
    data = yaml.safe_load(bench_run.SEED.read_text(encoding="utf-8"))
    body = [b for b in data["blocks"] if b["type"] != "footer"]
    footer = [b for b in data["blocks"] if b["type"] == "footer"]
    data["blocks"] = body * factor + footer
    path = root / "issues" / f"2021-12-synthetic-x{factor}.yaml"
    path.write_text(yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def stage_times(path: Path, runs: int) -> dict[str, Any]:
    """Seconds per pipeline stage (RenderedIssue.timings, plus the checks), in process, after a warm-up.

    ``stages_s`` holds the medians; ``fastest_s`` the minimum of the runs, the
    least disturbed by other work on the machine, which the growth fit uses.
    """
    import gc

    from newsletter_pipeline.checks import run_checks
    from newsletter_pipeline.render import build_issue

    start = time.perf_counter()
    _, first = build_issue(path)  # warm-up: template compilation, lazy regexes (what one CLI run pays)
    first_s = time.perf_counter() - start
    samples: list[dict[str, float]] = []
    cpu_s: list[float] = []  # CPU time of the whole build and checks: hardly moved by other work
    size = blocks = 0
    for _ in range(runs):
        gc.collect()  # start each run with no garbage left by the previous one
        cpu = time.thread_time()
        loaded, rendered = build_issue(path)
        timings = dict(rendered.timings)
        # `newsletter build` also runs the checks (no network) on what it rendered
        start = time.perf_counter()
        run_checks(loaded, rendered)
        timings["checks"] = time.perf_counter() - start
        cpu_s.append(time.thread_time() - cpu)
        samples.append(timings)
        size, blocks = rendered.html_bytes, len(loaded.issue.blocks)
    stages = {stage: round(statistics.median(s[stage] for s in samples), 5) for stage in samples[0]}
    fastest = {stage: round(min(s[stage] for s in samples), 5) for stage in samples[0]}
    return {"runs": runs, "blocks": blocks, "html_bytes": size, "stages_s": stages, "fastest_s": fastest,
            "total_s": round(sum(stages.values()), 4), "fastest_total_s": round(sum(fastest.values()), 4),
            "total_cpu_s": {"median": round(statistics.median(cpu_s), 4), "min": round(min(cpu_s), 4)},
            "first_build_s": round(first_s, 4),
            "first_build_stages_s": {stage: round(t, 4) for stage, t in first.timings.items()}}


def linear_fit(xs: list[float], ys: list[float]) -> dict[str, float]:
    """Least squares ``y = a + b x``: intercept a, slope b and R²."""
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sxx
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for y in ys)
    residual = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys))
    return {"intercept_s": intercept, "slope_s_per_block": slope, "r2": 1 - residual / total if total else 1.0}


def growth(sizes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per stage: µs per block at each size, the linear fit, and the exponent between the two largest sizes.

    All from the fastest run at each size.
    """
    ordered = sorted(sizes.values(), key=lambda s: s["blocks"])
    blocks = [s["blocks"] for s in ordered]
    out: dict[str, dict[str, Any]] = {}
    for stage in [*ordered[0]["stages_s"], "total", "total_cpu"]:
        if stage == "total_cpu":  # CPU seconds of the whole build and checks, a cross-check of the wall figures
            times = [s["total_cpu_s"]["min"] for s in ordered]
        else:
            times = [s["fastest_total_s"] if stage == "total" else s["fastest_s"][stage] for s in ordered]
        fit = linear_fit(blocks, times)
        (n1, t1), (n2, t2) = (blocks[-2], times[-2]), (blocks[-1], times[-1])
        out[stage] = {
            "us_per_block": {str(n): round(t / n * 1e6, 1) for n, t in zip(blocks, times)},
            "slope_us_per_block": round(fit["slope_s_per_block"] * 1e6, 1),
            "intercept_ms": round(fit["intercept_s"] * 1000, 2),
            "r2": round(fit["r2"], 4),
            "exponent": round(math.log(t2 / t1) / math.log(n2 / n1), 3),
        }
    return out


@bench_run.section("stages", "per-stage in-process time for the seed and 10x/25x/50x issues, and its growth")
def stages_section(bench: bench_run.Bench) -> dict[str, Any]:
    sizes: dict[str, dict[str, Any]] = {"x1": stage_times(bench_run.SEED, bench.runs(15, 2))}
    for factor in (3, 10) if bench.quick else (10, 25, 50):
        sizes[f"x{factor}"] = stage_times(synthetic_project(bench.scratch, factor), bench.runs(max(60 // factor + 4, 7)))
    shape = growth(sizes)
    stages = [stage for stage in shape if not stage.startswith("total")]
    worst_exponent = max(stages, key=lambda stage: shape[stage]["exponent"])
    worst_fit = min(stages, key=lambda stage: shape[stage]["r2"])
    largest = max(sizes.values(), key=lambda s: s["blocks"])
    return {
        "sizes": sizes,
        "growth": shape,
        "figures": [
            bench_run.figure("seed stages (warm medians)", ", ".join(
                f"{stage} {seconds * 1000:.1f} ms" for stage, seconds in sizes["x1"]["stages_s"].items())),
            bench_run.figure("µs per block (seed → largest)", ", ".join(
                f"{stage} {shape[stage]['us_per_block'][str(sizes['x1']['blocks'])]:.0f} → "
                f"{shape[stage]['us_per_block'][str(largest['blocks'])]:.0f}" for stage in stages)),
            bench_run.figure(f"{largest['blocks']}-block issue, all stages", f"{largest['total_s']} s"),
            bench_run.figure("growth exponent of the whole build and checks (wall / CPU)",
                             f"{shape['total']['exponent']} / {shape['total_cpu']['exponent']}"),
        ],
        "targets": [
            bench_run.target(f"largest growth exponent between the two largest sizes ({worst_exponent})",
                             shape[worst_exponent]["exponent"], MAX_EXPONENT, ""),
            bench_run.target(f"smallest R² of a linear fit ({worst_fit})", shape[worst_fit]["r2"], MIN_R2, "",
                             at_least=True),
        ],
    }


def sandbox_cost(path: Path, runs: int) -> dict[str, Any]:
    """The Jinja stage of one build, sandboxed (as built) and in a plain Environment, alternating, warm.

    Both render the same layout with the same context, options and loader; the
    plain one is what ``render/templates.py`` used before templates were sandboxed.
    """
    import jinja2

    from newsletter_pipeline.issue.load import load_issue
    from newsletter_pipeline.render import templates
    from newsletter_pipeline.render.sandbox import render_bounded

    loaded = load_issue(path)
    dirs = templates.template_dirs(loaded)
    sandboxed = templates.environment(dirs)
    plain = jinja2.Environment(loader=sandboxed.loader, autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    plain.filters.update(sandboxed.filters)
    plain.globals.update(sandboxed.globals)
    values = templates.context(loaded)
    renders = {"sandboxed": lambda: render_bounded(sandboxed.get_template(templates.LAYOUT), values),
               "plain": lambda: plain.get_template(templates.LAYOUT).render(values)}
    assert renders["sandboxed"]() == renders["plain"](), "the sandbox must not change the output"
    samples: dict[str, list[float]] = {name: [] for name in renders}
    for _ in range(runs):
        for name, render in renders.items():  # alternating: drift on a shared machine hits both alike
            start = time.thread_time()  # CPU time: the machine is shared, waiting is not the sandbox's cost
            render()
            samples[name].append(time.thread_time() - start)
    medians = {name: statistics.median(times) for name, times in samples.items()}
    fastest = {name: min(times) for name, times in samples.items()}
    return {"runs": runs, "median_cpu_ms": {name: round(t * 1000, 3) for name, t in medians.items()},
            "min_cpu_ms": {name: round(t * 1000, 3) for name, t in fastest.items()},
            "overhead_ms": round((medians["sandboxed"] - medians["plain"]) * 1000, 3),
            "overhead_pct": round((medians["sandboxed"] / medians["plain"] - 1) * 100, 1),
            "overhead_min_pct": round((fastest["sandboxed"] / fastest["plain"] - 1) * 100, 1)}


@bench_run.section("sandbox", "cost of the Jinja sandbox on the Jinja stage of the seed (in process, alternating)")
def sandbox_section(bench: bench_run.Bench) -> dict[str, Any]:
    cost = sandbox_cost(bench_run.SEED, bench.runs(60, 5))
    return {"seed": cost, "figures": [bench_run.figure(
        "Jinja stage of the seed, sandboxed vs plain (CPU medians)",
        f"{cost['median_cpu_ms']['sandboxed']} vs {cost['median_cpu_ms']['plain']} ms "
        f"({cost['overhead_ms']:+} ms, {cost['overhead_pct']:+.1f} %; fastest runs {cost['overhead_min_pct']:+.1f} %)")],
        "targets": []}


if __name__ == "__main__":
    sys.exit(bench_run.main(["stages", *sys.argv[1:]]))
