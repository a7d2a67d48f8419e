#!/usr/bin/env python3
"""Benchmark section "media": an issue with local photos, first build against a rebuild.

    .venv/bin/python benchmarks/media.py            # this section (results merged into results.json)
    .venv/bin/python benchmarks/media.py --quick    # fewer runs: a smoke test

Issue 14: a rebuild with unchanged pictures must not encode them again.
The issue shows ``PHOTOS`` camera-sized JPEGs (3000 x 2000, made here with
Pillow from noise, which compresses like a photo's detail). ``first_build``
runs with an empty per-user cache (every picture decoded, turned, resized and
encoded); ``rebuild_unchanged`` with the cache the first build left. Whole
``newsletter build`` processes, wall and CPU medians.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench_run  # noqa: E402 - the registry lives beside this file

PHOTOS = 4
ARCHIVE = "https://newsletter.ai4media.eu/archive"


def photo_project(scratch: Path) -> Path:
    from PIL import Image

    root = scratch / "project"
    (root / "issues").mkdir(parents=True)
    (root / "images").mkdir()
    shutil.copy(bench_run.CONFIG, root / "newsletter.yaml")
    blocks = ["  - type: masthead\n    title: Photos"]
    for n in range(PHOTOS):
        noise = Image.effect_noise((3000, 2000), 40 + n).convert("RGB")
        noise.save(root / "images" / f"photo-{n}.jpg", "JPEG", quality=92)
        blocks.append(f"  - type: image\n    src: images/photo-{n}.jpg\n    alt: Photo number {n}")
    (root / "issues" / "2026-12-photos.yaml").write_text(
        "subject: Photos\npreheader: Four photos from the project folder, resized and published for inboxes.\n"
        "date: 2026-12-01\nblocks:\n" + "\n".join(blocks) + "\n", encoding="utf-8")
    return root


def summary(samples: list[bench_run.Sample]) -> dict[str, Any]:
    return {"runs": len(samples), "median_s": round(statistics.median(s.wall_s for s in samples), 3),
            "median_cpu_s": round(statistics.median(s.cpu_s for s in samples), 3)}


@bench_run.section("media", f"newsletter build of an issue with {PHOTOS} local 3000x2000 photos: "
                            "first build (empty cache) and rebuild (unchanged pictures)")
def media_section(bench: bench_run.Bench) -> dict[str, Any]:
    root = photo_project(bench.scratch)
    cache = bench.scratch / "cache"
    env = {"NEWSLETTER_ARCHIVE_URL": ARCHIVE, "XDG_CACHE_HOME": str(cache)}
    argv = [bench.command(), "build", "issues/2026-12-photos.yaml", "--out", "dist"]
    first, again = [], []
    for _ in range(bench.runs(3, 1)):
        shutil.rmtree(cache, ignore_errors=True)
        first.append(bench.sample(argv, root, env))
        again.append(bench.sample(argv, root, env))
    media = list((root / "dist" / "2026-12-photos" / "media").iterdir())
    sources = sum(p.stat().st_size for p in (root / "images").iterdir())
    results = {"first_build": summary(first), "rebuild_unchanged": summary(again)}
    return {
        "photos": PHOTOS,
        **results,
        "bytes": {"sources": sources, "published": sum(p.stat().st_size for p in media)},
        "figures": [bench_run.figure("first build, empty cache (median wall, CPU)",
                                     f"{results['first_build']['median_s']} s, {results['first_build']['median_cpu_s']} s"),
                    bench_run.figure("rebuild, unchanged pictures (median wall, CPU)",
                                     f"{results['rebuild_unchanged']['median_s']} s, "
                                     f"{results['rebuild_unchanged']['median_cpu_s']} s")],
        "targets": [
            bench_run.target("rebuild with unchanged pictures (median wall) under half the first build",
                             results["rebuild_unchanged"]["median_s"],
                             round(results["first_build"]["median_s"] / 2, 3), "s"),
        ],
    }


if __name__ == "__main__":
    sys.exit(bench_run.main(["media", *sys.argv[1:]]))
