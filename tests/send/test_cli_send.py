"""``newsletter send`` options, confirmation, CI guard, .env and exit codes (through the real CLI)."""

from __future__ import annotations

import os
import pty
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shared import SEED_IN_PROJECT, SEED_SLUG, clean_env, newsletter_command

CLEAN_ENV = clean_env()


@pytest.fixture
def project(make_project) -> Path:
    return make_project(seed=True)


def send(run_cli, project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli("send", *args, cwd=project, env={**CLEAN_ENV, **env}, timeout=60)


def nothing_sent(project: Path) -> bool:
    return not (project / "outbox").exists() and not (project / ".newsletter").exists()


@pytest.mark.parametrize("args, message", [
    ([SEED_IN_PROJECT], "choose one of --test, --schedule DATETIME or --now"),
    ([SEED_IN_PROJECT, "--test", "--now"], "got --test and --now"),
    ([SEED_IN_PROJECT, "--now", "--to", "a@example.org", "--yes"], "--to is only for --test"),
    ([SEED_IN_PROJECT, "--test", "--to", "not-an-address"], "'not-an-address' is not one email address"),
    ([SEED_IN_PROJECT, "--test", "--to", ""], "--to '' names no address: give one, e.g. --to a@x.org"),
    ([SEED_IN_PROJECT, "--test", "--to", " , "], "--to ' , ' names no address"),
    ([SEED_IN_PROJECT, "--schedule", "2099-01-01 09:00", "--yes"], "add a time zone"),
    ([SEED_IN_PROJECT, "--schedule", "next tuesday", "--yes"], "not an ISO 8601 date and time"),
    ([SEED_IN_PROJECT, "--schedule", "2001-01-01T09:00:00Z", "--yes"], "that time has passed"),
    ([SEED_IN_PROJECT, "--test", "--provider", "carrier-pigeon"], "unknown provider 'carrier-pigeon'"),
    (["issues/2021-12-missing.yaml", "--test"], "issue file not found"),
])
def test_usage_errors_exit_2_and_send_nothing(run_cli, project, args, message):
    result = send(run_cli, project, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert nothing_sent(project)


# settings that let each provider reach its schedule arithmetic (no request is made: --dry-run)
DRY_SETTINGS = {
    "outbox": {},
    "listmonk": {"LISTMONK_URL": "http://127.0.0.1:9", "LISTMONK_USERNAME": "u", "LISTMONK_TOKEN": "listmonk-t0ken",
                 "LISTMONK_LIST_IDS": "1"},
    "mailchimp": {"MAILCHIMP_API_KEY": "f00dfeed-us21", "MAILCHIMP_LIST_ID": "a1b2c3"},
    "brevo": {"BREVO_API_KEY": "xkeysib-t3st", "BREVO_LIST_IDS": "7"},
}


@pytest.mark.parametrize("provider", list(DRY_SETTINGS))
@pytest.mark.parametrize("when", ["9999-12-31T23:50:00+00:00", "9999-12-31T23:00:00-05:00", "2300-01-01T09:00Z"])
def test_schedule_too_far_ahead_is_a_usage_error(run_cli, project, provider, when):
    """Rounding 9999-12-31T23:50Z up to a quarter hour (mailchimp), or converting a time near the end of
    year 9999 to UTC (mailchimp, brevo), was an OverflowError: exit 70, even with --dry-run."""
    for extra in (["--dry-run"], []):
        result = send(run_cli, project, SEED_IN_PROJECT, "--schedule", when, "--yes", "--provider", provider,
                      *extra, **DRY_SETTINGS[provider])
        assert result.returncode == 2, result.stdout + result.stderr
        assert f"--schedule {when!r}: more than 10 years ahead" in result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert nothing_sent(project)


def test_schedule_just_under_10_years_ahead_is_accepted(run_cli, project):
    when = (datetime.now(UTC) + timedelta(days=3652)).replace(microsecond=0).isoformat()
    result = send(run_cli, project, SEED_IN_PROJECT, "--schedule", when, "--yes", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_invalid_issue_exits_1_with_its_location(run_cli, make_project):
    project = make_project({"issues/2021-12-bad.yaml": "subject: Bad\ndate: 2021-12-15\nlanguag: en\nblocks: []\n"})
    result = send(run_cli, project, "issues/2021-12-bad.yaml", "--test")
    assert result.returncode == 1
    assert "issues/2021-12-bad.yaml:3:1" in result.stderr
    assert nothing_sent(project)


def test_list_send_without_terminal_or_yes_is_refused(run_cli, project):
    result = send(run_cli, project, SEED_IN_PROJECT, "--now")
    assert result.returncode == 2 and "pass --yes" in result.stderr
    assert nothing_sent(project)


def test_ci_refuses_unless_allowed(run_cli, project):
    refused = send(run_cli, project, SEED_IN_PROJECT, "--now", "--yes", CI="true")
    assert refused.returncode == 2 and "NEWSLETTER_ALLOW_CI_LIST_SEND=1" in refused.stderr
    assert nothing_sent(project)
    allowed = send(run_cli, project, SEED_IN_PROJECT, "--now", "--yes", CI="true", NEWSLETTER_ALLOW_CI_LIST_SEND="1")
    assert allowed.returncode == 0, allowed.stderr
    assert (project / "outbox" / SEED_SLUG / "list.eml").is_file()


def test_ci_still_allows_test_sends_and_dry_runs(run_cli, project):
    assert send(run_cli, project, SEED_IN_PROJECT, "--test", CI="true").returncode == 0
    assert send(run_cli, project, SEED_IN_PROJECT, "--now", "--dry-run", CI="true").returncode == 0


def on_terminal(project: Path, typed: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI with a pseudo-terminal as stdin and type ``typed``."""
    main, child = pty.openpty()
    try:
        process = subprocess.Popen([*newsletter_command(), "send", SEED_IN_PROJECT, *args],
                                   stdin=child, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   cwd=project, env={**os.environ, **CLEAN_ENV})
        os.close(child)
        os.write(main, (typed + "\n").encode())
        out, err = process.communicate(timeout=60)
    finally:
        os.close(main)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_terminal_confirmation_needs_the_slug(project):
    wrong = on_terminal(project, "yes", "--now")
    assert wrong.returncode == 2 and "did not match" in wrong.stderr
    assert f"Type the issue's slug ({SEED_SLUG})" in wrong.stderr
    assert not (project / "outbox").exists()
    right = on_terminal(project, SEED_SLUG, "--now")
    assert right.returncode == 0, right.stderr
    assert (project / "outbox" / SEED_SLUG / "list.eml").is_file()


def test_settings_come_from_dotenv_and_the_environment_wins(run_cli, project):
    (project / ".env").write_text("NEWSLETTER_TEST_RECIPIENTS=dotenv@example.org\n"
                                  "NEWSLETTER_OUTBOX_DIR=from-dotenv\n")
    env = {k: v for k, v in CLEAN_ENV.items() if k not in ("NEWSLETTER_TEST_RECIPIENTS", "NEWSLETTER_OUTBOX_DIR")}
    clean = {k: v for k, v in os.environ.items() if k not in ("NEWSLETTER_TEST_RECIPIENTS", "NEWSLETTER_OUTBOX_DIR")}
    result = subprocess.run([*newsletter_command(), "send", SEED_IN_PROJECT, "--test"], cwd=project,
                            env={**clean, **env}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (project / "from-dotenv" / SEED_SLUG / "dotenv@example.org.eml").is_file()
    overridden = send(run_cli, project, SEED_IN_PROJECT, "--test", NEWSLETTER_TEST_RECIPIENTS="env@example.org",
                      NEWSLETTER_OUTBOX_DIR="from-env")
    assert overridden.returncode == 0
    assert (project / "from-env" / SEED_SLUG / "env@example.org.eml").is_file()


def test_provider_option_overrides_the_setting(run_cli, project):
    result = send(run_cli, project, SEED_IN_PROJECT, "--test", "--provider", "outbox", NEWSLETTER_PROVIDER="smtp")
    assert result.returncode == 0, result.stderr
    refused = send(run_cli, project, SEED_IN_PROJECT, "--now", "--yes", NEWSLETTER_PROVIDER="smtp")
    assert refused.returncode == 2 and "smtp provider sends test emails only" in refused.stderr


def test_help_lists_every_option(run_cli, project):
    result = run_cli("send", "--help", cwd=project)
    for option in ("--test", "--to", "--schedule", "--now", "--yes", "--dry-run", "--provider"):
        assert option in result.stdout
