"""The loader: every kind of bad input gives a located, compiler-style diagnostic.

Each test writes a small issue into a throwaway project and asserts the exact
``file:line:col`` and key path of what ``load_issue`` reports, so a regression
in location tracking fails here rather than in a user's editor.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsletter_pipeline.errors import Diagnostic, IssueError, MissingFileError, UnreadableFileError
from newsletter_pipeline.issue.load import load_issue
from newsletter_pipeline.issue.located_yaml import MAX_BYTES, MAX_DEPTH, MAX_NODES

NAME = "issues/2021-12-bad.yaml"
# file:line:col: error: key.path: message   (YAML syntax errors have no key path)
SHAPE = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+):(?P<col>\d+): error: (?:(?P<path>[\w.\[\]]+): )?(?P<msg>\S.*)$")

VALID = """\
subject: Hello
date: 2021-12-15
language: en
blocks:
  - type: cta
    button:
      label: Go
      url: https://www.ai4media.eu/
"""


def diagnostics(make_project, monkeypatch: pytest.MonkeyPatch, text: str) -> list[Diagnostic]:
    """Load ``text`` as an issue from inside its project; return what it reports (must fail)."""
    root = make_project({NAME: text})
    monkeypatch.chdir(root)
    with pytest.raises(IssueError) as caught:
        load_issue(Path(NAME))
    found = caught.value.diagnostics
    assert found, "an IssueError must carry located diagnostics"
    for diag in found:
        assert SHAPE.match(str(diag)), f"not compiler-style: {diag}"
    return found


def only(found: list[Diagnostic]) -> Diagnostic:
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def test_the_valid_base_issue_loads(make_project, monkeypatch):
    """The fixtures below break this file one way each; it must load cleanly itself."""
    root = make_project({NAME.replace("bad", "good"): VALID})
    monkeypatch.chdir(root)
    loaded = load_issue(Path(NAME.replace("bad", "good")))
    assert loaded.slug == "2021-12-good"
    assert [b.type for b in loaded.issue.blocks] == ["cta", "footer"]  # footer added: legally required


def test_invalid_yaml_points_at_the_offending_character(make_project, monkeypatch):
    text = VALID.replace("    button:\n", "     button: x\n    button:\n")
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag.location) == f"{NAME}:6:6"  # the key indented too far, not the colon after it
    assert diag.message == "invalid YAML: 'button:' is indented further than 'type:' on line 5"
    assert diag.hint == "line up 'button:' with 'type:': put as many spaces before it"


def test_unclosed_quote_is_invalid_yaml_with_its_line(make_project, monkeypatch):
    text = VALID.replace("subject: Hello", 'subject: "Hello')
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag.location) == f"{NAME}:1:10"  # where the quote opens, not the end of the file
    assert diag.message == 'invalid YAML: the text in quotes that starts at the " in column 10 is never closed'
    assert diag.hint == 'end the text with " on the same line: subject: "Hello"'


def test_missing_top_level_field(make_project, monkeypatch):
    text = VALID.replace("subject: Hello\n", "")
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag) == f"{NAME}:1:1: error: subject: required (add it)"


def test_missing_nested_field_points_at_its_mapping(make_project, monkeypatch):
    text = VALID.replace("      url: https://www.ai4media.eu/\n", "")
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag) == f"{NAME}:7:7: error: blocks[0].button.url: required (add it)"


@pytest.mark.parametrize("edit, where, path, hint", [
    (lambda t: t.replace("label: Go", "label:"), "7:13", "blocks[0].button.label", "write the text after"),
    (lambda t: t.replace("date: 2021-12-15", "date: 15 December 2021"), "2:7", "date", "YYYY-MM-DD"),
    (lambda t: t.split("blocks:")[0] + "blocks: 3\n", "4:9", "blocks", "write a list"),
    (lambda t: t.replace("language: en", "language: [en]"), "3:11", "language", "write it as text"),
], ids=["empty-text", "bad-date", "scalar-for-list", "list-for-text"])
def test_wrong_type(make_project, monkeypatch, edit, where, path, hint):
    diag = only(diagnostics(make_project, monkeypatch, edit(VALID)))
    assert str(diag.location) == f"{NAME}:{where}"
    assert diag.key_path == path
    assert hint in diag.hint


def test_unknown_block_type_suggests_the_closest(make_project, monkeypatch):
    text = VALID.replace("type: cta", "type: ctaa")
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag) == f"{NAME}:5:11: error: blocks[0].type: unknown block type 'ctaa' (did you mean 'cta'?)"


def test_unknown_top_level_key_suggests_the_closest(make_project, monkeypatch):
    text = VALID.replace("language: en", "languag: en")
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag) == f"{NAME}:3:1: error: languag: unknown key 'languag' (did you mean 'language'?)"


def test_unknown_key_inside_a_block_suggests_a_key_of_that_block(make_project, monkeypatch):
    text = VALID.replace("    button:\n", "    txet: Hi\n    button:\n")
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag) == f"{NAME}:6:5: error: blocks[0].txet: unknown key 'txet' (did you mean 'text'?)"


@pytest.mark.parametrize("block, written, meant", [
    ("  - type: article\n    title: A\n    {key}: Words\n", "text", "body"),  # spelling said 'type'
    ("  - type: article\n    {key}: Words\n    body: B\n", "headline", "title"),  # spelling said 'link'
    ("  - type: quote\n    text: Words\n    {key}: Ada\n", "author", "attribution"),  # spelling said nothing
    ("  - type: image\n    src: https://www.ai4media.eu/a.png\n    alt: A\n    {key}: https://www.ai4media.eu/\n",
     "link", "href"),
    ("  - type: article\n    {key}: A\n    body: B\n", "Title", "title"),
    ("  - type: article\n    title: A\n    {key}: B\n", "bdoy", "body"),  # spelling still helps
])
def test_an_unknown_key_suggests_the_key_meant_by_meaning_then_by_spelling(make_project, monkeypatch, block,
                                                                          written, meant):
    found = diagnostics(make_project, monkeypatch, VALID + block.format(key=written))
    diag = next(d for d in found if d.message.startswith("unknown key"))  # a required key may be missing too
    assert diag.message == f"unknown key '{written}'" and diag.hint == f"did you mean '{meant}'?", str(diag)


def test_a_key_of_no_meaning_nearby_lists_the_valid_keys(make_project, monkeypatch):
    found = diagnostics(make_project, monkeypatch, VALID + "  - type: article\n    title: A\n    date: x\n")
    diag = next(d for d in found if d.message.startswith("unknown key"))
    assert diag.hint == "valid keys: id, type, title, authors, body, image, link"  # not "did you mean 'type'?"


def test_duplicate_key_names_both_lines(make_project, monkeypatch):
    text = VALID.replace("language: en\n", "language: en\nsubject: Again\n")
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag) == f"{NAME}:4:1: error: subject: duplicate key 'subject' (it is already set at line 1; keep one)"


@pytest.mark.parametrize("url, col, wanted", [
    ("www.ai4media.eu", 12, "use an absolute https: or http: or mailto: address"),
    ("https://www.ai4media.eu/a b", 12, "it contains spaces"),
    ("mailto:nobody", 12, "a mailto: link needs an address"),
])
def test_invalid_link_url(make_project, monkeypatch, url, col, wanted):
    text = VALID.replace("url: https://www.ai4media.eu/", f"url: {url}")
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag.location) == f"{NAME}:8:{col}"
    assert diag.key_path == "blocks[0].button.url"
    assert f"invalid URL '{url}'" in diag.message and wanted in diag.message


ARTICLE = """\
  - type: article
    title: Deepfakes
    body: Text
    image:
      src: {src}
{extra}"""


def test_image_url_must_be_https(make_project, monkeypatch):
    text = VALID + ARTICLE.format(src="http://www.ai4media.eu/a.png", extra="      alt: A face\n")
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag) == (f"{NAME}:13:12: error: blocks[1].image.src: invalid URL 'http://www.ai4media.eu/a.png': "
                         "use an absolute https: address")


def test_image_without_alt(make_project, monkeypatch):
    text = VALID + ARTICLE.format(src="https://www.ai4media.eu/a.png", extra="      width: 300\n")
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag.location) == f"{NAME}:13:7"  # the image mapping
    assert diag.key_path == "blocks[1].image.alt"
    assert diag.message == "required"
    assert "describe the image for screen readers" in diag.hint


def test_decorative_image_needs_no_alt(make_project, monkeypatch):
    """The counterpart of the test above: decorative: true is the documented way out."""
    root = make_project({NAME: VALID + ARTICLE.format(src="https://www.ai4media.eu/a.png",
                                                      extra="      decorative: true\n")})
    monkeypatch.chdir(root)
    assert load_issue(Path(NAME)).issue.blocks[1].image.decorative is True


def test_alias_bomb_is_stopped(make_project, monkeypatch):
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefg", "bcdefgh"):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = VALID.replace("language: en\n", "language: en\n" + "\n".join(levels) + "\n")
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert diag.message == f"the document expands to more than {MAX_NODES} values"
    # 9**5 values overflow at the fifth level (key e, line 8): the error names that key
    assert str(diag.location) == f"{NAME}:8:1" and diag.key_path == "e"
    assert "aliases" in diag.hint


def test_a_big_issue_without_aliases_is_not_blamed_on_aliases(make_project, monkeypatch):
    """10,000 dividers are written out, not repeated by *name: the message must not send the writer
    looking for aliases the file does not have."""
    text = VALID + "  - type: divider\n" * 10_000
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert diag.message == f"the file has more than {MAX_NODES:,} values" and diag.key_path == "blocks"
    assert "alias" not in diag.message + diag.hint and "split the content into several issues" in diag.hint
    assert str(diag.location) == f"{NAME}:4:1"


def test_every_error_of_a_file_is_reported_at_once_in_order(make_project, monkeypatch):
    text = """\
