"""The shared provider contract (send/contract.py) against the fake Listmonk API, through the real CLI."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes import ListmonkFake
from fakes.targets import FakeTarget

from send.contract import DroppedConnectionContract, ProviderContract, SecretsContract


class TestListmonkContract(ProviderContract, SecretsContract, DroppedConnectionContract):
    @pytest.fixture
    def target(self) -> Iterator[FakeTarget]:
        with ListmonkFake() as fake:
            yield FakeTarget(fake)
