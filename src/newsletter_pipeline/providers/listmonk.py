"""Listmonk (self-hosted): campaigns through its REST API.

API: https://listmonk.app/docs/apis/campaigns/ and knadh/listmonk's
cmd/campaigns.go. Rules this module follows:

- Auth: ``Authorization: token USER:TOKEN`` (internal/auth/auth.go).
- ``PUT /api/campaigns/{id}`` binds the request onto the stored campaign but
  starts ``lists`` empty, so every update carries ``lists`` again (otherwise
  400 "Invalid list IDs.").
- Status changes (``PUT .../status``) are not safe to repeat ("running" twice
  is a 400), so they go through the base's re-read-before-retry sequence.
- Test sends (``POST .../test``) go only to addresses that already are
  subscribers; the server skips unknown ones silently, so we check first.
  The handler binds a fresh campaign from the body and validates it like a
  create: the body carries name, subject, lists, content type and
  ``"messenger": "email"`` (otherwise 400 "Unknown messenger .").
- Subject, body and alt body are Go templates (html/template, text/template).
  Content that contains ``{{`` is escaped as the Go string-literal action
  ``{{"{{"}}``, which prints ``{{``; ``}}`` outside an action is plain text.
- The campaign finds itself again by its tag (``GET /api/campaigns?tag=``:
  the server reads ``tag``, although the OpenAPI file says ``tags``). The tag
  holds only the slug, so a match is ours only if its ``lists`` (every
  campaign object carries ``[{"id", "name"}]``, from campaign_lists; the id
  is null or 0 once the list is deleted) are LISTMONK_LIST_IDS: see
  ``CampaignProvider.ours``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import ConfigError
from ..models import Content
from .base import FEATURES, Campaign, CampaignProvider, Status
from .http import ApiClient, HttpPolicy, iso_time, json_of

if TYPE_CHECKING:
    from ..ledger import Record

MESSENGER = "email"  # Listmonk's built-in SMTP messenger

STATUS_MAP = {
    "draft": Status.DRAFT,
    "scheduled": Status.SCHEDULED,
    "running": Status.QUEUED,
    "finished": Status.SENT,
    "cancelled": Status.FAILED,  # stopped mid-send: part of the list may have it
    "paused": Status.UNKNOWN,  # started, then paused: resuming is a human decision
}


class ListmonkProvider(CampaignProvider):
    name = "listmonk"
    required_settings = ("LISTMONK_URL", "LISTMONK_USERNAME", "LISTMONK_TOKEN", "LISTMONK_LIST_IDS")
    credentials = ("LISTMONK_USERNAME", "LISTMONK_TOKEN")
    unsubscribe_tag = "{{ UnsubscribeURL }}"
    features: ClassVar[frozenset[str]] = FEATURES
    list_setting = "LISTMONK_LIST_IDS"

    def setup(self) -> None:
        self.list_ids = self.config.ids("LISTMONK_LIST_IDS", "3 or 3,4")
        user, token = self.config.get("LISTMONK_USERNAME"), self.config.get("LISTMONK_TOKEN")
        self.redactor.add(f"{user}:{token}")
        root = self.config.url("LISTMONK_URL", "https://lists.example.org")
        self.api = ApiClient(self.name, f"{root}/api", redactor=self.redactor,
                             policy=HttpPolicy.from_config(self.config),
                             headers={"Authorization": f"token {user}:{token}"}, sleep=self.sleep,
                             credentials=self.credentials)

    def close(self) -> None:
        self.api.close()

    @property
    def list_ref(self) -> str:
        return "lists=" + ",".join(map(str, self.list_ids))

    @property
    def target_lists(self) -> frozenset[str]:
        return frozenset(map(str, self.list_ids))

    def escape_template_syntax(self, text: str, html: bool) -> str:
        """``{{`` becomes the Go action ``{{"{{"}}`` (prints ``{{``), one left-to-right pass."""
        return text.replace("{{", '{{"{{"}}')

    # -- steps
    def find_campaign(self, name: str, tag: str) -> Campaign | None:
        reply = self.api.get("/campaigns", params={"tag": tag, "per_page": "all", "no_body": "true"},
                             action="look the campaign up by tag")
        results = (json_of(reply).get("data") or {}).get("results") or []
        # match by name too: a server that ignored `tag` returns every campaign
        found = [self._campaign(c) for c in results if c.get("name") == name or tag in (c.get("tags") or [])]
        return self.ours(found)

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        reply = self.api.get(f"/campaigns/{campaign_id}", params={"no_body": "true"}, ok=(200, 404),
                             action=f"read campaign {campaign_id}")
        if reply.status_code == 404:
            return None
        return self._campaign(json_of(reply).get("data") or {})

    def create_campaign(self, content: Content, name: str, tag: str) -> Campaign:
        payload = {**self._payload(content), "name": name, "tags": [tag], "type": "regular",
                   "messenger": MESSENGER}
        reply = self.api.post("/campaigns", json_body=payload, action="create the campaign")
        return self._campaign(json_of(reply).get("data") or {})

    def update_campaign(self, campaign: Campaign, content: Content) -> None:
        self.api.put(f"/campaigns/{campaign.id}", json_body=self._payload(content),
                     action=f"update campaign {campaign.id}")

    def send_test(self, campaign: Campaign, content: Content, recipients: list[str]) -> None:
        self._require_subscribers(recipients)
        # the handler binds a fresh campaign from this body and validates it like a create
        # (handleTestCampaign -> validateCampaignFields): without "messenger" it is a 400
        # "Unknown messenger ."; name, subject and lists must be here too
        payload = {**self._payload(content), "name": campaign.name, "messenger": MESSENGER,
                   "subscribers": recipients}
        self.api.post(f"/campaigns/{campaign.id}/test", json_body=payload, idempotent=False,
                      action=f"test-send campaign {campaign.id}")

    def schedule_campaign(self, campaign: Campaign, when: datetime) -> None:
        # send_at lives on the campaign (a PUT, which must carry lists again); a
        # scheduled campaign keeps its status, a draft then moves to "scheduled"
        self.api.put(f"/campaigns/{campaign.id}", json_body={"lists": self.list_ids, "send_later": True,
                                                             "send_at": when.isoformat()},
                     action=f"set the send time of campaign {campaign.id}")
        if campaign.status != Status.SCHEDULED:
            self._set_status(campaign, "scheduled")

    def send_campaign(self, campaign: Campaign) -> None:
        self._set_status(campaign, "running")

    def planned_calls(self, kind: str, record: Record) -> list[str]:
        locate = (f"GET /api/campaigns/{record.campaign_id}  re-read the campaign" if record.campaign_id else
                  "GET /api/campaigns?tag=...  look the campaign up by tag")
        calls = [locate, "POST /api/campaigns  create the draft (only if not found)",
                 "PUT /api/campaigns/{id}  put subject, body, alt body and lists"]
        if kind == "test":
            return calls + ["GET /api/subscribers?query=...  check the test recipients are subscribers",
                            "POST /api/campaigns/{id}/test  send the test"]
        if kind == "schedule":
            return calls + ["PUT /api/campaigns/{id}  set send_at (lists again)",
                            'PUT /api/campaigns/{id}/status  {"status": "scheduled"}']
        return calls + ['PUT /api/campaigns/{id}/status  {"status": "running"}']

    # -- helpers
    def _payload(self, content: Content) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "subject": content.subject, "lists": self.list_ids, "content_type": "html",
            "from_email": f"{content.from_name} <{content.from_email}>" if content.from_name else content.from_email,
            "body": content.html, "altbody": content.text,  # the preheader is already in the HTML
        }
        if content.reply_to:
            payload["headers"] = [{"Reply-To": content.reply_to}]
        return payload

    def _set_status(self, campaign: Campaign, status: str) -> None:
        # not safe to repeat ("running" twice is a 400): AmbiguousOutcome makes the base re-read first
        self.api.put(f"/campaigns/{campaign.id}/status", json_body={"status": status}, idempotent=False,
                     action=f"set campaign {campaign.id} to {status}")

    def _require_subscribers(self, recipients: list[str]) -> None:
        quoted = ",".join("'" + r.lower().replace("'", "''") + "'" for r in recipients)
        reply = self.api.get("/subscribers", params={"query": f"subscribers.email IN ({quoted})",
                                                     "per_page": "all"},
                             action="check the test recipients are subscribers")
        known = {s.get("email", "").lower() for s in (json_of(reply).get("data") or {}).get("results") or []}
        missing = [r for r in recipients if r.lower() not in known]
        if missing:
            raise ConfigError(f"listmonk: test recipients must already be subscribers; not found: "
                              f"{', '.join(missing)} (add them in Listmonk, or change "
                              "NEWSLETTER_TEST_RECIPIENTS / --to)")

    def _campaign(self, data: dict[str, Any]) -> Campaign:
        raw = str(data.get("status", ""))
        lists = data.get("lists")
        return Campaign(str(data.get("id", "")), str(data.get("name", "")), STATUS_MAP.get(raw, Status.UNKNOWN),
                        iso_time(data.get("send_at")) if raw == "scheduled" else None, raw,
                        None if lists is None else frozenset(str(lst["id"]) for lst in lists if lst.get("id")))
