"""link-text in every shipped language: "hier klicken" is as vague as "click here" (vague_links.json)."""

from __future__ import annotations

import json

import pytest
from checkutil import BASE, ISSUE_NAME, col_of, line_of, only, where

from newsletter_pipeline.checks.rules.links import VAGUE_LINKS, vague_problem
from newsletter_pipeline.i18n import catalogue_languages, messages_for

REPORTED = [  # (language, link text): what the tester wrote, none of which was flagged
    ("de", "hier klicken"), ("de", "hier"), ("de", "Weiterlesen"), ("fr", "cliquez ici"), ("fr", "lire la suite"),
    ("pl", "czytaj więcej"), ("pl", "tutaj"), ("el", "εδώ"), ("es", "aquí"), ("nl", "klik hier"),
]


def issue_in(language: str, *texts: str) -> str:
    """BASE in ``language`` with an editorial block of one Markdown link per text, a paragraph each."""
    body = "\n\n".join(f"      Paragraph {i}: [{text}](https://www.ai4media.eu/page-{i}/)."
                       for i, text in enumerate(texts))
    return BASE.replace("language: en", f"language: {language}") + f"  - type: editorial\n    body: |-\n{body}\n"


@pytest.mark.parametrize(("language", "text"), REPORTED)
def test_a_vague_link_text_of_the_issues_language_warns_at_its_text(check, language, text):
    issue = issue_in(language, text)
    [finding] = only(check(issue), "link-text")
    assert (finding.level, where(finding)) == ("warning", (ISSUE_NAME, line_of(issue, f"[{text}]")))
    assert finding.location.col == col_of(issue, f"[{text}]")
    assert f'link text "{text}" does not say where it goes' in finding.message


def test_case_accents_and_trailing_punctuation_do_not_matter(check):
    texts = ("Hier klicken!", "WEITERLESEN »", "Weiterlesen…", "mehr ")
    issue = issue_in("de", *texts)
    assert sorted(f.location.line for f in only(check(issue), "link-text")) == [
        line_of(issue, f"[{text}]") for text in texts]
    assert vague_problem("ΕΔΩ", None, "el") is not None  # Greek capitals drop the accent of εδώ
    assert vague_problem("Czytaj wiecej", None, "pl") is not None  # written without its ę


def test_english_counts_in_every_language_and_the_language_of_a_tag_too(check):
    issue = issue_in("de-AT", "click here", "hier klicken")
    assert len(only(check(issue), "link-text")) == 2


def test_another_languages_words_are_not_vague(check):
    """French "hier" is "yesterday"; German vague words do not apply to a French issue."""
    assert only(check(issue_in("fr", "hier", "Weiterlesen")), "link-text") == []


def test_an_aria_label_that_adds_only_vague_words_of_the_language_is_still_vague():
    assert vague_problem("Weiterlesen", "Weiterlesen hier", "de") is not None
    assert vague_problem("Weiterlesen", "Weiterlesen: Ein offener Datensatz", "de") is None


def test_an_issue_that_does_not_load_is_checked_in_its_language(run_cli, project):
    issue = issue_in("de", "hier klicken", "cliquez ici").replace("date: 2022-04-01", "date: 2022-13-45")
    path = project(issue)
    result = run_cli("check", str(path), cwd=path.parent.parent.resolve())
    assert result.returncode == 1 and "not rendered" in result.stderr
    flagged = [line for line in result.stdout.splitlines() if ": link-text: " in line]
    where = f"{ISSUE_NAME}:{line_of(issue, '[hier klicken]')}:{col_of(issue, '[hier klicken]')}"
    expected = (f'{where}: warning: link-text: link text "hier klicken" does not say where it goes; '
                "screen-reader users hear a list of identical links (write what it leads to, or give the "
                "template an aria-label with the subject)")
    assert flagged == [expected]


def test_every_shipped_language_has_a_list():
    table = json.loads(VAGUE_LINKS.read_text(encoding="utf-8"))["languages"]
    assert sorted(table) == catalogue_languages()
    assert all(texts and len(set(texts)) == len(texts) for texts in table.values())


@pytest.mark.parametrize("language", catalogue_languages())
def test_the_catalogues_default_link_label_is_vague_in_its_language(language):
    """The default label ("Know more" in the language) needs a subject, like the English one."""
    label = messages_for(language).gettext("Know more")
    assert vague_problem(label, None, language) is not None, label
