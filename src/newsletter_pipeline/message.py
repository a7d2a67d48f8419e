"""The RFC 5322 message of one issue for one recipient (SMTP and outbox providers).

``MessageFactory(content, unsubscribe)`` builds the MIME body once
(multipart/alternative: text/plain, then text/html; UTF-8; quoted-printable,
so no line is longer than 76 characters) and ``render(recipient)`` returns the
bytes of the whole message for one recipient with CRLF line ends and headers
folded at 78 characters:

Date, Message-ID (unique per message), From, To (only that recipient),
Reply-To (when set), Subject, MIME-Version, List-Id, List-Unsubscribe and,
when an https unsubscribe URL is configured, ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click`` (RFC 8058).

What List-Unsubscribe holds (``Unsubscribe.parse``): the configured URLs, plus
a mailto: to the sender when none of them is one (a client without one-click
then still has a way out). With no https URL configured there is no
one-click: RFC 8058 needs an https address that removes the recipient on a
POST, and this tool runs no such server. Inventing one (from ``archive_url``,
say) would show a button in Gmail that unsubscribes nobody, which is worse than
the mailto: alone; ``Unsubscribe.describe`` says so in ``check``'s output.

The body's unsubscribe placeholder has already become the URL returned by
``Unsubscribe.body_url`` (the provider's ``prepare`` does that), so each
message is fully built from a ``Content`` and one address. Rendering streams:
nothing is kept per recipient.
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from .errors import ConfigError
from .models import Content  # a plain value: message sits between rendering and providers, importing neither
from .slugs import ascii_lower

# refold_source="none": headers set with ``set_raw`` (List-Unsubscribe) keep our folding; the
# default would turn a long URL into RFC 2047 encoded words, which no client can follow.
SMTP_POLICY = policy.SMTP.clone(max_line_length=78, refold_source="none")
# RFC 6532: headers in UTF-8, for an address with letters outside ASCII before the @ (jürgen@...), which
# no ASCII form can carry; such a message needs a server that offers SMTPUTF8 (providers/smtp.py)
SMTP_UTF8_POLICY = SMTP_POLICY.clone(utf8=True)
_LIST_ID_UNSAFE = re.compile(r"[^a-z0-9-]+")
_DOT_LINE = re.compile(rb"(?m)^\.")


def header_problem(value: str) -> str | None:
    """Why ``value`` cannot be one header line (a line break or another control character), or None.

    The email library refuses CR and LF in headers with a ValueError; other
    control characters would reach the inbox. Callers refuse them, located.
    """
    for index, char in enumerate(value):
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            name = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab"}.get(char)
            return f"contains {name or f'the control character U+{ord(char):04X}'} at character {index + 1}"
    return None


@dataclass(frozen=True)
class Unsubscribe:
    """NEWSLETTER_LIST_UNSUBSCRIBE, parsed: mailto: and https: URLs."""

    urls: tuple[str, ...]

    @classmethod
    def parse(cls, values: list[str], fallback_email: str) -> Unsubscribe:
        """Validate the configured URLs; a mailto: to the sender (subject "unsubscribe") is added when none is one."""
        bad = [url for url in values if not url.lower().startswith(("mailto:", "https://"))]
        if bad:
            raise ConfigError(f"NEWSLETTER_LIST_UNSUBSCRIBE: {', '.join(bad)}: use mailto: or https: URLs, "
                              "comma-separated (e.g. https://example.org/unsubscribe,mailto:leave@example.org)")
        if any(url.lower().startswith("mailto:") for url in values):
            return cls(tuple(values))
        return cls((*values, f"mailto:{wire_address(fallback_email)}?subject=unsubscribe"))

    @property
    def https(self) -> str | None:
        return next((url for url in self.urls if url.lower().startswith("https://")), None)

    @property
    def body_url(self) -> str:
        """The link that replaces the body's placeholder: the https URL, else the first one."""
        return self.https or self.urls[0]

    @property
    def one_click(self) -> bool:
        """Whether the message carries ``List-Unsubscribe-Post`` (RFC 8058 allows it only with an https URL)."""
        return self.https is not None

    def describe(self) -> str:
        """The two headers as a message carries them, on one line (for ``check`` and ``send``'s notes)."""
        urls = ", ".join(f"<{url}>" for url in self.urls)
        if self.one_click:
            return f"List-Unsubscribe: {urls} and List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058)"
        return (f"List-Unsubscribe: {urls} only, without one-click unsubscribe (RFC 8058 needs an https URL "
                "that unsubscribes the reader on a POST, which Gmail and Yahoo require of bulk senders: "
                "set NEWSLETTER_LIST_UNSUBSCRIBE to your list's one-click address)")

    def header(self) -> str:
        """``<url>, <url>``, folded between URLs (a URL itself cannot be folded)."""
        urls = [f"<{url}>" for url in self.urls]
        if len("List-Unsubscribe: ") + sum(len(u) + 2 for u in urls) <= 78:
            return ", ".join(urls)
        return ",\n ".join(urls)


