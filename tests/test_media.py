"""Local images (issue 14): a picture in the project folder becomes a hosted, retina, content-named file."""

from __future__ import annotations

import functools

import io
import os
import re
import stat
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from shared import PHOTO_ISSUE_NAME, assert_clean_failure, clean_env, photo_issue

from newsletter_pipeline.render.media import MAX_FILE_BYTES

ARCHIVE = "https://newsletter.ai4media.eu/archive"
ISSUE = PHOTO_ISSUE_NAME
SLUG = "2026-12-photo"


def photo(width: int = 3000, height: int = 2000, exif: Image.Exif | None = None) -> bytes:
    """A noisy photograph-like JPEG (noise does not compress away, like a real photo's detail).

    The same size without EXIF is the same bytes (effect_noise is seeded per call, but any one is as good),
    made once per worker: a 3000 x 2000 one costs ~0.3 s of the suite each time."""
    if exif is None:
        return _plain_photo(width, height)
    return _photo(width, height, exif)


@functools.lru_cache(maxsize=8)
def _plain_photo(width: int, height: int) -> bytes:
    return _photo(width, height, None)


def _photo(width: int, height: int, exif: Image.Exif | None) -> bytes:
    picture = Image.effect_noise((width, height), 64).convert("RGB")
    picture = Image.merge("RGB", (picture.getchannel(0), Image.linear_gradient("L").resize((width, height)),
                                  picture.getchannel(2)))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=95, exif=exif or Image.Exif())
    return out.getvalue()


@pytest.fixture
def project(make_project, tmp_path):
    def make(files: dict[str, str] | None = None, images: dict[str, bytes] | None = None,
             archive_url: str | None = ARCHIVE) -> Path:
        root = make_project({ISSUE: photo_issue(), **(files or {})})
        if archive_url:
            with (root / "newsletter.yaml").open("a", encoding="utf-8") as config:
                config.write(f"\narchive_url: {archive_url}\n")
        for name, data in (images if images is not None else {"images/photo.jpg": photo()}).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        return root

    return make


@pytest.fixture
def env(tmp_path):
    return clean_env(XDG_CACHE_HOME=str(tmp_path / "cache"))


def only_media(folder: Path) -> Path:
    files = list((folder / "media").iterdir())
    assert len(files) == 1, files
    return files[0]


def img_tag(html: str, alt: str) -> str:
    return next(tag for tag in re.findall(r"<img\b[^>]*>", html) if f'alt="{alt}"' in tag)


def test_a_3000_px_photo_becomes_a_retina_jpeg_under_the_archive(project, run_cli, env, tmp_path) -> None:
    root = project()
    result = run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    media = only_media(root / "dist" / SLUG)
    assert re.fullmatch(r"[0-9a-f]{16}\.jpg", media.name)
    tag = img_tag((root / "dist" / SLUG / "email.html").read_text(), "The team on the steps of the venue")
    assert f'src="{ARCHIVE}/media/{media.name}"' in tag
    assert 'width="600"' in tag and 'height="400"' in tag
    with Image.open(media) as published:
        assert published.format == "JPEG" and published.size == (1200, 800)  # twice the 600 px it is shown at
        assert not published.getexif() and "icc_profile" not in published.info
    original = (root / "images/photo.jpg").stat().st_size
    assert media.stat().st_size < original / 4, (media.stat().st_size, original)

    archive = run_cli("archive", ISSUE, "--out", "site", cwd=root, env=env)
    assert archive.returncode == 0, archive.stderr
    assert (root / "site" / "media" / media.name).read_bytes() == media.read_bytes()
    page = (root / "site" / SLUG / "index.html").read_text()
    assert f"{ARCHIVE}/media/{media.name}" in page


def test_the_same_picture_gives_the_same_bytes_without_the_cache(project, run_cli, tmp_path) -> None:
    root = project()
    names = []
    for run in ("one", "two"):  # two empty caches: both encode
        env = clean_env(XDG_CACHE_HOME=str(tmp_path / f"cache-{run}"))
        assert run_cli("build", ISSUE, "--out", run, cwd=root, env=env).returncode == 0
        names.append(only_media(root / run / SLUG))
    assert names[0].name == names[1].name and names[0].read_bytes() == names[1].read_bytes()


def test_a_rebuild_takes_unchanged_pictures_from_the_cache(project, run_cli, env, tmp_path) -> None:
    root = project()
    assert run_cli("build", ISSUE, "--out", "one", cwd=root, env=env).returncode == 0
    entries = list((tmp_path / "cache" / "newsletter-pipeline" / "media").iterdir())
    assert len(entries) == 1
    # what the cache holds is what a rebuild publishes: proof that it is read, not re-encoded
    meta, _ = entries[0].read_bytes().split(b"\n", 1)
    marker = io.BytesIO()
    Image.new("RGB", (1200, 800), "red").save(marker, "JPEG")
    entries[0].write_bytes(meta + b"\n" + marker.getvalue())
    assert run_cli("build", ISSUE, "--out", "two", cwd=root, env=env).returncode == 0
    assert only_media(root / "two" / SLUG).read_bytes() == marker.getvalue()
    # a changed picture is a new key: encoded again, under a new name
    (root / "images/photo.jpg").write_bytes(photo(2400, 1600))
    assert run_cli("build", ISSUE, "--out", "three", cwd=root, env=env).returncode == 0
    assert len(list(entries[0].parent.iterdir())) == 2
    assert only_media(root / "three" / SLUG).read_bytes() != marker.getvalue()


