"""The fake provider APIs behave as the providers document (tests of the test doubles).

Plain ``requests`` calls, no code of ours: if a fake drifted from the
provider's documented behaviour, the provider tests built on it would prove
nothing.
"""

from __future__ import annotations

import base64
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
from fakes import BrevoFake, ListmonkFake, MailchimpFake
from fakes.brevo import render_brevo
from fakes.listmonk import GoTemplateError, render_go_template


def future(hours: int = 24) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0).isoformat()


@pytest.fixture
def listmonk():
    with ListmonkFake() as fake:
        session = requests.Session()
        session.headers["Authorization"] = f"token {fake.username}:{fake.token}"
        yield fake, session


@pytest.fixture
def mailchimp():
    with MailchimpFake() as fake:
        session = requests.Session()
        session.auth = ("anystring", fake.api_key)
        yield fake, session


@pytest.fixture
def brevo():
    with BrevoFake() as fake:
        session = requests.Session()
        session.headers["api-key"] = fake.api_key
        yield fake, session


# --- Listmonk -------------------------------------------------------------------------------------------

def listmonk_campaign(fake, session, **fields) -> dict:
    payload = {"name": "n", "subject": "s", "lists": [1], "content_type": "html", "body": "<p>b</p>", **fields}
    reply = session.post(f"{fake.url}/campaigns", json=payload)
    assert reply.status_code == 200, reply.text
    return reply.json()["data"]


def test_listmonk_auth(listmonk):
    fake, _ = listmonk
    wrong = requests.get(f"{fake.url}/campaigns", headers={"Authorization": "token api-user:nope"})
    missing = requests.get(f"{fake.url}/campaigns")
    basic = requests.get(f"{fake.url}/campaigns", auth=(fake.username, fake.token))
    assert (wrong.status_code, wrong.json()) == (403, {"message": "invalid API credentials"})
    assert missing.status_code == 403 and basic.status_code == 200


def test_listmonk_state_machine(listmonk):
    fake, session = listmonk
    campaign = listmonk_campaign(fake, session)
    assert campaign["status"] == "draft"
    status = f"{fake.url}/campaigns/{campaign['id']}/status"
    no_time = session.put(status, json={"status": "scheduled"})
    assert (no_time.status_code, no_time.json()["message"]) == (400, "Campaign needs a date to be scheduled.")
    assert session.put(status, json={"status": "running"}).json()["data"]["status"] == "running"
    again = session.put(status, json={"status": "running"})
    assert (again.status_code, again.json()["message"]) == (400, "Only paused campaigns and drafts can be started.")
    edit = session.put(f"{fake.url}/campaigns/{campaign['id']}", json={"subject": "x", "lists": [1]})
    assert (edit.status_code, edit.json()["message"]) == (400, "Cannot update a running or a finished campaign.")
    assert session.get(f"{fake.url}/campaigns/{campaign['id']}").json()["data"]["status"] == "finished"
    assert len(fake.list_sends) == 1


def test_listmonk_update_needs_lists_again(listmonk):
    fake, session = listmonk
    campaign = listmonk_campaign(fake, session)
    url = f"{fake.url}/campaigns/{campaign['id']}"
    without = session.put(url, json={"subject": "new"})
    with_lists = session.put(url, json={"subject": "new", "lists": [1]})
    assert (without.status_code, without.json()["message"]) == (400, "Invalid list IDs.")
    assert with_lists.status_code == 200 and with_lists.json()["data"]["subject"] == "new"
    assert with_lists.json()["data"]["body"] == "<p>b</p>"  # other fields keep their values


def test_listmonk_compiles_content_as_go_templates(listmonk):
    fake, session = listmonk
    bad = session.post(f"{fake.url}/campaigns", json={"name": "n", "subject": "s", "lists": [1],
                                                      "body": "Hi {{ name }}"})
    assert bad.status_code == 400 and 'function "name" not defined' in bad.json()["message"]
    assert render_go_template('{{"{{"}} name }}', {}) == "{{ name }}"
    assert render_go_template("{{ .Subscriber.Name }}", {"Subscriber": {"Name": "Ada"}}) == "Ada"
    with pytest.raises(GoTemplateError):
        render_go_template("{{ oops", {})


