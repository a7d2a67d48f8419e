"""The contract every provider's list sends keep: create -> test -> schedule -> run again,
kill at every step and resume, and never a duplicate campaign or a second send.

Subclass ``ProviderContract`` once per provider (module ``tests/send/test_<name>_contract.py``)
and override the ``target`` fixture to yield a ``ContractTarget`` for a fresh
fake of that provider. Every test drives the real CLI as a subprocess
(``newsletter send ...``) against a throwaway project holding the seed issue,
and then asks the target what the provider really holds.

    class TestListmonkContract(ProviderContract, SecretsContract, DroppedConnectionContract):
        @pytest.fixture
        def target(self):
            with ListmonkFake() as fake:
                yield ListmonkTarget(fake)

``SecretsContract`` (API keys / passwords never leak, on success and on an
auth error) and ``DroppedConnectionContract`` (the connection drops after the
provider triggered the send: no second send) are mixins for providers that
have secrets and a network.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shared import SEED_IN_PROJECT, clean_env

# Neutralise whatever the developer's shell has: the contract sets what it needs.
BASE_ENV = clean_env(NEWSLETTER_HTTP_BACKOFF="0.01", NEWSLETTER_HTTP_MAX_DELAY="0.2",
                     NEWSLETTER_HTTP_CONNECT_TIMEOUT="2", NEWSLETTER_HTTP_READ_TIMEOUT="3",
                     NEWSLETTER_HTTP_ATTEMPTS="3")

# Where a list send can be killed (ledger.py: before/after writing a step).
NOW_CRASHES = ["before:created", "after:created", "after:content", "after:send_requested", "before:sent"]
SCHEDULE_CRASHES = ["after:created", "after:schedule_requested", "before:scheduled"]


@dataclass(frozen=True)
class RemoteCampaign:
    """A campaign as the provider holds it, in our status vocabulary (draft, scheduled, queued, sent...)."""

    id: str
    name: str
    status: str
    send_at: datetime | None = None


class ContractTarget(ABC):
    """What the contract needs to know about one provider (usually its fake server)."""

    provider: str = ""
    env: dict[str, str] = {}  # settings pointing the CLI at this provider
    secrets: list[str] = []  # values that must never leak
    test_recipient = "editor@example.org"  # an address the provider accepts for test sends

    @abstractmethod
    def campaigns(self) -> list[RemoteCampaign]:
        """Every campaign the provider holds."""

    @abstractmethod
    def list_sends(self) -> int:
        """How many times a send to the list was triggered (all campaigns)."""

    @abstractmethod
    def test_sends(self) -> int:
        """How many test messages were sent (one per recipient)."""

    @abstractmethod
    def activity(self) -> int:
        """A count of everything the provider has been asked (requests, files): dry-run must not change it."""

    def bad_credentials_env(self) -> dict[str, str]:
        """Settings with a wrong secret (for ``SecretsContract``)."""
        raise NotImplementedError

    def drop_connection_after_send(self) -> None:
        """Arm: perform the next send-to-list call, then drop the connection (``DroppedConnectionContract``)."""
        raise NotImplementedError


def future(days: int = 30, hour: int = 9) -> datetime:
    """A quarter-hour UTC time (every provider accepts it unchanged)."""
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=days)
    return base.replace(hour=hour)


SendRun = Callable[..., subprocess.CompletedProcess[str]]


class ProviderContract:
    """The shared list-send contract; subclasses override ``target``."""

    @pytest.fixture
    def target(self) -> Iterator[ContractTarget]:
        raise NotImplementedError("override the target fixture in the provider's contract test")

    @pytest.fixture
    def project(self, make_project: Callable[..., Path]) -> Path:
        return make_project(seed=True)

    @pytest.fixture
    def send(self, target: ContractTarget, project: Path, run_cli: Callable[..., subprocess.CompletedProcess[str]]
             ) -> SendRun:
        def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
            full = {**BASE_ENV, **target.env, **(env or {})}
            return run_cli("send", SEED_IN_PROJECT, "--provider", target.provider, *args,
                           cwd=project, env=full, timeout=60)

        return run

    # -- helpers
    @staticmethod
    def ok(result: subprocess.CompletedProcess[str]) -> str:
        assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        assert "Traceback" not in result.stderr
        return result.stdout

    @staticmethod
    def only_campaign(target: ContractTarget) -> RemoteCampaign:
        campaigns = target.campaigns()
        assert len(campaigns) == 1, f"expected exactly one campaign, provider holds {campaigns}"
        return campaigns[0]

    # -- the contract
    def test_create_test_schedule_run_again(self, target: ContractTarget, send: SendRun) -> None:
        self.ok(send("--test", "--to", target.test_recipient))
        assert target.test_sends() == 1
        assert len(target.campaigns()) <= 1
        when = future()
        out = self.ok(send("--schedule", when.isoformat(), "--yes"))
        campaign = self.only_campaign(target)
        assert campaign.status == "scheduled"
        assert campaign.send_at is not None and abs(campaign.send_at - when) < timedelta(minutes=1)
        assert "scheduled" in out and campaign.id in out
        again = self.ok(send("--schedule", when.isoformat(), "--yes"))
        assert "already scheduled" in again and campaign.id in again
        assert self.only_campaign(target).status == "scheduled"
        assert target.list_sends() == 0

    def test_send_now_twice_sends_once(self, target: ContractTarget, send: SendRun) -> None:
        self.ok(send("--now", "--yes"))
        campaign = self.only_campaign(target)
        assert campaign.status in ("queued", "sent")
        assert target.list_sends() == 1
        again = self.ok(send("--now", "--yes"))
        assert "already sent" in again and campaign.id in again
        assert target.list_sends() == 1 and len(target.campaigns()) == 1

    def test_lost_ledger_still_sends_once(self, target: ContractTarget, send: SendRun, project: Path) -> None:
        self.ok(send("--now", "--yes"))
        shutil.rmtree(project / ".newsletter")
        again = self.ok(send("--now", "--yes"))
        assert "already sent" in again
        assert target.list_sends() == 1 and len(target.campaigns()) == 1

    def test_schedule_again_moves_the_time(self, target: ContractTarget, send: SendRun) -> None:
        first, second = future(10), future(11, hour=10)
        self.ok(send("--schedule", first.isoformat(), "--yes"))
        self.ok(send("--schedule", second.isoformat(), "--yes"))
        campaign = self.only_campaign(target)
        assert campaign.status == "scheduled"
        assert campaign.send_at is not None and abs(campaign.send_at - second) < timedelta(minutes=1)
        assert target.list_sends() == 0

    def test_scheduled_then_now_does_not_send(self, target: ContractTarget, send: SendRun) -> None:
        self.ok(send("--schedule", future().isoformat(), "--yes"))
        out = self.ok(send("--now", "--yes"))
        assert "already scheduled" in out
        assert target.list_sends() == 0

    @pytest.mark.parametrize("crash", NOW_CRASHES)
    def test_killed_send_now_resumes_once(self, target: ContractTarget, send: SendRun, crash: str) -> None:
        killed = send("--now", "--yes", env={"NEWSLETTER_TEST_CRASH_AT": crash})
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        assert len(target.campaigns()) <= 1 and target.list_sends() <= 1
        out = self.ok(send("--now", "--yes"))
        campaign = self.only_campaign(target)
        assert campaign.status in ("queued", "sent") and campaign.id in out
        assert target.list_sends() == 1

    @pytest.mark.parametrize("crash", SCHEDULE_CRASHES)
    def test_killed_schedule_resumes_once(self, target: ContractTarget, send: SendRun, crash: str) -> None:
        when = future(20)
        killed = send("--schedule", when.isoformat(), "--yes", env={"NEWSLETTER_TEST_CRASH_AT": crash})
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        self.ok(send("--schedule", when.isoformat(), "--yes"))
        campaign = self.only_campaign(target)
        assert campaign.status == "scheduled"
        assert campaign.send_at is not None and abs(campaign.send_at - when) < timedelta(minutes=1)
        assert target.list_sends() == 0

    def test_dry_run_touches_nothing(self, target: ContractTarget, send: SendRun, project: Path) -> None:
        before = target.activity()
        out = self.ok(send("--now", "--yes", "--dry-run"))
        assert "nothing is sent" in out and target.provider in out
        assert target.activity() == before
        assert target.campaigns() == [] and target.list_sends() == 0
        assert not (project / ".newsletter").exists()

    def test_ci_refuses_list_send(self, target: ContractTarget, send: SendRun) -> None:
        refused = send("--now", "--yes", env={"CI": "true"})
        assert refused.returncode == 2 and "NEWSLETTER_ALLOW_CI_LIST_SEND" in refused.stderr
        assert target.campaigns() == [] and target.list_sends() == 0

    def test_no_terminal_no_yes_refuses(self, target: ContractTarget, send: SendRun) -> None:
        refused = send("--now")
        assert refused.returncode == 2 and "--yes" in refused.stderr
        assert target.campaigns() == [] and target.list_sends() == 0


class SecretsContract:
    """Secrets never reach stdout, stderr, the ledger or the outbox: on success and on errors."""

    @staticmethod
    def assert_clean(target: ContractTarget, project: Path, *results: subprocess.CompletedProcess[str]) -> None:
        files = [p for p in project.rglob("*") if p.is_file() and p.suffix in (".json", ".eml", ".log", ".txt")]
        for secret in target.secrets:
            for result in results:
                assert secret not in result.stdout and secret not in result.stderr
            for path in files:
                assert secret not in path.read_text(encoding="utf-8", errors="replace"), path

    def test_secrets_never_shown(self, target: ContractTarget, send: SendRun, project: Path) -> None:
        results = [send("--test", "--to", target.test_recipient), send("--now", "--yes"),
                   send("--now", "--yes", "--dry-run")]
        assert [r.returncode for r in results] == [0, 0, 0], [r.stderr for r in results]
        self.assert_clean(target, project, *results)

    def test_secrets_not_in_auth_errors(self, target: ContractTarget, send: SendRun, project: Path) -> None:
        bad = target.bad_credentials_env()
        results = [send("--now", "--yes", env=bad), send("--test", "--to", target.test_recipient, env=bad)]
        assert [r.returncode for r in results] == [3, 3], [r.stderr for r in results]
        assert all("Traceback" not in r.stderr for r in results)
        wrong = SecretsContract._secrets_of(bad)
        self.assert_clean(target, project, *results)
        for secret in wrong:
            assert all(secret not in r.stdout + r.stderr for r in results)
        assert target.list_sends() == 0

    @staticmethod
    def _secrets_of(env: dict[str, str]) -> list[str]:
        return [v for k, v in env.items() if k.endswith(("TOKEN", "API_KEY", "PASSWORD")) and len(v) >= 4]


class DroppedConnectionContract:
    """The provider triggers the send, then the connection drops: the client re-reads, never resends."""

    def test_dropped_after_send_is_not_resent(self, target: ContractTarget, send: SendRun) -> None:
        target.drop_connection_after_send()
        result = send("--now", "--yes")
        assert result.returncode == 0, result.stderr
        assert target.list_sends() == 1 and len(target.campaigns()) == 1
        again = send("--now", "--yes")
        assert again.returncode == 0 and "already sent" in again.stdout
        assert target.list_sends() == 1
