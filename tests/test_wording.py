"""The tool's own sentences (issue 16 item 6): each wording found wrong, as a real CLI process prints it."""

from __future__ import annotations

import os
import re
import subprocess

from shared import HELLO_ISSUE, assert_clean_failure, clean_env, newsletter_command

ISSUE = "issues/2021-12-hello.yaml"
SLUG = "2021-12-hello"
VALID = HELLO_ISSUE
ONE_ERROR = VALID.replace("url: https://www.ai4media.eu/", "url: https://localhost/x")  # placeholder-url
ENV = clean_env()


def test_the_list_send_prompt_names_the_list_in_words(make_project) -> None:
    root = make_project({ISSUE: VALID})
    primary, secondary = os.openpty()  # a terminal on stdin: the CLI asks for the slug
    try:
        process = subprocess.Popen([*newsletter_command(), "send", ISSUE, "--now"], cwd=root, stdin=secondary,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, **ENV})
        os.close(secondary)
        os.write(primary, b"not-the-slug\n")
        _, err = process.communicate(timeout=60)
    finally:
        os.close(primary)
    assert process.returncode == 2, err
    assert f"This will send it now to the outbox's list. Type the issue's slug ({SLUG}) to confirm" in err
    assert "outbox list outbox" not in err
    assert "nothing sent" in err


