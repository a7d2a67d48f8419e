"""YAML and schema mistakes in plain words, each at its ``file:line:col`` (issue 16, item 5).

The common mistakes of someone who does not write YAML every day: a colon
inside unquoted text, a tab, an item or key out of line, text where named
parts are needed, a date written another way. And pydantic's own wording
("Input should be a valid dictionary or instance of Person") never reaches
the user, for any block type and any wrong shape of any of its fields.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from shared import assert_clean_failure, clean_env

from newsletter_pipeline.errors import IssueError
from newsletter_pipeline.issue.load import load_issue
from newsletter_pipeline.issue.plain_words import as_iso_date
from newsletter_pipeline.issue.schema import BLOCK_TYPES

NAME = "issues/2026-11-words.yaml"
HEAD = "subject: Our November news\npreheader: What we did in November, and what comes in December.\n" \
       "date: 2026-11-28\nblocks:\n"
ARTICLE = """\
  - type: article
    title: Building trust
    authors:
      - name: Ada Example
        role: Researcher
      - name: Bo Example
    body: |-
      Our work this month.
"""
PYDANTIC = re.compile(r"Input should|instance of|valid dictionary|Field required|Extra inputs|"
                      r"should have|Unable to extract|Datetimes provided")


def reported(make_project, monkeypatch, text: str) -> list[str]:
    root = make_project({NAME: text})
    monkeypatch.chdir(root)
    with pytest.raises(IssueError) as caught:
        load_issue(Path(NAME))
    return [str(d) for d in caught.value.diagnostics]


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t.replace("title: Building trust", "title: Building trust: our work"),
     f'{NAME}:6:26: error: invalid YAML: the text has a colon followed by a space, which YAML reads as a new key '
     '(put the text in quotes: title: "Building trust: our work")'),
    (lambda t: t.replace("    title: Building trust", "\ttitle: Building trust"),
     f"{NAME}:6:1: error: invalid YAML: a tab character, which YAML does not accept here "
     "(use spaces, not tabs, to indent and after the colon)"),
    (lambda t: t.replace("      - name: Bo Example", "     - name: Bo Example"),
     f"{NAME}:10:6: error: invalid YAML: '- name:' is indented by 5 spaces, the item above on line 8 by 6 "
     "(line up '- name:' with the item above: put 6 spaces before it)"),
    (lambda t: t + "   - type: divider\n",
     f"{NAME}:13:4: error: invalid YAML: '- type:' is indented by 3 spaces, the item above on line 5 by 2 "
     "(line up '- type:' with the item above: put 2 spaces before it)"),
    (lambda t: t.replace("    authors:", "     authors:"),
     f"{NAME}:7:6: error: invalid YAML: 'authors:' is indented further than 'title:' on line 6 "
     "(line up 'authors:' with 'title:': put as many spaces before it)"),
], ids=["colon-in-text", "tab", "list-item-out-of-line", "block-out-of-line", "key-indented-too-far"])
def test_yaml_syntax_mistakes_in_plain_words(make_project, monkeypatch, edit, expected):
    assert reported(make_project, monkeypatch, edit(HEAD + ARTICLE)) == [expected]


def test_a_string_where_named_parts_are_needed(make_project, monkeypatch):
    text = HEAD + ARTICLE.replace("      - name: Bo Example", "      - Bo Example")
    assert reported(make_project, monkeypatch, text) == [
        f"{NAME}:10:9: error: blocks[0].authors[1]: 'Bo Example' is plain text, but this needs named parts "
        "(name: and so on) (write '- name: Bo Example')"]


@pytest.mark.parametrize("written, iso", [("28/11/2026", "2026-11-28"), ("28.11.2026", "2026-11-28"),
                                          ("November 28, 2026", "2026-11-28"), ("28 November 2026", "2026-11-28")])
def test_a_date_written_another_way_is_shown_as_it_should_be(make_project, monkeypatch, written, iso):
    text = (HEAD + ARTICLE).replace("date: 2026-11-28", f"date: {written}")
    assert reported(make_project, monkeypatch, text) == [
        f"{NAME}:3:7: error: date: '{written}' is not a date written year-month-day "
        f"(write it as YYYY-MM-DD: {iso})"]


def test_a_date_that_does_not_exist(make_project, monkeypatch):
    text = (HEAD + ARTICLE).replace("date: 2026-11-28", "date: 2026-11-31")
    assert reported(make_project, monkeypatch, text) == [
        f"{NAME}:3:7: error: date: '2026-11-31' is not a real date "
        "(write an existing day as year-month-day, e.g. 2024-11-28)"]


def test_a_block_written_as_text(make_project, monkeypatch):
    assert reported(make_project, monkeypatch, HEAD + "  - divider\n") == [
        f"{NAME}:5:5: error: blocks[0]: 'divider' is plain text, but this needs named parts (type: and so on) "
        "(write '- type: divider')"]


def test_the_plain_words_reach_the_cli_without_traceback(make_project, run_cli):
    root = make_project({NAME: (HEAD + ARTICLE).replace("title: Building trust", "title: Building trust: our work")})
    (line,) = assert_clean_failure(run_cli("build", NAME, cwd=root, env=clean_env()), 1)
    assert line.startswith(f"{NAME}:6:26: error: invalid YAML: the text has a colon") and "put the text in quotes" \
        in line


def test_as_iso_date_leaves_what_it_cannot_read():
    assert as_iso_date("sometime soon") is None and as_iso_date("2026/11/28") == "2026-11-28"


WRONG_SHAPES = ["some text", 5, -3, 10_000, ["a", "b"], [{"x": 1}], {"x": 1}, True, 1.5, "", [], "2021/13/45",
                dt.date(2021, 1, 1)]


def _wrong_shapes_of(block_type: str) -> list[str]:
    """A block of ``block_type`` per field and wrong value (and the block itself as text, a list, a number)."""
    import yaml

    blocks = [f"  - {yaml.safe_dump(block_type).strip().removesuffix('...').strip()}", "  - [1, 2]", "  - 7"]
    model = BLOCK_TYPES[block_type]
    for field in model.model_fields:
        if field == "type":
            continue
        for value in WRONG_SHAPES:
            block = {"type": block_type, field: value}
            blocks.append("  - " + yaml.safe_dump(block, default_flow_style=True, width=10_000).strip())
    return blocks


@pytest.mark.parametrize("block_type", sorted(BLOCK_TYPES))
def test_pydantic_wording_never_reaches_the_user(make_project, monkeypatch, block_type):
    blocks = _wrong_shapes_of(block_type)
    found = reported(make_project, monkeypatch, HEAD + "\n".join(blocks) + "\n")
    lines = {int(line.split(":")[1]) for line in found}
    assert {5, 6, 7} <= lines and len(lines) > len(blocks) // 2  # reported: the guard below has lines to read
    leaked = [line for line in found if PYDANTIC.search(line)]
    assert not leaked, "\n".join(leaked[:5])


def test_the_guard_above_would_see_pydantics_wording():
    """PYDANTIC matches what pydantic says, so the test above cannot pass by matching nothing."""
    from pydantic import BaseModel, ValidationError

    class Person(BaseModel):
        name: str

    class Doc(BaseModel):
        people: list[Person]

    with pytest.raises(ValidationError) as caught:
        Doc.model_validate({"people": ["Ada"]})
    assert PYDANTIC.search(caught.value.errors()[0]["msg"])


# --- one mistake, one report ---

def test_a_merge_key_in_a_block_is_one_error_not_also_a_missing_type(make_project, monkeypatch):
    text = HEAD + "  - &first\n    type: heading\n    title: One\n  - <<: *first\n    title: Two\n"
    assert reported(make_project, monkeypatch, text) == [
        f"{NAME}:8:5: error: blocks[1]: YAML merge keys (<<) are not supported (write the keys out)"]


def test_a_merge_key_hides_only_the_keys_it_was_meant_to_give(make_project, monkeypatch):
    """The suppression above is for keys missing from that block, not for real errors next to it."""
    text = HEAD + "  - &first\n    type: spacer\n  - <<: *first\n    type: spacer\n    height: 1\n"
    assert reported(make_project, monkeypatch, text) == [
        f"{NAME}:7:5: error: blocks[1]: YAML merge keys (<<) are not supported (write the keys out)",
        f"{NAME}:9:13: error: blocks[1].height: '1' is too small (write a number of at least 4)"]


@pytest.mark.parametrize("written, expected", [
    ("subject: Our November news\nsubject: Again\n",
     "2:1: error: subject: duplicate key 'subject' (it is already set at line 1; keep one)"),
    ("subject: !mine Our November news\n", "1:10: error: subject: !mine at the start of the value is read as a "
     'YAML type tag, not as text (to write text that starts with "!", put the whole text in quotes ("..."); '
     "otherwise remove the tag: an issue holds only text, numbers, dates, lists and keys)"),
    ("preheader: one\npreheader: two\n",
     "2:1: error: preheader: duplicate key 'preheader' (it is already set at line 1; keep one)"),
    ("language: en\nlanguage: de\n",
     "2:1: error: lang: duplicate key 'language' (it is already set at line 1; keep one)"),
    ("date: 2026-11-28\ndate: 2026-11-29\n",
     "2:1: error: schema: date: duplicate key 'date' (it is already set at line 1; keep one)"),
], ids=["subject", "tag", "preheader", "language", "other-key"])
def test_check_names_a_top_level_key_once(make_project, monkeypatch, written, expected):
    """``check`` shows each finding's rule, which for these keys is (or stands for) the key itself."""
    from newsletter_pipeline.checks.source import error_findings

    root = make_project({NAME: written + "blocks:\n  - type: divider\n"})
    monkeypatch.chdir(root)
    with pytest.raises(IssueError) as caught:
        load_issue(Path(NAME))
    assert f"{NAME}:{expected}" in [str(f) for f in error_findings(caught.value)]


