"""The default provider: real RFC 5322 ``.eml`` files in a local folder, no credentials.

- Test sends write one message per recipient to
  ``NEWSLETTER_OUTBOX_DIR/<slug>/<recipient>.eml`` (``message_file_name``:
  one file per distinct recipient; a repeated test to the same recipient
  replaces theirs). With no recipients configured they go to ``PLACEHOLDER_RECIPIENT``.
- List sends run the same at-most-once sequence and ledger steps as an API
  provider (``base.CampaignProvider``); the "provider" is a campaign file,
  ``NEWSLETTER_OUTBOX_DIR/<slug>/campaign.json``. ``--now`` writes the list's
  copy, ``<slug>/list.eml``, addressed to ``LIST_RECIPIENT``; ``--schedule``
  records the time (nothing fires later: the outbox is a rehearsal).

A relative ``NEWSLETTER_OUTBOX_DIR`` is relative to the project root (the
folder holding newsletter.yaml).
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from ..ledger import Record, damaged, read_json_object, write_json_atomic
from ..message import MessageFactory
from ..output import write_atomic
from ..models import Content
from .base import FEATURES, Campaign, CampaignProvider, MessageProvider, SendResult, Status

# RFC 2606 reserves .invalid: these addresses can never receive mail by accident.
PLACEHOLDER_RECIPIENT = "test-recipient@newsletter-pipeline.invalid"
OUTBOX_ELSEWHERE = "set NEWSLETTER_OUTBOX_DIR to another folder"
LIST_RECIPIENT = "list@newsletter-pipeline.invalid"
_PLAIN = re.compile(r"[a-z0-9@._+-]+")
MAX_NAME = 200  # characters of a message's file name: under every file system's 255 bytes


def message_file_name(recipient: str) -> str:
    """``<recipient>.eml``, unique per distinct recipient, on any file system.

    An address of lowercase letters, digits and ``@._+-`` is its own name.
    Any other (capitals, which a case-insensitive disk folds; ``/``, quotes,
    non-ASCII) keeps its safe characters and adds a hash of the exact address:
    ``"a/b"@x.org`` and ``a_b@x.org``, or ``Ann@x.org`` and ``ann@x.org``, get
    two files. A name that would pass ``MAX_NAME`` characters (file systems take 255 bytes; an address
    may have 254) is cut, with the hash after it.
    """
    if _PLAIN.fullmatch(recipient) and len(recipient) + len(".eml") <= MAX_NAME:
        return f"{recipient}.eml"
    digest = hashlib.sha256(recipient.encode("utf-8")).hexdigest()[:10]
    safe = re.sub(r"[^A-Za-z0-9@._+-]+", "_", recipient).lower()[:MAX_NAME - len(f"--{digest}.eml")]
    return f"{safe}--{digest}.eml"


class OutboxProvider(MessageProvider, CampaignProvider):
    name = "outbox"
    features: ClassVar[frozenset[str]] = FEATURES

    def setup(self) -> None:
        folder = Path(self.config.get("NEWSLETTER_OUTBOX_DIR") or "outbox").expanduser()
        self.folder = folder if folder.is_absolute() else self.ledger.project_root / folder

    @property
    def list_ref(self) -> str:
        return "outbox"

    # -- test sends: one .eml per recipient
    def default_test_recipients(self) -> list[str]:
        return [PLACEHOLDER_RECIPIENT]

    def deliver_test(self, content: Content, recipients: list[str]) -> SendResult:
        factory = MessageFactory(content, self.unsubscribe(content))
        paths = []
        message_ids = {}
        targets = {recipient: self.folder / content.slug / message_file_name(recipient) for recipient in recipients}
        if len(set(targets.values())) != len(targets):  # names are injective; never let one overwrite another
            raise AssertionError(f"two test recipients map to one outbox file: {targets}")
        for recipient, path in self.progress(list(targets.items()), "writing test messages"):
            write_atomic(path, factory.render(recipient), instead=OUTBOX_ELSEWHERE)
            paths.append(str(path))
            message_ids[recipient] = factory.last_message_id
        return SendResult("test", self.name, Status.SENT, recipients=list(recipients),
                          outcomes={r: Status.SENT for r in recipients}, paths=paths, message_ids=message_ids)

    # -- the campaign "provider": a JSON file per issue
    def _campaign_path(self, slug: str) -> Path:
        return self.folder / slug / "campaign.json"

    def _read(self, path: Path) -> dict[str, Any] | None:
        """The campaign file, checked; ``DamagedFile`` (exit 2) naming it when it is not ours."""
        if not path.is_file():
            return None
        data = read_json_object(path, "the outbox campaign file")
        problem = _campaign_problem(data)
        if problem:
            raise damaged(path, "the outbox campaign file", problem)
        return data

    @staticmethod
    def _campaign(data: dict[str, Any]) -> Campaign:
        send_at = datetime.fromisoformat(data["send_at"]) if data.get("send_at") else None
        return Campaign(data["id"], data["name"], Status(data["status"]), send_at, data["status"])

    def find_campaign(self, name: str, tag: str) -> Campaign | None:
        data = self._read(self._campaign_path(tag.removeprefix("nlp-")))
        return self._campaign(data) if data and data["name"] == name else None

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        data = self._read(self._campaign_path(campaign_id.removeprefix("outbox-")))
        return self._campaign(data) if data else None

    def create_campaign(self, content: Content, name: str, tag: str) -> Campaign:
        data = {"id": f"outbox-{content.slug}", "name": name, "tag": tag, "status": "draft",
                "send_at": None, "content_sha": content.sha, "subject": content.subject, "list_sends": 0}
        write_json_atomic(self._campaign_path(content.slug), data, OUTBOX_ELSEWHERE)
        return self._campaign(data)

    def _change(self, campaign: Campaign, **changes: Any) -> dict[str, Any]:
        path = self._campaign_path(campaign.id.removeprefix("outbox-"))
        data = self._read(path) or {}
        data.update(changes)
        write_json_atomic(path, data, OUTBOX_ELSEWHERE)
        return data

    def update_campaign(self, campaign: Campaign, content: Content) -> None:
        self._change(campaign, content_sha=content.sha, subject=content.subject)
        self._pending = content  # the list copy written by send_campaign

    def send_test(self, campaign: Campaign, content: Content, recipients: list[str]) -> None:
        raise AssertionError("the outbox writes test sends itself (deliver_test)")

    def schedule_campaign(self, campaign: Campaign, when: datetime) -> None:
        self._change(campaign, status="scheduled", send_at=when.isoformat())

    def send_campaign(self, campaign: Campaign) -> None:
        content: Content = self._pending
        factory = MessageFactory(content, self.unsubscribe(content))
        write_atomic(self.folder / content.slug / "list.eml", factory.render(LIST_RECIPIENT), instead=OUTBOX_ELSEWHERE)
        data = self._read(self._campaign_path(content.slug)) or {}
        self._change(campaign, status="sent", list_sends=int(data.get("list_sends", 0)) + 1)

    def list_send(self, content: Content, when: datetime | None) -> SendResult:
        self._pending = self.prepare(content)
        return super().list_send(content, when)

    def planned_calls(self, kind: str, record: Record) -> list[str]:
        folder = self.folder
        if kind == "test":
            return [f"write {folder}/{record.slug}/<recipient>.eml for each recipient"]
        calls = [f"read {folder}/{record.slug}/campaign.json (find the campaign)",
                 "write campaign.json (create the draft, unless found)",
                 "write campaign.json (content)"]
        calls.append("write campaign.json (status: scheduled, send_at)" if kind == "schedule"
                     else f"write list.eml to {LIST_RECIPIENT}; campaign.json (status: sent)")
        return calls


def _campaign_problem(data: dict[str, Any]) -> str | None:
    """What makes ``data`` unusable as a campaign file (None when it is fine)."""
    for key in ("id", "name", "status"):
        if not isinstance(data.get(key), str):
            return f"has no text {key!r}"
    if data["status"] not in set(Status):
        return f"has status {data['status']!r}, not one of {', '.join(Status)}"
    if isinstance(data.get("list_sends", 0), bool) or not isinstance(data.get("list_sends", 0), int):
        return "has a 'list_sends' that is not a whole number"
    send_at = data.get("send_at")
    if send_at is not None:
        try:
            datetime.fromisoformat(str(send_at))
        except ValueError:
            return f"has send_at {send_at!r}, not an ISO 8601 time"
    return None
