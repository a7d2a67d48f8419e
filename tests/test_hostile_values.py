"""Hostile or careless values in issues and newsletter.yaml are refused at load, located.

Control characters in one-line fields (they become mail headers, HTML
attributes and terminal output), settings that the templates write into CSS,
and values of any length echoed in messages.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from shared import LOCAL_ONLY_CONFIG, assert_clean_failure, clean_env

from newsletter_pipeline.checks import run_checks
from newsletter_pipeline.errors import Diagnostic, IssueError
from newsletter_pipeline.issue.load import load_issue
from newsletter_pipeline.render import build_issue

ISSUE = "issues/2022-05-hostile.yaml"
CONFIG = LOCAL_ONLY_CONFIG + """\
brand:
  fonts:
    body: "Helvetica, Arial, sans-serif"
    heading: "Helvetica, Arial, sans-serif"
"""
VALID = """\
subject: Spring news from the lab
preheader: Three new papers and the dates of our summer school.
date: 2022-05-01
language: en
blocks:
  - type: masthead
    title: Spring news
  - type: article
    title: An open dataset
    body: |-
      We released a dataset.
    image:
      src: https://www.ai4media.eu/img/photos.jpg
      alt: A grid of news photos
    link:
      label: Read about the dataset
      url: https://www.ai4media.eu/dataset/
