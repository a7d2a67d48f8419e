"""Every built-in word and date in the issue's language: catalogues, Babel dates, overrides, fallback, RTL."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from babel.dates import format_skeleton
from babel.messages.pofile import read_po
from lxml import etree

import newsletter_pipeline
from newsletter_pipeline.i18n import (CATALOGUES, STARTER_SOURCES, TEMPLATE, catalogue_languages, date_locale,
                                      known_messages, right_to_left, shown_messages)
from newsletter_pipeline.i18n.extract import extract
from newsletter_pipeline.render.dates import format_date, format_month, format_range
from newsletter_pipeline.template_folders import builtin_templates
from shared import FIXTURE_CONFIG, SEED, assert_clean_failure, clean_env, run_newsletter

ARCHIVE = "https://www.ai4media.eu/newsletter/"  # gives every footer its "View in your browser" link
SHIPPED = ["bg", "cs", "da", "de", "el", "es", "et", "fi", "fr", "hr", "hu", "it", "lt", "lv", "nl", "pl", "pt", "ro",
           "sk", "sl", "sv"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")

# An issue that leaves every default out (titles, labels, `where`) and uses every built-in word:
# one author and two, an image, a masthead without subtitle, ranges across a month and a year,
# a table of contents, a quote with only its source, an image block with a link and a feature.
FIXTURE = """\
subject: Two years of research
preheader: Two years of research, events and publications from the whole network.
date: 2022-03-15
language: {language}
blocks:
  - type: masthead
    title: Two years
  - type: toc
  - type: quote
    text: Omega.
    link: https://www.ai4media.eu/omega/
  - type: image
    src: https://www.ai4media.eu/b.png
    alt: Lambda
    href: https://www.ai4media.eu/lambda/
  - type: feature
    title: Sigma
    image:
      src: https://www.ai4media.eu/c.png
      alt: Tau
    body: Upsilon.
  - type: article
    title: Alpha
    authors:
      - name: Maria Papadopoulou
    body: Zeta.
    image:
      src: https://www.ai4media.eu/a.png
      alt: Kappa
  - type: article
    title: Beta
    authors:
      - name: Jean Dupont
      - name: Anna Schmidt
    body: Theta.
  - type: upcoming_events
    events:
      - title: Gamma
        start: 2022-04-28
        end: 2022-05-02
        place: Thessaloniki
        url: https://www.ai4media.eu/gamma/
      - title: Delta
        start: 2022-12-30
        end: 2023-01-02
        place: Bologna
        url: https://www.ai4media.eu/delta/
  - type: past_events
    events:
      - title: Epsilon
        date: 2021-11-11
        url: https://www.ai4media.eu/epsilon/
