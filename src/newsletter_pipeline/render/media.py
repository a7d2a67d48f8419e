"""Local images: a picture in the project folder -> a hosted, retina, content-named file.

An image ``src`` without a scheme (``images/2021-12/aida.jpg``) is a file
relative to the project folder (the one holding newsletter.yaml). The build:

1. reads it with Pillow and turns it upright (EXIF orientation);
2. resizes it to twice its display width (a sharp picture on retina
   screens), never larger than the original;
3. encodes it without metadata (no EXIF, no GPS position, no comments) as
   PNG when it has transparency or few colours (a logo, a chart), else as
   JPEG; the same input gives the same bytes;
4. names it by the hash of those bytes, ``media/<hash>.<ext>``, so a changed
   picture gets a new address and no inbox shows a stale copy from its cache.

The email references ``<archive_url>/media/<hash>.<ext>`` with the display
``width`` and ``height``; ``newsletter archive`` publishes the files under
the site's ``media/`` and ``newsletter build`` writes them beside the email.

Encoding is the slow part (a 3000 x 2000 photo takes a few hundred
milliseconds), so results are kept in the per-user cache
(``$XDG_CACHE_HOME/newsletter-pipeline/media``, see ``usercache.cache_folder``)
keyed by the source's hash and the target width: a rebuild or a preview
refresh with unchanged pictures decodes nothing. Without a private cache
folder every build encodes again (slower, never wrong).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import Diagnostic, DiagnosticList, Location, NewsletterError
from ..issue.load import LoadedIssue, display_path, read_settings_doc
from ..issue.records import FeatureBlock, Image, ImageBlock, Record, Settings, SocialLink, Sponsor
from ..output import write_atomic
from ..reading import FOLDER, MISSING, OUTSIDE, SPECIAL, TOO_LARGE, Refused, read_regular
from ..usercache import cache_folder

ENCODER_VERSION = "2"  # part of every cache key: bump it when the encoding below changes
JPEG_QUALITY = 82  # visually lossless for photos at 2x; about a tenth of a camera's bytes
FEATURE_IMAGE_SHARE = 0.4  # feature.mjml.j2's image column: 40% of the email's width
FEATURE_IMAGE_PADDING = 24 + 32  # and the image's padding in it, right and left
# the side padding of every image that is not full width (layout.mjml.j2's mj-image, an inset image, the logo,
# the funding emblem): such an image is at most the email's width less twice this (padded_width)
IMAGE_PADDING = 32
SOCIAL_ICON_WIDTH = 24  # footer.mjml.j2's icon-size
MAX_PIXELS = 60_000_000  # larger files are refused rather than decoded (Pillow's bomb guard is 89 M)
MAX_FRAMES_PIXELS = 4 * MAX_PIXELS  # an animated GIF's frames together (each is decoded and resized)
# bytes of a source file: four a pixel, as the largest picture processed takes uncompressed in RGBA (and an
# animation's frames at one palette byte a pixel); a larger file is refused before it is read
MAX_FILE_BYTES = 4 * MAX_PIXELS
MEDIA_FOLDER = "media"
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif"}  # what a build writes, by extension
# a processed picture's file name: the first 16 hex digits of its bytes' SHA-256, then the extension
MEDIA_NAME = re.compile(rf"[0-9a-f]{{16}}\.({'|'.join(MEDIA_TYPES)})")


@dataclass(frozen=True)
class MediaFile:
    """One processed picture: its name under the site (``media/<hash>.<ext>``), bytes and pixel size."""

    name: str
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Picture:
    """What a template writes for one image ``src``: the address and, for local files, the display size.

    ``file`` and ``original`` (the source's upright pixel size) are set for
    local images only; remote ones pass through with ``height`` unknown.
    """

    src: str
    width: int | None = None
    height: int | None = None
    source: str = ""
    file: MediaFile | None = None
    original: tuple[int, int] | None = None
    location: Location | None = None

    def shown_at(self, width: int | None) -> Picture:
        """This picture shown ``width`` px wide: the same file, the height that keeps its proportions.

        One file serves every use of a picture (it is made for the widest), so
        a use's height must come from its own width: the widest use's height on
        a narrower use stretched the picture. No width, or a remote picture
        (its proportions unknown), gives the picture as it is.
        """
        if self.file is None or not width:
            return self
        return replace(self, width=width, height=display_height(self.file, width))


@dataclass(frozen=True)
class Use:
    """A local image of the issue or the settings: its src, display width and key path."""

    src: str
    width: int
    path: tuple[Any, ...]
    in_settings: bool


def is_local(src: str) -> bool:
    """True for a path in the project (``images/a.jpg``), False for a URL of any scheme."""
    return not urlsplit(src).scheme and not src.startswith("//")


def padded_width(content: int) -> int:
    """The widest a padded image is shown in an email ``content`` px wide (the templates clamp to it).

    MJML clamps an ``mj-image`` to its box, so a 600 px image in a 600 px
    email with 32 px of padding on each side is 536 px; MRML (mjml-python)
    does not, and Outlook on Windows, which takes the width attribute
    literally, made the whole email 664 px wide for such an image.
    """
    return content - 2 * IMAGE_PADDING


def feature_width(content: int) -> int:
    """The widest a feature block's image is shown: its column's box (184 px in a 600 px email)."""
    return int(content * FEATURE_IMAGE_SHARE) - FEATURE_IMAGE_PADDING


def local_uses(loaded: LoadedIssue) -> list[Use]:
    """Every local image the issue and its settings name, with the width it is displayed at."""
    content = loaded.settings.brand.width
    box = padded_width(content)
    found = list(_walk(loaded.issue.blocks, ("blocks",), box, content, False))
    settings = loaded.settings
    found += _walk(settings.brand.logo, ("brand", "logo"), box, content, True)
    found += _walk(settings.funding, ("funding",), box, content, True)
    found += _walk(settings.social, ("social",), box, content, True)
    return [use for use in found if is_local(use.src)]


def _walk(value: Any, path: tuple[Any, ...], width: int, content: int, in_settings: bool) -> Iterator[Use]:
    """The image fields under ``value``; ``width`` is the widest the enclosing block allows a padded image,
    ``content`` the email's width (a full-width image block's)."""
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index), width, content, in_settings)
        return
    if not isinstance(value, Record):
        return
    if isinstance(value, FeatureBlock):
        width = min(width, feature_width(content))
    if isinstance(value, ImageBlock):
        yield Use(value.src, min(value.width, width) if value.width else content, (*path, "src"), in_settings)
    elif isinstance(value, Image):
        yield Use(value.src, min(value.width, width), (*path, "src"), in_settings)
        dark = getattr(value, "dark_src", None)
        if dark:
            yield Use(dark, min(value.width, width), (*path, "dark_src"), in_settings)
    elif isinstance(value, Sponsor):
        yield Use(value.logo, min(value.width, width), (*path, "logo"), in_settings)
    elif isinstance(value, SocialLink) and value.icon:
        yield Use(value.icon, SOCIAL_ICON_WIDTH, (*path, "icon"), in_settings)
    for name in type(value).model_fields:
        yield from _walk(getattr(value, name), (*path, name), width, content, in_settings)


def prepare_pictures(loaded: LoadedIssue, env: dict[str, str] | None = None) -> dict[str, Picture]:
    """Process every local image of ``loaded``; raise one ``IssueError`` with all their problems.

    The result maps each local ``src`` to its ``Picture``, made for its
    widest use: a picture shown at two widths is one file, at twice the
    wider, which is sharp at both and fetched once by the reader's mail
    program (two files would cost both downloads). Each use takes its own
    height with ``Picture.shown_at``.
    """
    return _prepare(local_uses(loaded), loaded.project_root, loaded.settings.archive_url, _locator(loaded), env)


def prepare_logo(root: Path, settings: Settings, archive: str, env: Mapping[str, str] | None = None) -> Picture | None:
    """newsletter.yaml's ``brand.logo`` as the masthead shows it, published under ``archive``; None for a URL.

    The archive's index and feed show the logo without any issue (their
    og:image and Atom ``<logo>`` need its published address, never the project
    path), and the same width as the emails' gives the same file.
    Raises ``IssueError`` located in newsletter.yaml when it cannot be used.
    """
    logo = settings.brand.logo
    if logo is None or not is_local(logo.src):
        return None
    use = Use(logo.src, min(logo.width, padded_width(settings.brand.width)), ("brand", "logo", "src"), True)
    doc = read_settings_doc(root)
    return _prepare([use], root, archive, lambda use: doc.value_location(use.path), env)[logo.src]


def _prepare(uses: list[Use], root: Path, archive: str | None, where: Callable[[Use], Location],
             env: Mapping[str, str] | None) -> dict[str, Picture]:
    """Each src of ``uses`` processed for its widest use (see ``prepare_pictures``); one error with all problems."""
    if not uses:
        return {}
    problems = DiagnosticList()
    if not archive:
        for use in uses:
            unhosted = _no_archive(use.src)
            problems.items.append(Diagnostic(where(use), unhosted.message, _key(use), unhosted.hint))
        problems.raise_if_any()
    widest: dict[str, Use] = {}
    for use in uses:
        if use.src not in widest or use.width > widest[use.src].width:
            widest[use.src] = use
    cache = _cache_folder(env if env is not None else os.environ)
    pictures: dict[str, Picture] = {}
    for src, use in widest.items():
        try:
            pictures[src] = _picture(root, use, archive, cache, where(use))
        except _Unusable as exc:
            problems.items.append(Diagnostic(where(use), exc.message, _key(use), exc.hint))
    problems.raise_if_any()
    return pictures


class _Unusable(Exception):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message, self.hint = message, hint


def _no_archive(src: str) -> _Unusable:
    return _Unusable(f"the local image '{src}' needs a place on the web where readers' mail programs can fetch it",
                     "set archive_url: in newsletter.yaml (or NEWSLETTER_ARCHIVE_URL) to the address where "
                     "'newsletter archive' output is published; the picture is then published under its media/ folder")


def local_problem(root: Path, src: str, archive: str | None) -> tuple[str, str] | None:
    """(message, hint) when the build refuses the local picture ``src``, as far as reading it tells.

    That is: no ``archive_url`` to publish it under, a file that is missing,
    outside the project, no regular file, too large, or an SVG. ``check`` asks
    this of an issue that does not load, so that one run names these too; a
    file Pillow cannot decode is found once the issue loads and builds.
    """
    try:
        if not archive:
            raise _no_archive(src)
        _picture_bytes(root, src)
    except _Unusable as exc:
        return exc.message, exc.hint
    return None


def _key(use: Use) -> str:
    parts = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in use.path).lstrip(".")
    return f"settings.{parts}" if use.in_settings else parts


def _locator(loaded: LoadedIssue) -> Callable[[Use], Location]:
    """``use -> Location``: the issue's line, or newsletter.yaml's for a setting it does not override."""
    settings_doc = None

    def where(use: Use) -> Location:
        nonlocal settings_doc
        if not use.in_settings:
            return loaded.location(use.path)
        if ("settings", *use.path) in loaded.doc.values:
            return loaded.location(("settings", *use.path))
        if settings_doc is None:
            settings_doc = read_settings_doc(loaded.project_root)
        return settings_doc.value_location(use.path)

    return where


def _source_file(root: Path, src: str) -> Path:
    """The project file ``src`` names; refuses one written outside the project (``../``, an absolute path).

    A link out of the project is refused when the file is read (``_read``).
    """
    relative = Path(src)
    if relative.is_absolute():
        raise _Unusable(f"the image '{src}' is outside the project folder", OUTSIDE_HINT)
    if ".." in relative.parts:  # refused as written, even where it leads back inside: say why
        inside = os.path.normpath(src)
        hint = (f"write the path without '..', such as {Path(inside).as_posix()}" if not inside.startswith("..")
                else OUTSIDE_HINT)
        raise _Unusable(f"the image '{src}' goes up a folder with '..'" if not inside.startswith("..")
                        else f"the image '{src}' is outside the project folder", hint)
    return root / relative


OUTSIDE_HINT = ("the picture must be inside the project folder: put it there, for example in images/, and write "
                "its path from there, such as images/photo.jpg")
_NOT_A_PICTURE_FILE = "point src at the picture file itself, a JPEG or PNG in the project folder"


def _read(root: Path, src: str) -> bytes:
    """The bytes of the picture ``src`` names, read only when it is a regular file of at most
    ``MAX_FILE_BYTES`` inside the project once its links are followed (``reading.read_regular``).

    A pipe would block the build forever and a device (``/dev/zero``) never
    ends; a link out of the project would publish, or at least open, a file
    of the author's machine (``/etc/shadow``) in the email's media folder.
    """
    path = _source_file(root, src)
    shown = display_path(path)
    try:
        return read_regular(path, MAX_FILE_BYTES, inside=root, shown=shown)
    except Refused as refused:
        if refused.kind == MISSING:
            raise _Unusable(f"the image file '{src}' does not exist (looked for {shown})",
                            "check the spelling and the folder; the path starts at the folder of "
                            "newsletter.yaml") from None
        if refused.kind == OUTSIDE:
            raise _Unusable(f"the image '{src}' is outside the project folder: a symbolic link on its path "
                            "leads out of it", "the picture must be inside the project folder: copy it there, "
                            "for example into images/, and point src at the copy instead of a link") from None
        if refused.kind == FOLDER:
            raise _Unusable(f"the image file '{src}' is a folder, not a picture file", _NOT_A_PICTURE_FILE) from None
        if refused.kind == SPECIAL:
            raise _Unusable(f"the image file '{src}' is not a regular picture file (it is a pipe, socket or "
                            "device)", _NOT_A_PICTURE_FILE) from None
        if refused.kind == TOO_LARGE:
            raise _too_large(f"the image file '{src}' is too large to process: it {refused.reason}") from None
        raise _Unusable(f"the image file '{src}' {refused.reason}", refused.hint) from None


def _picture_bytes(root: Path, src: str) -> bytes:
    """The bytes of the picture ``src`` names (``_read``), refused when they are an SVG drawing."""
    source = _read(root, src)
    if _svg(source):
        raise _Unusable("the file is an SVG drawing, which Gmail and Outlook do not show",
                        "export it as PNG, at twice the width it is shown at, and point src at that file")
    return source


def _picture(root: Path, use: Use, archive: str, cache: Path | None, location: Location) -> Picture:
    source = _picture_bytes(root, use.src)
    target = 2 * use.width
    original, media = _process(source, target, cache)
    url = f"{archive.rstrip('/')}/{media.name}"
    return Picture(url, use.width, display_height(media, use.width), use.src, media, original, location)


def display_height(media: MediaFile, width: int) -> int:
    """The height ``media`` is shown at when it is shown ``width`` px wide (its proportions kept)."""
    return max(1, round(width * media.height / media.width))


def _cache_folder(env: Any) -> Path | None:
    base = cache_folder(env)
    if base is None:
        return None
    folder = base / MEDIA_FOLDER
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    return folder


def _process(source: bytes, target: int, cache: Path | None) -> tuple[tuple[int, int], MediaFile]:
    """(the source's upright size, the processed file), from the cache when it has them."""
    key = hashlib.sha256(f"{ENCODER_VERSION}:{target}:".encode() + source).hexdigest()
    cached = _from_cache(cache, key)
    if cached is not None:
        return cached
    original, data, ext, size = encode(source, target)
    media = MediaFile(f"{MEDIA_FOLDER}/{hashlib.sha256(data).hexdigest()[:16]}.{ext}", data, *size)
    if cache is not None:
        meta = f"{original[0]} {original[1]} {size[0]} {size[1]} {ext}\n".encode()
        try:
            write_atomic(cache / key, meta + data)
        except (OSError, NewsletterError):  # a cache that cannot be written (full disk) only costs time
            pass
    return original, media


def _from_cache(cache: Path | None, key: str) -> tuple[tuple[int, int], MediaFile] | None:
    if cache is None:
        return None
    try:
        meta, data = (cache / key).read_bytes().split(b"\n", 1)
        ow, oh, w, h, ext = meta.decode().split()
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    name = f"{MEDIA_FOLDER}/{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
    return (int(ow), int(oh)), MediaFile(name, data, int(w), int(h))


def encode(source: bytes, target: int) -> tuple[tuple[int, int], bytes, str, tuple[int, int]]:
    """Decode, turn upright, resize to at most ``target`` px wide and re-encode without metadata.

    Returns (upright source size, bytes, "jpg", "png" or "gif", output size).
    An animated GIF stays an animated GIF (Outlook on Windows shows its first
    frame). Raises ``_Unusable`` for anything Pillow cannot read as a picture (an SVG is
    refused before, when it is read: ``_picture_bytes``).
    """
    from PIL import Image as PILImage  # only builds with local images pay
    from PIL import ImageOps, UnidentifiedImageError

    try:
        with PILImage.open(io.BytesIO(source)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise _too_large(f"the picture is {opened.width} x {opened.height} pixels, too large to process")
            if opened.format == "GIF" and getattr(opened, "is_animated", False):
                return opened.size, *_animated_gif(opened, target)
            opened.load()
            photographic = opened.format == "JPEG"  # a camera's or an editor's photo export
            picture = ImageOps.exif_transpose(opened)
    except _Unusable:
        raise
    except PILImage.DecompressionBombError:  # Pillow refuses it at open, before its size can be read
        raise _too_large("the picture has more pixels than can be processed safely") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise _Unusable("the file is not a picture that can be read (or it is damaged)",
                        "save it as JPEG or PNG and point src at that file") from None
    original, mode = picture.size, picture.mode
    try:
        return original, *_encoded(_fit(_eight_bit(picture), target), photographic)
    except (ValueError, OSError):  # a pixel format Pillow reads but cannot convert
        raise _Unusable(f"the picture's pixels ({mode}) cannot be converted for email",
                        "save it as an 8-bit JPEG or PNG and point src at that file") from None


def _fit(picture: Any, target: int) -> Any:
    """``picture`` resized to ``target`` px wide when it is wider, its proportions kept (never enlarged)."""
    from PIL import Image as PILImage

    if picture.width <= target:
        return picture
    height = max(1, round(picture.height * target / picture.width))
    return picture.resize((target, height), PILImage.Resampling.LANCZOS)


def _too_large(message: str) -> _Unusable:
    return _Unusable(message, "save it smaller (at most 4000 pixels wide is plenty for an email)")


def _svg(source: bytes) -> bool:
    head = source[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<svg", b"<?xml", b"<!doctype svg")) and b"<svg" in head


def _eight_bit(picture: Any) -> Any:
    """16-bit grey (a scanner's or a chart tool's PNG) as 8-bit grey: Pillow's own conversion clips it to white."""
    if picture.mode.startswith("I;16") or picture.mode == "I":
        return picture.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if picture.mode == "F":
        return picture.convert("L")
    return picture


def _animated_gif(opened: Any, target: int) -> tuple[bytes, str, tuple[int, int]]:
    """Every frame resized to at most ``target`` px wide, with its timing and the loop count kept."""
    from PIL import ImageSequence

    if opened.n_frames * opened.width * opened.height > MAX_FRAMES_PIXELS:
        raise _too_large(f"the animation has {opened.n_frames} frames of {opened.width} x {opened.height} "
                         "pixels, too many to process")
    frames, durations = [], []
    for frame in ImageSequence.Iterator(opened):
        durations.append(frame.info.get("duration", 100))
        frames.append(_fit(frame.convert("RGBA"), target))
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=durations,
                   loop=opened.info.get("loop", 0), disposal=2, optimize=True)
    return out.getvalue(), "gif", frames[0].size


def _encoded(picture: Any, photographic: bool) -> tuple[bytes, str, tuple[int, int]]:
    """JPEG for photographs; PNG for transparency or flat colours (logos, charts); no metadata either way.

    Only the colour profile is kept (a phone's Display P3 photo looks washed
    out without it); EXIF, XMP, comments and text chunks are not written.

    A JPEG source stays JPEG (its grey-scale photo has few colours, yet is
    no drawing); another file becomes PNG when it has transparency or at
    most 256 colours, which PNG stores losslessly and small.
    """
    out = io.BytesIO()
    profile = {"icc_profile": picture.info["icc_profile"]} if picture.info.get("icc_profile") else {}
    picture.info = {key: picture.info[key] for key in ("transparency",) if key in picture.info}
    transparent = picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)
    if transparent or (not photographic and picture.getcolors(maxcolors=256) is not None):
        mode = "RGBA" if transparent else ("RGB" if picture.mode not in ("L", "P") else picture.mode)
        picture.convert(mode).save(out, "PNG", optimize=True, **profile)
        return out.getvalue(), "png", picture.size
    mode = "L" if picture.mode in ("L", "I;16", "I") else "RGB"
    picture.convert(mode).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **profile)
    return out.getvalue(), "jpg", picture.size
