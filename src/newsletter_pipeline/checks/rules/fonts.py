"""font-size: text large enough to read on a phone without zooming."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import CheckContext
from ..findings import Finding
from . import rule

BODY_MIN_PX = 14.0  # below this, iOS Mail enlarges text on its own and Android readers zoom
ANY_MIN_PX = 12.0


def _fmt(px: float) -> str:
    return f"{px:g}px" if px == round(px) else f"{px:.1f}px"


@rule("font-size")
def font_size(ctx: CheckContext) -> Iterator[Finding]:
    """Warning for text under 14px; error under 12px. One finding per size, at its template line."""
    sizes: dict[float, list[str]] = {}
    for element, text in ctx.text_elements():
        px = ctx.computed(element).font_px
        if px < BODY_MIN_PX:
            sizes.setdefault(round(px, 2), []).append(text)
    for px, texts in sorted(sizes.items()):
        level = "error" if px < ANY_MIN_PX else "warning"
        number = f"{px:g}" if px == round(px) else None
        pattern = rf"font-size\s*[:=]\s*\"?{number}px" if number else r"font-size"
        where = ctx.locate.anywhere(ctx.locate.template(pattern))
        example = texts[0] if len(texts[0]) <= 40 else texts[0][:37] + "..."
        limit = _fmt(ANY_MIN_PX) if level == "error" else _fmt(BODY_MIN_PX)
        yield Finding("font-size", level, where,
                      f"{len(texts)} text(s) at {_fmt(px)}, under {limit} (e.g. \"{example}\"); "
                      f"use at least {_fmt(BODY_MIN_PX)}")
