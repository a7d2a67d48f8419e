"""placeholder: the TODO and FIXME marks that ``newsletter new`` (or a writer) left in an issue.

An error in ``check`` and ``send``, so a half-written issue is never sent; a
warning in ``build`` and the preview's build (``DRAFT_RULES``), so the writer
can look at the draft while filling it in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...errors import echo
from ...issue.located_yaml import LocatedDocument, format_key_path
from ..context import CheckContext
from ..findings import Finding
from ..locate import walk_strings
from . import rule

MARK = re.compile(r"\b(TODO|FIXME)\b")  # capitals only: "todo" is a word in real text
DRAFT_RULES = frozenset({"placeholder"})  # what `build` lets through as a warning


def placeholder_findings(doc: LocatedDocument) -> Iterator[Finding]:
    """One error per string value of ``doc`` that still holds a mark, at that value."""
    for path, value in walk_strings(doc.data):
        if not MARK.search(value):
            continue
        url = value.strip().startswith(("https:", "http:", "mailto:"))
        fix = "put the live address in its place" if url else "write the real text in its place"
        yield Finding("placeholder", "error", doc.value_location(path),
                      f"{format_key_path(path)}: {echo(value)} is a placeholder: {fix} "
                      "(an issue with TODO is never sent)")


@rule("placeholder")
def placeholders(ctx: CheckContext) -> Iterator[Finding]:
    return placeholder_findings(ctx.loaded.doc)
