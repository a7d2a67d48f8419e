"""subject and preheader: what the inbox shows before the email is opened."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from ...render.eastasian import wide_characters
from ..context import CheckContext
from ..findings import Finding
from . import rule

SUBJECT_MAX = 78  # RFC 5322's line length; inboxes cut around 40-70 characters anyway
PREHEADER_MIN, PREHEADER_MAX = 40, 140


def subject_problems(subject: str | None) -> list[tuple[str, str]]:
    """(level, message) pairs for a subject line."""
    text = (subject or "").strip()
    if not text:
        return [("error", "the subject is empty (write what the issue is about)")]
    if len(text) > SUBJECT_MAX:
        return [("warning", f"the subject is {len(text)} characters; inboxes cut it after about "
                            f"{SUBJECT_MAX} (shorten it, put the key words first)")]
    return []


def visible_length(text: str) -> int:
    """How many characters a reader sees: white space runs once, and what a screen draws as one
    character counts once (``é`` written as e + accent, ``👩‍🔬`` joined by U+200D, a flag of two regional
    letters, a skin tone); invisible format characters (zero-width joiners, soft hyphens) not at all.
    (The user-perceived characters of UAX #29, for what a preheader holds.)"""
    count, joined, flag = 0, False, False
    for char in " ".join(text.split()):
        code, kind = ord(char), unicodedata.category(char)
        if char == "\u200d":
            joined = True
            continue
        if kind in ("Mn", "Me", "Cf") or 0x1F3FB <= code <= 0x1F3FF:  # marks, format, skin tones
            continue
        if joined:  # the next part of an emoji joined to the one before
            joined = False
            continue
        if 0x1F1E6 <= code <= 0x1F1FF:  # regional indicators: two make one flag
            flag = not flag
            if not flag:
                continue
        else:
            flag = False
        count += 1
    return count


def _room(text: str, length: int) -> int:
    """The preview line's room ``text`` takes, in Latin letters: a wide character (Chinese, Japanese,
    Korean) is drawn twice as wide, so 29 of them fill what 58 letters do. Emoji (U+1F000 on) stay
    one, as ``visible_length`` counts them: inboxes draw them about a letter wide."""
    return length + sum(char < "\U0001f000" for char in wide_characters(text))


def preheader_problems(preheader: str | None, subject: str | None) -> list[tuple[str, str]]:
    """(level, message) pairs for the preview text shown after the subject."""
    text = (preheader or "").strip()
    if not text:
        return [("warning", "no preheader: inboxes will show the first words of the email instead "
                            f"(add 'preheader:' with {PREHEADER_MIN}-{PREHEADER_MAX} characters)")]
    problems = []
    length = visible_length(text)
    room = _room(text, length)
    if not PREHEADER_MIN <= room <= PREHEADER_MAX:
        wide = f" (as wide as {room} Latin letters: Chinese, Japanese and Korean count twice)" if room != length else ""
        problems.append(("warning", f"the preheader is {length} {'character' if length == 1 else 'characters'}"
                                    f"{wide}; write {PREHEADER_MIN}-{PREHEADER_MAX} so it fills the preview "
                                    "line without being cut"))
    if " ".join(text.lower().split()) == " ".join((subject or "").lower().split()):
        problems.append(("warning", "the preheader repeats the subject (use it to add what the subject "
                                    "does not say)"))
    return problems


@rule("subject", "preheader")
def envelope(ctx: CheckContext) -> Iterator[Finding]:
    subject, preheader = ctx.rendered.subject, ctx.rendered.preheader
    for level, message in subject_problems(subject):
        yield Finding("subject", level, ctx.loaded.location(("subject",)), message)
    where = (ctx.loaded.location(("preheader",)) if "preheader" in ctx.loaded.doc.data
             else ctx.loaded.doc.key_location(("subject",)))
    for level, message in preheader_problems(preheader, subject):
        yield Finding("preheader", level, where, message)
