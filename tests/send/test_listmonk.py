"""Listmonk's own rules: token auth, `lists` on every update, Retry-After, Go-template escaping."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from fakes import ListmonkFake
from fakes.harness import content, provider_for
from fakes.listmonk import CAMPAIGN_ROLE

from newsletter_pipeline.models import UNSUBSCRIBE_PLACEHOLDER

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


@pytest.mark.parametrize("status", ["paused", "cancelled"])
def test_a_send_stopped_in_listmonk_is_not_called_unsent(fake, tmp_path, status):
    """Started, then paused (too many errors) or cancelled: part of the list may have it; a person decides."""
    provider = provider_for(fake, tmp_path)

    def stopped(reply, **_):
        if reply.request.method == "PUT" and reply.request.url.endswith("/status") and reply.status_code == 200:
            fake.campaigns[1]["status"] = status

    provider.api.session.hooks["response"].append(stopped)
    with pytest.raises(ProviderError, match=f"now {status}: part of the list may have received it") as stop:
        provider.list_send(content(), None)
    assert "has NOT gone out" not in str(stop.value) and "will not send this issue to the list again" in str(stop.value)
    with pytest.raises(ProviderError, match=status):
        provider_for(fake, tmp_path).list_send(content(), None)
    assert len(fake.list_sends) == 1 and fake.campaigns[1]["status"] == status


def test_bad_list_ids_setting(fake, tmp_path):
    with pytest.raises(ConfigError, match="LISTMONK_LIST_IDS"):
        provider_for(fake, tmp_path, LISTMONK_LIST_IDS="news,3")
    assert fake.requests == []


def test_test_recipients_are_checked_as_subscribers(fake, tmp_path):
    provider_for(fake, tmp_path).test_send(content(), ["Editor@Example.org"])
    check = next(r for r in fake.requests if r.path == "/api/subscribers")
    assert check.arg("search") == r"^(editor\@example\.org)$" and check.arg("query") is None
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


# --- the campaign template: Listmonk must send the email as built --------------------------------------

def test_email_goes_out_as_built_not_inside_the_default_template(fake, tmp_path):
    """create-campaign without template_id takes the default template (a 525px box, a second unsubscribe link)."""
    provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    provider_for(fake, tmp_path).list_send(content(), None)
    (test,) = fake.test_messages
    (sent,) = fake.list_sends
    for html in (test["html"], sent["messages"][0]["html"]):
        assert html.startswith("<html><body><p>Hello from AI4Media.</p>") and html.endswith("</body></html>")
        assert "525px" not in html and "View in browser" not in html
        assert html.count(f"{fake.root}/subscription/") == 1
    (ours,) = [t for t in fake.templates.values() if t["name"] == "newsletter-pipeline: the email as built"]
    assert ours["type"] == "campaign" and ours["body"] == '{{ template "content" . }}'
    (campaign,) = fake.campaigns.values()
    assert campaign["template_id"] == ours["id"]
    assert fake.count("POST", "/templates") == 1  # made once, found by its name afterwards


def test_an_old_campaign_in_the_default_template_is_moved_to_ours(fake, tmp_path):
    session = provider_for(fake, tmp_path).api.session  # a draft an earlier version created
    made = session.post(f"{fake.url}/campaigns", json={"name": "2021-12-test-issue [newsletter-pipeline]",
                                                       "subject": "s", "lists": [1], "tags": ["nlp-2021-12-test-issue"],
                                                       "content_type": "html", "body": "<p>old</p>"})
    assert made.json()["data"]["template_id"] == 1  # the default one
    provider_for(fake, tmp_path).list_send(content(), None)
    (sent,) = fake.list_sends
    assert "525px" not in sent["messages"][0]["html"] and fake.campaigns[1]["template_id"] != 1


def test_a_changed_template_of_ours_is_refused_in_plain_words(fake, tmp_path):
    fake.add_template("newsletter-pipeline: the email as built", '<div>{{ template "content" . }}</div>')
    with pytest.raises(ConfigError, match="was changed: its body must be only"):
        provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    assert fake.campaigns == {} and fake.test_messages == []


def test_without_template_permissions_the_message_says_what_to_do(tmp_path):
    with ListmonkFake(permissions=CAMPAIGN_ROLE) as fake:
        with pytest.raises(ConfigError) as refused:
            provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
        assert "templates:get and templates:manage" in str(refused.value)
        assert "LISTMONK_TEMPLATE_ID" in str(refused.value) and "permission denied: templates:get" in str(refused.value)
        assert fake.campaigns == {}  # nothing made before the template is known


def test_template_id_setting_needs_no_template_permission(tmp_path):
    with ListmonkFake(permissions=CAMPAIGN_ROLE) as fake:
        made = fake.add_template("Plain (made by the admin)", '{{ template "content" . }}')
        provider_for(fake, tmp_path, LISTMONK_TEMPLATE_ID=str(made["id"])).list_send(content(), None)
        (sent,) = fake.list_sends
        assert sent["messages"][0]["html"].count(f"{fake.root}/subscription/") == 1
        assert fake.campaigns[1]["template_id"] == made["id"] and fake.count("GET", "/templates") == 0
    with pytest.raises(ConfigError, match="LISTMONK_TEMPLATE_ID"):
        provider_for(fake, tmp_path, LISTMONK_TEMPLATE_ID="4,5")


@pytest.mark.parametrize("kind, body, said", [
    ("tx", '{{ template "content" . }}', "is the tx template"),
    ("campaign", '<div>{{ template "content" . }}</div>', "whose body is more than"),
    (None, "", "Listmonk has no template 99"),
])
def test_a_template_id_setting_that_would_wrap_or_break_the_email_is_refused(fake, tmp_path, kind, body, said):
    """Listmonk takes any id: a tx template wraps the email, a missing one leaves template_id NULL (then a 500)."""
    template_id = fake.add_template("Chosen", body, kind)["id"] if kind else 99
    provider = provider_for(fake, tmp_path, LISTMONK_TEMPLATE_ID=str(template_id))
    with pytest.raises(ConfigError, match=said) as refused:
        provider.list_send(content(), None)
    assert "LISTMONK_TEMPLATE_ID" in str(refused.value) and "Campaigns > Templates" in str(refused.value)
    assert fake.campaigns == {} and fake.list_sends == []


def test_a_template_id_setting_is_checked_once(fake, tmp_path):
    made = fake.add_template("Plain (made by the admin)", '{{ template "content" . }}')
    provider = provider_for(fake, tmp_path, LISTMONK_TEMPLATE_ID=str(made["id"]))
    provider.test_send(content(), ["editor@example.org"])
    provider.list_send(content(), None)
    assert fake.count("GET", f"/templates/{made['id']}") == 1 and len(fake.list_sends) == 1


# --- a campaign deleted in Listmonk: GET answers 400, not 404 -----------------------------------------------

def test_a_draft_deleted_in_listmonk_is_made_again_for_a_test(fake, tmp_path):
    provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    del fake.campaigns[1]  # deleted in Listmonk's UI; the ledger still names it
    provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    assert list(fake.campaigns) == [2] and len(fake.test_messages) == 2
    assert fake.count("GET", "/campaigns/1", status=400) == 1


def test_a_campaign_deleted_after_its_list_send_is_never_sent_again(fake, tmp_path):
    provider_for(fake, tmp_path).list_send(content(), None)
    del fake.campaigns[1]
    with pytest.raises(ProviderError, match="refusing to send again"):
        provider_for(fake, tmp_path).list_send(content(), None)
    provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])  # a new draft, for a test
    with pytest.raises(ProviderError, match="campaign 1 of this issue was already sent.*campaign 2 is a newer"):
        provider_for(fake, tmp_path).list_send(content(), None)
    assert len(fake.list_sends) == 1


def test_a_400_for_a_campaign_that_exists_is_an_error(fake, tmp_path):
    provider = provider_for(fake, tmp_path)
    provider.test_send(content(), ["editor@example.org"])
    fake.faults.fail(status=400, message="Kampagne nicht gefunden", match="GET /api/campaigns/1")
    with pytest.raises(ProviderError, match="HTTP 400"):
        provider.get_campaign("1")


# --- send now on a draft that still has a send time ------------------------------------------------------

def test_send_now_on_an_unscheduled_draft_sends_now(fake, tmp_path):
    """Listmonk's "Unschedule" sets draft but keeps send_at; "running" would then be stored as "scheduled"."""
    at = when()
    provider_for(fake, tmp_path).list_send(content(), at)
    unschedule = requests.put(f"{fake.url}/campaigns/1/status", json={"status": "draft"},
                              headers={"Authorization": f"token {fake.username}:{fake.token}"})
    assert unschedule.status_code == 200 and fake.campaigns[1]["send_at"] is not None
    result = provider_for(fake, tmp_path).list_send(content(), None)
    assert len(fake.list_sends) == 1 and fake.campaigns[1]["status"] == "finished"
    assert result.status in (Status.QUEUED, Status.SENT)


