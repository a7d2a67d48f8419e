"""The SMTP password and API keys never appear in stdout, stderr (our log), the ledger or the outbox.

On success and on every error path, including ``--debug`` tracebacks. (Each API
provider's own paths are covered by ``contract.SecretsContract``.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shared import SEED_IN_PROJECT, clean_env, free_port

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
