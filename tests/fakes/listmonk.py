"""A fake Listmonk (v4+ API) that behaves like knadh/listmonk's handlers.

Sources: cmd/campaigns.go (handlers, validateCampaignFields, canEditCampaign),
internal/core/campaigns.go (UpdateCampaignStatus transitions),
internal/auth/auth.go (``Authorization: token user:token``, 403
"invalid API credentials"), i18n/en.json (messages). Errors are
``{"message": "..."}``. Campaign bodies, subjects and alt bodies are Go
templates: an unknown function is a 400 at create/update, exactly what
unescaped ``{{`` in content triggers on a real server.

Listmonk itself has no rate limiter; deployments put one in front of it that
answers 429 with Retry-After, which ``rate_limited`` imitates.
"""

from __future__ import annotations

import base64
import json
import re
import uuid as uuidlib
from datetime import UTC, datetime
from typing import Any

from .server import FakeServer, HTTPError, Reply, Request, seconds_header

EDITABLE = {"draft", "scheduled", "paused"}

# i18n/en.json (knadh/listmonk 911e0b77)
MSG = {
    "cantUpdate": "Cannot update a running or a finished campaign.",
    "fieldInvalidBody": "Error compiling campaign body: {error}",
    "fieldInvalidFromEmail": "Invalid `from_email`.",
    "fieldInvalidListIDs": "Invalid list IDs.",
    "fieldInvalidMessenger": "Unknown messenger {name}.",
    "fieldInvalidName": "Invalid length for name.",
    "fieldInvalidSubject": "Invalid length for subject.",
    "fieldInvalidSendAt": "Scheduled date should be in the future.",
    "needsSendAt": "Campaign needs a date to be scheduled.",
    "noSubsToTest": "There are no subscribers to target.",
    "noKnownSubsToTest": "No known subscribers to test.",
    "onlyActiveCancel": "Only active campaigns can be cancelled.",
    "onlyActivePause": "Only active campaigns can be paused.",
    "onlyDraftAsScheduled": "Only draft or paused campaigns can be scheduled.",
    "onlyPausedDraft": "Only paused campaigns and drafts can be started.",
    "onlyScheduledAsDraft": "Only scheduled campaigns can be saved as drafts.",
    "notFound": "Campaign not found.",
    "invalidID": "Invalid ID",
}
MESSENGERS = {"email"}  # manager.HasMessenger: the built-in SMTP messenger; "email-<name>" falls back to it
CONTENT_TYPES = {"richtext", "html", "plain", "visual", "markdown"}  # anything else becomes richtext
NAME_MAX = 2000  # cmd/handlers.go stdInputMaxLen
FROM_ADDRESS = re.compile(r"((.+?)\s)?<(.+?)@(.+?)>")  # cmd/campaigns.go reFromAddress
PLAIN_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")  # what importer.SanitizeEmail accepts, roughly
# TestCampaign: the stored campaign for preview, these fields taken from the request (empty if absent)
TEST_OVERRIDES = ("name", "subject", "from_email", "body", "altbody", "messenger", "content_type", "headers",
                  "template_id")


class GoTemplateError(ValueError):
    pass


_ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_FUNCS = {"UnsubscribeURL", "TrackView", "TrackLink", "MessageURL", "ManageURL", "OptinURL", "Date", "L", "Safe"}


def render_go_template(text: str, data: dict[str, Any], name: str = "content") -> str:
    """Render the subset of Go's text/template that campaign content uses.

    Supported actions: string literals (``{{"{{"}}``), comments, ``.Field``
    lookups and Listmonk's template functions. Anything else fails the way
    Go's parser does: ``function "x" not defined``.
    """
    out, pos = [], 0
    for found in _ACTION.finditer(text):
        out.append(text[pos:found.start()])
        out.append(_action(found.group(1), data, name, text.count("\n", 0, found.start()) + 1))
        pos = found.end()
    rest = text[pos:]
    if "{{" in rest:
        line = text.count("\n", 0, pos + rest.index("{{")) + 1
        raise GoTemplateError(f"template: {name}:{line}: unclosed action")
    out.append(rest)
    return "".join(out)