def list_id(list_name: str, from_email: str) -> str:
    """RFC 2919 List-Id: ``Name <name.domain>``, stable for one newsletter."""
    domain = from_email.rpartition("@")[2] or "localhost"
    label = _LIST_ID_UNSAFE.sub("-", ascii_lower(list_name)).strip("-") or "newsletter"  # Łódź: lodz, not d
    return f"{list_name} <{label}.{domain}>"


def ascii_address(email: str) -> str | None:
    """``email`` in ASCII, its domain in IDNA (``info@bücher.de`` -> ``info@xn--bcher-kva.de``, which every
    server and client takes); ``None`` when the part before the @ has other letters (only SMTPUTF8 carries it)."""
    if email.isascii():
        return email
    local, _, domain = email.rpartition("@")
    if not local.isascii():
        return None
    ascii_domain = _ascii_domain(domain)
    return f"{local}@{ascii_domain}" if ascii_domain else None


def _ascii_domain(domain: str) -> str | None:
    if domain.isascii():
        return domain
    import idna  # IDNA 2008, as email-validator checks addresses (Python's own codec is IDNA 2003: ß -> ss)

    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError:
        return None


def wire_address(email: str) -> str:
    """``email`` as headers and the SMTP envelope carry it: its domain in ASCII where IDNA can write it, the
    part before the @ as written (``jürgen@bücher.de`` -> ``jürgen@xn--bcher-kva.de``, sent with SMTPUTF8)."""
    if email.isascii():
        return email
    local, _, domain = email.rpartition("@")
    return f"{local}@{_ascii_domain(domain) or domain}"


def needs_smtputf8(*emails: str | None) -> bool:
    """Whether any of ``emails`` has letters outside ASCII before its @."""
    return any(email and ascii_address(email) is None for email in emails)


def address(name: str, email: str) -> Address:
    local, _, domain = wire_address(email).rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


# the header fields _build writes: anything else in the serialized head was forged by a value
_WRITTEN = frozenset({b"date", b"message-id", b"from", b"to", b"reply-to", b"subject", b"list-id",
                      b"list-unsubscribe", b"list-unsubscribe-post", b"content-language", b"mime-version",
                      b"content-type", b"content-transfer-encoding"})
_REQUIRED = frozenset({b"date", b"message-id", b"from", b"to", b"subject", b"mime-version", b"content-type"})


def _refuse_forged(head: bytes) -> None:
    """Refuse a message whose header block holds a field we did not write, or ends early.

    The values are checked before they get here (``controls.encoded_control``); this is the last line: a
    Python without the fix for CVE-2024-6923 writes a line break that an encoded word (``=?...?=``) in a
    subject or a name decodes to, which forges a header, or with a blank line ends the headers early and
    makes the rest of the subject the message's body.
    """
    names = {line.split(b":", 1)[0].strip().lower() for line in head.split(b"\r\n") if line[:1] not in (b" ", b"\t")}
    if not names <= _WRITTEN or not _REQUIRED <= names:
        raise ConfigError("the email's header would hold a line that no setting wrote: a subject or a "
                          "name (in the issue, newsletter.yaml or NEWSLETTER_FROM_NAME) hides a line break in "
                          "MIME encoded text (=?...?=); remove that part and write the text itself")