# --- "&" and "!" at the start of a text: YAML syntax, which silently took words away ---

@pytest.mark.parametrize("written, words", [
    ("&Co news", "&Co at the start of the value is read as a YAML anchor (a name for repeating the value), so it "
                 'is left out of the text (to write text that starts with "&", put the whole text in quotes ("..."))'),
    ("!!binary aGVsbG8=", "!!binary at the start of the value is read as a YAML type tag, not as text"),
    ("!important news", "!important at the start of the value is read as a YAML type tag, not as text"),
    ("! news", "! at the start of the value is read as a YAML type tag, not as text"),  # YAML dropped "!"
    ("!!str news", "!!str at the start of the value is read as a YAML type tag, not as text"),
])
def test_text_starting_with_yaml_syntax_is_an_error_not_lost_words(make_project, monkeypatch, written, words):
    text = HEAD + f"  - type: masthead\n    title: {written}\n"
    found = reported(make_project, monkeypatch, text)
    assert len(found) == 1 and found[0].startswith(f"{NAME}:6:12: error: blocks[0].title: {words}"), found


@pytest.mark.parametrize("written", ['"&Co news"', "Q &amp; A", "R&D news", "Tom & Jerry", "Hello!", "x!y",
                                     '"! news"'])
def test_an_ampersand_that_yaml_reads_as_text_is_fine(make_project, monkeypatch, written):
    monkeypatch.chdir(make_project({NAME: HEAD + f"  - type: masthead\n    title: {written}\n"}))
    assert load_issue(Path(NAME)).issue.blocks[0].title == written.strip('"')


