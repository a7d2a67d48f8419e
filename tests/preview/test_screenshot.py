"""``newsletter screenshot``: four PNGs from real Chromium, and a clear error without it."""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import pytest
from shared import SEED_IN_PROJECT, SEED_SLUG


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def mean_brightness(page, path: Path) -> float:
    """The mean of R, G and B over the whole PNG (0-255), measured on a canvas in Chromium."""
    source = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
    return page.evaluate("""async src => {
        const img = new Image(); img.src = src; await img.decode();
        const canvas = document.createElement('canvas'); canvas.width = 60; canvas.height = 200;
        const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0, 60, 200);
        const data = ctx.getImageData(0, 0, 60, 200).data;
        let sum = 0;
        for (let i = 0; i < data.length; i += 4) sum += data[i] + data[i + 1] + data[i + 2];
        return sum / (data.length / 4) / 3;
    }""", source)


@pytest.mark.browser
def test_screenshot_writes_desktop_mobile_dark_and_inverted_pngs(seed_project: Path, run_cli, chromium_path: str,
                                                                  browser) -> None:
    result = run_cli("screenshot", SEED_IN_PROJECT, "--out", "shots", cwd=seed_project,
                     env={"NEWSLETTER_CHROMIUM": chromium_path})
    assert result.returncode == 0, result.stderr
    folder = seed_project / "shots" / SEED_SLUG
    assert sorted(p.name for p in folder.iterdir()) == ["dark-600.png", "desktop-600.png", "inverted-600.png",
                                                        "mobile-375.png"]
    assert result.stdout.splitlines() == [f"wrote shots/{SEED_SLUG}/{name}.png"
                                          for name in ("desktop-600", "mobile-375", "dark-600", "inverted-600")]
    (dw, dh), (mw, mh), (kw, kh) = (png_size(folder / f"{n}.png") for n in ("desktop-600", "mobile-375", "dark-600"))
    assert (dw, mw, kw) == (600, 375, 600)
    assert dh > 2000 and mh > dh  # the whole email, and taller on a phone where columns stack
    page = browser.new_page()
    try:
        light = mean_brightness(page, folder / "desktop-600.png")
        dark = mean_brightness(page, folder / "dark-600.png")
        inverted = mean_brightness(page, folder / "inverted-600.png")
    finally:
        page.close()
    assert light > 170 and dark < 90, (light, dark)  # mostly white paper vs. mostly near-black
    assert inverted < 90 and png_size(folder / "inverted-600.png") == (dw, dh)  # the light email, repainted dark


