"""The provider interface: one fixed send sequence, each provider filling in steps.

Modelled on django-anymail: the base classes here run the sequence; a provider
module (``providers/<name>.py``, one per provider, never importing another
provider) only fills in steps. Read this docstring to write a provider.

Values that cross the boundary
------------------------------
- ``Content`` (defined in ``models.py``, re-exported here): the finished
  email (subject, preheader, html, text, sender, list name, slug). The command builds it from the ``RenderedIssue``; the base
  class has already applied ``prepare`` (template-syntax escaping, then the
  unsubscribe merge tag, then the "[TEST] " subject prefix for test sends)
  before any step sees it. ``content.sha`` identifies it.
- ``Campaign``: the provider's campaign as re-read from the provider: ``id``
  (str), ``name``, ``status`` (a ``Status``), ``send_at`` (aware datetime or
  None), ``raw_status`` (the provider's own word, for messages), ``lists``
  (the ids of the lists it targets, as strings; None when the provider's
  reply does not say).
- ``Status``: the one vocabulary: ``draft`` (created, not sent), ``scheduled``,
  ``queued`` (the send was triggered and is in progress), ``sent``,
  ``rejected``, ``failed``, ``unknown``. Translate the provider's words with a
  table (``STATUS_MAP = {"running": Status.QUEUED, ...}``) and map anything
  unexpected to ``UNKNOWN`` (the base refuses to act on ``unknown``).
- ``SendResult``: what the command prints; providers do not build it.

Two kinds of provider
---------------------
``Provider`` (every provider): ``test_send(content, recipients)``,
``list_send(content, when)`` (when=None means now), ``plan(...)`` for
``--dry-run``. Class attributes a provider sets:

- ``name`` ("listmonk"), ``features`` (subset of ``FEATURES``; a request for
  a missing one raises ``UnsupportedFeature``, exit 2, never silently
  skipped), ``required_settings`` (names of variables in
  ``config.SETTINGS``; all missing ones are reported in one ``ConfigError``
  before anything else runs), ``unsubscribe_tag`` (the merge tag that
  replaces ``models.UNSUBSCRIBE_PLACEHOLDER``, e.g. ``"{{ UnsubscribeURL }}"``),
  ``credentials`` (the settings sent as credentials; a value
  ``credentials_codec``, Latin-1 by default, cannot encode, or a secret one
  too short to redact (``redaction.MIN_LENGTH``), is a ``ConfigError``
  naming the variable, never its value).
- ``setup(self)``: read ``self.config`` (a ``config.Config``) and build clients.
  Register derived secrets with ``self.redactor.add(...)`` (e.g. a Basic-auth
  header value).
- ``list_ref`` (property): a stable string naming the target list(s), e.g.
  ``"lists=3,4"``; it keys the ledger record and is shown by ``--dry-run``.
- ``target_lists`` (property, campaign providers) and ``list_setting``: the
  configured list ids as strings, and the setting that names them, when
  ``find_campaign``'s lookup is not already scoped to them (listmonk, brevo).
  None (the default) when it is: mailchimp lists one audience's campaigns,
  the outbox has one list.
- ``escape_template_syntax(text, html)``: return ``text`` such that the
  provider's template engine prints ``{{``, ``*|`` etc. literally (content
  must never be evaluated). The default returns it unchanged.
- ``notes(content)``: lines every test send, list send and ``--dry-run`` of
  this provider reports (e.g. "no plain-text part"). Default: none.

``CampaignProvider`` (listmonk, mailchimp, brevo, and outbox for list sends)
runs the at-most-once sequence and asks the provider for these steps:

====================================  =========================================
step                                  contract
====================================  =========================================
``find_campaign(name, tag)``          look the campaign up at the provider by
                                      the deterministic name/tag; ``None`` if
                                      absent. Safe to repeat (GET). Of the
                                      matches return ``self.ours(found)``: the
                                      name holds only the slug, so another
                                      project (or an earlier LIST_IDS) may have
                                      a campaign of that name for other lists,
                                      which is not ours.
``get_campaign(campaign_id)``         re-read one campaign; ``None`` on 404.
``create_campaign(content, name,      create a draft targeting ``list_ref`` with
tag)``                                ``content``; return it. NOT safe to repeat:
                                      the base looks it up first and again after
                                      an ambiguous failure.
``update_campaign(campaign,           replace subject/content/sender (idempotent
content)``                            PUT). Called on drafts and on scheduled
                                      campaigns; if the provider cannot edit a
                                      scheduled campaign, unschedule it first (the
                                      base schedules again afterwards).
``send_test(campaign, content,        the provider's own test-send endpoint.
recipients)``
``schedule_campaign(campaign,         schedule (or re-schedule a scheduled
when)``                               campaign) at ``when`` (aware, already passed
                                      through ``schedule_time``).
``send_campaign(campaign)``           trigger the send to the list now.
``schedule_time(when)``               the time the provider will really use and
                                      a note for the user when it differs (e.g.
                                      Mailchimp: UTC, next quarter hour). Default:
                                      unchanged, no note.
``planned_calls(kind, record)``       ``--dry-run``: lines like
                                      ``"POST /api/campaigns  create the draft"``.
                                      No network. ``kind`` is "test", "schedule"
                                      or "now"; ``record`` is the ledger record.
====================================  =========================================

The sequence (``CampaignProvider.list_send``), which providers do not change:

0. Take the project's exclusive lock on the issue (``Ledger.lock``), held to
   the end; a second run in this checkout waits for it (bounded), then finds
   the first run's campaign. Test sends hold it too (they may create).
1. Open the ledger record (slug, provider name, ``list_ref``).
2. Locate the campaign: ``get_campaign(record.campaign_id)`` if the ledger
   has one (and, if it is a draft of a provider with ``target_lists``,
   ``find_campaign`` too, which refuses when another campaign of the issue
   reached a list of ours), else ``find_campaign(name, tag)``. If the ledger says a send or
   schedule was confirmed but the provider shows nothing, refuse (exit 3).
3. None found: ``create_campaign`` (ledger: ``created``). On ``AmbiguousOutcome``
   it looks the campaign up again before trying once more.
4. Already ``sent``/``queued`` -> "already sent" (exit 0, nothing done).
   ``scheduled`` and ``--now`` -> "already scheduled" (reschedule explicitly).
   ``rejected``/``failed``/``unknown`` -> ``ProviderError``.
5. A draft, or a scheduled campaign whose content hash differs from the
   ledger's: ``update_campaign`` with the list content (ledger: ``content``),
   then ``get_campaign`` again (an edit may have unscheduled it).
6. ``--schedule`` and already scheduled at that minute -> "already scheduled".
7. Ledger ``schedule_requested``/``send_requested`` (intent), then, for each
   bounded attempt: re-read the status; stop if it already shows the result;
   else call ``schedule_campaign``/``send_campaign``; re-read (ledger:
   ``scheduled``/``sent``). The call is repeated only after an
   ``AmbiguousOutcome`` whose re-read shows nothing happened; never after a
   2xx, and after a ``ProviderHTTPError`` only the re-read can turn it into
   success (a provider's "already sent" refusal).
   If steps 5-7 fail on a campaign that was scheduled and is now a draft (the
   provider unscheduled it to edit it), the error says so first: it will not
   go out at its old time until the same command is run again.

Test sends (``CampaignProvider.test_send``) use the same campaign: locate or
create it, refuse if it is no longer a draft (editing it would change what the
list gets), ``update_campaign`` with the test content, ``send_test``.
Message providers (outbox, smtp) override ``deliver_test`` instead, and mix in
``MessageProvider``: they build each message themselves, so their unsubscribe
link is ``NEWSLETTER_LIST_UNSUBSCRIBE``, not a merge tag.

Errors
------
Use ``providers/http.py``'s ``ApiClient`` for HTTP: it times out, retries
what is safe, honours Retry-After (and a reset-header hook), redacts, and
raises these (all ``ProviderError``, exit 3):

- ``ProviderHTTPError``: the provider answered with an error; the message ends
  with ``HTTP <status>`` and the pretty-printed, redacted body.
- ``AmbiguousOutcome``: a call that is not safe to repeat may or may not have
  been acted upon (read timeout, dropped connection, 5xx); the base re-reads
  the campaign before doing anything else.
- ``ProviderUnavailable``: no answer after every attempt.

Raise ``UnsupportedFeature`` (exit 2) for features the provider lacks and
``ConfigError`` (exit 2) for bad settings. Never print: return values or raise.

Registering a provider: add ``"<name>": "<module>:<Class>"`` to
``providers/__init__.py``'s ``PROVIDERS`` (listmonk, mailchimp and brevo are
already listed as ``.listmonk:ListmonkProvider`` etc.).
"""

