"""SMTP test sends against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import email.utils
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from shared import FUTURE_SCHEDULE, SEED, assert_clean_failure, clean_env, free_port

from newsletter_pipeline.commands.send import make_content
from newsletter_pipeline.config import Config
from newsletter_pipeline.ledger import Ledger
from newsletter_pipeline.models import UNSUBSCRIBE_PLACEHOLDER
from newsletter_pipeline.models import Content
from newsletter_pipeline.providers.base import ProviderError, Status
from newsletter_pipeline.providers.smtp import SmtpProvider
from newsletter_pipeline.render import build_issue

from .conftest import SMTP_PASSWORD, SMTP_USER, Certs, SmtpServer

UNSUB = "https://example.org/unsubscribe?list=ai4media&u=1,mailto:leave@example.org"
CLI_ENV = clean_env(NEWSLETTER_PROVIDER="smtp")


@pytest.fixture(scope="module")
def content() -> Content:
    loaded, rendered = build_issue(SEED)
    return make_content(loaded, rendered, Config({}))


def provider(tmp_path: Path, server: SmtpServer, **extra: str) -> SmtpProvider:
    return SmtpProvider(Config(server.env(**extra)), Ledger(tmp_path))


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def test_one_connection_for_many_recipients_each_seeing_only_themselves(tmp_path, smtp_server, content):
    server = smtp_server()
    recipients = [f"reader{i}@example.org" for i in range(5)]
    result = provider(tmp_path, server).test_send(content, recipients)
    assert server.recorder.connections == 1
    assert [m.rcpt_tos for m in server.recorder.messages] == [[r] for r in recipients]
    assert [parse(m.data)["To"] for m in server.recorder.messages] == recipients
    assert result.outcomes == {r: Status.QUEUED for r in recipients}
    ids = {parse(m.data)["Message-ID"] for m in server.recorder.messages}
    assert len(ids) == 5 and all(re.fullmatch(r"<[^<>@\s]+@ai4media\.eu>", i) for i in ids)


def test_headers_structure_and_encoding(tmp_path, smtp_server, content):
    server = smtp_server()
    provider(tmp_path, server, NEWSLETTER_LIST_UNSUBSCRIBE=UNSUB).test_send(content, ["reader@example.org"])
    [delivered] = server.recorder.messages
    raw = delivered.data
    assert delivered.mail_from == "newsletter@ai4media.eu"
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    message = parse(raw)
    assert email.utils.parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["From"] == "AI4Media <newsletter@ai4media.eu>"
    assert message["Reply-To"] == "info@ai4media.eu"
    assert message["Subject"] == "[TEST] One year of AI4Media"
    assert message["MIME-Version"] == "1.0"
    assert message["List-Id"] == "AI4Media Newsletter <ai4media-newsletter.ai4media.eu>"
    assert message["List-Unsubscribe"] == "<https://example.org/unsubscribe?list=ai4media&u=1>, <mailto:leave@example.org>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    for part in parts:
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
    text, html = (p.get_content() for p in parts)
    assert "Newsletter · December 2021" in text  # non-ASCII survives the round trip
    assert UNSUBSCRIBE_PLACEHOLDER not in text + html
    assert "https://example.org/unsubscribe?list=ai4media&u=1" in text
    assert 'href="https://example.org/unsubscribe?list=ai4media&amp;u=1"' in html  # escaped in the attribute
    assert html.replace("\r\n", "\n") == content.html.replace(UNSUBSCRIBE_PLACEHOLDER,
                                                              "https://example.org/unsubscribe?list=ai4media&amp;u=1")


def test_lines_starting_with_a_dot_survive_smtp(tmp_path, smtp_server, content):
    """A lone "." line would end DATA early unless it is dot-stuffed (RFC 5321 4.5.2)."""
    from dataclasses import replace

    dotted = replace(content, text="Intro\n.\n.leading dot\n..two dots\nEnd\n")
    server = smtp_server()
    provider(tmp_path, server).test_send(dotted, ["a@example.org", "b@example.org"])
    assert len(server.recorder.messages) == 2
    for delivered in server.recorder.messages:
        text = parse(delivered.data).get_body(("plain",)).get_content()
        assert text.replace("\r\n", "\n") == "Intro\n.\n.leading dot\n..two dots\nEnd\n"


def test_mailto_only_has_no_one_click_header(tmp_path, smtp_server, content):
    server = smtp_server()
    provider(tmp_path, server, NEWSLETTER_LIST_UNSUBSCRIBE="mailto:leave@example.org").test_send(
        content, ["reader@example.org"])
    message = parse(server.recorder.messages[0].data)
    assert message["List-Unsubscribe"] == "<mailto:leave@example.org>"
    assert message["List-Unsubscribe-Post"] is None
    assert 'href="mailto:leave@example.org"' in message.get_body(("html",)).get_content()


def test_starttls_and_auth_with_a_certificate_made_here(tmp_path, smtp_server, content, certs: Certs):
    server = smtp_server("starttls", auth=True)
    smtp = provider(tmp_path, server, NEWSLETTER_SMTP_USERNAME=SMTP_USER, NEWSLETTER_SMTP_PASSWORD=SMTP_PASSWORD,
                    NEWSLETTER_SMTP_CA_FILE=str(certs.ca_file))
    smtp.test_send(content, ["a@example.org", "b@example.org"])
    assert server.recorder.logins == [SMTP_USER]  # one login: one connection
    assert server.recorder.connections == 1 and len(server.recorder.messages) == 2


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd misses implicit TLS
def test_implicit_ssl(tmp_path, smtp_server, content, certs: Certs):
    server = smtp_server("ssl", auth=True)
    provider(tmp_path, server, NEWSLETTER_SMTP_USERNAME=SMTP_USER, NEWSLETTER_SMTP_PASSWORD=SMTP_PASSWORD,
             NEWSLETTER_SMTP_CA_FILE=str(certs.ca_file)).test_send(content, ["a@example.org"])
    assert server.recorder.logins == [SMTP_USER] and len(server.recorder.messages) == 1


def test_untrusted_certificate_is_refused(tmp_path, smtp_server, content):
    server = smtp_server("starttls")
    with pytest.raises(ProviderError, match="TLS .* failed.*NEWSLETTER_SMTP_CA_FILE"):
        provider(tmp_path, server).test_send(content, ["a@example.org"])
    assert server.recorder.messages == []


def test_server_without_starttls_is_refused_when_starttls_is_asked(tmp_path, smtp_server, content):
    server = smtp_server("none")
    with pytest.raises(ProviderError, match="does not offer STARTTLS"):
        provider(tmp_path, server, NEWSLETTER_SMTP_SECURITY="starttls").test_send(content, ["a@example.org"])
    assert server.recorder.messages == []


def test_nothing_listening_is_a_provider_error(tmp_path, content):
    config = Config({"NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_PORT": str(free_port()),
                     "NEWSLETTER_SMTP_SECURITY": "none"})
    smtp = SmtpProvider(config, Ledger(tmp_path), sleep=lambda s: None)
    with pytest.raises(ProviderError, match="cannot connect to 127.0.0.1:.* after 3 attempts"):
        smtp.test_send(content, ["a@example.org"])


def test_a_busy_greeting_is_retried_as_the_readme_says(tmp_path, content):
    """``421`` at the greeting ("try again later") was refused at once, while a dropped connection is retried."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    greeted = []

    def serve() -> None:
        while len(greeted) < 3:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            greeted.append(1)
            connection.sendall(b"421 4.3.2 busy, try again later\r\n")
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    config = Config({"NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_PORT": str(listener.getsockname()[1]),
                     "NEWSLETTER_SMTP_SECURITY": "none"})
    smtp = SmtpProvider(config, Ledger(tmp_path), sleep=lambda s: None)
    try:
        with pytest.raises(ProviderError, match="answered 421 4.3.2 busy, try again later \\(3 attempts\\)"):
            smtp.test_send(content, ["a@example.org"])
    finally:
        listener.close()
    assert len(greeted) == 3