def test_listmonk_filters_by_tag_not_tags(listmonk):
    fake, session = listmonk
    listmonk_campaign(fake, session, name="a", tags=["one"])
    listmonk_campaign(fake, session, name="b", tags=["two"])
    by_tag = session.get(f"{fake.url}/campaigns", params={"tag": "one"}).json()["data"]["results"]
    by_tags = session.get(f"{fake.url}/campaigns", params={"tags": "one"}).json()["data"]["results"]
    assert [c["name"] for c in by_tag] == ["a"] and len(by_tags) == 2  # `tags` is ignored, as on the server


def test_listmonk_test_send_skips_unknown_addresses(listmonk):
    fake, session = listmonk
    campaign = listmonk_campaign(fake, session)
    url = f"{fake.url}/campaigns/{campaign['id']}/test"
    payload = {"name": "n", "subject": "s", "lists": [1], "body": "b", "messenger": "email"}
    none_known = session.post(url, json={**payload, "subscribers": ["who@example.net"]})
    some_known = session.post(url, json={**payload, "subscribers": ["who@example.net", "editor@example.org"]})
    assert (none_known.status_code, none_known.json()["message"]) == (400, "No known subscribers to test.")
    assert some_known.json() == {"data": True}
    assert [m["to"] for m in fake.test_messages] == ["editor@example.org"]


def test_listmonk_test_send_validates_a_fresh_campaign(listmonk):
    """handleTestCampaign binds the body into a new campaign: messenger, name, lists must be there."""
    fake, session = listmonk
    campaign = listmonk_campaign(fake, session)
    url = f"{fake.url}/campaigns/{campaign['id']}/test"
    full = {"name": "n", "subject": "s", "lists": [1], "body": "b", "messenger": "email",
            "content_type": "html", "subscribers": ["editor@example.org"]}
    answers = {missing: session.post(url, json={k: v for k, v in full.items() if k != missing})
               for missing in ("messenger", "name", "lists")}
    assert {k: (r.status_code, r.json()["message"]) for k, r in answers.items()} == {
        "messenger": (400, "Unknown messenger ."), "name": (400, "Invalid length for name."),
        "lists": (400, "Invalid list IDs.")}
    assert session.post(url, json={**full, "messenger": "sms"}).json()["message"] == "Unknown messenger sms."
    without_body = session.post(url, json={k: v for k, v in full.items() if k != "body"})
    assert without_body.json() == {"data": True}
    # the request's (empty) body, not the stored one, inside the campaign's (default) template
    assert "<p>b</p>" not in fake.test_messages[-1]["html"] and "525px" in fake.test_messages[-1]["html"]


def test_listmonk_validates_from_email_and_status_changes(listmonk):
    fake, session = listmonk
    bad_from = session.post(f"{fake.url}/campaigns", json={"name": "n", "subject": "s", "lists": [1],
                                                           "from_email": "not an address"})
    assert (bad_from.status_code, bad_from.json()["message"]) == (400, "Invalid `from_email`.")
    campaign = listmonk_campaign(fake, session, content_type="docx")
    assert campaign["content_type"] == "richtext" and campaign["messenger"] == "email"
    status = f"{fake.url}/campaigns/{campaign['id']}/status"
    pause = session.put(status, json={"status": "paused"})
    cancel = session.put(status, json={"status": "cancelled"})
    assert (pause.status_code, pause.json()["message"]) == (400, "Only active campaigns can be paused.")
    assert (cancel.status_code, cancel.json()["message"]) == (400, "Only active campaigns can be cancelled.")


def test_listmonk_missing_campaign_is_a_400(listmonk):
    """core.getCampaign answers 400 "{name} not found" (translated), not 404."""
    fake, session = listmonk
    missing = session.get(f"{fake.url}/campaigns/99")
    assert (missing.status_code, missing.json()) == (400, {"message": "Campaign not found"})
    assert session.put(f"{fake.url}/campaigns/99/status", json={"status": "running"}).status_code == 400


