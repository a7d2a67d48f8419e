"""Every word the tool writes itself, in the issue's language.

The messages are English sentences (gettext ``msgid`` s) written in the
templates as ``_("Follow us")`` or ``ngettext("Author:", "Authors:", n)``;
placeholders are named (``%(name)s``), so a sentence is always one whole
message a translator can reorder. Catalogues are gettext ``.po`` files in
``i18n/catalogues/<language>.po``, read with Babel's ``read_po`` when a
language first needs one.

Why ``.po`` and no compiled ``.mo``: nothing has to be compiled at install
time or kept in sync in git; reading a catalogue costs about a millisecond
and happens once per language per process. English is the source language and
needs no catalogue (and no Babel import).

A project overrides any message per language in ``newsletter.yaml``
(``strings: {de: {"Follow us": "Folgen Sie uns"}}``), an issue in its
``settings:``. A language without a catalogue falls back to English and
``newsletter check`` warns about it (rule ``language``).
"""

from __future__ import annotations

import gettext as gettext_module
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

from .capitals import capitals
from .cldr import answer

SOURCE_LANGUAGE = "en"
CATALOGUES = Path(__file__).resolve().parent / "catalogues"
TEMPLATE = CATALOGUES / "messages.pot"  # every message, as the templates write it
# a bare "en" writes dates day-month-year, as the newsletter always has ("1 September 2021");
# "en-US" and other regional tags get their region's order
DEFAULT_DATE_LOCALES = {"en": "en_001"}
# the starter project's words, as messages.pot locates them: `newsletter init` writes them once into files
# the author then owns (in the language asked for, without the project's strings:); no email shows them
STARTER_SOURCES = frozenset({"commands/init.py"})
# written right to left: dir="rtl", text aligned right, RLM before each plain-text line. A tag's script
# decides (ku-Arab, pa-Arab, ms-Arab: right to left; sd-Deva: left to right); without one, the language's
# usual script does (CLDR's likely subtags: Hausa and Kurmanji are written in Latin letters today)
RTL_SCRIPTS = frozenset({"Adlm", "Arab", "Hebr", "Mand", "Mend", "Nkoo", "Rohg", "Samr", "Syrc", "Thaa", "Yezi"})
RTL_LANGUAGES = frozenset({"ar", "arc", "azb", "bal", "bgn", "bqi", "ckb", "dv", "fa", "glk", "he", "iw", "ji",
                           "khw", "ks", "lrc", "mzn", "nqo", "pnb", "prs", "ps", "sd", "sdh", "skr", "syr", "ug", "ur",
                           "yi"})


def marked(message: str) -> str:
    """``message`` unchanged, marked for extraction: imported as ``_`` (``from ..i18n import marked as _``),
    so i18n/extract.py finds its ``_("...")``; the translation happens where the message is used."""
    return message


def catalogue_languages() -> list[str]:
    """Languages with a shipped catalogue, English (the source) included."""
    return sorted({SOURCE_LANGUAGE, *(p.stem for p in CATALOGUES.glob("*.po"))})


def _subtags(language: str) -> tuple[str, str | None, str | None]:
    """``sr-latn-rs`` -> ``("sr", "Latn", "RS")``: language, script and region (BCP 47), as Babel spells them."""
    parts = language.replace("_", "-").split("-")
    script = parts[1].title() if len(parts) > 1 and len(parts[1]) == 4 and parts[1].isalpha() else None
    rest = parts[2 if script else 1:][:1]
    region = rest[0].upper() if rest and (len(rest[0]) == 2 and rest[0].isalpha() or
                                          len(rest[0]) == 3 and rest[0].isdigit()) else None
    return parts[0].lower(), script, region


def _candidates(language: str) -> list[str]:
    """``de-AT`` -> ``["de_AT", "de"]``, ``sr-Latn`` -> ``["sr_Latn", "sr"]``: the most specific first."""
    base, script, region = _subtags(language)
    names = [f"{base}_{script}_{region}"] if script and region else []
    names += [f"{base}_{script}"] if script else []
    names += [f"{base}_{region}"] if region and not script else []  # sr_RS is Cyrillic: not for sr-Latn-RS
    return [*names, base]


def right_to_left(language: str) -> bool:
    """Whether ``language`` (a BCP 47 tag) is written right to left: its script's direction, else its usual script's."""
    base, script, _ = _subtags(language)
    return script in RTL_SCRIPTS if script else base in RTL_LANGUAGES


def catalogue_for(language: str) -> str | None:
    """The catalogue ``language`` is written with, or ``None`` (English fallback)."""
    for name in _candidates(language):
        if name == SOURCE_LANGUAGE or (CATALOGUES / f"{name}.po").is_file():
            return name
    return None


