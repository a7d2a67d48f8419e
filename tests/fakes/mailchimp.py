"""A fake Mailchimp Marketing API 3.0 (campaigns, content, actions, lists).

Sources: the Marketing API 3.0.55 OpenAPI description (campaign statuses
save/paused/schedule/sending/sent; schedule_time "UTC ... only on the
quarter-hour"; ``count`` at most 1000; actions answer 204) and the error
glossary: every error is ``application/problem+json``
``{type, title, status, detail, instance}``. Auth is HTTP Basic with any
user name and the API key as password. At most 10 simultaneous connections
per key; beyond that, 429. Merge tags (``*|FNAME|*``, ``*|UNSUB|*``) are
replaced when a message is delivered, so unescaped ``*|`` in content shows up
mangled in the delivered copy.
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid as uuidlib
from datetime import UTC, datetime
from typing import Any

from .server import FakeServer, HTTPError, Reply, Request, seconds_header

ERRORS_DOC = "https://mailchimp.com/developer/marketing/docs/errors/"
EDITABLE = {"save", "paused"}
_MERGE_TAG = re.compile(r"\*\|([A-Z0-9_:]+)\|\*")


def problem(status: int, title: str, detail: str, errors: list[dict[str, str]] | None = None) -> Reply:
    body: dict[str, Any] = {"type": ERRORS_DOC, "title": title, "status": status, "detail": detail,
                            "instance": str(uuidlib.uuid4())}
    if errors:
        body["errors"] = errors
    return Reply(status, body, content_type="application/problem+json")


def bad_request(detail: str) -> HTTPError:
    return HTTPError(problem(400, "Bad Request", detail))


def invalid(field: str, message: str) -> HTTPError:
    return HTTPError(problem(400, "Invalid Resource", "The resource submitted could not be validated. "
                             "For field-specific details, see the 'errors' array.",
                             [{"field": field, "message": message}]))


def project(value: Any, fields: list[str], prefix: str = "") -> Any:
    """Apply ``fields=`` (dotted paths) to a response, as Mailchimp does."""
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        path = f"{prefix}{key}"
        if any(f == path or f.startswith(path + ".") for f in fields):
            if isinstance(item, list):
                out[key] = [project(i, fields, path + ".") for i in item]
            elif any(f.startswith(path + ".") for f in fields):
                out[key] = project(item, fields, path + ".")
            else:
                out[key] = item
    return out


class MailchimpFake(FakeServer):
    """Campaigns and audiences of one Mailchimp account."""

    base_path = "/3.0"

    def __init__(self, api_key: str = "0123456789abcdef0123456789abcdef-us21",
                 lists: dict[str, list[str]] | None = None):
        self.api_key = api_key
        self.lists = lists or {"a1b2c3d4e5": ["reader@example.org", "editor@example.org"]}
        self.campaigns: dict[str, dict[str, Any]] = {}
        self.test_messages: list[dict[str, Any]] = []
        self.list_sends: list[dict[str, Any]] = []
        super().__init__()
        self.max_in_flight = 10

    def routes(self):
        return [
            ("GET", "/campaigns", self.list_campaigns),
            ("POST", "/campaigns", self.create),
            ("GET", r"/campaigns/(\w+)", self.get),
            ("PATCH", r"/campaigns/(\w+)", self.update),
            ("GET", r"/campaigns/(\w+)/content", self.get_content),
            ("PUT", r"/campaigns/(\w+)/content", self.set_content),
            ("POST", r"/campaigns/(\w+)/actions/test", self.test),
            ("POST", r"/campaigns/(\w+)/actions/schedule", self.schedule),
            ("POST", r"/campaigns/(\w+)/actions/unschedule", self.unschedule),
            ("POST", r"/campaigns/(\w+)/actions/send", self.send),
            ("GET", r"/campaigns/(\w+)/send-checklist", self.checklist),
        ]

    # ----- provider conventions
    def authorized(self, request: Request) -> bool:
        header = request.header("Authorization")
        if not header.startswith("Basic "):
            return False
        _, _, key = base64.b64decode(header[6:]).decode(errors="replace").partition(":")
        return key == self.api_key

    def auth_error(self, request: Request) -> Reply:
        return problem(401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access "
                       "the wrong datacenter.")

    def error_reply(self, status: int, message: str) -> Reply:
        titles = {400: "Bad Request", 403: "Forbidden", 404: "Resource Not Found", 405: "Method Not Allowed", 500: "Internal Server Error",
                  502: "Bad Gateway", 503: "Service Unavailable"}
        return problem(status, titles.get(status, "Error"), message)

    def rate_limited(self, reset: float) -> Reply:
        reply = problem(429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous connections.")
        reply.headers["Retry-After"] = seconds_header(reset)
        return reply

    # ----- test helpers
    def campaigns_titled(self, title: str) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.campaigns.values() if c["settings"].get("title") == title]

    # ----- handlers
    def list_campaigns(self, request: Request) -> Reply:
        count = int(request.arg("count", "10") or 10)
        if count > 1000:
            raise invalid("count", "Count must be at most 1000.")
        offset = int(request.arg("offset", "0") or 0)
        status, list_id = request.arg("status"), request.arg("list_id")
        found = [c for c in self.campaigns.values() if (not status or c["status"] == status)
                 and (not list_id or c["recipients"]["list_id"] == list_id)]
        body: dict[str, Any] = {"campaigns": [self._view(c) for c in found[offset:offset + count]],
                                "total_items": len(found), "_links": []}
        fields = [f for f in (request.arg("fields") or "").split(",") if f]
        return Reply(200, project(body, fields) if fields else body)

    def create(self, request: Request) -> Reply:
        payload = request.json or {}
        if payload.get("type") not in ("regular", "plaintext", "absplit", "rss", "variate"):
            raise invalid("type", "Schema describes enum, but input is not one of its values.")
        list_id = (payload.get("recipients") or {}).get("list_id")
        if list_id not in self.lists:
            raise invalid("recipients.list_id", "The list ID you provided does not exist.")
        cid = secrets.token_hex(5)
        self.campaigns[cid] = {
            "id": cid, "web_id": len(self.campaigns) + 1000, "type": payload["type"], "status": "save",
            "create_time": _now(), "send_time": "", "emails_sent": 0, "content_type": "html",
            "recipients": {"list_id": list_id, "recipient_count": len(self.lists[list_id])},
            "settings": dict(payload.get("settings") or {}), "content": {"html": "", "plain_text": ""},
        }
        return Reply(200, self._view(self.campaigns[cid]))

    def get(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        if campaign["status"] == "sending":  # the fake delivers instantly
            campaign["status"] = "sent"
        return Reply(200, self._view(campaign))

    def update(self, request: Request, cid: str) -> Reply:
        campaign = self._editable(cid)
        campaign["settings"].update((request.json or {}).get("settings") or {})
        return Reply(200, self._view(campaign))

    def get_content(self, request: Request, cid: str) -> Reply:
        return Reply(200, dict(self._campaign(cid)["content"]))

    def set_content(self, request: Request, cid: str) -> Reply:
        campaign = self._editable(cid)
        payload = request.json or {}
        html = payload.get("html", "")
        text = payload.get("plain_text") or re.sub(r"<[^>]+>", "", html)  # Mailchimp derives one if absent
        campaign["content"] = {"html": html, "plain_text": text}
        return Reply(200, dict(campaign["content"]))

    def test(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        payload = request.json or {}
        if payload.get("send_type") not in ("html", "plaintext"):
            raise invalid("send_type", "Schema describes enum, but input is not one of its values.")
        emails = payload.get("test_emails") or []
        if not emails:
            raise invalid("test_emails", "This value should not be blank.")
        if not campaign["content"]["html"]:
            raise bad_request("Your Campaign is not ready to send.")
        for email in emails:
            self.test_messages.append(self._message(campaign, email))
        return Reply(204)

    def schedule(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        if campaign["status"] not in EDITABLE:
            raise bad_request(f"This campaign cannot be scheduled: it is {self._status_words(campaign)}.")
        when = _parse((request.json or {}).get("schedule_time") or "")
        if when is None:
            raise invalid("schedule_time", "Data did not match any of the schemas described in anyOf.")
        if when.minute % 15 or when.second or when.microsecond:
            raise bad_request("This campaign cannot be scheduled: schedule_time must be on the quarter-hour "
                              "(:00, :15, :30, :45) in UTC.")
        if when <= datetime.now(UTC):
            raise bad_request("This campaign cannot be scheduled: schedule_time must be in the future.")
        self._require_ready(campaign)
        campaign.update(status="schedule", send_time=when.isoformat())
        return Reply(204)

    def unschedule(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        if campaign["status"] != "schedule":
            raise bad_request("This campaign is not scheduled.")
        campaign.update(status="save", send_time="")
        return Reply(204)

    def send(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        if campaign["status"] in ("sending", "sent"):
            raise bad_request("Cannot send a campaign that has already been sent.")
        if campaign["status"] == "schedule":
            raise bad_request("Cannot send a scheduled campaign: unschedule it first.")
        self._require_ready(campaign)
        members = self.lists[campaign["recipients"]["list_id"]]
        campaign.update(status="sending", send_time=_now(), emails_sent=len(members))
        self.list_sends.append({"campaign_id": cid, "recipients": list(members),
                                "messages": [self._message(campaign, m) for m in members]})
        return Reply(204)

    def checklist(self, request: Request, cid: str) -> Reply:
        items = self._checklist(self._campaign(cid))
        return Reply(200, {"is_ready": not any(i["type"] == "error" for i in items), "items": items})

    # ----- helpers
    def _campaign(self, cid: str) -> dict[str, Any]:
        campaign = self.campaigns.get(cid)
        if campaign is None:
            raise HTTPError(problem(404, "Resource Not Found", "The requested resource could not be found."))
        return campaign

    def _editable(self, cid: str) -> dict[str, Any]:
        campaign = self._campaign(cid)
        if campaign["status"] not in EDITABLE:
            raise bad_request(f"This campaign cannot be updated: it is {self._status_words(campaign)}.")
        return campaign

    @staticmethod
    def _status_words(campaign: dict[str, Any]) -> str:
        return {"schedule": "scheduled", "sending": "sending", "sent": "already sent"}.get(
            campaign["status"], campaign["status"])

    def _checklist(self, campaign: dict[str, Any]) -> list[dict[str, Any]]:
        settings, items = campaign["settings"], []
        for key, heading in (("subject_line", "Subject line"), ("from_name", "From name"),
                             ("reply_to", "Reply-to address")):
            if not settings.get(key):
                items.append({"type": "error", "id": len(items), "heading": heading,
                              "details": f"You need to set a {heading.lower()}."})
        if not campaign["content"]["html"]:
            items.append({"type": "error", "id": len(items), "heading": "Content", "details": "No content."})
        elif "*|UNSUB|*" not in campaign["content"]["html"]:
            items.append({"type": "warning", "id": len(items), "heading": "Unsubscribe link",
                          "details": "Mailchimp adds its own footer when *|UNSUB|* is missing."})
        return items

    def _require_ready(self, campaign: dict[str, Any]) -> None:
        if any(i["type"] == "error" for i in self._checklist(campaign)):
            raise bad_request("Your Campaign is not ready to send.")

    def _message(self, campaign: dict[str, Any], email: str) -> dict[str, Any]:
        values = {"FNAME": email.split("@")[0].title(), "LNAME": "", "EMAIL": email,
                  "UNSUB": f"{self.root}/unsubscribe?u=fake&id={campaign['id']}&e={email}",
                  "MC:SUBJECT": campaign["settings"].get("subject_line", ""), "LIST:ADDRESS": "Fake Street 1"}

        def merge(text: str) -> str:
            return _MERGE_TAG.sub(lambda m: values.get(m.group(1), m.group(0)), text)

        settings = campaign["settings"]
        return {"to": email, "subject": merge(settings.get("subject_line", "")),
                "preview_text": merge(settings.get("preview_text", "")),
                "from": settings.get("from_name"), "reply_to": settings.get("reply_to"),
                "html": merge(campaign["content"]["html"]), "text": merge(campaign["content"]["plain_text"])}

    @staticmethod
    def _view(campaign: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in campaign.items() if k != "content"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _parse(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None