def test_listmonk_running_with_a_send_at_is_stored_as_scheduled(listmonk):
    """update-campaign-status: running -> scheduled while send_at is set; the reply repeats "running"."""
    fake, session = listmonk
    campaign = listmonk_campaign(fake, session, send_at=future())
    url = f"{fake.url}/campaigns/{campaign['id']}"
    assert session.put(f"{url}/status", json={"status": "scheduled"}).json()["data"]["status"] == "scheduled"
    assert session.put(f"{url}/status", json={"status": "draft"}).status_code == 200  # "Unschedule"
    assert session.get(url).json()["data"]["send_at"] is not None  # kept
    started = session.put(f"{url}/status", json={"status": "running"})
    assert started.json()["data"]["status"] == "running" and session.get(url).json()["data"]["status"] == "scheduled"
    assert fake.list_sends == []
    cleared = session.put(url, json={"lists": [1], "send_at": None})  # null clears it: scheduled -> draft
    assert cleared.json()["data"]["send_at"] is None and cleared.json()["data"]["status"] == "draft"


def test_listmonk_wraps_the_body_in_the_campaign_template(listmonk):
    """create-campaign without template_id takes the default template; CompileTemplate puts the body inside."""
    fake, session = listmonk
    default = listmonk_campaign(fake, session)
    assert default["template_id"] == 1 and fake.templates[1]["is_default"]
    plain = session.post(f"{fake.url}/templates", json={"name": "plain", "type": "campaign",
                                                       "body": '{{ template "content" . }}'}).json()["data"]
    mine = listmonk_campaign(fake, session, template_id=plain["id"])
    for campaign in (default, mine):
        session.put(f"{fake.url}/campaigns/{campaign['id']}/status", json={"status": "running"})
    wrapped, alone = (send["messages"][0]["html"] for send in fake.list_sends)
    assert "525px" in wrapped and "<p>b</p>" in wrapped and wrapped.count("/subscription/") == 1
    assert alone == "<p>b</p>"


def test_listmonk_templates_need_the_content_placeholder(listmonk):
    fake, session = listmonk
    bad = session.post(f"{fake.url}/templates", json={"name": "x", "type": "campaign", "body": "<p>x</p>"})
    assert (bad.status_code, bad.json()["message"]) == (
        400, 'The placeholder {{ template "content" . }} should appear exactly once in the template.')
    tx = session.post(f"{fake.url}/templates", json={"name": "x", "type": "tx", "body": "<p>x</p>"})
    assert tx.status_code == 200


def test_listmonk_html_template_drops_comments_but_not_safe_output():
    text = '<p>a</p><!--[if mso]><b>{{ .X }}</b><![endif]-->{{ "<!--[if mso]>\\n}}\\"<![endif]-->" | Safe }}{{ "<i>" }}'
    out = render_go_template(text, {"X": "x"}, html=True)
    assert out == '<p>a</p><!--[if mso]>\n}}"<![endif]-->&lt;i&gt;'
    assert render_go_template("<style><!-- a --></style><!-- b -->", {}, html=True) == "<style><!-- a --></style>"
    assert render_go_template("<!-- b -->", {}) == "<!-- b -->"  # text/template (subjects) keeps them
    with pytest.raises(GoTemplateError, match="unterminated quoted string"):
        render_go_template('{{ "a\nb" | Safe }}', {})


def test_listmonk_subscriber_query_needs_sql_permission():
    """v5 QuerySubscribers: a `query` needs subscribers:sql_query; `search` (a regex on name, email) does not."""
    with ListmonkFake(permissions={"subscribers:get"}, subscribers=["a@example.org", "b@example.org"]) as fake:
        session = requests.Session()
        session.headers["Authorization"] = f"token {fake.username}:{fake.token}"
        query = session.get(f"{fake.url}/subscribers", params={"query": "subscribers.email = 'a@example.org'"})
        assert (query.status_code, query.json()) == (403, {"message": "Permission denied: subscribers:sql_query"})
        search = session.get(f"{fake.url}/subscribers", params={"search": r"^a\@example\.org$"})
        assert [s["email"] for s in search.json()["data"]["results"]] == ["a@example.org"]
        templates = session.get(f"{fake.url}/templates")
        assert (templates.status_code, templates.json()) == (403, {"message": "permission denied: templates:get"})


