"""language: the built-in words must be in the issue's language, not silently in English."""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import Location
from ...i18n import CATALOGUES, catalogue_languages, known_messages
from ..context import CheckContext
from ..findings import Finding
from . import rule


@rule("language")
def missing_catalogue(ctx: CheckContext) -> Iterator[Finding]:
    """A language without a catalogue gets English headings, labels and footer: say so, and how to fix it."""
    messages = ctx.loaded.messages
    if messages.catalogue is not None:
        return
    untranslated = [m for m in known_messages() if m not in messages.overrides]
    if not untranslated:  # the project wrote every word itself under strings:
        return
    where = (ctx.loaded.location(("language",)) if "language" in ctx.loaded.doc.data
             else Location(ctx.loaded.doc.file, 1, 1))
    base = messages.language.split("-")[0].lower()
    yield Finding("language", "warning", where,
                  f"language '{messages.language}' has no catalogue (i18n/{CATALOGUES.name}/{base}.po is missing): "
                  "the built-in words (footer, labels, default headings) are written in English. "
                  f"Shipped: {', '.join(catalogue_languages())}. Add {base}.po (README 'Languages') "
                  f"or write all {len(known_messages())} messages under strings: {base}: in newsletter.yaml "
                  f"({len(untranslated)} missing, e.g. \"{untranslated[0]}\")")
