"""The outbox: real .eml files that parse and match the SMTP message structure; a fresh clone works."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
from pathlib import Path

from shared import FIXTURE_PROJECT, REPO, SEED_IN_PROJECT, SEED_SLUG, clean_env

from newsletter_pipeline.models import UNSUBSCRIBE_PLACEHOLDER
from newsletter_pipeline.providers.outbox import LIST_RECIPIENT, PLACEHOLDER_RECIPIENT

CLEAN_ENV = clean_env()


def parse(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[return-value]


def fresh_clone(tmp_path: Path) -> Path:
    """The files a clone has (no .env, no outbox, no ledger)."""
    root = tmp_path / "clone"
    shutil.copytree(FIXTURE_PROJECT, root)  # newsletter.yaml and issues/
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def test_fresh_clone_test_send_writes_eml_to_outbox(tmp_path, run_cli):
    root = fresh_clone(tmp_path)
    result = run_cli("send", SEED_IN_PROJECT, "--test", cwd=root, env=CLEAN_ENV)
    assert result.returncode == 0, result.stderr
    path = root / "outbox" / SEED_SLUG / f"{PLACEHOLDER_RECIPIENT}.eml"
    assert str(path) in result.stdout
    assert [p.name for p in (root / "outbox" / SEED_SLUG).iterdir()] == [path.name]
    message = parse(path)
    assert message["To"] == PLACEHOLDER_RECIPIENT and message["Subject"] == "[TEST] One year of AI4Media"
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    # no unsubscribe URL configured: a mailto: to the sender, in the header and the body
    assert message["List-Unsubscribe"] == "<mailto:newsletter@ai4media.eu?subject=unsubscribe>"
    assert message["List-Unsubscribe-Post"] is None
    html = message.get_body(("html",)).get_content()
    assert UNSUBSCRIBE_PLACEHOLDER not in html and "mailto:newsletter@ai4media.eu?subject=unsubscribe" in html
    assert not (root / ".newsletter").exists()  # test sends need no ledger in the outbox


def test_one_file_per_recipient_with_their_own_to(tmp_path, run_cli, make_project):
    project = make_project(seed=True)
    env = {**CLEAN_ENV, "NEWSLETTER_TEST_RECIPIENTS": "ann@example.org,bob@example.org",
           "NEWSLETTER_LIST_UNSUBSCRIBE": "https://example.org/u", "NEWSLETTER_FROM_NAME": "Ünïcode Desk",
           "NEWSLETTER_FROM_EMAIL": "desk@example.org", "NEWSLETTER_OUTBOX_DIR": str(tmp_path / "mail")}
    result = run_cli("send", SEED_IN_PROJECT, "--test", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "mail" / SEED_SLUG).glob("*.eml"))
    assert [f.name for f in files] == ["ann@example.org.eml", "bob@example.org.eml"]
    ids = set()
    for path, who in zip(files, ["ann@example.org", "bob@example.org"], strict=True):
        raw = path.read_bytes()
        assert max(len(line) for line in raw.split(b"\r\n")) <= 78
        message = parse(path)
        assert message["To"] == who
        assert str(message["From"]) == "Ünïcode Desk <desk@example.org>"
        assert b"=?utf-8?" in raw.split(b"\r\n\r\n")[0]  # the non-ASCII name is RFC 2047 encoded
        # the https URL for one-click, and a mailto: to the sender for clients without it
        assert message["List-Unsubscribe"] == "<https://example.org/u>, <mailto:desk@example.org?subject=unsubscribe>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert 'href="https://example.org/u"' in message.get_body(("html",)).get_content()
        ids.add(message["Message-ID"])
    assert len(ids) == 2


def test_list_send_is_recorded_like_a_provider(tmp_path, run_cli, make_project):
    project = make_project(seed=True)
    result = run_cli("send", SEED_IN_PROJECT, "--now", "--yes", cwd=project, env=CLEAN_ENV)
    assert result.returncode == 0, result.stderr
    assert f"campaign outbox-{SEED_SLUG}" in result.stdout
    list_copy = parse(project / "outbox" / SEED_SLUG / "list.eml")
    assert list_copy["To"] == LIST_RECIPIENT and list_copy["Subject"] == "One year of AI4Media"
    [record_path] = (project / ".newsletter" / "sends").glob("*.json")
    record = json.loads(record_path.read_text())
    assert record["provider"] == "outbox" and record["campaign_id"] == f"outbox-{SEED_SLUG}"
    assert [s["step"] for s in record["steps"]] == ["created", "content", "send_requested", "sent"]
    again = run_cli("send", SEED_IN_PROJECT, "--now", "--yes", cwd=project, env=CLEAN_ENV)
    assert again.returncode == 0 and f"already sent: campaign outbox-{SEED_SLUG}" in again.stdout


def test_dry_run_writes_nothing(tmp_path, run_cli, make_project):
    project = make_project(seed=True)
    result = run_cli("send", SEED_IN_PROJECT, "--test", "--to", "ann@example.org", "--dry-run", cwd=project,
                     env=CLEAN_ENV)
    assert result.returncode == 0, result.stderr
    assert "recipients: ann@example.org" in result.stdout and "[TEST] One year of AI4Media" in result.stdout
    assert not (project / "outbox").exists() and not (project / ".newsletter").exists()


def test_an_outbox_folder_that_cannot_be_written_names_the_setting_to_change(tmp_path, run_cli, make_project):
    """It said "choose another --out", which send does not take: the outbox is NEWSLETTER_OUTBOX_DIR."""
    project = make_project(seed=True)
    (project / "a-file").write_text("in the way\n", encoding="utf-8")
    result = run_cli("send", SEED_IN_PROJECT, "--test", cwd=project,
                     env={**CLEAN_ENV, "NEWSLETTER_OUTBOX_DIR": "a-file"})
    assert result.returncode == 4 and "Traceback" not in result.stderr, result.stderr
    assert ("error: cannot write here: a file is in the way where a folder should be (remove that file, or set "
            "NEWSLETTER_OUTBOX_DIR to another folder; nothing was changed there)") in result.stderr
    assert "--out" not in result.stderr


def test_an_address_of_the_longest_valid_length_gets_its_own_file(tmp_path, run_cli, make_project):
    """A 254-character address (valid) made a file name past the file system's 255 bytes: exit 4."""
    project = make_project(seed=True)
    long_one = "a" * 64 + "@" + ".".join(["b" * 63, "c" * 63, "d" * 57]) + ".org"
    other = long_one.replace("d" * 57, "e" * 57)
    assert len(long_one) == 254
    result = run_cli("send", SEED_IN_PROJECT, "--test", "--to", f"{long_one},{other},{long_one.upper()}",
                     cwd=project, env={**CLEAN_ENV, "NEWSLETTER_OUTBOX_DIR": str(tmp_path / "mail")})
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "mail" / SEED_SLUG).glob("*.eml"))
    assert len(files) == 3 and all(len(f.name) <= 200 for f in files)
    assert sorted(str(parse(f)["To"]).lower() for f in files) == sorted([long_one, long_one, other])  # domains lowercased


