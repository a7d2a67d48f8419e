"""Listmonk (self-hosted): campaigns through its REST API.

API: https://listmonk.app/docs/apis/campaigns/ and knadh/listmonk's
cmd/campaigns.go. Rules this module follows:

- Auth: ``Authorization: token USER:TOKEN`` (internal/auth/auth.go).
- ``PUT /api/campaigns/{id}`` binds the request onto the stored campaign but
  starts ``lists`` empty, so every update carries ``lists`` again (otherwise
  400 "Invalid list IDs.").
- Status changes (``PUT .../status``) are not safe to repeat ("running" twice
  is a 400), so they go through the base's re-read-before-retry sequence.
- The body is the "content" template inside the campaign's template
  (models/campaigns.go CompileTemplate); a campaign created without
  ``template_id`` gets the default one (queries/campaigns.sql
  create-campaign), whose 525px box, unsubscribe link and "View in browser"
  would wrap our complete HTML document. So every create, update and test
  names a template whose body is only ``{{ template "content" . }}``:
  LISTMONK_TEMPLATE_ID, or ours (``TEMPLATE_NAME``), found with
  ``GET /api/templates`` or made once with ``POST /api/templates``
  (permissions templates:get and templates:manage).
- A missing campaign is a 400 (internal/core/campaigns.go getCampaign), with
  a message in the instance's language: the campaigns list decides whether
  the id is gone.
- "running" is stored as "scheduled" while the campaign has a ``send_at``
  (queries/campaigns.sql update-campaign-status), and Listmonk's
  "Unschedule" keeps it: ``send_at`` is cleared (null) before a send now, and
  the re-read status must then be running or finished.
- Test sends (``POST .../test``) go only to addresses that already are
  subscribers; the server skips unknown ones silently, so we check first
  with ``GET /api/subscribers?search=`` (a regular expression on name and
  email; ``query=`` would need subscribers:sql_query since v5). A user who
  may not read subscribers (403) test-sends without the check.
  The handler binds a fresh campaign from the body and validates it like a
  create: the body carries name, subject, lists, content type and
  ``"messenger": "email"`` (otherwise 400 "Unknown messenger ."). Its
  template comes from the query string (``c.FormValue``), else the stored
  campaign.
- Subject, body and alt body are Go templates (models/campaigns.go
  CompileTemplate): the subject text/template, the body and the alt body
  html/template (the alt body once it holds ``{{ ... }}``, as ours always
  does). Content that contains ``{{`` is escaped as the Go string-literal
  action ``{{"{{"}}``, which prints ``{{``; ``}}`` outside an action is plain
  text. html/template drops HTML comments from the template text, Outlook's
  conditional comments among them (knadh/listmonk#270), so each comment of
  the body is printed by an action instead: ``{{ "<!--...-->" | Safe }}``.
  In the alt body html/template would also write a ``<`` that starts no tag
  as ``&lt;`` and fail at send time on text that opens ``<script>`` or an
  attribute, so there every ``<`` is printed by ``{{"<"|Safe}}``.
- Before parsing, models/common.go regTplFuncs rewrites
  ``https://...@TrackLink`` (and ``{{ UnsubscribeURL }}`` etc.) anywhere in
  the text, inside our Go strings too: ``@TrackLink`` in content is written
  ``@{{/**/}}TrackLink`` (a template comment prints nothing), and a Go
  string writes ``@`` and ``{`` as ``\x40`` and ``\x7b``.
- ``from_email`` is one RFC 5322 address: Listmonk's messenger parses it
  with Go's mail.ParseAddress, so a name with a comma or other specials is
  quoted.
- The campaign finds itself again by its tag (``GET /api/campaigns?tag=``:
  the server reads ``tag``, although the OpenAPI file says ``tags``). The tag
  holds only the slug, so a match is ours only if its ``lists`` (every
  campaign object carries ``[{"id", "name"}]``, from campaign_lists; the id
  is null or 0 once the list is deleted) are LISTMONK_LIST_IDS: see
  ``CampaignProvider.ours``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import ConfigError, ProviderError
from ..message import display_name
from ..models import Content
from .base import FEATURES, AmbiguousOutcome, Campaign, CampaignProvider, ProviderHTTPError, Status
from .http import ApiClient, HttpPolicy, iso_time, json_of, pretty_body

if TYPE_CHECKING:
    from ..ledger import Record

log = logging.getLogger("newsletter_pipeline.providers")

MESSENGER = "email"  # Listmonk's built-in SMTP messenger
TEMPLATE_NAME = "newsletter-pipeline: the email as built"
CONTENT_ONLY = '{{ template "content" . }}'  # cmd/templates.go tplTag: the campaign body, nothing around it
_CONTENT_ONLY = re.compile(r'\s*\{\{-?\s*template\s+"content"\s*\.\s*-?\}\}\s*')
# In the HTML, what html/template reads as text: a comment, or else a raw-text element or a tag
# skipped whole (a "<!--" inside <style>, <title> or an attribute is no comment to it)
_HTML_PARTS = re.compile(r"<!--.*?-->|<(style|script|title|textarea)\b[^>]*>.*?</\1\s*>"
                         r"|<[A-Za-z](?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.S | re.I)
# a Go interpreted string literal: these, and every other control character as \xNN; "@" and "{"
# as \x40 and \x7b, so that regTplFuncs (models/common.go), which rewrites "https://x@TrackLink"
# and "{{ UnsubscribeURL }}" before parsing, finds neither inside it
_GO_STRING = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
                            "@": "\\x40", "{": "\\x7b",
                            **{chr(c): f"\\x{c:02x}" for c in (*range(0x20), 0x7F) if c not in (9, 10, 13)}})
# what Go's parser would read as ours: "{{" opens an action; "@TrackLink" after a URL is one to regTplFuncs
_TEMPLATE_SYNTAX = re.compile(r"\{\{|@TrackLink")
_LITERAL = {"{{": '{{"{{"}}', "@TrackLink": "@{{/**/}}TrackLink"}
_LESS_THAN = '{{"<"|Safe}}'  # html/template prints it as it is, and its text then holds no "<"

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
        self.template_id = self._template_setting()
        self.template_checked = self.template_id is None  # LISTMONK_TEMPLATE_ID: checked once, before the first use
        user, token = self.config.get("LISTMONK_USERNAME"), self.config.get("LISTMONK_TOKEN")
        self.user = user
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
        """Make Listmonk's Go templates print ``text`` as it is, in one left-to-right pass.

        ``{{`` becomes the Go action ``{{"{{"}}`` (prints ``{{``), ``@TrackLink``
        ``@{{/**/}}TrackLink``. In HTML, every comment html/template would drop
        (one in text, not inside a tag or a ``<style>``) becomes
        ``{{ "<!--...-->" | Safe }}``: the action prints it unescaped, and its
        ``{{`` stays literal inside the string. The alt body's ``<`` are
        ``prepare``'s.
        """
        if not html:
            return _literal(text)
        out, pos = [], 0
        for part in _HTML_PARTS.finditer(text):
            if part.group().startswith("<!--"):
                out += [_literal(text[pos:part.start()]), _safe_action(part.group())]
                pos = part.end()
        out.append(_literal(text[pos:]))
        return "".join(out)

    def prepare(self, content: Content, test: bool = False) -> Content:
        """The base's, then every ``<`` of the alt body printed by ``{{"<"|Safe}}``.

        CompileTemplate parses the alt body with html/template, which writes a
        ``<`` that starts no tag (``We <3 you``) as ``&lt;``, drops
        ``<!--...-->``, and fails when the message is made ("ends in a
        non-text context") on text that opens ``<script>``, ``<style>``,
        ``<title>`` or an unquoted attribute: the test send is refused, and a
        list send skips every subscriber while the campaign still finishes.
        With each ``<`` printed by an action its template text holds none, so
        it stays in html/template's text state, which writes text as it is.
        Nothing the base adds to the text (escapes, the unsubscribe tag) holds
        a ``<``. The subject is text/template, which prints ``<`` unchanged.
        """
        prepared = super().prepare(content, test)
        return replace(prepared, text=prepared.text.replace("<", _LESS_THAN))

    # -- steps
    def find_campaign(self, name: str, tag: str) -> Campaign | None:
        reply = self.api.get("/campaigns", params={"tag": tag, "per_page": "all", "no_body": "true"},
                             action="look the campaign up by tag")
        results = (json_of(reply).get("data") or {}).get("results") or []
        # match by name too: a server that ignored `tag` returns every campaign
        found = [self._campaign(c) for c in results if c.get("name") == name or tag in (c.get("tags") or [])]
        return self.ours(found)

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        # a missing campaign is a 400 whose message is in the instance's language (older
        # versions: 404); any 400 is confirmed with the campaigns list before calling it gone
        reply = self.api.get(f"/campaigns/{campaign_id}", params={"no_body": "true"}, ok=(200, 400, 404),
                             action=f"read campaign {campaign_id}")
        if reply.status_code == 200:
            return self._campaign(json_of(reply).get("data") or {})
        if reply.status_code == 400 and self._campaign_exists(campaign_id):
            raise ProviderHTTPError(self.name, f"read campaign {campaign_id}", reply.status_code,
                                    self.redactor(pretty_body(reply)))
        return None

    def create_campaign(self, content: Content, name: str, tag: str) -> Campaign:
        payload = {**self._payload(content), "name": name, "tags": [tag], "type": "regular",
                   "messenger": MESSENGER}
        reply = self.api.post("/campaigns", json_body=payload, action="create the campaign")
        return self._campaign(json_of(reply).get("data") or {})

    def update_campaign(self, campaign: Campaign, content: Content) -> None:
        payload = self._payload(content)
        if campaign.status == Status.DRAFT:
            # a draft may still carry a send time ("Unschedule" in Listmonk keeps it): with it,
            # "running" would be stored as "scheduled", and a past one fails every update
            payload["send_at"] = None
        self.api.put(f"/campaigns/{campaign.id}", json_body=payload, action=f"update campaign {campaign.id}")

    def send_test(self, campaign: Campaign, content: Content, recipients: list[str]) -> None:
        self._require_subscribers(recipients)
        # the handler binds a fresh campaign from this body and validates it like a create
        # (handleTestCampaign -> validateCampaignFields): without "messenger" it is a 400
        # "Unknown messenger ."; name, subject and lists must be here too. The template it
        # wraps the body in comes from the query string (c.FormValue), not from this body.
        payload = {**self._payload(content), "name": campaign.name, "messenger": MESSENGER,
                   "subscribers": recipients}
        self.api.post(f"/campaigns/{campaign.id}/test", json_body=payload, idempotent=False,
                      params={"template_id": str(payload["template_id"])},
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
        # "running" is stored as "scheduled" while send_at is set (update-campaign-status), so it
        # is cleared first; the status answer repeats what was asked, so the re-read decides
        self.api.put(f"/campaigns/{campaign.id}",
                     json_body={"lists": self.list_ids, "send_later": False, "send_at": None},
                     action=f"clear the send time of campaign {campaign.id}")
        self._set_status(campaign, "running")
        try:
            after = self.get_campaign(campaign.id)
        except ProviderError:  # accepted, but no clear re-read: the base's own re-read decides
            return
        if after is not None and after.raw_status in ("paused", "cancelled"):
            # it started: Listmonk (or a person) stopped it, e.g. paused after too many send errors
            raise ProviderError(
                f"{self.name}: Listmonk started campaign {campaign.id}, and it is now {after.raw_status}: part "
                "of the list may have received it. Whether the rest gets it is a decision for a person, in "
                "Listmonk (Campaigns: look at its sent count and the server's log, then resume it there or "
                "leave it); the ledger counts it as asked to send, so newsletter-pipeline will not send "
                "this issue to the list again")
        if after is not None and after.raw_status not in ("running", "finished"):
            when = f" for {after.send_at.isoformat()}" if after.send_at else ""
            raise ProviderError(
                f"{self.name}: Listmonk was asked to send campaign {campaign.id} now, but it is "
                f"{after.raw_status}{when} instead: it has NOT gone out now, and this run does not count "
                "as sent. Open the campaign in Listmonk: if it has a send date, clear it there (or "
                "unschedule it), then run the same command again")

    def planned_calls(self, kind: str, record: Record) -> list[str]:
        locate = (f"GET /api/campaigns/{record.campaign_id}  re-read the campaign" if record.campaign_id else
                  "GET /api/campaigns?tag=...  look the campaign up by tag")
        template = ([f"GET /api/templates/{self.template_id}  check the template LISTMONK_TEMPLATE_ID"]
                    if self.template_id else
                    [f"GET /api/templates  find the template {TEMPLATE_NAME!r}",
                     "POST /api/templates  create it, body only {{ template \"content\" . }} (only if not found)"])
        calls = [*template, locate, "POST /api/campaigns  create the draft (only if not found)",
                 "PUT /api/campaigns/{id}  put subject, body, alt body, lists and template"]
        if kind == "test":
            return calls + ["GET /api/subscribers?search=...  check the test recipients are subscribers",
                            "POST /api/campaigns/{id}/test  send the test"]
        if kind == "schedule":
            return calls + ["PUT /api/campaigns/{id}  set send_at (lists again)",
                            'PUT /api/campaigns/{id}/status  {"status": "scheduled"}']
        return calls + ["PUT /api/campaigns/{id}  clear send_at (lists again)",
                        'PUT /api/campaigns/{id}/status  {"status": "running"}',
                        "GET /api/campaigns/{id}  check it is running"]

    # -- helpers
    def _payload(self, content: Content) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "subject": content.subject, "lists": self.list_ids, "content_type": "html",
            "from_email": from_address(content.from_name, content.from_email),
            "body": content.html, "altbody": content.text,  # the preheader is already in the HTML
            "template_id": self._template(),
        }
        if content.reply_to:
            payload["headers"] = [{"Reply-To": content.reply_to}]
        return payload

    def _set_status(self, campaign: Campaign, status: str) -> None:
        # not safe to repeat ("running" twice is a 400): AmbiguousOutcome makes the base re-read first
        self.api.put(f"/campaigns/{campaign.id}/status", json_body={"status": status}, idempotent=False,
                     action=f"set campaign {campaign.id} to {status}")

    def _campaign_exists(self, campaign_id: str) -> bool:
        reply = self.api.get("/campaigns", params={"per_page": "all", "no_body": "true"},
                             action=f"check whether campaign {campaign_id} still exists")
        results = (json_of(reply).get("data") or {}).get("results") or []
        return any(str(c.get("id")) == str(campaign_id) for c in results)

    # -- the template
    def _template_setting(self) -> int | None:
        if not self.config.get("LISTMONK_TEMPLATE_ID"):
            return None
        ids = self.config.ids("LISTMONK_TEMPLATE_ID", "5")
        if len(ids) != 1:
            raise ConfigError(f"LISTMONK_TEMPLATE_ID={self.config.get('LISTMONK_TEMPLATE_ID')!r}: one template "
                              "id, e.g. LISTMONK_TEMPLATE_ID=5")
        return ids[0]

    def _template(self) -> int:
        """The id of a campaign template that is only the email: the setting's, else ours (made once)."""
        if self.template_id is None:
            self.template_id = self._find_template() or self._create_template()
        elif not self.template_checked:
            self._check_template_setting(self.template_id)
            self.template_checked = True
        return self.template_id

    def _check_template_setting(self, template_id: int) -> None:
        """LISTMONK_TEMPLATE_ID must name a campaign template that is only the email.

        Listmonk does not check it: a ``tx`` template wraps the campaign (the
        email becomes its sample text), and an id it does not have creates the
        campaign without a template (NULL), after which every update is a 500
        (foreign key). ``GET /api/templates/{id}`` answers 400 for a missing id
        (core.GetTemplate). A user who may not read templates (403) goes on
        unchecked: that is what the setting is for.
        """
        setting = f"LISTMONK_TEMPLATE_ID={template_id}"
        reply = self.api.get(f"/templates/{template_id}", ok=(200, 400, 403, 404),
                             action=f"check the template {setting}")
        if reply.status_code == 403:
            log.warning("%s", f"{self.name}: the Listmonk user {self.user!r} may not read templates, so {setting} "
                        f"was not checked; its body must be only {CONTENT_ONLY}")
            return
        data = (json_of(reply).get("data") or {}) if reply.status_code == 200 else {}
        what = f"set LISTMONK_TEMPLATE_ID to the id of a campaign template whose body is only {CONTENT_ONLY} " \
               "(Listmonk: Campaigns > Templates), or unset it and newsletter-pipeline makes its own"
        if not data:
            raise ConfigError(f"{self.name}: {setting}, but Listmonk has no template {template_id} (HTTP "
                              f"{reply.status_code}: {self.redactor(reply.text or '').strip()}): {what}")
        if data.get("type") != "campaign":
            raise ConfigError(f"{self.name}: {setting} is the {data.get('type')} template {data.get('name')!r}, "
                              f"not a campaign template: Listmonk would send the email inside it; {what}")
        if not _CONTENT_ONLY.fullmatch(data.get("body") or ""):
            raise ConfigError(f"{self.name}: {setting} is the template {data.get('name')!r}, whose body is more than "
                              f"{CONTENT_ONLY}: Listmonk would wrap the email in it; {what}")

    def _find_template(self) -> int | None:
        reply = self.api.get("/templates", ok=(200, 403), action="look up the campaign templates")
        if reply.status_code == 403:
            raise self._template_refused("read", reply)
        data = json_of(reply).get("data") or []
        ours = sorted((t for t in data if t.get("name") == TEMPLATE_NAME and t.get("type") == "campaign"),
                      key=lambda t: int(t.get("id") or 0))
        for template in ours:
            if _CONTENT_ONLY.fullmatch(template.get("body") or ""):
                return int(template["id"])
        if ours:
            raise ConfigError(
                f"{self.name}: the Listmonk template {TEMPLATE_NAME!r} (id {ours[0].get('id')}) was changed: its "
                f"body must be only {CONTENT_ONLY}, or Listmonk wraps the email in it. Put that back in "
                "Listmonk (Campaigns > Templates), or delete the template and it will be made again")
        return None

    def _create_template(self) -> int:
        body = {"name": TEMPLATE_NAME, "type": "campaign", "body": CONTENT_ONLY}
        try:
            reply = self.api.post("/templates", json_body=body, ok=(200, 403), idempotent=False,
                                  action="create the campaign template")
        except AmbiguousOutcome:
            found = self._find_template()  # it may have been made before the connection dropped
            if found is None:
                raise
            return found
        if reply.status_code == 403:
            raise self._template_refused("create", reply)
        return int((json_of(reply).get("data") or {})["id"])

    def _template_refused(self, verb: str, reply: Any) -> ConfigError:
        return ConfigError(
            f"{self.name}: Listmonk wraps every email in a campaign template, and its default one adds a "
            "narrow box and a second unsubscribe link around ours; newsletter-pipeline therefore uses a "
            f"template whose body is only {CONTENT_ONLY}, but the Listmonk user {self.user!r} may not {verb} "
            "templates. Either give that user's role the permissions templates:get and templates:manage "
            f"(Listmonk: Users > User roles), or have an admin create a campaign template whose body is only "
            f"{CONTENT_ONLY} and set LISTMONK_TEMPLATE_ID to its id\nHTTP {reply.status_code}\n"
            f"{self.redactor(reply.text or '')}".rstrip())

    # -- test recipients
    def _require_subscribers(self, recipients: list[str]) -> None:
        # `search` is a case-insensitive regular expression on name and email; `query` (SQL)
        # would need the permission subscribers:sql_query, which a test send does not
        pattern = "^(" + "|".join(_regex_literal(r.lower()) for r in recipients) + ")$"
        reply = self.api.get("/subscribers", params={"search": pattern, "per_page": "all"}, ok=(200, 403),
                             action="check the test recipients are subscribers")
        if reply.status_code == 403:
            log.warning("%s", self.redactor(
                f"{self.name}: the Listmonk user {self.user!r} may not read subscribers, so the test "
                "recipients were not checked; Listmonk skips any address that is not a subscriber "
                "without saying so (permission subscribers:get checks them)"))
            return
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


def _literal(text: str) -> str:
    """``text`` with what Go's parser or regTplFuncs would take for template syntax written to print as it is."""
    return _TEMPLATE_SYNTAX.sub(lambda found: _LITERAL[found.group()], text)


def _safe_action(comment: str) -> str:
    """``{{ "<!--...-->" | Safe }}``: a Go interpreted string literal (no raw newline, no bare quote)."""
    return '{{ "' + comment.translate(_GO_STRING) + '" | Safe }}'


def _regex_literal(text: str) -> str:
    """``text`` as a PostgreSQL regular expression matching only itself: ``\\`` before every non-alphanumeric."""
    return "".join(ch if ch.isalnum() and ch.isascii() else "\\" + ch for ch in text)


def from_address(name: str | None, email: str) -> str:
    """``Name <email>`` for ``from_email``; a name with RFC 5322 specials (``:``, ``"``, ``<``...) is quoted.

    Listmonk's messenger reads it with Go's mail.ParseAddress: ``News: 2021
    <a@b>`` is a group there, and an unbalanced quote no address at all; the
    message is then never sent, after the API said OK.
    """
    return f"{display_name(name)} <{email}>" if name else email
