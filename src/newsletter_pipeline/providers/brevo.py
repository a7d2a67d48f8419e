"""Brevo (ex-Sendinblue) API v3: email campaigns to contact lists.

API: https://developers.brevo.com/reference (email campaigns). Rules this
module follows:

- Auth: the ``api-key`` header. Rate limits: ``x-sib-ratelimit-limit``,
  ``-remaining`` and ``-reset`` (seconds until the quota resets) on replies;
  a 429 has no Retry-After, so the client waits for ``-reset``. Campaign
  endpoints allow about 100 requests an hour on the standard plan: the
  sequence keeps its calls few.
- Campaigns have no plain-text body: the text part is not sent, and every
  result says so.
- Scheduling is ``PUT /emailCampaigns/{id}`` with ``scheduledAt`` (status
  ``queued``); ``sendNow`` a second time is a 400 ``campaign_sent``.
- Test sends go only to contacts, in a list and not blocklisted (400 with
  ``unexistingEmails``, ``withoutListEmails``, ``blackListedEmails``).
- Content goes through Brevo's template language (Django-style ``{{ }}``,
  ``{% %}``, ``{# #}``). Text that contains any of them is wrapped in
  ``{% verbatim %}...{% endverbatim %}``, Brevo's documented way to print
  braces ("Disable auto-escaping and display double curly brackets"), with
  the unsubscribe tag ``{{ unsubscribe }}`` left outside.
- No search by name: the campaign is found again by listing campaigns
  (``limit`` <= 100, newest first) and matching its name or tag. Those hold
  only the slug, so a match is ours only if its lists are BREVO_LIST_IDS
  (``CampaignProvider.ours``). Campaigns are written with
  ``recipients.listIds`` but read back with ``recipients.lists`` (and
  ``exclusionLists``): the OpenAPI ``getCampaignRecipients``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import UsageError
from ..models import UNSUBSCRIBE_PLACEHOLDER, Content
from .base import FEATURES, Campaign, CampaignProvider, ProviderHTTPError, Status
from .http import ApiClient, HttpPolicy, iso_time, json_of

if TYPE_CHECKING:
    from ..ledger import Record

STATUS_MAP = {
    "draft": Status.DRAFT,
    "queued": Status.SCHEDULED,
    "in_process": Status.QUEUED,
    "inProcess": Status.QUEUED,
    "sent": Status.SENT,
    "archive": Status.SENT,
    "suspended": Status.FAILED,  # held by Brevo (e.g. account review): a human decides
}
PAGE = 100  # the API's maximum `limit`
TEMPLATE_MARKS = ("{{", "{%", "{#")
NO_TEXT_NOTE = "Brevo campaigns have no plain-text part: only the HTML goes out, the text version is not sent"


class BrevoProvider(CampaignProvider):
    name = "brevo"
    required_settings = ("BREVO_API_KEY", "BREVO_LIST_IDS")
    credentials = ("BREVO_API_KEY",)
    unsubscribe_tag = "{{ unsubscribe }}"
    features: ClassVar[frozenset[str]] = FEATURES - {"plain_text"}
    list_setting = "BREVO_LIST_IDS"

    def setup(self) -> None:
        self.list_ids = self.config.ids("BREVO_LIST_IDS", "7 or 7,9")
        base = self.config.url("BREVO_API_URL", "https://api.brevo.com/v3") or "https://api.brevo.com/v3"
        self.api = ApiClient(self.name, base, redactor=self.redactor, policy=HttpPolicy.from_config(self.config),
                             headers={"api-key": self.config.get("BREVO_API_KEY") or ""},
                             reset_header="x-sib-ratelimit-reset", sleep=self.sleep, credentials=self.credentials)

    def close(self) -> None:
        self.api.close()

    @property
    def list_ref(self) -> str:
        return "lists=" + ",".join(map(str, self.list_ids))

    @property
    def target_lists(self) -> frozenset[str]:
        return frozenset(map(str, self.list_ids))

    def escape_template_syntax(self, text: str, html: bool) -> str:
        """Wrap each stretch between unsubscribe placeholders in ``{% verbatim %}`` when it needs it."""
        return UNSUBSCRIBE_PLACEHOLDER.join(_verbatim(part, html) for part in text.split(UNSUBSCRIBE_PLACEHOLDER))

    def notes(self, content: Content) -> list[str]:
        return [NO_TEXT_NOTE]

    # -- steps
    def find_campaign(self, name: str, tag: str) -> Campaign | None:
        found: list[Campaign] = []
        offset, total = 0, 1
        while offset < total:
            reply = self.api.get("/emailCampaigns", params={"limit": PAGE, "offset": offset, "sort": "desc",
                                                            "excludeHtmlContent": "true"},
                                 action="look the campaign up by name")
            body = json_of(reply)
            page = body.get("campaigns") or []
            found += [self._campaign(c) for c in page if c.get("name") == name or c.get("tag") == tag]
            total = int(body.get("count") or 0)
            offset += PAGE
            if not page:
                break
        return self.ours(found)

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        reply = self.api.get(f"/emailCampaigns/{campaign_id}", ok=(200, 404), action=f"read campaign {campaign_id}")
        return None if reply.status_code == 404 else self._campaign(json_of(reply))

    def create_campaign(self, content: Content, name: str, tag: str) -> Campaign:
        payload = {**self._payload(content), "name": name, "tag": tag}
        reply = self.api.post("/emailCampaigns", json_body=payload, action="create the campaign")
        return Campaign(str(json_of(reply).get("id", "")), name, Status.DRAFT, None, "draft", self.target_lists)

    def update_campaign(self, campaign: Campaign, content: Content) -> None:
        self.api.put(f"/emailCampaigns/{campaign.id}", json_body=self._payload(content),
                     action=f"update campaign {campaign.id}")

    def send_test(self, campaign: Campaign, content: Content, recipients: list[str]) -> None:
        try:
            self.api.post(f"/emailCampaigns/{campaign.id}/sendTest", json_body={"emailTo": recipients},
                          action=f"test-send campaign {campaign.id}")
        except ProviderHTTPError as exc:
            refused = _refused_recipients(exc)
            if refused:
                raise UsageError(f"brevo: the test was sent to no one: {'; '.join(refused)} (fix them in Brevo's "
                                 "Contacts, or change NEWSLETTER_TEST_RECIPIENTS / --to)") from None
            raise

    def schedule_campaign(self, campaign: Campaign, when: datetime) -> None:
        # the same scheduledAt again is harmless: a PUT, safe to repeat
        self.api.put(f"/emailCampaigns/{campaign.id}",
                     json_body={"scheduledAt": when.astimezone(UTC).isoformat(timespec="seconds")},
                     action=f"schedule campaign {campaign.id}")

    def send_campaign(self, campaign: Campaign) -> None:
        self.api.post(f"/emailCampaigns/{campaign.id}/sendNow", action=f"send campaign {campaign.id}")

    def planned_calls(self, kind: str, record: Record) -> list[str]:
        locate = (f"GET /emailCampaigns/{record.campaign_id}  re-read the campaign" if record.campaign_id else
                  f"GET /emailCampaigns?limit={PAGE}&offset=...  look the campaign up by name/tag")
        calls = [locate, "POST /emailCampaigns  create the draft (only if not found)",
                 "PUT /emailCampaigns/{id}  subject, preview text, sender, reply-to, HTML, lists"]
        if kind == "test":
            return calls + ["POST /emailCampaigns/{id}/sendTest  send the test (recipients must be contacts)"]
        if kind == "schedule":
            return calls + ["PUT /emailCampaigns/{id}  scheduledAt"]
        return calls + ["POST /emailCampaigns/{id}/sendNow  send to the lists"]

    # -- helpers
    def _payload(self, content: Content) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "subject": content.subject, "previewText": self.escape_template_syntax(content.preheader, False),
            "sender": {"name": content.from_name, "email": content.from_email},
            "htmlContent": content.html, "recipients": {"listIds": self.list_ids},
        }
        if content.reply_to:
            payload["replyTo"] = content.reply_to
        return payload

    def _campaign(self, data: dict[str, Any]) -> Campaign:
        raw = str(data.get("status", ""))
        send_at = iso_time(data.get("scheduledAt")) if raw == "queued" else None
        lists = (data.get("recipients") or {}).get("lists")
        return Campaign(str(data.get("id", "")), str(data.get("name", "")), STATUS_MAP.get(raw, Status.UNKNOWN),
                        send_at, raw, None if lists is None else frozenset(map(str, lists)))


def _verbatim(text: str, html: bool) -> str:
    if not any(mark in text for mark in TEMPLATE_MARKS):
        return text
    if "endverbatim" in text:
        raise UsageError("brevo: the content contains 'endverbatim', which Brevo's template language cannot "
                         "print literally; reword it")
    if text.endswith("{"):
        # "{" + "{% endverbatim %}" would read as "{{": end on the same character another way
        text = text[:-1] + ("&#123;" if html else "{ ")
    return "{% verbatim %}" + text + "{% endverbatim %}"


# sendTest's 400 (the reference's postSendFailed) sorts the addresses it refused into three lists
REFUSED_TEST_RECIPIENTS = {
    "unexistingEmails": "not in your Brevo contacts (test recipients must be contacts: add them)",
    "withoutListEmails": "in no contact list (add them to one)",
    "blackListedEmails": "blocklisted, as they unsubscribed or were blocked (Brevo sends them nothing, not even "
                         "a test: use another address)",
}


def _refused_recipients(exc: ProviderHTTPError) -> list[str]:
    """Each group of refused addresses with what to do about it; [] when the 400 is about something else."""
    try:
        body = json.loads(exc.body)
        groups = [(list(body.get(key) or []), words) for key, words in REFUSED_TEST_RECIPIENTS.items()]
    except (ValueError, AttributeError, TypeError):
        return []
    return [f"{words}: {', '.join(map(str, found))}" for found, words in groups if found]
