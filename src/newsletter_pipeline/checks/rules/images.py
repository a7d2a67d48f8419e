"""image-alt and image-src: images that screen readers, image blocking and mail clients can handle."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ...errors import Location
from ...render.media import local_uses
from ..context import CheckContext
from ..css import contrast_ratio, hex_color, parse_color
from ..findings import Finding
from . import rule


def src_problem(src: str | None) -> str | None:
    """Why an image URL will not show in inboxes, or ``None`` when it is fine."""
    value = (src or "").strip()
    if not value:
        return "the image has no src"
    lowered = value.lower()
    if lowered.startswith("data:"):
        return "data: images are blocked by Gmail and Outlook (host the image and use its https: URL)"
    if lowered.startswith("cid:"):
        return "cid: images need attachments that mailing-list providers do not send (host the image, https:)"
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        return f"'{value}' is not an absolute https: URL (clients block mixed or relative images)"
    if parts.path.lower().endswith((".svg", ".svgz")):
        return f"'{value}' is an SVG: Gmail, Outlook and Yahoo do not show SVG images (use PNG or JPEG)"
    return None


def alt_problem(image: dict[str, Any]) -> str | None:
    """For an issue's image mapping: alt is required unless the image says it is decorative."""
    if image.get("decorative") is True or str(image.get("alt") or "").strip():
        return None
    return "the image has no alt text (describe it, or set 'decorative: true' so it gets alt=\"\")"


def _where(ctx: CheckContext, img: Any, key: str) -> Location:
    """The issue or settings line of this image (its src, or the mapping for alt), else the template."""
    src = img.get("src") or ""
    local = next((p.location for p in ctx.rendered.pictures if p.src == src and p.location), None)
    if local is not None:  # a local image: its src in the issue or newsletter.yaml, not its published URL
        return local
    hit = ctx.locate.sources.exact(src) if src else None
    if hit:
        path, source = hit
        return source.doc.value_location(path if key == "src" else path[:-1])
    escaped = re.escape(src) if src else None
    return ctx.locate.anywhere(ctx.locate.template(escaped) if escaped else None,
                               ctx.locate.template(r"<img\b(?![^>]*\balt=)|<mj-image\b(?![^>]*\balt=)"),
                               ctx.locate.template(r"<img\b|<mj-image\b"))


@rule("image-alt", "image-src")
def images(ctx: CheckContext) -> Iterator[Finding]:
    for img in ctx.elements("img"):
        if img.get("alt") is None:
            yield Finding("image-alt", "error", _where(ctx, img, "alt"),
                          f"<img src=\"{img.get('src') or ''}\"> has no alt attribute; screen readers read "
                          "the file name (describe the image, or mark it decorative: true for alt=\"\")")
        problem = src_problem(img.get("src"))
        if problem:
            yield Finding("image-src", "error", _where(ctx, img, "src"), problem)
        if not (img.get("width") or "").strip():
            yield Finding("image-src", "warning", _where(ctx, img, "src"),
                          f"<img src=\"{img.get('src') or ''}\"> has no width attribute; Outlook shows it at "
                          "its natural size (set width)")


ALT_MIN_RATIO, ALT_MIN_PX = 4.5, 14.0


@rule("image-alt-style")
def alt_style(ctx: CheckContext) -> Iterator[Finding]:
    """Alt text is all that readers with images off see: its colour against what is behind it, and its size."""
    from .contrast import _named  # the theme colour's name, as the contrast rule writes it

    for img in ctx.elements("img"):
        alt = (img.get("alt") or "").strip()
        style = ctx.computed(img)
        if not alt or style.hidden or style.font_px == 0:
            continue  # font-size 0: an icon whose label is written beside it (the footer's social links)
        ratio = contrast_ratio(style.color, style.background)
        if ratio < ALT_MIN_RATIO or style.font_px < ALT_MIN_PX:
            yield Finding("image-alt-style", "warning", _where(ctx, img, "src"),
                          f"with images off, the alt text \"{alt[:40]}\" shows as {style.font_px:g} px "
                          f"{_named(ctx, style.color)} on {_named(ctx, style.background)} ({ratio:.2f}:1); "
                          f"readers need {ALT_MIN_RATIO}:1 and {ALT_MIN_PX:g} px (a template override set its "
                          "colour or size: give the image's link or cell the text colour of its background)")


@rule("image-weight")
def image_weight(ctx: CheckContext) -> Iterator[Finding]:
    """The local images' bytes together against ``image_weight`` (warn_kb, error_kb; kB of 1,000 bytes).

    Remote images are not counted: their size is unknown without fetching them.
    """
    files = {p.file.name: len(p.file.data) for p in ctx.rendered.pictures if p.file is not None}
    total = sum(files.values())
    limits = ctx.loaded.settings.image_weight
    level = "error" if total > limits.error_kb * 1000 else "warning" if total > limits.warn_kb * 1000 else None
    if level is None:
        return
    heaviest = max(ctx.rendered.pictures, key=lambda p: len(p.file.data) if p.file else 0)
    limit = limits.error_kb if level == "error" else limits.warn_kb
    yield Finding("image-weight", level, heaviest.location or ctx.loaded.location(("blocks",)),
                  f"the issue's {len(files)} local image(s) weigh {total / 1000:,.0f} kB together, over "
                  f"{limit:,} kB; readers on mobile data wait for them (the heaviest is '{heaviest.source}', "
                  f"{len(heaviest.file.data) / 1000:,.0f} kB: use fewer or smaller pictures, or raise "
                  "image_weight in newsletter.yaml)")