subject: Hello
languag: en
date: 2021-12-15
date: 2021-12-16
blocks:
  - type: articel
    title: x
  - type: article
    title: [5]
    body: Hi
    image:
      src: http://x.org/a.png
  - type: cta
    button:
      label: Go
      url: notaurl
"""
    found = diagnostics(make_project, monkeypatch, text)
    assert [(str(d.location), d.key_path) for d in found] == [
        (f"{NAME}:2:1", "languag"),
        (f"{NAME}:4:1", "date"),
        (f"{NAME}:6:11", "blocks[0].type"),
        (f"{NAME}:9:12", "blocks[1].title"),
        (f"{NAME}:12:12", "blocks[1].image.src"),
        (f"{NAME}:16:12", "blocks[2].button.url"),
    ]


def test_a_setting_overridden_in_the_issue_is_located_in_the_issue(make_project, monkeypatch):
    text = VALID.replace("language: en\n", 'language: en\nsettings:\n  brand:\n    colors:\n      primary: blue\n')
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag.location) == f"{NAME}:7:16"
    assert diag.key_path == "settings.brand.colors.primary"
    assert "invalid colour 'blue'" in diag.message


def test_unknown_key_in_an_override_suggests_the_setting(make_project, monkeypatch):
    text = VALID.replace("language: en\n", "language: en\nsettings:\n  brand:\n    colours: {}\n")
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert str(diag) == (f"{NAME}:6:5: error: settings.brand.colours: unknown key 'colours' "
                         "(did you mean 'colors'?)")


def test_an_error_in_newsletter_yaml_points_into_newsletter_yaml(make_project, monkeypatch):
    root = make_project({NAME: VALID})
    config = (root / "newsletter.yaml").read_text(encoding="utf-8")
    assert 'primary: "#0b3b60"' in config
    lines = config.replace('primary: "#0b3b60"', "primary: navy").splitlines()
    (root / "newsletter.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = next(i for i, text in enumerate(lines, 1) if "primary: navy" in text)
    monkeypatch.chdir(root)
    with pytest.raises(IssueError) as caught:
        load_issue(Path(NAME))
    diag = only(caught.value.diagnostics)
    assert str(diag.location) == f"newsletter.yaml:{line}:14"
    assert diag.key_path == "brand.colors.primary"


def test_a_file_name_that_is_not_a_slug(make_project, monkeypatch):
    root = make_project({"issues/December issue.yaml": VALID})
    monkeypatch.chdir(root)
    with pytest.raises(IssueError) as caught:
        load_issue(Path("issues/December issue.yaml"))
    diag = only(caught.value.diagnostics)
    assert str(diag.location) == "issues/December issue.yaml:1:1"
    assert "YYYY-MM-slug.yaml" in diag.message


def test_a_missing_file_is_its_own_error(make_project, monkeypatch):
    root = make_project()
    monkeypatch.chdir(root)
    with pytest.raises(MissingFileError) as caught:
        load_issue(Path("issues/2021-12-nope.yaml"))
    assert caught.value.exit_code == 2
    assert "issues/2021-12-nope.yaml" in str(caught.value)


def byte_diagnostics(make_project, monkeypatch: pytest.MonkeyPatch, data: bytes,
                     name: str = NAME) -> list[Diagnostic]:
    """Like ``diagnostics``, for a file given as raw bytes (``name`` may be newsletter.yaml)."""
    root = make_project({NAME.replace("bad", "good"): VALID})
    (root / name).write_bytes(data)
    monkeypatch.chdir(root)
    target = NAME if name == NAME else NAME.replace("bad", "good")
    with pytest.raises(IssueError) as caught:
        load_issue(Path(target))
    for diag in caught.value.diagnostics:
        assert SHAPE.match(str(diag)), f"not compiler-style: {diag}"
    return caught.value.diagnostics


def test_a_file_that_is_not_utf8_names_the_line_and_column_of_the_first_bad_byte(make_project, monkeypatch):
    data = VALID.replace("label: Go", "label: Caf\xe9 ok").encode("latin-1")
    diag = only(byte_diagnostics(make_project, monkeypatch, data))
    assert str(diag.location) == f"{NAME}:7:17"  # 6 spaces, "label: Caf", then the byte
    assert diag.message == "the file is not UTF-8 text (byte 0xe9 here)"
    assert "save the file as UTF-8" in diag.hint


def test_a_utf16_file_is_refused_at_its_first_byte(make_project, monkeypatch):
    diag = only(byte_diagnostics(make_project, monkeypatch, VALID.encode("utf-16")))
    assert str(diag.location) == f"{NAME}:1:1" and "UTF-8" in diag.hint


def test_a_utf8_byte_order_mark_is_accepted(make_project, monkeypatch):
    root = make_project({NAME.replace("bad", "good"): "\ufeff" + VALID})
    monkeypatch.chdir(root)
    assert load_issue(Path(NAME.replace("bad", "good"))).issue.subject == "Hello"


def test_newsletter_yaml_that_is_not_utf8_is_located_in_it(make_project, monkeypatch):
    config = (make_project() / "newsletter.yaml").read_text(encoding="utf-8")
    data = (config + "name: Caf\xe9\n").encode("latin-1")
    found = byte_diagnostics(make_project, monkeypatch, data, name="newsletter.yaml")
    lines = config.count("\n") + 1
    assert [str(d.location) for d in found] == [f"newsletter.yaml:{lines}:10"]


def test_a_nul_byte_is_reported_where_it_is_not_at_1_1(make_project, monkeypatch):
    data = VALID.replace("label: Go", "label: G\x00o").encode()
    diag = only(byte_diagnostics(make_project, monkeypatch, data))
    assert str(diag.location) == f"{NAME}:7:15"
    assert diag.message == "invalid character U+0000 (NUL) in the file"


def test_deep_nesting_is_a_located_error_not_a_recursion_error(make_project, monkeypatch):
    text = VALID.replace("language: en", "language: " + "[" * 600 + "]" * 600)
    diag = only(diagnostics(make_project, monkeypatch, text))
    assert diag.message == f"values are nested more than {MAX_DEPTH} levels deep"
    assert diag.location.file == NAME and diag.location.line == 3
    assert diag.key_path.startswith("language[0][0]")


def test_an_alias_inside_its_own_anchor_is_a_located_error(make_project, monkeypatch):
    diag = only(diagnostics(make_project, monkeypatch, VALID.replace("language: en", "language: &a [*a]")))
    assert str(diag.location) == f"{NAME}:3:11"
    assert diag.message == "an alias (*name) is used inside the value it names"


def test_an_alias_used_twice_side_by_side_is_still_fine(make_project, monkeypatch):
    """The cycle guard must not refuse an anchor reused by siblings (no cycle)."""
    text = VALID.replace("language: en", "language: en\nx: &a [1]\ny: [*a, *a]")
    found = diagnostics(make_project, monkeypatch, text)
    assert [d.key_path for d in found] == ["x", "y"]  # unknown keys, nothing about aliases


def test_an_oversized_file_is_refused_before_it_is_read(make_project, monkeypatch):
    root = make_project({NAME: VALID + "# " + "x" * MAX_BYTES + "\n"})
    monkeypatch.chdir(root)
    with pytest.raises(UnreadableFileError) as caught:
        load_issue(Path(NAME))
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(f"{NAME}: error: this issue file is {MAX_BYTES + len(VALID) + 3:,} bytes")


def test_unquoted_numbers_yes_no_and_dates_in_text_fields_are_taken_as_written(make_project, monkeypatch):
    """`subject: 1984` or `language: no` (Norwegian) were refused ('False' needs to be text): the writer
    means the words on the line, so those words are used, as written (010 stays 010, not 8)."""
    text = (VALID.replace("subject: Hello", "subject: 1984")
            .replace("language: en", "language: no")
            .replace("label: Go", "label: 010"))
    root = make_project({NAME: text})
    with (root / "newsletter.yaml").open("a", encoding="utf-8") as config:
        config.write('strings:\n  no:\n    "Follow us": Følg oss\n')
    monkeypatch.chdir(root)
    loaded = load_issue(Path(NAME))
    assert (loaded.issue.subject, loaded.issue.language) == ("1984", "no")
    assert loaded.issue.blocks[0].button.label == "010"
    assert loaded.settings.strings == {"no": {"Follow us": "Følg oss"}}  # a key `no:` is "no", not "False"


def test_a_value_taken_as_written_is_still_checked(make_project, monkeypatch):
    diag = only(diagnostics(make_project, monkeypatch, VALID.replace("url: https://www.ai4media.eu/", "url: 2021")))
    assert diag.key_path == "blocks[0].button.url" and "'2021'" in diag.message


def test_an_empty_text_says_so_and_names_the_comment_trap(make_project, monkeypatch):
    diag = only(diagnostics(make_project, monkeypatch, VALID.replace("subject: Hello", "subject: #1 news")))
    assert (diag.key_path, diag.message) == ("subject", "is empty")
    assert "quotes" in diag.hint and "comment" in diag.hint and "None" not in str(diag)