def test_a_changed_picture_leaves_only_the_new_file_in_the_build_folder(project, run_cli, env, tmp_path) -> None:
    """Every earlier version of a picture stayed in dist/<slug>/media/; the user's own files there stay."""
    root = project()
    assert run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env).returncode == 0
    first = only_media(root / "dist" / SLUG)
    media = first.parent
    (media / "notes.txt").write_text("mine")
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"not ours")
    (media / "0123456789abcdef.jpg").symlink_to(outside)  # named like ours, but a link: not removed
    (root / "images/photo.jpg").write_bytes(photo(2400, 1600))
    assert run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env).returncode == 0
    # written in the last minute: another build running beside this one may need it, so it stays
    assert first.exists() and len(list(media.iterdir())) == 4
    an_hour_ago = time.time() - 3600
    for path in media.iterdir():
        os.utime(path, (an_hour_ago, an_hour_ago), follow_symlinks=False)
    assert run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env).returncode == 0
    names = sorted(p.name for p in media.iterdir())
    assert first.name not in names and len(names) == 3 and {"notes.txt", "0123456789abcdef.jpg"} < set(names)
    assert outside.read_bytes() == b"not ours"

    (root / ISSUE).write_text(photo_issue().split("  - type: image")[0])  # no picture any more
    for path in media.iterdir():
        os.utime(path, (an_hour_ago, an_hour_ago), follow_symlinks=False)
    assert run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env).returncode == 0
    assert sorted(p.name for p in media.iterdir()) == ["0123456789abcdef.jpg", "notes.txt"]


def test_a_media_folder_that_links_elsewhere_is_not_pruned(project, run_cli, env, tmp_path) -> None:
    root = project()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "fedcba9876543210.jpg").write_bytes(b"someone else's")
    (root / "dist" / SLUG).mkdir(parents=True)
    (root / "dist" / SLUG / "media").symlink_to(elsewhere)
    assert run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env).returncode == 0
    assert (elsewhere / "fedcba9876543210.jpg").read_bytes() == b"someone else's"


def test_orientation_is_corrected_metadata_stripped_and_small_pictures_not_upscaled(project, run_cli, env) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view": the camera was held upright
    exif[0x010F] = "ACME Camera"  # Make
    exif[0x8825] = {2: (40.0, 38.0, 0.0)}  # a GPS position, which must not be published
    root = project(files={ISSUE: photo_issue(extra="    width: 240\n")},
                   images={"images/photo.jpg": photo(400, 300, exif)})
    assert run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env).returncode == 0
    with Image.open(only_media(root / "dist" / SLUG)) as published:
        assert published.size == (300, 400)  # upright, and 300 px < 2 x 240: kept, not enlarged
        assert not published.getexif()
    tag = img_tag((root / "dist" / SLUG / "email.html").read_text(), "The team on the steps of the venue")
    assert 'width="240"' in tag and 'height="320"' in tag


def test_a_transparent_logo_stays_a_png_with_its_alpha(project, run_cli, env) -> None:
    logo = Image.new("RGBA", (800, 200), (0, 0, 0, 0))
    logo.paste((26, 74, 122, 255), (0, 0, 400, 200))
    data = io.BytesIO()
    text = PngInfo()
    text.add_text("Author", "Jane Doe, jane@example.org")  # metadata that must not be published
    logo.save(data, "PNG", pnginfo=text)
    sponsors = ("  - type: sponsors\n    title: Partners\n    sponsors:\n"
                "      - name: CERTH\n        logo: images/certh.png\n        url: https://www.certh.gr/\n")
    root = project(files={ISSUE: photo_issue(extra=sponsors)},
                   images={"images/photo.jpg": photo(600, 400), "images/certh.png": data.getvalue()})
    result = run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    pngs = list((root / "dist" / SLUG / "media").glob("*.png"))
    assert len(pngs) == 1
    with Image.open(pngs[0]) as published:
        assert published.mode == "RGBA" and published.size == (240, 60)  # 2 x the 120 px sponsor width
        assert published.getpixel((0, 0))[3] == 255 and published.getpixel((239, 0))[3] == 0
        assert "Author" not in published.info and not published.text
    tag = img_tag((root / "dist" / SLUG / "email.html").read_text(), "CERTH")
    assert f'src="{ARCHIVE}/media/{pngs[0].name}"' in tag and 'height="30"' in tag


