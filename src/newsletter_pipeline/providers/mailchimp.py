"""Mailchimp Marketing API 3.0: regular campaigns to one audience.

API: https://mailchimp.com/developer/marketing/api/campaigns/ . Rules this
module follows:

- Auth: HTTP Basic, any user name, the API key as password; the data center
  is the key's suffix (``...-us21`` -> ``https://us21.api.mailchimp.com/3.0``)
  unless MAILCHIMP_API_URL overrides it.
- Campaigns are created empty; the content is a separate idempotent
  ``PUT /campaigns/{id}/content`` (the base sequence always updates a draft
  before it is tested or sent).
- A scheduled campaign cannot be edited: unschedule, edit, schedule again.
- ``schedule_time`` is UTC on a quarter hour (:00, :15, :30, :45): we round
  up to the next one and say so.
- Mailchimp has one address for From and Reply-To (``settings.reply_to``): we
  use the sender address (it must match the authenticated domain) and say so
  when NEWSLETTER_REPLY_TO differs.
- Merge tags are ``*|NAME|*``. Content that contains ``*|`` is escaped: in
  HTML the asterisk becomes ``&#42;`` (the same character once parsed); in
  plain text, the subject and the preview text a zero-width space goes
  between ``*`` and ``|``. Mailchimp has no escape syntax of its own.
- No filter by title: the campaign is found again by listing the audience's
  campaigns (``fields=`` keeps the pages small) and matching the title.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import ConfigError, ProviderError
from ..models import Content
from .base import FEATURES, Campaign, CampaignProvider, Status
from .http import ApiClient, HttpPolicy, iso_time, json_of

if TYPE_CHECKING:
    from ..ledger import Record

STATUS_MAP = {
    "save": Status.DRAFT,
    "schedule": Status.SCHEDULED,
    "sending": Status.QUEUED,
    "sent": Status.SENT,
    "canceled": Status.FAILED,
    "canceling": Status.FAILED,
    "paused": Status.UNKNOWN,
    "archived": Status.UNKNOWN,
}
PAGE = 1000  # the API's maximum `count`
ZWSP = "\u200b"
LIST_FIELDS = "campaigns.id,campaigns.status,campaigns.send_time,campaigns.settings.title,total_items"
ONE_FIELDS = "id,status,send_time,settings.title"


class MailchimpProvider(CampaignProvider):
    name = "mailchimp"
    required_settings = ("MAILCHIMP_API_KEY", "MAILCHIMP_LIST_ID")
    credentials = ("MAILCHIMP_API_KEY",)
    unsubscribe_tag = "*|UNSUB|*"
    features: ClassVar[frozenset[str]] = FEATURES - {"reply_to"}  # one address for From and Reply-To

    def setup(self) -> None:
        key = self.config.get("MAILCHIMP_API_KEY") or ""
        self.list_id = self.config.get("MAILCHIMP_LIST_ID") or ""
        base = self.config.url("MAILCHIMP_API_URL", "https://us21.api.mailchimp.com/3.0")
        if not base:
            if "-" not in key:
                raise ConfigError("MAILCHIMP_API_KEY should end in -<data center>, e.g. ...-us21 "
                                  "(copy the whole key from Mailchimp), or set MAILCHIMP_API_URL")
            base = f"https://{key.rsplit('-', 1)[1]}.api.mailchimp.com/3.0"
        self.api = ApiClient(self.name, base, redactor=self.redactor, policy=HttpPolicy.from_config(self.config),
                             auth=("newsletter-pipeline", key), sleep=self.sleep, credentials=self.credentials)

    def close(self) -> None:
        self.api.close()

    @property
    def list_ref(self) -> str:
        return f"list={self.list_id}"

    def escape_template_syntax(self, text: str, html: bool) -> str:
        return text.replace("*|", "&#42;|" if html else f"*{ZWSP}|")

    def schedule_time(self, when: datetime) -> tuple[datetime, str | None]:
        """UTC, rounded up to the next quarter hour (a time already on one is kept)."""
        utc = when.astimezone(UTC)
        floor = utc.replace(minute=utc.minute - utc.minute % 15, second=0, microsecond=0)
        rounded = floor if floor == utc else floor + timedelta(minutes=15)
        if rounded == utc:
            return rounded, None
        return rounded, (f"Mailchimp schedules only in UTC on a quarter hour: {when.isoformat()} "
                         f"becomes {rounded.strftime('%Y-%m-%dT%H:%M:%SZ')}")

    def notes(self, content: Content) -> list[str]:
        if content.reply_to and content.reply_to.lower() != content.from_email.lower():
            return [f"Mailchimp uses one address for From and Reply-To: replies go to {content.from_email}, "
                    f"not {content.reply_to}"]
        return []

    # -- steps
    def find_campaign(self, name: str, tag: str) -> Campaign | None:
        found: list[Campaign] = []
        offset, total = 0, 1
        while offset < total:
            reply = self.api.get("/campaigns", params={"list_id": self.list_id, "count": PAGE, "offset": offset,
                                                       "fields": LIST_FIELDS, "sort_field": "create_time",
                                                       "sort_dir": "DESC"},
                                 action="look the campaign up by title")
            body = json_of(reply)
            page = body.get("campaigns") or []
            found += [self._campaign(c) for c in page if (c.get("settings") or {}).get("title") == name]
            total = int(body.get("total_items") or 0)
            offset += PAGE
            if not page:
                break
        return self.ours(found, by_id=False)  # ids are no numbers: a tie goes to the newest (listed first)

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        reply = self.api.get(f"/campaigns/{campaign_id}", params={"fields": ONE_FIELDS}, ok=(200, 404),
                             action=f"read campaign {campaign_id}")
        return None if reply.status_code == 404 else self._campaign(json_of(reply))

    def create_campaign(self, content: Content, name: str, tag: str) -> Campaign:
        payload = {"type": "regular", "recipients": {"list_id": self.list_id},
                   "settings": {**self._settings(content), "title": name}}
        reply = self.api.post("/campaigns", json_body=payload, action="create the campaign")
        return self._campaign(json_of(reply))

    def update_campaign(self, campaign: Campaign, content: Content) -> None:
        if campaign.status == Status.SCHEDULED:
            self._unschedule(campaign)
        # PATCH of the same settings is safe to repeat
        self.api.patch(f"/campaigns/{campaign.id}", json_body={"settings": self._settings(content)},
                       idempotent=True, action=f"update campaign {campaign.id}")
        self.api.put(f"/campaigns/{campaign.id}/content", json_body={"html": content.html,
                                                                    "plain_text": content.text},
                     action=f"put the content of campaign {campaign.id}")

    def send_test(self, campaign: Campaign, content: Content, recipients: list[str]) -> None:
        self.api.post(f"/campaigns/{campaign.id}/actions/test",
                      json_body={"test_emails": recipients, "send_type": "html"},
                      action=f"test-send campaign {campaign.id}")

    def schedule_campaign(self, campaign: Campaign, when: datetime) -> None:
        if campaign.status == Status.SCHEDULED:  # a new time: Mailchimp needs unschedule first
            self._unschedule(campaign)
        self._require_ready(campaign)
        self.api.post(f"/campaigns/{campaign.id}/actions/schedule",
                      json_body={"schedule_time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")},
                      action=f"schedule campaign {campaign.id}")

    def send_campaign(self, campaign: Campaign) -> None:
        self._require_ready(campaign)
        self.api.post(f"/campaigns/{campaign.id}/actions/send", action=f"send campaign {campaign.id}")

    def planned_calls(self, kind: str, record: Record) -> list[str]:
        locate = (f"GET /campaigns/{record.campaign_id}  re-read the campaign" if record.campaign_id else
                  f"GET /campaigns?list_id={self.list_id}&count={PAGE}  look the campaign up by title")
        calls = [locate, "POST /campaigns  create the draft (only if not found)",
                 "PATCH /campaigns/{id}  subject, preview text, from name, reply-to",
                 "PUT /campaigns/{id}/content  html and plain_text"]
        if kind == "test":
            return calls + ["POST /campaigns/{id}/actions/test  send the test"]
        ready = "GET /campaigns/{id}/send-checklist  check it is ready"
        if kind == "schedule":
            return calls + [ready, "POST /campaigns/{id}/actions/schedule  schedule_time in UTC, quarter hour"]
        return calls + [ready, "POST /campaigns/{id}/actions/send  send to the audience"]

    # -- helpers
    def _settings(self, content: Content) -> dict[str, Any]:
        return {"subject_line": content.subject,
                "preview_text": self.escape_template_syntax(content.preheader, False),
                "from_name": content.from_name, "reply_to": content.from_email}

    def _unschedule(self, campaign: Campaign) -> None:
        self.api.post(f"/campaigns/{campaign.id}/actions/unschedule", action=f"unschedule campaign {campaign.id}")

    def _require_ready(self, campaign: Campaign) -> None:
        body = json_of(self.api.get(f"/campaigns/{campaign.id}/send-checklist",
                                    action=f"check campaign {campaign.id} is ready"))
        if body.get("is_ready") is False:
            problems = [f"{i.get('heading')}: {i.get('details')}" for i in body.get("items") or []
                        if i.get("type") == "error"]
            raise ProviderError(f"mailchimp: campaign {campaign.id} is not ready to send: " + "; ".join(problems))

    def _campaign(self, data: dict[str, Any]) -> Campaign:
        raw = str(data.get("status", ""))
        send_at = iso_time(data.get("send_time")) if raw == "schedule" else None
        return Campaign(str(data.get("id", "")), str((data.get("settings") or {}).get("title", "")),
                        STATUS_MAP.get(raw, Status.UNKNOWN), send_at, raw)