def test_a_start_that_listmonk_stores_as_scheduled_is_not_reported_sent(fake, tmp_path):
    provider = provider_for(fake, tmp_path)

    def set_in_the_ui(reply, **_):  # someone sets a send date in Listmonk between our two calls
        if reply.request.method == "PUT" and reply.request.path_url.startswith("/api/campaigns/1") \
                and "/status" not in reply.request.path_url and b'"send_at": null' in (reply.request.body or b""):
            fake.campaigns[1]["send_at"] = when().isoformat()

    provider.api.session.hooks["response"].append(set_in_the_ui)
    with pytest.raises(ProviderError, match="NOT gone out now"):
        provider.list_send(content(), None)
    assert fake.list_sends == [] and fake.campaigns[1]["status"] == "scheduled"
    record = provider.ledger.record("2021-12-test-issue", "listmonk", provider.list_ref)
    assert not record.has("sent")


# --- test recipients without the sql_query permission -----------------------------------------------------

def test_test_send_needs_no_sql_query_permission(tmp_path):
    """v5: GET /api/subscribers?query= needs subscribers:sql_query; a test send does not."""
    with ListmonkFake(permissions=CAMPAIGN_ROLE | {"templates:get", "templates:manage"},
                      subscribers=["editor@example.org", "second@example.org"]) as fake:
        provider_for(fake, tmp_path).test_send(content(), ["Editor@Example.org"])
        assert [m["to"] for m in fake.test_messages] == ["editor@example.org"]
        with pytest.raises(ConfigError, match="not found: who@example.org"):
            provider_for(fake, tmp_path).test_send(content(), ["editor@example.org", "who@example.org"])


