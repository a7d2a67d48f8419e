"""Markdown in issue fields, rendered to email-safe HTML and to plain text.

Only bold, italics, links, line breaks and lists are enabled. Raw HTML is off
in the parser, and the output is sanitized again by nh3 (the Ammonia
sanitizer), so no script, iframe, style or event-handler attribute can reach
the email even if a parser rule slips.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_TAGS = {"p", "strong", "em", "a", "ul", "ol", "li", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
DISABLED_RULES = ["code", "fence", "html_block", "html_inline", "heading", "lheading", "image",
                  "table", "blockquote", "hr", "backticks", "reference"]

UrlRewriter = Callable[[str], str]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": False, "typographer": False})
    md.disable(DISABLED_RULES, ignoreInvalid=True)
    return md


def _rewrite_links(tokens: list[Token], rewrite: UrlRewriter | None) -> None:
    if rewrite is None:
        return
    for token in tokens:
        for child in token.children or []:
            if child.type == "link_open":
                child.attrSet("href", rewrite(str(child.attrGet("href") or "")))


def markdown_to_html(text: str, rewrite_url: UrlRewriter | None = None, inline: bool = False) -> Markup:
    """Sanitized HTML for a Markdown field; links pass through ``rewrite_url`` (UTM tagging).

    ``inline=True`` renders a single line without the surrounding paragraph,
    for list items.
    """
    md = _parser()
    tokens = md.parseInline(text) if inline else md.parse(text)
    _rewrite_links(tokens, rewrite_url)
    html = md.renderer.render(tokens, md.options, {})
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=ALLOWED_SCHEMES, link_rel=None)
    return Markup(clean.strip())


def markdown_to_text(text: str, rewrite_url: UrlRewriter | None = None) -> list[str]:
    """Plain-text paragraphs for a Markdown field.

    Returns one string per paragraph or list item (list items start with
    "- " or "1. "); links are written out as ``text <url>`` so the reader of
    the plain-text part can follow them.
    """
    tokens = _parser().parse(text)
    _rewrite_links(tokens, rewrite_url)
    blocks: list[str] = []
    prefixes: list[str] = []
    counters: list[int] = []
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            counters.append(int(token.attrGet("start") or 1) if token.type == "ordered_list_open" else 0)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            counters.pop()
        elif token.type == "list_item_open":
            if counters[-1]:
                prefixes.append(f"{counters[-1]}. ")
                counters[-1] += 1
            else:
                prefixes.append("- ")
        elif token.type == "inline":
            indent = "  " * max(len(counters) - 1, 0)
            marker = prefixes.pop() if prefixes else ""
            blocks.append(indent + marker + _inline_text(token))
    return blocks


def _inline_text(token: Token) -> str:
    out: list[str] = []
    href_stack: list[str] = []
    for child in token.children or []:
        if child.type == "text":
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" " if child.type == "softbreak" else "\n")
        elif child.type == "link_open":
            href_stack.append(str(child.attrGet("href") or ""))
        elif child.type == "link_close" and href_stack:
            href = href_stack.pop()
            out.append(f" <{href.removeprefix('mailto:')}>")
    return "".join(out)