def date_locale(language: str) -> str:
    """The Babel locale for dates: the tag itself where Babel knows it, else its language, else en."""
    for name in _candidates(language):
        name = DEFAULT_DATE_LOCALES.get(name, name)
        if answer(("locale", name), partial(_babel_knows, name), lambda known: isinstance(known, bool)):
            return name
    return DEFAULT_DATE_LOCALES[SOURCE_LANGUAGE]


def _babel_knows(name: str) -> bool:
    from babel import Locale, UnknownLocaleError
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return False
    return True


@lru_cache(maxsize=1)
def _template_entries() -> tuple[tuple[tuple[str, ...], frozenset[str]], ...]:
    """Each message of messages.pot: its ``msgid`` s (a plural's both forms) and the files that use it."""
    from babel.messages.pofile import read_po
    with open(TEMPLATE, "rb") as pot:
        catalog = read_po(pot)
    return tuple((tuple(message.id) if isinstance(message.id, tuple) else (message.id,),
                  frozenset(filename for filename, _line in message.locations))
                 for message in catalog if message.id)


@lru_cache(maxsize=1)
def known_messages() -> tuple[str, ...]:
    """Every built-in message (the English ``msgid`` s of messages.pot; plurals by both forms)."""
    return tuple(msgid for ids, _files in _template_entries() for msgid in ids)


@lru_cache(maxsize=1)
def _english_messages() -> frozenset[str]:
    return frozenset(known_messages())


@lru_cache(maxsize=1)
def shown_messages() -> tuple[str, ...]:
    """The built-in messages an email or the archive can show: all but those only ``newsletter init`` uses.

    Told apart by where messages.pot says each is used (its ``#:`` lines), so a
    message the starter and a template share counts, and a new one counts at once.
    """
    return tuple(msgid for ids, files in _template_entries() if files - STARTER_SOURCES for msgid in ids)


@lru_cache(maxsize=32)
def _translations(catalogue: str | None) -> gettext_module.NullTranslations:
    if catalogue is None or catalogue == SOURCE_LANGUAGE:
        return gettext_module.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with open(CATALOGUES / f"{catalogue}.po", "rb") as po:
        parsed = read_po(po)  # the plural rule comes from the Plural-Forms header
    compiled = io.BytesIO()
    write_mo(compiled, parsed)  # in memory: GNUTranslations then applies the catalogue's plural rule
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


@dataclass(frozen=True)
class Messages:
    """The built-in words of one issue: its language's catalogue, under the project's overrides."""

    language: str
    catalogue: str | None  # None: no catalogue for ``language``, English is used
    overrides: Mapping[str, str] = field(default_factory=dict)

    @property
    def rtl(self) -> bool:
        return right_to_left(self.language)

    @property
    def locale(self) -> str:
        """The Babel locale of the issue's dates."""
        return _date_locale(self.language)

    def upper(self, text: str) -> str:
        """Capitals as the language writes them (``capitals.py``: Greek drops its accents, Turkish keeps the dot).

        A built-in word this language has no translation for is shown in
        English, so it gets English capitals: Turkish without a catalogue
        wrote "UPCOMİNG EVENTS". Asked only when the two spellings differ, so
        a build in most languages never reads the message list.
        """
        written = capitals(text, self.language)
        if written != capitals(text, SOURCE_LANGUAGE) and text in _english_messages() and self.gettext(text) == text:
            return capitals(text, SOURCE_LANGUAGE)
        return written

    def gettext(self, message: str) -> str:
        if message in self.overrides:
            return self.overrides[message]
        return _translations(self.catalogue).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """An override replaces the form it names: the singular's for one, the plural's otherwise."""
        wanted = singular if n == 1 else plural
        if wanted in self.overrides:
            return self.overrides[wanted]
        return _translations(self.catalogue).ngettext(singular, plural, n)



@lru_cache(maxsize=32)
def _date_locale(language: str) -> str:
    return date_locale(language)


def messages_for(language: str, strings: Mapping[str, Mapping[str, str]] | None = None) -> Messages:
    """The messages of ``language`` with ``strings`` (newsletter.yaml's per-language overrides).

    Overrides are looked up under the exact tag, then its language (``de-AT``, then ``de``).
    """
    overrides: dict[str, str] = {}
    tags = [language, language.split("-")[0]]
    for tag in reversed(dict.fromkeys(t for t in tags)):
        overrides.update((strings or {}).get(tag, {}))
    return Messages(language, catalogue_for(language), overrides)
