"""Just enough CSS for the checks: inline styles, colours, lengths, WCAG contrast, style blocks.

Email HTML after premailer keeps almost everything inline, so a full cascade
is not needed: the checks read inline ``style`` attributes, the legacy
``bgcolor``/``color`` attributes, and scan ``<style>`` blocks as text. Only
the legal rules match ``<style>`` selectors against elements
(``stylesheet_declarations``), because an override that hides the footer
there hides it in every client that honours ``<style>``.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .selectors import compiled_selector

RGB = tuple[int, int, int]

NAMED_COLORS: dict[str, RGB] = {
    "black": (0, 0, 0), "white": (255, 255, 255), "red": (255, 0, 0), "green": (0, 128, 0),
    "blue": (0, 0, 255), "yellow": (255, 255, 0), "gray": (128, 128, 128), "grey": (128, 128, 128),
    "silver": (192, 192, 192), "navy": (0, 0, 128), "maroon": (128, 0, 0), "purple": (128, 0, 128),
    "teal": (0, 128, 128), "olive": (128, 128, 0), "orange": (255, 165, 0), "lime": (0, 255, 0),
    "aqua": (0, 255, 255), "cyan": (0, 255, 255), "fuchsia": (255, 0, 255), "magenta": (255, 0, 255),
}
_HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
_RGB_FN = re.compile(r"rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*([\d.]+%?)\s*)?\)")
_LENGTH = re.compile(r"^(-?[\d.]+)(px|pt|em|rem|%)?$")
_IMPORTANT = re.compile(r"\s*!important\s*$", re.IGNORECASE)


def parse_style(value: str | None) -> dict[str, str]:
    """``"a:b; c: d !important"`` -> ``{"a": "b", "c": "d !important"}`` (last one wins).

    A new dict each call, so callers may change it.
    """
    return dict(_declared(value or ""))


@lru_cache(maxsize=4096)
def _declared(value: str) -> tuple[tuple[str, str], ...]:
    # the rules parse every element's style, and MJML repeats the same few hundred styles
    pairs = []
    for part in value.split(";"):
        name, sep, val = part.partition(":")
        if sep:
            pairs.append((name.strip().lower(), val.strip()))
    return tuple(pairs)


def without_important(value: str) -> str:
    # called for every declaration of every element: skip the regex when there is no "!"
    return _IMPORTANT.sub("", value) if "!" in value else value


def parse_color(value: str | None) -> RGB | None:
    """A solid colour from ``#rgb``, ``#rrggbb``, ``rgb()``, an opaque ``rgba()`` or a basic name.

    Returns ``None`` for anything else (transparent, translucent, inherit,
    gradients), which the caller treats as "look further up".
    """
    if not value:
        return None
    text = without_important(value.strip()).lower()
    match = _HEX.search(text)
    if match:
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    match = _RGB_FN.search(text)
    if match:
        alpha = match.group(4)
        if alpha is not None and _alpha(alpha) < 1:
            return None
        return (min(int(match.group(1)), 255), min(int(match.group(2)), 255), min(int(match.group(3)), 255))
    for word in re.findall(r"[a-z]+", text):
        if word in NAMED_COLORS:
            return NAMED_COLORS[word]
    return None


def _alpha(text: str) -> float:
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def hex_color(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.x relative luminance (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@lru_cache(maxsize=256)
def inverted(rgb: RGB) -> RGB:
    """The colour a forced-inversion client paints instead: HSL lightness flipped (1 - L), hue and saturation kept.

    The common approximation of what Gmail's apps and Outlook's dark mode do to
    emails without asking: light becomes dark and dark becomes light. The same
    formula runs in the browser for the "inverted" screenshot and preview
    (preview/static/invert.js); keep the two in step.
    """
    hue, lightness, saturation = colorsys.rgb_to_hls(*(v / 255 for v in rgb))
    r, g, b = colorsys.hls_to_rgb(hue, 1 - lightness, saturation)
    return round(r * 255), round(g * 255), round(b * 255)


@lru_cache(maxsize=1024)  # asked for every text element; an email has a handful of colour pairs
def contrast_ratio(first: RGB, second: RGB) -> float:
    """(L1 + 0.05) / (L2 + 0.05) with L1 the lighter: 1.0 (same) to 21.0 (black on white)."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def length_px(value: str | None, parent_px: float) -> float | None:
    """A font size in px from px, pt, em, rem or %; ``None`` when it cannot be read."""
    if not value:
        return None
    text = without_important(value.strip()).lower()
    keywords = {"small": 13.0, "x-small": 10.0, "xx-small": 9.0, "medium": 16.0, "large": 18.0,
                "x-large": 24.0, "xx-large": 32.0, "smaller": parent_px / 1.2, "larger": parent_px * 1.2}
    if text in keywords:
        return keywords[text]
    match = _LENGTH.match(text)
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2) or "px"
    if unit == "pt":
        return number * 4 / 3
    if unit == "em":
        return number * parent_px
    if unit == "rem":
        return number * 16
    if unit == "%":
        return number / 100 * parent_px
    return number


@dataclass(frozen=True)
class Declaration:
    """One ``property: value`` inside a ``<style>`` block, with the at-rules around it."""

    selector: str
    prop: str
    value: str
    at_rules: tuple[str, ...]

    @property
    def important(self) -> bool:
        return bool(re.search(r"!\s*important\s*$", self.value, re.IGNORECASE))


def strip_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)


def declarations(css: str, at_rules: tuple[str, ...] = ()) -> Iterator[Declaration]:
    """Every declaration of a stylesheet, nested at-rules included (a brace-matching scan)."""
    return iter(_declarations(css, at_rules))


