"""The shared provider contract (send/contract.py) against the fake Mailchimp API, through the real CLI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes import MailchimpFake
from fakes.targets import FakeTarget

from send.contract import DroppedConnectionContract, ProviderContract, SecretsContract


class TestMailchimpContract(ProviderContract, SecretsContract, DroppedConnectionContract):
    @pytest.fixture
    def target(self) -> Iterator[FakeTarget]:
        with MailchimpFake() as fake:
            yield FakeTarget(fake)