"""
HOSTILE_FONT = "Helvetica, Arial; } .np-footer { display: none !important } h6 {"


def _load_fails(make_project, monkeypatch, issue: str = VALID, config: str = CONFIG) -> list[Diagnostic]:
    root = make_project({ISSUE: issue, "newsletter.yaml": config})
    monkeypatch.chdir(root)
    with pytest.raises(IssueError) as caught:
        load_issue(Path(ISSUE))
    return caught.value.diagnostics


def _line_col(text: str, needle: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in the fixture")


# (what the fixture line becomes, the key path reported, the value's first characters on that line)
ONE_LINE_FIELDS = [
    ('subject: "Spring news\\r\\nBcc: everyone@example.org"', "subject", "carriage return (U+000D)"),
    ('preheader: "Three papers\\nX-Injected: 1"', "preheader", "line break (U+000A)"),
    ('    title: "An open\\u2028dataset"', "blocks[1].title", "line separator (U+2028)"),
    ('      alt: "A grid\\x85of photos"', "blocks[1].image.alt", "control character (U+0085)"),
    ('      label: "Read about \\u202Etesrever"', "blocks[1].link.label", "right-to-left override (U+202E)"),
    ('      url: "https://www.ai4media.eu/\\x00dataset/"', "blocks[1].link.url", "NUL character (U+0000)"),
    ('subject: "Spring\\tnews"', "subject", "tab (U+0009)"),
]


@pytest.mark.parametrize("line, key_path, what", ONE_LINE_FIELDS, ids=[f[1] + "-" + f[2][:6] for f in ONE_LINE_FIELDS])
def test_control_characters_in_one_line_fields_are_refused_where_written(make_project, monkeypatch,
                                                                         line, key_path, what):
    key = line.split(":")[0]
    original = [text for text in VALID.splitlines() if text.startswith(key + ":")][-1]  # the article's
    issue = VALID.replace(original + "\n", line + "\n", 1) if key != "    title" else VALID.replace(
        "    title: An open dataset", line)
    [diag] = _load_fails(make_project, monkeypatch, issue)
    number, _ = _line_col(issue, line)
    assert (diag.location.file, diag.location.line, diag.key_path) == (ISSUE, number, key_path)
    assert diag.location.col == line.index('"') + 1  # where the value starts
    assert what in diag.message and "one line" in diag.message
    assert diag.hint.startswith("remove it")


def test_multi_line_text_keeps_line_breaks_and_tabs_but_not_other_controls(make_project, monkeypatch):
    issue = VALID.replace("      We released a dataset.", "      We released\ta dataset.\n\n      It is free.")
    root = make_project({ISSUE: issue, "newsletter.yaml": CONFIG})
    monkeypatch.chdir(root)
    assert "\t" in load_issue(Path(ISSUE)).issue.blocks[1].body

    escaped = VALID.replace("    body: |-\n      We released a dataset.", '    body: "We released\\e[2J a dataset."')
    [diag] = _load_fails(make_project, monkeypatch, escaped)
    assert diag.key_path == "blocks[1].body" and "escape character (U+001B)" in diag.message


def test_a_sender_name_with_a_line_break_in_newsletter_yaml_is_located_there(make_project, monkeypatch):
    config = CONFIG.replace("  name: Lab\n", '  name: "Lab\\r\\nBcc: all@example.org"\n')
    [diag] = _load_fails(make_project, monkeypatch, config=config)
    assert (diag.location.file, diag.location.line, diag.location.col) == (
        "newsletter.yaml", *_line_col(config, '"Lab'))
    assert diag.key_path == "sender.name" and "carriage return" in diag.message


def test_header_injection_is_refused_by_build_check_and_send_without_a_traceback(make_project, run_cli):
    issue = VALID.replace("subject: Spring news from the lab", 'subject: "Spring news\\r\\nBcc: all@example.org"')
    root = make_project({ISSUE: issue, "newsletter.yaml": CONFIG})
    expected = f"{ISSUE}:1:10: error: subject: contains a carriage return (U+000D) at character 12"
    for verb in (["build", "--out", "out"], ["send", "--test", "--to", "me@lab.ai4media.eu"]):
        result = run_cli(*verb[:1], ISSUE, *verb[1:], cwd=root, env=clean_env())
        lines = assert_clean_failure(result, 1)
        assert lines[0].startswith(expected), (verb, lines)
    checked = run_cli("check", ISSUE, cwd=root, env=clean_env())  # check reports on stdout
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    first = checked.stdout.splitlines()[0]
    assert first.startswith(f"{ISSUE}:1:10: error: subject: ") and "carriage return (U+000D)" in first, first
    assert not (root / "out").exists() and not (root / "outbox").exists()


@pytest.mark.parametrize("value", [
    HOSTILE_FONT,
    "Arial</mj-style><mj-raw>",
    "Arial; color: red",
    "Arial\\\\; x",
    "url(https://evil.example/x)",
])
def test_fonts_that_would_escape_the_css_rule_are_refused_in_newsletter_yaml(make_project, monkeypatch, value):
    config = CONFIG.replace('heading: "Helvetica, Arial, sans-serif"', f"heading: {json.dumps(value)}")
    [diag] = _load_fails(make_project, monkeypatch, config=config)
    line, col = _line_col(config, "heading: ")
    assert str(diag).startswith(f"newsletter.yaml:{line}:{col + len('heading: ')}: error: brand.fonts.heading: "
                                "invalid font list")
    assert "for example: Helvetica, Arial, sans-serif" in diag.hint


def test_a_hostile_font_in_an_issue_override_is_located_in_the_issue(make_project, monkeypatch):
    issue = VALID.replace("language: en\n", f"language: en\nsettings:\n  brand:\n    fonts:\n"
                                            f"      body: {json.dumps(HOSTILE_FONT)}\n")
    [diag] = _load_fails(make_project, monkeypatch, issue)
    assert (diag.location.file, diag.location.line, diag.location.col) == (ISSUE, *_line_col(issue, '"Helvetica'))
    assert diag.key_path == "settings.brand.fonts.body" and diag.message.startswith("invalid font list")


def test_web_font_name_and_stylesheet_address_cannot_break_out_of_css(make_project, monkeypatch):
    config = CONFIG.replace('    heading: "Helvetica, Arial, sans-serif"\n',
                            '    heading: "Helvetica, Arial, sans-serif"\n    web_font:\n'
                            '      name: "Open Sans; } a { display: none"\n'
                            "      href: \"https://fonts.example.org/css?f=a');}.np-footer{display:none}\"\n")
    found = {d.key_path: d for d in _load_fails(make_project, monkeypatch, config=config)}
    assert set(found) == {"brand.fonts.web_font.name", "brand.fonts.web_font.href"}
    assert found["brand.fonts.web_font.name"].message.startswith("invalid font name")
    assert found["brand.fonts.web_font.href"].message.startswith("invalid stylesheet address")


def test_valid_font_lists_and_short_colours_load(make_project, monkeypatch):
    config = CONFIG.replace('heading: "Helvetica, Arial, sans-serif"',
                            """heading: "'Open Sans', \\"Fira Sans\\",sans-serif\"""")
    config = config.replace("brand:\n", 'brand:\n  colors:\n    primary: "#ABC"\n')
    root = make_project({ISSUE: VALID, "newsletter.yaml": config})
    monkeypatch.chdir(root)
    loaded = load_issue(Path(ISSUE))
    assert loaded.settings.brand.fonts.heading == "'Open Sans', \"Fira Sans\",sans-serif"
    assert loaded.settings.brand.colors.primary == "#aabbcc"


