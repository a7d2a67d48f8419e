#!/usr/bin/env python3
"""Benchmark section "archive": a synthetic archive of 200 issues.

    .venv/bin/python benchmarks/archive.py            # this section (results merged into results.json)
    .venv/bin/python benchmarks/archive.py --quick    # fewer runs: a smoke test

Goals (issue 8): the first build of 200 issues takes 10 s or less, and a
rebuild after one issue changed takes 1 s or less. Both are measured as the
user runs them, whole ``newsletter archive`` processes (interpreter start
included), wall-clock medians. The section registers itself in
``benchmarks/run.py``'s registry, whose options and results file it shares.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench_run  # noqa: E402 - the registry lives beside this file

ISSUES = 200
BASE_URL = "https://news.example.org/"


def synthetic_issue(n: int) -> tuple[str, str]:
    """Issue ``n``: a file name and a mid-sized issue (about half the seed) with every stressed block."""
    year, month = 2010 + n // 12, n % 12 + 1
    name = f"{year}-{month:02d}-issue-{n:03d}.yaml"
    paragraph = ("The project made progress on **trustworthy AI**, media analysis and "
                 "[open datasets](https://www.ai4media.eu/datasets/). ") * 4
    articles = "".join(f"""\
  - type: article
    title: Research line {k} of issue {n}
    authors:
      - name: Researcher {k}
        affiliation: University {k}
    body: |-
      {paragraph}
    image:
      src: https://www.ai4media.eu/img/article-{k}.jpg
      alt: Illustration {k}
      width: 536
    link:
      label: Read more
      url: https://www.ai4media.eu/articles/{n}/{k}/
""" for k in range(1, 4))
    text = f"""\
subject: Issue {n} of the synthetic newsletter
preheader: What happened in month {month} of {year}, in {n} words or fewer.
date: {year}-{month:02d}-15
language: en
blocks:
  - type: masthead
    title: Issue {n}
  - type: editorial
    title: Editorial
    body: |-
      {paragraph}

      - one point
      - another point
    signature:
      names: [Editor One, Editor Two]
{articles}  - type: link_list
    title: Publications
    links:
      - title: A paper
        url: https://www.ai4media.eu/papers/{n}/1/
      - title: Another paper
        url: https://www.ai4media.eu/papers/{n}/2/
  - type: past_events
    columns: 3
    events:
      - {{title: Workshop A, date: {year}-{month:02d}-01, url: "https://www.ai4media.eu/e/{n}/a/"}}
      - {{title: Workshop B, date: {year}-{month:02d}-02, url: "https://www.ai4media.eu/e/{n}/b/"}}
      - {{title: Workshop C, date: {year}-{month:02d}-03, url: "https://www.ai4media.eu/e/{n}/c/"}}
  - type: cta
    text: Join the community.
    button: {{label: Sign up, url: "https://www.ai4media.eu/join/"}}
"""
    return name, text


def synthetic_archive(scratch: Path, count: int) -> Path:
    root = scratch / "project"
    (root / "issues").mkdir(parents=True)
    shutil.copy(bench_run.CONFIG, root / "newsletter.yaml")
    for n in range(count):
        name, text = synthetic_issue(n)
        (root / "issues" / name).write_text(text, encoding="utf-8")
    return root


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (KiB) of one successful child process.

    CPU time is reported beside wall time because it hardly moves when other
    work shares the 2 cores, which wall time does. The child is started by
    the runner's small launcher process, so its peak RSS is its own.
    """
    measured = bench_run.Bench(False, cwd).sample(argv, cwd, env)
    return measured.wall_s, measured.cpu_s, measured.rss_kib


def summary(samples: list[tuple[float, float, int]]) -> dict[str, Any]:
    walls, cpus = [s[0] for s in samples], [s[1] for s in samples]
    return {"runs": len(samples), "median_s": round(statistics.median(walls), 3), "max_s": round(max(walls), 3),
            "median_cpu_s": round(statistics.median(cpus), 3),
            "peak_rss_mib": round(max(s[2] for s in samples) / 1024, 1)}


@bench_run.section("archive", f"newsletter archive of {ISSUES} synthetic issues: first build, "
                              "no-change and one-change rebuilds (whole processes)")
def archive_section(bench: bench_run.Bench) -> dict[str, Any]:
    root = synthetic_archive(bench.scratch, ISSUES)
    argv = [bench.command(), "archive", "--out", "site", "--base-url", BASE_URL]
    env = {"NEWSLETTER_ARCHIVE_URL": ""}  # the figures must not depend on the caller's shell
    first = []
    for _ in range(bench.runs(3, 1)):
        shutil.rmtree(root / "site", ignore_errors=True)
        first.append(timed(argv, root, env))
    unchanged = [timed(argv, root, env) for _ in range(bench.runs(5, 2))]
    one_change = []
    for run_number in range(bench.runs(5, 2)):
        issue = root / "issues" / synthetic_issue(run_number * 37 % ISSUES)[0]
        issue.write_text(issue.read_text(encoding="utf-8").replace("subject: Issue", "subject: Edited issue", 1),
                         encoding="utf-8")
        one_change.append(timed(argv, root, env))
    site = root / "site"
    sizes = {name: (site / name).stat().st_size for name in ("index.html", "feed.xml", "sitemap.xml")}
    results = {"first_build": summary(first), "rebuild_unchanged": summary(unchanged),
               "rebuild_one_changed": summary(one_change)}
    return {
        "issues": ISSUES,
        **results,
        "bytes": sizes,
        "targets": [
            bench_run.target(f"first build of {ISSUES} issues (median wall)",
                             results["first_build"]["median_s"], 10, "s"),
            bench_run.target("rebuild with one changed issue (median wall)",
                             results["rebuild_one_changed"]["median_s"], 1, "s"),
        ],
    }

if __name__ == "__main__":
    sys.exit(bench_run.main(["archive", *sys.argv[1:]]))
