"""A fake Listmonk (v5 API) that behaves like knadh/listmonk's handlers.

Sources (knadh/listmonk 911e0b77): cmd/handlers.go (routes and the
permission each needs), cmd/campaigns.go (handlers, validateCampaignFields,
canEditCampaign), cmd/templates.go (validateTemplate), cmd/subscribers.go
(QuerySubscribers), internal/core/campaigns.go (UpdateCampaignStatus
transitions; a missing campaign is a 400, not a 404), queries/campaigns.sql
(create-campaign picks the default template when no template_id is given;
update-campaign turns a scheduled campaign without send_at into a draft;
update-campaign-status turns "running" into "scheduled" while send_at is
set; next-campaigns and get-campaign-for-preview join the template body),
models/campaigns.go CompileTemplate (the body is the "content" template
inside the campaign's template), internal/auth/auth.go (``Authorization:
token user:token``, 403 "invalid API credentials"), i18n/en.json (messages).
Errors are ``{"message": "..."}``.

Campaign bodies, subjects and alt bodies are Go templates: an unknown
function is a 400 at create/update, exactly what unescaped ``{{`` in content
triggers on a real server. Bodies go through html/template, which drops HTML
comments from the template text (Outlook's conditional comments among them)
and HTML-escapes what an action prints unless it is ``template.HTML`` (the
``Safe`` function): ``render_go_template(..., html=True)`` does both.

Permissions: ``permissions=None`` is a Super Admin (every call allowed);
a set of permission names is a user role, checked per route as the real
``auth.Perm`` middleware does (403 "permission denied: <perm>").

Listmonk itself has no rate limiter; deployments put one in front of it that
answers 429 with Retry-After, which ``rate_limited`` imitates.
"""

from __future__ import annotations

import base64
import re
import uuid as uuidlib
from datetime import UTC, datetime
from typing import Any

from .server import FakeServer, HTTPError, Reply, Request, seconds_header

EDITABLE = {"draft", "scheduled", "paused"}

# i18n/en.json (knadh/listmonk 911e0b77); "{name} not found" with {globals.terms.campaign}
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
    "notFound": "Campaign not found",
    "templateNotFound": "Template not found",
    "invalidID": "Invalid ID",
    "permissionDenied": "Permission denied: {name}",
    "placeholderHelp": "The placeholder {placeholder} should appear exactly once in the template.",
    "templateErrorCompiling": "Error compiling template: {error}",
}
MESSENGERS = {"email"}  # manager.HasMessenger: the built-in SMTP messenger; "email-<name>" falls back to it
CONTENT_TYPES = {"richtext", "html", "plain", "visual", "markdown"}  # anything else becomes richtext
DEFAULT_FROM = "listmonk <noreply@listmonk.yoursite.com>"  # the "from" setting of a fresh install
TEMPLATE_TYPES = {"campaign", "campaign_visual", "tx"}
NAME_MAX = 2000  # cmd/handlers.go stdInputMaxLen
FROM_ADDRESS = re.compile(r"((.+?)\s)?<(.+?)@(.+?)>")  # cmd/campaigns.go reFromAddress
PLAIN_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")  # what importer.SanitizeEmail accepts, roughly
TPL_TAG = '{{ template "content" . }}'  # cmd/templates.go tplTag
TPL_TAG_RE = re.compile(r'{{(\s+)?template\s+?"content"(\s+)?\.(\s+)?}}')  # cmd/templates.go regexpTplTag
# TestCampaign: the stored campaign for preview, these fields taken from the request (empty if absent)
TEST_OVERRIDES = ("name", "subject", "from_email", "body", "altbody", "messenger", "content_type", "headers",
                  "template_id")
# cmd/handlers.go: the permissions a route accepts (any one of them); auth.Perm names the last when refusing
PERMS = {
    ("GET", "campaigns"): ("campaigns:get_all", "campaigns:get"),
    ("POST", "campaigns"): ("campaigns:manage_all", "campaigns:manage"),
    ("GET", "campaign"): ("campaigns:get_all", "campaigns:get"),
    ("PUT", "campaign"): ("campaigns:manage_all", "campaigns:manage"),
    ("PUT", "status"): ("campaigns:send",),
    ("POST", "test"): ("campaigns:manage_all", "campaigns:manage"),
    ("GET", "subscribers"): ("subscribers:get_all", "subscribers:get"),
    ("GET", "templates"): ("templates:get",),
    ("POST", "templates"): ("templates:manage",),
}
# what an API user needs for campaigns and test sends, nothing more (a role made for newsletter-pipeline)
CAMPAIGN_ROLE = frozenset({"campaigns:get_all", "campaigns:manage_all", "campaigns:send", "subscribers:get_all"})

