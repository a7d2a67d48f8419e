"""Addresses (sender, reply-to, test recipients: email-validator, no DNS; one outbox file each) and header values."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from send.conftest import SMALL_ISSUE_NAME, SMALL_SLUG, small_issue
from shared import assert_clean_failure, clean_env

ISSUE, SLUG, SMALL_ISSUE = SMALL_ISSUE_NAME, SMALL_SLUG, small_issue()


@pytest.fixture
def project(small_project: Path) -> Path:
    return small_project


def nothing_written(project: Path) -> bool:
    return not (project / "outbox").exists() and not (project / ".newsletter" / "sends").exists()


@pytest.mark.parametrize(("to", "why"), [
    ("a@b..c", "cannot have two periods in a row"),
    ("a@x.org b@y.org", "is not one email address"),
    ("a@x.org;b@y.org", "is not one email address"),
    ("Ann <a@x.org>", "display name and angle brackets"),
    ("a@localhost", "should have a period"),
])
def test_bad_to_addresses_are_refused(run_cli, project, to, why):
    result = run_cli("send", ISSUE, "--test", "--to", f"ok@example.org,{to}", cwd=project, env=clean_env())
    (line,) = assert_clean_failure(result, 2)
    assert line.startswith(f"error: --to: {to!r} is not one email address") and why in line
    assert "separate several addresses with commas" in line and "ok@example.org" not in line
    assert nothing_written(project)


@pytest.mark.parametrize(("variable", "value", "hint"), [
    ("NEWSLETTER_TEST_RECIPIENTS", "a@x.org;b@y.org", "separated by commas"),
    ("NEWSLETTER_FROM_EMAIL", "News <news@x.org>", "the name goes in NEWSLETTER_FROM_NAME"),
    ("NEWSLETTER_FROM_EMAIL", "news@x..org", "one address"),
    ("NEWSLETTER_REPLY_TO", "replies@x.org,other@x.org", "one address"),
])
def test_bad_address_settings_are_config_errors(run_cli, project, variable, value, hint):
    result = run_cli("send", ISSUE, "--test", cwd=project, env=clean_env(**{variable: value}))
    (line,) = assert_clean_failure(result, 2)
    assert line.startswith(f"error: {variable}: ") and "is not one email address" in line and hint in line
    assert nothing_written(project)


def test_distinct_recipients_get_distinct_outbox_files(run_cli, project):
    recipients = ["a/b@example.org", "a_b@example.org", "Ann@example.org", "ann@example.org",
                  "ann@EXAMPLE.org"]  # the last is the one before it: the domain is case-insensitive
    result = run_cli("send", ISSUE, "--test", "--to", ",".join(recipients), cwd=project, env=clean_env())
    assert result.returncode == 0, result.stderr
    files = sorted((project / "outbox" / SLUG).glob("*.eml"))
    to = sorted(str(message_from_bytes(f.read_bytes(), policy=policy.default)["To"]) for f in files)
    assert to == sorted(recipients[:4])
    assert len({f.name.lower() for f in files}) == 4  # distinct on a case-insensitive disk too
    assert "ann@example.org.eml" in {f.name for f in files}  # a plain address keeps its plain name
    assert result.stdout.count("wrote ") == 4


# --- header values: one line each ----------------------------------------------------------------

@pytest.mark.parametrize("provider", ["outbox", "smtp"])
def test_a_subject_with_a_line_break_is_located_not_a_traceback(run_cli, make_project, provider):
    project = make_project({ISSUE: SMALL_ISSUE.replace("subject: A small issue", 'subject: "A small\\nissue"')})
    env = clean_env(NEWSLETTER_SMTP_HOST="127.0.0.1", NEWSLETTER_SMTP_PORT="9", NEWSLETTER_SMTP_SECURITY="none")
    result = run_cli("send", ISSUE, "--test", "--provider", provider, cwd=project, env=env)
    lines = assert_clean_failure(result, 1)
    assert any(line.startswith(f"{ISSUE}:1:10: error: subject: contains a line break") for line in lines), lines
    assert nothing_written(project)


def test_a_sender_name_setting_with_a_line_break_is_a_config_error(run_cli, project):
    result = run_cli("send", ISSUE, "--test", cwd=project,
                     env=clean_env(NEWSLETTER_FROM_NAME="AI4Media\r\nBcc: everyone@example.org"))
    (line,) = assert_clean_failure(result, 2)
    # refused when the settings load, before anything is built (config._refuse_controls)
    assert line.startswith("the environment: error: NEWSLETTER_FROM_NAME: contains a carriage return (U+000D)")
    assert "everyone@example.org" not in line
    assert nothing_written(project)


def test_internationalized_addresses_reach_the_outbox(run_cli, project):
    """An IDN sender or recipient (bücher.de) ended the send with an internal UnicodeEncodeError."""
    recipients = ["leser@beispiel-büro.de", "jürgen@müller-gmbh.de"]
    result = run_cli("send", ISSUE, "--test", "--to", ",".join(recipients), cwd=project,
                     env=clean_env(NEWSLETTER_FROM_EMAIL="info@bücher-verein.de"))
    assert result.returncode == 0, result.stderr
    messages = [message_from_bytes(f.read_bytes(), policy=policy.default)
                for f in sorted((project / "outbox" / SLUG).glob("*.eml"))]
    # the domain in ASCII even where the mailbox name is not (SMTPUTF8 carries that part)
    assert sorted(str(m["To"]) for m in messages) == ["jürgen@xn--mller-gmbh-9db.de", "leser@xn--beispiel-bro-mlb.de"]
    assert {m["From"].addresses[0].addr_spec for m in messages} == {"info@xn--bcher-verein-dlb.de"}


def test_a_sender_beyond_ascii_on_both_sides_of_the_at(run_cli, project):
    """``jürgen@bücher.de`` as the sender ended every send with an internal UnicodeEncodeError (the Message-ID)."""
    result = run_cli("send", ISSUE, "--test", "--to", "a@example.org", cwd=project,
                     env=clean_env(NEWSLETTER_FROM_EMAIL="jürgen@bücher.de"))
    assert result.returncode == 0, result.stderr
    (path,) = (project / "outbox" / SLUG).glob("*.eml")
    raw = path.read_bytes()
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Message-ID"].endswith("@xn--bcher-kva.de>") and message["Message-ID"].isascii()
    assert "<jürgen@xn--bcher-kva.de>".encode() in raw.split(b"\r\n\r\n")[0]  # From, in UTF-8 (RFC 6532)
