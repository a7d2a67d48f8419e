"""Send settings: read from the environment and ``.env`` (python-dotenv), never from files in git.

Every variable is declared once in ``SETTINGS`` with the comment that
``.env.example`` shows for it (a test keeps the two in step). The environment
wins over ``.env``. Empty values count as unset.

Contracts:
- ``Config.require(*names, purpose=...)`` raises one ``ConfigError`` naming
  *every* missing variable and where it would have been read from.
- ``Config.redactor()`` knows every secret value present; run any text that
  may leave the process (errors, logs, ledger) through it.
"""

from __future__ import annotations

import math
import os
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .controls import encoded_control, first_control
from .envfile import EnvFile, read_env_file
from .errors import ConfigError, Diagnostic, Location, NewsletterError
from .redaction import MIN_LENGTH, REDACTED, Redactor

__all__ = ["REDACTED", "SETTINGS", "AddressError", "Config", "Redactor", "Setting", "email_address",
           "email_addresses", "env_example", "redact"]


@dataclass(frozen=True)
class Setting:
    name: str
    comment: str
    default: str | None = None
    secret: bool = False
    group: str = "common"


def _settings(*items: Setting) -> dict[str, Setting]:
    return {item.name: item for item in items}


SETTINGS: dict[str, Setting] = _settings(
    Setting("NEWSLETTER_PROVIDER", "Where sends go: outbox (default), smtp, listmonk, mailchimp or brevo.", "outbox"),
    Setting("NEWSLETTER_FROM_NAME", "Sender name; defaults to sender.name in newsletter.yaml."),
    Setting("NEWSLETTER_FROM_EMAIL", "Sender address; defaults to sender.email in newsletter.yaml."),
    Setting("NEWSLETTER_REPLY_TO", "Reply-To address; defaults to sender.reply_to in newsletter.yaml."),
    Setting("NEWSLETTER_TEST_RECIPIENTS", "Comma-separated addresses for --test (overridden by --to)."),
    Setting("NEWSLETTER_LIST_UNSUBSCRIBE",
            "Comma-separated mailto: and/or https: unsubscribe URLs for SMTP and outbox messages "
            "(List-Unsubscribe; an https URL also adds RFC 8058 one-click and replaces the body's link)."),
    Setting("NEWSLETTER_ALLOW_CI_LIST_SEND", "Set to 1 to allow --now/--schedule when CI=true.",
            group="safety"),
    Setting("NEWSLETTER_SEND_LOCK_TIMEOUT",
            "Seconds a send waits for another send of the same issue in this project to finish.", "300",
            group="safety"),
    Setting("NEWSLETTER_OUTBOX_DIR", "Folder of the outbox provider's .eml files.", "outbox", group="outbox"),
    Setting("NEWSLETTER_SMTP_HOST", "SMTP server host name.", group="smtp"),
    Setting("NEWSLETTER_SMTP_PORT", "SMTP port (1 to 65535); defaults to 587 (starttls), 465 (ssl) or 25 (none).",
            group="smtp"),
    Setting("NEWSLETTER_SMTP_USERNAME", "SMTP login; leave unset for a server without AUTH.", group="smtp"),
    Setting("NEWSLETTER_SMTP_PASSWORD", "SMTP password (secret).", secret=True, group="smtp"),
    Setting("NEWSLETTER_SMTP_SECURITY", "none, starttls or ssl.", "starttls", group="smtp"),
    Setting("NEWSLETTER_SMTP_CA_FILE",
            "Optional PEM file of extra certificate authorities to trust (a private or self-signed server).",
            group="smtp"),
    Setting("NEWSLETTER_SMTP_TIMEOUT", "Seconds to wait for the SMTP server.", "30", group="smtp"),
    Setting("NEWSLETTER_HTTP_CONNECT_TIMEOUT", "Seconds to wait for an API provider's connection.", "5",
            group="http"),
    Setting("NEWSLETTER_HTTP_READ_TIMEOUT", "Seconds to wait for an API provider's answer.", "30", group="http"),
    Setting("NEWSLETTER_HTTP_ATTEMPTS", "Attempts per API request that may be retried (1 to 10; bounded backoff).",
            "4",
            group="http"),
    Setting("NEWSLETTER_HTTP_BACKOFF", "First retry delay in seconds; doubles each attempt, with jitter.", "0.5",
            group="http"),
    Setting("NEWSLETTER_HTTP_MAX_DELAY", "Longest wait between two attempts, in seconds (caps Retry-After).", "30",
            group="http"),
    Setting("LISTMONK_URL", "Root URL of your Listmonk, e.g. https://lists.example.org.", group="listmonk"),
    Setting("LISTMONK_USERNAME", "Listmonk API user name.", group="listmonk"),
    Setting("LISTMONK_TOKEN", "Listmonk API token (secret).", secret=True, group="listmonk"),
    Setting("LISTMONK_LIST_IDS", "Comma-separated Listmonk list ids to send to.", group="listmonk"),
    Setting("LISTMONK_TEMPLATE_ID", "Optional: the id of a Listmonk campaign template whose body is only "
            "{{ template \"content\" . }}. Unset, newsletter-pipeline finds or creates its own (the user then "
            "needs the permissions templates:get and templates:manage).", group="listmonk"),
    Setting("LISTMONK_LIST_IDS_EL", "The list ids of the Greek edition (<slug>.el.yaml); every language works "
            "the same with its code appended (_FR, _PT_BR).", group="listmonk"),
    Setting("MAILCHIMP_API_KEY", "Mailchimp API key, ending in -<dc> (secret).", secret=True, group="mailchimp"),
    Setting("MAILCHIMP_LIST_ID", "Mailchimp audience (list) id.", group="mailchimp"),
    Setting("MAILCHIMP_LIST_ID_EL", "The audience of the Greek edition; any language works the same with its "
            "code appended.", group="mailchimp"),
    Setting("MAILCHIMP_API_URL", "Optional; overrides https://{dc}.api.mailchimp.com/3.0.", group="mailchimp"),
    Setting("BREVO_API_KEY", "Brevo API key (secret).", secret=True, group="brevo"),
    Setting("BREVO_LIST_IDS", "Comma-separated Brevo list ids to send to.", group="brevo"),
    Setting("BREVO_LIST_IDS_EL", "The list ids of the Greek edition; any language works the same with its "
            "code appended.", group="brevo"),
    Setting("BREVO_API_URL", "Optional; overrides https://api.brevo.com/v3.", group="brevo"),
)