from __future__ import annotations

import logging
import random
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from html import escape as html_escape
from typing import TYPE_CHECKING, ClassVar

from ..errors import ConfigError, NewsletterError, ProviderError, UsageError
from ..message import Unsubscribe
from ..models import UNSUBSCRIBE_PLACEHOLDER, Content
from ..progress import Progress, quiet

if TYPE_CHECKING:
    from ..config import Config
    from ..ledger import Ledger, Record

log = logging.getLogger("newsletter_pipeline.providers")

FEATURES = frozenset({"test_send", "list_send", "schedule", "plain_text", "reply_to", "preheader"})
TEST_PREFIX = "[TEST] "


class Status(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENT = "sent"
    REJECTED = "rejected"
    FAILED = "failed"
    UNKNOWN = "unknown"


DONE = frozenset({Status.QUEUED, Status.SENT})
_PAST_DRAFT = frozenset({"schedule_requested", "scheduled", "send_requested", "sent"})  # ledger steps
# what a list send's summary says per status (not "sent (sent)")
LIST_SEND_WORDS = {Status.SENT: "sent to the list", Status.SCHEDULED: "scheduled",
                   Status.QUEUED: "queued for the list (the provider sends it shortly)",
                   Status.UNKNOWN: "handed to the provider (it did not say whether it was sent)"}
# How far along a campaign is, for choosing among duplicates (see ``furthest_along``).
_RANK = {Status.SENT: 0, Status.QUEUED: 1, Status.SCHEDULED: 2, Status.DRAFT: 3}


# --- errors ------------------------------------------------------------------------------------

class UnsupportedFeature(UsageError):
    """The provider cannot do what was asked; we never drop a feature silently."""


class ProviderHTTPError(ProviderError):
    """The provider answered with an error. The message ends with the status and the body."""

    def __init__(self, provider: str, action: str, status: int, body: str, hint: str = ""):
        self.provider, self.status, self.body = provider, status, body
        hint = f" ({hint})" if hint else ""
        super().__init__(f"{provider}: {action} failed{hint}\nHTTP {status}\n{body}".rstrip())


class AmbiguousOutcome(ProviderError):
    """A call that is not safe to repeat may have been acted upon; re-read before retrying."""


class ProviderUnavailable(ProviderError):
    """No answer from the provider after every attempt."""


# --- values --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    status: Status
    send_at: datetime | None = None
    raw_status: str = ""
    lists: frozenset[str] | None = None  # the target list ids; None when the provider did not say


@dataclass
class SendResult:
    """The outcome the command reports. ``already`` is True when nothing had to be done."""

    kind: str  # "test" | "schedule" | "now"
    provider: str
    status: Status
    campaign_id: str | None = None
    send_at: datetime | None = None
    already: bool = False
    recipients: list[str] = field(default_factory=list)
    outcomes: dict[str, Status] = field(default_factory=dict)  # per recipient (message providers)
    notes: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # files written (outbox)
    message_ids: dict[str, str] = field(default_factory=dict)  # per recipient (message providers)

    @property
    def failed(self) -> bool:
        return any(s in (Status.REJECTED, Status.FAILED) for s in self.outcomes.values())

    def summary(self) -> str:
        where = f"campaign {self.campaign_id}" if self.campaign_id else self.provider
        when = f" for {self.send_at.isoformat()}" if self.send_at else ""
        if self.kind == "test":
            accepted = [r for r in self.recipients if self.outcomes.get(r, Status.QUEUED) in DONE]
            refused = len(self.recipients) - len(accepted)
            return (f"{self.provider}: test sent to {', '.join(accepted) or 'nobody'} ({where})"
                    + (f"; {refused} refused" if refused else ""))
        if self.already:
            word = "already scheduled" if self.status == Status.SCHEDULED else "already sent"
            return f"{self.provider}: {word}{when}: {where} (nothing sent)"
        return f"{self.provider}: {LIST_SEND_WORDS.get(self.status, f'handed over ({self.status})')}{when}: {where}"


@dataclass(frozen=True)
class Plan:
    """What ``--dry-run`` prints: the API calls that would be made, and notes."""

    calls: list[str]
    notes: list[str] = field(default_factory=list)


# --- the provider base ---------------------------------------------------------------------------

class Provider(ABC):
    """Every provider: settings check, content preparation, test and list sends, dry-run."""

    name: ClassVar[str] = ""
    features: ClassVar[frozenset[str]] = frozenset()
    required_settings: ClassVar[tuple[str, ...]] = ()
    unsubscribe_tag: ClassVar[str | None] = None
    credentials: ClassVar[tuple[str, ...]] = ()  # settings sent as credentials (HTTP headers, AUTH)
    credentials_codec: ClassVar[str] = "latin-1"  # what HTTP headers carry

    # wraps the recipients of a test send that are delivered one by one (outbox, smtp); the CLI
    # passes click's progress bar on a terminal
    progress: Progress = staticmethod(quiet)  # type: ignore[assignment]

    def __init__(self, config: Config, ledger: Ledger, sleep: Callable[[float], None] = time.sleep) -> None:
        config.require(*self.required_settings, purpose=f"the {self.name} provider")
        config.require_encodable(self.credentials, self.credentials_codec, f"the {self.name} login")
        config.require_hideable(self.credentials)  # before anything is sent: a server may quote it back
        self.config = config
        self.ledger = ledger
        self.redactor = config.redactor()
        self.sleep = sleep
        self.setup()

    # -- hooks
    def setup(self) -> None:
        """Read settings from ``self.config``; build clients. No network here."""

    @property
    def list_ref(self) -> str:
        return "default"

    def escape_template_syntax(self, text: str, html: bool) -> str:
        """Make the provider's template engine print ``text`` literally. Default: unchanged."""
        return text

    def notes(self, content: Content) -> list[str]:
        """Lines every result and plan of this provider adds for the user. Default: none."""
        return []

    def unsubscribe_url(self, content: Content) -> str:
        """What replaces ``UNSUBSCRIBE_PLACEHOLDER``; API providers just set ``unsubscribe_tag``."""
        if self.unsubscribe_tag is None:
            raise NotImplementedError(f"{type(self).__name__} must set unsubscribe_tag")
        return self.unsubscribe_tag

    def close(self) -> None:
        """Release connections."""

    # -- the fixed entry points
    @classmethod
    def require(cls, feature: str, why: str = "") -> None:
        """Raise ``UnsupportedFeature`` unless ``feature`` is in ``features`` (works on the class)."""
        if feature not in cls.features:
            raise UnsupportedFeature(f"the {cls.name} provider does not support {feature.replace('_', ' ')}"
                                     f"{': ' + why if why else ''}")

    def default_test_recipients(self) -> list[str]:
        """Recipients of a test send when none are configured; empty means "configure some"."""
        return []

    def prepare(self, content: Content, test: bool = False) -> Content:
        """Escape template syntax, then insert the unsubscribe tag, then mark test subjects."""
        tag = self.unsubscribe_url(content)
        # the placeholder sits in href="...": a configured URL's "&" must be written "&amp;" there
        html = self.escape_template_syntax(content.html, True).replace(UNSUBSCRIBE_PLACEHOLDER,
                                                                       html_escape(tag, quote=True))
        text = self.escape_template_syntax(content.text, False).replace(UNSUBSCRIBE_PLACEHOLDER, tag)
        subject = self.escape_template_syntax(content.subject, False)
        if test and not subject.startswith(TEST_PREFIX):
            subject = TEST_PREFIX + subject
        return replace(content, html=html, text=text, subject=subject)

    def test_send(self, content: Content, recipients: list[str]) -> SendResult:
        self.require("test_send")
        recipients = recipients or self.default_test_recipients()
        if not recipients:
            raise ConfigError("a test send needs recipients: set NEWSLETTER_TEST_RECIPIENTS or pass --to")
        result = self.deliver_test(self.prepare(content, test=True), recipients)
        result.notes += self.notes(content)
        return result

    @abstractmethod
    def deliver_test(self, content: Content, recipients: list[str]) -> SendResult:
        """Send the prepared test ``content`` to ``recipients``."""

    def list_send(self, content: Content, when: datetime | None) -> SendResult:
        self.check_list_send(when)
        raise UnsupportedFeature(f"the {self.name} provider does not send to a list")

    def plan(self, kind: str, content: Content, recipients: list[str], when: datetime | None) -> Plan:
        """What would happen, without any network call."""
        return Plan([f"{self.name}: {kind} send"], self.notes(content))

    @classmethod
    def check_list_send(cls, when: datetime | None) -> None:
        """Refuse early (before settings and confirmation) what this provider cannot do."""
        cls.require("schedule" if when else "list_send",
                     "a list lives at a mailing-list provider (use --provider listmonk, mailchimp or brevo)")


class MessageProvider:
    """Mixin (before the base class) for providers that build each RFC 5322 message: outbox, smtp.

    The unsubscribe URLs come from ``NEWSLETTER_LIST_UNSUBSCRIBE``: they go in
    the List-Unsubscribe header, and the https one (else the first) replaces
    the body's placeholder.
    """

    config: Config

    def unsubscribe(self, content: Content) -> Unsubscribe:
        return Unsubscribe.parse(self.config.list("NEWSLETTER_LIST_UNSUBSCRIBE"), content.from_email)

    def unsubscribe_url(self, content: Content) -> str:
        return self.unsubscribe(content).body_url


class CampaignProvider(Provider):
    """Providers with a campaign object: the at-most-once sequence of the module docstring."""

    features: ClassVar[frozenset[str]] = FEATURES
    attempts: ClassVar[int] = 3  # bounded re-read/act rounds for calls that are not safe to repeat
    list_setting: ClassVar[str] = ""  # the setting naming the target lists (for messages)

    # -- steps each provider fills in
    @abstractmethod
    def find_campaign(self, name: str, tag: str) -> Campaign | None: ...

    @abstractmethod
    def get_campaign(self, campaign_id: str) -> Campaign | None: ...

    @abstractmethod
    def create_campaign(self, content: Content, name: str, tag: str) -> Campaign: ...

    @abstractmethod
    def update_campaign(self, campaign: Campaign, content: Content) -> None: ...

    @abstractmethod
    def send_test(self, campaign: Campaign, content: Content, recipients: list[str]) -> None: ...

    @abstractmethod
    def schedule_campaign(self, campaign: Campaign, when: datetime) -> None: ...

    @abstractmethod
    def send_campaign(self, campaign: Campaign) -> None: ...

    @abstractmethod
    def planned_calls(self, kind: str, record: Record) -> list[str]: ...

    def schedule_time(self, when: datetime) -> tuple[datetime, str | None]:
        return when, None

    @property
    def target_lists(self) -> frozenset[str] | None:
        """The configured list ids, when ``find_campaign`` must filter by them (see ``ours``)."""
        return None

    def ours(self, found: list[Campaign], by_id: bool = True) -> Campaign | None:
        """Of the campaigns matching our name/tag, the one for the configured lists (``furthest_along``).

        The name and tag hold only the slug: a campaign of another project, or
        of this one before its LIST_IDS changed, matches them too. Counting it
        as ours reported "already sent" to lists that never got the issue, so
        only a campaign whose lists are exactly ``target_lists`` (or whose
        lists the provider did not report: the old behaviour) is ours.
        Campaigns of earlier versions have the same name and tag, so an
        interrupted send still resumes. A campaign for other lists that share
        one of ours and went past draft (sent, scheduled, sending, or stopped
        part-way) is refused unless ours is past draft too: a new campaign
        would give the shared lists the issue a second time.
        """
        wanted = self.target_lists
        if wanted is None:
            return furthest_along(found, by_id)
        mine = furthest_along([c for c in found if c.lists is None or c.lists == wanted], by_id)
        if mine is not None and mine.status != Status.DRAFT:
            return mine
        for other in found:
            shared = (other.lists or frozenset()) & wanted
            if other.lists != wanted and shared and other.status != Status.DRAFT:
                raise ProviderError(
                    f"{self.name}: campaign {other.id} of this issue is already {other.raw_status or other.status} "
                    f"for lists {_ids(other.lists or shared)}; the configured lists {_ids(wanted)} share "
                    f"{_ids(shared)} with it, so a new campaign would send the issue there a second time "
                    f"(set {self.list_setting} to the lists that did not get it)")
        return mine

    # -- names
    @staticmethod
    def campaign_name(content: Content) -> str:
        """Deterministic, so a lost ledger still finds the campaign by name."""
        return f"{content.slug} [newsletter-pipeline]"

    @staticmethod
    def campaign_tag(content: Content) -> str:
        return f"nlp-{content.slug}"

    # -- the fixed sequences
    def deliver_test(self, content: Content, recipients: list[str]) -> SendResult:
        with self._locked(content):
            record = self.ledger.record(content.slug, self.name, self.list_ref)
            campaign = self._locate(record, content) or self._create(record, content)
            if campaign.status != Status.DRAFT:
                raise UsageError(f"{self.name}: campaign {campaign.id} is already {campaign.status}; a test "
                                 "send would edit what the list gets (test with --provider outbox or smtp instead)")
            self.update_campaign(campaign, content)
            self.send_test(campaign, content, recipients)
            record.step("tested", campaign_id=campaign.id, recipients=len(recipients))
        return SendResult("test", self.name, Status.QUEUED, campaign.id, recipients=list(recipients),
                          outcomes={r: Status.QUEUED for r in recipients})

    @classmethod
    def check_list_send(cls, when: datetime | None) -> None:
        cls.require("schedule" if when else "list_send")

    def list_send(self, content: Content, when: datetime | None) -> SendResult:
        self.check_list_send(when)
        content = self.prepare(content)
        kind = "schedule" if when else "now"
        notes: list[str] = []
        if when is not None:
            when, note = self.schedule_time(when)
            notes += [note] if note else []
        notes += self.notes(content)
        with self._locked(content):
            result = self._list_send_locked(kind, content, when)
        result.notes += notes
        return result

    def _list_send_locked(self, kind: str, content: Content, when: datetime | None) -> SendResult:
        """Steps 1-7 of the module docstring; the caller holds the issue's send lock."""
        record = self.ledger.record(content.slug, self.name, self.list_ref)
        campaign = self._locate(record, content, list_send=True)
        if campaign is None:
            self._refuse_if_ledger_says_done(record)
            campaign = self._create(record, content)
        finished = self._already(kind, campaign, record)
        if finished is not None:
            return finished
        located = campaign
        try:
            campaign = self._refresh_content(record, campaign, content)
            finished = self._already_scheduled(kind, campaign, when, record)
            if finished is not None:
                return finished
            campaign = self._schedule(record, campaign, when) if when else self._send_now(record, campaign)
        except ProviderError as exc:
            raise self._left_unscheduled(located, exc) from exc
        return SendResult(kind, self.name, campaign.status, campaign.id, campaign.send_at or when)

    def plan(self, kind: str, content: Content, recipients: list[str], when: datetime | None) -> Plan:
        record = self.ledger.record(content.slug, self.name, self.list_ref)
        notes = []
        if when is not None:
            effective, note = self.schedule_time(when)
            notes += [note] if note else []
        if record.campaign_id:
            notes.append(f"ledger: campaign {record.campaign_id}, last step "
                         f"{record.steps[-1]['step'] if record.steps else 'none'}")
        return Plan(self.planned_calls(kind, record), notes + self.notes(content))

    # -- helpers of the sequence
    def _locked(self, content: Content) -> AbstractContextManager[None]:
        """The project's exclusive lock on this issue, held from the lookup to the last step.

        Without it two runs in one checkout both find no campaign, both create
        one and both send. The waiter says so on stderr (a log warning).
        """
        return self.ledger.lock(content.slug, self.config.seconds("NEWSLETTER_SEND_LOCK_TIMEOUT"), log.warning)

    def _locate(self, record: Record, content: Content, list_send: bool = False) -> Campaign | None:
        if record.campaign_id:
            campaign = self.get_campaign(record.campaign_id)
            if campaign is not None:
                if list_send and campaign.status == Status.DRAFT and self.target_lists is not None:
                    # the ledger's id skips the lookup by name, the one that sees a campaign for
                    # lists sharing one of ours (``ours`` refuses it); once per issue, before its send
                    self.find_campaign(self.campaign_name(content), self.campaign_tag(content))
                return campaign
        return self.find_campaign(self.campaign_name(content), self.campaign_tag(content))

    def _refuse_if_ledger_says_done(self, record: Record) -> None:
        if record.has("sent") or record.has("scheduled") or record.has("send_requested"):
            raise ProviderError(
                f"{self.name}: the ledger ({record.path}) says campaign {record.campaign_id} was already "
                "sent or scheduled, but the provider no longer shows it (it may have been deleted there); "
                "refusing to send again, so the list cannot get this issue twice. Nothing was sent now. "
                "If you are sure the list never got it, delete that ledger file and run again "
                "(test sends still work without doing so)")

    @staticmethod
    def _went_past_draft_elsewhere(record: Record, campaign: Campaign) -> str | None:
        """Another campaign this ledger asked to send or schedule: one that vanished at the provider.

        A test send after the campaign was deleted makes a new draft, which
        the ledger then names; the old campaign's send must still count.
        """
        for entry in record.steps:
            if entry["step"] in _PAST_DRAFT and str(entry.get("campaign_id", campaign.id)) != campaign.id:
                return str(entry["campaign_id"])
        return None

    def _create(self, record: Record, content: Content) -> Campaign:
        name, tag = self.campaign_name(content), self.campaign_tag(content)
        for attempt in range(1, self.attempts + 1):
            try:
                campaign = self.create_campaign(content, name, tag)
            except AmbiguousOutcome:
                found = self.find_campaign(name, tag)
                if found is not None:
                    campaign = found
                elif attempt == self.attempts:
                    raise
                else:
                    self._pause(attempt)
                    continue
            record.step("created", campaign_id=campaign.id, campaign_name=name, content_sha=content.sha)
            return campaign
        raise AssertionError("unreachable")

    def _already(self, kind: str, campaign: Campaign, record: Record) -> SendResult | None:
        """Sent, queued, or scheduled when --now was asked: nothing to do. Broken states: refuse."""
        status = campaign.status
        if status in DONE:
            if not record.has("sent"):
                record.step("sent", campaign_id=campaign.id, status=str(status))
            return SendResult(kind, self.name, status, campaign.id, campaign.send_at, already=True)
        earlier = self._went_past_draft_elsewhere(record, campaign) if status == Status.DRAFT else None
        if earlier is not None:  # that one may have gone out before it vanished
            raise ProviderError(
                f"{self.name}: the ledger ({record.path}) says campaign {earlier} of this issue was already sent "
                f"or scheduled, and the provider no longer shows it (it may have been deleted there); campaign "
                f"{campaign.id} is a newer draft (from a test send). Refusing to send it, so the list cannot get "
                "this issue twice. Nothing was sent now. If you are sure the list never got it, delete that "
                "ledger file and run again")
        if status == Status.DRAFT and record.has("sent"):  # the ledger saw it sent: never a second time
            raise ProviderError(
                f"{self.name}: the ledger ({record.path}) says campaign {campaign.id} was sent, but the provider "
                "shows it as a draft; refusing to send again (check at the provider; delete that ledger file "
                "only if you are sure it was never sent)")
        if status == Status.SCHEDULED and kind == "now":
            return SendResult(kind, self.name, status, campaign.id, campaign.send_at, already=True,
                              notes=["to change its time, run again with --schedule and the new time"])
        if status not in (Status.DRAFT, Status.SCHEDULED):
            raise ProviderError(f"{self.name}: campaign {campaign.id} is {campaign.raw_status or status}; "
                                "fix it at the provider before sending")
        return None

    def _refresh_content(self, record: Record, campaign: Campaign, content: Content) -> Campaign:
        """Put the list content on a draft, or on a scheduled campaign whose content changed."""
        if campaign.status == Status.DRAFT or content.sha != record.content_sha:
            self.update_campaign(campaign, content)
            record.step("content", campaign_id=campaign.id, content_sha=content.sha)
            # some providers unschedule to edit: the re-read says what the next step is
            return self.get_campaign(campaign.id) or campaign
        return campaign

    def _left_unscheduled(self, located: Campaign, exc: ProviderError) -> ProviderError:
        """``exc``, saying so first when it left a scheduled campaign unscheduled.

        A provider that cannot edit a scheduled campaign unschedules it to edit
        it or move its time (``update_campaign``, ``schedule_campaign``); if
        scheduling it again then fails, the campaign is a draft that will not go
        out at the time the user set, and the provider's error alone does not
        say so. The re-read decides; if it fails too, the user is told to check.
        """
        if located.status != Status.SCHEDULED:
            return exc
        old = located.send_at.isoformat() if located.send_at else "its scheduled time"
        try:
            now = self.get_campaign(located.id)
        except NewsletterError:
            return ProviderError(
                f"{self.name}: campaign {located.id} was scheduled for {old} when this run started, and it may "
                "have been unscheduled to be edited: check at the provider whether it is still scheduled "
                f"(running the same command again schedules it)\n{exc}")
        if now is None or now.status != Status.DRAFT:
            return exc
        return ProviderError(
            f"{self.name}: campaign {located.id} was unscheduled to be edited and is now a draft: it will NOT go "
            f"out at {old}; running the same command again schedules it\n{exc}")

    def _already_scheduled(self, kind: str, campaign: Campaign, when: datetime | None,
                           record: Record) -> SendResult | None:
        if kind == "schedule" and campaign.status == Status.SCHEDULED and _same_minute(campaign.send_at, when):
            if not record.has("scheduled") or record.send_at != when.isoformat():  # type: ignore[union-attr]
                record.step("scheduled", campaign_id=campaign.id, status=str(campaign.status),
                            send_at=when.isoformat())  # type: ignore[union-attr]
            return SendResult(kind, self.name, campaign.status, campaign.id, campaign.send_at, already=True)
        return None

    def _schedule(self, record: Record, campaign: Campaign, when: datetime) -> Campaign:
        record.step("schedule_requested", campaign_id=campaign.id, send_at=when.isoformat())
        return self._act(record, campaign, "scheduled", Status.SCHEDULED,
                         lambda c: c.status in DONE or (c.status == Status.SCHEDULED and _same_minute(c.send_at, when)),
                         lambda c: self.schedule_campaign(c, when), send_at=when.isoformat())

    def _send_now(self, record: Record, campaign: Campaign) -> Campaign:
        record.step("send_requested", campaign_id=campaign.id)
        return self._act(record, campaign, "sent", Status.QUEUED, lambda c: c.status in DONE, self.send_campaign)

    def _act(self, record: Record, campaign: Campaign, step: str, expected: Status,
             done: Callable[[Campaign], bool], action: Callable[[Campaign], None], **detail: str) -> Campaign:
        """Re-read, act unless done, re-read; bounded. The only place a list send is triggered.

        The action is repeated only after an ``AmbiguousOutcome`` whose re-read
        shows it was not done; never after the provider accepted it (2xx).
        """
        last_error: NewsletterError | None = None
        for attempt in range(1, self.attempts + 1):
            fresh = self._reread(campaign)
            if done(fresh):
                record.step(step, campaign_id=fresh.id, status=str(fresh.status), **detail)
                return fresh
            if fresh.status not in (Status.DRAFT, Status.SCHEDULED):
                raise ProviderError(f"{self.name}: campaign {fresh.id} is {fresh.raw_status or fresh.status}")
            try:
                action(fresh)
            except AmbiguousOutcome as exc:
                last_error = exc
                self._pause(attempt)
                continue
            except ProviderHTTPError:
                # a refusal may mean "already done" (a repeated send): the re-read decides
                again = self._reread(fresh)
                if done(again):
                    record.step(step, campaign_id=again.id, status=str(again.status), **detail)
                    return again
                raise
            after = self._reread(fresh)
            if not done(after):  # accepted (2xx) but not visible yet: trust it, never call again
                after = replace(after, status=expected, raw_status=after.raw_status or "accepted")
            record.step(step, campaign_id=after.id, status=str(after.status), **detail)
            return after
        final = self._reread(campaign)
        if done(final):
            record.step(step, campaign_id=final.id, status=str(final.status), **detail)
            return final
        assert last_error is not None
        raise last_error

    def _reread(self, campaign: Campaign) -> Campaign:
        fresh = self.get_campaign(campaign.id)
        if fresh is None:
            raise ProviderError(f"{self.name}: campaign {campaign.id} disappeared at the provider")
        return fresh

    def _pause(self, attempt: int) -> None:
        self.sleep(min(8.0, 0.25 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0))


def furthest_along(found: list[Campaign], by_id: bool = True) -> Campaign | None:
    """Of the campaigns a lookup matched (duplicates should never exist), the one furthest along.

    Sent, then queued, scheduled, draft, anything else: acting on the one
    furthest along never sends an issue twice. A tie goes to the lowest numeric
    id (the oldest), or with ``by_id=False`` to the first in ``found``.
    """
    return min(found, key=lambda c: (_RANK.get(c.status, 4), int(c.id) if by_id else 0), default=None)


def _ids(lists: frozenset[str]) -> str:
    """``1,3``: in numeric order (list ids are numbers at listmonk and brevo)."""
    return ",".join(sorted(lists, key=lambda i: (int(i), "") if i.isdigit() else (0, i)))


def _same_minute(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return False
    return abs((a - b).total_seconds()) < 60