@rule("image-size")
def image_size(ctx: CheckContext) -> Iterator[Finding]:
    """A local image with fewer pixels than it is shown at (blurry), or an ``<img>`` of one without its size."""
    by_url = {p.src: p for p in ctx.rendered.pictures if p.file is not None}
    for picture in by_url.values():
        if picture.width and picture.file.width < picture.width:
            yield Finding("image-size", "warning", picture.location or ctx.loaded.location(("blocks",)),
                          f"'{picture.source}' is {picture.file.width} px wide but shown at {picture.width} px: "
                          f"it looks blurry (use a picture at least {2 * picture.width} px wide, which is "
                          "sharp on retina screens too, or give it a smaller width)")
    # MJML writes a social icon with its width only (icon-size; the official CLI too): not an override's doing
    icons = {link.icon for link in ctx.loaded.settings.social or [] if link.icon}
    for img in ctx.elements("img"):
        picture = by_url.get(img.get("src") or "")
        if picture is None or (picture.source in icons and "border-radius:3px" in (img.get("style") or "")):
            continue
        missing = [name for name in ("width", "height") if not (img.get(name) or "").strip()
                   or img.get(name) == "auto"]
        if missing:
            yield Finding("image-size", "warning", picture.location or _where(ctx, img, "src"),
                          f"the <img> of '{picture.source}' has no {' or '.join(missing)}: the text jumps when "
                          f"it loads (a template override dropped it; write width=\"{picture.width}\" "
                          f"height=\"{picture.height}\")")


TALL_PX = 2000  # about three phone screens: past that, readers scroll through one picture


@rule("image-size")
def image_too_tall(ctx: CheckContext) -> Iterator[Finding]:
    """A local picture shown far taller than a screen: a 1 x 400 px strip became 600 x 240,000 px."""
    seen: set[tuple[str, int]] = set()
    for picture in ctx.rendered.pictures:
        if picture.file is None or not picture.width or not picture.height or picture.height <= TALL_PX:
            continue
        if (picture.source, picture.height) in seen:
            continue
        seen.add((picture.source, picture.height))
        yield Finding("image-size", "warning", picture.location or ctx.loaded.location(("blocks",)),
                      f"'{picture.source}' is shown {picture.width} x {picture.height:,} px, taller than three "
                      f"phone screens: readers scroll through one picture (crop it, or split it into several "
                      f"images)")


LOGO_PATH = ("brand", "logo", "src")
DARK_ARTWORK_CONTRAST = 3.0  # WCAG's minimum for graphics that carry meaning (1.4.11, non-text contrast)


@rule("dark-artwork")
def dark_artwork(ctx: CheckContext) -> Iterator[Finding]:
    """A local picture drawn in dark colours on a transparent background, which vanishes in dark mode.

    Where the mail program follows ``prefers-color-scheme`` (Apple Mail,
    Outlook.com), the email's surface turns ``brand.colors.dark_surface`` and a
    black logo on a transparent background sits on near-black: a sponsor, the
    funding emblem or a drawing can barely be seen. The masthead's logo has
    ``brand.logo.dark_src`` for this; every other picture needs a background
    of its own. Only files in the project can be looked at (remote pictures
    are never fetched).
    """
    colors = ctx.loaded.settings.brand.colors
    surface = parse_color(colors.dark_surface)
    logo = ctx.loaded.settings.brand.logo
    has_dark_logo = logo is not None and getattr(logo, "dark_src", None)
    # the logo's dark_src covers the logo only: the same file as a sponsor's logo has no dark version
    uses = local_uses(ctx.loaded) if has_dark_logo else []
    logo_only = {u.src for u in uses if u.path[-3:] == LOGO_PATH} - {u.src for u in uses if u.path[-3:] != LOGO_PATH}
    seen: set[str] = set()
    for picture in ctx.rendered.pictures:
        if picture.file is None or picture.source in seen or not picture.file.name.endswith((".png", ".gif")):
            continue
        seen.add(picture.source)
        if picture.source in logo_only:
            continue
        ink = _opaque_colour(picture.file.data)
        if ink is None or surface is None:
            continue
        ratio = contrast_ratio(ink, surface)
        if ratio < DARK_ARTWORK_CONTRAST:
            yield Finding("dark-artwork", "warning", picture.location or ctx.loaded.location(("blocks",)),
                          f"'{picture.source}' is drawn in dark colours ({hex_color(ink)} on average) on a "
                          f"transparent background: in dark mode it sits on {colors.dark_surface} "
                          f"(brand.colors.dark_surface) at {ratio:.1f}:1, and can barely be seen (give the "
                          "picture a white or light background of its own"
                          + (", or set brand.logo.dark_src" if logo is not None and picture.source == logo.src
                             else "") + ")")


def _opaque_colour(data: bytes) -> tuple[int, int, int] | None:
    """The average colour of a picture's opaque pixels, when at least a fifth of it is transparent; else None."""
    import io

    from PIL import Image, ImageStat

    with Image.open(io.BytesIO(data)) as opened:
        if "A" not in opened.getbands() and "transparency" not in opened.info:
            return None
        small = opened.convert("RGBA")
        small.thumbnail((64, 64))
    mask = small.getchannel("A").point(lambda alpha: 255 if alpha >= 128 else 0)
    opaque = mask.histogram()[255]
    if not opaque or opaque > 0.8 * small.width * small.height:
        return None
    mean = ImageStat.Stat(small.convert("RGB"), mask).mean
    return round(mean[0]), round(mean[1]), round(mean[2])
