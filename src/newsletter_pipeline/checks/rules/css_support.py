"""css-support: CSS and HTML that Gmail, Outlook (Windows), Apple Mail or Yahoo drop.

The support data is a small curated table (caniemail.json, next to this
module) built from caniemail.com, with its source and date; this module only
detects where the email uses each feature. No Node, no network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import Location
from ..context import CheckContext
from ..css import declarations, parse_color, parse_style, without_important
from ..findings import Finding
from . import rule

TABLE = Path(__file__).with_name("caniemail.json")
CSS_URL = re.compile(r"url\(", re.IGNORECASE)


@lru_cache(maxsize=1)
def support_table() -> dict[str, Any]:
    return json.loads(TABLE.read_text(encoding="utf-8"))


SUPPORT_WORDS = {"n": "not supported", "a": "partly supported", "y": "supported", "u": "not tested"}


def per_client(feature: str) -> str:
    """caniemail's support of ``feature`` per client, grouped: "Outlook (Windows, 2007-2019): not supported; ..."."""
    table = support_table()
    groups: dict[str, list[str]] = {}
    for client, value in table["features"][feature]["support"].items():
        groups.setdefault(value, []).append(table["clients"][client])
    return "; ".join(f"{', '.join(groups[v])}: {SUPPORT_WORDS[v]}" for v in ("n", "a", "y", "u") if v in groups)


def dropped_by(feature: str) -> list[str]:
    """Names of the clients that drop (n) or only partly support (a) a feature."""
    table = support_table()
    support = table["features"][feature]["support"]
    return [table["clients"][client] for client, value in support.items() if value in ("n", "a")]


@lru_cache(maxsize=4096)
def _normalized(style: str) -> tuple[tuple[str, str], ...]:
    # MJML repeats the same few hundred inline styles: each is split and lower-cased once per process
    return tuple((prop, without_important(value).strip().lower()) for prop, value in parse_style(style).items())


def _declarations(ctx: CheckContext) -> Iterator[tuple[str, str, Any]]:
    """(property, value, element) for every inline and <style> declaration."""
    for element in ctx.elements():
        style = element.get("style")
        if style:
            for prop, value in _normalized(style):
                yield prop, value, element
        if element.tag == "style":
            for decl in declarations(element.text or ""):
                yield decl.prop, without_important(decl.value).strip().lower(), element


def _css_features(ctx: CheckContext) -> dict[str, str]:
    """feature -> an example of its use."""
    found: dict[str, str] = {}
    for prop, value, element in _declarations(ctx):
        if prop == "position" and value not in ("static", "inherit", "initial", "unset"):
            found.setdefault("css-position", f"position:{value}")
        elif prop == "display" and value in ("flex", "inline-flex"):
            found.setdefault("css-display-flex", f"display:{value}")
        elif (prop == "display" and value in ("grid", "inline-grid")) or prop.startswith("grid-template"):
            found.setdefault("css-display-grid", f"{prop}:{value}")
    return found


def _background_without_colour(element: Any) -> bool:
    image = element.get("background") or ""
    if not image and "url(" not in (element.get("style") or "").lower():
        return False  # the common case, decided without parsing the style
    style = parse_style(element.get("style"))
    for prop in ("background", "background-image"):
        if CSS_URL.search(style.get(prop, "")):
            image = style[prop]
    if not image:
        return False
    colour = (parse_color(style.get("background-color")) or parse_color(style.get("background"))
              or parse_color(element.get("bgcolor")))
    return colour is None


# every tag that a test of _html_features other than the background image's can match
_FEATURE_TAGS = {"script", "form", "input", "select", "textarea", "link", "style", "svg", "video", "audio"}


def _html_features(ctx: CheckContext) -> dict[str, str]:
    found: dict[str, str] = {}
    checks: list[tuple[str, str, Callable[[Any], bool]]] = [
        ("html-script", "<script>", lambda e: e.tag == "script"),
        ("html-form", "<form>", lambda e: e.tag in ("form", "input", "select", "textarea")),
        ("html-link", "<link rel=\"stylesheet\">",
         lambda e: e.tag == "link" and "stylesheet" in (e.get("rel") or "").lower()),
        ("css-at-import", "@import", lambda e: e.tag == "style" and "@import" in (e.text or "")),
        ("html-svg", "<svg>", lambda e: e.tag == "svg"),
        ("html-video", "<video>", lambda e: e.tag in ("video", "audio")),
        ("css-background-image", "a background image", _background_without_colour),
    ]
    background = checks[-1]
    for element in ctx.elements():
        # only a background image can be on any other tag: skip the tag tests (same order of finds)
        for feature, example, test in checks if element.tag in _FEATURE_TAGS else (background,):
            if feature not in found and test(element):
                found[feature] = example
    return found


TEMPLATE_PATTERNS = {
    "css-position": r"position\s*:",
    "css-display-flex": r"display\s*:\s*(inline-)?flex",
    "css-display-grid": r"display\s*:\s*(inline-)?grid|grid-template",
    "css-at-import": r"@import|<mj-font\b",
    "html-link": r"<link\b|<mj-font\b",
    "html-form": r"<(form|input|select|textarea)\b",
    "html-script": r"<script\b",
    "html-svg": r"<svg\b",
    "html-video": r"<(video|audio)\b",
    "css-background-image": r"background(-image)?\s*:[^;]*url\(|background-url=|\bbackground=",
}


def _where(ctx: CheckContext, feature: str) -> Location:
    """The template line using the feature; a web font's stylesheet is the setting's doing."""
    web_font = None
    if feature in ("html-link", "css-at-import"):
        web_font = ctx.locate.setting(("brand", "fonts", "web_font"))
    return ctx.locate.anywhere(web_font, ctx.locate.template(TEMPLATE_PATTERNS[feature]))


@rule("css-support")
def css_support(ctx: CheckContext) -> Iterator[Finding]:
    table = support_table()["features"]
    found = {**_css_features(ctx), **_html_features(ctx)}
    for feature, example in found.items():
        clients = dropped_by(feature)
        if not clients:
            continue
        info = table[feature]
        tested = f"caniemail, tested {info['tested']}" if info["tested"] else "no caniemail test"
        notes = f" {info['notes']}" if info["notes"] else ""
        yield Finding("css-support", "warning", _where(ctx, feature),
                      f"{example}: {', '.join(clients)} drop or only partly support {info['title']} "
                      f"({per_client(feature)}; {tested}, data of {support_table()['retrieved']}).{notes} "
                      f"({info['fix']})")
