"""The shared provider contract (send/contract.py) against the fake Brevo API, through the real CLI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes import BrevoFake
from fakes.targets import FakeTarget

from send.contract import DroppedConnectionContract, ProviderContract, SecretsContract


class TestBrevoContract(ProviderContract, SecretsContract, DroppedConnectionContract):
    @pytest.fixture
    def target(self) -> Iterator[FakeTarget]:
        with BrevoFake() as fake:
            yield FakeTarget(fake)
