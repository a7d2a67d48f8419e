"""Each edition goes to its own language's list, once: LISTMONK_LIST_IDS_EL and friends."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import ListmonkFake
from fakes.harness import FAST, settings_for
from shared import SEED, SEED_NAME, SEED_SLUG, assert_clean_failure, clean_env

from newsletter_pipeline.audiences import audience_setting

GREEK_NAME = f"{SEED_SLUG}.el.yaml"
GREEK = (Path(__file__).resolve().parents[1] / "fixtures" / "editions" / GREEK_NAME).read_text("utf-8")


@pytest.fixture
def fake():
    with ListmonkFake(lists={3: "AI4Media Newsletter", 7: "AI4Media Newsletter (Ελληνικά)"}) as server:
        yield server


@pytest.fixture
def project(make_project) -> Path:
    return make_project({f"issues/{SEED_NAME}": SEED.read_text("utf-8"), f"issues/{GREEK_NAME}": GREEK})


def send_now(run_cli, project: Path, fake, issue: str, **env: str):
    values = {**FAST, **settings_for(fake), "NEWSLETTER_PROVIDER": "listmonk", **env}
    return run_cli("send", f"issues/{issue}", "--now", "--yes", cwd=project, env=clean_env(**values), timeout=60)


def campaigns_created(fake) -> int:
    return sum(1 for r in fake.requests if r.method == "POST" and r.path == "/api/campaigns")


def test_both_editions_go_to_their_own_lists_once_each(run_cli, project, fake):
    lists = {"LISTMONK_LIST_IDS": "3", "LISTMONK_LIST_IDS_EL": "7"}
    for issue in (SEED_NAME, GREEK_NAME):
        result = send_now(run_cli, project, fake, issue, **lists)
        assert result.returncode == 0, result.stderr
    assert len(fake.list_sends) == 2 and len(fake.campaigns) == 2
    by_list = {tuple(lst["id"] for lst in c["lists"]): c for c in fake.campaigns.values()}
    assert set(by_list) == {(3,), (7,)}
    assert by_list[(7,)]["subject"] == "Ένας χρόνος AI4Media" and SEED_SLUG + ".el" in by_list[(7,)]["name"]
    assert by_list[(3,)]["subject"] == "One year of AI4Media" and ".el" not in by_list[(3,)]["name"]
    assert "Απεγγραφή" in by_list[(7,)]["body"] and "Απεγγραφή" not in by_list[(3,)]["body"]
    for issue in (SEED_NAME, GREEK_NAME):  # each edition is its own at-most-once send
        again = send_now(run_cli, project, fake, issue, **lists)
        assert again.returncode == 0, again.stderr
        assert "already sent" in again.stdout + again.stderr
    assert len(fake.list_sends) == 2 and len(fake.campaigns) == 2 and campaigns_created(fake) == 2


def test_an_edition_without_its_audience_is_refused_before_anything_is_sent(run_cli, project, fake):
    result = send_now(run_cli, project, fake, GREEK_NAME, LISTMONK_LIST_IDS="3")
    (line,) = assert_clean_failure(result, 2)
    assert "'el' edition has no audience" in line and "LISTMONK_LIST_IDS_EL" in line
    assert fake.requests == [] and not (project / ".newsletter").exists()


def test_the_audience_setting_follows_one_pattern_for_every_provider():
    assert audience_setting("listmonk", "el") == "LISTMONK_LIST_IDS_EL"
    assert audience_setting("mailchimp", "fr") == "MAILCHIMP_LIST_ID_FR"
    assert audience_setting("brevo", "pt-BR") == "BREVO_LIST_IDS_PT_BR"
    assert audience_setting("smtp", "el") is None


def test_mailchimp_and_brevo_editions_follow_the_same_pattern(run_cli, project):
    from fakes import BrevoFake, MailchimpFake

    cases = [(MailchimpFake(lists={"default0001": ["a@ai4media.eu"], "greek00001": ["b@ai4media.eu"]}), "mailchimp",
              {"MAILCHIMP_LIST_ID": "default0001", "MAILCHIMP_LIST_ID_EL": "greek00001"},
              lambda c: c["recipients"]["list_id"]),
             (BrevoFake(lists={7: "Newsletter", 12: "Newsletter (Ελληνικά)"}), "brevo",
              {"BREVO_LIST_IDS": "7", "BREVO_LIST_IDS_EL": "12"}, lambda c: tuple(c["recipients"]["lists"]))]
    for server, name, lists, audience in cases:
        with server as fake:
            values = {**FAST, **settings_for(fake), **lists, "NEWSLETTER_PROVIDER": name}
            for issue in (SEED_NAME, GREEK_NAME):
                result = run_cli("send", f"issues/{issue}", "--now", "--yes", cwd=project, env=clean_env(**values),
                                 timeout=60)
                assert result.returncode == 0, result.stderr
            got = {audience(c): c["subject"] if name == "brevo" else c["settings"]["subject_line"]
                   for c in fake.campaigns.values()}
            default, greek = (("default0001", "greek00001") if name == "mailchimp" else ((7,), (12,)))
            assert got == {default: "One year of AI4Media", greek: "Ένας χρόνος AI4Media"}, (name, got)
