"""markdown: Markdown that email cannot show as written (tables, raw HTML, footnotes, images in text).

The renderer never prints such syntax: it turns each construct into something
readable (render/markdown.py). This rule tells the author where that happened,
at the line in the issue file, so nobody is surprised by a table that became
lines of text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...render.markdown import unsupported
from ..context import CheckContext
from ..findings import Finding
from . import rule


def markdown_fields(model: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    """Every Markdown string of a block with its key path (``items`` of ``bullets`` one by one).

    Which fields hold Markdown is the schema's (spec_gen.py finds its ``Markdown`` type).
    """
    for name in type(model).markdown_fields:
        value = getattr(model, name)
        if isinstance(value, str):
            yield path + (name,), value
        elif isinstance(value, list):
            yield from ((path + (name, i), item) for i, item in enumerate(value) if isinstance(item, str))


@rule("markdown")
def unsupported_markdown(ctx: CheckContext) -> Iterator[Finding]:
    source = ctx.locate.issue
    for index, block in enumerate(ctx.loaded.issue.blocks):
        if ("blocks", index) not in source.doc.values:  # the footer the loader adds has no text
            continue
        for path, text in markdown_fields(block, ("blocks", index)):
            for found in unsupported(text):
                # at the place the parser read it: the same characters in code earlier are no HTML
                exact = source.point(path, text, *found.at) if found.at else None
                where = exact or source.refine(source.doc.value_location(path), found.snippet)
                yield Finding("markdown", "warning", where,
                              f"{found.construct} cannot be shown in email as written ('{found.snippet}'): "
                              f"readers see {found.becomes} ({found.fix})")