def test_an_anchor_that_an_alias_repeats_is_reuse_not_a_mistake(make_project, monkeypatch):
    text = HEAD + "  - type: masthead\n    title: &name Spring news\n  - type: cta\n    text: *name\n" \
        "    button:\n      label: Go\n      url: https://www.example.eu/\n"
    monkeypatch.chdir(make_project({NAME: text}))
    assert load_issue(Path(NAME)).issue.blocks[1].text == "Spring news"


# --- numbers: only digits are a number, and the message says which one to write ---

SPACER = HEAD + "  - type: spacer\n    height: {}\n"


@pytest.mark.parametrize("written, words", [
    ("true", "'true' is a yes/no value, not a number (write a whole number such as 24)"),
    ("no", "'no' is a yes/no value, not a number (write a whole number such as 24)"),
    (".nan", "'.nan' is not a number (write a whole number such as 24)"),
    (".inf", "'.inf' is not a number (write a whole number such as 24)"),
    ("0x20", "'0x20' is not written as a plain number (write it as 32)"),
    ("4_0", "'4_0' is not written as a plain number (write it as 40)"),
    ("017", "'017' is not written as a plain number (write it as 17)"),  # YAML 1.1 reads it as 15
    ("1:30", "'1:30' is not a number (write a whole number such as 24, without quotes or units)"),  # 90 in YAML
    ('"40"', "'40' is in quotes, which makes it text (write the number without quotes: 40)"),
    ("40.0", "'40.0' is not a whole number (leave out the decimals: 40)"),
    ("40px", "'40px' is not a number (write a whole number such as 24, without quotes or units)"),
])
def test_a_number_field_takes_only_a_number_written_in_digits(make_project, monkeypatch, written, words):
    assert reported(make_project, monkeypatch, SPACER.format(written)) == [
        f"{NAME}:6:13: error: blocks[0].height: {words}"]


