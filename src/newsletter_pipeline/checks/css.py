"""Just enough CSS for the checks: inline styles, colours, lengths, WCAG contrast, style blocks.

Email HTML after premailer keeps almost everything inline, so a full cascade
is not needed: the checks read inline ``style`` attributes, the legacy
``bgcolor``/``color`` attributes, and scan ``<style>`` blocks as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

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