def test_a_picture_shown_at_several_widths_gets_each_width_its_own_height(project, run_cli, env) -> None:
    """One file, made for the widest use, and each <img> the height of its own width: the first use's height
    stretched the narrower ones (400 x 302 for a 16:9 picture)."""
    wide = ("    width: 400\n"
            "  - type: article\n    title: The venue\n    body: Where we met.\n"
            "    image:\n      src: images/photo.jpg\n      alt: The venue in an article\n      width: 536\n"
            "  - type: feature\n    title: The steps\n    body: Where we stood.\n"
            "    image:\n      src: images/photo.jpg\n      alt: The venue in a feature\n"
            "  - type: sponsors\n    sponsors:\n"
            "      - name: CERTH\n        logo: images/logo.png\n        url: https://www.certh.gr/\n"
            "      - name: CERTH small\n        logo: images/logo.png\n        url: https://www.certh.gr/\n"
            "        width: 90\n")
    logo = io.BytesIO()
    Image.new("RGB", (300, 100), (26, 74, 122)).save(logo, "PNG")
    root = project(files={ISSUE: photo_issue(extra=wide)},
                   images={"images/photo.jpg": photo(1600, 900), "images/logo.png": logo.getvalue()})
    result = run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    html = (root / "dist" / SLUG / "email.html").read_text()
    for alt, width, height in (("The team on the steps of the venue", 400, 225), ("The venue in an article", 536, 302),
                               ("The venue in a feature", 184, 104), ("CERTH", 120, 40), ("CERTH small", 90, 30)):
        tag = img_tag(html, alt)
        assert f'width="{width}"' in tag and f'height="{height}"' in tag, (alt, tag)
        assert f"height:{height}px" in tag or alt.startswith("CERTH"), (alt, tag)  # a sponsor's is height:auto
    # one file per picture, at twice its widest use: a reader's mail program fetches it once for every use
    jpgs, pngs = list((root / "dist" / SLUG / "media").glob("*.jpg")), list((root / "dist" / SLUG / "media").glob("*.png"))
    assert len(jpgs) == 1 and len(pngs) == 1, (jpgs, pngs)
    with Image.open(jpgs[0]) as published, Image.open(pngs[0]) as emblem:
        assert published.size == (1072, 603) and emblem.size == (240, 80)


def test_without_an_archive_url_a_local_image_is_a_located_error(project, run_cli, env) -> None:
    root = project(archive_url=None)
    lines = assert_clean_failure(run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env), 1)
    assert any(line.startswith(f"{ISSUE}:8:10: error: blocks[1].src: the local image 'images/photo.jpg'")
               and "archive_url" in line for line in lines), lines
    assert not (root / "dist").exists()


@pytest.mark.parametrize(("src", "image", "message"), [
    ("images/missing.jpg", None, "the image file 'images/missing.jpg' does not exist"),
    ("images/notes.jpg", b"these are my notes, not a picture\n", "the file is not a picture that can be read"),
    ("images", None, "is a folder, not a picture file"),
    ("../outside.jpg", None, "is outside the project folder"),
    ("images/../images/photo.jpg", None,
     "the image 'images/../images/photo.jpg' goes up a folder with '..' (write the path without '..', such as "
     "images/photo.jpg)"),
    ("images/logo.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>\n', "an SVG drawing"),
    # 30,000 x 30,000 pixels in a few bytes: Pillow refuses it at open, before its size is read
    ("images/bomb.png", None, "more pixels than can be processed safely"),
])
def test_a_missing_unreadable_or_non_image_file_is_a_located_error(project, run_cli, env, src, image,
                                                                   message) -> None:
    images = {"images/photo.jpg": photo(60, 40)}
    if image is not None:
        images[src] = image
    if src == "images/bomb.png":
        images[src] = png_header(30_000, 30_000)
    root = project(files={ISSUE: photo_issue(src)}, images=images)
    lines = assert_clean_failure(run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env), 1)
    assert any(line.startswith(f"{ISSUE}:8:10: error: blocks[1].src: ") and message in line for line in lines), lines
    assert not (root / "dist").exists()


NOT_REGULAR = "is not a regular picture file (it is a pipe, socket or device)"
TOO_LARGE = f"is too large to process: it is {MAX_FILE_BYTES + 1:,} bytes, more than {MAX_FILE_BYTES:,}"


