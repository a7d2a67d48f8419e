"""dark-mode: clients that honour the reader's dark theme get our dark colours, not their own guesses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from ...errors import Location
from ..context import CheckContext
from ..css import RGB, contrast_ratio, declarations, hex_color, parse_color, parse_style, relative_luminance
from ..findings import Finding
from ..selectors import compiled_selector
from . import rule

META_NAMES = ("color-scheme", "supported-color-schemes")
LIGHT = 0.4  # relative luminance above which a background or border shows as a light stripe in dark mode
SIDES = ("top", "right", "bottom", "left")
_NO_BORDER = re.compile(r"\b(none|hidden)\b|^\s*0(px)?(\s|$)")


@rule("dark-mode")
def dark_mode(ctx: CheckContext) -> Iterator[Finding]:
    """The color-scheme meta tags say "light dark"; every dark-mode declaration keeps !important.

    Without the meta tags Apple Mail applies its own inversion; without
    !important the inlined light colours win over the media query.
    """
    metas = {(m.get("name") or "").lower(): (m.get("content") or "") for m in ctx.elements("meta")}
    for name in META_NAMES:
        if "dark" not in metas.get(name, "").lower():
            yield Finding("dark-mode", "error",
                          ctx.locate.anywhere(ctx.locate.template(r"<mj-raw\b"), ctx.locate.template(r"<mj-head\b")),
                          f"<meta name=\"{name}\" content=\"light dark\"> is missing (add it in the layout's "
                          "<mj-head>)")
    for style in ctx.elements("style"):
        for decl in declarations(style.text or ""):
            if any("prefers-color-scheme" in at for at in decl.at_rules) and not decl.important:
                where = ctx.locate.anywhere(
                    ctx.locate.template(rf"(?<![\w-]){re.escape(decl.prop)}\s*:(?![^;]*!\s*important)",
                                        after=r"prefers-color-scheme"),
                    ctx.locate.template(r"prefers-color-scheme"))
                yield Finding("dark-mode", "error", where,
                              f"'{decl.selector} {{ {decl.prop}: {decl.value} }}' in a prefers-color-scheme "
                              "rule lacks !important, so the inlined light style wins (add !important)")


@rule("dark-mode")
def dark_counterparts(ctx: CheckContext) -> Iterator[Finding]:
    """Every light background or border and every dark text colour the email paints has a dark-mode rule.

    A colour without one stays as it is in the reader's dark theme: a light
    stripe between dark sections, or dark text on the dark background. Each
    leftover is named by its element, and located at the template line that
    paints that colour.
    """
    dark = _dark_coverage(ctx)
    dark_text = _dark_text_sources(ctx, dark)
    background = parse_color(ctx.locate.colors.get("dark_background")) or (18, 18, 18)
    seen: set[tuple[str, str]] = set()
    body = ctx.tree.find("body")
    for element in body.iter() if body is not None else ():
        if not isinstance(element.tag, str) or ctx.computed(element).hidden:
            continue
        for aspect, colour in _painted(element):
            if aspect == "text":
                leftover = contrast_ratio(colour, background) < 4.5 and element in dark_text
            else:
                leftover = relative_luminance(colour) > LIGHT and aspect not in dark.get(element, ())
            if not leftover or (aspect, hex_color(colour)) in seen:
                continue
            seen.add((aspect, hex_color(colour)))
            yield Finding("dark-mode", "error", _where(ctx, element, aspect, colour),
                          f"{_describe(element)} paints its {aspect} {hex_color(colour)} in dark mode too: no "
                          "prefers-color-scheme: dark rule gives it a dark colour (add its selector to the "
                          "layout's dark-mode rules, or give the element a class those rules cover)")


def _dark_coverage(ctx: CheckContext) -> dict[Any, set[str]]:
    """Element -> the aspects ("background", "text", "border-top", ...) a dark-mode rule recolours."""
    # each selector's aspects first, so that a selector is matched against the tree once, not once per
    # declaration of its rule (the layout's dark rules set two or three properties each)
    by_selector: dict[str, set[str]] = {}
    for style in ctx.elements("style"):
        for decl in declarations(style.text or ""):
            if not any("prefers-color-scheme" in at and "dark" in at for at in decl.at_rules):
                continue
            aspects = _aspects(decl.prop)
            for selector in decl.selector.split(",") if aspects else ():
                by_selector.setdefault(" ".join(selector.split()), set()).update(aspects)
    covered: dict[Any, set[str]] = {}
    for selector, aspects in by_selector.items():
        compiled = compiled_selector(selector)
        for element in compiled(ctx.tree) if compiled is not None else ():
            covered.setdefault(element, set()).update(aspects)
    return covered


def _aspects(prop: str) -> set[str]:
    if prop in ("background", "background-color"):
        return {"background"}
    if prop == "color":
        return {"text"}
    if prop in ("border", "border-color"):
        return {f"border-{side}" for side in SIDES}
    side = prop.removeprefix("border-").removesuffix("-color")
    return {f"border-{side}"} if prop.startswith("border-") and side in SIDES else set()


def _painted(element: Any) -> tuple[tuple[str, RGB], ...]:
    """The colours this element's own inline style and attributes paint (not inherited ones)."""
    return _paints(element.get("style"), element.get("bgcolor"), element.get("color"))


