"""One issue slug, different lists: a campaign for other lists is not ours (bug: "already sent" to a list
that never got the issue).

The campaign name and tag hold only the slug, so a second project, or this one after its LIST_IDS
changed, finds the first one's campaign by name. It must send to its own lists once, and never
resend to a list that already has the issue. Through the real CLI, against the fakes.
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import BrevoFake, ListmonkFake, MailchimpFake
from fakes.harness import content, provider_for
from fakes.targets import FakeTarget
from shared import SEED_IN_PROJECT

from newsletter_pipeline.errors import ProviderError
from send.contract import BASE_ENV

# provider -> (the fake with two lists, the setting naming the lists, list A, list B)
TWO_LISTS = {
    "listmonk": (lambda: ListmonkFake(lists={1: "Project A", 2: "Project B"}), "LISTMONK_LIST_IDS", "1", "2"),
    "brevo": (lambda: BrevoFake(lists={7: "Project A", 9: "Project B"}), "BREVO_LIST_IDS", "7", "9"),
    "mailchimp": (lambda: MailchimpFake(lists={"aaaa1111": ["editor@example.org"],
                                               "bbbb2222": ["editor@example.org"]}),
                  "MAILCHIMP_LIST_ID", "aaaa1111", "bbbb2222"),
}


@pytest.fixture(params=list(TWO_LISTS))
def two(request) -> Iterator[tuple[FakeTarget, str, str, str]]:
    make, setting, first, second = TWO_LISTS[request.param]
    with make() as fake:
        yield FakeTarget(fake), setting, first, second


@pytest.fixture
def send(make_project, run_cli):
    project = make_project(seed=True)

    def run(target: FakeTarget, *args: str, **env: str):
        return run_cli("send", SEED_IN_PROJECT, "--provider", target.provider, *args, cwd=project,
                       env={**BASE_ENV, **target.env, **env}, timeout=60)

    run.project = project  # type: ignore[attr-defined]
    return run


def ok(result) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_other_lists_get_their_own_campaign_once(two, send):
    target, setting, first, second = two
    ok(send(target, "--now", "--yes", **{setting: first}))
    (a,) = target.campaigns()
    # the tester's case: the test send was refused as "campaign 1 is already sent"
    ok(send(target, "--test", "--to", target.test_recipient, **{setting: second}))
    out = ok(send(target, "--now", "--yes", **{setting: second}))
    assert "already sent" not in out and "sent to the list" in out
    assert len(target.campaigns()) == 2 and target.list_sends() == 2
    (b,) = [c for c in target.campaigns() if c.id != a.id]
    assert b.id in out
    for lists, campaign in ((first, a), (second, b)):  # each list again: nothing more
        again = ok(send(target, "--now", "--yes", **{setting: lists}))
        assert "already sent" in again and campaign.id in again
    assert len(target.campaigns()) == 2 and target.list_sends() == 2


@pytest.mark.parametrize("crash", ["before:created", "after:send_requested", "before:sent"])
def test_killed_send_to_other_lists_resumes_once(two, send, crash):
    """The second list's campaign is found again by name among the first's, without the ledger's id."""
    target, setting, first, second = two
    ok(send(target, "--now", "--yes", **{setting: first}))
    killed = send(target, "--now", "--yes", **{setting: second, "NEWSLETTER_TEST_CRASH_AT": crash})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    shutil.rmtree(send.project / ".newsletter")  # a lost ledger too: only the provider's lists can tell
    out = ok(send(target, "--now", "--yes", **{setting: second}))
    assert len(target.campaigns()) == 2 and target.list_sends() == 2
    assert "already sent" in ok(send(target, "--now", "--yes", **{setting: first}))
    assert target.list_sends() == 2, out


@pytest.mark.parametrize("provider", ["listmonk", "brevo"])
def test_lists_that_share_a_list_with_a_sent_campaign_are_refused(provider, send):
    """LIST_IDS grew from A to A,B: a new campaign would give A the issue twice, so nothing is sent."""
    make, setting, first, second = TWO_LISTS[provider]
    with make() as fake:
        target = FakeTarget(fake)
        ok(send(target, "--now", "--yes", **{setting: first}))
        refused = send(target, "--now", "--yes", **{setting: f"{first},{second}"})
        assert refused.returncode == 3, refused.stdout + refused.stderr
        assert f"share {first}" in refused.stderr and setting in refused.stderr
        assert len(target.campaigns()) == 1 and target.list_sends() == 1


@pytest.mark.parametrize("provider", ["listmonk", "brevo"])
def test_a_draft_for_shared_lists_is_not_ours_and_not_in_the_way(provider, tmp_path):
    """Another project's draft (nobody has the issue yet) neither blocks us nor gets our content."""
    make, setting, first, second = TWO_LISTS[provider]
    with make() as fake:
        other = provider_for(fake, tmp_path / "a", **{setting: f"{first},{second}"})
        other.test_send(content(), ["editor@example.org"])  # creates their draft
        sent = provider_for(fake, tmp_path / "b", **{setting: first}).list_send(content(), None)
        assert not sent.already and len(fake.campaigns) == 2 and len(fake.list_sends) == 1
        # theirs now overlaps a sent campaign: refused, not sent to list `first` again
        with pytest.raises(ProviderError, match="a second time"):
            provider_for(fake, tmp_path / "a", **{setting: f"{first},{second}"}).list_send(content(), None)
        assert len(fake.list_sends) == 1


def test_fakes_report_each_campaigns_lists_like_the_real_apis():
    """What ``find_campaign`` relies on: the listing carries the lists (listmonk: query-campaigns'
    ``lists`` of ``{id, name}``; brevo: getEmailCampaigns' ``recipients.lists``)."""
    with ListmonkFake() as fake:
        provider = provider_for(fake, Path("/nonexistent"), LISTMONK_LIST_IDS="2")
        created = provider.create_campaign(content(), "x [newsletter-pipeline]", "nlp-x")
        assert created.lists == frozenset({"2"})
        assert provider.find_campaign("x [newsletter-pipeline]", "nlp-x").lists == frozenset({"2"})
    with BrevoFake(lists={7: "A", 9: "B"}) as fake:
        provider = provider_for(fake, Path("/nonexistent"), BREVO_LIST_IDS="9")
        made = provider.create_campaign(content(), "x [newsletter-pipeline]", "nlp-x")
        assert provider.get_campaign(made.id).lists == frozenset({"9"})
        assert provider.find_campaign("x [newsletter-pipeline]", "nlp-x").lists == frozenset({"9"})
