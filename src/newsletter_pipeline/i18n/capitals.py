"""Text in capitals as each language writes it: the plain-text part's headings (``Messages.upper``).

``str.upper`` is right for most languages (German ß becomes SS) but not for:

- Turkish and Azerbaijani, whose dotted i is İ in capitals (``İSTANBUL'DAN KIŞ BÜLTENİ``, not
  ``BÜLTENI``); the dotless ı is already I;
- Greek, whose capitals drop the accent (``ΚΥΡΙΟΤΕΡΑ``), but where the accent kept two vowels apart
  (``Μάιος``, ``άυλη``, ``ρολόι``), the second takes a diaeresis instead, or the pair would read as one
  sound (``ΜΑΪΟΣ``, ``ΑΫΛΗ``, ``ΡΟΛΟΪ``);
- Irish, whose initial mutations stay in small letters before the capital they mutate
  (``na hÉIREANN``, ``an tAIRE``, ``i mBAILE``);
- Lithuanian, whose i keeps the dot above only in small letters: ``i̇̀`` (an i with the dot written
  out, to carry an accent) is ``Ì`` in capitals (Unicode's SpecialCasing), not ``İ̀``.
Crimean Tatar and Gagauz write the dotted i as Turkish does.
"""

from __future__ import annotations

import re
import unicodedata

DOTTED_I = frozenset({"tr", "az", "crh", "gag"})
_LITHUANIAN_DOT = re.compile("(?<=[IJ])(\u0328?)\u0307")  # after I or J (an ogonek between stays)
ACUTE, DIAERESIS = "\u0301", "\u0308"  # the tonos and the dialytika, once decomposed
# the vowel pairs Greek reads as one sound; an accent on the first one splits them
_GREEK_SPLIT = "([ΑΕΟΗΥ])" + ACUTE + "([ΙΥ])(?![\u0300-\u036f])"
_GREEK_PAIRS = frozenset({"ΑΙ", "ΕΙ", "ΟΙ", "ΥΙ", "ΑΥ", "ΕΥ", "ΗΥ", "ΟΥ"})
# an Irish mutation: one or two small letters at the start of a word, then the capital they mutate
_IRISH_MUTATION = r"\b(n|t|h|m|g|d|b|bh|dt|ng|bp|gc|nd|mb)(?=[AEIOUÁÉÍÓÚBCDFGP])"


def capitals(text: str, language: str) -> str:
    """``text`` in capitals, as ``language`` (a BCP 47 tag) writes them."""
    primary = language.split("-")[0].lower()
    if primary in DOTTED_I:
        return text.replace("i", "İ").upper()
    if primary == "el":
        return _greek(text)
    if primary == "ga":
        return _irish(text)
    if primary == "lt":
        return unicodedata.normalize("NFC", _LITHUANIAN_DOT.sub(r"\1", unicodedata.normalize("NFD", text.upper())))
    return text.upper()


def _greek(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.upper())

    def split(match: re.Match[str]) -> str:
        pair = match.group(1) + match.group(2)
        return pair + DIAERESIS if pair in _GREEK_PAIRS else match.group(1) + ACUTE + match.group(2)

    return unicodedata.normalize("NFC", re.sub(_GREEK_SPLIT, split, decomposed).replace(ACUTE, ""))


def _irish(text: str) -> str:
    pieces = []
    last = 0
    for match in re.finditer(_IRISH_MUTATION, text):  # compiled (and kept by re) only for Irish
        pieces += [text[last:match.start()].upper(), match.group(1)]
        last = match.end()
    return "".join(pieces) + text[last:].upper()
