"""Which characters a one-line or a multi-line text may not hold, shared by the issue schema and the settings.

A line break in a subject or a sender name becomes a forged mail header (or
a ``ValueError`` deep in the send); C0/C1 controls and escape sequences
rewrite terminals and break the text part; the Unicode line and paragraph
separators end lines for mail clients and JavaScript. Bidi overrides reverse
what follows them ("moc.evil" reads as "live.com"): refused in one-line
fields. The embeddings and isolates (U+202A-C, U+2066-9) and the marks
(U+200E/F) stay allowed, as right-to-left text needs them.

A one-line field is also read through MIME's encoded words: mail headers
decode ``=?utf-8?q?a=0D=0ABcc:_x?=`` into a line break, and Python 3.11
before 3.11.10 (CVE-2024-6923) writes it into the header as such, so the
subject ``Hi =?utf-8?q?x=0D=0ABcc:_evil@x.org?=`` forged a Bcc line (or, with
two line breaks, replaced the whole message body). What an encoded word
decodes to is held to the same rule (``encoded_control``).
"""

from __future__ import annotations

import re

SEPARATORS = {"\u2028": "a line separator", "\u2029": "a paragraph separator"}
OVERRIDES = {"\u202d": "a left-to-right override", "\u202e": "a right-to-left override"}
NAMED = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab", "\x00": "a NUL character",
         "\x1b": "an escape character", "\x7f": "a delete character"}


# the same characters as the rule above (category Cc is exactly U+0000-001F and U+007F-009F), as one
# regular expression: the schema asks this of every text field, and a loop over unicodedata.category
# per character was the largest single function of a batch build's profile (5.2 of ~100 ms profiled
# per issue; tests/test_fast_paths.py compares the expression with that loop)
_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202d\u202e]")
_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]|\r(?!\n)")


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def encoded_control(value: str) -> tuple[str, str] | None:
    """(the encoded word, description) of the first MIME encoded word in ``value`` whose text holds a
    character a one-line field refuses, else ``None`` (``value`` itself is checked by ``first_control``)."""
    if "=?" not in value:
        return None
    from email.header import decode_header, make_header

    for word in _ENCODED_WORD.finditer(value):
        try:
            decoded = str(make_header(decode_header(word.group())))
        except (ValueError, LookupError, UnicodeError):  # not decodable: no mail client shows it decoded
            continue
        found = first_control(decoded, multi_line=False)
        if found is not None:
            return word.group(), found[1]
    return None


def first_control(value: str, *, multi_line: bool) -> tuple[int, str] | None:
    """(index, description) of the first character a field of this kind refuses, else ``None``.

    A one-line field refuses every control character (category Cc), the line and paragraph
    separators and the bidi overrides; ``multi_line`` text keeps line breaks (``\\n``,
    ``\\r\\n``) and tabs, and the overrides.
    """
    found = (_MULTI_LINE if multi_line else _ONE_LINE).search(value)
    if found is None:
        return None
    char = found.group()[0]
    return found.start(), NAMED.get(char) or SEPARATORS.get(char) or OVERRIDES.get(char) or "a control character"
