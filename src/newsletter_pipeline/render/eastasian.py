"""Width in columns, and where a line may break: Chinese, Japanese and Korean, emoji and combining marks.

Chinese, Japanese and Korean characters are East Asian Wide or Fullwidth
(UAX #11): a monospace mail client gives each two columns, so ``len()``
counts half of what the reader sees. An emoji sequence is the opposite: 👨‍👩‍👧‍👦
is seven code points (four emoji and three zero-width joiners) in two
columns, a flag two regional indicators in two, and é written as e and a
combining accent two code points in one. ``display_width`` counts by
grapheme cluster with ``wcwidth``, which also knows the emoji of Unicode
versions newer than the running Python's ``unicodedata``.

Chinese and Japanese put no space between words, and ``textwrap``, which
breaks only at spaces, wrote a whole paragraph on one line. ``wrap``
measures in columns (``display_width``) and may also break between two
characters where UAX #14 (the Unicode line-breaking algorithm) allows it and
one of them is wide; never between two narrow ones, so a Latin word or a
number stays whole, and a URL never breaks at all, as
``break_long_words=False`` keeps them in ``textwrap``.

Only the rules of UAX #14 that matter beside a wide character are here:

- no break before closing punctuation and marks that must not start a line
  (。，、）」！？, the small kana, ー, 々, …), nor after opening punctuation
  (（「“, a currency sign); nor before a combining mark, a joiner, a
  variation selector or a skin tone, nor after a joiner, so no cut falls
  inside an emoji sequence;
- Korean puts spaces between words, so a break beside a Hangul syllable is
  taken only in a word wider than the line;
- a URL or an address is never cut, even one holding CJK characters (an
  IRI); one typed with no space after it keeps the text that follows it up
  to the next CJK punctuation, since where it ends cannot be known.

The full algorithm is in uniseg, but it took 12 ms for one 150-character
paragraph (about 80 µs a character; this module ~1 µs) and 38 ms to import;
PyICU needs ICU's C library built. On the test paragraphs every cut made
here is one uniseg's UAX #14 allows, and the only ones it adds are inside
URLs. Which characters are wide, for the breaks, is ``unicodedata``'s answer,
of the running Python's Unicode version.

``text.py`` sends here only text with a character that is not one column on
its own (``one_column_each``: ``str.isascii``, then one regular expression:
0.02 ms for all the English seed's paragraphs and 0.11 ms for the Greek
edition's, which ``textwrap`` wraps in 1.4 and 2.2 ms). All other text is
wrapped by ``textwrap`` as before, byte for byte, and never imports
``wcwidth`` (~20 ms).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from types import ModuleType

# Every assigned Wide or Fullwidth code point lies in these ranges (tests/test_text_cjk.py checks it
# against unicodedata), so text with none of them, the common case, is answered without a Python loop.
_CANDIDATES = ("[\u1100-\u115f\u231a-\u2b55\u2e80-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff"
               "\ufe10-\ufe6f\uff01-\uffe6\U00016fe0-\U0001fbff\U00020000-\U0003fffd]")
_JAMO = re.compile("[\u1100-\u115f]")  # the only ranges below U+231A

# UAX #14 classes that must not start a line, besides the categories below: CL, EX, IS, NS, CJ (the
# small kana and ー, treated as NS as UAX #14 does by default), IN, PO, the ideographic space (BA),
# hyphens (HY, BA) and the solidus (SY) before which nothing breaks, and the glue characters (GL, WJ).
_NO_BREAK_BEFORE = frozenset(
    "、。，．｡､︐︑︒﹐﹒" "!?！？︕︖﹗﹖" ",.:;" "々〻ゝゞヽヾﾞﾟ゛゜〜゠‼‽⁇⁈⁉・･：；︓︔﹔﹕"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿｧｨｩｪｫｬｭｮｯーｰ"
    "‥…⋯︙" "%％‰′″°℃¢￠" "\u3000" "-\u2010\u2013/" "\"'" "\u00a0\u202f\u2060\ufeff"
    "\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")  # the emoji skin tones (EM) after their emoji
_NO_BREAK_BEFORE_CATEGORIES = frozenset({"Pe", "Pf", "Mn", "Mc", "Me", "Cf"})  # closing, combining, format
# OP and PR that must not end a line, besides the categories Ps and Pi (opening brackets and quotes);
# the straight quotes may open or close, so they stick to both sides.
_NO_BREAK_AFTER = frozenset("¡¿$£¥€₩＄￡￥￦№" "\"'" "\u00a0\u202f\u2060\ufeff\u200d")
_NO_BREAK_AFTER_CATEGORIES = frozenset({"Ps", "Pi"})

# CJK punctuation never stands in a URL as written; it ends the unbroken run of a URL typed without a
# space before the text that follows it (访问https://example.org/了解更多，...).
_CJK_PUNCTUATION = "\u3000-\u303f\ufe10-\ufe1f\ufe30-\ufe4f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
# what stays whole whatever it holds: a link as markdown_to_text writes it (<url>), a URL, an address
_UNBROKEN = (rf"<[^<>\s]+>|(?:https?://|mailto:)[^\s<>{_CJK_PUNCTUATION}]+"
             rf"|[A-Za-z0-9._%+-]+@[^\s<>{_CJK_PUNCTUATION}]+")
# Korean breaks at its spaces (UAX #14 would also break between two syllables)
_HANGUL = "[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff]"
_SPACES = re.compile("( +)")
_WHITESPACE = str.maketrans("\t\n\x0b\x0c\r", "     ")  # what textwrap turns into spaces

# Characters that take one column whatever follows them or comes before (checked against wcwidth, character by
# character, by tests/test_text_cjk.py): ASCII, Latin, Greek, Cyrillic, Armenian and Georgian letters, the
# spacing punctuation, currency and letterlike signs, arrows and maths. Text with none outside, all text in
# European languages as typed (é precomposed), is measured by len(); anything else by wcwidth.
_ONE_COLUMN = ("\x20-\x7e\xa0-\u02ff\u0370-\u0482\u048a-\u0590\u10a0-\u10ff\u1e00-\u1fff"
               "\u2010-\u2027\u2030-\u205e\u20a0-\u20c0\u2100-\u2319")
_NOT_ONE_COLUMN = f"[^{_ONE_COLUMN}]"

Unit = tuple[str, int]  # a run of spaces, or a piece that joins the next without one; and its columns


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


@cache
def _wcwidth() -> ModuleType:
    """``wcwidth``, imported on first use: ~20 ms of start-up (``python -X importtime``), which a build whose
    text is all ``one_column_each`` (English, Greek, Polish...) never needs."""
    import wcwidth

    return wcwidth


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """The large patterns, compiled on first use: ``_CANDIDATES`` alone took ~3 ms of every build's start-up,
    which text in European languages never needs (``_candidates_in``)."""
    return re.compile(pattern)


def _candidates_in(text: str) -> list[str]:
    """The characters of ``text`` in the ranges of ``_CANDIDATES``.

    ``max()`` runs in C: text in European languages (accents, dashes, the euro sign included) has no
    character from U+231A on, so it never needs the large pattern.
    """
    if text.isascii():  # ~7x faster on English
        return []
    top = max(text)
    if top < "\u1100":
        return []
    return _JAMO.findall(text) if top < "\u231a" else _compiled(_CANDIDATES).findall(text)


def has_wide(text: str) -> bool:
    """Whether ``text`` has an East Asian Wide or Fullwidth character."""
    return any(map(_wide, _candidates_in(text)))


def wide_characters(text: str) -> list[str]:
    """The East Asian Wide or Fullwidth characters of ``text``, emoji among them, in order."""
    return [char for char in _candidates_in(text) if _wide(char)]


def one_column_each(text: str) -> bool:
    """Whether every character of ``text`` takes one column on its own, so ``len()`` is its width.

    ``False`` for a wide character, a combining mark, a format character
    (ZWJ, a variation selector), an emoji or anything else outside ``_ONE_COLUMN``.
    ASCII is ``True`` whole, its control characters too: the text part has
    none by the time it is measured (lines are split at newlines, tabs become spaces).
    """
    return text.isascii() or not _compiled(_NOT_ONE_COLUMN).search(text)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospace font, counted by grapheme cluster (``wcwidth``).

    A wide character, an emoji, a ZWJ sequence (👨‍👩‍👧‍👦) or a flag takes 2;
    a combining mark, a variation selector or a joiner 0. Text of one-column
    characters only is answered by ``len()``, without importing ``wcwidth``
    (see ``_wcwidth``).
    """
    if one_column_each(text):
        return len(text)
    return _wcwidth().width(text, control_codes="ignore")


