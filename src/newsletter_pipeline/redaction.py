"""The one redaction of secrets, used for every line that may leave the process.

``Redactor.add(secret)`` registers a secret with every form in which it can
show up in an error, a log line or a traceback:

- as is, URL-encoded (``quote`` and ``quote_plus``), escaped as Python's
  ``repr`` of the text and of its UTF-8 bytes, escaped as a JSON string, and
  escaped as HTML or XML (an error page that quotes the key it was sent:
  ``&lt;``, ``&amp;``, and the usual spellings of the quotes);
- and, character by character, any mix of these escapes (``_escaped``): which
  characters a URL encoder keeps (``quote`` keeps ``/``, requests keeps
  ``:@+``...) or a JSON encoder escapes (PHP writes ``\\/``, Go ``\\u0026``) is
  each library's choice, so every character may come as itself or escaped;
- hexadecimal, base32 and quoted-printable (``=3D`` for ``=``, ``=C3=A9`` for
  ``é``: per character, with the escapes above) of its UTF-8 bytes;
- reversed; with a space, tab, ``-`` or ``:`` between its characters (``S3cr etPa``); its bytes in
  hexadecimal with such separators (``53 33 63``, ``53:33:63``); in UTF-16 (hex and ``repr``);
- its first or last half or more (at least ``MIN_FRAGMENT`` characters): a
  server that quotes a key cut short (``key 'abc123de...' is invalid``) gives
  half of it away;
- base64 (standard and URL-safe, padded or not) of the secret alone, as AUTH
  LOGIN sends a password, and the base64 characters it produces at each of
  the three byte offsets inside a longer blob (AUTH PLAIN's ``\\0user\\0pass``,
  a Basic ``user:pass`` header), so a server that quotes what it received
  cannot leak it whatever comes before the secret.

Every form is matched whatever its letters' case: a server that echoes a key
in capitals (``INVALID KEY ABC123``) does not print it either.

Every ``Redactor`` also registers what it learns with the process-wide one,
``redact_everywhere``, which ``cli.py`` runs over what it prints outside any
provider: the error report, ``--debug`` tracebacks, log lines. (A traceback is
formatted after the provider that knew the secret is gone; the process-wide
registry is why one redaction reaches it.)
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "********"
# A 1-3 character "secret" would shred every message (case-insensitively, "ab" is in "about"), so it is
# never redacted; instead a provider refuses such a credential before using it (Config.require_hideable):
# a secret that cannot be hidden must not reach a server that may quote it back.
MIN_LENGTH = 4
MIN_FRAGMENT = 8  # base64 fragments shorter than this match ordinary words


def encodings(secret: str) -> set[str]:
    """Every form of ``secret`` that text may carry (see the module docstring)."""
    raw = secret.encode("utf-8", "surrogatepass")
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret, safe=""), quote_plus(secret, safe="/"),
             repr(secret)[1:-1], repr(raw)[2:-1], json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    escaped = secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for quot in ('"', "&quot;", "&#34;", "&#x22;"):
        for apos in ("'", "&#x27;", "&#39;", "&apos;"):
            forms.add(escaped.replace('"', quot).replace("'", apos))
    forms |= {raw.hex(), base64.b32encode(raw).decode().rstrip("="), secret[::-1]}
    for wide in (secret.encode("utf-16-le", "surrogatepass"), secret.encode("utf-16-be", "surrogatepass")):
        forms |= {wide.hex(), repr(wide)[2:-1]}
    part = max(MIN_FRAGMENT, -(-len(secret) // 2))
    forms |= {secret[:n] for n in range(part, len(secret))} | {secret[-n:] for n in range(part, len(secret))}
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms.add(encode(raw).decode().rstrip("="))
        for offset in (0, 1, 2):  # the secret after 0, 1 or 2 other bytes (mod 3) in a longer blob
            text = encode(b"\0" * offset + raw).decode()
            inner = text[4 if offset else 0:4 * ((offset + len(raw)) // 3)]  # only groups of its own bytes
            if len(inner) >= MIN_FRAGMENT:
                forms.add(inner)
    return {form for form in forms if len(form) >= MIN_LENGTH}


_NAMED = {"&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos"}


def _escaped(secret: str) -> str:
    """A regular expression matching ``secret`` with each character as itself or in any of its escapes.

    Per character: percent-encoded UTF-8 (``%2F``; ``+`` for a space), quoted-printable (``=2F``), a
    backslash before a quote, slash or backslash (JSON, JavaScript, ``repr``),
    ``\\uXXXX`` (JSON; a surrogate pair beyond U+FFFF), ``\\xXX`` and ``\\U``
    (``repr`` of text and of bytes), and HTML/XML character references
    (``&#47;``, ``&#x2f;``, ``&amp;``). Letter case is left to the pattern's flag.
    """
    parts = []
    for char in secret:
        code, raw = ord(char), char.encode("utf-8", "surrogatepass")
        alternatives = {re.escape(char), re.escape("".join(f"%{byte:02X}" for byte in raw)),
                        re.escape("".join(f"={byte:02X}" for byte in raw)),  # quoted-printable
                        re.escape("".join(f"\\x{byte:02x}" for byte in raw)), f"&#0*{code};", f"&#x0*{code:x};"}
        if code < 0x10000:
            alternatives.add(re.escape(f"\\u{code:04x}"))
        else:
            high, low = divmod(code - 0x10000, 0x400)
            alternatives |= {re.escape(f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"), re.escape(f"\\U{code:08x}")}
        if code < 0x100:
            alternatives.add(re.escape(f"\\x{code:02x}"))
        if char == " ":
            alternatives.add(r"\+")
        if char in "/\"'\\":
            alternatives.add(re.escape("\\" + char))
        if char in _NAMED:
            alternatives.add(f"&{_NAMED[char]};")
        parts.append(f"(?:{'|'.join(sorted(alternatives, key=len, reverse=True))})")
    return "".join(parts)


_SEPARATOR = r"[ \t:\-]?"


def _spaced(secret: str) -> list[str]:
    """Regular expressions for ``secret`` with a separator between its characters, and for its UTF-8 bytes
    in hexadecimal with one between the bytes (``S3cr etPa ssw0``, ``53 33 63``, ``53:33:63``)."""
    if len(secret) < MIN_FRAGMENT:
        return []
    raw = secret.encode("utf-8", "surrogatepass")
    return [_SEPARATOR.join(re.escape(char) for char in secret), _SEPARATOR.join(f"{byte:02x}" for byte in raw)]


class Redactor:
    """Replaces every known secret (and its encodings) with ``********``."""

    def __init__(self, secrets: Iterable[str] = (), *, share: bool = True) -> None:
        self._forms: set[str] = set()
        self._escaped: set[str] = set()  # the secrets themselves, matched through _escaped()
        self._share = share
        self._pattern: re.Pattern[str] | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Also redact ``secret``; providers add derived forms (a Basic auth value, an AUTH PLAIN blob)."""
        if not secret or len(secret) < MIN_LENGTH:
            return
        self._forms |= encodings(secret)
        self._escaped.add(secret)
        self._pattern = None
        if self._share:
            EVERYWHERE.add(secret)

    def __call__(self, text: str) -> str:
        if not self._forms:
            return text
        if self._pattern is None:  # the longest first, so a form inside a longer one is not matched first
            # (an escaped secret is at least as long as the secret)
            choices = [(len(form), re.escape(form)) for form in self._forms]
            choices += [(len(secret), _escaped(secret)) for secret in self._escaped]
            choices += [(len(secret), regex) for secret in self._escaped for regex in _spaced(secret)]
            self._pattern = re.compile("|".join(regex for _, regex in sorted(choices, key=lambda c: -c[0])),
                                       re.IGNORECASE)
        return self._pattern.sub(REDACTED, text)

    def __bool__(self) -> bool:
        return bool(self._forms)


EVERYWHERE = Redactor(share=False)


def redact_everywhere(text: str) -> str:
    """``text`` without any secret this process has seen so far."""
    return EVERYWHERE(text)
