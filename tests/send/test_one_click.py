"""One-click unsubscribe (RFC 8058, issue 15 item 7): what the outbox writes and what ``check`` says per provider."""

from __future__ import annotations

import email
import email.policy

import pytest
from shared import SEED_IN_PROJECT, SEED_SLUG, clean_env

ONE_CLICK = "https://lists.example.org/one-click/ai4media"


def parse(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def test_a_rehearsed_list_send_carries_one_click_with_a_mailto_fallback(tmp_path, run_cli, make_project):
    project = make_project(seed=True)
    env = clean_env(NEWSLETTER_LIST_UNSUBSCRIBE=ONE_CLICK, NEWSLETTER_OUTBOX_DIR=str(tmp_path / "mail"))
    result = run_cli("send", SEED_IN_PROJECT, "--now", "--yes", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    message = parse(tmp_path / "mail" / SEED_SLUG / "list.eml")
    assert message["List-Unsubscribe"] == f"<{ONE_CLICK}>, <mailto:newsletter@ai4media.eu?subject=unsubscribe>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f'href="{ONE_CLICK}"' in message.get_body(("html",)).get_content()  # the body's link is the https one


def test_without_an_https_url_there_is_no_one_click_header(tmp_path, run_cli, make_project):
    project = make_project(seed=True)
    env = clean_env(NEWSLETTER_LIST_UNSUBSCRIBE="mailto:leave@example.org", NEWSLETTER_OUTBOX_DIR=str(tmp_path / "m"))
    result = run_cli("send", SEED_IN_PROJECT, "--test", "--to", "ann@example.org", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    message = parse(tmp_path / "m" / SEED_SLUG / "ann@example.org.eml")
    assert message["List-Unsubscribe"] == "<mailto:leave@example.org>"  # a configured mailto: is not doubled
    assert message["List-Unsubscribe-Post"] is None  # RFC 8058 3.1: one-click needs an https URI


@pytest.mark.parametrize(("env", "said"), [
    ({}, "a list send through outbox (a rehearsal: list.eml) carries List-Unsubscribe: "
         "<mailto:newsletter@ai4media.eu?subject=unsubscribe> only, without one-click unsubscribe"),
    ({"NEWSLETTER_LIST_UNSUBSCRIBE": ONE_CLICK, "NEWSLETTER_FROM_EMAIL": "desk@example.org"},
     f"a list send through outbox (a rehearsal: list.eml) carries List-Unsubscribe: <{ONE_CLICK}>, "
     "<mailto:desk@example.org?subject=unsubscribe> and List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
    ({"NEWSLETTER_PROVIDER": "smtp", "NEWSLETTER_LIST_UNSUBSCRIBE": ONE_CLICK},
     "smtp sends test messages only (a list lives at a provider); they carry List-Unsubscribe: "
     f"<{ONE_CLICK}>, <mailto:newsletter@ai4media.eu?subject=unsubscribe> and List-Unsubscribe-Post"),
    ({"NEWSLETTER_PROVIDER": "listmonk"}, "a list send through listmonk carries Listmonk's own List-Unsubscribe"),
    ({"NEWSLETTER_PROVIDER": "mailchimp"}, "a list send through mailchimp carries Mailchimp's own List-Unsubscribe"),
    ({"NEWSLETTER_PROVIDER": "brevo"}, "a list send through brevo carries Brevo's own List-Unsubscribe"),
    ({"NEWSLETTER_LIST_UNSUBSCRIBE": "http://example.org/u"}, "NEWSLETTER_LIST_UNSUBSCRIBE: http://example.org/u: "
                                                              "use mailto: or https: URLs"),
])
def test_check_says_what_a_list_send_carries(run_cli, make_project, env, said):
    project = make_project(seed=True)
    result = run_cli("check", SEED_IN_PROJECT, cwd=project, env=clean_env(**env))
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("note: list-unsubscribe: ")]
    assert len(notes) == 1 and said in notes[0], result.stderr
    assert "list-unsubscribe" not in result.stdout  # a note, not a finding: --strict is not affected
