"""The plain-text part, written from the issue's structure rather than scraped from HTML.

Every link's URL is written out, headings are underlined, bullets keep a
hanging indent, and lines stay within 78 columns (RFC 5322's recommendation),
counted as a monospace client shows them: a Chinese, Japanese or Korean
character or an emoji takes two, a combining accent none (``eastasian.py``,
which also says where such text breaks); underlines are as wide as their heading shows.
A URL longer than that stands alone on its line, unbroken, because a broken
URL cannot be followed. Links carry the same UTM parameters as the HTML part's
(``url()``, see ``templates.link_tagger``), so clicks from either part reach
the same analytics; ``utm.parts: [html]`` keeps the text part's links short.

Each block is written by its template ``blocks/<type>.txt.j2`` (found through
the registry in ``blocks.py`` and the override chain). The template's lines
are the output's lines, and the helpers below do the wrapping. The contract
for a template author:

- ``wrap(text)`` returns the wrapped lines of one paragraph, with no blank line
  after them; ``heading``, ``paragraphs``, ``link_line`` and ``button`` end
  with a blank line of their own, as a paragraph does.
- A helper with nothing to write (``paragraphs(None)``, ``button(None)``)
  returns ``NOTHING``, and a line holding only ``NOTHING`` disappears, so an
  optional field needs no ``{% if %}`` around it.
- Blank lines at the end of a block are dropped; blocks are joined by a rule.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from ..blocks import block_type, heading_levels
from ..errors import Location
from ..i18n import marked as _
from ..issue.load import LoadedIssue
from ..issue.records import Button
from . import eastasian
from .markdown import Verbatim, markdown_to_text
from .templates import link_tagger, render_template, shared_context

WIDTH = 78
RULE = "-" * WIDTH
LIST_MARKER = re.compile(r"(- |\d+\. )")  # as markdown_to_text writes list items
NOTHING = "\x00"  # what a helper with nothing to write returns; its line is dropped (see above)


def wrap_lines(text: str, indent: str = "", hanging: str | None = None) -> list[str]:
    """Wrap one paragraph into lines; ``hanging`` indents the lines after the first."""
    lines: list[str] = []
    for piece in text.split("\n"):
        if not eastasian.one_column_each(piece):  # measured in columns (CJK, emoji, accents as marks)
            wrapped = eastasian.wrap(piece, WIDTH, indent, hanging) or [""]
        else:
            wrapped = textwrap.wrap(piece, WIDTH, initial_indent=indent,
                                    subsequent_indent=hanging if hanging is not None else indent,
                                    break_long_words=False, break_on_hyphens=False) or [""]
        if len(wrapped) > 1 and LIST_MARKER.fullmatch(wrapped[0].strip() + " "):
            # "- " before a word longer than a line (a URL) was left alone on a line: the word joins
            # it, over the width, as a long URL stands anyway
            wrapped[:2] = [f"{wrapped[0].rstrip()} {wrapped[1].lstrip()}"]
        lines += _no_line_starts_with_closing(wrapped)
    return lines


# UAX #14 (LB13, LB16...): no line starts with these; French writes a space before ? ! : ; and »
_CLOSING = re.compile(r"[?!:;»)\]}%,.]+(?=\s|$)")


def _no_line_starts_with_closing(lines: list[str]) -> list[str]:
    """A line that would start with "?", "!", ":", "»"... ("vraiment ?" broken at the space): the
    sign goes back to the end of the line before, a little over the width, as French typesetting does."""
    out: list[str] = []
    for line in lines:
        stripped = line.lstrip()
        sign = _CLOSING.match(stripped) if out and out[-1].strip() else None
        if sign is None:
            out.append(line)
            continue
        out[-1] += " " + sign.group()
        rest = stripped[sign.end():].lstrip()
        if rest:
            out.append(line[: len(line) - len(stripped)] + rest)
    return out


def _chunk(lines: list[str]) -> str:
    """Lines as one template value; no lines at all is ``NOTHING``."""
    return "\n".join(lines) if lines else NOTHING


def wrap(text: str, indent: str = "", hanging: str | None = None) -> str:
    """One paragraph, wrapped to 78 columns, no blank line after it."""
    return _chunk(wrap_lines(text, indent, hanging))


def paragraph_lines(markdown: str | None, indent: str = "",
                    rewrite_url: Callable[[str], str] | None = None) -> list[str]:
    lines: list[str] = []
    for para in markdown_to_text(markdown, rewrite_url) if markdown else []:
        if isinstance(para, Verbatim):  # code and sub-headings keep their lines
            lines += [(indent + line).rstrip() for line in para.split("\n")] + [""]
            continue
        para = indent + para
        stripped = para.lstrip()
        own = para[: len(para) - len(stripped)]  # the list's or the quote's indent
        # only list markers hang; a paragraph that merely starts with a number ("36 members...") does not
        marker = LIST_MARKER.match(stripped)
        hanging = own + " " * (marker.end() if marker else 0)
        first, *rest = para.split("\n")  # hard line breaks: each later line starts at the hanging indent
        lines += wrap_lines(first, hanging=hanging)
        for piece in rest:
            lines += wrap_lines(piece, indent=hanging)
        lines.append("")
    return lines


@jinja2.pass_context
def paragraphs(ctx: jinja2.runtime.Context, markdown: str | None, indent: str = "") -> str:
    """A Markdown field as plain-text paragraphs, each followed by a blank line; ``indent`` shifts them all.

    Its links go through the template's ``url()``, as the HTML part's do.
    """
    return _chunk(paragraph_lines(markdown, indent, ctx.get("url")))


@jinja2.pass_context
def heading(ctx: jinja2.runtime.Context, title: str, underline: str | None = None) -> str:
    """A heading underlined with ``underline`` ("=" also upper-cases it, in the language's capitals), then a blank line.

    Without ``underline``: "=" for a top-level block title, "-" for one inside
    a section (the block's ``level`` is 3 or more).
    """
    if not title:
        return NOTHING  # a block without a title (a footer with no social links to follow)
    if underline is None:
        underline = "=" if ctx.get("level", 2) <= 2 else "-"
    capitals = ctx.get("capitals", str.upper)  # Greek capitals drop their accents
    wrapped = wrap_lines(capitals(title) if underline == "=" else title)
    return _chunk(wrapped + [underline * min(WIDTH, max(map(eastasian.display_width, wrapped))), ""])


# a message of its own, as the punctuation is the language's: French writes "En savoir plus : https://..."
LINK_LINE = _("%(label)s: %(url)s")


@jinja2.pass_context
def labelled(ctx: jinja2.runtime.Context, label: str, url: str) -> str:
    """``label: url`` as the language punctuates it; ``url`` goes through the template's ``url()`` (UTM tagging)."""
    return str(ctx["gettext"](ctx, LINK_LINE, label=label, url=ctx["url"](url)))


@jinja2.pass_context
def link_line(ctx: jinja2.runtime.Context, label: str, url: str) -> str:
    """``labelled(label, url)``, wrapped, then a blank line."""
    return _chunk(wrap_lines(labelled(ctx, label, url)) + [""])


@jinja2.pass_context
def button(ctx: jinja2.runtime.Context, b: Button | None) -> str:
    """A button as its link line; ``NOTHING`` for no button."""
    return link_line(ctx, b.label, b.url) if b else NOTHING


HELPERS = {"wrap": wrap, "paragraphs": paragraphs, "heading": heading, "link_line": link_line,
           "labelled": labelled, "button": button, "NOTHING": NOTHING}


def block_lines(rendered: str) -> list[str]:
    """A block template's output as lines: ``NOTHING``-only lines dropped, leading and trailing blank lines too.

    The blocks are joined by a rule with one blank line either side, so a
    template whose first lines print nothing (a footer without a title or
    text) must not add a second one.
    """
    lines = [line.replace(NOTHING, "") for line in rendered.split("\n")
             if not (NOTHING in line and not line.replace(NOTHING, "").strip())]
    while lines and lines[-1].strip() == "":
        lines.pop()
    while lines and lines[0].strip() == "":
        lines.pop(0)
    return lines


def render_text(loaded: LoadedIssue, dirs: tuple[Path, ...]) -> str:
    """The text/plain part: one section per block, from its ``.txt.j2`` template, separated by rules."""
    values: dict[str, Any] = {**shared_context(loaded), **HELPERS, "url": link_tagger(loaded, "text"),
                              "capitals": loaded.messages.upper}  # capitals per language
    missing_at = Location(loaded.doc.file, 1, 1)
    sections = []
    for block, level in zip(loaded.issue.blocks, heading_levels(loaded.issue.blocks)):
        rendered = render_template(block_type(block).text_template, dirs,
                                   {**values, "block": block, "level": level}, missing_at, text=True)
        sections.append("\n".join(block_lines(rendered)))
    text = f"\n\n{RULE}\n\n".join(s for s in sections if s) + "\n"
    return right_to_left(text) if loaded.messages.rtl else text


RLM = "\u200f"  # RIGHT-TO-LEFT MARK: invisible, and makes its paragraph right-to-left


def right_to_left(text: str) -> str:
    """Every line of an rtl issue starts with RLM, so clients lay it out from the right.

    Plain text has no ``dir``: a client applies the Unicode bidi algorithm per
    line, and a line that starts with a date, a URL or a Latin name would be
    laid out left-to-right. The rules of dashes stay as they are.
    """
    return "\n".join(f"{RLM}{line}" if line.strip() and line != RULE else line for line in text.split("\n"))


