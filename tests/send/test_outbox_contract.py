"""The provider contract against the outbox: its "provider" is the campaign file in outbox/<slug>/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from shared import SEED_SLUG

from send.contract import ContractTarget, ProviderContract, RemoteCampaign


class OutboxTarget(ContractTarget):
    provider = "outbox"

    def __init__(self, project: Path) -> None:
        self.folder = project / "outbox"
        self.env = {"NEWSLETTER_OUTBOX_DIR": ""}

    def _campaign_files(self) -> list[Path]:
        return sorted(self.folder.glob("*/campaign.json"))

    def campaigns(self) -> list[RemoteCampaign]:
        found = []
        for path in self._campaign_files():
            data = json.loads(path.read_text())
            send_at = datetime.fromisoformat(data["send_at"]) if data.get("send_at") else None
            found.append(RemoteCampaign(data["id"], data["name"], data["status"], send_at))
        return found

    def list_sends(self) -> int:
        sends = sum(json.loads(p.read_text())["list_sends"] for p in self._campaign_files())
        # every send writes the list's copy: the counter and the file must agree
        assert (self.folder / SEED_SLUG / "list.eml").exists() == (sends > 0)
        return sends

    def test_sends(self) -> int:
        return len([p for p in self.folder.glob("*/*.eml") if p.name != "list.eml"])

    def activity(self) -> int:
        return len(list(self.folder.rglob("*"))) if self.folder.exists() else 0


class TestOutboxContract(ProviderContract):
    @pytest.fixture
    def target(self, project: Path) -> Iterator[ContractTarget]:
        yield OutboxTarget(project)