def test_without_chromium_the_error_says_how_to_install_it(seed_project: Path, run_cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    result = run_cli("screenshot", SEED_IN_PROJECT, cwd=seed_project,
                     env={"PATH": str(empty), "NEWSLETTER_CHROMIUM": ""})
    assert result.returncode == 2
    assert "Chromium not found" in result.stderr and "apt-get install -y chromium" in result.stderr
    assert "NEWSLETTER_CHROMIUM" in result.stderr and "Traceback" not in result.stderr
    assert not (seed_project / "screenshots").exists()


def test_a_wrong_chromium_variable_is_named(seed_project: Path, run_cli) -> None:
    result = run_cli("screenshot", SEED_IN_PROJECT, cwd=seed_project,
                     env={"NEWSLETTER_CHROMIUM": "/nonexistent/chromium"})
    assert result.returncode == 2
    assert "NEWSLETTER_CHROMIUM=/nonexistent/chromium is not an executable" in result.stderr


def test_a_browser_gone_before_the_first_command_is_a_clear_error() -> None:
    """Writing the first command to a browser that had exited raised BrokenPipeError, which click
    turned into a silent exit 1 (NEWSLETTER_CHROMIUM=/bin/true, in about one run in four)."""
    from newsletter_pipeline.preview.chromium import ChromiumError, launch

    with pytest.raises(ChromiumError) as caught:
        with launch(Path("/bin/true")) as browser:
            browser.process.wait(10)  # gone, and its end of the command pipe with it
            browser.call("Target.createTarget", {"url": "about:blank"})
    message = str(caught.value)
    assert "/bin/true exited" in message and "Target.createTarget" in message, message
    assert "set NEWSLETTER_CHROMIUM to" in message, message


def test_a_browser_that_exits_at_once_is_exit_2_naming_the_variable(seed_project: Path, run_cli) -> None:
    result = run_cli("--debug", "screenshot", SEED_IN_PROJECT, cwd=seed_project,
                     env={"NEWSLETTER_CHROMIUM": "/bin/true"})
    assert result.returncode == 2, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: /bin/true exited") and "set NEWSLETTER_CHROMIUM to" in last, result.stderr
    assert not (seed_project / "screenshots").exists()


def test_a_browser_that_fails_leaves_no_process_behind(seed_project: Path, run_cli, tmp_path: Path) -> None:
    """A browser wrapper's child outlived it (only the direct child was killed)."""
    import os
    import time

    pid_file = tmp_path / "child.pid"
    fake = tmp_path / "fake-chromium"
    fake.write_text(f"#!/bin/sh\nsleep 600 &\necho $! > {pid_file}\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    result = run_cli("screenshot", SEED_IN_PROJECT, cwd=seed_project, env={"NEWSLETTER_CHROMIUM": str(fake)},
                     timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    child = int(pid_file.read_text(encoding="utf-8"))
    for _ in range(50):  # killed with its group; give the kernel a moment to reap it
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{child}/stat", encoding="ascii") as stat:
            if stat.read().split()[2] == "Z":  # a zombie waiting for init: no longer running
                break
        time.sleep(0.1)
    else:
        os.kill(child, 9)
        raise AssertionError("the browser's child was still running")


def test_an_invalid_issue_writes_no_png(make_project, run_cli, chromium_path: str) -> None:
    root = make_project({"issues/2022-01-bad.yaml": "subject: [unclosed\n"})
    result = run_cli("screenshot", "issues/2022-01-bad.yaml", cwd=root, env={"NEWSLETTER_CHROMIUM": chromium_path})
    assert result.returncode == 1 and "issues/2022-01-bad.yaml:" in result.stderr and "invalid YAML" in result.stderr
    assert not (root / "screenshots").exists()


@pytest.mark.browser
def test_an_edition_gets_its_own_screenshot_folder(make_project, run_cli, chromium_path: str) -> None:
    name = f"{SEED_SLUG}.el.yaml"
    greek = (Path(__file__).resolve().parents[1] / "fixtures" / "editions" / name).read_text("utf-8")
    root = make_project({f"issues/{name}": greek}, seed=True)
    result = run_cli("screenshot", f"issues/{name}", "--out", "shots", cwd=root,
                     env={"NEWSLETTER_CHROMIUM": chromium_path})
    assert result.returncode == 0, result.stderr
    folder = root / "shots" / f"{SEED_SLUG}.el"
    assert sorted(p.name for p in folder.iterdir()) == ["dark-600.png", "desktop-600.png", "inverted-600.png",
                                                        "mobile-375.png"]
    assert png_size(folder / "desktop-600.png")[0] == 600 and not (root / "shots" / SEED_SLUG).exists()


SHORT_ARABIC = """\
subject: Welcome
preheader: Our first issue, what to expect and how to reach us, in a few lines.
date: 2026-12-01
language: ar
blocks:
  - type: masthead
    title: Welcome to Test
  - type: editorial
    body: Each issue brings you our news.
"""


@pytest.mark.browser
def test_a_short_right_to_left_email_is_shot_where_it_is_not_shifted(make_project, run_cli, chromium_path: str) -> None:
    """Chromium moved a right-to-left page that fits in the window ~90 px right when capturing beyond it:
    the PNGs CI attaches showed a cut masthead ("Welcome to Tes")."""
    from PIL import Image

    root = make_project({"issues/2026-12-welcome.yaml": SHORT_ARABIC})
    result = run_cli("screenshot", "issues/2026-12-welcome.yaml", "--out", "shots", cwd=root,
                     env={"NEWSLETTER_CHROMIUM": chromium_path})
    assert result.returncode == 0, result.stderr
    for name in ("desktop-600", "dark-600", "mobile-375"):
        with Image.open(root / "shots" / "2026-12-welcome" / f"{name}.png") as shot:
            picture = shot.convert("RGB")
            width = picture.size[0]
            # the masthead spans the whole width at its top: the same colour at both edges
            assert picture.getpixel((5, 20)) == picture.getpixel((width - 5, 20)), name
