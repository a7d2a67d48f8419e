"""File names from titles: ``"Νέα της άνοιξης"`` -> ``"nea-tis-anoixis"``, for ``newsletter new``.

An issue's file name is its slug (``YYYY-MM-<slug>.yaml``), which the web
archive also uses in its addresses, so it keeps to ASCII letters, digits and
hyphens. Titles come in the network's languages: accents are dropped (NFKD),
the Latin letters that do not decompose are spelled out (ß, ł, ø, æ, đ…),
and Greek and Cyrillic are transliterated letter by letter (ELOT 743 for
Greek, the Bulgarian official system for Cyrillic, with the letters of
Russian, Ukrainian and Serbian added), which is how such names are written
in web addresses. A slug is cut at a word boundary to ``MAX_LENGTH``.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 60  # characters: a readable address, and far below any file system's 255-byte name limit

# lower-case letters: the title is lower-cased first (ẞ -> ß, Ł -> ł...)
_LATIN = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ħ": "h", "ı": "i",
          "ŋ": "n"}
_GREEK = {"α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k",
          "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
          "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o"}
_GREEK_PAIRS = {"ου": "ou", "αυ": "au", "ευ": "eu"}  # the rest is letter by letter (μπ -> mp, γγ -> gg)
_CYRILLIC = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
             "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
             "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu",
             "я": "ya", "ё": "yo", "ы": "y", "э": "e", "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ђ": "dj",
             "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz"}
_PAIRS = re.compile("|".join(_GREEK_PAIRS))


def ascii_lower(text: str) -> str:
    """``text`` in small ASCII letters, spelled as its language would in Latin letters (``Łódź`` -> ``lodz``,
    ``Αθήνα`` -> ``athina``); what has no such spelling (Chinese, say) is left out."""
    text = "".join(_LATIN.get(char, char) for char in text.lower())
    # Greek accents first (ά -> α), so the letter pairs below are found with or without them
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = _PAIRS.sub(lambda found: _GREEK_PAIRS[found.group()], text)
    text = "".join(_GREEK.get(char) or _CYRILLIC.get(char) or char for char in text)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slugify(title: str) -> str:
    """``"Spring update!"`` -> ``"spring-update"``: ASCII letters and digits joined by hyphens; ``""`` when
    nothing of the title can be spelled so (a title only in Chinese, say, or only punctuation)."""
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_lower(title)).strip("-")
    if len(slug) <= MAX_LENGTH:
        return slug
    cut = slug[:MAX_LENGTH + 1].rsplit("-", 1)[0] if "-" in slug[:MAX_LENGTH + 1] else slug[:MAX_LENGTH]
    return cut.strip("-")