@pytest.mark.parametrize("fonts", ['Mínimo, sans-serif', '"微软雅黑", "Noto Sans Ελληνικά", Open_Sans, sans-serif',
                                   "'Open Sans', Arial, sans-serif"])
def test_font_names_in_any_script_load_and_reach_the_css(make_project, monkeypatch, fonts):
    """Names beyond ASCII letters were refused; and a quoted heading font was written into the <style> as
    ``&#39;Open Sans&#39;``, which is no CSS: the headings lost it."""
    from lxml import etree

    config = CONFIG.replace('heading: "Helvetica, Arial, sans-serif"', f"heading: {json.dumps(fonts)}")
    root = make_project({ISSUE: VALID, "newsletter.yaml": config})
    monkeypatch.chdir(root)
    _, rendered = build_issue(Path(ISSUE))
    h1 = etree.fromstring(rendered.html, etree.HTMLParser()).find(".//h1")
    family = h1.get("style").split("font-family:")[1].split(";")[0].strip()
    assert family.replace('"', "'") == fonts.replace('"', "'")  # premailer may swap the quotes
    assert "&#39;" not in rendered.html and "&#34;" not in rendered.html


def test_long_values_are_cut_in_messages(make_project, monkeypatch):
    url = "www.ai4media.eu/" + "a" * 5000
    issue = VALID.replace("url: https://www.ai4media.eu/dataset/", f"url: {url}")
    issue = issue.replace("language: en\n", f"language: en\n{'x' * 900}: 1\n")  # YAML keys stop at 1024
    found = {d.key_path: d for d in _load_fails(make_project, monkeypatch, issue)}
    assert set(found) == {"blocks[1].link.url", "x" * 900}
    for diag in found.values():
        quoted = str(diag).split("'")[1]
        assert len(quoted) == 80 and quoted.endswith("…"), quoted
        assert len(str(diag)) < 400
    assert found["blocks[1].link.url"].message.startswith("invalid URL 'www.ai4media.eu/aaaa")


def test_a_postal_address_may_span_lines_but_not_hold_controls(make_project, monkeypatch):
    lines = CONFIG.replace('postal_address: "Lab, 1 Main Street, 57001 Thermi, Greece"',
                           "postal_address: |-\n  Lab\n  1 Main Street\n  57001 Thermi, Greece")
    root = make_project({ISSUE: VALID, "newsletter.yaml": lines})
    monkeypatch.chdir(root)
    assert load_issue(Path(ISSUE)).settings.postal_address == "Lab\n1 Main Street\n57001 Thermi, Greece"
    loaded, rendered = build_issue(Path(ISSUE))
    assert [f for f in run_checks(loaded, rendered).findings if f.rule == "postal-address"] == []
    # each line its own line in the email too (the HTML showed "Lab 1 Main Street 57001 Thermi, Greece")
    assert ">Lab<br>1 Main Street<br>57001 Thermi, Greece</p>" in rendered.html
    assert "Lab\n1 Main Street\n57001 Thermi, Greece" in rendered.text
    bad = CONFIG.replace('"Lab, 1 Main Street', '"Lab\\x1b[8m, 1 Main Street')
    [diag] = _load_fails(make_project, monkeypatch, config=bad)
    assert diag.key_path == "postal_address" and "escape character (U+001B)" in diag.message


