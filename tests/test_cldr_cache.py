"""Babel's answers kept between processes (i18n/cldr.py) are Babel's answers, and a bad cache file is never used.

Every date below is formatted twice, once by asking Babel (an empty cache) and once
from the file the first pass wrote, and both are compared with Babel asked directly.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import babel
import pytest
from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, match_skeleton, parse_pattern
from shared import HELLO_ISSUE, clean_env

from newsletter_pipeline.i18n import DEFAULT_DATE_LOCALES, _candidates, cldr, date_locale
from newsletter_pipeline.render.dates import (
    _SHORT_MONTH, DAY, MONTH, _interval_parts, format_date, format_month, format_range,
)

LANGUAGES = ["en", "en-US", "de", "el", "fr", "he", "pl", "fi", "pt-BR", "zz", "ga"]
RANGES = [(dt.date(2022, 4, 25), dt.date(2022, 4, 27)), (dt.date(2022, 4, 25), dt.date(2022, 5, 2)),
          (dt.date(2022, 12, 30), dt.date(2023, 1, 2)), (dt.date(2024, 2, 29), None)]


def by_babel(language: str) -> list[str]:
    """What the dates module wrote before it kept answers: Babel asked directly."""
    name = next((n for n in (DEFAULT_DATE_LOCALES.get(c, c) for c in _candidates(language)) if _known(n)), "en_001")
    out = []
    for start, end in RANGES:
        out += [babel_format_date(start, "long", locale=name), format_skeleton(MONTH, start, locale=name)]
        if end is not None:
            formats = Locale.parse(name).interval_formats
            skeleton = DAY if DAY in formats else match_skeleton(DAY, formats)
            field = "y" if start.year != end.year else "M" if start.month != end.month else "d"
            if not skeleton or field not in formats[skeleton]:
                out.append(f"{out[-2]} – {babel_format_date(end, 'long', locale=name)}")
                continue
            parts = [_SHORT_MONTH.sub(lambda m: m.group(1)[0] * 4, p) for p in formats[skeleton][field]]
            out.append("".join(parse_pattern(p).apply(d, name) for p, d in zip(parts, (start, end))))
    return out


def _known(name: str) -> bool:
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def ours(language: str) -> list[str]:
    locale = date_locale(language)
    out = []
    for start, end in RANGES:
        out += [format_date(start, locale), format_month(start, locale)]
        if end is not None:
            out.append(format_range(start, end, locale))
    return out


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _interval_parts.cache_clear()
    yield tmp_path / "newsletter-pipeline" / cldr.FILE
    _interval_parts.cache_clear()


def forget() -> None:
    """A new process, as far as the cache is concerned: the answers are read from the file again."""
    cldr._state.clear()
    _interval_parts.cache_clear()


@pytest.mark.parametrize("language", LANGUAGES)
def test_kept_answers_are_babels(cache, language) -> None:
    cold = ours(language)
    assert cache.is_file()
    forget()
    kept = json.loads(cache.read_text(encoding="utf-8"))["answers"]
    assert kept, "the first pass kept nothing"
    assert ours(language) == cold == by_babel(language)


def test_a_kept_answer_is_what_the_next_process_writes(cache) -> None:
    # the proof that the file is read: an answer changed in it is what comes out
    assert format_date(dt.date(2021, 12, 1), "en_001") == "1 December 2021"
    data = json.loads(cache.read_text(encoding="utf-8"))
    (key,) = [k for k in data["answers"] if "2021-12-01" in k]
    data["answers"][key] = "planted"
    cache.write_text(json.dumps(data), encoding="utf-8")
    forget()
    assert format_date(dt.date(2021, 12, 1), "en_001") == "planted"


def planted(cache, babel: str | None = None, value: object = "planted") -> None:
    format_date(dt.date(2021, 12, 1), "en_001")
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["answers"] = {k: value for k in data["answers"]}
    if babel is not None:
        data["babel"] = babel
    cache.write_text(json.dumps(data), encoding="utf-8")
    forget()


@pytest.mark.parametrize("case", ["another Babel", "a number", "a list", "null"])
def test_answers_of_another_babel_or_of_the_wrong_shape_are_asked_again(cache, case) -> None:
    if case == "another Babel":
        installed = cldr._babel()  # names this Babel's code and data, as they are on disk
        code = Path(babel.__file__)
        assert f"{code}:{code.stat().st_size}:" in installed and str(code.with_name("global.dat")) in installed
        planted(cache, babel="/elsewhere/babel/__init__.py:1:1|/elsewhere/babel/global.dat:1:1")
    else:
        planted(cache, value={"a number": 5, "a list": ["x"], "null": None}[case])
    assert format_date(dt.date(2021, 12, 1), "en_001") == "1 December 2021"
    assert date_locale("el") == "el"
    forget()  # and the file was replaced by one that answers rightly
    assert format_date(dt.date(2021, 12, 1), "en_001") == "1 December 2021"


@pytest.mark.parametrize("content", [b"\x00\xff\xfe binary", b"{not json", b"[1, 2]", b'{"babel": 1}', b"",
                                     b'{"answers": {}, "babel": "' + b"x" * (cldr.MAX_BYTES + 10) + b'"}'])
def test_a_damaged_or_huge_file_is_not_used_and_is_replaced(cache, content) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(content)
    assert ours("de") == by_babel("de")
    assert json.loads(cache.read_text(encoding="utf-8"))["answers"]


def test_a_cache_that_cannot_be_written_only_costs_time(cache) -> None:
    cache.mkdir(parents=True)  # a folder where the file should be: neither read nor written
    assert ours("fr") == by_babel("fr")
    assert cache.is_dir() and not any(cache.iterdir())


def test_the_oldest_answers_go_first(cache, monkeypatch) -> None:
    monkeypatch.setattr(cldr, "MAX_ANSWERS", 3)
    for day in range(1, 6):
        format_date(dt.date(2021, 12, day), "en_001")
    kept = json.loads(cache.read_text(encoding="utf-8"))["answers"]
    assert [v for v in kept.values()] == ["3 December 2021", "4 December 2021", "5 December 2021"]


def test_a_second_build_does_not_import_babel_and_writes_the_same_email(make_project, run_cli, tmp_path) -> None:
    from test_fast_paths import imported_modules

    root = make_project({"issues/2021-12-small.yaml": HELLO_ISSUE})
    env = clean_env(XDG_CACHE_HOME=str(tmp_path / "cache"), PYTHONPROFILEIMPORTTIME="1")
    emails = []
    for run in ("first", "second"):
        result = run_cli("build", "issues/2021-12-small.yaml", "--out", run, cwd=root, env=env, fresh=True)
        assert result.returncode == 0, result.stderr
        emails.append((root / run / "2021-12-small" / "email.html").read_text(encoding="utf-8"))
        assert ("babel.dates" in imported_modules(result.stderr)) == (run == "first"), run
    assert emails[0] == emails[1]
    assert os.stat(tmp_path / "cache" / "newsletter-pipeline" / cldr.FILE).st_size < 10_000