@lru_cache(maxsize=2048)  # MJML writes the same few dozen inline styles on hundreds of elements
def _paints(inline: str | None, bgcolor: str | None, color: str | None) -> tuple[tuple[str, RGB], ...]:
    style = parse_style(inline)
    found: list[tuple[str, RGB]] = []
    fill = parse_color(style.get("background-color")) or parse_color(bgcolor)
    if fill is None and style.get("background"):
        fill = next((c for c in map(parse_color, style["background"].split()) if c), None)
    if fill:
        found.append(("background", fill))
    ink = parse_color(style.get("color")) or parse_color(color)
    if ink:
        found.append(("text", ink))
    for side in SIDES:
        colour = _border(style, side)
        if colour:
            found.append((f"border-{side}", colour))
    return tuple(found)


def _border(style: dict[str, str], side: str) -> RGB | None:
    """The colour of a visible border on one side, from ``border``, ``border-<side>`` or ``*-color``."""
    colour = None
    for prop in ("border", f"border-{side}"):
        value = style.get(prop, "")
        if value and not _NO_BORDER.search(value):
            colour = next((c for c in map(parse_color, value.split()) if c), colour)
        elif value:
            colour = None
    return parse_color(style.get(f"border-{side}-color")) or colour


def _dark_text_sources(ctx: CheckContext, dark: dict[Any, set[str]]) -> set[Any]:
    """Elements whose own colour reaches some visible text with no dark-mode colour rule on the way.

    One walk up from each text-holding element to the nearest element that sets
    a colour itself (inline ``color`` or the legacy attribute): that colour is
    what the text shows, unless a dark rule on the way recolours it.
    """
    sources: set[Any] = set()
    for holder, _ in ctx.text_elements():
        node, recoloured = holder, False
        while node is not None:
            recoloured = recoloured or "text" in dark.get(node, ())
            if parse_style(node.get("style")).get("color") or node.get("color"):
                if not recoloured:
                    sources.add(node)
                break
            node = node.getparent()
    return sources


def _describe(element: Any) -> str:
    """``<td class="np-button"> ("Read more")``: enough for a reader to find it in the email."""
    classes = " ".join((element.get("class") or "").split())
    text = " ".join("".join(element.itertext()).split())
    shown = text[:37] + "..." if len(text) > 40 else text
    attributes = f' class="{classes}"' if classes else ""
    return f"<{element.tag}{attributes}>" + (f' ("{shown}")' if shown else "")


def _where(ctx: CheckContext, element: Any, aspect: str, colour: RGB) -> Location:
    """The template line that paints this colour for this element, else wherever the colour is written.

    MJML puts a section's css-class on the ``<div>`` around its tables, so the
    nearest class among the element and its ancestors picks the template line.
    """
    names = [rf"colors\.{n}\b" for n, v in ctx.locate.colors.items() if v.lower() == hex_color(colour)]
    written = "|".join(names + [rf"{hex_color(colour)}\b"])
    keyword = {"background": r"(background|bgcolor)", "text": r"(?<![\w-])color"}.get(aspect, r"border")
    painting = rf"{keyword}[\w-]*\s*[=:]\s*\"?[^\";\n]*({written})"
    for node in (element, *element.iterancestors()):
        for css_class in (node.get("class") or "").split():
            found = ctx.locate.template(rf"(?=.*css-class=\"[^\"]*\b{re.escape(css_class)}\b).*{painting}")
            if found:
                return found
    return ctx.locate.anywhere(ctx.locate.template(painting), ctx.locate.color(colour))