def test_without_permission_to_read_subscribers_the_test_goes_unchecked(tmp_path, caplog):
    role = {"campaigns:get_all", "campaigns:manage_all", "campaigns:send", "templates:get", "templates:manage"}
    with ListmonkFake(permissions=role) as fake:
        provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
        assert [m["to"] for m in fake.test_messages] == ["editor@example.org"]
    assert "were not checked" in caplog.text and "skips any address" in caplog.text


# --- Outlook's conditional comments, which html/template would drop ------------------------------------------

GOLDEN = Path(__file__).parents[1] / "golden" / "2021-12-one-year-of-ai4media" / "email.html"


def test_outlook_conditional_comments_reach_the_reader_byte_for_byte(fake, tmp_path):
    built = GOLDEN.read_text(encoding="utf-8")
    comments = re.findall(r"<!--.*?-->", built, re.S)
    assert len(comments) > 50 and any("\n" in c for c in comments)  # MJML's, some over several lines
    html = built.replace("</body>", f'<p>{{{{ x }}}} <a href="{UNSUBSCRIBE_PLACEHOLDER}">u</a></p></body>')
    provider_for(fake, tmp_path).list_send(content(html=html), None)
    sent = fake.list_sends[0]["messages"][0]["html"]
    assert re.findall(r"<!--.*?-->", sent, re.S) == comments
    assert sent.count("{{ x }}") == 1
    assert sent.count(f"{fake.root}/subscription/") == built.count(UNSUBSCRIBE_PLACEHOLDER) + 1


@pytest.mark.parametrize("comment", ['<!--[if mso]>"quoted" \\ back\nslash\t<![endif]-->',
                                     "<!-- {{ not an action }} and }} -->", "<!--\x01\x7f ünï -->"])
def test_a_comment_becomes_a_go_string_listmonk_prints_as_it_is(fake, tmp_path, comment):
    body = f"<html><body>{comment}<p>x</p></body></html>"
    provider_for(fake, tmp_path).test_send(content(html=body), ["editor@example.org"])
    assert comment in fake.test_messages[0]["html"]


def test_comments_in_style_and_attributes_are_left_alone(fake, tmp_path):
    prepared = provider_for(fake, tmp_path).escape_template_syntax(
        '<style><!-- a{} --></style><img alt="<!-- x -->"><!-- y -->', True)
    assert prepared == '<style><!-- a{} --></style><img alt="<!-- x -->">{{ "<!-- y -->" | Safe }}'


# --- the plain-text part, which Listmonk compiles with html/template -----------------------------------------