# The stock campaign template, in the fake's own words: what matters is what the real default.tpl
# does to an email (a 525px box, its own unsubscribe link, "View in browser", the view pixel)
DEFAULT_TEMPLATE = """<!doctype html>
<html><head><title>{{ .Campaign.Subject }}</title>
<!-- listmonk's default template -->
<style>.wrap { max-width: 525px; margin: 0 auto; }</style></head>
<body><div class="wrap" style="max-width: 525px; margin: 0 auto;">
{{ template "content" . }}
</div>
<div class="footer"><a href="{{ UnsubscribeURL }}">{{ L.T "email.unsub" }}</a>
<a href="{{ MessageURL }}">{{ L.T "email.viewInBrowser" }}</a></div>
<div>{{ TrackView }}</div></body></html>"""
ARCHIVE_TEMPLATE = """<!doctype html><html><body><div class="archive">{{ template "content" . }}</div></body></html>"""
TX_TEMPLATE = "<p>Hello {{ .Subscriber.Name }}</p>"
L_T = {"email.unsub": "Unsubscribe", "email.viewInBrowser": "View in browser"}


class GoTemplateError(ValueError):
    pass


_FUNCS = {"UnsubscribeURL", "TrackView", "TrackLink", "MessageURL", "ManageURL", "OptinURL", "Date", "L", "Safe"}
_GO_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}
# html/template's text state (transition.go tText): "<!--" opens a comment, "<" or "</" and an ASCII
# letter a tag; any other "<" is written "&lt;" (escape.go escapeText), "<!DOCTYPE" aside
_TAG_OR_COMMENT = re.compile(r"<!--|</?([A-Za-z][A-Za-z0-9]*(?:[:-][A-Za-z0-9]+)*)")
# after their tag, these hold raw text (script, style) or escaped text (title, textarea) up to their end tag
_SPECIAL = {"script": "raw", "style": "raw", "title": "rcdata", "textarea": "rcdata"}
# regTplFuncs (models/common.go): rewritten before parsing, anywhere in the text (inside strings too)
_REG_TPL_FUNCS = [
    (re.compile(r'{{\s*TrackLink\s+"([^"]+)"\s*}}'), r'{{ TrackLink "\1" . }}'),
    (re.compile(r"(https?://[\w\-.~!#$&'()*+,/:;=?@\[\]%]*)@TrackLink"), r'{{ TrackLink "\1" . }}'),
    (re.compile(r"{{(\s+)?(TrackView|UnsubscribeURL|ManageURL|OptinURL|MessageURL)(\s+)?}}"), r"{{ \2 . }}"),
]
_GO_STRING_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')


class HTMLContextError(GoTemplateError):
    """html/template's escaper refused the template: at Execute (a message being made), not at Parse."""


# html/template's htmlEscaper (text context)
_HTML_ESCAPES = str.maketrans({"\0": "\ufffd", '"': "&#34;", "&": "&amp;", "'": "&#39;", "+": "&#43;",
                               "<": "&lt;", ">": "&gt;"})


def lex_go_template(text: str, name: str = "content") -> list[tuple[str, str, int]]:
    """``("text", ...)`` and ``("action", expr, line)`` tokens, split as text/template's lexer splits them.

    Inside an action a quoted string may hold ``}}`` (and ``{{``): the action
    ends at the first ``}}`` outside a string.
    """
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            tokens.append(("text", text[pos:], 0))
            return tokens
        tokens.append(("text", text[pos:start], 0))
        line = text.count("\n", 0, start) + 1
        end = _action_end(text, start + 2, name, line)
        expr = text[start + 2:end].strip()
        expr = expr[2:].strip() if expr.startswith("- ") else expr  # trim markers: "{{- " and " -}}"
        expr = expr[:-2].strip() if expr.endswith(" -") else expr
        tokens.append(("action", expr, line))
        pos = end + 2