def put_non_file(path: Path, kind: str) -> None:
    """A ``kind`` of thing that is no picture file at ``path``, as an issue's src may find on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "pipe":
        os.mkfifo(path)  # opening it to read blocks until a writer comes: the build must not wait for one
    elif kind == "device":
        try:  # /dev/null's numbers: a regression then reads nothing, where /dev/zero's would never end
            os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device file needs root (CAP_MKNOD)")
    elif kind == "folder":
        path.mkdir()
    elif kind == "huge":
        with path.open("wb") as huge:
            huge.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used, but more than a picture may be


def refused(run_cli, verb: str, root: Path, env: dict[str, str]) -> list[str]:
    """The lines of a ``build`` or ``check`` that must fail (exit 1) within 30 s: ``check`` reports on stdout."""
    if verb == "build":
        return assert_clean_failure(run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env, timeout=30), 1)
    result = run_cli("check", ISSUE, cwd=root, env=env, timeout=30)
    assert result.returncode == 1 and "Traceback" not in result.stderr, (result.returncode, result.stderr)
    return (result.stdout + result.stderr).splitlines()


@pytest.mark.parametrize("verb", ["build", "check"])
@pytest.mark.parametrize(("kind", "message"), [
    ("pipe", NOT_REGULAR), ("device", NOT_REGULAR), ("folder", "is a folder, not a picture file"), ("huge", TOO_LARGE),
], ids=["pipe", "device", "folder", "huge"])
def test_a_picture_that_is_no_regular_file_is_refused_at_its_src_without_being_read(
        project, run_cli, env, verb, kind, message) -> None:
    """A pipe hung build and check forever (the issue loader refused one already); a device was read
    to its end, which /dev/zero has not; a huge file was read whole."""
    root = project(files={ISSUE: photo_issue("images/odd.png")}, images={})
    put_non_file(root / "images/odd.png", kind)
    lines = refused(run_cli, verb, root, env)
    assert any(line.startswith(f"{ISSUE}:8:10: error: ") and "blocks[1].src: " in line and "the image file 'images/odd.png' "
               f"{message}" in line for line in lines), lines
    assert not (root / "dist").exists()


OUTSIDE = "is outside the project folder: a symbolic link on its path leads out of it"


@pytest.mark.parametrize("verb", ["build", "check"])
@pytest.mark.parametrize(("src", "link", "target"), [
    ("images/outlink.png", "images/outlink.png", "elsewhere/outside.png"),  # a link to a picture
    ("images/outdir/outside.png", "images/outdir", "elsewhere"),  # a link to a folder of pictures
    ("images/zero.png", "images/zero.png", "/dev/zero"),  # a device, which would never end
], ids=["file link", "folder link", "device link"])
def test_a_link_out_of_the_project_is_refused_at_its_src(project, run_cli, env, tmp_path, verb, src, link,
                                                         target) -> None:
    """Only a literal ../ was refused: through a link, a picture of elsewhere was published in media/."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/outside.png").write_bytes(photo(60, 40))
    root = project(files={ISSUE: photo_issue(src)}, images={})
    (root / "images").mkdir()
    (root / link).symlink_to(tmp_path / target)  # tmp_path / "/dev/zero" is /dev/zero
    lines = refused(run_cli, verb, root, env)
    assert any(line.startswith(f"{ISSUE}:8:10: error: ") and "blocks[1].src: " in line and f"the image '{src}' {OUTSIDE}" in line
               and "the picture must be inside the project folder" in line for line in lines), lines
    assert not (root / "dist").exists()


def test_a_link_out_of_the_project_is_not_even_opened(project, run_cli, env, tmp_path) -> None:
    """A link to /etc/shadow was opened and read, then refused only as "not a picture"."""
    secret = tmp_path / "secret"
    os.mkfifo(secret)  # a pipe tells whether anyone opened it: its writer's open returns when a reader comes
    opened = threading.Event()

    def writer() -> None:
        os.close(os.open(secret, os.O_WRONLY))
        opened.set()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    root = project(files={ISSUE: photo_issue("images/secret.png")}, images={})
    (root / "images").mkdir()
    (root / "images/secret.png").symlink_to(secret)
    try:
        result = run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env, timeout=30)
        was_opened = opened.wait(1)
    finally:
        os.close(os.open(secret, os.O_RDONLY | os.O_NONBLOCK))  # let the writer go
        thread.join(5)
    lines = assert_clean_failure(result, 1)
    assert any(f"blocks[1].src: the image 'images/secret.png' {OUTSIDE}" in line for line in lines), lines
    assert not was_opened