def _action(expr: str, data: dict[str, Any], name: str, line: int) -> str:
    if expr.startswith("/*") and expr.endswith("*/"):
        return ""
    if expr[:1] == '"':
        try:
            return str(json.loads(expr))
        except ValueError:
            raise GoTemplateError(f"template: {name}:{line}: unterminated quoted string") from None
    if expr[:1] == "`" and expr.endswith("`") and len(expr) > 1:
        return expr[1:-1]
    if expr.startswith("."):
        value: Any = data
        for part in expr[1:].split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return str(value)
    word = expr.split()[0] if expr.split() else ""
    if word in _FUNCS:
        return str(data.get("funcs", {}).get(word, f"[{word}]"))
    raise GoTemplateError(f'template: {name}:{line}: function "{word}" not defined')


class ListmonkFake(FakeServer):
    """Campaigns, lists and subscribers of one Listmonk instance."""

    base_path = "/api"

    def __init__(self, username: str = "api-user", token: str = "listmonk-secret-token",
                 lists: dict[int, str] | None = None, subscribers: list[str] | None = None):
        self.username, self.token = username, token
        self.lists = lists or {1: "Default list", 2: "Newsletter"}
        self.subscribers = {email.lower(): {"id": i + 1, "uuid": str(uuidlib.uuid4()), "email": email.lower(),
                                            "name": email.split("@")[0].title(), "lists": list(self.lists)}
                            for i, email in enumerate(subscribers or ["editor@example.org"])}
        self.campaigns: dict[int, dict[str, Any]] = {}
        self.test_messages: list[dict[str, Any]] = []  # one per test recipient
        self.list_sends: list[dict[str, Any]] = []  # one per campaign started
        super().__init__()

    def routes(self):
        return [
            ("GET", "/campaigns", self.list_campaigns),
            ("POST", "/campaigns", self.create),
            ("GET", r"/campaigns/(\d+)", self.get),
            ("PUT", r"/campaigns/(\d+)", self.update),
            ("PUT", r"/campaigns/(\d+)/status", self.set_status),
            ("POST", r"/campaigns/(\d+)/test", self.test),
            ("GET", "/subscribers", self.list_subscribers),
        ]

    # ----- provider conventions
    def authorized(self, request: Request) -> bool:
        header = request.header("Authorization").strip()
        if header.startswith("token "):
            pair = header[len("token "):].strip()
        elif header.startswith("Basic "):
            pair = base64.b64decode(header[6:].strip()).decode(errors="replace")
        else:
            return False
        return pair == f"{self.username}:{self.token}"

    def auth_error(self, request: Request) -> Reply:
        message = "invalid API credentials" if request.header("Authorization") else "invalid session"
        return Reply(403, {"message": message})

    def error_reply(self, status: int, message: str) -> Reply:
        return Reply(status, {"message": message})

    def rate_limited(self, reset: float) -> Reply:
        return Reply(429, {"message": "too many requests"}, {"Retry-After": seconds_header(reset)})

    # ----- test helpers
    def campaigns_named(self, name: str) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.campaigns.values() if c["name"] == name]

    # ----- handlers
    def list_campaigns(self, request: Request) -> Reply:
        tags = request.query.get("tag", [])  # the server reads `tag`; the spec's `tags` is ignored
        statuses = request.query.get("status", [])
        query = (request.arg("query") or "").strip().lower()
        found = [self._view(c) for c in sorted(self.campaigns.values(), key=lambda c: -c["id"])
                 if (not tags or set(tags) & set(c["tags"]))
                 and (not statuses or c["status"] in statuses)
                 and (not query or query in f'{c["name"]} {c["subject"]}'.lower())]
        per_page_arg = request.arg("per_page", "20")
        page = max(1, int(request.arg("page", "1") or 1))
        per_page = (len(found) or 1) if per_page_arg == "all" else int(per_page_arg)
        results = found[(page - 1) * per_page: page * per_page]
        if request.arg("no_body") == "true":
            results = [{**c, "body": ""} for c in results]
        if not results:
            return Reply(200, {"data": {"results": []}})
        return Reply(200, {"data": {"results": results, "query": query, "total": len(found),
                                    "per_page": per_page, "page": page}})

    def create(self, request: Request) -> Reply:
        payload = request.json or {}
        # CreateCampaign: an empty messenger becomes "email" before validation
        payload = {**payload, "messenger": payload.get("messenger") or "email"}
        campaign = {"id": max(self.campaigns, default=0) + 1, "uuid": str(uuidlib.uuid4()),
                    "type": payload.get("type") or "regular", "status": "draft",
                    "content_type": payload.get("content_type") or "richtext",
                    "messenger": "email", "tags": [], "send_at": None,
                    "altbody": None, "body": "", "from_email": "listmonk <noreply@listmonk.yoursite.com>",
                    "template_id": 1, "created_at": _now(), "sent": 0, "to_send": 0, "started_at": None}
        campaign.update(self._validated(payload, campaign))
        campaign["updated_at"] = _now()
        self.campaigns[campaign["id"]] = campaign
        return Reply(200, {"data": self._view(campaign)})

    def get(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        if campaign["status"] == "running":  # the fake delivers instantly
            campaign["status"] = "finished"
        view = self._view(campaign)
        if request.arg("no_body") == "true":  # GetCampaign blanks the body on request
            view["body"] = ""
        return Reply(200, {"data": view})

    def update(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        if campaign["status"] not in EDITABLE:
            raise HTTPError(Reply(400, {"message": MSG["cantUpdate"]}))
        # Fields bind onto the stored campaign, except `lists`, which starts
        # empty: an update without `lists` fails validation.
        campaign.update(self._validated(request.json or {}, {**campaign, "lists": []}))
        campaign["updated_at"] = _now()
        return Reply(200, {"data": self._view(campaign)})

    def set_status(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        status, current = (request.json or {}).get("status"), campaign["status"]
        error = ""
        # internal/core/campaigns.go UpdateCampaignStatus; an unknown status is written as is there
        # (the database's enum refuses it: a 500)
        if status == "draft" and current != "scheduled":
            error = MSG["onlyScheduledAsDraft"]
        elif status == "scheduled":
            if current not in ("draft", "paused"):
                error = MSG["onlyDraftAsScheduled"]
            if not campaign["send_at"]:
                error = MSG["needsSendAt"]
        elif status == "running" and current not in ("paused", "draft"):
            error = MSG["onlyPausedDraft"]
        elif status == "paused" and current != "running":
            error = MSG["onlyActivePause"]
        elif status == "cancelled" and current not in ("running", "paused"):
            error = MSG["onlyActiveCancel"]
        elif status not in ("draft", "scheduled", "running", "paused", "cancelled"):
            raise HTTPError(Reply(500, {"message": "Error updating campaign: invalid input value for enum "
                                                   f"campaign_status: \"{status}\""}))
        if error:
            raise HTTPError(Reply(400, {"message": error}))
        campaign["status"] = status
        if status == "running":
            self._deliver(campaign)
        return Reply(200, {"data": self._view(campaign)})

    def test(self, request: Request, cid: str) -> Reply:
        """TestCampaign: binds a *fresh* campaign from the body and validates it like create/update.

        So the body must carry name, subject, lists and messenger itself
        (without ``"messenger"`` the real server answers 400 "Unknown
        messenger ."); what is sent is the stored campaign with the request's
        fields (``TEST_OVERRIDES``) in place, absent ones empty.
        """
        campaign = self._campaign(cid)
        payload = request.json or {}
        checked = self._validated(payload, {})
        emails = [e.strip().lower() for e in payload.get("subscribers") or []]
        if not emails:
            raise HTTPError(Reply(400, {"message": MSG["noSubsToTest"]}))
        known = [self.subscribers[e] for e in emails if e in self.subscribers]
        if not known:  # unknown addresses are skipped silently, as the real server does
            raise HTTPError(Reply(400, {"message": MSG["noKnownSubsToTest"]}))
        sent = {**campaign, **{key: checked.get(key, "") for key in TEST_OVERRIDES}}
        for subscriber in known:
            self.test_messages.append(self._message(sent, subscriber))
        return Reply(200, {"data": True})

    def list_subscribers(self, request: Request) -> Reply:
        query = request.arg("query") or ""
        wanted = {e.lower() for e in re.findall(r"'([^']*)'", query)} if "email" in query else None
        found = [s for s in self.subscribers.values() if wanted is None or s["email"] in wanted]
        return Reply(200, {"data": {"results": found, "total": len(found), "per_page": len(found),
                                    "page": 1, "query": query}})

    # ----- helpers
    def _campaign(self, cid: str) -> dict[str, Any]:
        campaign = self.campaigns.get(int(cid))
        if campaign is None:
            raise HTTPError(Reply(404, {"message": MSG["notFound"]}))
        return campaign

    def _validated(self, payload: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        """validateCampaignFields: the merged fields, or a 400 with Listmonk's message."""
        fields = {k: payload[k] for k in ("name", "subject", "from_email", "body", "altbody", "content_type",
                                          "tags", "send_at", "template_id", "headers", "messenger")
                  if k in payload}
        merged = {**base, **fields}
        lists = payload.get("lists") or []
        sender = merged.get("from_email") or ""
        if sender and not FROM_ADDRESS.search(sender) and not PLAIN_EMAIL.match(sender):
            raise HTTPError(Reply(400, {"message": MSG["fieldInvalidFromEmail"]}))
        if not 1 <= len(merged.get("name") or "") <= NAME_MAX:
            raise HTTPError(Reply(400, {"message": MSG["fieldInvalidName"]}))
        if not 1 <= len(merged.get("subject") or "") <= 5000:
            raise HTTPError(Reply(400, {"message": MSG["fieldInvalidSubject"]}))
        if merged.get("send_at") and _parse(merged["send_at"]) <= datetime.now(UTC):
            raise HTTPError(Reply(400, {"message": MSG["fieldInvalidSendAt"]}))
        if not lists or any(int(i) not in self.lists for i in lists):
            raise HTTPError(Reply(400, {"message": MSG["fieldInvalidListIDs"]}))
        messenger = merged.get("messenger") or ""
        if messenger not in MESSENGERS:
            if not messenger.startswith("email-"):
                raise HTTPError(Reply(400, {"message": MSG["fieldInvalidMessenger"].format(name=messenger)}))
            fields["messenger"] = "email"
        if merged.get("content_type") not in CONTENT_TYPES:
            fields["content_type"] = "richtext"
        for key in ("subject", "body", "altbody"):
            try:
                render_go_template(merged.get(key) or "", {})
            except GoTemplateError as exc:
                raise HTTPError(Reply(400, {"message": MSG["fieldInvalidBody"].format(error=exc)})) from None
        fields["lists"] = [{"id": int(i), "name": self.lists[int(i)]} for i in lists]
        fields["tags"] = [t.strip() for t in merged.get("tags") or []]
        return fields

    def _deliver(self, campaign: dict[str, Any]) -> None:
        ids = {lst["id"] for lst in campaign["lists"]}
        recipients = [s for s in self.subscribers.values() if ids & set(s["lists"])]
        campaign.update(started_at=_now(), to_send=len(recipients), sent=len(recipients))
        self.list_sends.append({"campaign_id": campaign["id"], "recipients": [s["email"] for s in recipients],
                                "messages": [self._message(campaign, s) for s in recipients]})

    def _message(self, campaign: dict[str, Any], subscriber: dict[str, Any]) -> dict[str, Any]:
        unsubscribe = f"{self.root}/subscription/{campaign['uuid']}/{subscriber['uuid']}"
        data = {"Subscriber": {"Name": subscriber["name"], "Email": subscriber["email"],
                               "UUID": subscriber["uuid"], "FirstName": subscriber["name"].split()[0]},
                "Campaign": {"Name": campaign["name"], "Subject": campaign["subject"], "UUID": campaign["uuid"]},
                "funcs": {"UnsubscribeURL": unsubscribe, "TrackView": "", "MessageURL": f"{self.root}/campaign/x"}}
        return {"to": subscriber["email"], "subject": render_go_template(campaign["subject"], data),
                "from": campaign["from_email"], "html": render_go_template(campaign["body"], data),
                "text": render_go_template(campaign.get("altbody") or "", data)}

    @staticmethod
    def _view(campaign: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in campaign.items()}


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
