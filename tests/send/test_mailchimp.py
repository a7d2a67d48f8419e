"""Mailchimp's own rules: Basic auth and data center, quarter-hour UTC schedules, merge-tag escaping."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fakes import MailchimpFake
from fakes.harness import content, provider_for

from newsletter_pipeline.config import Config
from newsletter_pipeline.errors import ConfigError, ProviderError
from newsletter_pipeline.ledger import Ledger
from newsletter_pipeline.providers.mailchimp import MailchimpProvider

PARIS = timezone(timedelta(hours=2))


@pytest.fixture
def fake():
    with MailchimpFake() as server:
        yield server


def day(offset: int = 2) -> datetime:
    return (datetime.now(UTC) + timedelta(days=offset)).replace(hour=10, minute=0, second=0, microsecond=0)


def test_basic_auth_with_the_key_as_password(fake, tmp_path):
    provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    for request in fake.requests:
        user, _, key = base64.b64decode(request.header("Authorization").split()[1]).decode().partition(":")
        assert user and key == fake.api_key


def test_data_center_comes_from_the_key(tmp_path):
    config = Config({"MAILCHIMP_API_KEY": "0123abcd-us21", "MAILCHIMP_LIST_ID": "x"})
    provider = MailchimpProvider(config, Ledger(tmp_path))
    assert provider.api.base_url == "https://us21.api.mailchimp.com/3.0"
    with pytest.raises(ConfigError, match="data center"):
        MailchimpProvider(Config({"MAILCHIMP_API_KEY": "0123abcd", "MAILCHIMP_LIST_ID": "x"}), Ledger(tmp_path))


@pytest.mark.parametrize(("asked", "expected", "noted"), [
    (datetime(2030, 5, 1, 10, 7, tzinfo=PARIS), datetime(2030, 5, 1, 8, 15, tzinfo=UTC), True),
    (datetime(2030, 5, 1, 8, 15, tzinfo=UTC), datetime(2030, 5, 1, 8, 15, tzinfo=UTC), False),
    (datetime(2030, 5, 1, 10, 30, tzinfo=PARIS), datetime(2030, 5, 1, 8, 30, tzinfo=UTC), False),
    (datetime(2030, 5, 1, 8, 14, 59, 500000, tzinfo=UTC), datetime(2030, 5, 1, 8, 15, tzinfo=UTC), True),
    (datetime(2030, 5, 1, 8, 15, 1, tzinfo=UTC), datetime(2030, 5, 1, 8, 30, tzinfo=UTC), True),
    (datetime(2030, 12, 31, 23, 50, tzinfo=UTC), datetime(2031, 1, 1, 0, 0, tzinfo=UTC), True),
])
def test_schedule_time_rounds_up_to_the_next_quarter_hour_in_utc(tmp_path, asked, expected, noted):
    provider = MailchimpProvider(Config({"MAILCHIMP_API_KEY": "k-us1", "MAILCHIMP_LIST_ID": "x"}), Ledger(tmp_path))
    effective, note = provider.schedule_time(asked)
    assert effective == expected and effective.tzinfo == UTC
    assert (note is not None) == noted
    if noted:
        assert "quarter hour" in note and expected.strftime("%Y-%m-%dT%H:%M:%SZ") in note


def test_off_quarter_schedule_is_rounded_and_said(fake, tmp_path):
    asked = day().astimezone(PARIS).replace(minute=7)
    result = provider_for(fake, tmp_path).list_send(content(), asked)
    (campaign,) = fake.campaigns.values()
    expected = asked.astimezone(UTC).replace(minute=15)
    assert campaign["status"] == "schedule" and datetime.fromisoformat(campaign["send_time"]) == expected
    schedule = next(r.json for r in fake.requests if r.path.endswith("/actions/schedule"))
    assert schedule == {"schedule_time": expected.strftime("%Y-%m-%dT%H:%M:%S+00:00")}
    assert any("quarter hour" in note for note in result.notes)
    assert result.send_at == expected


def test_content_change_while_scheduled_unschedules_edits_and_schedules(fake, tmp_path):
    provider_for(fake, tmp_path).list_send(content(), day())
    fake.requests.clear()
    provider_for(fake, tmp_path).list_send(content(subject="Corrected"), day())
    actions = [r.path.rsplit("/", 1)[-1] for r in fake.requests if r.method != "GET"]
    (campaign,) = fake.campaigns.values()
    assert actions == ["unschedule", campaign["id"], "content", "schedule"]
    assert campaign["status"] == "schedule" and campaign["settings"]["subject_line"] == "Corrected"


def test_reschedule_to_another_time(fake, tmp_path):
    provider_for(fake, tmp_path).list_send(content(), day())
    provider_for(fake, tmp_path).list_send(content(), day() + timedelta(hours=1))
    (campaign,) = fake.campaigns.values()
    assert datetime.fromisoformat(campaign["send_time"]) == day() + timedelta(hours=1)
    assert fake.count("POST", "/campaigns/*/actions/unschedule") == 1


@pytest.mark.parametrize("change", ["content", "time"])
def test_failed_reschedule_says_the_campaign_is_now_an_unscheduled_draft(fake, tmp_path, change):
    """Editing (or moving) a scheduled campaign unschedules it first; a refused schedule then leaves a
    draft that will not go out at the old time, which the bare HTTP 400 did not say."""
    provider_for(fake, tmp_path).list_send(content(), day())
    edited = content(subject="Corrected") if change == "content" else content()
    when = day() if change == "content" else day() + timedelta(hours=1)
    fake.faults.fail(status=400, match="POST /3.0/campaigns/*/actions/schedule", message="Try again later")
    with pytest.raises(ProviderError) as caught:
        provider_for(fake, tmp_path).list_send(edited, when)
    (campaign,) = fake.campaigns.values()
    assert campaign["status"] == "save"
    message = str(caught.value)
    assert caught.value.exit_code == 3
    assert message.startswith(f"mailchimp: campaign {campaign['id']} was unscheduled to be edited and is now "
                              f"a draft: it will NOT go out at {day().isoformat()}; running the same command "
                              "again schedules it\n")
    assert message.endswith("}") and "HTTP 400" in message and "Try again later" in message  # the provider's
    again = provider_for(fake, tmp_path).list_send(edited, when)  # what the message promises
    assert again.status.value == "scheduled" and campaign["status"] == "schedule"
    assert datetime.fromisoformat(campaign["send_time"]) == when and not fake.list_sends


def test_failed_schedule_of_a_draft_says_nothing_about_unscheduling(fake, tmp_path):
    fake.faults.fail(status=400, match="POST /3.0/campaigns/*/actions/schedule", message="Try again later")
    with pytest.raises(ProviderError) as caught:
        provider_for(fake, tmp_path).list_send(content(), day())
    assert str(caught.value).startswith("mailchimp: schedule campaign") and "unscheduled" not in str(caught.value)


def test_payload_shapes(fake, tmp_path):
    provider_for(fake, tmp_path).list_send(content(), None)
    create = next(r.json for r in fake.requests if r.method == "POST" and r.path == "/3.0/campaigns")
    assert create["type"] == "regular" and create["recipients"] == {"list_id": "a1b2c3d4e5"}
    assert create["settings"] == {"title": "2021-12-test-issue [newsletter-pipeline]", "subject_line":
                                  "One year of AI4Media", "preview_text": "Highlights of the year",
                                  "from_name": "AI4Media", "reply_to": "newsletter@ai4media.eu"}
    content_put = next(r.json for r in fake.requests if r.path.endswith("/content"))
    assert "*|UNSUB|*" in content_put["html"] and "*|UNSUB|*" in content_put["plain_text"]
    lookup = next(r for r in fake.requests if r.method == "GET" and r.path == "/3.0/campaigns")
    assert lookup.arg("list_id") == "a1b2c3d4e5" and lookup.arg("count") == "1000"
    assert "campaigns.settings.title" in lookup.arg("fields")
    assert fake.count("GET", "/campaigns/*/send-checklist") == 1


def test_one_address_for_from_and_reply_to_is_said(fake, tmp_path):
    result = provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    assert any("replies go to newsletter@ai4media.eu, not info@ai4media.eu" in note for note in result.notes)
    same = provider_for(fake, tmp_path).test_send(content(reply_to="newsletter@ai4media.eu"), ["a@example.org"])
    assert same.notes == []


def test_merge_tags_in_content_are_not_merged(fake, tmp_path):
    tricky = "Type *|FNAME|* to greet, *|IF:X|* too"
    provider_for(fake, tmp_path).test_send(
        content(html=content().html.replace("Hello from AI4Media.", tricky), text=tricky + " *|UNSUB|*",
                preheader="Preview *|EMAIL|*"), ["editor@example.org"])
    (message,) = fake.test_messages
    assert "&#42;|FNAME|*" in message["html"] and "Editor" not in message["html"]
    assert message["text"].replace("\u200b", "").startswith(tricky)
    assert message["preview_text"].replace("\u200b", "") == "Preview *|EMAIL|*"
    assert "/unsubscribe?" in message["html"]  # the real tag was merged


def test_not_ready_campaign_is_not_sent(fake, tmp_path):
    with pytest.raises(ProviderError, match="not ready to send: From name"):
        provider_for(fake, tmp_path).list_send(content(from_name=""), None)
    assert fake.list_sends == [] and fake.count("POST", "/campaigns/*/actions/send") == 0


def test_retry_after_is_honoured(fake, tmp_path):
    fake.faults.rate_limit(n=1, reset=0.4, match="POST /3.0/campaigns/*/actions/send")
    started = time.monotonic()
    provider_for(fake, tmp_path).list_send(content(), None)
    assert time.monotonic() - started >= 0.4
    assert fake.count("POST", "/campaigns/*/actions/send") == 2 and len(fake.list_sends) == 1
