"""SMTP: test sends only, one connection for every recipient.

A list lives at a mailing-list provider, so ``--now`` and ``--schedule`` are
refused (``UnsupportedFeature``, exit 2) before anything connects.

Connection: ``NEWSLETTER_SMTP_SECURITY`` is ``starttls`` (default, port 587),
``ssl`` (implicit TLS, port 465) or ``none`` (port 25; only for a local relay).
Certificates are verified against the system store plus
``NEWSLETTER_SMTP_CA_FILE``. With ``NEWSLETTER_SMTP_USERNAME`` set, the
client authenticates (after TLS) with ``NEWSLETTER_SMTP_PASSWORD``.
Connecting is retried with bounded backoff (nothing was sent yet); a message
is never retried, since SMTP gives no way to know whether a dropped DATA was
delivered.

Each recipient gets their own message (``message.MessageFactory``): To shows
only them. A refused recipient is reported as ``rejected`` and the others
still get theirs; the command then exits 3.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import ClassVar

from ..errors import ConfigError, Interrupted, NewsletterError
from ..message import MessageFactory, needs_smtputf8, wire_address
from ..models import Content
from .base import (MessageProvider, Plan, Provider, ProviderError, ProviderUnavailable, SendResult,
                   Status, UnsupportedFeature)

PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class SmtpProvider(MessageProvider, Provider):
    name = "smtp"
    features = frozenset({"test_send", "plain_text", "reply_to", "preheader"})
    required_settings: ClassVar[tuple[str, ...]] = ("NEWSLETTER_SMTP_HOST",)
    credentials = ("NEWSLETTER_SMTP_USERNAME", "NEWSLETTER_SMTP_PASSWORD")
    credentials_codec = "ascii"  # smtplib encodes AUTH PLAIN/LOGIN as ASCII
    connect_attempts: ClassVar[int] = 3

    @classmethod
    def check_list_send(cls, when: datetime | None) -> None:
        raise UnsupportedFeature(
            f"the smtp provider sends test emails only, so it refuses {'--schedule' if when else '--now'}: "
            "a subscriber list lives at a mailing-list provider (use --provider listmonk, mailchimp or brevo, "
            "or --test for a test send)")

    def setup(self) -> None:
        config = self.config
        self.security = (config.get("NEWSLETTER_SMTP_SECURITY") or "starttls").lower()
        if self.security not in PORTS:
            raise ConfigError(f"NEWSLETTER_SMTP_SECURITY={self.security!r}: use none, starttls or ssl")
        self.host = config.host("NEWSLETTER_SMTP_HOST", "NEWSLETTER_SMTP_PORT") or ""
        self.port = config.port("NEWSLETTER_SMTP_PORT", PORTS[self.security])
        self.username = config.get("NEWSLETTER_SMTP_USERNAME")
        self.password = config.get("NEWSLETTER_SMTP_PASSWORD")
        if self.username:
            config.require("NEWSLETTER_SMTP_PASSWORD", purpose="SMTP authentication (NEWSLETTER_SMTP_USERNAME is set)")
            # what AUTH PLAIN sends, base64-encoded; a server's 535 may quote it back
            self.redactor.add(f"\0{self.username}\0{self.password}")
        self.timeout = config.seconds("NEWSLETTER_SMTP_TIMEOUT", zero=False)
        self.ca_file = config.get("NEWSLETTER_SMTP_CA_FILE")

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.ca_file:
            try:
                context.load_verify_locations(cafile=self.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise ConfigError(f"NEWSLETTER_SMTP_CA_FILE={self.ca_file}: cannot load it ({exc})") from None
        return context

    # -- the connection
    def _open(self) -> smtplib.SMTP:
        if self.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                    context=self.tls_context())
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            client.ehlo()
            if self.security == "starttls":
                if not client.has_extn("starttls"):
                    raise ProviderError(f"smtp: {self.host}:{self.port} does not offer STARTTLS "
                                        "(set NEWSLETTER_SMTP_SECURITY=ssl, or none for a local relay)")
                client.starttls(context=self.tls_context())
                client.ehlo()
            if self.username:
                client.login(self.username, self.password or "")
        except BaseException:
            client.close()
            raise
        return client

    @contextmanager
    def connection(self) -> Iterator[smtplib.SMTP]:
        """One authenticated connection, retried while nothing has been sent."""
        where = f"{self.host}:{self.port} ({self.security})"
        client = None
        for attempt in range(1, self.connect_attempts + 1):
            try:
                client = self._open()
                break
            except smtplib.SMTPAuthenticationError as exc:
                raise ProviderError(self.redactor(
                    f"smtp: {where} refused the login of {self.username!r}: {exc.smtp_code} "
                    f"{_text(exc.smtp_error)} (check NEWSLETTER_SMTP_USERNAME and NEWSLETTER_SMTP_PASSWORD)")) from None
            except ssl.SSLError as exc:
                raise ProviderError(self.redactor(f"smtp: TLS with {where} failed: {exc} (for a private CA, "
                                                  "set NEWSLETTER_SMTP_CA_FILE)")) from None
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code == -1:  # smtplib's code for a line that does not start with three digits
                    raise ProviderError(self.redactor(
                        f"smtp: {where} does not answer as a mail server (it sent {_text(exc.smtp_error)[:60]!r}): "
                        "check NEWSLETTER_SMTP_HOST and NEWSLETTER_SMTP_PORT, and NEWSLETTER_SMTP_SECURITY "
                        "(ssl for a port that starts with TLS, such as 465)")) from None
                # 4xx (421 "try again later" at the greeting, SMTPConnectError) is the server's own "not now":
                # retried like a dropped connection, since nothing has been sent yet
                if 400 <= exc.smtp_code < 500 and attempt < self.connect_attempts:
                    self.sleep(0.2 * 2 ** (attempt - 1))
                    continue
                error = ProviderUnavailable if 400 <= exc.smtp_code < 500 else ProviderError
                raise error(self.redactor(f"smtp: {where} answered {exc.smtp_code} {_text(exc.smtp_error)}"
                                          + (f" ({attempt} attempts)" if attempt > 1 else ""))) from None
            except smtplib.SMTPNotSupportedError as exc:
                raise ProviderError(f"smtp: {where}: {exc} (unset NEWSLETTER_SMTP_USERNAME for a server "
                                    "without AUTH, or use TLS: many servers offer AUTH only after it)") from None
            except (OSError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected) as exc:
                if attempt == self.connect_attempts:
                    raise ProviderUnavailable(self.redactor(f"smtp: cannot connect to {where} after "
                                                            f"{attempt} attempts: {exc}")) from None
                self.sleep(0.2 * 2 ** (attempt - 1))
        assert client is not None
        try:
            yield client
        except BaseException:  # a lost connection, Ctrl-C: a QUIT would wait for a server that may never answer
            client.close()
            raise
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()

    # -- the send
    def deliver_test(self, content: Content, recipients: list[str]) -> SendResult:
        factory = MessageFactory(content, self.unsubscribe(content))
        outcomes: dict[str, Status] = {}
        message_ids: dict[str, str] = {}
        notes: list[str] = []
        with self.connection() as client:
            self._refuse_sender_it_cannot_carry(client, factory)
            for recipient in self.progress(recipients, "sending test messages"):
                try:
                    status, note = self._send_one(client, factory.sender, recipient, factory)
                except _Stopped as stop:
                    raise stop.error(self.redactor(_stopped_message(stop, outcomes, recipients))) from None
                except KeyboardInterrupt:
                    raise Interrupted(self.redactor(_stopped_message(
                        _Stopped(recipient, f"interrupted while sending to {recipient}", in_doubt=True),
                        outcomes, recipients))) from None
                outcomes[recipient] = status
                if status == Status.QUEUED:
                    message_ids[recipient] = factory.last_message_id
                notes += [note] if note else []
        return SendResult("test", self.name, Status.QUEUED, recipients=list(recipients), outcomes=outcomes,
                          notes=notes, message_ids=message_ids)

    def _refuse_sender_it_cannot_carry(self, client: smtplib.SMTP, factory: MessageFactory) -> None:
        """A sender or reply-to with letters beyond A-Z before the @ needs SMTPUTF8 for every message: said
        once, of the address at fault, not as a refusal of each recipient."""
        if factory.policy.utf8 and not client.has_extn("smtputf8"):
            addresses = ", ".join(a for a in (factory.content.from_email, factory.content.reply_to)
                                  if a and needs_smtputf8(a))
            raise ProviderError(f"smtp: nothing was sent: {addresses} has letters outside A-Z "
                                f"before the @, which {self.host} cannot carry (it does not offer SMTPUTF8, "
                                "RFC 6531): write it in A-Z (sender.email or reply_to in newsletter.yaml, or "
                                "NEWSLETTER_FROM_EMAIL / NEWSLETTER_REPLY_TO), or send through a server that "
                                "offers SMTPUTF8")

    def _send_one(self, client: smtplib.SMTP, sender: str, recipient: str,
                  factory: MessageFactory) -> tuple[Status, str | None]:
        """One message; ``sender`` is the envelope's (ASCII where IDNA can make it so, message.wire_address).

        Raises ``_Stopped`` when the server cannot go on: the connection is
        lost (in doubt only once the message's DATA has been sent), it closes
        with 421, or it wants a login we were not given (530).
        """
        envelope_recipient = wire_address(recipient)
        utf8 = factory.policy.utf8 or not envelope_recipient.isascii()  # the message or this envelope needs SMTPUTF8
        if utf8 and not client.has_extn("smtputf8"):
            return Status.REJECTED, (f"{recipient}: not sent: {self.host} does not take addresses with letters "
                                     "outside A-Z before the @ (it does not offer SMTPUTF8, RFC 6531); "
                                     "send through a server that does, or use another address")
        in_doubt = False
        try:
            code, reply = client.mail(sender, ["SMTPUTF8"] if utf8 else [])
            if code != 250:
                self._stop_on(code, reply, recipient)
                client.rset()
                return Status.FAILED, self.redactor(f"{recipient}: sender refused: {code} {_text(reply)}")
            code, reply = client.rcpt(envelope_recipient)
            if code not in (250, 251):
                self._stop_on(code, reply, recipient)
                client.rset()
                if 400 <= code < 500:  # RFC 5321: a temporary refusal (a full mailbox, a busy server), not a "no"
                    return Status.REJECTED, self.redactor(
                        f"{recipient}: not sent for now: {code} {_text(reply)} (the server refused it for the "
                        f"time being: send it again later with --to {recipient})")
                return Status.REJECTED, self.redactor(f"{recipient}: refused: {code} {_text(reply)}")
            in_doubt = True  # from here on, the server may have the message whatever happens to its answer
            code, reply = _data(client, factory.render_smtp(recipient))
            if code != 250:
                self._stop_on(code, reply, recipient)
                client.rset()
                return Status.FAILED, self.redactor(f"{recipient}: {code} {_text(reply)}")
        except (smtplib.SMTPServerDisconnected, socket.timeout, OSError) as exc:
            raise _Stopped(recipient, f"connection lost while sending to {recipient} ({exc})", in_doubt) from None
        return Status.QUEUED, None

    def _stop_on(self, code: int, reply: bytes, recipient: str) -> None:
        """The answers after which no next recipient can go through this connection."""
        if code == 421:  # RFC 5321 4.2.2: the server is closing the connection
            raise _Stopped(recipient, f"{self.host} closed the connection before the message to {recipient} "
                                      f"was sent ({code} {_text(reply)})", in_doubt=False)
        if code == 530 and not self.username:  # RFC 4954: authentication required
            raise _Stopped(recipient, f"{self.host} wants a login before it sends anything ({code} "
                                      f"{_text(reply)}): set NEWSLETTER_SMTP_USERNAME and "
                                      "NEWSLETTER_SMTP_PASSWORD", in_doubt=False, error=ConfigError)

    def plan(self, kind: str, content: Content, recipients: list[str], when: datetime | None) -> Plan:
        auth = f", AUTH as {self.username}" if self.username else ""
        return Plan([f"connect {self.host}:{self.port} ({self.security}{auth}), once",
                     f"MAIL FROM/RCPT TO/DATA for each of {len(recipients)} recipient(s)", "QUIT"])


class _Stopped(Exception):
    """One recipient's message ended the send: ``what`` says how, in words that name the recipient;
    ``in_doubt`` when the server may have taken that message (its DATA was sent)."""

    def __init__(self, recipient: str, what: str, in_doubt: bool, error: type[NewsletterError] = ProviderError):
        super().__init__(recipient)
        self.recipient, self.what, self.in_doubt, self.error = recipient, what, in_doubt, error


def _stopped_message(stop: _Stopped, outcomes: dict[str, Status], recipients: list[str]) -> str:
    """Who has the email, whose message is in doubt, who got nothing, and the ``--to`` for the rest.

    A test send is not in the ledger, so sending it again sends everyone's
    again; the message names the ``--to`` that sends only what is missing.
    """
    sent = [r for r, status in outcomes.items() if status == Status.QUEUED]
    refused = [r for r, status in outcomes.items() if status != Status.QUEUED]
    after = recipients[recipients.index(stop.recipient) + (1 if stop.in_doubt else 0):]
    parts = [f"smtp: {stop.what}: "
             + ("that message may or may not have been delivered" if stop.in_doubt
                else f"{stop.recipient} did not get it")]
    if sent:
        parts.append(f"already sent to {len(sent)}: {', '.join(sent)}")
    if refused:
        parts.append(f"refused or failed before: {', '.join(refused)}")
    if after:
        parts.append(f"not sent to {len(after)}: {', '.join(after)}")
    missing = [r for r in recipients if r in after or r in refused]
    if missing:
        parts.append("to send only those, run the same command with "
                     + " ".join(f"--to {r}" for r in missing))
    return "; ".join(parts)


def _data(client: smtplib.SMTP, stuffed: bytes) -> tuple[int, bytes]:
    """``SMTP.data`` for a message that is already dot-stuffed and ends with CRLF.

    smtplib's own ``data`` re-scans every message for lines starting with "."
    (about 1 ms for the seed); ``MessageFactory.render_smtp`` stuffs the body once.
    """
    client.putcmd("data")
    code, reply = client.getreply()
    if code != 354:
        return code, reply
    client.send(stuffed + b".\r\n")
    return client.getreply()


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