"""


def issue(language: str) -> str:
    return FIXTURE.format(language=language)


def seed_in(language: str) -> str:
    text = SEED.read_text(encoding="utf-8")
    assert "\nlanguage: en\n" in text
    return text.replace("\nlanguage: en\n", f"\nlanguage: {language}\n")


# --- catalogues -------------------------------------------------------------


def _ids(catalog) -> list:
    return [m.id for m in catalog if m.id]


def test_the_template_holds_every_message_the_templates_and_code_use():
    """messages.pot is what `python -m newsletter_pipeline.i18n.extract` writes: no message is left out."""
    with open(TEMPLATE, "rb") as pot:
        committed = _ids(read_po(pot))
    assert sorted(map(str, _ids(extract()))) == sorted(map(str, committed)), \
        "run: python -m newsletter_pipeline.i18n.extract, then translate the new messages"
    assert len(committed) >= 20


@pytest.mark.parametrize("language", SHIPPED)
def test_every_catalogue_translates_every_message_with_its_placeholders(language):
    assert language in catalogue_languages()
    with open(TEMPLATE, "rb") as pot:
        wanted = _ids(read_po(pot))
    with open(CATALOGUES / f"{language}.po", "rb") as po:
        catalog = read_po(po, locale=language)
    for message_id in wanted:
        message = catalog[message_id]
        assert message is not None and not message.fuzzy, (language, message_id)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert len(strings) == (catalog.num_plurals if isinstance(message_id, tuple) else 1), message_id
        source = message_id[0] if isinstance(message_id, tuple) else message_id
        for text in strings:
            assert text.strip(), (language, message_id)
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (language, text)


# --- dates ------------------------------------------------------------------


@pytest.mark.parametrize("locale, same_month, across_months, across_years", [
    ("en_001", "25–27 April 2022", "25 April\u2009–\u20092 May 2022", "30 December 2022\u2009–\u20092 January 2023"),
    ("de", "25.–27. April 2022", "25. April\u2009–\u20092. Mai 2022", "30. Dezember 2022\u2009–\u20092. Januar 2023"),
    ("el", "25–27 Απριλίου 2022", "25 Απριλίου – 2 Μαΐου 2022",  # CLDR's Greek: plain spaces
     "30 Δεκεμβρίου 2022 – 2 Ιανουαρίου 2023"),
    ("fr", "25–27 avril 2022", "25 avril\u2009–\u20092 mai 2022", "30 décembre 2022\u2009–\u20092 janvier 2023"),
    # months as these locales' own dates write them: not widened to 四月 or to a name
    ("zh_Hans", "2022年4月25日\u2009–\u200927日", "2022年4月25日\u2009–\u20095月2日",
     "2022年12月30日\u2009–\u20092023年1月2日"),
    ("ja", "2022年4月25日～27日", "2022年4月25日～5月2日", "2022年12月30日～2023年1月2日"),
    ("cs", "25.–27. 4. 2022", "25. 4.\u2009–\u20092. 5. 2022", "30. 12. 2022\u2009–\u20092. 1. 2023"),
    # Basque: Babel splits its interval inside a quoted literal ("2026(e)'ko"): two whole dates instead
    ("eu", "2022(e)ko apirilaren 25(a) – 2022(e)ko apirilaren 27(a)",
     "2022(e)ko apirilaren 25(a) – 2022(e)ko maiatzaren 2(a)", "2022(e)ko abenduaren 30(a) – 2023(e)ko urtarrilaren 2(a)"),
])
def test_ranges_are_written_as_the_locale_writes_them(locale, same_month, across_months, across_years):
    assert format_range(dt.date(2022, 4, 25), dt.date(2022, 4, 27), locale) == same_month
    assert format_range(dt.date(2022, 4, 25), dt.date(2022, 5, 2), locale) == across_months
    assert format_range(dt.date(2022, 12, 30), dt.date(2023, 1, 2), locale) == across_years


def test_single_days_and_months_are_babels_strings():
    day = dt.date(2021, 9, 1)
    assert format_date(day, "de") == format_skeleton("yMMMMd", day, locale="de") == "1. September 2021"
    assert format_date(day, "el") == "1 Σεπτεμβρίου 2021"  # the genitive after a day...
    assert format_month(day, "el") == "Σεπτέμβριος 2021"  # ...the nominative alone
    assert format_date(day, "en_US") == "September 1, 2021"


# --- the built-in words of a build ------------------------------------------

WORD = re.compile(r"[^\W\d_]+")
URL = re.compile(r"(https?|mailto):\S+")


def words(text: str, urls: bool = True) -> set[str]:
    """Lower-cased words; ``urls=False`` leaves URLs out (the unsubscribe placeholder's host is no word)."""
    return {w.casefold() for w in WORD.findall(text if urls else URL.sub(" ", text))}


def email_words(folder: Path) -> set[str]:
    """Every word a subscriber can read or hear: visible text, alt, aria-label and title, in both parts."""
    tree = etree.fromstring((folder / "email.html").read_text(encoding="utf-8"), etree.HTMLParser())
    for element in tree.iter("style", "script"):
        element.text = ""
    attributes = " ".join(tree.xpath("//@alt | //@aria-label | //@title"))
    text = (folder / "email.txt").read_text("utf-8")
    return words(" ".join(tree.itertext()) + " " + attributes, urls=False) | words(text, urls=False)


def _values(data: object, key: object = None) -> list[str]:
    if isinstance(data, dict):
        return [v for k, item in data.items() for v in _values(item, k)]
    if isinstance(data, list):
        return [v for item in data for v in _values(item, key)]
    return [] if key == "type" or data is None else [str(data)]  # a block's type is a name, never shown


def source_words(*texts: str) -> set[str]:
    """The words the issue and newsletter.yaml wrote as values (keys and block types are never shown)."""
    return set().union(*(words(value) for text in texts for value in _values(yaml.safe_load(text))))


def date_words(locale: str) -> set[str]:
    """Month names as Babel writes them: checked separately, and German shares April, August..."""
    days = [dt.date(2022, month, 1) for month in range(1, 13)]
    return set().union(*(words(format_skeleton(s, d, locale=locale)) for s in ("yMMMMd", "yMMMM") for d in days))


# words that are the same in English and in that language, checked by hand
SAME_WORD = {"de": {"online", "browser", "in", "link"}, "fr": {"contact", "image", "source"}, "el": set()}
# this round's catalogues (the EU's other official languages): each built, its leftovers checked by hand
NEW_CATALOGUES = ["bg", "cs", "da", "et", "fi", "hr", "hu", "lt", "lv", "ro", "sk", "sl", "sv"]
SAME_WORD |= {language: set() for language in NEW_CATALOGUES} | {
    "cs": {"online", "to"}, "sk": {"online", "to"}, "sl": {"to"},  # "to": it, that (Pokud vám to uniklo)
    "da": {"browser", "link", "online"}, "et": {"link"}, "ro": {"browser", "contact", "link", "online"},
    "hr": {"online"}, "hu": {"online"}, "sv": {"online"}}
LOCALES = {language: language for language in ["de", "el", "fr", *NEW_CATALOGUES]}
CHECKED = sorted(LOCALES)


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """The seed and the fixture issue, each built in English and in every ``CHECKED`` language by the CLI."""
    root = tmp_path_factory.mktemp("languages")
    (root / "newsletter.yaml").write_text(FIXTURE_CONFIG.read_text("utf-8"), encoding="utf-8")
    (root / "issues").mkdir()
    paths = {}
    for language in ("en", *CHECKED):
        for name, text in (("seed", seed_in(language)), ("fixture", issue(language))):
            path = root / "issues" / f"2022-03-{language}-{name}.yaml"
            path.write_text(text, encoding="utf-8")
            paths[(language, name)] = path
    # one run builds them all, as a user's build of a folder does (each issue is built on its own)
    result = run_newsletter(["build", "issues", "--out", "dist"], cwd=root,
                            env={**os.environ, **clean_env(NEWSLETTER_ARCHIVE_URL=ARCHIVE)})
    assert result.returncode == 0, result.stderr
    built = {key: root / "dist" / path.stem for key, path in paths.items()}
    assert all((folder / "email.html").is_file() for folder in built.values())
    return built


def builtin_english(builds, name: str) -> set[str]:
    source = (seed_in("en") if name == "seed" else issue("en"))
    settings = FIXTURE_CONFIG.read_text("utf-8")
    return email_words(builds[("en", name)]) - source_words(source, settings)


def test_the_english_builtin_words_are_derived_from_the_english_build(builds):
    """Guards the next test against passing vacuously: these are the words the tool writes itself."""
    derived = builtin_english(builds, "fixture") | builtin_english(builds, "seed")
    assert {"author", "authors", "know", "follow", "receive", "because", "subscribed", "unsubscribe",
            "view", "browser", "contact", "website", "upcoming", "missed", "image", "april", "november",
            "source", "issue", "link"} <= derived


@pytest.mark.parametrize("language", CHECKED)
@pytest.mark.parametrize("name", ["seed", "fixture"])
def test_no_english_builtin_word_in_either_part(builds, language, name):
    english = builtin_english(builds, name)
    source = seed_in(language) if name == "seed" else issue(language)
    settings = FIXTURE_CONFIG.read_text("utf-8")
    allowed = source_words(source, settings) | date_words(LOCALES[language]) | SAME_WORD[language]
    left = sorted((email_words(builds[(language, name)]) & english) - allowed)
    assert left == [], f"English built-in words in the {language} build: {left}"


def _both_parts(folder: Path) -> tuple[str, str]:
    tree = etree.fromstring((folder / "email.html").read_text(encoding="utf-8"), etree.HTMLParser())
    # ASCII whitespace only: str.split() would also eat CLDR's thin spaces around a range's dash
    return re.sub(r"[ \t\r\n]+", " ", " ".join(tree.itertext())), (folder / "email.txt").read_text("utf-8")


@pytest.mark.parametrize("language", ["en", "de", "el", "fr"])
def test_every_date_is_babels_string_for_the_locale(builds, language):
    locale = {"en": "en_001"}.get(language, language)
    html, text = _both_parts(builds[(language, "seed")])
    expected = [format_range(dt.date(2022, 4, 25), dt.date(2022, 4, 27), locale),
                format_range(dt.date(2022, 9, 5), dt.date(2022, 9, 8), locale),
                *(format_skeleton("yMMMMd", day, locale=locale) for day in
                  (dt.date(2021, 11, 11), dt.date(2021, 9, 1), dt.date(2021, 6, 25)))]
    assert expected[0] == {"en": "25–27 April 2022", "de": "25.–27. April 2022",
                           "el": "25–27 Απριλίου 2022", "fr": "25–27 avril 2022"}[language]
    fixture_html, fixture_text = _both_parts(builds[(language, "fixture")])
    expected_fixture = [format_range(dt.date(2022, 4, 28), dt.date(2022, 5, 2), locale),
                        format_range(dt.date(2022, 12, 30), dt.date(2023, 1, 2), locale),
                        format_skeleton("yMMMM", dt.date(2022, 3, 15), locale=locale)]
    for part in (html, text):
        assert [d for d in expected if d not in part] == []
    for part in (fixture_html, fixture_text):
        assert [d for d in expected_fixture if d not in part] == []


def test_the_footer_sentence_is_one_message_for_any_name(builds):
    html, text = _both_parts(builds[("de", "seed")])
    sentence = "Sie erhalten diese E-Mail, weil Sie AI4Media Newsletter abonniert haben."
    assert sentence in html and sentence in text
    html, text = _both_parts(builds[("en", "seed")])
    assert "because you subscribed to AI4Media Newsletter." in html  # no "to the This Week in Rust"


# --- fallback, overrides, RTL -----------------------------------------------


def test_a_language_without_catalogue_falls_back_to_english_with_a_warning(make_project, run_cli):
    root = make_project({"issues/2022-03-tr.yaml": issue("tr")})
    result = run_cli("check", "issues/2022-03-tr.yaml", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    warning = [line for line in result.stdout.splitlines() if ": warning: language:" in line]
    assert len(warning) == 1, result.stdout
    assert warning[0].startswith("issues/2022-03-tr.yaml:4:11: ")
    assert "'tr'" in warning[0] and "tr.po is missing" in warning[0]
    strict = run_cli("check", "--strict", "issues/2022-03-tr.yaml", cwd=root, env=clean_env())
    assert strict.returncode == 1
    built = run_cli("build", "issues/2022-03-tr.yaml", "--out", "dist", cwd=root, env=clean_env())
    assert built.returncode == 0 and "tr.po is missing" in built.stderr
    assert "Follow us" in (root / "dist/2022-03-tr/email.txt").read_text("utf-8")


def test_shipped_languages_raise_no_language_warning(make_project, run_cli):
    root = make_project({"issues/2022-03-el.yaml": issue("el"), "issues/2022-04-de.yaml": issue("de-AT")})
    result = run_cli("check", "--strict", "issues/2022-03-el.yaml", "issues/2022-04-de.yaml", cwd=root,
                     env=clean_env())
    assert result.returncode == 0, result.stdout + result.stderr


def _messages_an_email_shows() -> list[str]:
    """Every msgid messages.pot locates somewhere besides ``newsletter init`` (a plural by both forms)."""
    with open(TEMPLATE, "rb") as pot:
        entries = [m for m in read_po(pot) if m.id]
    used = [m for m in entries if {file for file, _line in m.locations} - STARTER_SOURCES]
    assert len(used) < len(entries)  # the starter has words of its own, which this test leaves out
    return [msgid for m in used for msgid in (m.id if isinstance(m.id, tuple) else (m.id,))]


def test_a_language_without_catalogue_passes_strict_once_every_word_an_email_shows_is_written(make_project, run_cli):
    """The starter's words (`newsletter init` only) are not asked for: no email or archive page shows them."""
    shown = _messages_an_email_shows()
    root = make_project({"issues/2022-03-ga.yaml": issue("ga")})
    config = (root / "newsletter.yaml").read_text("utf-8")

    def write_strings(messages: list[str]) -> None:
        lines = [f"    {json.dumps(m, ensure_ascii=False)}: {json.dumps('(ga) ' + m, ensure_ascii=False)}"
                 for m in messages]
        (root / "newsletter.yaml").write_text(config + "strings:\n  ga:\n" + "\n".join(lines) + "\n", "utf-8")

    write_strings(shown)
    strict = run_cli("check", "--strict", "issues/2022-03-ga.yaml", cwd=root, env=clean_env())
    assert strict.returncode == 0, strict.stdout + strict.stderr
    assert ": language:" not in strict.stdout
    write_strings(shown[1:])
    one_missing = run_cli("check", "issues/2022-03-ga.yaml", cwd=root, env=clean_env())
    [warning] = [line for line in one_missing.stdout.splitlines() if ": warning: language:" in line]
    assert f"write all {len(shown)} messages under strings: ga:" in warning
    assert f"(1 missing, e.g. {json.dumps(shown[0], ensure_ascii=False)})" in warning


def test_the_starter_sources_are_where_messages_pot_locates_init_words():
    """Guards the test above: a moved init module would make every starter word count again."""
    with open(TEMPLATE, "rb") as pot:
        files = {file for m in read_po(pot) for file, _line in m.locations}
    package = Path(newsletter_pipeline.__file__).parent
    assert STARTER_SOURCES <= files and all((package / name).is_file() for name in STARTER_SOURCES)
    assert set(shown_messages()) < set(known_messages())


OVERRIDES = """
strings:
  de:
    "Follow us": "Bleiben Sie in Verbindung"
    "You receive this email because you subscribed to %(name)s.": "Sie haben %(name)s abonniert."
"""


def test_newsletter_yaml_overrides_a_string_and_an_issue_overrides_it_again(make_project, run_cli):
    root = make_project({"issues/2022-03-de.yaml": issue("de"),
                         "issues/2022-04-de.yaml": issue("de") + """\
settings:
  strings:
    de:
      "Follow us": "Folgen Sie uns überall"
"""})
    with (root / "newsletter.yaml").open("a", encoding="utf-8") as handle:
        handle.write(OVERRIDES)
    result = run_cli("build", "issues/2022-03-de.yaml", "issues/2022-04-de.yaml", "--out", "dist", cwd=root,
                     env=clean_env())
    assert result.returncode == 0, result.stderr
    first, second = (_both_parts(root / "dist" / slug) for slug in ("2022-03-de", "2022-04-de"))
    for html, text in (first, second):
        assert "Sie haben AI4Media Newsletter abonniert." in html and "Sie haben AI4Media Newsletter abonniert." in text
    assert "Bleiben Sie in Verbindung" in first[0] and "Bleiben Sie in Verbindung" in first[1]
    assert "Folgen Sie uns überall" in second[0] and "Folgen Sie uns überall" in second[1]
    assert "Bleiben Sie in Verbindung" not in second[0] + second[1]


def test_an_override_of_an_unknown_message_is_a_located_error(make_project, run_cli):
    root = make_project({"issues/2022-03-de.yaml": issue("de")})
    with (root / "newsletter.yaml").open("a", encoding="utf-8") as handle:
        handle.write('strings:\n  de:\n    "Folow us": "Folgen"\n'
                     '    "Unsubscribe: %(url)s": "Abmelden: %(link)s"\n')
    lines = (root / "newsletter.yaml").read_text("utf-8").splitlines()
    result = run_cli("build", "issues/2022-03-de.yaml", "--out", "dist", cwd=root, env=clean_env())
    errors = assert_clean_failure(result, 1)
    assert f"newsletter.yaml:{len(lines) - 1}:5: error:" in errors[0] and "did you mean 'Follow us'?" in errors[0]
    assert f"newsletter.yaml:{len(lines)}:" in errors[1] and "%(url)s" in errors[1]
    assert not (root / "dist").exists()


@pytest.mark.parametrize("language, locale", [
    ("sr-Latn", "sr_Latn"), ("sr-Latn-RS", "sr_Latn_RS"), ("sr", "sr"), ("zh-Hant-TW", "zh_Hant_TW"),
    ("pt-BR", "pt_BR"), ("de-AT", "de_AT"), ("es-419", "es_419"), ("en", "en_001"), ("xx-Latn", "en_001"),
])
def test_the_date_locale_keeps_the_script_and_region(language, locale):
    assert date_locale(language) == locale


def test_serbian_in_latin_letters_gets_latin_dates():
    assert format_date(dt.date(2026, 12, 10), date_locale("sr-Latn")) == "10. decembar 2026."  # was "10. дец 2026."


@pytest.mark.parametrize("locale, expected", [
    ("ga", "25 Aibreán 2027"), ("sr_Latn", "25. april 2027."), ("mt", "25 ta’ April 2027"), ("et", "25. aprill 2027"),
    ("en_001", "25 April 2027"), ("de", "25. April 2027"), ("el", "25 Απριλίου 2027"), ("zh", "2027年4月25日"),
])
def test_one_day_is_the_locales_own_long_date(locale, expected):
    """The skeleton yMMMMd, where a locale lacks it, gave US order in Irish and short months in Serbian."""
    assert format_date(dt.date(2027, 4, 25), locale) == expected


@pytest.mark.parametrize("language, rtl", [
    ("he", True), ("ar", True), ("fa", True), ("ur", True), ("ckb", True), ("ug", True), ("sd", True),
    ("syr", True), ("iw", True), ("ku-Arab", True), ("pa-Arab", True), ("ms-Arab", True), ("ha-Arab", True),
    ("nqo", True), ("dv", True),
    ("ha", False), ("ku", False), ("ku-Latn", False), ("sd-Deva", False), ("pa", False), ("az-Latn", False),
    ("en", False), ("el", False), ("sr-Latn", False), ("he-Latn", False),
])
def test_the_direction_follows_the_script(language, rtl):
    assert right_to_left(language) is rtl


# --- words of the project's own templates -----------------------------------

WRITTEN_BY = '{{ _("Written by %(who)s", who=block.authors | map(attribute="name") | join(", ")) }}'


def _template_with_its_own_words() -> str:
    """The built-in article.mjml.j2 with a byline of the project's: a message no catalogue has."""
    builtin = (builtin_templates() / "blocks/article.mjml.j2").read_text("utf-8")
    meta = '          <p class="np-meta">'
    assert builtin.count(meta) == 1
    return builtin.replace(meta, f'          <p class="np-byline">{WRITTEN_BY}</p>\n{meta}')


def _project_with_a_byline(make_project, language: str, strings: str = "", folder: str = "templates") -> Path:
    root = make_project({"issues/2022-03-two.yaml": issue(language),
                         f"{folder}/blocks/article.mjml.j2": _template_with_its_own_words(),
                         f"{folder}/blocks/article.txt.j2": "{{ heading(block.title) }}\n"
                                                            f"{{{{ wrap({WRITTEN_BY[3:-3]}) }}}}\n\n"
                                                            "{{ paragraphs(block.body) }}\n"})
    if strings:
        with (root / "newsletter.yaml").open("a", encoding="utf-8") as handle:
            handle.write(strings)
    return root


BYLINE_DE = 'strings:\n  de:\n    "Written by %(who)s": "Geschrieben von %(who)s"\n'


def test_a_message_of_the_projects_template_is_translated_under_strings(make_project, run_cli):
    root = _project_with_a_byline(make_project, "de", BYLINE_DE)
    strict = run_cli("check", "--strict", "issues/2022-03-two.yaml", cwd=root, env=clean_env())
    assert strict.returncode == 0, strict.stdout + strict.stderr
    built = run_cli("build", "issues/2022-03-two.yaml", "--out", "dist", cwd=root, env=clean_env())
    assert built.returncode == 0, built.stderr
    html, text = _both_parts(root / "dist/2022-03-two")
    for part in (html, text):
        assert "Geschrieben von Jean Dupont, Anna Schmidt" in part and "Written by" not in part


def test_an_untranslated_message_of_the_projects_template_warns_at_its_line(make_project, run_cli):
    root = _project_with_a_byline(make_project, "de")
    result = run_cli("check", "issues/2022-03-two.yaml", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    [warning] = [line for line in result.stdout.splitlines() if ": language:" in line]
    template = (root / "templates/blocks/article.mjml.j2").read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(template, 1) if "Written by" in text)
    col = template[line - 1].index('"Written by') + 1
    assert warning == (f"templates/blocks/article.mjml.j2:{line}:{col}: warning: language: this template's "
                       "\"Written by %(who)s\" has no translation for 'de', so readers see it in English (write it "
                       "under strings: de: in newsletter.yaml; README 'Languages')")
    english = _project_with_a_byline(make_project, "en")  # the same folder, rewritten in English
    assert ": language:" not in run_cli("check", "issues/2022-03-two.yaml", cwd=english, env=clean_env()).stdout


def test_a_message_of_a_templates_folder_is_translated_for_the_renders_that_use_it(make_project, run_cli):
    """Known from ``--templates DIR`` when the command renders with it; unknown otherwise, at its line."""
    root = _project_with_a_byline(make_project, "de", BYLINE_DE, folder="over")
    built = run_cli("build", "issues/2022-03-two.yaml", "--templates", "over", "--out", "dist", cwd=root,
                    env=clean_env())
    assert built.returncode == 0, built.stderr
    assert "Geschrieben von Jean Dupont" in (root / "dist/2022-03-two/email.txt").read_text("utf-8")
    without = run_cli("build", "issues/2022-03-two.yaml", "--out", "dist2", cwd=root, env=clean_env())
    [error] = assert_clean_failure(without, 1)[:1]
    lines = (root / "newsletter.yaml").read_text("utf-8").splitlines()
    assert error.startswith(f"newsletter.yaml:{len(lines)}:5: error: strings.de: 'Written by %(who)s' is no "
                            "built-in message, and no template of the project uses it")


def test_an_override_of_a_templates_message_is_checked_like_a_built_in_one(make_project, run_cli):
    strings = 'strings:\n  de:\n    "Writen by %(who)s": "Von %(who)s"\n    "Written by %(who)s": "Von %(wer)s"\n'
    root = _project_with_a_byline(make_project, "de", strings)
    lines = (root / "newsletter.yaml").read_text("utf-8").splitlines()
    errors = assert_clean_failure(run_cli("build", "issues/2022-03-two.yaml", "--out", "dist", cwd=root,
                                          env=clean_env()), 1)
    assert errors[0].startswith(f"newsletter.yaml:{len(lines) - 1}:5: error: ")
    assert "did you mean 'Written by %(who)s'?" in errors[0]
    assert errors[1].startswith(f"newsletter.yaml:{len(lines)}:") and "%(who)s" in errors[1]


def test_right_to_left_languages_are_mirrored(make_project, run_cli):
    root = make_project({"issues/2022-03-he.yaml": issue("he")})
    result = run_cli("build", "issues/2022-03-he.yaml", "--out", "dist", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    html = (root / "dist/2022-03-he/email.html").read_text("utf-8")
    assert re.search(r'<html[^>]* dir="rtl"', html)
    # every text block is aligned right (MJML's column wrappers always say left; their content decides)
    texts = re.findall(r'<div style="([^"]*)"[^>]*>', html)
    aligned = [style for style in texts if "font-size:16px" in style.replace(" ", "") and "text-align" in style]
    assert aligned and all("text-align:left" not in style.replace(" ", "") for style in aligned)
    assert any("text-align:right" in style.replace(" ", "") for style in aligned)
    # the quote's source is indented from the right, under the words (it kept the left-hand 24px)
    quote = etree.fromstring(html, etree.HTMLParser()).xpath("//blockquote[contains(@class, 'np-quote')]")[0]
    source = quote.getnext()
    assert source.tag == "p" and source.get("style").startswith("margin:8px 24px 12px 0;"), source.get("style")
    mjml = (root / "dist/2022-03-he/email.mjml").read_text("utf-8")
    assert 'align="right"' in mjml and 'align="left"' not in mjml
    assert 'direction="rtl"' in mjml
    text = (root / "dist/2022-03-he/email.txt").read_text("utf-8").splitlines()
    written = [line for line in text if line.strip() and set(line) != {"-"}]
    assert written and all(line.startswith("\u200f") for line in written)  # RLM: each line laid out from the right
    # the dates are Hebrew (Babel), the words English with the language warning
    assert format_range(dt.date(2022, 4, 28), dt.date(2022, 5, 2), "he") in html


def test_translations_and_overrides_are_text_never_markup(make_project, run_cli):
    root = make_project({"issues/2022-03-de.yaml": issue("de")})
    settings = (root / "newsletter.yaml").read_text("utf-8").replace("name: AI4Media Newsletter", 'name: "R&D <News>"')
    # one override the loader fills in (a default title), one a template translates
    settings += 'strings:\n  de:\n    "Follow us": "<b>Folgen</b> Sie uns"\n    "Unsubscribe": "<i>Abmelden</i>"\n'
    (root / "newsletter.yaml").write_text(settings, encoding="utf-8")
    result = run_cli("build", "issues/2022-03-de.yaml", "--out", "dist", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    html = (root / "dist/2022-03-de/email.html").read_text("utf-8")
    assert "&lt;b&gt;Folgen&lt;/b&gt; Sie uns" in html and "<b>Folgen" not in html
    assert "&lt;i&gt;Abmelden&lt;/i&gt;</a>" in html and "<i>Abmelden" not in html
    assert "weil Sie R&amp;D &lt;News&gt; abonniert haben." in html
    text = (root / "dist/2022-03-de/email.txt").read_text("utf-8")
    assert "<b>Folgen</b> Sie uns" in text and "R&D <News> abonniert" in " ".join(text.split())


def test_a_link_line_of_the_text_part_is_punctuated_as_the_language_writes(builds):
    """French puts a (no-break) space before a colon; the text part's "label: URL" lines were English."""
    french, english = (builds[(language, "seed")].joinpath("email.txt").read_text("utf-8") for language in ("fr", "en"))
    lines = french.splitlines()
    # "label: URL", or "label:" over a URL too long to share its line
    labelled = [line for line, after in zip(lines, [*lines[1:], ""])
                if re.search(r"\w\s?: https://", line) or (line.endswith(":") and after.startswith("https://"))]
    assert len(labelled) >= 5, labelled  # buttons, "know more", the social links, the footer's lines
    assert not [line for line in labelled if re.search(r"\w:( |$)", line)], labelled  # never "plus: https://"
    assert re.search(r"\w: https://", english) and "\u00a0:" not in english


def test_the_alt_text_of_a_generic_social_icon_is_in_the_issues_language(make_project, run_cli):
    """Read with images off, a German email said "Email", "Website" and "RSS feed" beside German labels."""
    root = make_project({"issues/2022-03-de.yaml": issue("de")})
    settings = yaml.safe_load((root / "newsletter.yaml").read_text("utf-8"))
    settings["social"] = [{"network": "email", "url": "mailto:info@example.eu", "label": "Schreiben Sie uns"},
                          {"network": "web", "url": "https://www.example.eu/", "label": "example.eu"},
                          {"network": "rss", "url": "https://www.example.eu/feed.xml", "label": "Feed"},
                          {"network": "linkedin", "url": "https://www.linkedin.com/company/x", "label": "LinkedIn"}]
    (root / "newsletter.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    result = run_cli("build", "issues/2022-03-de.yaml", "--out", "dist", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    alts = re.findall(r'<img[^>]* alt="([^"]*)"', (root / "dist/2022-03-de/email.html").read_text("utf-8"))
    assert {"E-Mail", "Website", "RSS-Feed", "LinkedIn"} <= set(alts), alts  # a brand's name stays its own
    assert not {"Email", "RSS feed"} & set(alts)