def _may_break(before: str, after: str) -> bool:
    """The punctuation rules, for two adjacent characters of which one is wide."""
    return not (after in _NO_BREAK_BEFORE or unicodedata.category(after) in _NO_BREAK_BEFORE_CATEGORIES
                or before in _NO_BREAK_AFTER or unicodedata.category(before) in _NO_BREAK_AFTER_CATEGORIES)


def pieces(word: str, long_word: bool = False) -> list[Unit]:
    """``word`` (no spaces) cut where a line may break, with each piece's columns.

    A cut needs a wide character on one side at least, and none is made
    inside a URL or an address; beside a Hangul character only with
    ``long_word`` (a word wider than the line).
    """
    wide = list(map(_wide, word))
    kept = set()  # positions inside a URL or an address
    if "<" in word or ":" in word or "@" in word:
        for match in _compiled(_UNBROKEN).finditer(word):
            kept.update(range(match.start() + 1, match.end()))
    if not long_word:
        for match in _compiled(_HANGUL).finditer(word):
            kept.update((match.start(), match.end()))  # either side of a Hangul character
    cuts = [i for i in range(1, len(word))
            if (wide[i - 1] or wide[i]) and i not in kept and _may_break(word[i - 1], word[i])]
    bounds = list(zip([0, *cuts], [*cuts, len(word)]))
    return [(word[start:end], display_width(word[start:end])) for start, end in bounds]


