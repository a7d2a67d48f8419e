"""lang, title, table-role and heading-order: the structure screen readers navigate by."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...errors import Location
from ..context import CheckContext, visible_text
from ..findings import Finding
from . import rule


@rule("lang")
def lang(ctx: CheckContext) -> Iterator[Finding]:
    """Without lang, screen readers read the email with the reader's default voice and rules."""
    value = (ctx.tree.get("lang") or "").strip()
    if value and value.lower() != "und":
        return
    where = (ctx.loaded.location(("language",)) if "language" in ctx.loaded.doc.data
             else ctx.locate.anywhere(ctx.locate.template(r"<mjml\b")))
    shown = f'lang="{value}"' if value else "no lang attribute"
    yield Finding("lang", "error", where,
                  f"<html> has {shown}; set 'language:' to the issue's BCP 47 tag (e.g. en, de-AT)")


@rule("title")
def title(ctx: CheckContext) -> Iterator[Finding]:
    """The title is what a screen reader announces first and what a browser tab shows."""
    element = ctx.tree.find(".//title")
    if element is not None and visible_text(element):
        return
    yield Finding("title", "error", ctx.locate.anywhere(ctx.locate.template(r"<mj-title\b|<title\b"),
                                                        ctx.loaded.location(("subject",))),
                  "the HTML <title> is empty (the layout should write the subject in <mj-title>)")


@rule("table-role")
def table_role(ctx: CheckContext) -> Iterator[Finding]:
    """Layout tables without role=presentation are read cell by cell ("table, 3 columns...")."""
    missing = [t for t in ctx.elements("table") if (t.get("role") or "").strip().lower() != "presentation"]
    if not missing:
        return
    where = ctx.locate.anywhere(ctx.locate.template(r"<table\b(?![^>]*\brole=\"?presentation)"),
                                ctx.locate.template(r"<mj-table\b"))
    yield Finding("table-role", "error", where,
                  f"{len(missing)} layout table(s) lack role=\"presentation\" (add it to the <table> "
                  "tag in the template)")


def _heading_text(ctx: CheckContext, heading: Any) -> Location | None:
    text = visible_text(heading)
    return ctx.locate.sources.find(text) if text else None


def _heading_tag(ctx: CheckContext, level: int) -> Location | None:
    return ctx.locate.template(rf"<h{level}\b")


@rule("heading-order")
def heading_order(ctx: CheckContext) -> Iterator[Finding]:
    """One h1 (the issue's title), and no skipped levels, so heading navigation makes sense."""
    headings = [(int(h.tag[1]), h) for h in ctx.elements("h1", "h2", "h3", "h4", "h5", "h6")
                if not ctx.computed(h).hidden]
    firsts = [h for level, h in headings if level == 1]
    if not firsts:
        yield Finding("heading-order", "error", ctx.loaded.doc.key_location(("blocks",)),
                      "the email has no h1 (start the issue with a masthead block: its title is the h1)")
    for extra in firsts[1:]:
        # the issue added it (a second masthead), so point at that block's title
        where = ctx.locate.anywhere(_heading_text(ctx, extra), _heading_tag(ctx, 1))
        yield Finding("heading-order", "error", where,
                      f"a second h1 \"{visible_text(extra)}\": an email has one h1 (keep one masthead)")
    previous = 0
    for level, heading in headings:
        if previous and level > previous + 1:
            # the level is the template's choice, so point at the template's tag
            where = ctx.locate.anywhere(_heading_tag(ctx, level), _heading_text(ctx, heading))
            yield Finding("heading-order", "error", where,
                          f"h{level} \"{visible_text(heading)}\" follows an h{previous}: heading levels "
                          f"must not skip (use h{previous + 1} in the template)")
        previous = level
