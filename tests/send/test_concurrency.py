"""Two list sends of one issue at once, in one checkout: exactly one reaches the list.

Two real CLI processes (two terminals, or CI plus a person) against the fake
Listmonk, whose campaign lookup is slow: without the project's send lock both
would find no campaign, both create one and both start it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from fakes import ListmonkFake
from fakes.harness import FAST, settings_for
from shared import clean_env, newsletter_command

TRIALS = 5
LOOKUP_DELAY = 0.6  # longer than the gap between the two processes' starts

SMALL_ISSUE = """\
subject: A small issue {n}
preheader: "A short issue for the send tests: one masthead, one editorial, nothing more."
date: 2021-12-15
blocks:
  - type: masthead
    title: A small issue
  - type: editorial
    body: "Hello from [AI4Media](https://www.ai4media.eu/)."
"""


def issue_name(n: int) -> str:
    return f"issues/2021-12-small-{n}.yaml"


def start_send(project: Path, issue: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([*newsletter_command(), "send", issue, "--now", "--yes"], cwd=project,
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def send_env(fake: ListmonkFake) -> dict[str, str]:
    return clean_env(**{**FAST, "NEWSLETTER_HTTP_READ_TIMEOUT": "10"}, NEWSLETTER_PROVIDER="listmonk",
                     **settings_for(fake))


def test_two_concurrent_list_sends_send_once(make_project):
    project = make_project({issue_name(n): SMALL_ISSUE.format(n=n) for n in range(TRIALS)})
    with ListmonkFake() as fake:
        env = send_env(fake)
        for n in range(TRIALS):
            fake.faults.delay(LOOKUP_DELAY, n=2, match="GET /api/campaigns")
            runs = [start_send(project, issue_name(n), env) for _ in range(2)]
            outputs = [run.communicate(timeout=60) for run in runs]
            assert [run.returncode for run in runs] == [0, 0], outputs
            stdout = "".join(out for out, _ in outputs)
            name = f"2021-12-small-{n} [newsletter-pipeline]"
            assert len(fake.campaigns_named(name)) == 1, (n, outputs)
            assert len(fake.list_sends) == n + 1, (n, outputs)
            assert stdout.count("listmonk: sent") == 1 and stdout.count("already sent") == 1, outputs
            assert "waiting up to 300 s" in "".join(err for _, err in outputs), outputs
        assert fake.count("PUT", "/campaigns/*/status") == TRIALS


def test_the_waiter_gives_up_clearly_after_the_timeout(make_project, run_cli):
    """A send that holds the lock longer than NEWSLETTER_SEND_LOCK_TIMEOUT: the other refuses, sends nothing."""
    project = make_project({issue_name(0): SMALL_ISSUE.format(n=0)})
    with ListmonkFake() as fake:
        env = send_env(fake)
        fake.faults.delay(3.0, n=1, match="GET /api/campaigns")
        holder = start_send(project, issue_name(0), env)
        try:
            fake.wait_for(lambda: fake.count("GET", "/campaigns") == 1)
            waiter = run_cli("send", issue_name(0), "--now", "--yes", cwd=project,
                             env={**env, "NEWSLETTER_SEND_LOCK_TIMEOUT": "0.2"})
        finally:
            holder.communicate(timeout=60)
        assert waiter.returncode == 2 and "Traceback" not in waiter.stderr, waiter.stderr
        assert "another send of 2021-12-small-0 has been running" in waiter.stderr
        assert "nothing was sent" in waiter.stderr
        assert holder.returncode == 0 and len(fake.list_sends) == 1
