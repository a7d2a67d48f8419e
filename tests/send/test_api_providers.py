"""Listmonk, Mailchimp and Brevo against their fake APIs: the behaviour they share.

Each test runs once per provider. The fakes are real HTTP servers that keep
a campaign state machine and record every request, so "no duplicate" means
counted create calls and recorded list sends at the provider.
"""

from __future__ import annotations

import html
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from fakes import BrevoFake, ListmonkFake, MailchimpFake
from fakes.harness import content, provider_for, settings_for

from newsletter_pipeline.errors import ConfigError, NewsletterError, ProviderError, UsageError
from newsletter_pipeline.providers.base import ProviderHTTPError, Status

CREATE = {"listmonk": "POST /api/campaigns", "mailchimp": "POST /3.0/campaigns", "brevo": "POST /v3/emailCampaigns"}
SEND = {"listmonk": "PUT /api/campaigns/*/status", "mailchimp": "POST /3.0/campaigns/*/actions/send",
        "brevo": "POST /v3/emailCampaigns/*/sendNow"}
READ = {"listmonk": "GET /api/campaigns/*", "mailchimp": "GET /3.0/campaigns/*",
        "brevo": "GET /v3/emailCampaigns/*"}
SECRET = {"listmonk": "LISTMONK_TOKEN", "mailchimp": "MAILCHIMP_API_KEY", "brevo": "BREVO_API_KEY"}


@pytest.fixture(params=["listmonk", "mailchimp", "brevo"])
def fake(request):
    cls = {"listmonk": ListmonkFake, "mailchimp": MailchimpFake, "brevo": BrevoFake}[request.param]
    with cls() as server:
        server.kind = request.param
        yield server


def creates(fake) -> int:
    method, path = CREATE[fake.kind].split(" ")
    return sum(1 for r in fake.requests if r.method == method and r.path == path)


def tomorrow() -> datetime:
    return (datetime.now(UTC) + timedelta(days=1)).replace(minute=30, second=0, microsecond=0)


def secret_of(fake) -> str:
    return settings_for(fake)[SECRET[fake.kind]]


# --- the at-most-once list send ----------------------------------------------------------------------

def test_send_now_twice_sends_once(fake, tmp_path):
    first = provider_for(fake, tmp_path).list_send(content(), None)
    second = provider_for(fake, tmp_path).list_send(content(), None)
    assert first.status in (Status.QUEUED, Status.SENT) and not first.already
    assert second.already and second.campaign_id == first.campaign_id
    assert "already sent" in second.summary()
    assert len(fake.list_sends) == 1 and len(fake.campaigns) == 1


def test_provider_refuses_a_second_send_itself(fake, tmp_path):
    """The fake's state machine is real: triggering the send again is the provider's own error."""
    provider_for(fake, tmp_path).list_send(content(), None)
    campaign_id = next(iter(fake.campaigns))
    provider = provider_for(fake, tmp_path)
    with pytest.raises(ProviderHTTPError) as caught:
        provider.send_campaign(provider.get_campaign(str(campaign_id)))
    assert caught.value.status == 400
    assert len(fake.list_sends) == 1


def test_schedule_then_run_again_and_reschedule(fake, tmp_path):
    when = tomorrow()
    first = provider_for(fake, tmp_path).list_send(content(), when)
    again = provider_for(fake, tmp_path).list_send(content(), when)
    now = provider_for(fake, tmp_path).list_send(content(), None)
    later = provider_for(fake, tmp_path).list_send(content(), when + timedelta(hours=2))
    assert first.status == Status.SCHEDULED and not first.already
    assert again.already and "already scheduled" in again.summary()
    assert now.already and now.status == Status.SCHEDULED  # --now does not override a schedule
    assert later.status == Status.SCHEDULED and not later.already
    campaign = provider_for(fake, tmp_path).get_campaign(first.campaign_id)
    assert campaign.status == Status.SCHEDULED and abs(campaign.send_at - (when + timedelta(hours=2))) < timedelta(1)
    assert len(fake.campaigns) == 1 and fake.list_sends == []


def test_scheduling_again_updates_the_content(fake, tmp_path):
    when = tomorrow()
    provider_for(fake, tmp_path).list_send(content(), when)
    provider_for(fake, tmp_path).list_send(content(subject="One year of AI4Media (corrected)"), when)
    (stored,) = fake.campaigns.values()
    subject = stored.get("subject") or stored.get("settings", {}).get("subject_line")
    assert subject == "One year of AI4Media (corrected)"
    assert provider_for(fake, tmp_path).get_campaign(str(stored["id"])).status == Status.SCHEDULED


def test_ledger_lost_finds_the_campaign_by_name(fake, tmp_path):
    provider_for(fake, tmp_path).list_send(content(), None)
    shutil.rmtree(tmp_path / ".newsletter")
    again = provider_for(fake, tmp_path).list_send(content(), None)
    assert again.already
    assert creates(fake) == 1 and len(fake.list_sends) == 1