def _action_end(text: str, i: int, name: str, line: int) -> int:
    """The index of the ``}}`` that closes the action starting at ``i``."""
    comment = re.match(r"(-\s)?\s*/\*", text[i:i + 8])
    if comment:  # {{/* ... */}}: anything but "*/" inside
        close = text.find("*/", i)
        found = re.compile(r"\*/\s*(-\s*)?\}\}").match(text, close) if close >= 0 else None
        if not found:
            raise GoTemplateError(f"template: {name}:{line}: unclosed comment")
        return found.end() - 2
    while i < len(text):
        if text.startswith("}}", i):
            return i
        ch = text[i]
        if ch == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                if text[i] == "\n" or (text[i] == "\\" and text[i + 1:i + 2] in ("", "\n")):
                    raise GoTemplateError(f"template: {name}:{line}: unterminated quoted string")
                i += 2 if text[i] == "\\" else 1
            if i >= len(text):
                raise GoTemplateError(f"template: {name}:{line}: unterminated quoted string")
        elif ch == "`":
            close = text.find("`", i + 1)
            if close < 0:
                raise GoTemplateError(f"template: {name}:{line}: unterminated raw quoted string")
            i = close
        i += 1
    raise GoTemplateError(f"template: {name}:{line}: unclosed action")


def go_unquote(literal: str, name: str = "content", line: int = 1) -> str:
    """The value of a Go interpreted string literal (``strconv.Unquote``); ``\\'`` is invalid there."""
    body, out, i = literal[1:-1], [], 0
    if len(literal) < 2 or literal[-1] != '"':
        raise GoTemplateError(f"template: {name}:{line}: unterminated quoted string")
    while i < len(body):
        ch = body[i]
        if ch == "\n":
            raise GoTemplateError(f"template: {name}:{line}: unterminated quoted string")
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        kind = body[i + 1:i + 2]
        width = {"x": 2, "u": 4, "U": 8}.get(kind)
        if kind in _GO_ESCAPES:
            out.append(_GO_ESCAPES[kind])
            i += 2
        elif width and re.fullmatch(r"[0-9a-fA-F]+", body[i + 2:i + 2 + width] or "-"):
            out.append(chr(int(body[i + 2:i + 2 + width], 16)))
            i += 2 + width
        elif re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]):
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        else:
            raise GoTemplateError(f"template: {name}:{line}: invalid syntax")
    return "".join(out)


def render_go_template(text: str, data: dict[str, Any], name: str = "content", html: bool = False) -> str:
    """Render the subset of Go's text/template (``html=True``: html/template) that campaigns use.

    First regTplFuncs rewrites the text, as CompileTemplate does. Supported
    actions: string literals (``{{"{{"}}``), comments, ``.Field`` lookups,
    Listmonk's template functions, ``{{ template "content" . }}``
    (``data["content"]``) and the pipe into ``Safe``. Anything else fails the
    way Go's parser does: ``function "x" not defined``. With ``html=True``, as
    html/template does: HTML comments in the template text are dropped (with
    any action inside them), a ``<`` of the text that starts no tag is written
    ``&lt;``, text that ends inside a tag, a comment or a ``<script>``,
    ``<style>``, ``<title>`` or ``<textarea>`` is an ``HTMLContextError``
    (Go's escaper runs at Execute), and what an action prints is HTML-escaped
    unless it is safe (``Safe``, a function's URL, the content template).
    """
    for pattern, replacement in _REG_TPL_FUNCS:
        text = pattern.sub(replacement, text)
    out: list[str] = []
    state: tuple[str, str] = ("text", "")
    for kind, value, line in lex_go_template(text, name):
        if kind == "action":
            printed, safe = _action(value, data, name, line)
            if not (html and state[0] == "comment"):
                out.append(printed if safe or not html else printed.translate(_HTML_ESCAPES))
        elif html:
            kept, state = _html_text(value, state)
            out.append(kept)
        else:
            out.append(value)
    if html and state[0] != "text":
        raise HTMLContextError(f"html/template:{name}: ends in a non-text context: {state[0]} {state[1]}".rstrip())
    return "".join(out)