# --- Mailchimp ------------------------------------------------------------------------------------------

def mailchimp_campaign(fake, session) -> str:
    reply = session.post(f"{fake.url}/campaigns", json={
        "type": "regular", "recipients": {"list_id": "a1b2c3d4e5"},
        "settings": {"title": "t", "subject_line": "s", "from_name": "f", "reply_to": "r@example.org"}})
    assert reply.status_code == 200, reply.text
    cid = reply.json()["id"]
    session.put(f"{fake.url}/campaigns/{cid}/content", json={"html": "<p>*|UNSUB|*</p>"}).raise_for_status()
    return cid


def test_mailchimp_auth_and_problem_json(mailchimp):
    fake, _ = mailchimp
    wrong = requests.get(f"{fake.url}/campaigns", auth=("anystring", "nope-us21"))
    assert wrong.status_code == 401
    assert wrong.headers["Content-Type"] == "application/problem+json"
    assert set(wrong.json()) >= {"type", "title", "status", "detail", "instance"}
    assert wrong.json()["title"] == "API Key Invalid"


def test_mailchimp_second_send_is_refused(mailchimp):
    fake, session = mailchimp
    cid = mailchimp_campaign(fake, session)
    first = session.post(f"{fake.url}/campaigns/{cid}/actions/send")
    second = session.post(f"{fake.url}/campaigns/{cid}/actions/send")
    assert first.status_code == 204 and first.content == b""
    assert second.status_code == 400 and second.headers["Content-Type"] == "application/problem+json"
    assert second.json()["title"] == "Bad Request" and len(fake.list_sends) == 1


def test_mailchimp_schedule_rules(mailchimp):
    fake, session = mailchimp
    cid = mailchimp_campaign(fake, session)
    url = f"{fake.url}/campaigns/{cid}/actions/schedule"
    off_quarter = (datetime.now(UTC) + timedelta(days=1)).replace(minute=7, second=0, microsecond=0)
    refused = session.post(url, json={"schedule_time": off_quarter.isoformat()})
    assert refused.status_code == 400 and "quarter-hour" in refused.json()["detail"]
    assert session.post(url, json={"schedule_time": off_quarter.replace(minute=15).isoformat()}).status_code == 204
    edit = session.patch(f"{fake.url}/campaigns/{cid}", json={"settings": {"subject_line": "x"}})
    assert edit.status_code == 400  # a scheduled campaign must be unscheduled to edit
    assert session.post(f"{fake.url}/campaigns/{cid}/actions/unschedule").status_code == 204
    assert session.get(f"{fake.url}/campaigns/{cid}").json()["status"] == "save"


def test_mailchimp_list_fields_and_count(mailchimp):
    fake, session = mailchimp
    mailchimp_campaign(fake, session)
    body = session.get(f"{fake.url}/campaigns", params={"fields": "campaigns.id,campaigns.settings.title,total_items",
                                                        "count": 1000}).json()
    assert body["total_items"] == 1 and set(body["campaigns"][0]) == {"id", "settings"}
    assert body["campaigns"][0]["settings"] == {"title": "t"}
    assert session.get(f"{fake.url}/campaigns", params={"count": 1001}).status_code == 400


