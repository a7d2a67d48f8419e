"""Listmonk's own rules: token auth, `lists` on every update, Retry-After, Go-template escaping."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from fakes import ListmonkFake
from fakes.harness import content, provider_for

from newsletter_pipeline.errors import ConfigError, ProviderError
from newsletter_pipeline.providers.base import Status


@pytest.fixture
def fake():
    with ListmonkFake(lists={1: "Default list", 3: "Newsletter"}) as server:
        yield server


def when() -> datetime:
    return (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)


def test_every_request_carries_the_token_header(fake, tmp_path):
    provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    assert fake.requests and {r.header("Authorization") for r in fake.requests} == {
        "token api-user:listmonk-secret-token"}


def test_every_update_carries_lists(fake, tmp_path):
    provider = provider_for(fake, tmp_path, LISTMONK_LIST_IDS="1,3")
    provider.test_send(content(), ["editor@example.org"])
    provider_for(fake, tmp_path, LISTMONK_LIST_IDS="1,3").list_send(content(), when())
    provider_for(fake, tmp_path, LISTMONK_LIST_IDS="1,3").list_send(content(subject="Changed"), when())
    updates = [r.json for r in fake.requests if r.method == "PUT" and r.path.count("/") == 3]
    assert len(updates) >= 4  # content for the test, for the list, the send time, the changed content
    assert all(u["lists"] == [1, 3] for u in updates)
    (campaign,) = fake.campaigns.values()
    assert [lst["id"] for lst in campaign["lists"]] == [1, 3] and campaign["subject"] == "Changed"


def test_list_send_payload(fake, tmp_path):
    provider_for(fake, tmp_path).list_send(content(), None)
    create = next(r.json for r in fake.requests if r.method == "POST" and r.path == "/api/campaigns")
    assert create["name"] == "2021-12-test-issue [newsletter-pipeline]" and create["tags"] == ["nlp-2021-12-test-issue"]
    assert create["content_type"] == "html" and create["from_email"] == "AI4Media <newsletter@ai4media.eu>"
    assert create["headers"] == [{"Reply-To": "info@ai4media.eu"}]
    assert "{{ UnsubscribeURL }}" in create["body"] and "{{ UnsubscribeURL }}" in create["altbody"]
    starts = [r.json for r in fake.requests if r.path.endswith("/status")]
    assert starts == [{"status": "running"}]
    (sent,) = fake.list_sends
    assert sent["messages"][0]["html"].count(f"{fake.root}/subscription/") == 1


def test_schedule_sets_send_at_then_status(fake, tmp_path):
    at = when()
    provider_for(fake, tmp_path).list_send(content(), at)
    (campaign,) = fake.campaigns.values()
    assert campaign["status"] == "scheduled"
    assert datetime.fromisoformat(campaign["send_at"]) == at
    calls = [(r.method, r.path, (r.json or {}).get("status")) for r in fake.requests if r.method == "PUT"]
    assert calls[-1] == ("PUT", f"/api/campaigns/{campaign['id']}/status", "scheduled")


def test_campaign_is_found_by_its_tag(fake, tmp_path):
    provider_for(fake, tmp_path).list_send(content(), when())
    (tmp_path / ".newsletter").rename(tmp_path / "lost")
    provider_for(fake, tmp_path).list_send(content(), when())
    lookups = [r.query for r in fake.requests if r.method == "GET" and r.path == "/api/campaigns"]
    assert lookups and all(q["tag"] == ["nlp-2021-12-test-issue"] for q in lookups)
    assert len(fake.campaigns) == 1


def test_retry_after_is_honoured(fake, tmp_path):
    fake.faults.rate_limit(n=2, reset=0.3)
    started = time.monotonic()
    provider_for(fake, tmp_path).list_send(content(), None)
    assert time.monotonic() - started >= 0.6
    limited = [r for r in fake.requests if r.status == 429]
    assert len(limited) == 2 and len(fake.list_sends) == 1


def test_go_template_syntax_is_escaped(fake, tmp_path):
    body = content().html.replace("Hello from AI4Media.", "Use {{ .Subscriber.Name }} and {{ TrackView }}")
    provider = provider_for(fake, tmp_path)
    prepared = provider.prepare(content(html=body))
    assert '{{"{{"}} .Subscriber.Name }}' in prepared.html and "{{ UnsubscribeURL }}" in prepared.html
    provider.test_send(content(html=body, text="Plain {{ x }}"), ["editor@example.org"])
    (message,) = fake.test_messages
    assert "Use {{ .Subscriber.Name }} and {{ TrackView }}" in message["html"]
    assert message["text"] == "Plain {{ x }}"


def test_paused_campaign_is_left_to_a_human(fake, tmp_path):
    provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    (campaign,) = fake.campaigns.values()
    campaign["status"] = "paused"
    with pytest.raises(ProviderError, match="paused"):
        provider_for(fake, tmp_path).list_send(content(), None)
    assert fake.list_sends == [] and campaign["status"] == "paused"


def test_bad_list_ids_setting(fake, tmp_path):
    with pytest.raises(ConfigError, match="LISTMONK_LIST_IDS"):
        provider_for(fake, tmp_path, LISTMONK_LIST_IDS="news,3")
    assert fake.requests == []


def test_test_recipients_are_checked_as_subscribers(fake, tmp_path):
    provider_for(fake, tmp_path).test_send(content(), ["Editor@Example.org"])
    check = next(r for r in fake.requests if r.path == "/api/subscribers")
    assert check.arg("query") == "subscribers.email IN ('editor@example.org')"
    assert [m["to"] for m in fake.test_messages] == ["editor@example.org"]
    assert provider_for(fake, tmp_path).get_campaign("1").status == Status.DRAFT


def test_test_send_carries_what_the_handler_validates(fake, tmp_path):
    """POST .../test binds a fresh campaign: without messenger the real server answers 400 "Unknown messenger ."."""
    provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    test = next(r.json for r in fake.requests if r.path.endswith("/test"))
    assert test["messenger"] == "email" and test["content_type"] == "html" and test["lists"] == [1]
    assert test["name"] == "2021-12-test-issue [newsletter-pipeline]" and test["subject"].startswith("[TEST] ")
    (message,) = fake.test_messages
    assert "Hello from AI4Media." in message["html"] and "Hello from AI4Media." in message["text"]
