"""Which characters a one-line or a multi-line text may not hold, shared by the issue schema and the settings.

A line break in a subject or a sender name becomes a forged mail header (or
a ``ValueError`` deep in the send); C0/C1 controls and escape sequences
rewrite terminals and break the text part; the Unicode line and paragraph
separators end lines for mail clients and JavaScript. Bidi overrides reverse
what follows them ("moc.evil" reads as "live.com"): refused in one-line
fields. The embeddings and isolates (U+202A-C, U+2066-9) and the marks
(U+200E/F) stay allowed, as right-to-left text needs them.
"""

from __future__ import annotations

import unicodedata

SEPARATORS = {"\u2028": "a line separator", "\u2029": "a paragraph separator"}
OVERRIDES = {"\u202d": "a left-to-right override", "\u202e": "a right-to-left override"}
NAMED = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab", "\x00": "a NUL character",
         "\x1b": "an escape character", "\x7f": "a delete character"}


def first_control(value: str, *, multi_line: bool) -> tuple[int, str] | None:
    """(index, description) of the first character a field of this kind refuses, else ``None``.

    ``multi_line`` text keeps line breaks (``\\n``, ``\\r\\n``) and tabs.
    """
    for index, char in enumerate(value):
        if multi_line and char in "\n\t":
            continue
        if multi_line and char == "\r" and value[index + 1:index + 2] == "\n":
            continue  # a Windows line end
        if unicodedata.category(char) == "Cc" or char in SEPARATORS or (not multi_line and char in OVERRIDES):
            return index, NAMED.get(char) or SEPARATORS.get(char) or OVERRIDES.get(char) or "a control character"
    return None
