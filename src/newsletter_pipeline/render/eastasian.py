"""Chinese, Japanese and Korean in the plain-text part: display width, and where a line may break.

Their characters are East Asian Wide or Fullwidth (UAX #11): a monospace
mail client gives each two columns, so ``len()`` counts half of what the
reader sees. Chinese and Japanese put no space between words, and
``textwrap``, which breaks only at spaces, wrote a whole paragraph on one
line. ``wrap`` measures in columns (a wide character 2, any other 1, as
``len()`` counts it) and may also break between two characters where UAX
#14 (the Unicode line-breaking algorithm) allows it and one of them is wide;
never between two narrow ones, so a Latin word or a number stays whole, and
a URL never breaks at all, as ``break_long_words=False`` keeps them in
``textwrap``.

Only the rules of UAX #14 that matter beside a wide character are here:

- no break before closing punctuation and marks that must not start a line
  (。，、）」！？, the small kana, ー, 々, …), nor after opening punctuation
  (（「“, a currency sign);
- Korean puts spaces between words, so a break beside a Hangul syllable is
  taken only in a word wider than the line.

The full algorithm is in uniseg, but it took 12 ms for one 150-character
paragraph (about 80 µs a character) and 38 ms to import; PyICU needs ICU's
C library built. Which characters are wide is ``unicodedata``'s answer, of
the running Python's Unicode version.

``text.py`` sends only text with a wide character here (``has_wide``, a
regular expression first): all other text is wrapped by ``textwrap`` as
before, byte for byte.
"""

from __future__ import annotations

import re
import unicodedata

# Every assigned Wide or Fullwidth code point lies in these ranges (tests/test_text_cjk.py checks it
# against unicodedata), so text with none of them, the common case, is answered without a Python loop.
_CANDIDATES = re.compile("[\u1100-\u115f\u231a-\u2b55\u2e80-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff"
                         "\ufe10-\ufe6f\uff01-\uffe6\U00016fe0-\U0001fbff\U00020000-\U0003fffd]")

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
_UNBROKEN = re.compile(rf"<[^<>\s]+>|(?:https?://|mailto:)[^\s<>{_CJK_PUNCTUATION}]+"
                       rf"|[A-Za-z0-9._%+-]+@[^\s<>{_CJK_PUNCTUATION}]+")
_SPACES = re.compile("( +)")
_WHITESPACE = str.maketrans("\t\n\x0b\x0c\r", "     ")  # what textwrap turns into spaces

NEVER, ALLOWED, IN_A_LONG_WORD = 0, 1, 2


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def has_wide(text: str) -> bool:
    """Whether ``text`` has an East Asian Wide or Fullwidth character."""
    return any(map(_wide, _CANDIDATES.findall(text)))


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospace font: 2 for a wide character, 1 for any other (as ``len()``)."""
    candidates = _CANDIDATES.findall(text)
    return len(text) + sum(map(_wide, candidates)) if candidates else len(text)


def _hangul(char: str) -> bool:
    return ("\uac00" <= char <= "\ud7a3" or "\u1100" <= char <= "\u11ff" or "\u3130" <= char <= "\u318f"
            or "\ua960" <= char <= "\ua97f" or "\ud7b0" <= char <= "\ud7ff")


def break_between(before: str, after: str) -> int:
    """May a line break between two adjacent characters: ``NEVER``, ``ALLOWED`` or ``IN_A_LONG_WORD``."""
    if not (_wide(before) or _wide(after)):
        return NEVER  # inside a Latin word, a number, a URL
    if after in _NO_BREAK_BEFORE or unicodedata.category(after) in _NO_BREAK_BEFORE_CATEGORIES:
        return NEVER
    if before in _NO_BREAK_AFTER or unicodedata.category(before) in _NO_BREAK_AFTER_CATEGORIES:
        return NEVER
    return IN_A_LONG_WORD if _hangul(before) or _hangul(after) else ALLOWED


def pieces(word: str, long_word: bool = False) -> list[str]:
    """``word`` (no spaces) cut where a line may break; ``long_word`` also cuts beside Hangul."""
    kept = set()  # positions inside a URL or an address
    for match in _UNBROKEN.finditer(word):
        kept.update(range(match.start() + 1, match.end()))
    wanted = (ALLOWED, IN_A_LONG_WORD) if long_word else (ALLOWED,)
    cuts = [i for i in range(1, len(word)) if i not in kept and break_between(word[i - 1], word[i]) in wanted]
    return [word[start:end] for start, end in zip([0, *cuts], [*cuts, len(word)])]


def wrap(text: str, width: int, indent: str = "", hanging: str | None = None) -> list[str]:
    """``text`` wrapped to ``width`` columns: ``textwrap.wrap`` with ``break_long_words=False``, in columns.

    A line breaks at spaces as textwrap breaks it (leading spaces of the
    paragraph kept, those at the end of a line dropped), and also where
    ``pieces`` cuts. A piece wider than the line stands alone on it.
    """
    text = text.expandtabs().translate(_WHITESPACE)
    units: list[str] = []
    for chunk in _SPACES.split(text):
        if chunk:
            units += [chunk] if chunk[0] == " " or not has_wide(chunk) else pieces(chunk)
    return _fill(units, width, indent, indent if hanging is None else hanging)


def _fill(units: list[str], width: int, indent: str, hanging: str) -> list[str]:
    """Lines of ``units`` (runs of spaces, and pieces that join without one), filled greedily as textwrap does."""
    widths = [display_width(unit) for unit in units]
    lines: list[str] = []
    i = 0
    while i < len(units):
        prefix = hanging if lines else indent
        room = width - display_width(prefix)
        if lines and units[i][0] == " ":
            i += 1  # a line after the first starts at its first word
        line: list[str] = []
        used = 0
        while i < len(units) and used + widths[i] <= room:
            line.append(units[i])
            used += widths[i]
            i += 1
        if i < len(units) and not line and widths[i] > room:
            split = pieces(units[i], long_word=True)  # a Korean word wider than the line
            if len(split) > 1:
                units[i:i + 1], widths[i:i + 1] = split, [display_width(piece) for piece in split]
                continue
            line.append(units[i])  # wider than the line and unbreakable (a URL): alone on it
            i += 1
        if line and line[-1][0] == " ":
            line.pop()
        if line:
            lines.append(prefix + "".join(line))
    return lines
