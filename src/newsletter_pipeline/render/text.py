"""The plain-text part, written from the issue's structure rather than scraped from HTML.

Every link's URL is written out, headings are underlined, bullets keep a
hanging indent, and lines stay within 78 columns (RFC 5322's recommendation).
A URL longer than that stands alone on its line, unbroken, because a broken
URL cannot be followed. Links are written without UTM parameters: readers copy
them by hand, and a shorter URL is a usable one.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterator

from ..issue.load import LoadedIssue
from ..issue.schema import (ArticleBlock, BulletsBlock, Button, CtaBlock, EditorialBlock, FooterBlock,
                            LinkListBlock, MastheadBlock, PastEventsBlock, UpcomingEventsBlock)
from ..models import UNSUBSCRIBE_PLACEHOLDER
from .dates import format_date, format_month, format_range
from .markdown import markdown_to_text

WIDTH = 78
RULE = "-" * WIDTH
LIST_MARKER = re.compile(r"(- |\d+\. )")  # as markdown_to_text writes list items


def wrap(text: str, indent: str = "", hanging: str | None = None) -> list[str]:
    """Wrap one paragraph; list markers get a hanging indent."""
    lines: list[str] = []
    for piece in text.split("\n"):
        lines += textwrap.wrap(piece, WIDTH, initial_indent=indent,
                               subsequent_indent=hanging if hanging is not None else indent,
                               break_long_words=False, break_on_hyphens=False) or [""]
    return lines


def paragraphs(markdown: str | None) -> list[str]:
    lines: list[str] = []
    for para in markdown_to_text(markdown) if markdown else []:
        stripped = para.lstrip()
        indent = para[: len(para) - len(stripped)]
        # only list markers hang; a paragraph that merely starts with a number ("36 members...") does not
        marker = LIST_MARKER.match(stripped)
        lines += wrap(para, hanging=indent + " " * (marker.end() if marker else 0)) + [""]
    return lines


def heading(title: str, underline: str = "=") -> list[str]:
    wrapped = wrap(title.upper() if underline == "=" else title)
    return wrapped + [underline * min(WIDTH, max(len(line) for line in wrapped)), ""]


def link_line(label: str, url: str) -> list[str]:
    return wrap(f"{label}: {url}") + [""]


def button(b: Button | None) -> list[str]:
    return link_line(b.label, b.url) if b else []


def _masthead(block: MastheadBlock, loaded: LoadedIssue) -> Iterator[str]:
    yield from wrap(block.title.upper())
    yield from wrap(block.subtitle or f"{loaded.settings.name} · {format_month(loaded.issue.date, _locale(loaded))}")
    yield ""


def _editorial(block: EditorialBlock, loaded: LoadedIssue) -> Iterator[str]:
    if block.title:
        yield from heading(block.title)
    yield from paragraphs(block.body)
    if block.signature:
        yield from wrap(" & ".join(block.signature.names))
        if block.signature.affiliation:
            yield from wrap(block.signature.affiliation)
        yield ""


def _article(block: ArticleBlock, loaded: LoadedIssue) -> Iterator[str]:
    yield from heading(block.title)
    if block.authors:
        people = "; ".join(
            p.name + (f", {p.role}" if p.role else "") + (f" ({p.affiliation})" if p.affiliation else "")
            for p in block.authors
        )
        yield from wrap(f"{loaded.messages.ngettext('Author:', 'Authors:', len(block.authors))} {people}") + [""]
    if block.image:
        image = loaded.messages.gettext("Image: %(alt)s") % {"alt": block.image.alt}
        yield from wrap(f"[{image}]") + [""] if block.image.alt else []
    yield from paragraphs(block.body)
    yield from button(block.link)


def _link_list(block: LinkListBlock, loaded: LoadedIssue) -> Iterator[str]:
    yield from heading(block.title)
    yield from paragraphs(block.intro)
    for link in block.links:
        yield from wrap(f"- {link.title}", hanging="  ")
        yield from wrap(link.url, indent="  ")
    yield ""
    yield from paragraphs(block.outro)
    yield from button(block.button)


def _bullets(block: BulletsBlock, loaded: LoadedIssue) -> Iterator[str]:
    yield from heading(block.title)
    yield from paragraphs(block.intro)
    yield from paragraphs("\n".join(f"- {item}" for item in block.items))
    yield from paragraphs(block.outro)
    yield from button(block.button)
    yield from button(block.link)


def _cta(block: CtaBlock, loaded: LoadedIssue) -> Iterator[str]:
    yield from paragraphs(block.text)
    yield from button(block.button)


def _upcoming(block: UpcomingEventsBlock, loaded: LoadedIssue) -> Iterator[str]:
    yield from heading(block.title)
    yield from paragraphs(block.intro)
    for event in block.events:
        yield from wrap(f"{format_range(event.start, event.end, _locale(loaded))} / {event.place}")
        yield from wrap(event.title)
        yield from link_line(event.label, event.url)


def _past(block: PastEventsBlock, loaded: LoadedIssue) -> Iterator[str]:
    yield from heading(block.title)
    yield from paragraphs(block.intro)
    for event in block.events:
        yield from wrap(event.title)
        if event.subtitle:
            yield from wrap(event.subtitle)
        yield from wrap(f"{format_date(event.date, _locale(loaded))} · {event.where}")
        yield from link_line(event.label, event.url)


def _footer(block: FooterBlock, loaded: LoadedIssue) -> Iterator[str]:
    settings, gettext = loaded.settings, loaded.messages.gettext
    yield from heading(block.title, "-")
    yield from paragraphs(block.text)
    for link in settings.social:
        yield from wrap(f"{link.label}: {link.url}")
    if settings.contact_email:
        yield from wrap(gettext("Contact: %(address)s") % {"address": settings.contact_email})
    if settings.website:
        yield from wrap(gettext("Website: %(url)s") % {"url": settings.website})
    yield ""
    yield from wrap(settings.postal_address)
    yield ""
    yield from wrap(gettext("You receive this email because you subscribed to %(name)s.") % {"name": settings.name})
    yield from wrap(gettext("Unsubscribe: %(url)s") % {"url": UNSUBSCRIBE_PLACEHOLDER})
    if settings.archive_url:
        url = f"{settings.archive_url.rstrip('/')}/{loaded.slug}/"
        yield from wrap(gettext("View in your browser: %(url)s") % {"url": url})


def _locale(loaded: LoadedIssue) -> str:
    return loaded.messages.locale


WRITERS: dict[type, Callable[..., Iterator[str]]] = {
    MastheadBlock: _masthead, EditorialBlock: _editorial, ArticleBlock: _article,
    LinkListBlock: _link_list, BulletsBlock: _bullets, CtaBlock: _cta,
    UpcomingEventsBlock: _upcoming, PastEventsBlock: _past, FooterBlock: _footer,
}


def render_text(loaded: LoadedIssue) -> str:
    """The text/plain part: one section per block, separated by rules."""
    sections = []
    for block in loaded.issue.blocks:
        lines = list(WRITERS[type(block)](block, loaded))
        while lines and lines[-1] == "":
            lines.pop()
        sections.append("\n".join(lines))
    return f"\n\n{RULE}\n\n".join(s for s in sections if s) + "\n"