def test_the_example_number_is_one_the_field_takes(make_project, monkeypatch):
    """An image block's width has no default: the example is in its range (16-1200), not the spacer's 24."""
    text = HEAD + "  - type: image\n    src: https://example.org/a.png\n    alt: A\n    width: yes\n"
    assert reported(make_project, monkeypatch, text) == [
        f"{NAME}:8:12: error: blocks[0].width: 'yes' is a yes/no value, not a number (write a whole number such "
        "as 600)"]


def test_a_text_field_keeps_a_number_written_another_way_as_written(make_project, monkeypatch):
    """0x20 and 4_0 are kept as text by the loader: a title shows them as typed, not as 32 and 40."""
    root = make_project({NAME: HEAD + "  - type: heading\n    title: 0x20\n  - type: heading\n    title: 4_0\n"})
    monkeypatch.chdir(root)
    assert [b.title for b in load_issue(Path(NAME)).issue.blocks[:2]] == ["0x20", "4_0"]


def test_a_yes_in_a_setting_is_not_taken_as_the_number_one(make_project, monkeypatch):
    """``warn_kb: yes`` was silently a limit of 1 kB (pydantic read yes as 1, which is at least 1)."""
    text = HEAD.replace("blocks:\n", "settings:\n  image_weight:\n    warn_kb: yes\nblocks:\n") + "  - type: divider\n"
    assert reported(make_project, monkeypatch, text) == [
        f"{NAME}:6:14: error: settings.image_weight.warn_kb: 'yes' is a yes/no value, not a number "
        "(write a whole number such as 1000)"]


def test_an_image_block_written_with_an_image_key_is_located_in_the_block(make_project, monkeypatch):
    """pydantic's path holds the block's type (image) after its index; the block's own `image:` key is not it."""
    text = HEAD + "  - type: image\n    image:\n      src: https://example.org/a.png\n      alt: A\n"
    assert reported(make_project, monkeypatch, text) == [
        f"{NAME}:5:5: error: blocks[0].src: required (add it)",
        f"{NAME}:6:5: error: blocks[0].image: unknown key 'image' (did you mean 'src'?)"]


