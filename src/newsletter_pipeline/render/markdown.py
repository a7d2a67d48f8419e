"""Markdown in issue fields, rendered to email-safe HTML and to plain text.

Rendered: bold, italics, links, inline code, fenced code blocks, blockquotes,
headings, ordered and bulleted lists (with a start number), hard line breaks
and horizontal rules. What email cannot show well is turned into something
readable rather than printed as raw syntax (``unsupported`` lists it for the
``markdown`` check): a table becomes one paragraph per row, an image inside
text becomes a link to the image, raw HTML keeps only its text, and a
footnote ``[^1]`` reads ``[1]``.

Raw HTML is never passed through: the parser sees it only so it can be
stripped, and the output is sanitized again by nh3 (the Ammonia sanitizer), so
no script, iframe, style or event-handler attribute can reach the email even
if a parser rule slips.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from .eastasian import display_width

ALLOWED_TAGS = {"p", "strong", "em", "a", "ul", "ol", "li", "br", "code", "pre", "blockquote", "hr",
                "h3", "h4", "h5", "h6", "s"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}, "pre": {"dir"}, "code": {"dir"}}
# code reads left to right in every language: in an Arabic or Hebrew email, print("hello") must not be
# reordered or right-aligned (the attribute, which Gmail keeps, isolates it from the text around it)
_CODE_OPENING = re.compile(r"<pre><code(?: [^>]*)?>|<code>")
ALLOWED_SCHEMES = {"http", "https", "mailto"}
FOOTNOTE_DEFINITION = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]*", re.MULTILINE)
FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]\s]+)\]")
CELL_SEPARATOR = " · "
CODE_INDENT = "    "
TEXT_RULE = "* * *"  # a Markdown `---` in the text part: a dashed line is the rule between blocks
QUOTE_INDENT = "    "
_MAY_BE_UNSUPPORTED = re.compile(r"[|<]|!\[")  # what each construct below needs (the check skips the parse)
HTML_FIX = "use Markdown instead: **bold**, *italics*, [text](https://...)"

UrlRewriter = Callable[[str], str]


class Verbatim(str):
    """A plain-text paragraph written as is, never re-wrapped (code, an underlined heading)."""


@dataclass(frozen=True)
class Unsupported:
    """A construct email cannot render as written: what it is, the text that shows it, what it became."""

    construct: str
    snippet: str
    becomes: str
    fix: str
    at: tuple[int, int] | None = None  # (line, column) in the Markdown text, from 0, where the parser read it


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # html=True only so that raw HTML is recognised and stripped (see _strip_html), never passed through
    md = MarkdownIt("commonmark", {"html": True, "breaks": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # indented code is off: text indented by accident in a YAML block would turn monospace;
    # reference definitions are off: "[x]: ..." lines stay visible text rather than vanish
    md.disable(["code", "reference"])
    return md


def _footnotes(text: str) -> str:
    """``[^1]`` -> ``[1]``; a definition ``[^1]: text`` -> ``[1] text`` (no footnote support in email)."""
    return FOOTNOTE_REFERENCE.sub(r"[\1]", FOOTNOTE_DEFINITION.sub(r"[\1] ", text))


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _inline_children(children: list[Token]) -> list[Token]:
    """Images become links to the image (alt text as the label); raw inline HTML tags are dropped."""
    out: list[Token] = []
    for child in children:
        if child.type == "image":
            link = Token("link_open", "a", 1)
            link.attrSet("href", str(child.attrGet("src") or ""))
            out += [link, *(child.children or [_text_token(child.content)]), Token("link_close", "a", -1)]
        elif child.type != "html_inline":
            out.append(child)
    return out


def _paragraph(children: list[Token], level: int) -> list[Token]:
    inline = Token("inline", "", 0)
    inline.children = children
    inline.content = "".join(c.content for c in children)
    opening, closing = Token("paragraph_open", "p", 1), Token("paragraph_close", "p", -1)
    opening.level = closing.level = level
    return [opening, inline, closing]


def _flatten(tokens: list[Token]) -> list[Token]:
    """Tables -> one paragraph per row; raw HTML blocks -> their text; inline images and HTML fixed."""
    out: list[Token] = []
    row: list[Token] | None = None
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            out += _paragraph(row, token.level)
            row = None
        elif token.type == "inline" and row is not None:
            row += ([_text_token(CELL_SEPARATOR)] if row else []) + _inline_children(token.children or [])
        elif token.type.startswith(("table_", "thead_", "tbody_", "th_", "td_")):
            continue
        elif token.type == "html_block":
            stripped = html.unescape(nh3.clean(token.content, tags=set())).strip()
            if stripped:
                out += _paragraph([_text_token(" ".join(stripped.split()))], token.level)
        else:
            if token.type == "inline":
                token.children = _inline_children(token.children or [])
            out.append(token)
    return out


def _tokens(text: str, inline: bool = False) -> list[Token]:
    md = _parser()
    source = _footnotes(text)
    return _flatten(md.parseInline(source) if inline else md.parse(source))


def _rewrite_links(tokens: list[Token], rewrite: UrlRewriter | None) -> None:
    if rewrite is None:
        return
    for token in tokens:
        for child in token.children or []:
            if child.type == "link_open":
                child.meta["written"] = str(child.attrGet("href") or "")  # as the author wrote it (_is_address)
                child.attrSet("href", rewrite(child.meta["written"]))


def heading_tag(markdown_level: int, block_level: int, previous: int | None = None) -> str:
    """The HTML tag of a Markdown heading inside a block whose own heading is ``h<block_level>``.

    Every Markdown heading sits below the block's: ``#``-``###`` are one level
    down, ``####`` two, and so on, never past ``h6``. ``previous`` is the level
    of the heading before it in the same field (the block's own when none): a
    heading is at most one level below it, so ``#####`` after ``###`` is the
    next level down, not two, and screen-reader heading navigation finds no gap.
    """
    wanted = block_level + max(1, markdown_level - 2)
    return f"h{min(6, wanted, (block_level if previous is None else previous) + 1)}"


def _heading_tags(tokens: list[Token], block_level: int) -> None:
    """Each heading's tag, as ``heading_tag`` gives it, the field's headings in order."""
    previous = block_level
    for token in tokens:
        if token.type == "heading_open":
            token.tag = heading_tag(int(token.tag[1]), block_level, previous)
            previous = int(token.tag[1])
        elif token.type == "heading_close":
            token.tag = f"h{previous}"


def markdown_to_html(text: str, rewrite_url: UrlRewriter | None = None, inline: bool = False,
                     level: int = 2) -> Markup:
    """Sanitized HTML for a Markdown field; links pass through ``rewrite_url`` (UTM tagging).

    ``inline=True`` renders a single line without the surrounding paragraph,
    for list items. ``level`` is the block's own heading level (2 for ``h2``).
    """
    md = _parser()
    tokens = _tokens(text, inline)
    _rewrite_links(tokens, rewrite_url)
    _heading_tags(tokens, level)
    rendered = _CODE_OPENING.sub(lambda m: '<pre dir="ltr"><code>' if m.group(0).startswith("<pre") else
                                 '<code dir="ltr">', md.renderer.render(tokens, md.options, {}))
    clean = nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=ALLOWED_SCHEMES, link_rel=None)
    return Markup(clean.strip())


def markdown_to_text(text: str, rewrite_url: UrlRewriter | None = None) -> list[str]:
    """Plain-text paragraphs for a Markdown field.

    Returns one string per paragraph or list item (list items start with
    "- " or "1. "); links are written out as ``text <url>`` so the reader of
    the plain-text part can follow them. Blockquotes are indented; code blocks
    and headings come as ``Verbatim`` (indented code; a heading underlined
    with "-"), which the caller must not re-wrap.
    """
    tokens = _tokens(text)
    _rewrite_links(tokens, rewrite_url)
    blocks: list[str] = []
    prefixes: list[str] = []
    counters: list[int] = []
    quotes = 0
    in_heading = False
    for token in tokens:
        indent = "  " * max(len(counters) - 1, 0) + QUOTE_INDENT * quotes
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
        elif token.type in ("blockquote_open", "blockquote_close"):
            quotes += 1 if token.type == "blockquote_open" else -1
        elif token.type in ("heading_open", "heading_close"):
            in_heading = token.type == "heading_open"
        elif token.type in ("fence", "code_block"):
            lines = token.content.rstrip("\n").split("\n")
            blocks.append(Verbatim("\n".join((indent + CODE_INDENT + line).rstrip() for line in lines)))
        elif token.type == "inline" and in_heading:
            title = " ".join(_inline_text(token).split())
            blocks.append(Verbatim(f"{indent}{title}\n{indent}{'-' * min(display_width(title), 78 - len(indent))}"))
        elif token.type == "inline":
            marker = prefixes.pop() if prefixes else ""
            blocks.append(indent + marker + _inline_text(token))
        elif token.type == "hr":  # not a line of dashes, which would read as the rule between blocks
            blocks.append(Verbatim(indent + TEXT_RULE))
    return blocks


def _is_address(link: Token, text: str) -> bool:
    """Whether a link's text is its own address: an autolink (``<https://...>``), or ``[a@b.org](mailto:a@b.org)``.

    Compared with the address as written, before UTM tagging (``_rewrite_links`` keeps it).
    """
    written = str(link.meta.get("written", link.attrGet("href") or ""))
    return link.info == "auto" or " ".join(text.split()) in (written, written.removeprefix("mailto:"))


def _inline_text(token: Token) -> str:
    out: list[str] = []
    opened: list[tuple[Token, int]] = []  # each open link, and where its text starts in ``out``
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("s_open", "s_close"):  # "~~€50~~ €40": the price struck out stays so
            out.append("~~")
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" " if child.type == "softbreak" else "\n")
        elif child.type == "link_open":
            opened.append((child, len(out)))
        elif child.type == "link_close" and opened:
            link, start = opened.pop()
            href = str(link.attrGet("href") or "")
            if href.startswith("#"):  # an in-email anchor means nothing in plain text
                continue
            address = f"<{href.removeprefix('mailto:')}>"
            if _is_address(link, "".join(out[start:])):
                out[start:] = [address]  # once, not "https://x.org <https://x.org>"
            else:
                out.append(f" {address}")
    return "".join(out)


def unsupported(text: str) -> list[Unsupported]:
    """The constructs in ``text`` that email cannot render as written, in order of appearance.

    For the ``markdown`` check: each is rendered as something readable, and
    the author should know that it changed. Each says where the parser read
    it (``at``), so that the same characters inside code, which render as
    written, are not taken for it.
    """
    found: list[Unsupported] = []
    definitions = {match.start() for match in FOOTNOTE_DEFINITION.finditer(text)}
    references = {m.group(1) for m in FOOTNOTE_REFERENCE.finditer(text) if m.start() not in definitions}
    for match in FOOTNOTE_REFERENCE.finditer(text):  # replaced everywhere, code too (_footnotes)
        if match.start() in definitions and match.group(1) in references:
            continue  # the note of a reference: one warning, at the reference, says to rewrite both
        found.append(Unsupported("a footnote", match.group(0), f"the plain text [{match.group(1)}]",
                                 "write the note into the sentence, or as a numbered list at the end",
                                 _position(text, match.start())))
    if not _MAY_BE_UNSUPPORTED.search(text):
        return found  # no table without "|", no HTML without "<", no image without "![": no need to parse
    lines = text.split("\n")
    for token in _parser().parse(text):
        start = token.map[0] if token.map else None
        if token.type == "table_open":
            first = lines[start].strip() if start is not None else "|"
            found.append(Unsupported("a table", first, "one paragraph per row", "write each row as a list item",
                                     _on_line(lines, start, first)))
        elif token.type == "html_block":
            first = token.content.strip().split("\n")[0]
            found.append(Unsupported("raw HTML", first, "its text only", HTML_FIX, _on_line(lines, start, first)))
        found += _inline_unsupported(token, lines)
    return found


def _inline_unsupported(token: Token, lines: list[str]) -> list[Unsupported]:
    """Images and raw HTML among an inline token's children, each at its place in the token's lines.

    The children carry no positions, so the source is read along with them:
    each code span is stepped over (its ``<b>`` is code, not HTML), each
    construct is found after what came before it.
    """
    first, last = token.map or (0, 0)  # without a map: found, but not placed (the check then searches)
    source = "\n".join(lines[first:last])
    found: list[Unsupported] = []
    position = 0
    for child in token.children or []:
        if child.type == "code_inline":
            opening = source.find(child.markup, position)
            closing = source.find(child.markup, opening + len(child.markup)) if opening >= 0 else -1
            position = closing + len(child.markup) if closing >= 0 else position
        elif child.type in ("image", "html_inline"):
            image = child.type == "image"
            snippet = f"![{child.content}]" if image else child.content
            offset = source.find("![" if image else snippet, position)
            position = offset + 1 if offset >= 0 else position
            line, col = _position(source, offset) if offset >= 0 else (None, 0)
            found.append(Unsupported(
                "an image inside text" if image else "raw HTML", snippet,
                "a link to the image" if image else "its text only",
                "put the picture in an image block of its own" if image else HTML_FIX,
                (first + line, col) if line is not None else None))
    return found


def _position(text: str, offset: int) -> tuple[int, int]:
    """(line, column), from 0, of ``offset`` in ``text``."""
    before = text[:offset]
    return before.count("\n"), offset - (before.rfind("\n") + 1)


def _on_line(lines: list[str], line: int | None, snippet: str) -> tuple[int, int] | None:
    if line is None or line >= len(lines):
        return None
    return line, max(lines[line].find(snippet), 0)