def _html_text(text: str, state: tuple[str, str]) -> tuple[str, tuple[str, str]]:
    """html/template's escaper on one text node, from ``state`` (which may span actions) to the next one.

    States: ("text", ""), ("comment", ""), ("tag", element), ("attr", quote
    + element), ("raw", element), ("rcdata", element). Comments go; in text and
    rcdata a "<" that starts nothing is written "&lt;".
    """
    kept, i = [], 0
    while i < len(text):
        mode, arg = state
        if mode == "comment":
            close = text.find("-->", i)
            if close < 0:
                return "".join(kept), state
            state, i = ("text", ""), close + 3
        elif mode in ("tag", "attr"):
            i, state = _in_tag(text, i, state, kept)
        elif mode in ("raw", "rcdata"):
            close = re.compile(f"</{arg}(?=[\\s/>])", re.I).search(text, i)
            end = close.start() if close else len(text)
            kept.append(text[i:end] if mode == "raw" else text[i:end].replace("<", "&lt;"))
            if close is None:
                return "".join(kept), state
            state, i = ("tag", ""), close.end()
            kept.append(close.group())
        else:
            found = _TAG_OR_COMMENT.search(text, i)
            end = found.start() if found else len(text)
            kept.append(_lt(text[i:end]))
            if found is None:
                break
            if found.group() == "<!--":
                state = ("comment", "")
            else:
                kept.append(found.group())
                closing = found.group().startswith("</")
                state = ("tag", "" if closing else found.group(1).lower())
            i = found.end()
    return "".join(kept), state


def _in_tag(text: str, i: int, state: tuple[str, str], kept: list[str]) -> tuple[int, tuple[str, str]]:
    """Inside a tag: up to its ">" (then text, or the element's raw text), or the end of this text node."""
    mode, arg = state
    if mode == "attr":  # a quoted value: quote, then the element
        close = text.find(arg[0], i)
        if close < 0:
            kept.append(text[i:])
            return len(text), state
        kept.append(text[i:close + 1])
        return close + 1, ("tag", arg[1:])
    found = re.compile(r"=\s*([\"'])|>").search(text, i)
    if found is None:
        kept.append(text[i:])
        return len(text), state
    kept.append(text[i:found.end()])
    if found.group() == ">":
        return found.end(), (_SPECIAL[arg], arg) if arg in _SPECIAL else ("text", "")
    return found.end(), ("attr", found.group(1) + arg)


def _lt(text: str) -> str:
    """escapeText in the text state: each "<" as "&lt;", but "<!DOCTYPE"."""
    return re.sub(r"<(?!!doctype)", "&lt;", text, flags=re.I)


def _action(expr: str, data: dict[str, Any], name: str, line: int) -> tuple[str, bool]:
    """What one action prints, and whether html/template prints it unescaped."""
    if expr.startswith("/*"):
        return "", True
    first, *rest = _pipeline(expr)
    value, safe = _command(first, data, name, line)
    for command in rest:
        word = command.split()[0] if command.split() else ""
        if word != "Safe":
            raise GoTemplateError(f'template: {name}:{line}: function "{word}" not defined')
        safe = True  # Safe returns template.HTML
    return value, safe


def _pipeline(expr: str) -> list[str]:
    """``"a|b" | Safe`` -> ``['"a|b"', 'Safe']``: split on pipes outside quoted strings."""
    parts, current, quote, i = [], [], "", 0
    while i < len(expr):
        ch = expr[i]
        if quote:
            current.append(expr[i:i + 2] if ch == "\\" and quote == '"' else ch)
            i += 2 if ch == "\\" and quote == '"' else 1
            quote = "" if ch == quote else quote
            continue
        if ch in "\"`":
            quote = ch
        if ch == "|":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    return [*parts, "".join(current).strip()]


def _command(command: str, data: dict[str, Any], name: str, line: int) -> tuple[str, bool]:
    if command[:1] == '"':
        literal = _GO_STRING_LITERAL.match(command)
        rest = command[literal.end():].split() if literal else []
        if literal and rest:  # a string, then more: what regTplFuncs' quotes do to a string of ours
            raise GoTemplateError(f'template: {name}:{line}: unexpected "{rest[0]}" in operand')
        return go_unquote(command, name, line), False
    if command[:1] == "`" and command.endswith("`") and len(command) > 1:
        return command[1:-1], False
    if TPL_TAG_RE.fullmatch("{{" + command + "}}"):
        return str(data.get("content", "")), True
    if command.startswith("."):
        value: Any = data
        for part in command[1:].split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        return str(value), False
    word = command.split()[0] if command.split() else ""
    if word == "L.T":
        key = command.split(None, 1)[1] if len(command.split()) > 1 else '""'
        return L_T.get(go_unquote(key, name, line), key), False
    if word in _FUNCS:
        return str(data.get("funcs", {}).get(word, f"[{word}]")), True
    raise GoTemplateError(f'template: {name}:{line}: function "{word}" not defined')


