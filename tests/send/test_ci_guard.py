"""The CI guard and the send settings that are numbers of seconds, through the real CLI.

Found by a tester: the guard asked ``CI`` only (``GITHUB_ACTIONS=true`` with
``CI`` unset sent to the list), took ``NEWSLETTER_ALLOW_CI_LIST_SEND=yes`` for
``=1``, and ``NEWSLETTER_SEND_LOCK_TIMEOUT=-5`` (which filelock reads as "wait
forever"), ``nan`` or ``1e400`` were accepted without a word.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from shared import SEED_IN_PROJECT, SEED_SLUG, assert_clean_failure, clean_env, free_port


@pytest.fixture
def project(make_project) -> Path:
    return make_project(seed=True)


def send(run_cli, project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli("send", SEED_IN_PROJECT, *args, cwd=project, env=clean_env(**env), timeout=60)


def nothing_sent(project: Path) -> bool:
    return not (project / "outbox").exists() and not (project / ".newsletter").exists()


@pytest.mark.parametrize("env, marker", [
    ({"GITHUB_ACTIONS": "true"}, "GITHUB_ACTIONS=true"),  # CI unset, as the tester had it
    ({"CI": "false", "GITLAB_CI": "true"}, "GITLAB_CI=true"),
    ({"CI": "woodpecker"}, "CI=woodpecker"),  # what Woodpecker CI sets
    ({"CI": "1"}, "CI=1"),
])
def test_every_sign_of_ci_refuses_a_list_send(run_cli, project, env, marker):
    lines = assert_clean_failure(send(run_cli, project, "--now", "--yes", **env), 2)
    assert lines == [f"error: refusing a list send in CI ({marker}); set NEWSLETTER_ALLOW_CI_LIST_SEND=1 to "
                     "allow it"]
    assert nothing_sent(project)


def test_ci_with_the_allowance_sends_and_without_ci_nothing_is_refused(run_cli, project):
    """Against the test above refusing every list send."""
    allowed = send(run_cli, project, "--now", "--yes", GITHUB_ACTIONS="true", NEWSLETTER_ALLOW_CI_LIST_SEND="1")
    assert allowed.returncode == 0, allowed.stderr
    assert (project / "outbox" / SEED_SLUG / "list.eml").is_file()
    again = send(run_cli, project, "--now", "--yes", CI="false", GITHUB_ACTIONS="false",
                 NEWSLETTER_ALLOW_CI_LIST_SEND="0")
    assert again.returncode == 0 and "already sent" in again.stdout, again.stderr


@pytest.mark.parametrize("value", ["yes", "true", "on", "2"])
@pytest.mark.parametrize("ci", ["true", ""])
def test_an_allowance_that_is_not_1_is_refused_saying_to_write_1(run_cli, project, value, ci):
    lines = assert_clean_failure(send(run_cli, project, "--now", "--yes", CI=ci,
                                      NEWSLETTER_ALLOW_CI_LIST_SEND=value), 2)
    assert lines == [f"error: NEWSLETTER_ALLOW_CI_LIST_SEND='{value}' is not 1: write NEWSLETTER_ALLOW_CI_LIST_SEND=1 "
                     "to allow a list send in CI, or remove the setting (never set it in the repository's CI)"]
    assert nothing_sent(project)


LOCK = ("NEWSLETTER_SEND_LOCK_TIMEOUT='{}' is not a number of seconds between 0 (do not wait) and 86,400 (one day): "
        "write the seconds in digits, e.g. NEWSLETTER_SEND_LOCK_TIMEOUT=300")


@pytest.mark.parametrize("value", ["-5", "nan", "1e400", "-inf", "five", "86401"])
@pytest.mark.parametrize("kind", ["--now", "--test"])
def test_a_lock_timeout_that_is_no_number_of_seconds_is_refused(run_cli, project, value, kind):
    args = ["--now", "--yes"] if kind == "--now" else ["--test", "--to", "me@example.org"]
    lines = assert_clean_failure(send(run_cli, project, *args, NEWSLETTER_SEND_LOCK_TIMEOUT=value), 2)
    assert lines == [f"error: {LOCK.format(value)}"]
    assert nothing_sent(project)


@pytest.mark.parametrize("value", ["0", "0.5", "86400"])
def test_a_lock_timeout_of_seconds_is_taken(run_cli, project, value):
    result = send(run_cli, project, "--now", "--yes", NEWSLETTER_SEND_LOCK_TIMEOUT=value)
    assert result.returncode == 0, result.stderr


def _smtp(port: int) -> dict[str, str]:
    return {"NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_PORT": str(port),
            "NEWSLETTER_SMTP_SECURITY": "none"}


def _listmonk(port: int) -> dict[str, str]:
    return {"LISTMONK_URL": f"http://127.0.0.1:{port}", "LISTMONK_USERNAME": "api", "LISTMONK_TOKEN": "t0ken-t0ken",
            "LISTMONK_LIST_IDS": "1"}


@pytest.mark.parametrize("provider, settings, name, value, meant", [
    ("smtp", _smtp, "NEWSLETTER_SMTP_TIMEOUT", "0", "more than 0 and at most"),
    ("smtp", _smtp, "NEWSLETTER_SMTP_TIMEOUT", "nan", "more than 0 and at most"),
    ("listmonk", _listmonk, "NEWSLETTER_HTTP_READ_TIMEOUT", "-1", "more than 0 and at most"),
    ("listmonk", _listmonk, "NEWSLETTER_HTTP_CONNECT_TIMEOUT", "1e400", "more than 0 and at most"),
    ("listmonk", _listmonk, "NEWSLETTER_HTTP_MAX_DELAY", "-0.5", "between 0 (do not wait) and"),
])
def test_a_timeout_that_is_no_number_of_seconds_is_a_configuration_error_not_a_crash(
        run_cli, project, provider, settings, name, value, meant):
    """These were internal errors (exit 70) from socket and requests: ValueError, OverflowError."""
    default = {"NEWSLETTER_SMTP_TIMEOUT": "30", "NEWSLETTER_HTTP_READ_TIMEOUT": "30",
               "NEWSLETTER_HTTP_CONNECT_TIMEOUT": "5", "NEWSLETTER_HTTP_MAX_DELAY": "30"}[name]
    result = send(run_cli, project, "--test", "--to", "me@example.org", "--provider", provider,
                  **settings(free_port()), **{name: value})
    lines = assert_clean_failure(result, 2)
    assert lines == [f"error: {name}='{value}' is not a number of seconds {meant} 86,400 (one day): write the "
                     f"seconds in digits, e.g. {name}={default}"]


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_attempts_that_are_no_number_are_a_configuration_error(run_cli, project, value):
    result = send(run_cli, project, "--test", "--to", "me@example.org", "--provider", "listmonk",
                  **_listmonk(free_port()), NEWSLETTER_HTTP_ATTEMPTS=value)
    assert assert_clean_failure(result, 2) == [f"error: NEWSLETTER_HTTP_ATTEMPTS='{value}' is not a whole number "
                                               "from 1 to 10: write it in digits, e.g. NEWSLETTER_HTTP_ATTEMPTS=4"]
