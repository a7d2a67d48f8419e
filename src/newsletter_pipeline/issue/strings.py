"""The ``strings:`` overrides of built-in words: each must name a real message and keep its placeholders.

A real message is a built-in one (messages.pot) or one the project's own
templates use (``i18n/project.py``).

Checked when the issue loads, so a typo in a message ("Folow us") is an
error at its line instead of an override that silently never applies, and a
placeholder the template does not pass (``%(nmae)s``) is caught before it
could fail the render.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection

from ..errors import DiagnosticList
from ..i18n import known_messages
from .located_yaml import LocatedDocument

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def check_strings(strings: dict[str, dict[str, str]], config: LocatedDocument, issue: LocatedDocument,
                  problems: DiagnosticList, project_messages: Callable[[], Collection[str]] = tuple) -> None:
    """Add a located problem for every override of an unknown message or with other placeholders.

    A message is known when it is built in or when ``project_messages()`` (the
    messages of the project's own templates) has it; that is asked only when
    an override names no built-in message, since it reads the templates.
    """
    if not strings:
        return
    known: Collection[str] = known_messages()
    if any(message not in known for table in strings.values() for message in table):
        known = (*known, *sorted(set(project_messages()) - set(known)))
    issue_strings = (issue.data.get("settings") or {}).get("strings") or {} if isinstance(issue.data, dict) else {}
    for language, table in strings.items():
        for message, text in table.items():
            in_issue = message in (issue_strings.get(language) or {})
            doc, prefix = (issue, ("settings", "strings")) if in_issue else (config, ("strings",))
            path = (*prefix, language, message)
            shown = ".".join(map(str, (*prefix, language)))
            if message not in known:
                match = difflib.get_close_matches(message, known, n=1, cutoff=0.6)
                problems.add(doc.key_location(path),
                             f"'{message}' is no built-in message, and no template of the project uses it", shown,
                             f"did you mean '{match[0]}'?" if match else
                             "write the English text exactly as the email shows it, or as the template writes it "
                             "in _(\"...\") (README 'Languages')")
            elif _placeholders(text) != _placeholders(message):
                wanted = ", ".join(f"%({name})s" for name in sorted(_placeholders(message))) or "none"
                problems.add(doc.value_location(path), f"the text for '{message}' must keep its placeholders",
                             shown, f"write exactly these, where the words go: {wanted}")