# --- quotes, and the other syntax mistakes the parser words in its own terms ---

@pytest.mark.parametrize("text, expected", [
    (HEAD + "  - type: heading\n    title: 'Wywiad z panem O'Brien'\n",
     "6:29: error: invalid YAML: the text in quotes ends at the ' in column 29, and what follows (Brien') is not "
     "understood (put the whole text in double quotes (\"Wywiad z panem O'Brien\"), or write the apostrophe twice "
     "(O''Brien))"),
    ("subject: 'L'été à Paris'\ndate: 2026-11-28\n",
     "1:12: error: invalid YAML: the text in quotes ends at the ' in column 12, and what follows (été à Paris') is "
     "not understood (put the whole text in double quotes (\"L'été à Paris\"), or write the apostrophe twice "
     "(L''été))"),
    ('subject: "Cytat "w cudzysłowie" tutaj"\ndate: 2026-11-28\n',
     '1:17: error: invalid YAML: the text in quotes ends at the " in column 17, and what follows (w cudzysłowie" '
     "tutaj\") is not understood (put the whole text in single quotes ('Cytat \"w cudzysłowie\" tutaj'), or write "
     '\\" for each " inside ("Cytat \\"w cudzysłowie\\" tutaj"))'),
    ("subject: 'Hello' world\ndate: 2026-11-28\n",
     "1:16: error: invalid YAML: the text in quotes ends at the ' in column 16, and what follows (world) is not "
     "understood (put the whole text in double quotes (\"'Hello' world\"))"),
    ('subject: "unclosed\npreheader: "Soon"\ndate: 2026-11-28\n',
     '1:10: error: invalid YAML: the text in quotes that starts at the " in column 10 is never closed: YAML reads '
     'on until the next ", on line 2 (end the text with " on the same line: subject: "unclosed")'),
    ('subject: "unclosed\npreheader: Soon\ndate: 2026-11-28\n',
     '1:10: error: invalid YAML: the text in quotes that starts at the " in column 10 is never closed '
     '(end the text with " on the same line: subject: "unclosed")'),
    ('date: 2026-11-28\nsubject: "unclosed\n',
     '2:10: error: invalid YAML: the text in quotes that starts at the " in column 10 is never closed '
     '(end the text with " on the same line: subject: "unclosed")'),
], ids=["apostrophe-in-block", "apostrophe-at-top", "double-in-double", "text-after-quotes",
        "unclosed-until-a-later-quote", "unclosed-until-the-end", "unclosed-at-the-end"])
def test_a_quote_mistake_is_located_at_the_quote(make_project, monkeypatch, text, expected):
    assert reported(make_project, monkeypatch, text) == [f"{NAME}:{expected}"]