@lru_cache(maxsize=32)  # whole stylesheets as keys: a few per project
def _declarations(css: str, at_rules: tuple[str, ...]) -> tuple[Declaration, ...]:
    # two rules scan the same <style> blocks, which every issue of a project shares
    return tuple(_scan(css, at_rules))


def _scan(css: str, at_rules: tuple[str, ...]) -> Iterator[Declaration]:
    css = strip_comments(css)
    pos = 0
    while True:
        brace = css.find("{", pos)
        if brace < 0:
            return
        prelude = css[pos:brace].strip()
        if ";" in prelude:  # statements such as @import end before the block
            prelude = prelude.rsplit(";", 1)[1].strip()
        end = _matching_brace(css, brace)
        body = css[brace + 1:end]
        if prelude.startswith("@") and "{" in body:
            yield from _scan(body, at_rules + (prelude,))
        else:
            for name, value in parse_style(body).items():
                yield Declaration(prelude, name, value, at_rules)
        pos = end + 1


def _matching_brace(css: str, start: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``start``, else ``len(css)``."""
    depth = 0
    for match in _BRACE.finditer(css, start):  # jumps from brace to brace, not character by character
        if match.group() == "{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return match.start()
    return len(css)


_BRACE = re.compile(r"[{}]")


# --- what a stylesheet does to the elements it matches (the checks for hidden footers) ---


# what the hiding tricks and the colour comparison read; other declarations cannot hide text
HIDING_PROPERTIES = frozenset({
    "display", "visibility", "opacity", "mso-hide", "font-size", "overflow", "overflow-y", "height", "max-height",
    "width", "max-width", "line-height", "text-indent", "left", "top", "margin-left", "margin-top", "position",
    "transform", "color", "background", "background-color"})


def stylesheet_declarations(tree: Any) -> dict[Any, list[Declaration]]:
    """Each element of ``tree`` matched by a ``<style>`` rule, with those rules' declarations that can hide it.

    Every rule counts, inside any ``@media`` too: a footer hidden only on
    phones or only in dark mode is still hidden for those readers. Selectors
    that cssselect cannot evaluate (``:hover``, ``::before``) match nothing:
    they cannot hide text for good. Each distinct selector is evaluated once.
    """
    by_selector: dict[str, list[Declaration]] = {}
    position: dict[int, int] = {}
    for style in tree.iter("style"):
        for declaration in declarations(style.text or ""):
            position[id(declaration)] = len(position)
            if declaration.prop in HIDING_PROPERTIES and not _dark_colour(declaration):
                for selector in declaration.selector.split(","):
                    by_selector.setdefault(" ".join(selector.split()), []).append(declaration)
    matched: dict[Any, list[Declaration]] = {}
    for selector, found in by_selector.items():
        compiled = compiled_selector(selector)
        for element in compiled(tree) if compiled is not None else ():
            matched.setdefault(element, []).extend(found)
    for element, found in matched.items():  # back in stylesheet order, for the cascade
        found.sort(key=lambda d: position[id(d)])
    return matched


def _dark_colour(declaration: Declaration) -> bool:
    """A colour for dark mode: paired with a dark background that a light-mode comparison would not see."""
    return declaration.prop in ("color", "background", "background-color") and (
        "ogsc" in declaration.selector or any("prefers-color-scheme" in a for a in declaration.at_rules))


_NONE_LENGTH = re.compile(r"^-?0*(\.0+)?(px|pt|em|rem|%)?$")
UNREADABLE_FONT_PX = 6.0  # below this, text is a line of dots (the "font-size:0" trick)
_OFFSCREEN = 1000.0  # px: the "left:-9999px" trick moves text out of every window


def hiding_reason(style: dict[str, str]) -> str | None:
    """Why these declarations of one element hide it (and what it holds), else ``None``.

    The tricks used to hide text in email: display, visibility, opacity,
    Outlook's mso-hide, a zero-size clipped box, text moved off screen, a
    zero scale. A zero font size is not among them: it is inherited, and
    MJML sets it on every column (its inline-block gap trick) while the text
    inside sets its own; the caller compares the computed size with
    ``UNREADABLE_FONT_PX``.
    """
    def value(name: str) -> str:
        return without_important(style.get(name, "")).strip().lower()

    for name, hidden in (("display", "none"), ("visibility", "hidden"), ("visibility", "collapse"),
                         ("mso-hide", "all")):
        if value(name) == hidden:
            return f"{name}:{hidden}"
    opacity = value("opacity")
    if opacity and _number(opacity.rstrip("%")) is not None and _number(opacity.rstrip("%")) <= (
            10 if opacity.endswith("%") else 0.1):
        return f"opacity:{opacity}"
    if value("overflow") == "hidden" or value("overflow-y") == "hidden":
        for name in ("max-height", "height", "max-width", "width", "line-height"):
            if value(name) and _NONE_LENGTH.match(value(name)):
                return f"{name}:{value(name)} with overflow:hidden"
    for name in ("text-indent", "left", "top", "margin-left", "margin-top"):
        offset = length_px(value(name), 16.0) if value(name) else None
        if offset is not None and offset <= -_OFFSCREEN and (name == "text-indent" or "margin" in name
                                                              or value("position") in ("absolute", "fixed")):
            return f"{name}:{value(name)}"
    if re.fullmatch(r"scale[xy]?\(\s*0*(\.0+)?\s*(,\s*[\d.]+\s*)?\)", value("transform")):
        return f"transform:{value('transform')}"
    return None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
