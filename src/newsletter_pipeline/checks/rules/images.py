"""image-alt and image-src: images that screen readers, image blocking and mail clients can handle."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from ...errors import Location
from ..context import CheckContext
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
