"""A fake Brevo API v3 (email campaigns and contacts).

Sources: Brevo's OpenAPI description (getbrevo/brevo-go api/swagger.yaml):
create answers 201 ``{"id"}``, update/sendNow/sendTest answer 204, errors
are ``{"code", "message"}`` with codes such as ``campaign_sent`` and
``document_not_found``; sendTest's 400 (postSendFailed) lists
``unexistingEmails``, ``withoutListEmails`` and ``blackListedEmails``. Auth is
the ``api-key`` header (401 ``{"code": "unauthorized", "message": "Key not
found"}``). Rate limits come as ``x-sib-ratelimit-limit/-remaining/-reset``
headers (seconds), with no Retry-After. Campaign HTML goes through Brevo's
template language (Django-like ``{{ }}``/``{% %}``/``{# #}``, with
``{% verbatim %}`` to print braces), applied when a message is delivered.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from .server import FakeServer, HTTPError, Reply, Request, seconds_header

# Django's lexer: tags never span lines, the first closing delimiter wins.
_TOKEN = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#})")


def error(status: int, code: str, message: str) -> HTTPError:
    return HTTPError(Reply(status, {"code": code, "message": message}))


def render_brevo(text: str, values: dict[str, Any]) -> str:
    """Render Brevo's template language the way a Django-style lexer does.

    Variables resolve from ``values`` (dotted: ``contact.FIRSTNAME``); an
    unknown one renders empty. ``{% verbatim %}`` ... ``{% endverbatim %}``
    prints its content unevaluated. Other block tags and comments print
    nothing.
    """
    out, verbatim = [], False
    for token in _TOKEN.split(text):
        inner = token[2:-2].strip() if token[:2] in ("{%", "{{", "{#") else None
        if verbatim:
            if token.startswith("{%") and inner == "endverbatim":
                verbatim = False
            else:
                out.append(token)
        elif inner is None:
            out.append(token)
        elif token.startswith("{%"):
            verbatim = inner == "verbatim"
        elif token.startswith("{{"):
            out.append(_resolve(inner.split("|")[0].strip(), values))
    return "".join(out)


def _resolve(name: str, values: dict[str, Any]) -> str:
    value: Any = values
    for part in name.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return str(value)


class BrevoFake(FakeServer):
    """Email campaigns, contacts and lists of one Brevo account."""

    base_path = "/v3"

    def __init__(self, api_key: str = "xkeysib-fake-secret-0123456789",
                 lists: dict[int, str] | None = None, contacts: list[str] | None = None,
                 senders: set[str] | None = None, blocklisted: list[str] | None = None,
                 unlisted: list[str] | None = None):
        self.api_key = api_key
        self.lists = lists or {7: "Newsletter"}
        self.contacts = {e.lower(): {"listIds": list(self.lists), "emailBlacklisted": False}
                         for e in contacts or ["editor@example.org"]}
        # contacts who unsubscribed or were blocked, and contacts in no list: sendTest refuses both
        self.contacts |= {e.lower(): {"listIds": list(self.lists), "emailBlacklisted": True} for e in blocklisted or []}
        self.contacts |= {e.lower(): {"listIds": [], "emailBlacklisted": False} for e in unlisted or []}
        self.senders = senders  # None: any sender address is accepted
        self.campaigns: dict[int, dict[str, Any]] = {}
        self.test_messages: list[dict[str, Any]] = []
        self.list_sends: list[dict[str, Any]] = []
        super().__init__()

    def routes(self):
        return [
            ("GET", "/emailCampaigns", self.list_campaigns),
            ("POST", "/emailCampaigns", self.create),
            ("GET", r"/emailCampaigns/(\d+)", self.get),
            ("PUT", r"/emailCampaigns/(\d+)", self.update),
            ("POST", r"/emailCampaigns/(\d+)/sendNow", self.send_now),
            ("POST", r"/emailCampaigns/(\d+)/sendTest", self.send_test),
        ]

    # ----- provider conventions
    def authorized(self, request: Request) -> bool:
        return request.header("api-key") == self.api_key

    def auth_error(self, request: Request) -> Reply:
        return Reply(401, {"code": "unauthorized", "message": "Key not found"})

    def error_reply(self, status: int, message: str) -> Reply:
        codes = {404: "document_not_found", 405: "method_not_allowed"}
        return Reply(status, {"code": codes.get(status, "internal_error"), "message": message})

    def rate_limited(self, reset: float) -> Reply:
        return Reply(429, {"code": "too_many_requests", "message": "The expected rate limit is exceeded."},
                     {"x-sib-ratelimit-limit": "100", "x-sib-ratelimit-remaining": "0",
                      "x-sib-ratelimit-reset": seconds_header(reset)})

    def rate_headers(self, limit: int, remaining: int, reset: float) -> dict[str, str]:
        return {"x-sib-ratelimit-limit": str(limit), "x-sib-ratelimit-remaining": str(remaining),
                "x-sib-ratelimit-reset": seconds_header(reset)}

    # ----- test helpers
    def campaigns_named(self, name: str) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.campaigns.values() if c["name"] == name]

    # ----- handlers
    def list_campaigns(self, request: Request) -> Reply:
        limit = int(request.arg("limit", "50") or 50)
        if not 0 <= limit <= 100:
            raise error(400, "out_of_range", "Limit exceeds max value")
        offset = int(request.arg("offset", "0") or 0)
        status = request.arg("status")
        found = sorted((c for c in self.campaigns.values() if not status or c["status"] == status),
                       key=lambda c: c["id"], reverse=request.arg("sort", "desc") != "asc")
        page = [self._view(c, request.arg("excludeHtmlContent") == "true") for c in found[offset:offset + limit]]
        return Reply(200, {"campaigns": page, "count": len(found)})

    def create(self, request: Request) -> Reply:
        payload = request.json or {}
        if not payload.get("name"):
            raise error(400, "missing_parameter", "name is missing")
        campaign = {"id": max(self.campaigns, default=0) + 1, "type": "classic", "status": "draft",
                    "testSent": False, "scheduledAt": "", "createdAt": _now(), "tag": "", "previewText": "",
                    "header": "[DEFAULT_HEADER]", "footer": "[DEFAULT_FOOTER]"}
        campaign.update(self._validated(payload, required=True))
        campaign["modifiedAt"] = _now()
        self.campaigns[campaign["id"]] = campaign
        return Reply(201, {"id": campaign["id"]})

    def get(self, request: Request, cid: str) -> Reply:
        return Reply(200, self._view(self._campaign(cid)))

    def update(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        if campaign["status"] == "sent":
            raise error(400, "campaign_sent", "Campaign has already been sent")
        campaign.update(self._validated(request.json or {}, required=False))
        campaign["modifiedAt"] = _now()
        return Reply(204)

    def send_now(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        if campaign["status"] == "sent":
            raise error(400, "campaign_sent", "Campaign has already been sent")
        ids = set(campaign["recipients"]["lists"])
        members = [e for e, c in self.contacts.items() if ids & set(c["listIds"])]
        campaign.update(status="sent", sentDate=_now())
        self.list_sends.append({"campaign_id": campaign["id"], "recipients": members,
                                "messages": [self._message(campaign, m) for m in members]})
        return Reply(204)

    def send_test(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        emails = [e.lower() for e in (request.json or {}).get("emailTo") or []]
        failed = {"unexistingEmails": [e for e in emails if e not in self.contacts],
                  "withoutListEmails": [e for e in emails if e in self.contacts and not self.contacts[e]["listIds"]],
                  "blackListedEmails": [e for e in emails if self.contacts.get(e, {}).get("emailBlacklisted")]}
        if any(failed.values()):  # the reference's postSendFailed: code, message and the three lists
            raise HTTPError(Reply(400, {"code": "invalid_parameter",
                                        "message": "The email could not be sent to all recipients",
                                        **{key: found for key, found in failed.items() if found}}))
        for email in emails:
            self.test_messages.append(self._message(campaign, email))
        campaign["testSent"] = True
        return Reply(204)

    # ----- helpers
    def _campaign(self, cid: str) -> dict[str, Any]:
        campaign = self.campaigns.get(int(cid))
        if campaign is None:
            raise error(404, "document_not_found", "Campaign ID not found")
        return campaign

    def _validated(self, payload: dict[str, Any], required: bool) -> dict[str, Any]:
        fields = {k: payload[k] for k in ("name", "subject", "previewText", "replyTo", "htmlContent", "tag",
                                          "toField") if k in payload}
        sender = payload.get("sender")
        if sender is not None or required:
            if not sender or not sender.get("email"):
                raise error(400, "missing_parameter", "sender is missing")
            if self.senders is not None and sender["email"] not in self.senders:
                raise error(400, "invalid_parameter", "Sender is invalid / inactive")
            fields["sender"] = {"name": sender.get("name", ""), "email": sender["email"], "id": 1}
        if required and not payload.get("htmlContent"):
            raise error(400, "missing_parameter", "htmlContent is missing")
        recipients = payload.get("recipients")
        if recipients is not None or required:
            ids = (recipients or {}).get("listIds") or []
            if not ids or any(int(i) not in self.lists for i in ids):
                raise error(400, "invalid_parameter", "listIds are invalid")
            fields["recipients"] = {"lists": [int(i) for i in ids], "exclusionLists": []}
        if payload.get("scheduledAt"):
            when = datetime.fromisoformat(payload["scheduledAt"].replace("Z", "+00:00"))
            if when.tzinfo is None or when <= datetime.now(UTC):
                raise error(400, "invalid_parameter", "scheduledAt should be a date in the future")
            fields.update(scheduledAt=payload["scheduledAt"], status="queued")
        return fields

    def _message(self, campaign: dict[str, Any], email: str) -> dict[str, Any]:
        values = {"contact": {"EMAIL": email, "FIRSTNAME": email.split("@")[0].title()},
                  "unsubscribe": f"{self.root}/unsubscribe/{campaign['id']}?e={email}",
                  "mirror": f"{self.root}/mirror/{campaign['id']}"}
        return {"to": email, "subject": render_brevo(campaign.get("subject", ""), values),
                "preview_text": render_brevo(campaign.get("previewText", ""), values),
                "from": campaign["sender"], "reply_to": campaign.get("replyTo"),
                "html": render_brevo(campaign.get("htmlContent", ""), values)}

    @staticmethod
    def _view(campaign: dict[str, Any], exclude_html: bool = False) -> dict[str, Any]:
        view = dict(campaign)
        if exclude_html:
            view["htmlContent"] = ""
        return view


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
