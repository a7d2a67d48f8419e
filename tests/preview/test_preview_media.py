"""The preview serves an issue's local images itself, so they show before anything is published (issue 14)."""

from __future__ import annotations

import io
import json
import re
import urllib.request
from pathlib import Path

import pytest
from PIL import Image
from shared import PHOTO_ISSUE_NAME, photo_issue, with_photo

ARCHIVE = "https://newsletter.ai4media.eu/archive"
ISSUE = photo_issue()


@pytest.fixture
def photo_project(make_project, monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NEWSLETTER_ARCHIVE_URL", raising=False)
    return with_photo(make_project({PHOTO_ISSUE_NAME: ISSUE}), ARCHIVE, (1600, 900))


@pytest.mark.browser
def test_the_preview_shows_a_local_image_without_network(serve, photo_project: Path, page) -> None:
    running = serve(photo_project / "issues")
    build = running.site.builds["2026-12-photo"]
    assert build.ok, build.errors
    (name,) = build.media
    # the page shows the preview's own copy; the HTML tab and `build --watch` keep the email's address
    assert f'src="/issue/2026-12-photo/{name}"' in build.shown_html and f"{ARCHIVE}/{name}" not in build.shown_html
    assert f'src="{ARCHIVE}/{name}"' in build.html and "/issue/" not in build.html
    state = json.load(urllib.request.urlopen(f"{running.url}issue/2026-12-photo/state.json"))
    assert (state["html"], state["source"]) == (build.shown_html, build.html)
    page.goto(f"{running.url}issue/2026-12-photo/")  # the page fixture refuses every request off this machine
    frame = page.frame_locator("#stage iframe.current")
    image = frame.locator('img[alt="The team on the steps of the venue"]')
    image.wait_for()
    page.wait_for_function("() => { const d = document.querySelector('#stage iframe.current')?.contentDocument;"
                           " const i = d && d.querySelector('img[alt^=\"The team\"]'); return i && i.complete; }")
    assert image.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [1200, 675]


def test_the_media_route_serves_the_bytes_and_nothing_else(serve, photo_project: Path) -> None:
    running = serve(photo_project / "issues")
    (name,) = running.site.builds["2026-12-photo"].media
    with urllib.request.urlopen(f"{running.url}issue/2026-12-photo/{name}") as response:
        assert response.headers["Content-Type"] == "image/jpeg"
        assert Image.open(io.BytesIO(response.read())).size == (1200, 675)
    for path in (f"issue/2026-12-photo/media/{'0' * 16}.jpg", "issue/2026-12-photo/media/../../newsletter.yaml",
                 f"issue/nope/{name}", "issue/2026-12-photo/images/photo.jpg"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"{running.url}{path}")
        assert caught.value.code == 404


def test_saving_a_local_image_rebuilds_the_issue(serve, photo_project: Path) -> None:
    running = serve(photo_project / "issues")
    (before,) = running.site.builds["2026-12-photo"].media
    epoch = running.site.epoch
    Image.effect_noise((1600, 900), 80).convert("RGB").save(photo_project / "images/photo.jpg", "JPEG")
    running.wait_epoch(epoch)
    (after,) = running.site.builds["2026-12-photo"].media
    assert after != before


@pytest.mark.browser
def test_the_preview_dark_view_shows_the_dark_logo(serve, photo_project: Path, page) -> None:
    for name, colour in (("logo.png", (11, 59, 96, 255)), ("logo-dark.png", (232, 232, 232, 255))):
        Image.new("RGBA", (720, 160), colour).save(photo_project / "images" / name, "PNG")
    config = (photo_project / "newsletter.yaml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^(    src: )https://\S+AI4Media-logo-white\.png$",
                    r"\1images/logo.png\n    dark_src: images/logo-dark.png", config)
    (photo_project / "newsletter.yaml").write_text(config, encoding="utf-8")
    running = serve(photo_project / "issues")
    build = running.site.builds["2026-12-photo"]
    assert build.ok, build.errors
    page.goto(f"{running.url}issue/2026-12-photo/")
    visible = """() => [...(document.querySelector('#stage iframe.current')?.contentDocument
        ?.querySelectorAll('img[alt="AI4Media"]') || [])].filter(i => i.getBoundingClientRect().height > 0)
        .map(i => [i.getAttribute('src'), i.complete && i.naturalWidth])"""
    page.wait_for_function(f"() => ({visible})().length === 1 && ({visible})()[0][1] > 0")
    shown = [page.evaluate(visible)]
    page.click('[data-toggle="dark"]')
    page.wait_for_function(f"() => {{ const v = ({visible})(); return v.length === 1 && v[0][1] > 0 "
                           f"&& v[0][0] !== {shown[0][0][0]!r}; }}")
    shown.append(page.evaluate(visible))
    (light,), (dark,) = shown
    assert light[0] != dark[0] and light[0].startswith("/issue/") and dark[0].startswith("/issue/")
    assert light[1] == dark[1] == 360  # served by the preview: loaded, at 2 x the 180 px logo width


def test_an_animated_gif_is_served_as_a_gif(serve, photo_project: Path) -> None:
    frames = [Image.new("RGB", (800, 450), colour) for colour in ("red", "blue")]
    frames[0].save(photo_project / "images/photo.gif", "GIF", save_all=True, append_images=frames[1:], duration=250)
    issue = photo_project / PHOTO_ISSUE_NAME
    issue.write_text(issue.read_text(encoding="utf-8").replace("images/photo.jpg", "images/photo.gif"),
                     encoding="utf-8")
    running = serve(photo_project / "issues")
    (name,) = running.site.builds["2026-12-photo"].media
    assert name.endswith(".gif")
    with urllib.request.urlopen(f"{running.url}issue/2026-12-photo/{name}") as response:
        assert response.headers["Content-Type"] == "image/gif"
        assert Image.open(io.BytesIO(response.read())).n_frames == 2