@pytest.mark.parametrize("text, expected", [
    (HEAD + "  - type: editorial\n    body: |-\n    Our work this month.\n",
     "7:5: error: invalid YAML: the text under 'body:' must be indented further than 'body:' "
     "(put 6 spaces before each line of the text)"),
    ("subject:Our news\ndate: 2026-11-28\n",
     "1:8: error: invalid YAML: there is no space after the colon of 'subject:' "
     "(put a space after the colon: subject: Our news)"),
    ("subject: Our news\ndate:2026-11-28\nblocks: []\n",
     "2:5: error: invalid YAML: there is no space after the colon of 'date:' "
     "(put a space after the colon: date: 2026-11-28)"),
    (HEAD + "  - type: divider\n  -type: spacer\n",
     "6:3: error: invalid YAML: a list item needs a space after the dash (write '- type: spacer')"),
    ("subject: Note: this\n",
     "1:14: error: invalid YAML: the text has a colon followed by a space, which YAML reads as a new key "
     "(put the text in quotes: subject: \"Note: this\")"),
    ("subject: Our news\nblocks: [divider\ndate: 2026-11-28\n",
     "2:9: error: invalid YAML: the [ in column 9 opens a list that is not closed "
     "(end it with ] on the same line; a text that starts with [ goes in double quotes)"),
    ("subject: Our news\nsettings: {name: x\n",
     "2:11: error: invalid YAML: the { in column 11 opens a group of keys that is not closed "
     "(end it with } on the same line; a text that starts with { goes in double quotes)"),
    ("subject: [Draft] Our news\n",
     "1:10: error: invalid YAML: a text that starts with [ is read as a list, and what follows the ] is not "
     "understood (put the text in quotes: subject: \"[Draft] Our news\")"),
    ("subject: @ourteam news\n",
     "1:10: error: invalid YAML: a text cannot start with @ unless it is in quotes "
     "(put the text in double quotes: subject: \"@ourteam news\")"),
    ("subject: *New* news\n",
     "1:10: error: invalid YAML: a text cannot start with * unless it is in quotes "
     "(put the text in double quotes: subject: \"*New* news\")"),
    ("subject: | Our news\n",
     "1:12: error: invalid YAML: after | or > nothing may follow on the same line "
     "(start the text on the next line, indented further; or remove the | to write it on this line)"),
    ("subject: Our news\nand more of it\ndate: 2026-11-28\n",
     "2:1: error: invalid YAML: this line is text, but here YAML expects a 'key: value' line (if it continues "
     "the text above, put that text in double quotes or indent this line further; otherwise write it as "
     "'key: value')"),
    ("subject: Our news\nblocks:\n\t- type: divider\n",
     "3:1: error: invalid YAML: a tab character, which YAML does not accept here "
     "(use spaces, not tabs, to indent and after the colon)"),
    (HEAD + "  - type: divider\n   title: Two\n",
     "6:4: error: invalid YAML: 'title:' is indented by 3 spaces, the key above on line 5 by 4 "
     "(line up 'title:' with the key above: put 4 spaces before it)"),
], ids=["block-text-not-indented", "no-space-after-colon", "no-space-then-more", "dash-without-space",
        "colon-in-text", "unclosed-bracket", "unclosed-brace", "text-starting-with-a-bracket", "at-sign",
        "markdown-bold", "text-after-a-bar", "text-that-is-no-key", "tab", "key-out-of-line-in-a-block"])
def test_other_syntax_mistakes_in_plain_words(make_project, monkeypatch, text, expected):
    assert reported(make_project, monkeypatch, text) == [f"{NAME}:{expected}"]


PARSER_WORDS = re.compile(r"scanning|parsing|stream|scalar|simple key|<block end>|token|indicator|"
                          r"expected|mapping|alias|check indentation, quotes and colons")


@pytest.mark.parametrize("text", [
    "subject: 'a'b'\n", 'subject: "a\n', "a: [b\n", "a: {b\n", "a: b\n c: d\n", "- a\nb: c\n", "a:\n  - b\n  c: d\n",
    "a: |\nb\n", "a:\n  - b\n - c\n", "[a, b]]\n", "a: @b\n", "a: *b\n", "a: `b\n", "a: b\n---\nc: d\n", "a: %b\n",
    "a: 'b'\n  c\n", "? a\n? b\n: c\n  d: e\n", "a: b: c\n", "a: >x\n", "a: [b] c\n", "a: {b: c} d\n",
    "a: b\n  c: d\n", "a:\n  b: c\n d: e\n", "a: b\nc\n", '"a": "b" "c"\n', "a: 'b' # c\n d\n",
], ids=lambda t: t.replace("\n", "\\n"))
def test_no_syntax_error_speaks_the_parsers_words(make_project, monkeypatch, text):
    """Every syntax mistake, common or not, is said in words; the parser's terms never reach the writer."""
    (line,) = reported(make_project, monkeypatch, text)
    assert "invalid YAML: " in line and not PARSER_WORDS.search(line.split("invalid YAML: ", 1)[1]), line