def test_to_given_twice_sends_to_both(tmp_path, run_cli, make_project):
    """The second --to replaced the first, silently; the README calls it repeatable."""
    project = make_project(seed=True)
    result = run_cli("send", SEED_IN_PROJECT, "--test", "--to", "ann@example.org", "--to", "bob@example.org,cy@example.org",
                     cwd=project, env={**CLEAN_ENV, "NEWSLETTER_OUTBOX_DIR": str(tmp_path / "mail")})
    assert result.returncode == 0, result.stderr
    assert sorted(f.name for f in (tmp_path / "mail" / SEED_SLUG).glob("*.eml")) == [
        "ann@example.org.eml", "bob@example.org.eml", "cy@example.org.eml"]


def test_a_campaign_shown_as_a_draft_after_the_ledger_saw_it_sent_is_not_sent_again(run_cli, make_project):
    """The provider's state won over the ledger's: a campaign.json edited back to "draft" sent the list twice."""
    project = make_project(seed=True)
    assert run_cli("send", SEED_IN_PROJECT, "--now", "--yes", cwd=project, env=CLEAN_ENV).returncode == 0
    campaign = project / "outbox" / SEED_SLUG / "campaign.json"
    data = json.loads(campaign.read_text(encoding="utf-8"))
    campaign.write_text(json.dumps({**data, "status": "draft"}), encoding="utf-8")
    list_copy = project / "outbox" / SEED_SLUG / "list.eml"
    before = list_copy.stat().st_mtime_ns
    again = run_cli("send", SEED_IN_PROJECT, "--now", "--yes", cwd=project, env=CLEAN_ENV)
    assert again.returncode == 3 and "Traceback" not in again.stderr
    assert f"says campaign outbox-{SEED_SLUG} was sent, but the provider shows it as a draft; refusing to send " \
           "again" in again.stderr
    assert list_copy.stat().st_mtime_ns == before
