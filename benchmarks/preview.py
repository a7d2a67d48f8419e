#!/usr/bin/env python3
"""Benchmark section "preview": from saving an issue file to the new text being visible in the page.

    .venv/bin/python benchmarks/preview.py            # this section (results merged into results.json)
    .venv/bin/python benchmarks/preview.py --quick    # fewer saves: a smoke test

Goals (issue 4): the reload arrives within 0.5 s of the save (median of at
least 10 saves), and Ctrl-C stops the server within a second. Measured as the
user meets them: a real ``newsletter preview`` process, Debian's Chromium
(through Playwright) showing the page, and a copy of the seed issue saved with
a new article title each time. The clock starts just before the file is
written and stops when the page itself sees the new title inside the email's
iframe (polled on every animation frame; both sides read the same system
clock). Needs Chromium: apt-get install -y chromium, or NEWSLETTER_CHROMIUM.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench_run  # noqa: E402 - the registry lives beside this file

TITLE = "Detecting deepfakes in multimedia content"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SEEN = """marker => {
    const frame = document.querySelector('#stage iframe.current');
    const body = frame && frame.contentDocument && frame.contentDocument.body;
    return body && body.innerText.includes(marker) ? Date.now() / 1000 : false;
}"""


def chromium() -> str:
    found = os.environ.get("NEWSLETTER_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise bench_run.Skip("the preview benchmark needs Chromium: apt-get install -y chromium")
    return found


def project(scratch: Path) -> Path:
    root = scratch / "project"
    (root / "issues").mkdir(parents=True)
    shutil.copy(bench_run.CONFIG, root / "newsletter.yaml")
    shutil.copy(bench_run.SEED, root / "issues" / bench_run.SEED.name)
    return root / "issues" / bench_run.SEED.name


def start_server(bench: bench_run.Bench, issue: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([bench.command(), "preview", str(issue), "--port", "0"], cwd=issue.parent.parent,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if not select.select([process.stdout], [], [], 60)[0]:
        process.kill()
        raise SystemExit("newsletter preview printed nothing within 60 s")
    line = process.stdout.readline()
    if not line.startswith("serving "):
        process.kill()
        raise SystemExit(f"newsletter preview did not start: {line!r}")
    return process, line.split()[1]


def save_to_visible(page: Any, issue: Path, original: str, marker: str) -> float:
    """Seconds from writing the file to the page showing ``marker`` in the email."""
    text = original.replace(TITLE, marker)
    start = time.time()
    issue.write_text(text, encoding="utf-8")
    seen = page.wait_for_function(SEEN, arg=marker, polling="raf", timeout=10_000).json_value()
    return seen - start


def stop_time(process: subprocess.Popen[str]) -> float:
    """Seconds from Ctrl-C (SIGINT) to the process having exited."""
    start = time.perf_counter()
    process.send_signal(signal.SIGINT)
    process.wait(10)
    return time.perf_counter() - start


@bench_run.section("preview", "newsletter preview: save-to-visible latency in Chromium, and Ctrl-C stop time")
def preview_section(bench: bench_run.Bench) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    issue = project(bench.scratch)
    original = issue.read_text(encoding="utf-8")
    saves = bench.runs(20, 10)  # at least 10 even for --quick: the goal is a median of 10
    process, url = start_server(bench, issue)
    latencies: list[float] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium(), headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route(lambda u: not u.startswith(url), lambda route: route.abort())  # no network
            page.goto(url)
            page.wait_for_selector('body[data-renders="1"]', state="attached")
            save_to_visible(page, issue, original, "Warm-up title")  # first rebuild warms caches
            for n in range(saves):
                time.sleep(0.3)  # separate saves, not one burst
                latencies.append(save_to_visible(page, issue, original, f"Benchmark title {n}"))
            state = json.loads(urllib.request.urlopen(url + f"issue/{issue.stem}/state.json", timeout=10).read())
            browser.close()
    finally:
        stop_s = stop_time(process) if process.poll() is None else float("nan")
    median = statistics.median(latencies)
    ordered = sorted(latencies)
    return {
        "saves": saves,
        "save_to_visible_s": {"median": round(median, 3), "min": round(ordered[0], 3),
                              "p90": round(ordered[int(len(ordered) * 0.9) - 1], 3), "max": round(ordered[-1], 3),
                              "all": [round(x, 3) for x in latencies]},
        "last_rebuild_ms": state["duration_ms"],
        "stop_after_ctrl_c_s": round(stop_s, 3),
        "targets": [
            bench_run.target("median save-to-visible latency", round(median, 3), 0.5, "s"),
            bench_run.target("Ctrl-C to exit", round(stop_s, 3), 1.0, "s"),
        ],
    }


if __name__ == "__main__":
    sys.exit(bench_run.main(["preview", *sys.argv[1:]]))