def test_ledger_lost_after_create_reuses_the_draft(fake, tmp_path):
    provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    shutil.rmtree(tmp_path / ".newsletter")
    provider_for(fake, tmp_path).list_send(content(), tomorrow())
    assert creates(fake) == 1 and len(fake.campaigns) == 1


# --- faults: dropped connections, timeouts, 5xx, 429 ----------------------------------------------------

def test_connection_dropped_after_create_does_not_duplicate(fake, tmp_path):
    fake.faults.drop_after_action(match=CREATE[fake.kind])
    provider_for(fake, tmp_path).list_send(content(), None)
    assert len(fake.campaigns) == 1 and len(fake.list_sends) == 1
    assert creates(fake) == 1  # looked up after the drop, never created again


def test_connection_dropped_after_send_does_not_send_twice(fake, tmp_path):
    fake.faults.drop_after_action(match=SEND[fake.kind])
    result = provider_for(fake, tmp_path).list_send(content(), None)
    assert result.status in (Status.QUEUED, Status.SENT)
    assert len(fake.list_sends) == 1
    method, path = SEND[fake.kind].split(" ")
    assert fake.count(method, path.removeprefix(fake.base_path)) == 1  # re-read, not re-sent


def test_read_timeout_on_send_does_not_send_twice(fake, tmp_path):
    fake.faults.delay(1.5, match=SEND[fake.kind])  # the client gives up after 0.5 s
    result = provider_for(fake, tmp_path).list_send(content(), None)
    assert result.status in (Status.QUEUED, Status.SENT)
    assert len(fake.list_sends) == 1


def test_read_timeout_on_create_does_not_duplicate(fake, tmp_path):
    fake.faults.delay(1.5, match=CREATE[fake.kind])
    provider_for(fake, tmp_path).list_send(content(), tomorrow())
    assert len(fake.campaigns) == 1 and creates(fake) == 1


def test_500_before_create_is_retried_after_a_lookup(fake, tmp_path):
    fake.faults.fail(n=1, status=500, match=CREATE[fake.kind])
    provider_for(fake, tmp_path).list_send(content(), None)
    assert creates(fake) == 2 and len(fake.campaigns) == 1 and len(fake.list_sends) == 1


def test_500_on_reads_is_retried(fake, tmp_path):
    provider_for(fake, tmp_path).list_send(content(), tomorrow())
    fake.faults.fail(n=2, status=503, match=READ[fake.kind])
    again = provider_for(fake, tmp_path).list_send(content(), tomorrow())
    assert again.already


def test_persistent_500_fails_with_the_provider_body(fake, tmp_path):
    fake.faults.fail(n=50, status=500, match="GET")
    with pytest.raises(ProviderError) as caught:
        provider_for(fake, tmp_path).list_send(content(), None)
    assert caught.value.exit_code == 3
    assert "HTTP 500" in str(caught.value) and "injected failure" in str(caught.value)
    assert len(fake.requests) == 3  # NEWSLETTER_HTTP_ATTEMPTS, no more
    assert fake.campaigns == {}


def test_429_is_retried_within_the_bound(fake, tmp_path):
    fake.faults.rate_limit(n=2, reset=0.05)
    provider_for(fake, tmp_path).list_send(content(), None)
    assert len(fake.list_sends) == 1
    assert sum(1 for r in fake.requests if r.status == 429) == 2


def test_429_gives_up_after_the_bound(fake, tmp_path):
    fake.faults.rate_limit(n=50, reset=0.01)
    with pytest.raises(ProviderHTTPError) as caught:
        provider_for(fake, tmp_path).list_send(content(), None)
    assert caught.value.status == 429 and len(fake.requests) == 3
    assert fake.campaigns == {}


# --- auth, errors, redaction -----------------------------------------------------------------------------

def test_wrong_credentials_give_the_provider_error_and_no_retry(fake, tmp_path):
    wrong = {"listmonk": {"LISTMONK_TOKEN": "wrong-token-123"}, "mailchimp": {"MAILCHIMP_API_KEY": "wrong-key-us21"},
             "brevo": {"BREVO_API_KEY": "wrong-key-123"}}[fake.kind]
    with pytest.raises(ProviderHTTPError) as caught:
        provider_for(fake, tmp_path, **wrong).list_send(content(), None)
    message = str(caught.value)
    expected = {"listmonk": (403, "invalid API credentials"), "mailchimp": (401, "API Key Invalid"),
                "brevo": (401, "Key not found")}[fake.kind]
    assert caught.value.status == expected[0] and expected[1] in message
    assert next(iter(wrong.values())) not in message
    assert len(fake.requests) == 1  # an auth error is not retried
    assert fake.campaigns == {}


WRONG = {"listmonk": {"LISTMONK_TOKEN": "wrong-token-123"}, "mailchimp": {"MAILCHIMP_API_KEY": "wrong-key-us21"},
         "brevo": {"BREVO_API_KEY": "wrong-key-123"}}
