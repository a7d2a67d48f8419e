"""The SMTP password and API keys never appear in stdout, stderr (our log), the ledger or the outbox.

On success and on every error path, including ``--debug`` tracebacks. (Each API
provider's own paths are covered by ``contract.SecretsContract``.)
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from shared import SEED_IN_PROJECT, Recorder, clean_env, free_port, local_smtp_server

from newsletter_pipeline.config import REDACTED, Config
from newsletter_pipeline.errors import ConfigError
from newsletter_pipeline.ledger import Ledger
from newsletter_pipeline.providers import load_provider
from newsletter_pipeline.redaction import redact_everywhere

from .conftest import SMTP_PASSWORD, SMTP_USER

API_SECRETS = {"LISTMONK_TOKEN": "lm-token-SECRET-1234", "MAILCHIMP_API_KEY": "0123456789abcdefSECRET-us21",
               "BREVO_API_KEY": "xkeysib-SECRET-98765"}
BASE = clean_env(**API_SECRETS)
SECRETS = [SMTP_PASSWORD, *API_SECRETS.values()]


def assert_nowhere(project: Path, *results) -> None:
    for result in results:
        for secret in SECRETS:
            assert secret not in result.stdout, result.stdout
            assert secret not in result.stderr, result.stderr
    written = [p for p in project.rglob("*") if p.is_file() and p.suffix != ".yaml"]
    for path in written:
        data = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, path


@pytest.fixture
def project(make_project) -> Path:
    return make_project(seed=True)


def smtp_env(server, certs, password: str = SMTP_PASSWORD, **extra: str) -> dict[str, str]:
    return {**BASE, "NEWSLETTER_PROVIDER": "smtp", **server.env(), "NEWSLETTER_SMTP_USERNAME": SMTP_USER,
            "NEWSLETTER_SMTP_PASSWORD": password, "NEWSLETTER_SMTP_CA_FILE": str(certs.ca_file), **extra}


def test_success_paths(run_cli, project, smtp_server, certs):
    server = smtp_server("starttls", auth=True)
    env = smtp_env(server, certs)
    results = [run_cli("send", SEED_IN_PROJECT, "--test", "--to", "a@example.org", cwd=project, env=env),
               run_cli("send", SEED_IN_PROJECT, "--test", "--to", "a@example.org", "--dry-run", cwd=project, env=env),
               run_cli("send", SEED_IN_PROJECT, "--test", "--provider", "outbox", cwd=project, env=env),
               run_cli("send", SEED_IN_PROJECT, "--now", "--yes", "--provider", "outbox", cwd=project, env=env)]
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    assert len(server.recorder.messages) == 1
    assert (project / "outbox").is_dir() and (project / ".newsletter").is_dir()
    assert_nowhere(project, *results)


def test_error_paths(run_cli, project, smtp_server, certs):
    good = smtp_server("starttls", auth=True)
    wrong_password = "wrong-" + SMTP_PASSWORD
    SECRETS.append(wrong_password)
    try:
        cases = {
            "wrong password": smtp_env(good, certs, password=wrong_password),
            "untrusted certificate": smtp_env(good, certs, NEWSLETTER_SMTP_CA_FILE=""),
            "nothing listening": smtp_env(good, certs, NEWSLETTER_SMTP_PORT=str(free_port())),
            "refused recipient": smtp_env(smtp_server("starttls", auth=True, refuse={"a@example.org"}), certs),
        }
        results = [run_cli("send", SEED_IN_PROJECT, "--test", "--to", "a@example.org", cwd=project, env=env)
                   for env in cases.values()]
        assert [r.returncode for r in results] == [3, 3, 3, 3], [r.stderr for r in results]
        assert "refused the login of 'mailer'" in results[0].stderr
        assert "TLS with 127.0.0.1" in results[1].stderr
        assert "cannot connect" in results[2].stderr
        assert "a@example.org: refused: 550" in results[3].stdout
        # --debug shows the traceback, still without the password
        debug = run_cli("--debug", "send", SEED_IN_PROJECT, "--test", "--to", "a@example.org", cwd=project,
                        env=cases["wrong password"])
        assert debug.returncode != 0 and "Traceback" in debug.stderr
        assert_nowhere(project, *results, debug)
    finally:
        SECRETS.remove(wrong_password)


# --- a server that quotes what it received ------------------------------------------------------

QUOTED_PASSWORD = "smtp-pa55'w\\ord=never/shown"  # a quote and a backslash: repr escapes them


def every_form(user: str, password: str) -> list[str]:
    """The password as a server (or a traceback) could echo it, written out independently of the redactor."""
    raw = password.encode()
    return [password, repr(password)[1:-1], repr(raw)[2:-1], quote(password, safe=""),
            base64.b64encode(raw).decode(),  # AUTH LOGIN
            base64.b64encode(f"\0{user}\0{password}".encode()).decode()]  # AUTH PLAIN


class Quoting(Recorder):
    """Answers every AUTH with a 535 that quotes the blob it received and what it decoded."""

    async def handle_AUTH(self, server, session, envelope, args):  # noqa: N802 - aiosmtpd API
        if args[0] == "LOGIN":  # the user came with the command; ask for the password
            received = await server.challenge_auth("Password:")
            blob = base64.b64encode(received).decode()
        else:
            blob = args[1]
        return f"535 5.7.8 rejected {args[0]} {blob} ({base64.b64decode(blob)!r})"


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_535_quoting_the_auth_blob_never_shows_the_password(run_cli, project, certs, mechanism, debug):
    other = {"PLAIN": "LOGIN", "LOGIN": "PLAIN"}[mechanism]
    with local_smtp_server(Quoting(), "starttls", tls_context=certs.server_context(), require_starttls=True,
                           auth_required=True, auth_exclude_mechanism=[other]) as server:
        env = {**BASE, "NEWSLETTER_PROVIDER": "smtp", **server.env(), "NEWSLETTER_SMTP_USERNAME": SMTP_USER,
               "NEWSLETTER_SMTP_PASSWORD": QUOTED_PASSWORD, "NEWSLETTER_SMTP_CA_FILE": str(certs.ca_file)}
        result = run_cli(*(["--debug"] if debug else []), "send", SEED_IN_PROJECT, "--test", "--to",
                         "a@example.org", cwd=project, env=env)
    assert result.returncode == 3, result.stderr
    assert f"535 5.7.8 rejected {mechanism}" in result.stderr  # the server's answer is shown, redacted
    assert ("Traceback" in result.stderr) == debug
    output = result.stdout + result.stderr
    for form in every_form(SMTP_USER, QUOTED_PASSWORD):
        assert form not in output, (form, result.stderr)
    assert not server.recorder.messages


@pytest.mark.parametrize("prefix", ["", "x", "xy", "Authorization: token api-user:"])
def test_one_redactor_covers_every_encoding_of_an_api_key(prefix):
    """What a provider's error body or a traceback may quote: each form is gone, whatever precedes it."""
    key = 'lm-"tok\\en/SECRET+1234'
    redact = Config({"LISTMONK_TOKEN": key}).redactor()
    raw = (prefix + key).encode()
    quoted = [key, repr(key)[1:-1], json.dumps(key)[1:-1], quote(key, safe=""), quote_plus(key),
              base64.b64encode(key.encode()).decode(), base64.b64encode(raw).decode(),
              base64.urlsafe_b64encode(raw).decode()]
    for form in quoted:
        cleaned = redact(f"HTTP 403 {{'got': '{form}'}}")
        assert REDACTED in cleaned and "SECRET" not in cleaned, (form, cleaned)
    assert redact_everywhere(f"later, outside the provider: {key}") == f"later, outside the provider: {REDACTED}"