class MessageFactory:
    """Builds and serializes the message once; ``render(recipient)`` swaps in the per-recipient headers.

    Only Date, Message-ID and To differ between recipients, so the header
    block and the encoded body are kept as bytes and each message costs a few
    string joins instead of a full MIME serialization (see benchmarks/send.py).
    """

    PER_RECIPIENT = (b"date", b"message-id", b"to")

    def __init__(self, content: Content, unsubscribe: Unsubscribe) -> None:
        self.content = content
        self.unsubscribe = unsubscribe
        self.sender = wire_address(content.from_email)  # the envelope's MAIL FROM
        self.domain = self.sender.rpartition("@")[2] or "localhost"
        self.policy = SMTP_UTF8_POLICY if needs_smtputf8(content.from_email, content.reply_to) else SMTP_POLICY
        head, _, self._body = self._build(content, unsubscribe, self.policy).as_bytes(
            policy=self.policy).partition(b"\r\n\r\n")
        _refuse_forged(head)
        self._fields = _header_fields(head)
        self._slots = {name: i for i, f in enumerate(self._fields)
                       if (name := f.split(b":", 1)[0].lower()) in self.PER_RECIPIENT}
        assert len(self._slots) == len(self.PER_RECIPIENT)
        # SMTP's DATA needs lines starting with "." doubled (RFC 5321 4.5.2); header lines never
        # start with one, so the body is stuffed once here instead of per message.
        self._smtp_body = _DOT_LINE.sub(b"..", self._body)
        if not self._smtp_body.endswith(b"\r\n"):
            self._smtp_body += b"\r\n"
        self._date_second = -1
        self._date_field = b""
        self.last_message_id = ""  # the Message-ID of the latest render()/render_smtp()

    @staticmethod
    def _build(content: Content, unsubscribe: Unsubscribe, message_policy: policy.EmailPolicy) -> EmailMessage:
        message = EmailMessage(policy=message_policy)
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = "<placeholder@placeholder.invalid>"
        utf8 = message_policy.utf8  # SMTPUTF8 carries the words as they are: nothing to encode
        sender = address(content.from_name, content.from_email)
        if utf8 or _as_written(content.from_name):
            message["From"] = sender
        else:
            message.set_raw("From", _with_address("From", encoded_words("From", content.from_name),
                                                   sender.addr_spec))
        message["To"] = "placeholder@placeholder.invalid"
        if content.reply_to:
            message["Reply-To"] = wire_address(content.reply_to)
        if utf8 or _as_written(content.subject):
            message["Subject"] = content.subject
        else:
            message.set_raw("Subject", encoded_words("Subject", content.subject))
        # RFC 2919: the <list id> is written as it is; only the name before it may be encoded or quoted
        name, label = list_id(content.list_name, wire_address(content.from_email)).rsplit(" <", 1)
        if utf8 or _as_written(name):
            message["List-Id"] = f"{display_name(name)} <{label}"
        else:
            message.set_raw("List-Id", _with_address("List-Id", encoded_words("List-Id", name), label[:-1]))
        message.set_raw("List-Unsubscribe", unsubscribe.header())
        if unsubscribe.one_click:
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(content.text, subtype="plain", charset="utf-8", cte="quoted-printable")
        message.add_alternative(content.html, subtype="html", charset="utf-8", cte="quoted-printable")
        if content.language:
            message["Content-Language"] = content.language
        return message

    def _headers(self, recipient: str) -> bytes:
        fields = list(self._fields)
        fields[self._slots[b"date"]] = self._date()
        # kept so providers can report which message went where (the CI summary lists them)
        self.last_message_id = make_msgid(domain=self.domain)
        fields[self._slots[b"message-id"]] = b"Message-ID: " + self.last_message_id.encode("ascii") + b"\r\n"
        to = wire_address(recipient)  # a mailbox name beyond ASCII stays as written, in UTF-8 (RFC 6532)
        fields[self._slots[b"to"]] = _fold("To", to, SMTP_POLICY if to.isascii() else SMTP_UTF8_POLICY)
        return b"".join(fields) + b"\r\n"

    def _date(self) -> bytes:
        """The Date field, formatted once per second (formatting costs more than the rest of a message)."""
        second = int(time.time())
        if second != self._date_second:
            now = datetime.fromtimestamp(second, UTC)
            self._date_field = b"Date: " + format_datetime(now).encode("ascii") + b"\r\n"
            self._date_second = second
        return self._date_field

    def render(self, recipient: str) -> bytes:
        """The full message for ``recipient`` as CRLF bytes, ready for a .eml file."""
        return self._headers(recipient) + self._body

    def render_smtp(self, recipient: str) -> bytes:
        """``render`` dot-stuffed for SMTP DATA, ending with CRLF (the caller adds ``.`` CRLF)."""
        return self._headers(recipient) + self._smtp_body

    def message(self, recipient: str) -> EmailMessage:
        """``render(recipient)`` parsed back (for callers that want an object)."""
        from email import message_from_bytes

        return message_from_bytes(self.render(recipient), policy=SMTP_POLICY)  # type: ignore[return-value]


