"""What every rule reads: the issue, the rendered email, its parsed HTML and a locator.

Parsed once per check (lxml, which premailer already loads), with the few
computed styles the rules need (colour, background, font size, weight,
visibility) resolved by walking up the ancestors' inline styles and legacy
attributes, and cached per element.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from lxml import etree

from ..issue.load import LoadedIssue
from ..models import RenderedIssue
from .css import RGB, length_px, parse_color, parse_style, without_important
from .locate import Locator

DEFAULT_FONT_PX = 16.0  # every client's default
DEFAULT_TEXT: RGB = (0, 0, 0)
DEFAULT_BACKGROUND: RGB = (255, 255, 255)
BOLD_TAGS = {"b", "strong", "h1", "h2", "h3", "h4", "h5", "h6", "th"}
NON_TEXT_TAGS = {"script", "style", "title", "head", "meta", "link", "noscript", "xml"}
_ZERO_OPACITY = re.compile(r"0(\.0+)?")
_ZERO_LENGTH = re.compile(r"0(px)?")
# the elements with a text node that is not all XML whitespace, in document order, found by lxml in C:
# a fifth of the seed's (129 of 598); Python's split() then also drops the other spaces (&nbsp;)
holding_text = etree.XPath("descendant-or-self::*[text()[normalize-space()]]")
T = TypeVar("T")


@dataclass(frozen=True)
class Computed:
    """The styles of one element that the rules care about (hashable: ``_compute`` memoizes on it)."""

    color: RGB
    background: RGB
    font_px: float
    bold: bool
    hidden: bool


@dataclass
class CheckContext:
    loaded: LoadedIssue
    rendered: RenderedIssue
    templates: Path | None = None
    _tree: Any = None
    _locator: Locator | None = None
    _computed: dict[Any, Computed] = field(default_factory=dict)
    _text_elements: list[tuple[Any, str]] | None = None
    _memo: dict[str, Any] = field(default_factory=dict)

    @property
    def tree(self) -> Any:
        """The parsed HTML document (an lxml ``<html>`` element)."""
        if self._tree is None:
            # etree's HTML parser: lxml.html's element classes cost an import and are not needed
            self._tree = etree.fromstring(self.rendered.html, etree.HTMLParser())
        return self._tree

    @property
    def locate(self) -> Locator:
        if self._locator is None:
            self._locator = Locator.for_issue(self.loaded, self.templates)
        return self._locator

    def elements(self, *tags: str) -> Iterator[Any]:
        """Elements of the given tags in document order (comments excluded)."""
        for element in self.tree.iter(*tags):
            if isinstance(element.tag, str):
                yield element

    def computed(self, element: Any) -> Computed:
        cached = self._computed.get(element)
        if cached is None:
            parent = element.getparent()
            base = self.computed(parent) if parent is not None else Computed(
                DEFAULT_TEXT, DEFAULT_BACKGROUND, DEFAULT_FONT_PX, False, False)
            cached = _compute(element, base)
            self._computed[element] = cached
        return cached

    def memo(self, key: str, make: Callable[[], T]) -> T:
        """``make()``, worked out once per check: what several rules read of the same tree."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def text_elements(self) -> Iterator[tuple[Any, str]]:
        """Each visible element that directly holds text, with that text (whitespace-collapsed)."""
        if self._text_elements is None:  # several rules walk them: collect once per check
            self._text_elements = list(self._find_text_elements())
        return iter(self._text_elements)

    def _find_text_elements(self) -> Iterator[tuple[Any, str]]:
        body = self.tree.find("body")
        if body is None:
            return
        for element in holding_text(body):
            if element.tag in NON_TEXT_TAGS:
                continue
            pieces = [element.text or ""] + [child.tail or "" for child in element]
            text = " ".join(" ".join(pieces).split())
            if text and not self.computed(element).hidden:
                yield element, text


def _compute(element: Any, base: Computed) -> Computed:
    return _computed_from(element.tag, element.get("style"), element.get("color"), element.get("bgcolor"),
                          element.get("hidden") is not None, base)


@lru_cache(maxsize=4096)
def _computed_from(tag: str, style_text: str | None, color_attr: str | None, bgcolor: str | None,
                   hidden_attr: bool, base: Computed) -> Computed:
    # An element's computed style depends only on these and its parent's: MJML repeats the same
    # few hundred combinations, so each is worked out once per process (a batch, the preview).
    style = parse_style(style_text)
    color = parse_color(style.get("color")) or parse_color(color_attr) or base.color
    background = (parse_color(style.get("background-color")) or parse_color(style.get("background"))
                  or parse_color(bgcolor) or base.background)
    font_px = length_px(style.get("font-size"), base.font_px)
    bold = base.bold or tag in BOLD_TAGS
    weight = without_important(style.get("font-weight", "")).strip().lower()
    if weight:
        bold = weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600)
    return Computed(color, background, font_px if font_px is not None else base.font_px, bold,
                    base.hidden or _hides(style, hidden_attr))


def _hides(style: dict[str, str], hidden_attr: bool) -> bool:
    """display:none, visibility:hidden, opacity:0, or a zero-height clipped box (the preheader trick)."""

    def value(name: str, default: str) -> str:
        found = style.get(name)
        return default if found is None else without_important(found).strip().lower()

    if value("display", "") == "none" or value("visibility", "") == "hidden":
        return True
    if _ZERO_OPACITY.fullmatch(value("opacity", "1")):
        return True
    clipped = value("overflow", "") == "hidden"
    if clipped and (_ZERO_LENGTH.fullmatch(value("max-height", "-")) or _ZERO_LENGTH.fullmatch(value("height", "-"))):
        return True
    return hidden_attr


def accessible_name(element: Any) -> str:
    """aria-label, else the text with images' alt text, else title (ARIA's name computation, simplified)."""
    label = " ".join((element.get("aria-label") or "").split())
    if label:
        return label
    alts = [img.get("alt") or "" for img in element.iter("img")]
    text = " ".join((text_content(element) + " " + " ".join(alts)).split())
    return text or " ".join((element.get("title") or "").split())


def text_content(element: Any) -> str:
    """All text inside ``element`` (comments excluded), as a browser's textContent."""
    return "".join(element.itertext())


def visible_text(element: Any) -> str:
    return " ".join(text_content(element).split())