# --- forms no fixed list of encodings covered, and secrets too short to hide ---------------------

def test_every_mix_of_url_json_and_html_escapes_is_redacted():
    """Found by the tester: ``quote()`` keeps ``/``, and only ``quote(safe="")`` was known, so
    ``pass%20word/1`` was printed. Which characters an encoder escapes is its own choice: PHP's JSON
    writes ``\\/``, Go's ``\\u0026``, requests keeps ``:@+`` in a URL."""
    key = 'pass word/1&<"x">é'
    redact = Config({"LISTMONK_TOKEN": key}).redactor()
    forms = [quote(key), quote_plus(key, safe="/"), quote(key, safe="/ "), quote(key, safe="").lower(),
             json.dumps(key)[1:-1].replace("/", "\\/"), json.dumps(key).replace("&", "\\u0026")[1:-1],
             json.dumps(key, ensure_ascii=False)[1:-1].replace("<", "\\u003C"),
             "pass&#32;word&#x2F;1&amp;&lt;&#34;x&quot;&gt;&#233;", "pass+word%2f1&<\\\"x\\\">%C3%A9"]
    for form in forms:
        assert redact(f"HTTP 403 {{'got': '{form}'}}") == f"HTTP 403 {{'got': '{REDACTED}'}}", form


def test_text_that_only_looks_like_a_secret_is_kept():
    """Against the escapes above matching too much: another word, or less than half of the secret at
    either end (the halves are redacted: see below), stays."""
    redact = Config({"LISTMONK_TOKEN": "pass word/1 and more"}).redactor()
    for text in ["pass wXrd/1 and mXre", "pass%20wor", "passXword/1 and mXre", "pass  word/1 and mo  re",
                 "ass word/1 and mor"]:
        assert redact(text) == text