def test_a_server_that_does_not_speak_smtp_is_named_as_such(tmp_path, content):
    """It read "answered -1 arbage": smtplib's code for a reply that is no SMTP reply, and its bytes from the 4th."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    config = Config({"NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_PORT": str(listener.getsockname()[1]),
                     "NEWSLETTER_SMTP_SECURITY": "none"})
    try:
        with pytest.raises(ProviderError) as raised:
            SmtpProvider(config, Ledger(tmp_path), sleep=lambda s: None).test_send(content, ["a@example.org"])
    finally:
        listener.close()
    assert "does not answer as a mail server (it sent " in str(raised.value)
    assert "check NEWSLETTER_SMTP_HOST and NEWSLETTER_SMTP_PORT" in str(raised.value)


# --- through the CLI ---------------------------------------------------------------------------

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def seed_project(make_project) -> Path:
    return make_project(seed=True)


def cli_send(run_cli: RunCli, project: Path, server: SmtpServer, *args: str, **env: str):
    return run_cli("send", "issues/2021-12-one-year-of-ai4media.yaml", *args, cwd=project,
                   env={**CLI_ENV, **server.env(), **env}, timeout=60)


def test_cli_test_send_to_configured_recipients(run_cli, seed_project, smtp_server):
    server = smtp_server()
    result = cli_send(run_cli, seed_project, server, "--test",
                      NEWSLETTER_TEST_RECIPIENTS="a@example.org, b@example.org")
    assert result.returncode == 0, result.stderr
    assert "test sent to a@example.org, b@example.org" in result.stdout
    assert sorted(m.rcpt_tos[0] for m in server.recorder.messages) == ["a@example.org", "b@example.org"]
    again = cli_send(run_cli, seed_project, server, "--test", "--to", "c@example.org")  # repeatable; --to wins
    assert again.returncode == 0 and server.recorder.messages[-1].rcpt_tos == ["c@example.org"]
    assert len(server.recorder.messages) == 3


@pytest.mark.parametrize("args", [["--now", "--yes"], ["--schedule", FUTURE_SCHEDULE, "--yes"]])
def test_cli_smtp_refuses_list_sends(run_cli, seed_project, smtp_server, args):
    server = smtp_server()
    result = cli_send(run_cli, seed_project, server, *args)
    assert result.returncode == 2
    assert "smtp provider sends test emails only" in result.stderr and args[0] in result.stderr
    assert "Traceback" not in result.stderr
    assert server.recorder.connections == 0


def test_cli_refused_recipient_exits_3_and_others_still_get_it(run_cli, seed_project, smtp_server):
    server = smtp_server(refuse={"gone@example.org"})
    result = cli_send(run_cli, seed_project, server, "--test", "--to", "a@example.org,gone@example.org")
    assert result.returncode == 3
    assert "gone@example.org: refused: 550" in result.stdout
    assert [m.rcpt_tos for m in server.recorder.messages] == [["a@example.org"]]


def test_a_connection_lost_mid_send_names_who_has_it_who_is_in_doubt_and_who_got_nothing(
        run_cli, seed_project, smtp_server):
    recipients = ["a@example.org", "gone@example.org", "b@example.org", "c@example.org", "d@example.org"]
    server = smtp_server(refuse={"gone@example.org"}, drop={"c@example.org"})
    result = cli_send(run_cli, seed_project, server, "--test", "--to", ",".join(recipients))
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert [m.rcpt_tos for m in server.recorder.messages] == [["a@example.org"], ["b@example.org"]]
    message = " ".join(result.stderr.split())
    assert "connection lost while sending to c@example.org" in message
    assert "may or may not have been delivered" in message
    assert "already sent to 2: a@example.org, b@example.org" in message
    assert "refused or failed before: gone@example.org" in message
    assert "not sent to 1: d@example.org" in message
    assert message.endswith("run the same command with --to gone@example.org --to d@example.org")


def test_a_server_closing_with_421_before_a_message_says_that_one_was_not_delivered(
        run_cli, seed_project, smtp_server):
    """421 at MAIL FROM, then nothing: the message read "may or may not have been delivered" though no DATA went."""
    server = smtp_server(close_after=1)
    result = cli_send(run_cli, seed_project, server, "--test", "--to", "a@example.org,b@example.org,c@example.org")
    assert result.returncode == 3 and "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert ("closed the connection before the message to b@example.org was sent (421 4.3.2 too busy, closing "
            "the connection): b@example.org did not get it") in message
    assert "may or may not" not in message and "already sent to 1: a@example.org" in message
    assert message.endswith("not sent to 2: b@example.org, c@example.org; to send only those, run the same command "
                            "with --to b@example.org --to c@example.org")
    assert [m.rcpt_tos for m in server.recorder.messages] == [["a@example.org"]]


def test_a_servers_words_with_braces_are_quoted_as_they_are():
    """The message was a format string: a reply such as "421 {busy}" raised KeyError (an internal error)."""
    from newsletter_pipeline.providers.smtp import _Stopped, _stopped_message

    stop = _Stopped("b@example.org", "mx.example.org closed the connection before the message to b@example.org was "
                    "sent (421 {busy} 4.3.2)", in_doubt=False)
    message = _stopped_message(stop, {"a@example.org": Status.QUEUED}, ["a@example.org", "b@example.org"])
    assert message == ("smtp: mx.example.org closed the connection before the message to b@example.org was sent "
                       "(421 {busy} 4.3.2): b@example.org did not get it; already sent to 1: a@example.org; not "
                       "sent to 1: b@example.org; to send only those, run the same command with --to b@example.org")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd's, for this test server
def test_a_server_that_wants_a_login_is_one_error_naming_the_settings(run_cli, seed_project, smtp_server):
    """530 at MAIL FROM was a "sender refused" note for each recipient, and exit 3."""
    server = smtp_server("none", auth=True)
    result = cli_send(run_cli, seed_project, server, "--test", "--to", "a@example.org,b@example.org")
    (line,) = assert_clean_failure(result, 2)
    assert "wants a login before it sends anything (530" in line
    assert "set NEWSLETTER_SMTP_USERNAME and NEWSLETTER_SMTP_PASSWORD" in line and "a@example.org did not get it" in line
    assert server.recorder.messages == []


def test_a_sender_the_server_cannot_carry_is_named_once_before_anything_is_sent(run_cli, seed_project, smtp_server):
    """A sender beyond A-Z before the @ on a server without SMTPUTF8: each recipient was reported refused."""
    server = smtp_server(utf8=False)
    result = cli_send(run_cli, seed_project, server, "--test", "--to", "a@example.org,b@example.org",
                      NEWSLETTER_FROM_EMAIL="jürgen@example.org")
    (line,) = assert_clean_failure(result, 3)
    assert "nothing was sent: jürgen@example.org has letters outside A-Z before the @" in line
    assert "NEWSLETTER_FROM_EMAIL" in line and "a@example.org" not in line
    assert server.recorder.messages == []


def test_ctrl_c_during_a_test_send_says_who_has_it_and_who_does_not(seed_project, smtp_server):
    """It said only "interrupted"."""
    import os
    import signal
    import time

    from shared import newsletter_command

    server = smtp_server(slow={"b@example.org"})
    process = subprocess.Popen(
        [*newsletter_command(), "send", "issues/2021-12-one-year-of-ai4media.yaml", "--test", "--to",
         "a@example.org,b@example.org,c@example.org"], cwd=seed_project,
        env={**os.environ, **CLI_ENV, **server.env(NEWSLETTER_SMTP_TIMEOUT="30")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.recorder.holding.wait(30), "the message to b@example.org never reached the server"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        server.recorder.release.set()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and "Traceback" not in stderr
    message = " ".join(stderr.split())
    assert ("interrupted while sending to b@example.org: that message may or may not have been delivered; "
            "already sent to 1: a@example.org; not sent to 1: c@example.org; to send only those, run the same "
            "command with --to c@example.org") in message
    time.sleep(0.1)
    assert [m.rcpt_tos for m in server.recorder.messages] in ([["a@example.org"]],
                                                               [["a@example.org"], ["b@example.org"]])


def test_a_temporary_refusal_says_to_send_that_one_again_later(run_cli, seed_project, smtp_server):
    """452 at RCPT read "refused", like a 550 for an address that does not exist."""
    server = smtp_server(busy={"full@example.org"})
    result = cli_send(run_cli, seed_project, server, "--test", "--to", "a@example.org,full@example.org")
    assert result.returncode == 3
    assert ("full@example.org: not sent for now: 452 4.2.2 mailbox full, try again later (the server refused it "
            "for the time being: send it again later with --to full@example.org)") in " ".join(result.stdout.split())
    assert [m.rcpt_tos for m in server.recorder.messages] == [["a@example.org"]]


def test_cli_missing_settings_are_named_together(run_cli, seed_project, smtp_server):
    server = smtp_server()
    result = cli_send(run_cli, seed_project, server, "--test", "--to", "a@example.org",
                      NEWSLETTER_SMTP_HOST="")
    assert result.returncode == 2 and "NEWSLETTER_SMTP_HOST" in result.stderr and ".env.example" in result.stderr
    result = cli_send(run_cli, seed_project, server, "--test", "--to", "a@example.org",
                      NEWSLETTER_SMTP_USERNAME="someone")
    assert result.returncode == 2 and "NEWSLETTER_SMTP_PASSWORD" in result.stderr


def test_cli_dry_run_connects_nowhere(run_cli, seed_project, smtp_server):
    server = smtp_server()
    result = cli_send(run_cli, seed_project, server, "--test", "--to", "a@example.org", "--dry-run")
    assert result.returncode == 0, result.stderr
    for expected in ("provider:   smtp", "subject:    [TEST] One year of AI4Media",
                     "from:       AI4Media <newsletter@ai4media.eu>", "reply-to:   info@ai4media.eu",
                     "recipients: a@example.org", "size:", f"connect 127.0.0.1:{server.port}"):
        assert expected in result.stdout
    assert server.recorder.connections == 0


def test_cli_check_error_stops_before_any_connection(run_cli, make_project, smtp_server):
    """An issue over Gmail's clipping limit fails its checks: exit 1, and SMTP is never contacted."""
    body = "Words that fill the email. " * 60
    articles = "".join(f"  - type: article\n    title: Article {i}\n    body: {body}\n" for i in range(60))
    project = make_project({"issues/2021-12-too-long.yaml":
                            f"subject: Too long\ndate: 2021-12-15\nblocks:\n{articles}"})
    server = smtp_server()
    result = run_cli("send", "issues/2021-12-too-long.yaml", "--test", "--to", "a@example.org", cwd=project,
                     env={**CLI_ENV, **server.env()}, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "gmail-clipping" in result.stderr and "2021-12-too-long.yaml:1:1" in result.stderr
    assert server.recorder.connections == 0


IDN_SENDER = "info@bücher-verein.de"  # internationalized domains are common in Europe (müller.de, bücher.de)


def test_an_internationalized_domain_is_sent_in_ascii(tmp_path, smtp_server, content):
    """It ended every send, to the outbox too, with an internal UnicodeEncodeError."""
    server = smtp_server()
    result = provider(tmp_path, server).test_send(dataclasses.replace(content, from_email=IDN_SENDER),
                                                  ["leser@beispiel-büro.de"])
    assert result.outcomes == {"leser@beispiel-büro.de": Status.QUEUED}
    [delivered] = server.recorder.messages
    assert (delivered.mail_from, delivered.rcpt_tos) == ("info@xn--bcher-verein-dlb.de",
                                                         ["leser@xn--beispiel-bro-mlb.de"])
    assert delivered.data.isascii()  # no SMTPUTF8 needed: every server takes it
    message = parse(delivered.data)
    assert message["From"].addresses[0].addr_spec == "info@xn--bcher-verein-dlb.de"
    assert message["To"] == "leser@xn--beispiel-bro-mlb.de"
    assert "mailto:info@xn--bcher-verein-dlb.de" in message["List-Unsubscribe"]


@pytest.mark.parametrize("utf8", [True, False], ids=["server-with-smtputf8", "server-without"])
def test_a_mailbox_name_beyond_ascii_needs_a_server_with_smtputf8(tmp_path, smtp_server, content, utf8):
    server = smtp_server(utf8=utf8)
    recipients = ["jürgen@müller-gmbh.de", "leser@example.org"]
    result = provider(tmp_path, server).test_send(content, recipients)
    delivered = {tuple(m.rcpt_tos): m for m in server.recorder.messages}
    assert result.outcomes["leser@example.org"] == Status.QUEUED and ("leser@example.org",) in delivered
    if utf8:
        assert result.outcomes["jürgen@müller-gmbh.de"] == Status.QUEUED
        # the envelope and To carry the domain in ASCII, the mailbox name in UTF-8 (SMTPUTF8)
        assert parse(delivered[("jürgen@xn--mller-gmbh-9db.de",)].data)["To"] == "jürgen@xn--mller-gmbh-9db.de"
    else:  # refused before MAIL FROM, saying why: nothing half-sent
        assert result.outcomes["jürgen@müller-gmbh.de"] == Status.REJECTED and len(delivered) == 1
        assert any("jürgen@müller-gmbh.de" in note and "SMTPUTF8" in note for note in result.notes), result.notes


def test_the_list_id_spells_a_name_in_latin_letters_as_file_names_do():
    """``Sieć Badawcza Łódź`` gave ``sie-badawcza-d``: the letters beyond ASCII were dropped, not spelled."""
    from newsletter_pipeline.message import list_id

    assert list_id("Sieć Badawcza Łódź", "news@siec.example.pl") == (
        "Sieć Badawcza Łódź <siec-badawcza-lodz.siec.example.pl>")
    assert list_id("Αθηναϊκά Νέα", "a@b.gr") == "Αθηναϊκά Νέα <athinaika-nea.b.gr>"
    assert list_id("AI4Media Newsletter", "a@b.eu") == "AI4Media Newsletter <ai4media-newsletter.b.eu>"
    assert list_id("研究通讯", "a@b.cn") == "研究通讯 <newsletter.b.cn>"