def test_mailchimp_ten_simultaneous_connections(mailchimp):
    fake, _ = mailchimp
    # the first ten are held until the fake has answered one over the limit with 429 (no timing window)
    fake.faults.hold(lambda: any(r.status == 429 for r in fake.requests), n=12, match="GET", timeout=10)
    statuses, headers = [], []

    def call():
        reply = requests.get(f"{fake.url}/campaigns", auth=("anystring", fake.api_key))
        statuses.append(reply.status_code)
        headers.append(reply.headers.get("Retry-After"))

    threads = [threading.Thread(target=call) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert statuses.count(429) >= 1 and statuses.count(200) >= 10
    assert all(h is not None for s, h in zip(statuses, headers, strict=True) if s == 429)


# --- Brevo ----------------------------------------------------------------------------------------------

def brevo_campaign(fake, session, **fields) -> int:
    reply = session.post(f"{fake.url}/emailCampaigns", json={
        "name": "n", "subject": "s", "sender": {"name": "f", "email": "f@example.org"},
        "htmlContent": "<p>{{ unsubscribe }}</p>", "recipients": {"listIds": [7]}, **fields})
    assert reply.status_code == 201, reply.text
    return reply.json()["id"]


def test_brevo_auth(brevo):
    fake, _ = brevo
    wrong = requests.get(f"{fake.url}/emailCampaigns", headers={"api-key": "nope"})
    assert (wrong.status_code, wrong.json()) == (401, {"code": "unauthorized", "message": "Key not found"})


def test_brevo_second_send_now_is_campaign_sent(brevo):
    fake, session = brevo
    cid = brevo_campaign(fake, session)
    assert session.post(f"{fake.url}/emailCampaigns/{cid}/sendNow").status_code == 204
    second = session.post(f"{fake.url}/emailCampaigns/{cid}/sendNow")
    assert second.status_code == 400 and second.json()["code"] == "campaign_sent"
    assert len(fake.list_sends) == 1


def test_brevo_schedule_and_test_send_rules(brevo):
    fake, session = brevo
    cid = brevo_campaign(fake, session)
    assert session.put(f"{fake.url}/emailCampaigns/{cid}", json={"scheduledAt": future()}).status_code == 204
    assert session.get(f"{fake.url}/emailCampaigns/{cid}").json()["status"] == "queued"
    refused = session.post(f"{fake.url}/emailCampaigns/{cid}/sendTest", json={"emailTo": ["who@example.net"]})
    assert refused.status_code == 400 and refused.json()["unexistingEmails"] == ["who@example.net"]
    assert session.get(f"{fake.url}/emailCampaigns", params={"limit": 101}).json()["code"] == "out_of_range"


def test_brevo_rate_limit_headers(brevo):
    fake, session = brevo
    fake.rate_limit(2, 0.4)
    replies = [session.get(f"{fake.url}/emailCampaigns") for _ in range(3)]
    assert [r.status_code for r in replies] == [200, 200, 429]
    assert replies[0].headers["x-sib-ratelimit-limit"] == "2"
    assert replies[0].headers["x-sib-ratelimit-remaining"] == "1"
    assert 0 < float(replies[2].headers["x-sib-ratelimit-reset"]) <= 0.4
    assert "Retry-After" not in replies[2].headers


def test_brevo_template_language():
    values = {"contact": {"FIRSTNAME": "Ada"}, "unsubscribe": "U"}
    assert render_brevo("Hi {{ contact.FIRSTNAME }} {{ unsubscribe }}", values) == "Hi Ada U"
    assert render_brevo("{% verbatim %}{{ contact.FIRSTNAME }}{% endverbatim %}", values) == "{{ contact.FIRSTNAME }}"
    assert render_brevo("{# gone #}{% if x %}kept", values) == "kept"


# --- the shared fault plumbing ------------------------------------------------------------------------------

def test_drop_after_action_acts_then_closes(brevo):
    fake, session = brevo
    fake.faults.drop_after_action(match="POST /v3/emailCampaigns")
    with pytest.raises(requests.ConnectionError):
        brevo_campaign(fake, session)
    assert len(fake.campaigns) == 1 and fake.requests[-1].status == 0


def test_fail_and_delay(listmonk):
    fake, session = listmonk
    fake.faults.fail(n=2, status=502, match="GET /api/campaigns")
    assert [session.get(f"{fake.url}/campaigns").status_code for _ in range(3)] == [502, 502, 200]
    fake.faults.delay(1.0, match="GET")
    with pytest.raises(requests.ReadTimeout):
        session.get(f"{fake.url}/campaigns", timeout=0.2)


def test_auth_header_bytes_are_the_key(mailchimp):
    fake, _ = mailchimp
    requests.get(f"{fake.url}/campaigns", auth=("x", fake.api_key))
    header = fake.requests[-1].header("Authorization")
    assert base64.b64decode(header.split()[1]).decode() == f"x:{fake.api_key}"