def wrap(text: str, width: int, indent: str = "", hanging: str | None = None) -> list[str]:
    """``text`` wrapped to ``width`` columns: ``textwrap.wrap`` with ``break_long_words=False``, in columns.

    A line breaks at spaces as textwrap breaks it (leading spaces of the
    paragraph kept, those at the end of a line dropped), and also where
    ``pieces`` cuts. A piece wider than the line stands alone on it.
    """
    text = text.expandtabs().translate(_WHITESPACE)
    units: list[Unit] = []
    for chunk in _SPACES.split(text):
        if chunk:
            units += [(chunk, display_width(chunk))] if chunk[0] == " " or not has_wide(chunk) else pieces(chunk)
    return _fill(units, width, indent, indent if hanging is None else hanging)


def _fill(units: list[Unit], width: int, indent: str, hanging: str) -> list[str]:
    """Lines of ``units``, filled greedily as textwrap fills them."""
    lines: list[str] = []
    i = 0
    while i < len(units):
        prefix = hanging if lines else indent
        room = width - display_width(prefix)
        if lines and units[i][0][0] == " ":
            i += 1  # a line after the first starts at its first word
        line: list[str] = []
        used = 0
        while i < len(units) and used + units[i][1] <= room:
            line.append(units[i][0])
            used += units[i][1]
            i += 1
        if i < len(units) and not line and units[i][1] > room:
            split = pieces(units[i][0], long_word=True)  # a Korean word wider than the line
            if len(split) > 1:
                units[i:i + 1] = split
                continue
            line.append(units[i][0])  # wider than the line and unbreakable (a URL): alone on it
            i += 1
        if line and line[-1][0] == " ":
            line.pop()
        if line:
            lines.append(prefix + "".join(line))
    return lines
