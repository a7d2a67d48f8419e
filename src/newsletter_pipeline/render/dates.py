"""Human dates for the email in the issue's language, from CLDR via Babel.

``25–27 April 2022`` in English, ``25.–27. April 2022`` in German,
``25–27 Απριλίου 2022`` in Greek: Babel writes each locale's own order,
punctuation and grammatical case. A range that crosses a month or a year is
written with the locale's interval pattern for that difference.

Babel is imported on the first date formatted, not at import time: it costs
about 20 ms of startup (``python -X importtime -c 'import babel.dates'``),
which ``newsletter --help`` and ``schema`` should not pay; and each of its
answers is kept between processes (``i18n.cldr``), so a build of dates it
formatted before does not import it at all.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from ..i18n.cldr import answer

DAY = "yMMMMd"  # CLDR skeletons: the full month name, as a letter writes it
MONTH = "yMMMM"
_SHORT_MONTH = re.compile(r"(?<![ML])(M{3}|L{3})(?![ML])")
_FULL_MONTH = re.compile(r"(?<![ML])(M{4}|L{4})(?![ML])")


def format_date(day: dt.date, locale: str = "en_001") -> str:
    """``1 September 2021`` as ``locale`` (a Babel locale name) writes a day: its own long date.

    Not the skeleton ``DAY``: where a locale lacks that skeleton, Babel's
    closest match abbreviates the month or takes another order (Irish
    ``Aibreán 25, 2027`` for ``25 Aibreán 2027``, Serbian ``25. apr 2027.``,
    Estonian without the day's full stop); the long date is the one CLDR
    gives every locale. Where both exist they agree (en, de, el, fr, pl...).
    """
    def ask() -> str:
        from babel.dates import format_date as babel_date
        return babel_date(day, "long", locale=locale)
    return answer(("long", day.isoformat(), locale), ask, _is_text)


def format_month(day: dt.date, locale: str = "en_001") -> str:
    """``September 2021``: a month on its own (the nominative, where the locale has cases)."""
    return _skeleton(MONTH, day, locale)


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _skeleton(skeleton: str, day: dt.date, locale: str) -> str:
    def ask() -> str:
        from babel.dates import format_skeleton
        return format_skeleton(skeleton, day, locale=locale)
    return answer(("skeleton", skeleton, day.isoformat(), locale), ask, _is_text)


def _apply(pattern: str, day: dt.date, locale: str) -> str:
    def ask() -> str:
        from babel.dates import parse_pattern
        return parse_pattern(pattern).apply(day, locale)
    return answer(("pattern", pattern, day.isoformat(), locale), ask, _is_text)


def format_range(start: dt.date, end: dt.date | None, locale: str = "en_001") -> str:
    """One date, or a range that names the month and year once where the locale does.

    Babel's ``format_interval`` picks the closest interval skeleton, which in
    most locales abbreviates the month (``yMMMd``); CLDR's matching rules
    (TR35, "adjusting field width") widen it back to the full name we asked
    for, as ICU does. That widening is the one step done here, and only for a
    locale whose own full date names the month in full: Chinese writes
    ``2027年5月3日`` (its abbreviated month, ``5月``, is the one its dates use;
    the full ``五月`` is not), Japanese and Czech write the month as a number.
    """
    if end is None or end == start:
        return format_date(start, locale)
    parts = _interval_parts(locale, _greatest_difference(start, end))
    if parts is None:
        return f"{format_date(start, locale)} – {format_date(end, locale)}"
    return "".join(_apply(pattern, day, locale) for pattern, day in zip(parts, (start, end)))


def _greatest_difference(start: dt.date, end: dt.date) -> str:
    return "y" if start.year != end.year else "M" if start.month != end.month else "d"


def _are_parts(value: object) -> bool:
    return value is None or isinstance(value, list) and all(isinstance(part, str) for part in value)


@lru_cache(maxsize=64)
def _interval_parts(locale: str, field: str) -> tuple[str, ...] | None:
    """The two halves of the locale's pattern for a range differing in ``field``, months widened."""
    def ask() -> list[str] | None:  # the locale's own halves for the closest skeleton to DAY
        from babel import Locale
        from babel.dates import match_skeleton
        formats = Locale.parse(locale).interval_formats
        skeleton = DAY if DAY in formats else match_skeleton(DAY, formats)
        return list(formats[skeleton][field]) if skeleton and field in formats[skeleton] else None
    parts = answer(("interval", DAY, field, locale), ask, _are_parts)
    if parts is None:
        return None
    if any("''" in part for part in parts) and "''" not in _day_pattern(locale):
        # Babel split the pattern inside a quoted literal: Basque's "y('e')'ko' MMM d('a') – ..." came
        # back as "y('e)''ko 'MMM..." and printed "2026(e)'ko". Two whole dates instead (format_range)
        return None
    if not _FULL_MONTH.search(_day_pattern(locale)):
        return tuple(parts)
    return tuple(_SHORT_MONTH.sub(lambda m: m.group(1)[0] * 4, part) for part in parts)


def _day_pattern(locale: str) -> str:
    """The pattern the locale writes one day with, ``format_date``'s (``d MMMM y``; ``y年M月d日`` in Chinese)."""
    def ask() -> str:
        from babel import Locale
        return str(Locale.parse(locale).date_formats["long"].pattern)
    return answer(("long pattern", locale), ask, _is_text)
