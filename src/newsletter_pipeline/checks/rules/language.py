"""language and edition-drift: the words the tool writes in the issue's language; editions that match their default.

The words are the built-in ones (catalogues) and those the project's own templates add (``strings:``).
"""

from __future__ import annotations

from collections.abc import Iterator
from difflib import SequenceMatcher
from typing import Any

from ...errors import Location, NewsletterError
from ...i18n import CATALOGUES, SOURCE_LANGUAGE, catalogue_languages, known_messages, shown_messages
from ...i18n.project import TemplateMessage, template_messages
from ...issue.editions import default_edition, split_name
from ...issue.load import display_path, load_issue
from ...template_folders import template_chain
from ..context import CheckContext
from ..findings import Finding
from . import rule


@rule("language")
def missing_catalogue(ctx: CheckContext) -> Iterator[Finding]:
    """A language without a catalogue gets English headings, labels and footer: say so, and how to fix it."""
    messages = ctx.loaded.messages
    if messages.catalogue is not None:
        return
    shown = shown_messages()  # not the starter's words, which no email shows
    untranslated = [m for m in shown if m not in messages.overrides]
    if not untranslated:  # the project wrote every word itself under strings:
        return
    where = (ctx.loaded.location(("language",)) if "language" in ctx.loaded.doc.data
             else Location(ctx.loaded.doc.file, 1, 1))
    base = messages.language.split("-")[0].lower()
    yield Finding("language", "warning", where,
                  f"language '{messages.language}' has no catalogue (i18n/{CATALOGUES.name}/{base}.po is missing): "
                  "the built-in words (footer, labels, default headings) are written in English. "
                  f"Shipped: {', '.join(catalogue_languages())}. Add {base}.po (README 'Languages') "
                  f"or write all {len(shown)} messages under strings: {base}: in newsletter.yaml "
                  f"({len(untranslated)} missing, e.g. \"{untranslated[0]}\")")


@rule("language")
def untranslated_template_words(ctx: CheckContext) -> Iterator[Finding]:
    """A word the project's own templates add is English until ``strings:`` translates it: say where."""
    messages = ctx.loaded.messages
    if messages.catalogue == SOURCE_LANGUAGE:
        return
    built_in = set(known_messages())  # the catalogue's words, or the language warning above
    chain = template_chain(ctx.loaded.project_root, ctx.loaded.settings.templates, ctx.templates)
    reported: set[str] = set()
    base = messages.language.split("-")[0].lower()
    for found in template_messages(chain):
        for msgid in found.ids:
            if msgid in built_in or msgid in messages.overrides or msgid in reported:
                continue
            reported.add(msgid)
            yield Finding("language", "warning", _where_in_template(found, msgid),
                          f"this template's \"{msgid}\" has no translation for '{messages.language}', so "
                          f"readers see it in English (write it under strings: {base}: in newsletter.yaml; "
                          "README 'Languages')")


def _where_in_template(found: TemplateMessage, msgid: str) -> Location:
    """The template line that writes the message, at its opening quote when the line holds it as written."""
    try:
        line = found.path.read_text(encoding="utf-8").splitlines()[found.line - 1]
    except (OSError, UnicodeDecodeError, IndexError):
        line = ""
    at = line.find(msgid)
    return Location(display_path(found.path), found.line, at if at > 0 else 1)


@rule("edition-drift")
def edition_drift(ctx: CheckContext) -> Iterator[Finding]:
    """Editions are translations: a block missing or an event date that differs is usually a mistake."""
    default_path = default_edition(ctx.loaded.path)
    if default_path is None or not default_path.is_file():
        return
    try:
        default = load_issue(default_path, templates=ctx.templates)
    except NewsletterError:
        return  # the default edition's own check reports its errors
    shown = display_path(default_path)
    if default.issue.language.lower() == ctx.loaded.issue.language.lower():
        # each file is its own at-most-once send, to the same language's readers (audiences.py): twice
        where = ctx.loaded.location(("language",)) if "language" in ctx.loaded.doc.data else Location(
            ctx.loaded.doc.file, 1, 1)
        yield Finding("edition-drift", "error", where,
                      f"this edition is in {ctx.loaded.issue.language}, the language of {shown} already: both "
                      "would go to the same readers, who would get the issue twice (an edition translates "
                      "the issue into another language: remove this file, or translate it and rename it to "
                      f"{split_name(ctx.loaded.path.stem)[0]}.<language>.yaml)")  # type: ignore[index]
        return
    mine, theirs = ctx.loaded.issue.blocks, default.issue.blocks
    matcher = SequenceMatcher(a=[b.type for b in theirs], b=[b.type for b in mine], autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            for offset in range(a2 - a1):
                yield from _event_drift(ctx, theirs[a1 + offset], mine[b1 + offset], b1 + offset, shown)
            continue
        missing = ", ".join(f"blocks[{i}] ({theirs[i].type})" for i in range(a1, a2))
        extra = ", ".join(f"blocks[{i}] ({mine[i].type})" for i in range(b1, b2))
        where = ctx.loaded.location(("blocks", b1)) if b1 < len(mine) else ctx.loaded.location(("blocks",))
        message = (f"this edition lacks {missing} of {shown}" if not extra else
                   f"this edition has {extra} where {shown} has {missing or 'nothing'}")
        yield Finding("edition-drift", "warning", where,
                      f"{message}: editions are usually translations of the same blocks (add or remove it)")


def _event_drift(ctx: CheckContext, theirs: Any, mine: Any, index: int, shown: str) -> Iterator[Finding]:
    fields = ("start", "end", "date")
    for j, (their_event, my_event) in enumerate(zip(getattr(theirs, "events", []), getattr(mine, "events", []))):
        for name in fields:
            ours, other = getattr(my_event, name, None), getattr(their_event, name, None)
            if ours != other:
                where = ctx.loaded.location(("blocks", index, "events", j, name))
                yield Finding("edition-drift", "warning", where,
                              f"blocks[{index}].events[{j}].{name} is {ours or 'not set'} here but "
                              f"{other or 'not set'} in {shown} (an event has one date in every language)")
    count_mine, count_theirs = len(getattr(mine, "events", [])), len(getattr(theirs, "events", []))
    if count_mine != count_theirs:
        yield Finding("edition-drift", "warning", ctx.loaded.location(("blocks", index, "events")),
                      f"blocks[{index}] has {count_mine} events here but {count_theirs} in {shown}")
