"""A subject or a name cannot forge a mail header, not even through MIME encoded words.

Python 3.11 before 3.11.10 (CVE-2024-6923) writes the line break an encoded word decodes to
(``=?utf-8?q?x=0D=0ABcc:_evil@x.org?=``) into the header as such: a subject forged a Bcc line,
or with a blank line replaced the message's body. Found by probing; every route is a real CLI run
but the last, which holds the message builder itself to it whatever the Python.
"""

from __future__ import annotations

import email
import email.policy

import pytest
from shared import HELLO_ISSUE, assert_clean_failure, clean_env

from newsletter_pipeline.errors import ConfigError
from newsletter_pipeline.message import MessageFactory, Unsubscribe
from newsletter_pipeline.models import Content

ISSUE = "issues/2021-12-hello.yaml"
BCC = "=?utf-8?q?line=0D=0ABcc:_evil@x.org?="
BODY = "=?utf-8?q?x=0D=0A=0D=0AYour_account_is_locked=2E?="


@pytest.mark.parametrize("hidden", [BCC, BODY, "=?utf-8?b?4oCu?=fdp.exe"])  # the last: a bidi override
def test_an_encoded_control_in_the_subject_is_refused_at_its_line(make_project, run_cli, hidden):
    issue = HELLO_ISSUE.replace("subject: Hello", f"subject: 'Invoice {hidden}'")
    root = make_project({ISSUE: issue})
    (line,) = assert_clean_failure(run_cli("send", ISSUE, "--test", cwd=root, env=clean_env()), 1)
    assert line.startswith(f"{ISSUE}:1:10: error: subject: contains ") and "written as MIME encoded text" in line
    assert not (root / "outbox").exists()


def test_an_encoded_line_break_in_a_name_is_refused(make_project, run_cli):
    issue = HELLO_ISSUE.replace("language: en\n", f"language: en\nsettings:\n  sender:\n    name: 'Bank {BCC}'\n")
    root = make_project({ISSUE: issue})
    (line,) = assert_clean_failure(run_cli("send", ISSUE, "--test", cwd=root, env=clean_env()), 1)
    assert "settings.sender.name: contains a carriage return written as MIME encoded text" in line
    env = clean_env(NEWSLETTER_FROM_NAME=f"Bank {BCC}")
    root = make_project({ISSUE: HELLO_ISSUE})
    (line,) = assert_clean_failure(run_cli("send", ISSUE, "--test", cwd=root, env=env), 2)
    assert line.startswith("the environment: error: NEWSLETTER_FROM_NAME: contains a carriage return written as "
                           "MIME encoded text") and "evil" not in line
    assert not (root / "outbox").exists()


def test_an_encoded_word_of_plain_text_is_kept(make_project, run_cli):
    issue = HELLO_ISSUE.replace("subject: Hello", "subject: 'Price =?iso-8859-1?q?caf=E9?= news'")
    root = make_project({ISSUE: issue})
    assert run_cli("send", ISSUE, "--test", cwd=root, env=clean_env()).returncode == 0


@pytest.mark.parametrize("subject", [f"Invoice {BCC}", f"Hello {BODY}"])
def test_the_message_builder_never_writes_a_forged_header(subject):
    """The last line, whatever the Python: either the message is refused, or it holds no forged line."""
    content = Content(slug="s", subject=subject, preheader="", html="<p>Hi</p>", text="Hi", language="en",
                      from_name="Lab", from_email="news@lab.example.org", reply_to=None, list_name="Lab")
    try:
        factory = MessageFactory(content, Unsubscribe.parse([], content.from_email))
    except ConfigError as refused:
        assert "hides a line break in MIME encoded text" in str(refused)
        return
    message = email.message_from_bytes(factory.render("a@x.org"), policy=email.policy.default)
    assert message["Bcc"] is None and message.get_content_type() == "multipart/alternative"