def test_a_line_break_in_a_send_setting_is_a_configuration_error_at_its_env_line(make_project, run_cli):
    dotenv = 'NEWSLETTER_PROVIDER=outbox\nNEWSLETTER_FROM_NAME="Lab\\nBcc: all@example.org"\n'
    root = make_project({ISSUE: VALID, "newsletter.yaml": CONFIG, ".env": dotenv})
    env = clean_env()
    del env["NEWSLETTER_FROM_NAME"], env["NEWSLETTER_PROVIDER"]  # read from .env, as a user's would be
    result = run_cli("send", ISSUE, "--test", "--to", "me@lab.ai4media.eu", cwd=root, env=env)
    [line] = assert_clean_failure(result, 2)
    assert line == (".env:2:1: error: NEWSLETTER_FROM_NAME: contains a line break (U+000A); "
                    "a setting is one line of text (remove it; in .env, check the quotes and \\n escapes of "
                    "that line)")
    assert not (root / "outbox").exists()


def test_a_control_character_in_an_environment_setting_is_refused_without_echoing_it(make_project, run_cli):
    root = make_project({ISSUE: VALID, "newsletter.yaml": CONFIG})
    env = clean_env(NEWSLETTER_FROM_NAME="Lab\rX-Secret: s3cr3t-value")
    result = run_cli("send", ISSUE, "--test", "--to", "me@lab.ai4media.eu", cwd=root, env=env)
    [line] = assert_clean_failure(result, 2)
    assert line.startswith("the environment: error: NEWSLETTER_FROM_NAME: contains a carriage return (U+000D)")
    assert "s3cr3t" not in result.stderr


def test_the_exported_schema_refuses_the_same_values_for_editors():
    import jsonschema
    from shared import REPO

    schema = json.loads((REPO / "schema" / "issue.schema.json").read_text(encoding="utf-8"))
    issue = {"subject": "Spring news", "date": "2022-05-01",
             "blocks": [{"type": "editorial", "body": "Two\nlines\tand a tab"}]}
    jsonschema.Draft202012Validator(schema).validate(issue)
    for bad in ({**issue, "subject": "Spring\r\nBcc: x@example.org"},
                {**issue, "blocks": [{"type": "editorial", "body": "an \x1b[2J escape"}]}):
        assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad)), bad
    settings = json.loads((REPO / "schema" / "settings.schema.json").read_text(encoding="utf-8"))
    fonts = settings["$defs"]["Fonts"]["properties"]["heading"]["pattern"]
    assert re.match(fonts, "'Open Sans', Arial, sans-serif") and not re.match(fonts, HOSTILE_FONT)
    assert re.match(fonts, '"微软雅黑", Mínimo, sans-serif')  # any script, in Python's re as in ECMA-262


@pytest.mark.parametrize("url", ['https://www.ai4media.eu/"><script>alert(1)</script>', "https://x.org/<b>",
                                 'https://x.org/a"b'])
def test_a_url_holding_quotes_or_angle_brackets_is_refused(make_project, monkeypatch, url):
    """It was accepted (and escaped in the email); no address holds these: HTML was pasted along with it."""
    issue = VALID.replace("url: https://www.ai4media.eu/dataset/", f"url: {json.dumps(url)}")
    [diag] = _load_fails(make_project, monkeypatch, issue)
    assert diag.key_path == "blocks[1].link.url" and "it contains \", < or >, which no address holds" in diag.message
    assert diag.location.line == _line_col(issue, "url: ")[0]