def test_a_secret_in_hex_base32_quoted_printable_or_cut_to_half_is_redacted():
    """Found by a hostile server answering AUTH with the password in each of these forms."""
    key = "S3cr%41t/+=Zm9v\"x<&>q'z"
    redact = Config({"NEWSLETTER_SMTP_PASSWORD": key}).redactor()
    raw = key.encode()
    import quopri
    for form in [raw.hex(), raw.hex().upper(), base64.b32encode(raw).decode(), quopri.encodestring(raw).decode(),
                 key[:12], key[-12:], "S3cr%41t/+=3DZm9v\"x<&>q'z"]:
        assert REDACTED in redact(f"535 got {form}") and form not in redact(f"535 got {form}"), form
    assert redact("535 got S3cr%41t/+") == "535 got S3cr%41t/+"  # under half (11 of 24 characters) stays


def test_a_secret_reversed_spaced_or_in_utf16_is_redacted():
    """The next hostile server: reversed, a space every 4 characters, spaced or colon hex, UTF-16."""
    key = "S3cretPassw0rdQ9"
    redact = Config({"NEWSLETTER_SMTP_PASSWORD": key}).redactor()
    raw, wide = key.encode(), key.encode("utf-16-le")
    for form in [key[::-1], "S3cr etPa ssw0 rdQ9", " ".join(f"{b:02x}" for b in raw),
                 ":".join(f"{b:02X}" for b in raw), key.encode("utf-16-be").hex(), wide.hex(), repr(wide)[2:-1]]:
        shown = redact(f"535 5.7.8 bad credentials: {form}")
        assert form not in shown and REDACTED in shown, (form, shown)
    assert redact("535 5.7.8 bad credentials: 53 33 63 72") == "535 5.7.8 bad credentials: 53 33 63 72"


SHORT = {"smtp": "NEWSLETTER_SMTP_PASSWORD", "listmonk": "LISTMONK_TOKEN", "mailchimp": "MAILCHIMP_API_KEY",
         "brevo": "BREVO_API_KEY"}


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_an_smtp_password_too_short_to_hide_is_refused_before_connecting(run_cli, project, certs, debug):
    """Found by the tester: NEWSLETTER_SMTP_PASSWORD=Zq9 was printed, and its base64, in a 535 reply."""
    with local_smtp_server(Quoting(), "starttls", tls_context=certs.server_context(), require_starttls=True,
                           auth_required=True) as server:
        env = {**BASE, "NEWSLETTER_PROVIDER": "smtp", **server.env(), "NEWSLETTER_SMTP_USERNAME": SMTP_USER,
               "NEWSLETTER_SMTP_PASSWORD": "Zq9", "NEWSLETTER_SMTP_CA_FILE": str(certs.ca_file)}
        result = run_cli(*(["--debug"] if debug else []), "send", SEED_IN_PROJECT, "--test", "--to",
                         "a@example.org", cwd=project, env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[-1] == (
        "error: NEWSLETTER_SMTP_PASSWORD: fewer than 4 characters, too short for this tool to hide in what it "
        "prints (a server's error may quote it back): give the account a longer password or key at the service, "
        "and set that here")
    for form in ["Zq9", *every_form(SMTP_USER, "Zq9")]:
        assert form not in result.stdout + result.stderr
    assert server.recorder.connections == 0


@pytest.mark.parametrize("provider", sorted(SHORT))
@pytest.mark.parametrize("value", ["x", "ab", "Zq9"])
def test_every_provider_refuses_a_secret_too_short_to_hide(tmp_path, provider, value):
    settings = {"NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_USERNAME": SMTP_USER,
                "NEWSLETTER_SMTP_PASSWORD": SMTP_PASSWORD, "LISTMONK_URL": "https://lists.example.org",
                "LISTMONK_USERNAME": "api", "LISTMONK_LIST_IDS": "3", "MAILCHIMP_LIST_ID": "a1", "BREVO_LIST_IDS": "7",
                **API_SECRETS, SHORT[provider]: value}
    with pytest.raises(ConfigError) as caught:
        load_provider(provider, Config(settings), Ledger(tmp_path))
    assert str(caught.value).startswith(f"{SHORT[provider]}: fewer than 4 characters")
    assert caught.value.exit_code == 2


def test_a_secret_of_four_characters_is_taken_and_redacted(tmp_path):
    """Against the refusal above reaching further than the redactor's limit."""
    provider = load_provider("brevo", Config({"BREVO_API_KEY": "Zq9x", "BREVO_LIST_IDS": "7"}), Ledger(tmp_path))
    assert provider.redactor("key Zq9x, in base64 WnE5eA") == f"key {REDACTED}, in base64 {REDACTED}"