ADDRESS_HINTS = {
    "NEWSLETTER_FROM_EMAIL": "one address, like news@example.org; the name goes in NEWSLETTER_FROM_NAME",
    "NEWSLETTER_REPLY_TO": "one address, like replies@example.org",
    "NEWSLETTER_TEST_RECIPIENTS": "addresses separated by commas, like a@example.org,b@example.org",
}

MAX_SECONDS = 86_400  # the longest wait or timeout a setting may ask for: one day
# more attempts only add waiting: 10 with the longest backoff already span minutes, and a provider
# that has not answered by then is down (a tester's 1e9 retried until killed)
MAX_ATTEMPTS = 10
PORTS = (1, 65_535)  # TCP: 0 is no port, and above 65535 the socket layer fails on every attempt

# Variables whose values are secret even if a provider adds them later.
SECRET_NAME = re.compile(r"(PASSWORD|TOKEN|API_KEY|SECRET)$")


@dataclass
class Config:
    """Resolved settings: environment over ``.env``; ``sources`` says where we looked."""

    values: dict[str, str]
    sources: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, project_root: Path | None = None, environ: Mapping[str, str] | None = None,
             strict: bool = True) -> Config:
        """Read ``.env`` of the project root (the working folder when there is none), then the environment.

        A ``.env`` that is there but cannot be read, or has a line that does not
        parse, is a ``ConfigError`` (``envfile.py``), never skipped. ``strict=False``
        (for the redactor) takes what can be read and never raises.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, str] = {}
        sources = ["the environment"]
        dotenv: EnvFile | None = None
        for folder in _dotenv_folders(project_root):
            path = folder / ".env"
            if os.path.lexists(path):  # a folder, a pipe or a broken link there is refused, not skipped
                dotenv = read_env_file(path, strict)
                values.update(dotenv.values)
                sources.append(str(path))
                break
        values.update({k: v for k, v in environ.items()})
        resolved = {k: v.strip() for k, v in values.items() if v is not None and v.strip()}
        if strict:
            _refuse_controls(resolved, environ, dotenv)
        return cls(resolved, sources)

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value:
            return value
        if default is not None:
            return default
        declared = SETTINGS.get(name)
        return declared.default if declared else None

    def list(self, name: str) -> list[str]:
        """A comma-separated setting as a list without blanks."""
        return [part.strip() for part in (self.get(name) or "").split(",") if part.strip()]

    def ids(self, name: str, example: str) -> list[int]:
        """A comma-separated setting of whole numbers (a provider's list ids); ``example`` shows the form."""
        parts = self.list(name)
        # digits only: int() also takes "-3", "+3", "1_0" and other scripts' digits, no provider's list id
        if all(re.fullmatch(r"[0-9]+", part) and int(part) > 0 for part in parts):
            return [int(part) for part in parts]
        raise ConfigError(f"{name}={self.get(name)!r}: list ids are numbers, e.g. {example}")

    def whole(self, name: str, low: int, high: int, default: int | None = None) -> int:
        """A count or a port: a whole number from ``low`` to ``high``, written in plain digits.

        ``int(float(...))`` read ``2.5`` as 2, ``1e9`` as a billion attempts and
        ``-1`` (via ``max(1, ...)``) as 1: a typo became another setting
        without a word. Here anything but digits in range is a ``ConfigError``
        naming the variable, the range and a value to write.
        """
        raw = self.get(name, None if default is None else str(default))
        if raw is not None and re.fullmatch(r"[0-9]+", raw) and low <= int(raw) <= high:
            return int(raw)
        example = default if default is not None else SETTINGS[name].default
        raise ConfigError(f"{name}={raw!r} is not a whole number from {low:,} to {high:,}: "
                          f"write it in digits, e.g. {name}={example}")

    def port(self, name: str, default: int) -> int:
        """A TCP port setting (``NEWSLETTER_SMTP_PORT``): 1 to 65535, ``default`` when unset."""
        return self.whole(name, *PORTS, default=default)

    def seconds(self, name: str, zero: bool = True) -> float:
        """A duration setting: seconds from 0 (more than 0 unless ``zero``) to ``MAX_SECONDS``.

        A negative wait means "forever" to filelock, and a negative, zero or
        huge timeout is an exception deep in socket or requests: refused here,
        naming the variable and what to write.
        """
        raw = self.get(name)
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = math.nan
        if (0 < value or (zero and value == 0)) and value <= MAX_SECONDS:  # False for nan
            return value
        meant = "between 0 (do not wait) and" if zero else "more than 0 and at most"
        raise ConfigError(f"{name}={raw!r} is not a number of seconds {meant} {MAX_SECONDS:,} (one day): "
                          f"write the seconds in digits, e.g. {name}={SETTINGS[name].default}")

    def host(self, name: str, port_setting: str) -> str | None:
        """A host name or IP address setting (``NEWSLETTER_SMTP_HOST``) alone: no port, no scheme.

        smtplib takes ``127.0.0.1:2525`` for a host and connects to port 25 of
        it (or fails to resolve it), three times, then exit 3: a typo in a
        setting looked like a server that is down. An IPv6 address keeps its
        colons (``::1``); ``[::1]:2525`` and ``host:2525`` are refused.
        """
        value = self.get(name)
        if value is None:
            return None
        scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", value)
        if scheme:
            raise ConfigError(f"{name}={value!r}: write the server's name alone, without {scheme.group(0)} "
                              f"(e.g. {name}=smtp.example.org; the kind of connection goes in "
                              "NEWSLETTER_SMTP_SECURITY)")
        with_port = re.fullmatch(r"(\[[^\]]*\]|[^:\[\]]+):([0-9]*)", value)
        if with_port:
            host, port = with_port.group(1).strip("[]"), with_port.group(2)
            raise ConfigError(f"{name}={value!r}: the port goes in {port_setting}, not after the host: set "
                              f"{name}={host}" + (f" and {port_setting}={port}" if port else ""))
        if re.search(r"[\s/@]", value):
            raise ConfigError(f"{name}={value!r} is not a server name: write the host name or IP address "
                              f"alone, e.g. {name}=smtp.example.org")
        return value

    def url(self, name: str, example: str) -> str | None:
        """A web address setting (``LISTMONK_URL``, ``*_API_URL``): http(s) with a host, without the last ``/``.

        requests refuses ``127.0.0.1:1234`` or ``ftp://x`` (``InvalidSchema``) on
        every attempt, and the retries then ended in "no answer", exit 3: a
        typo looked like a provider that is down. The value is not repeated: a
        URL may carry a password (``https://user:password@host``).
        """
        value = self.get(name)
        if value is None:
            return None
        parts = urlsplit(value)
        try:
            port = parts.port
        except ValueError:  # not digits, or above 65535
            port = 0
        if port == 0:
            raise ConfigError(f"{name}: the port after the server's name is not a whole number from "
                              f"{PORTS[0]} to {PORTS[1]:,} (or leave it out), e.g. {name}={example}")
        if parts.scheme.lower() in {"http", "https"} and parts.hostname and not re.search(r"\s", value):
            return value.rstrip("/")
        raise ConfigError(f"{name} is not a web address: it must start with https:// (or http:// for a server on "
                          f"your own machine or network) followed by the server's name, e.g. {name}={example}")

    def address(self, name: str) -> str | None:
        """An address setting (``NEWSLETTER_FROM_EMAIL``, ``NEWSLETTER_REPLY_TO``): one valid address, or unset."""
        value = self.get(name)
        if value is None:
            return None
        (address,) = email_addresses([value], name, hint=ADDRESS_HINTS.get(name, "one address, like news@example.org"))
        return address

    def flag(self, name: str) -> bool:
        return (self.get(name) or "").lower() in {"1", "true", "yes", "on"}

    def require(self, *names: str, purpose: str) -> dict[str, str]:
        """The values of ``names``; if any is missing, one error naming all of them."""
        missing = [name for name in names if not self.get(name)]
        if missing:
            where = " or ".join([*self.sources[:1], ".env"]) if len(self.sources) == 1 else ", ".join(self.sources)
            comments = "".join(f"\n  {name}: {SETTINGS[name].comment}" if name in SETTINGS else f"\n  {name}"
                               for name in missing)
            raise ConfigError(f"{purpose} needs {', '.join(missing)} (set in {where}; see .env.example):{comments}")
        return {name: self.get(name) or "" for name in names}

    def require_encodable(self, names: Iterable[str], codec: str, why: str) -> None:
        """Refuse, naming every variable (never its value), a set value that ``codec`` cannot encode.

        HTTP headers are Latin-1 and smtplib's AUTH is ASCII: a typographic quote
        or a non-breaking space pasted with a key would otherwise crash deep in
        the HTTP or SMTP library.
        """
        bad = []
        for name in names:
            try:
                (self.get(name) or "").encode(codec)
            except UnicodeEncodeError:
                bad.append(name)
        if bad:
            raise ConfigError(f"{', '.join(bad)}: contains a character that {why} cannot carry (only "
                              f"{codec.upper()} characters are allowed; often a typographic quote, a dash or "
                              "a non-breaking space copied along with it): paste the value again, by itself")

    def require_hideable(self, names: Iterable[str]) -> None:
        """Refuse, naming each variable (never its value), a set secret too short to be redacted.

        The redactor leaves secrets of fewer than ``MIN_LENGTH`` characters
        alone (hiding "ab" would also hide it inside "about" in every message),
        so a server that quotes one back (an SMTP 535 with the AUTH blob) would
        print it. Refusing it before it is sent keeps the promise that secrets
        are never printed; a secret that short is guessed in seconds anyway.
        """
        short = [name for name in names if self._is_secret(name) and 0 < len(self.get(name) or "") < MIN_LENGTH]
        if short:
            raise ConfigError(f"{', '.join(short)}: fewer than {MIN_LENGTH} characters, too short for this tool to "
                              "hide in what it prints (a server's error may quote it back): give the account a "
                              "longer password or key at the service, and set that here")

    def _is_secret(self, name: str) -> bool:
        return (name in SETTINGS and SETTINGS[name].secret) or bool(SECRET_NAME.search(name))

    def secrets(self) -> list[str]:
        return [value for name, value in self.values.items()
                if value and self._is_secret(name)
                and (name in SETTINGS or name.startswith(("NEWSLETTER_", "LISTMONK_", "MAILCHIMP_", "BREVO_")))]

    def redactor(self) -> Redactor:
        return Redactor(self.secrets())


def _refuse_controls(values: Mapping[str, str], environ: Mapping[str, str], dotenv: EnvFile | None) -> None:
    """A ``ConfigError`` for the first declared setting holding a control character (a line break...).

    Every setting is one line: a line break in NEWSLETTER_FROM_NAME would be a
    forged mail header, in a token a broken HTTP header. The message names
    the variable and where it was read (the .env line), never its value,
    which may be a secret.
    """
    for name in SETTINGS:
        value = values.get(name, "")
        found, hidden = first_control(value, multi_line=False), encoded_control(value)
        if found is None and hidden is None:
            continue
        where = (Location("the environment") if name in environ or dotenv is None  # from the environment
                 else dotenv.location(name))
        if found is None:  # the value is not echoed: it may be a secret, and the encoded word is part of it
            raise ConfigError(diagnostics=[Diagnostic(
                where, f"contains {hidden[1]} written as MIME encoded text (=?...?=); a setting is one line "
                "of text", name, "remove the =?...?= part and write the text itself")])
        code = f"U+{ord(value[found[0]]):04X}"
        raise ConfigError(diagnostics=[Diagnostic(
            where, f"contains {found[1]} ({code}); a setting is one line of text", name,
            "remove it; in .env, check the quotes and \\n escapes of that line")])


class AddressError(ValueError):
    """Not one valid email address; the message says why in plain words."""


def email_address(text: str) -> str:
    """``text`` as one email address, normalized (domain lowercased); ``AddressError`` otherwise.

    email-validator's syntax rules (RFC 5321/5322, internationalized
    addresses allowed), no DNS lookups: ``a@b..c``, two addresses in one
    entry and "Name <a@b.org>" are refused.
    """
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise AddressError(f"{text!r} is not one email address: {exc}") from None


def email_addresses(items: Iterable[str], where: str, error: type[NewsletterError] = ConfigError,
                    hint: str = "") -> list[str]:
    """Each of ``items`` as one normalized address, duplicates dropped (first kept); every bad one named."""
    found: list[str] = []
    problems: list[str] = []
    for item in items:
        try:
            address = email_address(item)
        except AddressError as exc:
            problems.append(str(exc))
            continue
        if address not in found:  # local parts are case-sensitive (RFC 5321): Ann@ and ann@ both stay
            found.append(address)
    if problems:
        raise error(f"{where}: {'; '.join(problems)}{f' ({hint})' if hint else ''}")
    return found


def _dotenv_folders(project_root: Path | None) -> list[Path]:
    """Where ``.env`` is read: the project root only, or the working folder when no root is known.

    The working folder used to follow the project root: a project without a
    ``.env`` then sent with the provider and list of whatever folder the
    command ran in (a tester's ``send ../p8/issues/X.yaml --now`` took the
    Listmonk list of the folder's own ``.env``). Settings belong to the
    project, as the README says. Without a root (``redact()`` outside any
    issue) the working folder is all there is, and ``find_project_root``
    makes it the root of a command run outside any project.
    """
    return [project_root if project_root is not None else Path.cwd()]


def redact(text: str, config: Config | None = None) -> str:
    """``text`` with every secret of ``config`` (default: the environment) replaced."""
    return (config or Config.load(strict=False)).redactor()(text)


def env_example() -> str:
    """The text of ``.env.example``, generated from ``SETTINGS`` (a test compares them)."""
    lines = ["# Copy to .env (git-ignored) and fill in. Every setting can also come from the",
             "# environment. With none of them set, sends go to the local outbox."]
    group = None
    for setting in SETTINGS.values():
        if setting.group != group:
            group = setting.group
            lines += ["", f"# --- {group} ---"]
        lines += [f"# {line}" for line in textwrap.wrap(setting.comment, 86)]
        lines.append(f"{setting.name}={'' if setting.secret else (setting.default or '')}")
    return "\n".join(lines) + "\n"