PLAIN = (f"We <3 you; a < b.\nRead <https://example.org/?a='b> or <{UNSUBSCRIBE_PLACEHOLDER}>\n"
         "Code: `<!-- not a comment -->`, `<b>`, `<title>`, `<style>` and `<script>alert(1)` {{ x }}\n")


def test_the_plain_text_part_arrives_as_written(fake, tmp_path):
    """html/template would write "&lt;3", drop the comment and refuse the message (ends inside <script>)."""
    provider_for(fake, tmp_path).test_send(content(text=PLAIN, subject="a < b <b>"), ["editor@example.org"])
    (message,) = fake.test_messages
    (campaign,), subscriber = fake.campaigns.values(), fake.subscribers["editor@example.org"]
    unsubscribe = f"{fake.root}/subscription/{campaign['uuid']}/{subscriber['uuid']}"
    assert message["text"] == PLAIN.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe)
    assert message["subject"] == "[TEST] a < b <b>"  # text/template: printed as it is, no action needed


def test_a_list_send_of_such_text_reaches_every_subscriber(tmp_path):
    """internal/manager/pipe.go logs a message it cannot make and skips that subscriber; the campaign finishes."""
    with ListmonkFake(lists={1: "Default list"}, subscribers=["a@example.org", "b@example.org"]) as fake:
        provider_for(fake, tmp_path).list_send(content(text=PLAIN), None)
        (sent,) = fake.list_sends
        assert fake.logs == [] and [m["to"] for m in sent["messages"]] == ["a@example.org", "b@example.org"]
        assert all(m["text"].startswith("We <3 you; a < b.\nRead <https://example.org/?a='b> or <http")
                   for m in sent["messages"])
        assert fake.campaigns[1]["status"] == "finished" and fake.campaigns[1]["sent"] == 2


# --- regTplFuncs, which rewrites "https://...@TrackLink" before Go parses anything ----------------------------

def test_tracklink_shorthand_in_content_is_printed_as_written(fake, tmp_path):
    """In a comment (a Go string of ours) it was a 400 "Error compiling campaign body"; elsewhere a TrackLink."""
    link = "https://example.org/@TrackLink"
    html = content().html.replace("<p>Hello", f"<!-- {link} {{{{ UnsubscribeURL }}}} --><p>{link} Hello")
    provider_for(fake, tmp_path).test_send(content(html=html, text=f"{link}\n{UNSUBSCRIBE_PLACEHOLDER}",
                                                   subject=f"See {link}"), ["editor@example.org"])
    (message,) = fake.test_messages
    assert f"<!-- {link} {{{{ UnsubscribeURL }}}} --><p>{link} Hello" in message["html"]
    assert message["text"].startswith(f"{link}\n{fake.root}/subscription/")
    assert message["subject"] == f"[TEST] See {link}"


# --- the sender -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, sent", [("AI4Media: the year", '"AI4Media: the year" <newsletter@ai4media.eu>'),
                                        ('Say "hi', '"Say \\"hi" <newsletter@ai4media.eu>'),
                                        ("Zoë Å", "Zoë Å <newsletter@ai4media.eu>")])
def test_a_sender_name_with_specials_is_quoted(fake, tmp_path, name, sent):
    """Listmonk's messenger parses from_email with Go's mail.ParseAddress: "a: b <x>" is a group there."""
    provider_for(fake, tmp_path).test_send(content(from_name=name), ["editor@example.org"])
    assert [m["from"] for m in fake.test_messages] == [sent] and fake.undelivered == []


def test_a_send_in_doubt_then_deleted_is_not_sent_again_through_a_test_draft(fake, tmp_path):
    """send_requested without sent (killed, or no clear answer), the campaign deleted, then a test send."""
    provider = provider_for(fake, tmp_path)

    def no_clear_answer(reply, **_):  # from the send on: the connection drops, then nothing answers
        if reply.request.method == "PUT" and b'"send_later": false' in (reply.request.body or b""):
            fake.faults.drop_after_action(match="PUT /api/campaigns/*/status")
            fake.faults.fail(n=50, status=502, match="GET /api/campaigns*")

    provider.api.session.hooks["response"].append(no_clear_answer)
    with pytest.raises(ProviderError):
        provider.list_send(content(), None)
    fake.faults.clear()
    assert len(fake.list_sends) == 1
    del fake.campaigns[1]
    provider_for(fake, tmp_path).test_send(content(), ["editor@example.org"])
    with pytest.raises(ProviderError, match="campaign 1 of this issue was already sent or scheduled"):
        provider_for(fake, tmp_path).list_send(content(), None)
    assert len(fake.list_sends) == 1