class ListmonkFake(FakeServer):
    """Campaigns, templates, lists and subscribers of one Listmonk instance."""

    base_path = "/api"

    def __init__(self, username: str = "api-user", token: str = "listmonk-secret-token",
                 lists: dict[int, str] | None = None, subscribers: list[str] | None = None,
                 permissions: set[str] | frozenset[str] | None = None):
        self.username, self.token = username, token
        self.permissions = None if permissions is None else frozenset(permissions)  # None: Super Admin
        self.lists = lists or {1: "Default list", 2: "Newsletter"}
        self.subscribers = {email.lower(): {"id": i + 1, "uuid": str(uuidlib.uuid4()), "email": email.lower(),
                                            "name": email.split("@")[0].title(), "lists": list(self.lists)}
                            for i, email in enumerate(subscribers or ["editor@example.org"])}
        # cmd/install.go installTemplates: these three (and a visual one), the first the default
        self.templates: dict[int, dict[str, Any]] = {}
        for name, kind, body in (("Default campaign template", "campaign", DEFAULT_TEMPLATE),
                                 ("Default archive template", "campaign", ARCHIVE_TEMPLATE),
                                 ("Sample transactional template", "tx", TX_TEMPLATE)):
            self.add_template(name, body, kind)
        self.templates[1]["is_default"] = True
        self.campaigns: dict[int, dict[str, Any]] = {}
        self.last_campaign_id = 0
        self.test_messages: list[dict[str, Any]] = []  # one per test recipient
        self.list_sends: list[dict[str, Any]] = []  # one per campaign started
        self.undelivered: list[dict[str, Any]] = []  # messages the messenger could not send (logged there)
        self.logs: list[str] = []  # what Listmonk logs and nobody answers with: messages it could not make
        super().__init__()

    def routes(self):
        guard = self._guarded
        return [
            ("GET", "/campaigns", guard(("GET", "campaigns"), self.list_campaigns)),
            ("POST", "/campaigns", guard(("POST", "campaigns"), self.create)),
            ("GET", r"/campaigns/(\d+)", guard(("GET", "campaign"), self.get)),
            ("PUT", r"/campaigns/(\d+)", guard(("PUT", "campaign"), self.update)),
            ("PUT", r"/campaigns/(\d+)/status", guard(("PUT", "status"), self.set_status)),
            ("POST", r"/campaigns/(\d+)/test", guard(("POST", "test"), self.test)),
            ("GET", "/subscribers", guard(("GET", "subscribers"), self.list_subscribers)),
            ("GET", "/templates", guard(("GET", "templates"), self.list_templates)),
            ("GET", r"/templates/(\d+)", guard(("GET", "templates"), self.get_template)),
            ("POST", "/templates", guard(("POST", "templates"), self.create_template)),
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

    def add_template(self, name: str, body: str, kind: str = "campaign") -> dict[str, Any]:
        """A template as an admin would make it in Listmonk's UI."""
        template = {"id": max(self.templates, default=0) + 1, "name": name, "type": kind, "subject": "",
                    "body": body, "is_default": False, "created_at": _now(), "updated_at": _now()}
        self.templates[template["id"]] = template  # handlers run under self.lock; tests call it between sends
        return template

    def _guarded(self, key: tuple[str, str], handler):
        """auth.Perm: the route runs if the user's role has any of its permissions."""
        def run(request: Request, *groups: str) -> Reply:
            accepted = PERMS[key]
            if self.permissions is not None and not self.permissions & set(accepted):
                raise HTTPError(Reply(403, {"message": f"permission denied: {accepted[-1]}"}))
            return handler(request, *groups)
        return run

    # ----- campaign handlers
    def list_campaigns(self, request: Request) -> Reply:
        tags = request.query.get("tag", [])  # the server reads `tag`; the spec's `tags` is ignored
        statuses = request.query.get("status", [])
        query = (request.arg("query") or "").strip().lower()
        for campaign in self.campaigns.values():
            self._run_due(campaign)
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
        self.last_campaign_id += 1  # a sequence: a deleted campaign's id is never given again
        campaign = {"id": self.last_campaign_id, "uuid": str(uuidlib.uuid4()),
                    "type": payload.get("type") or "regular", "status": "draft",
                    "content_type": payload.get("content_type") or "richtext",
                    "messenger": "email", "tags": [], "send_at": None,
                    "altbody": None, "body": "", "from_email": DEFAULT_FROM,
                    "template_id": None, "created_at": _now(), "sent": 0, "to_send": 0, "started_at": None}
        campaign.update(self._validated(payload, campaign))
        # create-campaign: the given template if it exists (else none), without one the default template
        wanted = payload.get("template_id")
        if wanted is None:
            chosen = None if campaign["content_type"] == "visual" else self._default_template()
        else:
            chosen = self.templates.get(int(wanted))
        campaign["template_id"] = chosen["id"] if chosen and chosen["type"] != "campaign_visual" else None
        campaign["updated_at"] = _now()
        self.campaigns[campaign["id"]] = campaign
        return Reply(200, {"data": self._view(campaign)})

    def get(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        if campaign["status"] == "running":  # the fake delivers instantly
            campaign["status"] = "finished"
        self._run_due(campaign)
        view = self._view(campaign)
        if request.arg("no_body") == "true":  # GetCampaign blanks the body on request
            view["body"] = ""
        return Reply(200, {"data": view})

    def update(self, request: Request, cid: str) -> Reply:
        campaign = self._campaign(cid)
        if campaign["status"] not in EDITABLE:
            raise HTTPError(Reply(400, {"message": MSG["cantUpdate"]}))
        # Fields bind onto the stored campaign (send_at: null clears it), except `lists`,
        # which starts empty: an update without `lists` fails validation.
        fields = self._validated(request.json or {}, {**campaign, "lists": []})
        wanted = fields.get("template_id", campaign["template_id"])
        if wanted is not None and int(wanted) not in self.templates:  # campaigns.template_id REFERENCES templates
            raise HTTPError(Reply(500, {"message": "Error updating campaign: insert or update on table "
                                                   "\"campaigns\" violates foreign key constraint"}))
        campaign.update(fields)
        if campaign["content_type"] == "visual":
            campaign["template_id"] = None
        # update-campaign: a scheduled campaign whose send_at was cleared becomes a draft
        if campaign["status"] == "scheduled" and not campaign["send_at"]:
            campaign["status"] = "draft"
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
        # update-campaign-status: "running" on a campaign that still has a send_at (Listmonk's
        # "Unschedule" keeps it) is stored as "scheduled"
        campaign["status"] = "scheduled" if status == "running" and campaign["send_at"] else status
        if campaign["status"] == "running":
            self._deliver(campaign)
        else:
            self._run_due(campaign)
        # the handler answers with the status asked for, not the one stored
        return Reply(200, {"data": {**self._view(campaign), "status": status}})

    def test(self, request: Request, cid: str) -> Reply:
        """TestCampaign: binds a *fresh* campaign from the body and validates it like create/update.

        So the body must carry name, subject, lists and messenger itself
        (without ``"messenger"`` the real server answers 400 "Unknown
        messenger ."); what is sent is the stored campaign with the request's
        fields (``TEST_OVERRIDES``) in place, absent ones empty. Its template
        is the ``template_id`` of the query string (c.FormValue: not the JSON
        body), else the stored campaign's; none means no wrapping
        (get-campaign-for-preview: ``COALESCE(templates.body, '')``).
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
        asked = request.arg("template_id") or ""
        template = self.templates.get(int(asked) if asked.isdigit() and int(asked) > 0
                                      else campaign["template_id"] or 0)
        sent = {**campaign, **{key: checked.get(key, "") for key in TEST_OVERRIDES}}
        for subscriber in known:
            try:
                message = self._message(sent, subscriber, template["body"] if template else "")
            except HTMLContextError as exc:  # sendTestMessage, then TestCampaign wraps its error
                raise HTTPError(Reply(500, {"message": f"Error sending test: Error rendering message: {exc}"})) \
                    from None
            if message is not None:
                self.test_messages.append(message)
        return Reply(200, {"data": True})

    # ----- subscribers and templates
    def list_subscribers(self, request: Request) -> Reply:
        """QuerySubscribers: ``query`` (SQL) needs subscribers:sql_query; ``search`` is ``name ~* s OR email ~* s``."""
        query = (request.arg("query") or "").strip()
        if query and self.permissions is not None and "subscribers:sql_query" not in self.permissions:
            raise HTTPError(Reply(403, {"message": MSG["permissionDenied"].format(name="subscribers:sql_query")}))
        search = (request.arg("search") or "").strip()
        wanted = {e.lower() for e in re.findall(r"'([^']*)'", query)} if "email" in query else None
        found = [s for s in self.subscribers.values() if (wanted is None or s["email"] in wanted)
                 and (not search or re.search(search, s["name"], re.I) or re.search(search, s["email"], re.I))]
        return Reply(200, {"data": {"results": found, "total": len(found), "per_page": len(found),
                                    "page": 1, "query": query, "search": search}})

    def list_templates(self, request: Request) -> Reply:
        no_body = request.arg("no_body") == "true"
        return Reply(200, {"data": [self._template_view(t, no_body) for t in self.templates.values()]})

    def get_template(self, request: Request, tid: str) -> Reply:
        """GetTemplate: ``{"data": template}``; hasID answers 400 "invalid ID" below 1, a missing one is a 400."""
        if int(tid) < 1:
            raise HTTPError(Reply(400, {"message": "invalid ID"}))
        template = self.templates.get(int(tid))
        if template is None:
            raise HTTPError(Reply(400, {"message": MSG["templateNotFound"]}))
        return Reply(200, {"data": self._template_view(template, request.arg("no_body") == "true")})

    def create_template(self, request: Request) -> Reply:
        """CreateTemplate: validateTemplate, then the body must compile (html/template)."""
        payload = request.json or {}
        name, kind, body = payload.get("name") or "", payload.get("type") or "", payload.get("body") or ""
        if not 1 <= len(name) <= NAME_MAX:
            raise HTTPError(Reply(400, {"message": MSG["fieldInvalidName"]}))
        if kind == "campaign" and not TPL_TAG_RE.search(body):
            raise HTTPError(Reply(400, {"message": MSG["placeholderHelp"].format(placeholder=TPL_TAG)}))
        if kind not in TEMPLATE_TYPES:  # the database's enum refuses it
            raise HTTPError(Reply(500, {"message": "Error creating template: invalid input value for enum "
                                                   f"template_type: \"{kind}\""}))
        try:
            render_go_template(body, {}, name="base", html=True)
        except GoTemplateError as exc:
            raise HTTPError(Reply(400, {"message": str(exc)})) from None
        template = self.add_template(name, body, kind)
        return Reply(200, {"data": self._template_view(template, False)})

    # ----- helpers
    def _campaign(self, cid: str) -> dict[str, Any]:
        campaign = self.campaigns.get(int(cid))
        if campaign is None:  # core.getCampaign: a 400, not a 404
            raise HTTPError(Reply(400, {"message": MSG["notFound"]}))
        return campaign

    def _default_template(self) -> dict[str, Any] | None:
        return next((t for t in self.templates.values() if t["is_default"]), None)

    def _validated(self, payload: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
        """validateCampaignFields: the merged fields, or a 400 with Listmonk's message."""
        fields = {k: payload[k] for k in ("name", "subject", "from_email", "body", "altbody", "content_type",
                                          "tags", "send_at", "template_id", "headers", "messenger")
                  if k in payload}
        merged = {**base, **fields}
        lists = payload.get("lists") or []
        sender = merged.get("from_email") or ""
        if not sender:  # the instance's own "from" setting
            fields["from_email"] = DEFAULT_FROM
        elif not FROM_ADDRESS.search(sender) and not PLAIN_EMAIL.match(sender):
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
            try:  # CompileTemplate parses; html/template's escaper only runs when a message is made
                render_go_template(merged.get(key) or "", {}, html=key != "subject")
            except HTMLContextError:
                pass
            except GoTemplateError as exc:
                raise HTTPError(Reply(400, {"message": MSG["fieldInvalidBody"].format(error=exc)})) from None
        fields["lists"] = [{"id": int(i), "name": self.lists[int(i)]} for i in lists]
        fields["tags"] = [t.strip() for t in merged.get("tags") or []]
        return fields

    def _run_due(self, campaign: dict[str, Any]) -> None:
        """next-campaigns: a scheduled campaign whose send_at has passed starts (and the fake finishes it)."""
        due = campaign["send_at"] and _parse(campaign["send_at"]) <= datetime.now(UTC)
        if campaign["status"] == "scheduled" and due:
            self._deliver(campaign)
            campaign["status"] = "finished"

    def _deliver(self, campaign: dict[str, Any]) -> None:
        """next-campaigns: the body inside the campaign's template, or the default one if it is gone."""
        template = self.templates.get(campaign["template_id"] or 0) or self._default_template()
        ids = {lst["id"] for lst in campaign["lists"]}
        recipients = [s for s in self.subscribers.values() if ids & set(s["lists"])]
        messages = []
        for subscriber in recipients:
            try:
                messages.append(self._message(campaign, subscriber, template["body"] if template else ""))
            except HTMLContextError as exc:  # internal/manager/pipe.go: logged, that subscriber skipped
                self.logs.append(f"error rendering message ({campaign['name']}) ({subscriber['email']}): {exc}")
        # the campaign still finishes; only the messages pushed to the messenger count as sent
        campaign.update(started_at=_now(), to_send=len(recipients), sent=len(messages))
        self.list_sends.append({"campaign_id": campaign["id"], "recipients": [s["email"] for s in recipients],
                                "messages": [m for m in messages if m is not None]})

    def _message(self, campaign: dict[str, Any], subscriber: dict[str, Any],
                 template_body: str) -> dict[str, Any] | None:
        """CompileTemplate + NewCampaignMessage: the email the messenger gets; None if it cannot send it.

        The messenger (smtppool) formats From with Go's mail.ParseAddress: a
        From that is not one address fails there, after the API answered OK.
        A message html/template cannot make raises ``HTMLContextError``. The
        subject and the alt body are templates only when they hold ``{{ ... }}``
        (hasTplExpr); else they are sent as they are.
        """
        unsubscribe = f"{self.root}/subscription/{campaign['uuid']}/{subscriber['uuid']}"
        data = {"Subscriber": {"Name": subscriber["name"], "Email": subscriber["email"],
                               "UUID": subscriber["uuid"], "FirstName": subscriber["name"].split()[0]},
                "Campaign": {"Name": campaign["name"], "Subject": campaign["subject"], "UUID": campaign["uuid"]},
                "funcs": {"UnsubscribeURL": unsubscribe, "TrackView": "", "MessageURL": f"{self.root}/campaign/x"}}
        content = render_go_template(campaign["body"], data, html=True)
        altbody, subject = campaign.get("altbody") or "", campaign["subject"]
        message = {"to": subscriber["email"],
                   "subject": render_go_template(subject, data) if _has_tpl_expr(subject) else subject,
                   "from": campaign["from_email"],
                   "html": render_go_template(template_body or TPL_TAG, {**data, "content": content},
                                              name="base", html=True),
                   # the alt body is an html/template too
                   "text": render_go_template(altbody, data, html=True) if _has_tpl_expr(altbody) else altbody}
        if not _one_address(campaign["from_email"]):
            self.undelivered.append({**message, "error": "mail: expected single address"})
            return None
        return message

    @staticmethod
    def _view(campaign: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in campaign.items()}

    @staticmethod
    def _template_view(template: dict[str, Any], no_body: bool) -> dict[str, Any]:
        return {**template, "body": ""} if no_body else dict(template)


def _has_tpl_expr(text: str) -> bool:
    """models/campaigns.go hasTplExpr: a "{{" with a "}}" after it."""
    return "}}" in text.partition("{{")[2] if "{{" in text else False


def _one_address(value: str) -> bool:
    """Whether Go's mail.ParseAddress reads ``value`` as one address (net/mail consumePhrase).

    Since Go 1.10 (golang.org/issue/21018) a display name may hold commas,
    dots, brackets and "@" unquoted; a ``:`` (read as a group), a ``<`` or
    ``>``, or an unbalanced ``"`` still fail.
    """
    named = re.fullmatch(r"\s*(.*?)\s*<([^<>@\s]+@[^<>@\s]+)>\s*", value, re.S)
    if named is None:
        return bool(PLAIN_EMAIL.match(value.strip()))
    return re.fullmatch(r'(?:[^\s<>":]+|"(?:[^"\\]|\\.)*"|\s+)*', named.group(1)) is not None


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