def test_links_that_stay_in_the_project_are_followed(project, run_cli, env) -> None:
    """A folder link and an absolute file link, both inside the project: the picture is used as usual."""
    root = project(files={ISSUE: photo_issue("pictures/linked.jpg")})
    (root / "pictures").symlink_to("images")
    (root / "images/linked.jpg").symlink_to(root / "images/photo.jpg")
    result = run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    assert only_media(root / "dist" / SLUG).suffix == ".jpg"


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` one-bit pixels (its data is one empty row)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b""))


def test_a_16_bit_grey_picture_becomes_8_bit_grey_not_white(project, run_cli, env) -> None:
    """A 16-bit PNG (scanners, chart tools) ended the build with an internal error."""
    deep = io.BytesIO()
    Image.new("I;16", (800, 500), 30_000).save(deep, "PNG")
    root = project(files={ISSUE: photo_issue("images/deep.png")}, images={"images/deep.png": deep.getvalue()})
    result = run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    with Image.open(only_media(root / "dist" / SLUG)) as published:
        assert published.mode in ("L", "RGB")
        assert abs(published.convert("L").getpixel((10, 10)) - 30_000 // 256) <= 1  # 117, not clipped to 255


def test_an_animated_gif_stays_animated_with_its_timing(project, run_cli, env) -> None:
    """It became a still PNG of its first frame."""
    frames = [Image.new("RGB", (1600, 900), colour) for colour in ("red", "green", "blue")]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=[200, 300, 400], loop=0)
    root = project(files={ISSUE: photo_issue("images/anim.gif")}, images={"images/anim.gif": gif.getvalue()})
    result = run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    media = only_media(root / "dist" / SLUG)
    assert media.suffix == ".gif"
    with Image.open(media) as published:
        assert published.is_animated and published.n_frames == 3 and published.size == (1200, 675)
        durations, colours = [], []
        for index in range(3):
            published.seek(index)
            durations.append(published.info["duration"])
            colours.append(published.convert("RGB").getpixel((600, 300)))
    assert durations == [200, 300, 400] and colours == [(255, 0, 0), (0, 128, 0), (0, 0, 255)]
    assert f'src="{ARCHIVE}/{media.parent.name}/{media.name}"' in (root / "dist" / SLUG / "email.html").read_text()


def test_a_local_logo_in_newsletter_yaml_is_located_there(project, run_cli, env) -> None:
    root = project(images={})
    config = (root / "newsletter.yaml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^(    src: )https://\S+AI4Media-logo-white\.png$", r"\1images/logo.png", config)
    (root / "newsletter.yaml").write_text(config, encoding="utf-8")
    line = next(n for n, text in enumerate(config.splitlines(), 1) if "images/logo.png" in text)
    root.joinpath("images").mkdir()
    root.joinpath(ISSUE).write_text(photo_issue("https://www.ai4media.eu/img/team.jpg"), encoding="utf-8")
    lines = assert_clean_failure(run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env), 1)
    assert any(l.startswith(f"newsletter.yaml:{line}:10: error: settings.brand.logo.src: the image file "
                            "'images/logo.png' does not exist") for l in lines), lines


def test_the_archive_rebuilds_a_page_when_only_its_picture_changed(project, run_cli, env) -> None:
    root = project()
    assert run_cli("archive", ISSUE, "--out", "site", cwd=root, env=env).returncode == 0
    first = only_media(root / "site")
    again = run_cli("archive", ISSUE, "--out", "site", cwd=root, env=env)
    assert "0 built, 1 unchanged" in again.stdout + again.stderr
    (root / "images/photo.jpg").write_bytes(photo(2400, 1600))  # the same name, another picture
    changed = run_cli("archive", ISSUE, "--out", "site", cwd=root, env=env)
    assert changed.returncode == 0 and "1 built, 0 unchanged" in changed.stdout + changed.stderr
    new = next(p for p in (root / "site" / "media").iterdir() if p != first)
    assert f"{ARCHIVE}/media/{new.name}" in (root / "site" / SLUG / "index.html").read_text()


SHARED_ADDRESS = re.compile(r'<meta (?:property|name)="(?:og:image|twitter:image)(?::url|:secure_url)?" content="([^"]*)"'
                            r"|<(?:logo|icon)>([^<]*)</(?:logo|icon)>")


def test_the_archive_shares_local_pictures_at_their_published_addresses(project, run_cli, env) -> None:
    """og:image and the feed's logo were the project paths (images/logo.png), which no reader can fetch."""
    article = ("  - type: article\n    title: The venue\n    body: Where we met.\n"
               "    image:\n      src: images/2026-12/venue.jpg\n      alt: The venue\n      width: 536\n")
    # the second issue has no article picture: its page shares the logo
    root = project(files={ISSUE: photo_issue(extra=article), "issues/2026-11-plain.yaml": photo_issue()},
                   images={"images/photo.jpg": photo(600, 400), "images/2026-12/venue.jpg": photo(1200, 800),
                           "images/logo.png": logo_png((11, 59, 96, 255))})
    config = (root / "newsletter.yaml").read_text(encoding="utf-8")
    (root / "newsletter.yaml").write_text(re.sub(r"(?m)^(    src: )https://\S+AI4Media-logo-white\.png$",
                                                 r"\1images/logo.png", config), encoding="utf-8")
    result = run_cli("archive", "issues", "--out", "site", cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    site = root / "site"
    shared = {}
    for name in ("index.html", "feed.xml", f"{SLUG}/index.html", "2026-11-plain/index.html"):
        found = [a or b for a, b in SHARED_ADDRESS.findall((site / name).read_text(encoding="utf-8"))]
        assert found, name  # the guard below is not vacuous: each file shares a picture
        for address in found:  # absolute, and a file the site publishes
            assert address.startswith(f"{ARCHIVE}/media/"), (name, address)
            assert (site / address.removeprefix(f"{ARCHIVE}/")).is_file(), (name, address)
        shared[name] = found
    with Image.open(site / shared["feed.xml"][0].removeprefix(f"{ARCHIVE}/")) as logo:
        assert logo.size == (360, 80)  # the logo as the email's masthead shows it: 2 x its 180 px
    assert shared["index.html"] == shared["feed.xml"] == shared["2026-11-plain/index.html"]
    # the page shares its article's picture, the very file its email shows
    page = (site / SLUG / "index.html").read_text(encoding="utf-8")
    assert f'src="{shared[f"{SLUG}/index.html"][0]}"' in page and 'alt="The venue"' in page


def test_a_published_picture_replaced_by_a_pipe_does_not_hang_the_archive(project, run_cli, env) -> None:
    """The archive's check for unchanged issues read the pipe (before any build could refuse it), and hung."""
    root = project()
    assert run_cli("archive", ISSUE, "--out", "site", cwd=root, env=env).returncode == 0
    (root / "images/photo.jpg").unlink()
    os.mkfifo(root / "images/photo.jpg")
    lines = assert_clean_failure(run_cli("archive", ISSUE, "--out", "site", cwd=root, env=env, timeout=30), 1)
    assert any(line.startswith(f"{ISSUE}:8:10: error: blocks[1].src: the image file 'images/photo.jpg' "
                               f"{NOT_REGULAR}") for line in lines), lines


def weight_limits(root: Path, warn_kb: int, error_kb: int) -> None:
    with (root / "newsletter.yaml").open("a", encoding="utf-8") as config:
        config.write(f"image_weight:\n  warn_kb: {warn_kb}\n  error_kb: {error_kb}\n")


def test_the_images_total_weight_warns_then_refuses_at_the_configured_limits(project, run_cli, env) -> None:
    root = project()
    quiet = run_cli("check", ISSUE, cwd=root, env=env)  # the defaults (1,000 and 5,000 kB) allow a 0.2 MB photo
    assert quiet.returncode == 0 and "image-weight" not in quiet.stdout + quiet.stderr, quiet.stdout
    size_kb = len(only_media_bytes(run_cli, root, env)) / 1000
    weight_limits(root, int(size_kb // 2), int(size_kb * 2))
    warned = run_cli("check", ISSUE, cwd=root, env=env)
    assert warned.returncode == 0, warned.stdout + warned.stderr
    assert f"{ISSUE}:8:10: warning: image-weight: the issue's 1 local image(s) weigh" in warned.stdout + warned.stderr
    (root / "newsletter.yaml").write_text((root / "newsletter.yaml").read_text().rsplit("image_weight:", 1)[0])
    weight_limits(root, 10, int(size_kb // 2))
    refused = run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env)
    lines = assert_clean_failure(refused, 1)
    assert any(f"{ISSUE}:8:10: error: image-weight:" in line and "'images/photo.jpg'" in line for line in lines)
    assert not (root / "dist").exists()


def only_media_bytes(run_cli, root: Path, env) -> bytes:
    assert run_cli("build", ISSUE, "--out", "weigh", cwd=root, env=env).returncode == 0
    return only_media(root / "weigh" / SLUG).read_bytes()


def test_warn_kb_above_error_kb_is_a_located_settings_error(project, run_cli, env) -> None:
    root = project()
    weight_limits(root, 900, 100)
    lines = assert_clean_failure(run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env), 1)
    assert any("image_weight.warn_kb: warn_kb is larger than error_kb" in line for line in lines), lines


def test_a_picture_smaller_than_it_is_shown_is_flagged_blurry(project, run_cli, env) -> None:
    root = project(images={"images/photo.jpg": photo(400, 300)})
    result = run_cli("check", ISSUE, cwd=root, env=env)
    assert result.returncode == 0
    assert (f"{ISSUE}:8:10: warning: image-size: 'images/photo.jpg' is 400 px wide but shown at 600 px: it looks "
            "blurry (use a picture at least 1200 px wide") in result.stdout + result.stderr


def test_an_override_that_drops_the_height_is_flagged(project, run_cli, env) -> None:
    override = ('<mj-section><mj-column><mj-image src="{{ picture(block.src).src }}" alt="{{ block.alt }}" />'
                "</mj-column></mj-section>\n")
    root = project(files={"templates/blocks/image.mjml.j2": override})
    result = run_cli("check", ISSUE, cwd=root, env=env)
    assert (f"{ISSUE}:8:10: warning: image-size: the <img> of 'images/photo.jpg' has no height: the text jumps "
            "when it loads") in result.stdout + result.stderr, result.stdout + result.stderr


def logo_png(color: tuple[int, int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (720, 160), color).save(out, "PNG")
    return out.getvalue()


def with_logos(root: Path, dark: str) -> None:
    config = (root / "newsletter.yaml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^(    src: )https://\S+AI4Media-logo-white\.png$",
                    rf"\1images/logo.png\n    dark_src: {dark}", config)
    (root / "newsletter.yaml").write_text(config, encoding="utf-8")


@pytest.mark.browser
def test_a_dark_mode_logo_replaces_the_logo_where_dark_mode_is_on(project, run_cli, env, browser) -> None:
    root = project(images={"images/photo.jpg": photo(600, 400), "images/logo.png": logo_png((11, 59, 96, 255)),
                           "images/logo-dark.png": logo_png((232, 232, 232, 255))})
    with_logos(root, "images/logo-dark.png")
    result = run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env)
    assert result.returncode == 0, result.stderr
    html = (root / "dist" / SLUG / "email.html").read_text()
    logos = [tag for tag in re.findall(r"<img\b[^>]*>", html) if 'alt="AI4Media"' in tag]
    assert len(logos) == 2 and all('width="180"' in t and 'height="40"' in t for t in logos)
    assert len(list((root / "dist" / SLUG / "media").glob("*.png"))) == 2
    shown = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        context.route(lambda url: True, lambda route: route.abort())  # no network: only the layout matters
        page = context.new_page()
        page.set_content(html)
        shown[scheme] = page.evaluate("""() => [...document.querySelectorAll('img[alt="AI4Media"]')]
            .filter(i => i.getBoundingClientRect().height > 0).map(i => i.src.split('/').pop())""")
        context.close()
    light = re.search(r'class="[^"]*np-logo-light[^"]*"[^>]*>.*?<img[^>]*src="([^"]+)"', html, re.S)[1]
    dark = re.search(r'class="[^"]*np-logo-dark[^"]*"[^>]*>.*?<img[^>]*src="([^"]+)"', html, re.S)[1]
    assert light != dark
    assert shown == {"light": [light.rsplit("/", 1)[1]], "dark": [dark.rsplit("/", 1)[1]]}


def test_a_dark_logo_that_is_missing_is_located_at_dark_src(project, run_cli, env) -> None:
    root = project(images={"images/photo.jpg": photo(600, 400), "images/logo.png": logo_png((11, 59, 96, 255))})
    with_logos(root, "images/nope.png")
    lines = assert_clean_failure(run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env), 1)
    assert any(":7:15: error: settings.brand.logo.dark_src: the image file 'images/nope.png' does not exist" in l
               for l in lines), lines


def luminance(rgb: tuple[int, ...]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def answering(files: dict[str, bytes]):
    """A Playwright route handler: ``files`` by URL (the published media, served from this machine), else refused."""

    def answer(route) -> None:
        data = files.get(route.request.url)
        if data is None:
            route.abort()
        else:
            route.fulfill(body=data, content_type="image/png" if data[:4] == b"\x89PNG" else "image/jpeg")

    return answer


@pytest.mark.browser
def test_the_logo_alt_text_is_readable_with_images_off_and_the_logo_shows_with_them_on(
        project, run_cli, env, browser, tmp_path) -> None:
    root = project(images={"images/photo.jpg": photo(600, 400), "images/logo.png": logo_png((250, 200, 40, 255))})
    with_logos(root, "images/logo.png")  # the same picture for both: this test is about the light one
    assert run_cli("build", ISSUE, "--out", "dist", cwd=root, env=env).returncode == 0
    html = (root / "dist" / SLUG / "email.html").read_text()
    media = {f"{ARCHIVE}/media/{p.name}": p.read_bytes() for p in (root / "dist" / SLUG / "media").iterdir()}
    shots = {}
    for images in ("on", "off"):
        context = browser.new_context(viewport={"width": 700, "height": 900})

        context.route(lambda url: True, answering(media if images == "on" else {}))
        page = context.new_page()
        page.set_content(html, wait_until="load")
        logo = page.locator('.np-logo-light img, .np-masthead img[alt="AI4Media"]').first
        style = logo.evaluate("i => [getComputedStyle(i).color, getComputedStyle(i).fontSize, i.naturalWidth]")
        shot = tmp_path / f"logo-images-{images}.png"
        logo.screenshot(path=str(shot))
        shots[images] = (style, Image.open(shot).convert("RGB"))
        context.close()
    (color, font, natural), picture = shots["off"]
    assert natural == 0 and float(font.removesuffix("px")) >= 14
    navy = (11, 59, 96)  # brand.colors.primary of the fixture project, the masthead's background
    text = tuple(int(c) for c in re.findall(r"\d+", color)[:3])
    assert contrast(text, navy) >= 4.5, (color, contrast(text, navy))
    # what the screenshot shows: alt text drawn in that colour on the masthead (not teal, 1.79:1 before)
    pixels = [picture.getpixel((x, y)) for x in range(picture.width) for y in range(picture.height)]
    assert any(contrast(p, navy) >= 4.5 for p in pixels) and not any(abs(p[1] - 131) < 8 and p[0] < 20
                                                                       for p in pixels)
    (_, _, natural_on), shown = shots["on"]
    assert natural_on == 360 and shown.getpixel((shown.width // 2, shown.height // 2)) == (250, 200, 40)


def test_an_override_that_makes_the_logo_alt_text_unreadable_is_flagged(project, run_cli, env) -> None:
    override = ('<mj-section background-color="{{ colors.primary }}" css-class="np-masthead"><mj-column>'
                '<mj-image src="{{ brand.logo.src }}" alt="{{ brand.logo.alt }}" width="180px" font-size="11px" />'
                '<mj-text color="{{ colors.button_text }}"><h1>{{ block.title }}</h1></mj-text>'
                "</mj-column></mj-section>\n")
    root = project(files={"templates/blocks/masthead.mjml.j2": override})
    result = run_cli("check", ISSUE, cwd=root, env=env)
    out = result.stdout + result.stderr
    assert 'warning: image-alt-style: with images off, the alt text "AI4Media" shows as 11 px #ffffff (brand.colors.surface) on #0b3b60' in out, out
    (root / "templates/blocks/masthead.mjml.j2").unlink()
    plain = run_cli("check", ISSUE, cwd=root, env=env)  # the built-in masthead: white, 16 px
    assert "image-alt-style" not in plain.stdout + plain.stderr


def test_findings_on_a_local_image_point_at_its_src_in_the_issue(project, run_cli, env) -> None:
    override = ('<mj-section><mj-column><mj-raw><img src="{{ picture(block.src).src }}" width="600"></mj-raw>'
                "</mj-column></mj-section>\n")
    root = project(files={"templates/blocks/image.mjml.j2": override})
    result = run_cli("check", ISSUE, cwd=root, env=env)
    assert f"{ISSUE}:8:10: error: image-alt: <img src=\"{ARCHIVE}/media/" in result.stdout + result.stderr, \
        result.stdout + result.stderr


def drawing(ink: tuple[int, int, int], size: tuple[int, int] = (400, 200)) -> bytes:
    """A mark in ``ink`` on a transparent background: a logo or a sponsor's emblem, as exported."""
    picture = Image.new("RGBA", size, (0, 0, 0, 0))
    picture.paste((*ink, 255), (size[0] // 4, size[1] // 4, 3 * size[0] // 4, 3 * size[1] // 4))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("ink, warned", [((10, 10, 10), True), ((11, 59, 96), True), ((240, 200, 40), False)],
                         ids=["black", "navy", "yellow"])
def test_dark_artwork_on_transparent_is_flagged_for_dark_mode(project, run_cli, env, ink, warned) -> None:
    root = project(images={"images/mark.png": drawing(ink)})
    (root / ISSUE).write_text(photo_issue("images/mark.png"), encoding="utf-8")
    result = run_cli("check", ISSUE, cwd=root, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    found = [line for line in (result.stdout + result.stderr).splitlines() if "dark-artwork" in line]
    if not warned:
        assert found == []
        return
    assert len(found) == 1 and found[0].startswith(f"{ISSUE}:8:10: warning: dark-artwork: 'images/mark.png' is "
                                                   "drawn in dark colours"), found
    assert "#1e1e1e (brand.colors.dark_surface)" in found[0] and "light background" in found[0]


def test_a_picture_shown_taller_than_three_screens_is_flagged(project, run_cli, env) -> None:
    """A 1 x 400 px strip at full width was 600 x 240,000 px, and nothing said so."""
    root = project(images={"images/photo.jpg": photo(100, 4000)})
    result = run_cli("check", ISSUE, cwd=root, env=env)
    assert (f"{ISSUE}:8:10: warning: image-size: 'images/photo.jpg' is shown 600 x 24,000 px, taller than three "
            "phone screens") in result.stdout + result.stderr, result.stdout + result.stderr


def test_the_logos_dark_version_does_not_excuse_the_same_file_as_a_sponsor(project, run_cli, env) -> None:
    """brand.logo.dark_src replaces the logo only: the same black file as a sponsor's logo had no warning."""
    sponsor = ("  - type: sponsors\n    sponsors:\n      - name: Big Sponsor\n        logo: images/logo.png\n"
               "        url: https://sponsor.example.eu/\n")
    root = project(images={"images/photo.jpg": photo(600, 400), "images/logo.png": drawing((10, 10, 10)),
                           "images/logo-dark.png": drawing((240, 240, 240))})
    (root / ISSUE).write_text(photo_issue() + sponsor, encoding="utf-8")
    with_logos(root, "images/logo-dark.png")
    result = run_cli("check", ISSUE, cwd=root, env=env)
    found = [line for line in (result.stdout + result.stderr).splitlines() if "dark-artwork" in line]
    assert len(found) == 1 and "'images/logo.png' is drawn in dark colours" in found[0], found
    alone = project(images={"images/photo.jpg": photo(600, 400), "images/logo.png": drawing((10, 10, 10)),
                            "images/logo-dark.png": drawing((240, 240, 240))})
    with_logos(alone, "images/logo-dark.png")
    quiet = run_cli("check", ISSUE, cwd=alone, env=env)  # the logo alone: its dark version covers it
    assert "dark-artwork" not in quiet.stdout + quiet.stderr, quiet.stdout + quiet.stderr