def test_a_list_send_says_sent_to_the_list_once(make_project, run_cli) -> None:
    root = make_project({ISSUE: VALID})
    result = run_cli("send", ISSUE, "--now", "--yes", cwd=root, env=ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"outbox: sent to the list: campaign outbox-{SLUG}"
    assert "sent (sent)" not in result.stdout


def test_the_dry_run_names_the_real_folder_not_a_placeholder(make_project, run_cli) -> None:
    root = make_project({ISSUE: VALID})
    for kind in ("--test", "--now"):
        result = run_cli("send", ISSUE, kind, "--dry-run", cwd=root, env=ENV)
        assert result.returncode == 0, result.stderr
        assert "<slug>" not in result.stdout
        assert f"/outbox/{SLUG}/" in result.stdout


def test_one_error_is_one_error(make_project, run_cli) -> None:
    root = make_project({ISSUE: ONE_ERROR})
    result = run_cli("check", ISSUE, cwd=root, env=ENV)
    assert result.returncode == 1
    assert re.search(rf"{ISSUE}: failed: 1 error, \d+ warnings?$", result.stderr, re.M), result.stderr
    assert "(s)" not in result.stderr and "1 errors" not in result.stderr


def test_a_mistyped_provider_gets_a_did_you_mean(make_project, run_cli) -> None:
    root = make_project({ISSUE: VALID})
    lines = assert_clean_failure(run_cli("send", ISSUE, "--test", "--provider", "mailchim", cwd=root, env=ENV), 2)
    assert "did you mean 'mailchimp'?" in lines[-1]


def test_screenshot_of_a_folder_says_it_takes_one_issue_file(make_project, run_cli) -> None:
    root = make_project({ISSUE: VALID})
    lines = assert_clean_failure(run_cli("screenshot", "issues/", cwd=root, env=ENV), 2)
    assert lines == [f"error: issues is a folder: `newsletter screenshot` takes one issue file, "
                     f"e.g. `newsletter screenshot {ISSUE}`"]


def test_help_summaries_are_whole_sentences(run_cli) -> None:
    result = run_cli("--help")
    commands = result.stdout.split("Commands:")[1].strip().splitlines()
    assert len(commands) >= 8
    for line in commands:
        assert not line.rstrip().endswith("..."), line  # click cuts a long first sentence with "..."


def test_check_without_issue_checks_the_issues_folder_as_archive_does(make_project, run_cli) -> None:
    root = make_project({ISSUE: VALID, "issues/2021-11-older.yaml": VALID.replace("Hello", "Older")})
    result = run_cli("check", cwd=root, env=ENV)
    assert result.returncode == 0, result.stderr
    assert "checking every issue in issues/ (2)" in result.stderr
    assert f"{ISSUE}: ok" in result.stderr and "issues/2021-11-older.yaml: ok" in result.stderr


def test_send_without_issue_says_why_it_does_not_default(make_project, run_cli) -> None:
    root = make_project({ISSUE: VALID})
    (line,) = assert_clean_failure(run_cli("send", "--test", cwd=root, env=ENV), 2)
    assert f"e.g. `newsletter send {ISSUE} --test`" in line
    assert "never takes every issue in issues/" in line


import pytest  # noqa: E402 - only the test below is parametrized


@pytest.mark.parametrize("written, words", [
    ("pt_BR", "'pt_BR' is not a language code (write pt-BR)"),
    ("english", "'english' is not a language code (write en)"),
    ("Deutsch", "'Deutsch' is not a language code (write de)"),
    ('""', "is empty (write a language code such as en or de, or remove the line to write in English)"),
    ("x", "'x' is not a language code (write a code of 2 or 3 letters, with a region or a script after a "
          "hyphen if needed: en, de, pt-BR, sr-Latn)"),
])
def test_a_mistaken_language_says_what_to_write(make_project, run_cli, written, words) -> None:
    """It said "this value does not fit here (see the README's block types for what to write)"."""
    root = make_project({ISSUE: VALID.replace("language: en", f"language: {written}")})
    (line,) = assert_clean_failure(run_cli("build", ISSUE, "--out", "dist", cwd=root, env=ENV), 1)
    assert line == f"{ISSUE}:4:11: error: language: {words}"


def test_an_event_that_ends_before_it_starts_is_reported_at_its_end(make_project, run_cli) -> None:
    """It was reported at the event's first line, the title."""
    events = ("  - type: upcoming_events\n    events:\n      - title: Summit\n        start: 2022-05-03\n"
              "        end: 2022-05-01\n        place: Rome\n        url: https://www.ai4media.eu/summit/\n")
    root = make_project({ISSUE: VALID + events})
    (line,) = assert_clean_failure(run_cli("build", ISSUE, "--out", "dist", cwd=root, env=ENV), 1)
    end = (VALID + events).splitlines().index("        end: 2022-05-01") + 1
    assert line.startswith(f"{ISSUE}:{end}:14: error: blocks[2].events[0].end: the event ends before it starts")


def test_a_second_document_in_an_issue_file_says_so(make_project, run_cli) -> None:
    """It said "but found another document expected a single document"."""
    root = make_project({ISSUE: VALID + "---\nsubject: Another\n"})
    (line,) = assert_clean_failure(run_cli("build", ISSUE, "--out", "dist", cwd=root, env=ENV), 1)
    at = (VALID + "---\n").splitlines().index("---") + 1
    assert line == (f"{ISSUE}:{at}:1: error: invalid YAML: a second document starts here: an issue file holds one "
                    "(remove this '---' line, or move what follows it into a file of its own)")


@pytest.mark.parametrize("encoding, words", [("utf-16-le", ""), ("utf-16-be", ""), ("utf-16", ""),
                                             ("utf-16-le", "Newsletter · Dezember"), ("utf-16", "Żółć")])
def test_a_utf16_file_is_named_utf16(make_project, run_cli, encoding, words) -> None:
    """It said "invalid character U+0000 (NUL)" and never named the encoding; with its byte-order mark
    (``utf-16``), or a letter beyond ASCII, it said "not UTF-8 (byte 0xff here)" at a line of its own."""
    root = make_project({ISSUE: VALID})
    (root / ISSUE).write_bytes((VALID + (f"# {words}\n" if words else "")).encode(encoding))
    (line,) = assert_clean_failure(run_cli("build", ISSUE, "--out", "dist", cwd=root, env=ENV), 1)
    assert line.startswith(f"{ISSUE}:1:1: error: this file is UTF-16 text (every other byte is zero), not UTF-8")


@pytest.mark.parametrize("tagged, shown", [
    ('subject: !!python/object/apply:os.system ["echo hi"]', "!!python/object/apply:os.system"),
    ("subject: !!set {a: null}", "!!set"),
])
def test_a_yaml_tag_on_a_list_or_mapping_is_named(make_project, run_cli, tagged, shown) -> None:
    """``!!python/object/apply:...`` said "this needs to be text, not a list"."""
    root = make_project({ISSUE: VALID.replace("subject: Hello", tagged)})
    (line,) = assert_clean_failure(run_cli("build", ISSUE, "--out", "dist", cwd=root, env=ENV), 1)
    assert line.startswith(f"{ISSUE}:1:10: error: subject: unsupported YAML tag {shown} (remove the tag")