CHECK = {"listmonk": "check LISTMONK_USERNAME and LISTMONK_TOKEN", "mailchimp": "check MAILCHIMP_API_KEY",
         "brevo": "check BREVO_API_KEY"}


def test_a_refused_login_names_the_settings_to_check(fake, tmp_path):
    """Found by the tester: "look the campaign up by tag failed HTTP 403 {"message": "invalid API credentials"}"
    said nothing of which setting was wrong (SMTP names its two)."""
    with pytest.raises(ProviderHTTPError) as caught:
        provider_for(fake, tmp_path, **WRONG[fake.kind]).list_send(content(), None)
    first = str(caught.value).splitlines()[0]
    assert first.startswith(f"{fake.kind}: ") and CHECK[fake.kind] in first, first
    assert caught.value.exit_code == 3 and next(iter(WRONG[fake.kind].values())) not in str(caught.value)


def test_a_refusal_that_is_no_login_problem_names_no_setting(fake, tmp_path):
    """Against the hint above being added to every error."""
    fake.faults.fail(n=1, status=400, match=CREATE[fake.kind], message="bad request")
    with pytest.raises(ProviderHTTPError) as caught:
        provider_for(fake, tmp_path).list_send(content(), None)
    assert "check " not in str(caught.value)


def test_error_bodies_are_redacted(fake, tmp_path):
    secret = secret_of(fake)
    fake.faults.fail(n=1, status=400, match=CREATE[fake.kind], message=f"bad request for key {secret}")
    with pytest.raises(ProviderHTTPError) as caught:
        provider_for(fake, tmp_path).list_send(content(), None)
    message = str(caught.value)
    assert "bad request for key ********" in message and "HTTP 400" in message
    assert secret not in message
    ledger = "".join(p.read_text() for p in (tmp_path / ".newsletter").rglob("*.json"))
    assert secret not in ledger


# --- test sends and content ------------------------------------------------------------------------------

def test_test_send_uses_the_provider_test_endpoint(fake, tmp_path):
    result = provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])  # repeatable
    assert result.recipients == ["editor@example.org"]
    assert [m["to"] for m in fake.test_messages] == ["editor@example.org"] * 2
    assert all(m["subject"] == "[TEST] One year of AI4Media" for m in fake.test_messages)
    assert fake.list_sends == [] and len(fake.campaigns) == 1


TRICKY = ("Write {{ .Subscriber.Name }}, {{ contact.FIRSTNAME }}, {% if x %}, {# note #}, "
          "*|FNAME|* and *|UNSUB|* literally; {{ unsubscribe }} too, and a lone { at the end {")


@pytest.mark.parametrize("where", ["html", "subject"])
def test_template_syntax_in_content_is_delivered_literally(fake, tmp_path, where):
    fields = {"subject": TRICKY} if where == "subject" else {
        "html": content().html.replace("Hello from AI4Media.", TRICKY)}
    provider_for(fake, tmp_path).test_send(content(**fields), ["editor@example.org"])
    (message,) = fake.test_messages
    delivered = html.unescape(message[where]).replace("\u200b", "")
    assert TRICKY.replace("{ at the end {", "") in delivered
    if where == "html":  # and the real unsubscribe tag still works
        assert fake.root in message["html"] and "unsubscribe.newsletter-pipeline.invalid" not in message["html"]


def test_unknown_test_recipients(fake, tmp_path):
    provider = provider_for(fake, tmp_path)
    if fake.kind == "mailchimp":  # Mailchimp test emails go to any address
        provider.test_send(content(), ["stranger@example.net"])
        assert [m["to"] for m in fake.test_messages] == ["stranger@example.net"]
        return
    with pytest.raises((ConfigError, UsageError)) as caught:
        provider.test_send(content(), ["editor@example.org", "stranger@example.net"])
    assert "stranger@example.net" in str(caught.value) and caught.value.exit_code == 2
    assert fake.test_messages == []


def test_missing_settings_are_named_together(fake, tmp_path):
    blank = {name: "" for name in settings_for(fake)}
    with pytest.raises(ConfigError) as caught:
        provider_for(fake, tmp_path, **blank)
    required = {"listmonk": ["LISTMONK_URL", "LISTMONK_USERNAME", "LISTMONK_TOKEN", "LISTMONK_LIST_IDS"],
                "mailchimp": ["MAILCHIMP_API_KEY", "MAILCHIMP_LIST_ID"],
                "brevo": ["BREVO_API_KEY", "BREVO_LIST_IDS"]}[fake.kind]
    assert all(name in str(caught.value) for name in required)
    assert isinstance(caught.value, NewsletterError) and fake.requests == []


def test_dry_run_plan_makes_no_call(fake, tmp_path):
    provider = provider_for(fake, tmp_path)
    plan = provider.plan("now", provider.prepare(content()), [], None)
    assert plan.calls and any("create" in call for call in plan.calls)
    assert fake.requests == []
