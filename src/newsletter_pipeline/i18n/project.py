"""The messages of a project's own templates, which ``strings:`` translates as it does the built-in ones.

A template override may write words of its own
(``{{ _("Written by %(who)s", who=...) }}``). No catalogue has them, so the
project translates them under ``strings:`` in newsletter.yaml; a language it
has not translated them for reads them in English, with a ``language``
warning at the template's line. They are found as ``messages.pot`` is
(extract.py: Babel's Jinja extractor, the same keywords and options), in the
templates a render uses (``template_folders.project_templates``), and a file
is read again only once it changes (the preview runs for hours).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..template_folders import project_templates
from .extract import JINJA, JINJA_OPTIONS, KEYWORDS

# a call of a KEYWORDS function: a template without one (most overrides) needs no Babel import (~25 ms)
_CALL = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, KEYWORDS)) + r")\s*\(")


@dataclass(frozen=True)
class TemplateMessage:
    """One use of a message in a project template: its ``msgid`` s (a plural's both forms) and line."""

    ids: tuple[str, ...]
    path: Path
    line: int


def template_messages(chain: tuple[Path, ...]) -> tuple[TemplateMessage, ...]:
    """Every use of a message in the project's templates of ``chain``, built-in messages included."""
    found: list[TemplateMessage] = []
    for path in project_templates(chain).values():
        try:
            stat = path.stat()
        except OSError:
            continue  # gone since it was listed: the render reports a missing template
        found += _extracted(path, stat.st_mtime_ns, stat.st_size)
    return tuple(found)


def template_message_ids(chain: tuple[Path, ...]) -> set[str]:
    return {msgid for message in template_messages(chain) for msgid in message.ids}


@lru_cache(maxsize=256)
def _extracted(path: Path, mtime_ns: int, size: int) -> tuple[TemplateMessage, ...]:
    """The messages of one template file (keyed by its modification time and size, so an edit is read)."""
    try:
        if not _CALL.search(path.read_text(encoding="utf-8")):
            return ()
        from babel.messages.extract import extract_from_file
        # a template that does not parse yields nothing here (the extractor's default): the render reports it
        extracted = extract_from_file(JINJA, str(path), keywords=KEYWORDS, options=JINJA_OPTIONS)
    except (OSError, UnicodeDecodeError):
        return ()
    found = []
    for line, message, _comments, _context in extracted:
        ids = tuple(m for m in (message if isinstance(message, tuple) else (message,)) if m)
        if ids:
            found.append(TemplateMessage(ids, path, line))
    return tuple(found)
