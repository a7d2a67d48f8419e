"""``ContractTarget``s for the shared provider contract (tests/send/contract.py), one per fake.

They read what the fake provider really holds: its campaigns in our status
vocabulary, the list sends and test messages it delivered, and how many
requests it received.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .brevo import BrevoFake
from .harness import provider_name, settings_for
from .listmonk import ListmonkFake
from .mailchimp import MailchimpFake
from .server import FakeServer

# provider word -> our vocabulary (providers/base.py Status)
STATUSES = {
    ListmonkFake: {"draft": "draft", "scheduled": "scheduled", "running": "queued", "finished": "sent",
                   "paused": "unknown", "cancelled": "failed"},
    MailchimpFake: {"save": "draft", "schedule": "scheduled", "sending": "queued", "sent": "sent"},
    BrevoFake: {"draft": "draft", "queued": "scheduled", "sent": "sent", "suspended": "failed"},
}
SECRET = {ListmonkFake: "LISTMONK_TOKEN", MailchimpFake: "MAILCHIMP_API_KEY", BrevoFake: "BREVO_API_KEY"}
SEND_CALL = {ListmonkFake: "PUT /api/campaigns/*/status", MailchimpFake: "POST /3.0/campaigns/*/actions/send",
             BrevoFake: "POST /v3/emailCampaigns/*/sendNow"}
WRONG = {ListmonkFake: "wrong-listmonk-token-42", MailchimpFake: "f00dfeedf00dfeedf00dfeedf00dfeed-us21",
         BrevoFake: "xkeysib-wrong-key-42"}


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


class FakeTarget:
    """Implements ``send.contract.ContractTarget`` for any of the three fakes (duck-typed)."""

    test_recipient = "editor@example.org"

    def __init__(self, fake: FakeServer) -> None:
        self.fake = fake
        self.kind = type(fake)
        self.provider = provider_name(fake)
        self.env = settings_for(fake)
        self.secrets = [self.env[SECRET[self.kind]]]

    def campaigns(self) -> list[Any]:
        from send.contract import RemoteCampaign

        with self.fake.lock:
            held = list(self.fake.campaigns.values())
        return [RemoteCampaign(str(c["id"]), self._name(c), STATUSES[self.kind].get(c["status"], "unknown"),
                               self._send_at(c)) for c in held]

    def list_sends(self) -> int:
        return len(self.fake.list_sends)

    def test_sends(self) -> int:
        return len(self.fake.test_messages)

    def activity(self) -> int:
        return len(self.fake.requests)

    def bad_credentials_env(self) -> dict[str, str]:
        return {SECRET[self.kind]: WRONG[self.kind]}

    def drop_connection_after_send(self) -> None:
        self.fake.faults.drop_after_action(match=SEND_CALL[self.kind])

    def _name(self, campaign: dict[str, Any]) -> str:
        return campaign.get("name") or campaign.get("settings", {}).get("title", "")

    def _send_at(self, campaign: dict[str, Any]) -> datetime | None:
        if self.kind is ListmonkFake:
            return _when(campaign.get("send_at"))
        if self.kind is MailchimpFake:
            return _when(campaign.get("send_time")) if campaign["status"] == "schedule" else None
        return _when(campaign.get("scheduledAt"))
