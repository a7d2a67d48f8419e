"""Headings of the plain-text part in capitals, as each language writes them (i18n/capitals.py)."""

from __future__ import annotations

import pytest
from shared import clean_env

from newsletter_pipeline.i18n.capitals import capitals


@pytest.mark.parametrize("language, text, expected", [
    # Turkish and Azerbaijani: the dotted i keeps its dot, the dotless one has none
    ("tr", "İstanbul'dan kış bülteni", "İSTANBUL'DAN KIŞ BÜLTENİ"),
    ("tr-TR", "İzmir ve Diyarbakır haberleri", "İZMİR VE DİYARBAKIR HABERLERİ"),
    ("az", "Bakı xəbərləri", "BAKI XƏBƏRLƏRİ"),
    # Greek: accents drop; where one kept two vowels apart, the second takes a diaeresis
    ("el", "Κυριότερα νέα", "ΚΥΡΙΟΤΕΡΑ ΝΕΑ"),
    ("el", "Μάιος, άυλη, ρολόι, κοροϊδεύω", "ΜΑΪΟΣ, ΑΫΛΗ, ΡΟΛΟΪ, ΚΟΡΟΪΔΕΥΩ"),
    ("el", "ευρώ, Θεσσαλονίκη, αϋπνία, είναι", "ΕΥΡΩ, ΘΕΣΣΑΛΟΝΙΚΗ, ΑΫΠΝΙΑ, ΕΙΝΑΙ"),
    # Irish: the initial mutations stay small before the capital they mutate
    ("ga", "Nuacht na hÉireann ón tAire", "NUACHT NA hÉIREANN ÓN tAIRE"),
    ("ga", "i mBaile Átha Cliath, ár nGaeilge, ar an bhFeirm", "I mBAILE ÁTHA CLIATH, ÁR nGAEILGE, AR AN bhFEIRM"),
    # Lithuanian: the dot written out over an i to carry an accent goes in capitals (SpecialCasing)
    ("lt", "i\u0307\u0300 ir j\u0307\u0301, Žąsys", "\u00cc IR J\u0301, ŽĄSYS"),
    ("crh", "ilk haberler", "İLK HABERLER"),
    # the others as str.upper writes them
    ("de", "Straße", "STRASSE"), ("en", "in this issue", "IN THIS ISSUE"), ("pl", "Łódź", "ŁÓDŹ"),
    ("en", "Istanbul", "ISTANBUL"),
])
def test_capitals_per_language(language, text, expected) -> None:
    assert capitals(text, language) == expected


TURKISH = """\
subject: Kış bülteni
preheader: İstanbul, İzmir ve Diyarbakır'dan haberler, etkinlikler ve yeni projeler.
date: 2026-12-01
language: tr
blocks:
  - type: masthead
    title: Kış bülteni
  - type: article
    title: İzmir'de yeni bir proje
    body: Ortaklarımız İzmir'de bir araya geldi.
"""


def test_a_turkish_heading_keeps_its_dotted_capitals_in_the_plain_text(make_project, run_cli) -> None:
    root = make_project({"issues/2026-12-kis.yaml": TURKISH})
    result = run_cli("build", "issues/2026-12-kis.yaml", "--out", "out", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    text = (root / "out" / "2026-12-kis" / "email.txt").read_text("utf-8")
    assert "İZMİR'DE YENİ BİR PROJE" in text and "IZMIR" not in text


def test_english_words_shown_for_want_of_a_catalogue_get_english_capitals(make_project, run_cli) -> None:
    """Turkish has no catalogue, so "Upcoming events" is shown in English: it was written UPCOMİNG EVENTS."""
    events = TURKISH + """  - type: upcoming_events
    events:
      - title: İzmir buluşması
        start: 2027-01-20
        place: İzmir
        url: https://www.ai4media.eu/events/izmir
"""
    root = make_project({"issues/2026-12-kis.yaml": events})
    result = run_cli("build", "issues/2026-12-kis.yaml", "--out", "out", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    text = (root / "out" / "2026-12-kis" / "email.txt").read_text("utf-8")
    assert "UPCOMING EVENTS" in text and "UPCOMİNG" not in text
    assert "İZMİR'DE YENİ BİR PROJE" in text  # the writer's own Turkish keeps Turkish capitals
