"""Fixtures for send tests: a real aiosmtpd server on 127.0.0.1 and certificates made here."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from shared import Recorder, SmtpServer, local_smtp_server

PROXIED_HOST = "news.example.test"  # reserved (RFC 2606): resolves nowhere, so only a test proxy reaches it

# A small valid issue for the send tests that need only something to send
SMALL_ISSUE_NAME = "issues/2021-12-small.yaml"
SMALL_SLUG = "2021-12-small"


def small_issue(subject: str = "A small issue") -> str:
    """One masthead and one editorial under ``subject``: passes every check."""
    return f"""\
subject: {subject}
preheader: "A short issue for the send tests: one masthead, one editorial, nothing more."
date: 2021-12-15
blocks:
  - type: masthead
    title: A small issue
  - type: editorial
    body: "Hello from [AI4Media](https://www.ai4media.eu/)."
"""


@pytest.fixture
def small_project(make_project: Callable[..., Path]) -> Path:
    """A project holding ``small_issue()`` at ``SMALL_ISSUE_NAME``."""
    return make_project({SMALL_ISSUE_NAME: small_issue()})


SMTP_USER = "mailer"
SMTP_PASSWORD = "smtp-pa55word-never-shown"


@dataclass(frozen=True)
class Certs:
    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """A throwaway CA and a certificate for 127.0.0.1 it signed (made here, never fetched)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder = tmp_path_factory.mktemp("certs")
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newsletter-pipeline test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            # the name: the link-check proxy tests reach this server through a proxy by a name only it resolves
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName(PROXIED_HOST)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = Certs(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    paths.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
    return paths


def _authenticator(recorder: Recorder) -> Callable[..., AuthResult]:
    def check(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == SMTP_USER
              and auth_data.password.decode() == SMTP_PASSWORD)
        if ok:
            recorder.logins.append(SMTP_USER)
        return AuthResult(success=ok, handled=False)

    return check


@pytest.fixture
def smtp_server(certs: Certs) -> Iterator[Callable[..., SmtpServer]]:
    """Start aiosmtpd on 127.0.0.1: ``smtp_server(security="none"|"starttls"|"ssl", auth=False, utf8=False,
    **behaviour)``, where ``behaviour`` is the ``Recorder``'s (refuse, drop, close_after, slow)."""
    with ExitStack() as started:

        def start(security: str = "none", auth: bool = False, utf8: bool = False, **behaviour: Any) -> SmtpServer:
            recorder = Recorder(**behaviour)
            options: dict = {"enable_SMTPUTF8": utf8}  # aiosmtpd's default: no SMTPUTF8, as many servers
            if security == "starttls":
                options.update(tls_context=certs.server_context(), require_starttls=True)
            if security == "ssl":
                options.update(ssl_context=certs.server_context())
            if auth:
                options.update(authenticator=_authenticator(recorder), auth_required=True,
                               # aiosmtpd counts only STARTTLS as TLS; implicit TLS is TLS too
                               auth_require_tls=security == "starttls")
            return started.enter_context(local_smtp_server(recorder, security, **options))

        yield start