def _header_fields(head: bytes) -> list[bytes]:
    """Split a serialized header block into fields, each with its folded lines and final CRLF."""
    fields: list[bytes] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += line + b"\r\n"
        else:
            fields.append(line + b"\r\n")
    return fields


def encoded_words(field: str, text: str) -> str:
    """``text`` as RFC 2047 encoded words, folded to 78 columns, for a header that is not SMTPUTF8.

    RFC 2047 says a decoder ignores the white space between two encoded words.
    The email package's folder breaks a line at a space of the text and then
    starts the next encoded word, so that space became the fold and every mail
    program dropped it ("O'Brien's "Ż"" read "O'Brien's"Ż"", in one subject
    of nine with European words). The legacy ``Header`` encodes the whole text
    and folds between characters, so every space of the text is inside a word.
    """
    return Header(text, "utf-8", maxlinelen=78, header_name=field).encode(linesep="\r\n")


def _as_written(text: str) -> bool:
    """Whether ``text`` can go into a header as it is: ASCII, and nothing a mail program would decode as
    an encoded word (a subject "=?utf-8?q?hello?= world" read "hello world")."""
    return text.isascii() and "=?" not in text


# RFC 5322 atext plus the space (letters beyond ASCII as RFC 6532 allows): a name of only these needs no quotes
_PLAIN_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ \u0080-\U0010FFFF]*")


def display_name(name: str) -> str:
    """A display name as RFC 5322 writes it: quoted when it holds specials (``ACME, Inc. (EU)``, ``News: 2021``)."""
    if _PLAIN_NAME.fullmatch(name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


FOLD = "\r\n "


def _with_address(field: str, phrase: str, addr_spec: str) -> str:
    """``Name <address>``, the address on a line of its own when the name's last line has no room."""
    last = phrase.rpartition("\n")[2] if "\n" in phrase else f"{field}: {phrase}"
    return f"{phrase}{' ' if len(last) + len(addr_spec) + 3 <= 78 else FOLD}<{addr_spec}>"


def _fold(name: str, value: str, fold_policy: policy.EmailPolicy = SMTP_POLICY) -> bytes:
    """One header field as ``fold_policy`` folds and encodes it (non-ASCII included)."""
    if value.isascii() and len(name) + len(value) + 2 <= 78 and "\n" not in value and "\r" not in value:
        return f"{name}: {value}\r\n".encode("ascii")
    return fold_policy.fold_binary(name, fold_policy.header_factory(name, value))
