"""contrast: text readable against its background (WCAG 2.2 success criterion 1.4.3), as sent and inverted.

The text colour and the background are resolved from the final HTML by
walking up the ancestors' inline colours and bgcolor attributes, so theme
colours from newsletter.yaml and colours written in templates both count.

``contrast-inverted`` reads the same pairs as a forced-inversion client
repaints them (Gmail's apps, Outlook's dark mode: lightness flipped, see
``css.inverted``), which ignores our dark-mode rules: a warning, since how
far each client inverts varies.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import Location
from ..context import CheckContext
from ..css import RGB, contrast_ratio, hex_color, inverted
from ..findings import Finding
from . import rule

NORMAL_MIN, LARGE_MIN = 4.5, 3.0
LARGE_PX, LARGE_BOLD_PX = 24.0, 18.66  # 18pt, or 14pt bold


def required_ratio(font_px: float, bold: bool) -> float:
    large = font_px >= LARGE_PX or (bold and font_px >= LARGE_BOLD_PX)
    return LARGE_MIN if large else NORMAL_MIN


def _named(ctx: CheckContext, rgb: RGB) -> str:
    """``#52606d (brand.colors.muted)`` when the colour is a theme colour."""
    names = [n for n, value in ctx.locate.colors.items() if value.lower() == hex_color(rgb)]
    return f"{hex_color(rgb)} (brand.colors.{names[0]})" if names else hex_color(rgb)


def _where(ctx: CheckContext, fg: RGB, bg: RGB) -> Location:
    """The text colour's line, unless only the background is overridden in this issue's settings."""
    found = [loc for loc in (ctx.locate.color(fg), ctx.locate.color(bg)) if loc]
    in_issue = [loc for loc in found if loc.file == ctx.loaded.doc.file]
    return (in_issue or found or [ctx.locate.fallback()])[0]


def _failures(ctx: CheckContext, invert: bool) -> dict[tuple[RGB, RGB, float], list[str]]:
    """(text colour, background, needed ratio) -> the texts under that ratio, as sent or after inversion."""
    failures: dict[tuple[RGB, RGB, float], list[str]] = {}
    for element, text in ctx.text_elements():
        style = ctx.computed(element)
        needed = required_ratio(style.font_px, style.bold)
        fg, bg = (inverted(style.color), inverted(style.background)) if invert else (style.color, style.background)
        if contrast_ratio(fg, bg) < needed:
            failures.setdefault((style.color, style.background, needed), []).append(text)
    return failures


def _example(texts: list[str]) -> str:
    return texts[0] if len(texts[0]) <= 40 else texts[0][:37] + "..."


@rule("contrast-inverted")
def contrast_inverted(ctx: CheckContext) -> Iterator[Finding]:
    """Text that a forced-inversion client makes unreadable, though it is readable as sent."""
    as_sent = _failures(ctx, invert=False)
    for (fg, bg, needed), texts in _failures(ctx, invert=True).items():
        if (fg, bg, needed) in as_sent:
            continue  # the contrast rule reports it already
        ratio = contrast_ratio(inverted(fg), inverted(bg))
        yield Finding("contrast-inverted", "warning", _where(ctx, fg, bg),
                      f"text {_named(ctx, fg)} on {_named(ctx, bg)} becomes {hex_color(inverted(fg))} on "
                      f"{hex_color(inverted(bg))} in clients that invert colours (Gmail's apps, Outlook's dark "
                      f"mode): a contrast of {ratio:.2f}:1, under {needed}:1 ({len(texts)} place(s), e.g. "
                      f"\"{_example(texts)}\"); pick colours further apart in lightness (see the inverted "
                      "screenshot)")


@rule("contrast")
def contrast(ctx: CheckContext) -> Iterator[Finding]:
    for (fg, bg, needed), texts in _failures(ctx, invert=False).items():
        ratio = contrast_ratio(fg, bg)
        size = "large" if needed == LARGE_MIN else "body"
        example = _example(texts)
        yield Finding("contrast", "error", _where(ctx, fg, bg),
                      f"text {_named(ctx, fg)} on {_named(ctx, bg)} has a contrast of {ratio:.2f}:1, under "
                      f"{needed}:1 for {size} text ({len(texts)} place(s), e.g. \"{example}\"); darken the "
                      "text colour or change the background")
