"""Brevo's own rules: api-key header, x-sib-ratelimit-* headers, no plain-text part, verbatim escaping."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from fakes import BrevoFake
from fakes.brevo import render_brevo
from fakes.harness import content, provider_for

from newsletter_pipeline.errors import UsageError
from newsletter_pipeline.providers.brevo import NO_TEXT_NOTE


@pytest.fixture
def fake():
    with BrevoFake(lists={7: "Newsletter", 9: "Partners"}) as server:
        yield server


def later() -> datetime:
    return (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)


def test_every_request_carries_the_api_key_header(fake, tmp_path):
    provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    assert {r.header("api-key") for r in fake.requests} == {fake.api_key}
    assert all("authorization" not in r.headers for r in fake.requests)


def test_payload_has_no_text_part_and_says_so(fake, tmp_path):
    test = provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    sent = provider_for(fake, tmp_path).list_send(content(), None)
    provider = provider_for(fake, tmp_path)
    plan = provider.plan("now", provider.prepare(content()), [], None)
    assert NO_TEXT_NOTE in test.notes and NO_TEXT_NOTE in sent.notes and NO_TEXT_NOTE in plan.notes
    create = next(r.json for r in fake.requests if r.method == "POST" and r.path == "/v3/emailCampaigns")
    assert set(create) == {"name", "tag", "subject", "previewText", "sender", "replyTo", "htmlContent", "recipients"}
    assert create["recipients"] == {"listIds": [7, 9]} and create["replyTo"] == "info@ai4media.eu"
    assert create["sender"] == {"name": "AI4Media", "email": "newsletter@ai4media.eu"}
    assert "{{ unsubscribe }}" in create["htmlContent"]


def test_schedule_is_a_put_of_scheduled_at(fake, tmp_path):
    at = later()
    result = provider_for(fake, tmp_path).list_send(content(), at)
    (campaign,) = fake.campaigns.values()
    assert campaign["status"] == "queued" and datetime.fromisoformat(campaign["scheduledAt"]) == at
    assert result.send_at == at and fake.list_sends == []


def test_reset_header_is_honoured_without_retry_after(fake, tmp_path):
    fake.faults.rate_limit(n=1, reset=0.4, match="POST /v3/emailCampaigns/*/sendNow")
    started = time.monotonic()
    provider_for(fake, tmp_path).list_send(content(), None)
    assert time.monotonic() - started >= 0.4
    assert fake.count("POST", "/emailCampaigns/*/sendNow") == 2 and len(fake.list_sends) == 1


def test_a_real_rate_window_is_waited_out(fake, tmp_path):
    fake.rate_limit(limit=3, window=0.3)  # fewer than a send needs
    started = time.monotonic()
    provider_for(fake, tmp_path, NEWSLETTER_HTTP_ATTEMPTS="4").list_send(content(), None)
    assert len(fake.list_sends) == 1 and len(fake.campaigns) == 1
    assert any(r.status == 429 for r in fake.requests)
    assert time.monotonic() - started >= 0.3


def test_template_syntax_is_wrapped_in_verbatim(fake, tmp_path):
    provider = provider_for(fake, tmp_path)
    html = content().html.replace("Hello from AI4Media.", "Hi {{ contact.FIRSTNAME }} {% if x %}")
    prepared = provider.prepare(content(html=html, subject="Plain subject"))
    assert prepared.subject == "Plain subject"  # nothing to escape: unchanged
    # only the stretch that needs it is wrapped; the unsubscribe tag stays outside
    assert prepared.html.startswith("{% verbatim %}<html>") and prepared.html.count("{% verbatim %}") == 1
    assert '"{% endverbatim %}{{ unsubscribe }}"' in prepared.html
    rendered = render_brevo(prepared.html, {"unsubscribe": "U", "contact": {"FIRSTNAME": "Ada"}})
    assert "Hi {{ contact.FIRSTNAME }} {% if x %}" in rendered and 'href="U"' in rendered


def test_trailing_brace_before_verbatim_end(fake, tmp_path):
    provider = provider_for(fake, tmp_path)
    escaped = provider.escape_template_syntax("<p>{{ a }} and {</p><p>x {</p> }}", html=True)
    assert render_brevo(escaped, {}).replace("&#123;", "{") == "<p>{{ a }} and {</p><p>x {</p> }}"
    subject = provider.escape_template_syntax("Sets {{ like this }} {", html=False)
    assert render_brevo(subject, {}).rstrip() == "Sets {{ like this }} {"


def test_endverbatim_in_content_is_refused_before_any_call(fake, tmp_path):
    html = content().html.replace("Hello from AI4Media.", "{{ x }} {% endverbatim %}")
    with pytest.raises(UsageError, match="endverbatim"):
        provider_for(fake, tmp_path).test_send(content(html=html), ["editor@example.org"])
    assert fake.requests == []


def test_lookup_pages_through_all_statuses(fake, tmp_path):
    for number in range(120):  # others' campaigns, older than ours... and newer
        fake.campaigns[number + 1] = {"id": number + 1, "name": f"other {number}", "tag": "", "status": "sent",
                                      "recipients": {"lists": [7]}}
    provider_for(fake, tmp_path).list_send(content(), None)
    for number in range(121, 240):
        fake.campaigns[number + 1] = {"id": number + 1, "name": f"other {number}", "tag": "", "status": "draft",
                                      "recipients": {"lists": [7]}}
    (tmp_path / ".newsletter").rename(tmp_path / "lost")
    again = provider_for(fake, tmp_path).list_send(content(), None)
    assert again.already and len(fake.list_sends) == 1
    pages = [r.query for r in fake.requests if r.method == "GET" and r.path == "/v3/emailCampaigns"]
    assert all(q["limit"] == ["100"] and "status" not in q for q in pages)
    assert {q["offset"][0] for q in pages} >= {"0", "100", "200"}


def test_a_refused_test_recipient_is_named_with_what_to_do_and_nothing_is_sent(tmp_path):
    """sendTest's 400 sorts refused addresses into unknown, in no list and blocklisted: each is named."""
    with BrevoFake(contacts=["editor@example.org"], blocklisted=["gone@example.org"],
                   unlisted=["loose@example.org"]) as fake:
        with pytest.raises(UsageError) as refused:
            provider_for(fake, tmp_path).test_send(
                content(), ["editor@example.org", "who@example.net", "gone@example.org", "loose@example.org"])
        assert fake.test_messages == []
    words = str(refused.value)
    assert words.startswith("brevo: the test was sent to no one: not in your Brevo contacts (test recipients "
                            "must be contacts: add them): who@example.net; in no contact list (add them to one): "
                            "loose@example.org; blocklisted, as they unsubscribed or were blocked"), words
    assert "editor@example.org" not in words
