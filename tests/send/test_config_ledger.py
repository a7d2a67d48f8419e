"""Settings (.env, missing settings, redaction, .env.example) and the ledger (atomic, located errors)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from shared import REPO

from newsletter_pipeline.config import REDACTED, SETTINGS, Config, Redactor
from newsletter_pipeline.errors import ConfigError, UsageError
from newsletter_pipeline.ledger import Ledger
from newsletter_pipeline.providers import load_provider

SRC = REPO / "src" / "newsletter_pipeline"
SEND_MODULES = [SRC / "config.py", SRC / "ledger.py", SRC / "message.py", SRC / "commands" / "send.py",
                *sorted((SRC / "providers").glob("*.py"))]
TEST_ONLY = {"NEWSLETTER_TEST_CRASH_AT"}  # ledger.py's kill -9 hook, documented there as test-only


def test_every_send_variable_is_declared_and_in_env_example_with_a_comment():
    example = (REPO / ".env.example").read_text().splitlines()
    documented = {}
    for i, line in enumerate(example):
        match = re.match(r"^([A-Z][A-Z0-9_]*)=", line)
        if match:
            documented[match.group(1)] = i > 0 and example[i - 1].startswith("# ")
    used = {name for path in SEND_MODULES
            for name in re.findall(r"\b(?:NEWSLETTER|LISTMONK|MAILCHIMP|BREVO)_[A-Z0-9_]+\b", path.read_text())}
    for name in sorted((used - TEST_ONLY) | set(SETTINGS)):
        assert name in SETTINGS, f"{name} is read but not declared in config.SETTINGS"
        assert documented.get(name), f"{name} is missing from .env.example or has no comment above it"
    assert all(not line.split("=", 1)[1] for line in example
               if "=" in line and not line.startswith("#") and SETTINGS.get(line.split("=")[0], None)
               and SETTINGS[line.split("=")[0]].secret), "secrets must be empty in .env.example"


@pytest.mark.parametrize("provider, setting, value", [("listmonk", "LISTMONK_LIST_IDS", "3, four"),
                                                      ("brevo", "BREVO_LIST_IDS", "7,news")])
def test_list_ids_must_be_numbers(tmp_path, provider, setting, value):
    settings = {"LISTMONK_URL": "https://lists.example.org", "LISTMONK_USERNAME": "api", "LISTMONK_TOKEN": "t0ken",
                "BREVO_API_KEY": "xkeysib-key", setting: value}
    with pytest.raises(ConfigError, match=rf"^{setting}='{value}': list ids are numbers, e\.g\. \d") as caught:
        load_provider(provider, Config(settings), Ledger(tmp_path))
    assert caught.value.exit_code == 2


def test_dotenv_under_environment(tmp_path):
    (tmp_path / ".env").write_text("NEWSLETTER_PROVIDER=smtp\nNEWSLETTER_SMTP_HOST=mail.example.org\n"
                                   "NEWSLETTER_FROM_NAME=\n")
    config = Config.load(tmp_path, environ={"NEWSLETTER_PROVIDER": "outbox"})
    assert config.get("NEWSLETTER_PROVIDER") == "outbox"
    assert config.get("NEWSLETTER_SMTP_HOST") == "mail.example.org"
    assert config.get("NEWSLETTER_FROM_NAME") is None  # empty means unset
    assert config.get("NEWSLETTER_OUTBOX_DIR") == "outbox"  # the declared default
    assert str(tmp_path / ".env") in config.sources


def test_missing_settings_are_all_named_at_once():
    config = Config({"LISTMONK_URL": "https://lists.example.org"})
    with pytest.raises(ConfigError) as caught:
        config.require("LISTMONK_URL", "LISTMONK_USERNAME", "LISTMONK_TOKEN", "LISTMONK_LIST_IDS",
                       purpose="the listmonk provider")
    message = str(caught.value)
    assert message.startswith("the listmonk provider needs LISTMONK_USERNAME, LISTMONK_TOKEN, LISTMONK_LIST_IDS")
    assert "LISTMONK_URL," not in message and ".env" in message and "Listmonk API token" in message
    assert caught.value.exit_code == 2


def test_bad_numbers_are_config_errors():
    with pytest.raises(ConfigError, match="NEWSLETTER_HTTP_ATTEMPTS='many' is not a whole number from 1 to 10"):
        Config({"NEWSLETTER_HTTP_ATTEMPTS": "many"}).whole("NEWSLETTER_HTTP_ATTEMPTS", 1, 10)


def test_redactor_covers_secrets_and_their_encodings():
    config = Config({"BREVO_API_KEY": "xkeysib-abc123/+=", "NEWSLETTER_SMTP_PASSWORD": "p@ss word",
                     "NEWSLETTER_FROM_NAME": "Public Name", "LISTMONK_TOKEN": "ab"})
    redact = config.redactor()
    import base64
    from urllib.parse import quote

    text = (f"key xkeysib-abc123/+= pw p@ss word {quote('p@ss word', safe='')} "
            f"{base64.b64encode(b'xkeysib-abc123/+=').decode()} Public Name ab")
    cleaned = redact(text)
    assert "xkeysib" not in cleaned and "p@ss" not in cleaned and "p%40ss" not in cleaned
    assert "Public Name" in cleaned and cleaned.count(REDACTED) == 4
    assert cleaned.endswith(" ab")  # too short to be a secret: redacting it would shred every message
    assert not Redactor()


def test_ledger_records_steps_atomically(tmp_path):
    ledger = Ledger(tmp_path)
    record = ledger.record("2021-12-x", "listmonk", "lists=1,2")
    assert not record.path.exists()  # reading never writes
    record.step("created", campaign_id=42, campaign_name="n")
    record.step("content", campaign_id=42, content_sha="abc")
    again = ledger.record("2021-12-x", "listmonk", "lists=1,2")
    assert again.campaign_id == "42" and again.content_sha == "abc"
    assert [s["step"] for s in again.steps] == ["created", "content"]
    assert record.path.parent == tmp_path / ".newsletter" / "sends"
    assert [p.name for p in record.path.parent.iterdir()] == [record.path.name]  # no temp files left
    assert ledger.record("2021-12-x", "listmonk", "lists=3").path != record.path  # one record per list
    with pytest.raises(ValueError):
        record.step("teleported")


def test_hand_broken_ledger_is_a_located_usage_error(tmp_path):
    ledger = Ledger(tmp_path)
    path = ledger.path_for("2021-12-x", "outbox", "outbox")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    with pytest.raises(UsageError, match=re.escape(str(path)) + ".*not valid JSON"):
        ledger.record("2021-12-x", "outbox", "outbox")


def test_crash_hook_kills_only_when_asked(tmp_path):
    script = ("import sys; from newsletter_pipeline.ledger import Ledger\n"
              "r = Ledger(sys.argv[1]).record('s', 'p', 'l')\n"
              "r.step('created', campaign_id='1'); r.step('content', content_sha='x'); print('done')\n")
    run = lambda crash: subprocess.run([sys.executable, "-c", script, str(tmp_path / crash.replace(":", "_"))],
                                       env={"NEWSLETTER_TEST_CRASH_AT": crash, "PATH": ""}, capture_output=True,
                                       text=True, timeout=30)
    after = run("after:created")
    assert after.returncode == -9 and "done" not in after.stdout
    saved = json.loads(next((tmp_path / "after_created").rglob("*.json")).read_text())
    assert [s["step"] for s in saved["steps"]] == ["created"]
    before = run("before:created")
    assert before.returncode == -9 and not list((tmp_path / "before_created").rglob("*.json"))
    assert run("").stdout.strip() == "done"


def test_a_secret_echoed_as_html_or_in_capitals_is_redacted_too():
    """Found by trying it: a 403 page that HTML-escaped the token it was sent, or echoed it in capitals,
    printed the token."""
    secret = 'Tok<en>&"SECRET\'zz99'
    redact = Redactor([secret], share=False)
    escaped = secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for shown in (escaped.replace('"', "&quot;").replace("'", "&#x27;"),
                  escaped.replace('"', "&#34;").replace("'", "&#39;"), secret.upper(), secret.lower()):
        cleaned = redact(f"<html><body>Bad token: {shown}</body></html>")
        assert cleaned == f"<html><body>Bad token: {REDACTED}</body></html>", shown
    assert redact("nothing secret here") == "nothing secret here"
