"""Files of ours edited or damaged by hand, and credentials a protocol cannot carry: a clear error, no traceback.

The ledger record and the outbox's ``campaign.json`` are written atomically,
so anything but their own JSON object means a person (or a disk) changed
them: the send stops with exit 2 naming the file and what to do, and sends
nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from send.conftest import SMALL_ISSUE_NAME, SMALL_SLUG, small_issue
from shared import assert_clean_failure, clean_env

ISSUE, SLUG, SMALL_ISSUE = SMALL_ISSUE_NAME, SMALL_SLUG, small_issue()
LEDGER = f".newsletter/sends/{SLUG}--outbox--outbox.json"
CAMPAIGN = f"outbox/{SLUG}/campaign.json"

DAMAGE = {
    "not JSON": (b'{"slug": "x",\n  "steps": [', "is not valid JSON"),
    "binary": (b"\xff\xfe\x00\x01\x9c", "is not text"),
    "a list": (b"[1, 2]", "holds a JSON list where an object"),
    "a string": (b'"sent"', "holds a JSON string where an object"),
}
LEDGER_SHAPES = {
    "steps not a list": (b'{"steps": "sent"}', "has 'steps' as a string, not a list"),
    "a step of numbers": (b'{"steps": [1]}', "has a step 1 that is not one of"),
    "campaign id a list": (b'{"campaign_id": [1], "steps": []}', "has 'campaign_id' as a list"),
}
CAMPAIGN_SHAPES = {
    "no id": (b'{"name": "n", "status": "draft"}', "has no text 'id'"),
    "odd status": (b'{"id": "outbox-x", "name": "n", "status": "posted"}', "has status 'posted'"),
    "odd time": (b'{"id": "outbox-x", "name": "n", "status": "scheduled", "send_at": "soon"}',
                 "has send_at 'soon'"),
}


@pytest.fixture
def project(small_project: Path) -> Path:
    return small_project


def damage_and_send(run_cli, project: Path, where: str, data: bytes):
    path = project / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    before = files_of(project)
    result = run_cli("send", ISSUE, "--now", "--yes", cwd=project, env=clean_env())
    assert path.read_bytes() == data  # left as it was, for the person to look at
    assert not (project / f"outbox/{SLUG}/list.eml").exists()
    assert files_of(project) == before
    return result


def files_of(project: Path) -> list[Path]:
    """Every file but the send lock (made, and left, by any list send)."""
    return sorted(p.relative_to(project) for p in project.rglob("*")
                  if p.is_file() and ".newsletter/locks" not in p.as_posix())


@pytest.mark.parametrize("case", [*DAMAGE, *LEDGER_SHAPES])
def test_a_damaged_ledger_record_is_named(run_cli, project, case):
    data, problem = {**DAMAGE, **LEDGER_SHAPES}[case]
    result = damage_and_send(run_cli, project, LEDGER, data)
    (line,) = assert_clean_failure(result, 2)
    assert line.startswith(f"error: {project / LEDGER}") and "the send ledger" in line and problem in line
    assert "restore it from a backup" in line and "delete the file" in line


@pytest.mark.parametrize("case", [*DAMAGE, *CAMPAIGN_SHAPES])
def test_a_damaged_outbox_campaign_file_is_named(run_cli, project, case):
    data, problem = {**DAMAGE, **CAMPAIGN_SHAPES}[case]
    result = damage_and_send(run_cli, project, CAMPAIGN, data)
    (line,) = assert_clean_failure(result, 2)
    assert line.startswith(f"error: {project / CAMPAIGN}") and "the outbox campaign file" in line
    assert problem in line


def test_invalid_json_is_located_at_its_line(run_cli, project):
    result = damage_and_send(run_cli, project, LEDGER, DAMAGE["not JSON"][0])
    (line,) = assert_clean_failure(result, 2)
    assert line.startswith(f"error: {project / LEDGER}:2:")


@pytest.mark.parametrize(("provider", "variable", "extra"), [
    ("listmonk", "LISTMONK_TOKEN", {"LISTMONK_URL": "http://127.0.0.1:9", "LISTMONK_USERNAME": "api",
                                    "LISTMONK_LIST_IDS": "1"}),
    ("mailchimp", "MAILCHIMP_API_KEY", {"MAILCHIMP_LIST_ID": "a1"}),
    ("brevo", "BREVO_API_KEY", {"BREVO_LIST_IDS": "1"}),
    ("smtp", "NEWSLETTER_SMTP_PASSWORD", {"NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_PORT": "9",
                                          "NEWSLETTER_SMTP_USERNAME": "mailer"}),
])
def test_a_credential_the_protocol_cannot_carry_is_a_config_error(run_cli, project, provider, variable, extra):
    value = "key-\u2019pasted\u00a0quote-SECRET-us21"  # a typographic quote: not Latin-1, not ASCII
    env = clean_env(NEWSLETTER_PROVIDER=provider, **extra, **{variable: value})
    result = run_cli("send", ISSUE, "--test", "--to", "a@example.org", cwd=project, env=env)
    (line,) = assert_clean_failure(result, 2)
    assert line.startswith(f"error: {variable}: contains a character") and "paste the value again" in line
    assert "SECRET" not in result.stderr and "pasted" not in result.stderr


def test_smtp_login_must_be_ascii(run_cli, project):
    env = clean_env(NEWSLETTER_PROVIDER="smtp", NEWSLETTER_SMTP_HOST="127.0.0.1", NEWSLETTER_SMTP_PORT="9",
                    NEWSLETTER_SMTP_USERNAME="m\u00e4iler", NEWSLETTER_SMTP_PASSWORD="p\u00e4ssword-SECRET")
    result = run_cli("send", ISSUE, "--test", "--to", "a@example.org", cwd=project, env=env)
    (line,) = assert_clean_failure(result, 2)
    assert "NEWSLETTER_SMTP_USERNAME, NEWSLETTER_SMTP_PASSWORD: contains a character" in line and "ASCII" in line
    assert "SECRET" not in result.stderr


@pytest.mark.parametrize("in_the_way, what", [
    (".newsletter", "a file is in the way where a folder should be"),
    (".newsletter/locks", "a file is in the way where a folder should be"),
    (f".newsletter/locks/{SLUG}.lock/", "a folder is in the way where a file should be"),
])
def test_a_send_lock_that_cannot_be_made_is_named_and_nothing_is_sent(run_cli, project, in_the_way, what):
    """Each was an internal error (exit 70): NotADirectoryError, FileExistsError, IsADirectoryError."""
    path = project / in_the_way.rstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    if in_the_way.endswith("/"):
        path.mkdir()
    else:
        path.write_text("mine\n", encoding="utf-8")
    (line,) = assert_clean_failure(run_cli("send", ISSUE, "--now", "--yes", cwd=project, env=clean_env()), 4)
    assert line.startswith(f".newsletter/locks/{SLUG}.lock: error: cannot write here: {what}"), line
    assert "--out" not in line
    assert not (project / "outbox").exists()


def test_a_ledger_record_that_is_a_folder_is_named_as_damaged(run_cli, project):
    (project / LEDGER).mkdir(parents=True)
    (line,) = assert_clean_failure(run_cli("send", ISSUE, "--now", "--yes", cwd=project, env=clean_env()), 2)
    assert "the send ledger is no file" in line and LEDGER in line
    assert not (project / "outbox").exists()


@pytest.mark.parametrize("step, says", [
    ("send_requested", "So nothing was sent: outbox is asked to send only once this record is written"),
    ("sent", "outbox has already sent campaign outbox-7 to the list; only this record of it is missing"),
    ("created", "outbox has already made campaign outbox-7; only this record of it is missing"),
])
def test_a_record_that_cannot_be_written_says_what_the_provider_has_done(tmp_path, step, says):
    """After the list got the email, "nothing was changed there" (of the file) read as "nothing was sent"."""
    from newsletter_pipeline.errors import OutputError
    from newsletter_pipeline.ledger import Record

    (tmp_path / "sends").write_text("a file where the records' folder goes\n", encoding="utf-8")
    record = Record(tmp_path / "sends" / "x.json", "x", "outbox", "outbox", campaign_id="outbox-7")
    with pytest.raises(OutputError) as raised:
        record.step(step)
    message = str(raised.value)
    assert says in message and "--out" not in message
    assert message.startswith(f"{tmp_path / 'sends' / 'x.json'}: error: cannot write here: a file is in the way")
