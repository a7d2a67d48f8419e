"""Two list sends of one issue at once, in one checkout: exactly one reaches the list.

Two real CLI processes (two terminals, or CI plus a person) against the fake
Listmonk, whose campaign lookup is slow (held until both runs are in the
race): without the project's send lock both find no campaign, both create
one and both start it.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from fakes import ListmonkFake
from fakes.harness import FAST, settings_for
from send.conftest import small_issue
from shared import clean_env, newsletter_command

TRIALS = 5
HOLD_AT_MOST = 30.0  # seconds; the condition releases it long before, unless the machine stalls



def issue_name(n: int) -> str:
    return f"issues/2021-12-small-{n}.yaml"


def start_send(project: Path, issue: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([*newsletter_command(), "send", issue, "--now", "--yes"], cwd=project,
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Run:
    """A CLI send whose stderr is read as it comes, so the test sees the moment it starts waiting."""

    def __init__(self, project: Path, issue: str, env: dict[str, str], on_line: Callable[[str], None]) -> None:
        self.process = start_send(project, issue, env)
        self.stderr: list[str] = []
        self._reader = threading.Thread(target=self._read, args=(on_line,), daemon=True)
        self._reader.start()

    def _read(self, on_line: Callable[[str], None]) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)
            on_line(line)

    def finish(self) -> tuple[int, str, str]:
        assert self.process.stdout is not None
        stdout = self.process.stdout.read()
        code = self.process.wait(timeout=60)
        self._reader.join(timeout=10)
        return code, stdout, "".join(self.stderr)


def send_env(fake: ListmonkFake) -> dict[str, str]:
    return clean_env(**{**FAST, "NEWSLETTER_HTTP_READ_TIMEOUT": str(HOLD_AT_MOST + 10)},
                     NEWSLETTER_PROVIDER="listmonk", **settings_for(fake))


def test_two_concurrent_list_sends_send_once(make_project):
    """The campaign lookup is held until both runs are surely in the race: until a second lookup
    arrives (what happens without the lock), or until the other run says it waits for the lock."""
    project = make_project({issue_name(n): small_issue(f"A small issue {n}") for n in range(TRIALS)})
    with ListmonkFake() as fake:
        env = send_env(fake)
        for n in range(TRIALS):
            fake.faults.clear()
            waiting = threading.Event()
            lookups = fake.count("GET", "/campaigns")

            def on_line(line: str) -> None:
                if "waiting up to" in line:
                    waiting.set()
                    fake.poke()

            fake.faults.hold(lambda: waiting.is_set() or fake.count("GET", "/campaigns") >= lookups + 2,
                             n=2, match="GET /api/campaigns", timeout=HOLD_AT_MOST)
            runs = [Run(project, issue_name(n), env, on_line) for _ in range(2)]
            outcomes = [run.finish() for run in runs]
            assert [code for code, _, _ in outcomes] == [0, 0], outcomes
            name = f"2021-12-small-{n} [newsletter-pipeline]"
            assert len(fake.campaigns_named(name)) == 1, (n, outcomes)
            assert len(fake.list_sends) == n + 1, (n, outcomes)
            stdout = "".join(out for _, out, _ in outcomes)
            assert stdout.count("listmonk: sent") == 1 and stdout.count("already sent") == 1, outcomes
            assert waiting.is_set() and "waiting up to 300 s" in "".join(err for _, _, err in outcomes)
        assert fake.count("PUT", "/campaigns/*/status") == TRIALS


def test_the_waiter_gives_up_clearly_after_the_timeout(make_project, run_cli):
    """A send that holds the lock longer than NEWSLETTER_SEND_LOCK_TIMEOUT: the other refuses, sends nothing."""
    project = make_project({issue_name(0): small_issue("A small issue 0")})
    with ListmonkFake() as fake:
        env = send_env(fake)
        waiter_done = threading.Event()
        fake.faults.hold(waiter_done.is_set, n=1, match="GET /api/campaigns", timeout=HOLD_AT_MOST)
        holder = start_send(project, issue_name(0), env)
        try:
            fake.wait_for(lambda: fake.count("GET", "/campaigns") == 1)  # the holder has the lock
            waiter = run_cli("send", issue_name(0), "--now", "--yes", cwd=project,
                             env={**env, "NEWSLETTER_SEND_LOCK_TIMEOUT": "0.2"})
        finally:
            waiter_done.set()
            fake.poke()
            holder.communicate(timeout=60)
        assert waiter.returncode == 2 and "Traceback" not in waiter.stderr, waiter.stderr
        assert "another send of 2021-12-small-0 has been running" in waiter.stderr
        assert "nothing was sent" in waiter.stderr
        assert holder.returncode == 0 and len(fake.list_sends) == 1


def test_ctrl_c_during_a_list_send_says_it_may_have_gone_and_a_rerun_sends_once(make_project, run_cli):
    """SIGINT while the provider holds the start of the campaign: it said only "interrupted"."""
    import signal

    project = make_project({issue_name(0): small_issue("A small issue 0")})
    with ListmonkFake() as fake:
        env = send_env(fake)
        released = threading.Event()
        fake.faults.hold(released.is_set, n=1, match="PUT /api/campaigns/*/status", timeout=HOLD_AT_MOST)
        process = start_send(project, issue_name(0), env)
        try:
            fake.wait_for(lambda: fake.count("PUT", "/campaigns/*/status") == 1)  # the start is at the provider
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=60)
        finally:
            released.set()
            fake.poke()
            if process.poll() is None:
                process.kill()
        assert process.returncode == 130 and "Traceback" not in stderr, stderr
        message = " ".join(stderr.split())
        assert ("interrupted during the send of 2021-12-small-0 through listmonk: it may or may not have reached "
                "the provider. Run the same command again: it looks the campaign up first and never sends it "
                "twice") in message
        again = run_cli("send", issue_name(0), "--now", "--yes", cwd=project, env=env)
        assert again.returncode == 0 and "already sent" in again.stdout, again.stdout + again.stderr
        assert len(fake.list_sends) == 1
