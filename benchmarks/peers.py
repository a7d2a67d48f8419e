#!/usr/bin/env python3
"""Benchmark section "peers": the same newsletter built by the tools users would pick instead.

    .venv/bin/python benchmarks/peers.py            # this section (results merged into results.json)
    .venv/bin/python benchmarks/peers.py --quick    # fewer runs, 10 issues: a smoke test

The seed newsletter is ported by hand to each peer (same sections and text,
read from one JSON file made from the seed and newsletter.yaml; markup and
styles are each tool's own): ``peers/react-email.mjs`` (a react-email
component, rendered with ``@react-email/render``'s ``render()`` and
``toPlainText()``) and ``peers/maizzle/Newsletter.vue`` (a Maizzle 6
template, ``maizzle build`` with its default CSS inlining and purging, plus
``plaintext: true``). Measured beside ``newsletter build`` of the seed:

- **whole process**, one issue: ours; react-email with every component from
  ``@react-email/components`` (what its docs show) and with each component
  from its own package (``@react-email/button``, ...); ``maizzle build``;
  and the MJML CLI on our ``email.mjml`` when the ``build`` section installed
  it. Alternating rounds (A B C ...), medians of wall and CPU time, peak RSS.
- **batch of 100** (2 alternating rounds, no warm-up): 100 copies of the seed, each with its own subject: our
  one ``newsletter build`` of 100 files (the ``batch`` section's project),
  one react-email process rendering 100 times, one ``maizzle build`` of 100
  templates; per issue.
- **what comes out**: HTML size, whether a plain-text part is written, and
  how many Outlook conditional comments (``<!--[if mso``) the HTML has.

The peers are npm packages pinned by ``peers/package.json`` and
``peers/package-lock.json``, installed with ``npm install --prefix
benchmarks/peers`` into ``benchmarks/peers/node_modules`` (git-ignored) when
missing. Maizzle 6 needs Node 24, which the npm package ``node`` installs
there; the peers run on it. Without npm the section is skipped with a message.

Goal (issue 17): ahead of every configuration of every peer; a whole-process
build ≤ 0.6x the fastest of them.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench_run  # noqa: E402 - the registry lives beside this file

PEERS = bench_run.HERE / "peers"
NODE_MODULES = PEERS / "node_modules"
NODE = NODE_MODULES / ".bin" / "node"  # Node 24, from the npm package "node"
MAIZZLE = NODE_MODULES / "@maizzle" / "framework" / "bin" / "maizzle.mjs"
REACT_EMAIL = PEERS / "react-email.mjs"
TARGET_RATIO = 0.6
# one Maizzle template per issue: the shared port, given the seed's data and the copy's number
MAIZZLE_EMAIL = """<script setup>
import Newsletter from '../Newsletter.vue'
import data from '../seed.json'
</script>
<template><Newsletter :data="data" :n="{n}" /></template>
"""


def install() -> None:
    """The peers in benchmarks/peers/node_modules, installed with npm when missing; else ``Skip``."""
    if NODE.exists() and MAIZZLE.exists() and (NODE_MODULES / "@react-email" / "render").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise bench_run.Skip("npm not found: the peer comparison is skipped (install Node.js with npm, then "
                             "rerun; it installs react-email, Maizzle and Node 24 into benchmarks/peers/node_modules)")
    print("installing the peers: npm install --prefix benchmarks/peers", file=sys.stderr)
    try:
        done = subprocess.run([npm, "install", "--prefix", str(PEERS), "--no-audit", "--no-fund"],
                              capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        raise bench_run.Skip("npm install --prefix benchmarks/peers took over 15 minutes; rerun when the "
                             "registry answers") from None
    if done.returncode != 0 or not NODE.exists():
        raise bench_run.Skip(f"npm install --prefix benchmarks/peers failed: {done.stderr.strip()[-500:]}")


def versions() -> dict[str, str]:
    found = {"node": subprocess.run([str(NODE), "--version"], capture_output=True, text=True).stdout.strip()}
    for name in ("@maizzle/framework", "@react-email/render", "@react-email/components", "react"):
        found[name] = json.loads((NODE_MODULES / name / "package.json").read_text(encoding="utf-8"))["version"]
    return found


def seed_data(folder: Path) -> Path:
    """The seed issue and newsletter.yaml as one JSON file, the peers' input."""
    import yaml

    def plain(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        raise TypeError(value)

    data = {"issue": yaml.safe_load(bench_run.SEED.read_text(encoding="utf-8")),
            "settings": yaml.safe_load((bench_run.REPO / "newsletter.yaml").read_text(encoding="utf-8"))}
    path = folder / "seed.json"
    path.write_text(json.dumps(data, default=plain, ensure_ascii=False), encoding="utf-8")
    return path


def maizzle_project(folder: Path, data: Path, count: int) -> Path:
    """A Maizzle project with ``count`` templates, each the port with its own subject."""
    (folder / "emails").mkdir(parents=True)
    for name in ("Newsletter.vue", "maizzle.config.js"):
        shutil.copy(PEERS / "maizzle" / name, folder / name)
    shutil.copy(data, folder / "seed.json")
    (folder / "package.json").write_text('{"type": "module"}\n', encoding="utf-8")
    (folder / "node_modules").symlink_to(NODE_MODULES)
    for n in range(count):
        (folder / "emails" / f"{n:03d}.vue").write_text(MAIZZLE_EMAIL.replace("{n}", str(n)), encoding="utf-8")
    return folder


def output(html: Path, text: Path | None) -> dict[str, Any]:
    """What one tool wrote for the seed: HTML size, a plain-text part, Outlook markup."""
    source = html.read_text(encoding="utf-8")
    return {"html_bytes": len(source.encode()), "plain_text": bool(text and text.exists() and text.stat().st_size),
            "outlook_conditionals": source.count("<!--[if mso")}


def commands(bench: bench_run.Bench, data: Path, count: int, tag: str) -> tuple[dict[str, list[str]], dict[str, Path]]:
    """The argv of every tool for ``count`` issues, and the folder each runs in."""
    scratch = bench.scratch / tag
    react = [str(NODE), str(REACT_EMAIL), str(data), str(scratch / "react"), str(count)]
    maizzle = maizzle_project(scratch / "maizzle", data, count)
    argv = {"react-email (components)": [*react, "components"], "react-email (separate packages)": [*react, "separate"],
            "maizzle build": [str(NODE), str(MAIZZLE), "build"]}
    cwd = {name: bench_run.REPO for name in argv}
    cwd["maizzle build"] = maizzle
    return argv, cwd


def alternate(bench: bench_run.Bench, argv: dict[str, list[str]], cwd: dict[str, Path], runs: int,
              warmup: bool = True) -> dict[str, Any]:
    """``measure_alternating`` with a working folder per command."""
    for name in argv if warmup else ():  # disk caches, Vite's first run
        bench.sample(argv[name], cwd=cwd[name])
    samples: dict[str, list[bench_run.Sample]] = {name: [] for name in argv}
    for _ in range(runs):
        for name in argv:
            samples[name].append(bench.sample(argv[name], cwd=cwd[name]))
    return {name: bench_run.summarize(found) for name, found in samples.items()}


@bench_run.section("peers", "the seed built by react-email and Maizzle beside ours: whole process and a batch of 100")
def peers_section(bench: bench_run.Bench) -> dict[str, Any]:
    import batch  # the batch section's project of 100 seed copies

    install()
    data = seed_data(bench.scratch)
    ours_out = bench.scratch / "ours"
    single, cwd = commands(bench, data, 1, "single")
    single = {"newsletter build": [bench.command(), "build", str(bench_run.SEED), "--out", str(ours_out)], **single}
    cwd["newsletter build"] = bench_run.REPO
    mjml_cli = bench_run.HERE / "node_modules" / ".bin" / "mjml"
    if mjml_cli.exists():  # installed by the build section
        bench.sample(single["newsletter build"])
        single["MJML CLI"] = [str(mjml_cli), str(ours_out / bench_run.SEED.stem / "email.mjml"), "-o",
                              str(bench.scratch / "mjml-cli.html")]
        cwd["MJML CLI"] = bench_run.REPO
    whole = alternate(bench, single, cwd, bench.runs(7, 1))

    count = bench.runs(100, 10)
    many, many_cwd = commands(bench, data, count, "batch")
    paths = batch.batch_project(bench.scratch / "ours-batch", count)
    root = paths[0].parent.parent
    many = {"newsletter build": [bench.command(), "build", *[str(p.relative_to(root)) for p in paths], "--out", "dist"],
            **many}
    many_cwd["newsletter build"] = root
    # no warm-up round: Maizzle takes ~40 s for 100 templates here, and the batch costs dwarf a cold disk cache
    batched = alternate(bench, many, many_cwd, bench.runs(2, 1), warmup=False)

    single_dir = bench.scratch / "single"
    produced = {
        "newsletter build": output(ours_out / bench_run.SEED.stem / "email.html",
                                   ours_out / bench_run.SEED.stem / "email.txt"),
        "react-email (components)": output(single_dir / "react" / "0" / "email.html", single_dir / "react" / "0" / "email.txt"),
        "maizzle build": output(single_dir / "maizzle" / "dist" / "000.html", single_dir / "maizzle" / "dist" / "000.txt"),
    }
    ours = whole["newsletter build"]["median_s"]
    peers = {name: m for name, m in whole.items() if name != "newsletter build"}
    fastest = min(peers, key=lambda name: peers[name]["median_s"])
    per_issue = {name: round(m["median_s"] / count * 1000, 1) for name, m in batched.items()}
    figures = [bench_run.figure(f"{name} whole process (median wall / CPU, peak RSS; ours / it)",
                                f"{m['median_s']} s / {m['median_cpu_s']} s, {m['peak_rss_mib']} MiB; "
                                f"{round(ours / m['median_s'], 2)} x")
               for name, m in whole.items()]
    figures.append(bench_run.figure(f"batch of {count}, per issue (median wall)",
                                    ", ".join(f"{name} {ms} ms" for name, ms in per_issue.items())))
    figures.append(bench_run.figure("output: HTML bytes, plain text, Outlook conditionals",
                                    "; ".join(f"{name} {o['html_bytes']:,} B, {'text' if o['plain_text'] else 'no text'}, "
                                              f"{o['outlook_conditionals']} mso" for name, o in produced.items())))
    ratio = round(ours / peers[fastest]["median_s"], 2)
    batch_fastest = min((n for n in per_issue if n != "newsletter build"), key=per_issue.get)
    return {
        "versions": versions(),
        "whole_process": whole,
        "batch": {"issues": count, "ms_per_issue": per_issue, "runs": batched},
        "output": produced,
        "figures": figures,
        "targets": [
            bench_run.target(f"our whole-process build / the fastest peer's ({fastest})", ratio, TARGET_RATIO, "x"),
            bench_run.target(f"our batch per issue / the fastest peer's ({batch_fastest})",
                             round(per_issue["newsletter build"] / per_issue[batch_fastest], 2), 1.0, "x"),
        ],
    }


if __name__ == "__main__":
    sys.exit(bench_run.main(["peers", *sys.argv[1:]]))
