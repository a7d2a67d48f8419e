"""End to end, what the workflow does on a merge to main, against a real SMTP server on 127.0.0.1.

Run by .ci/run with the project's venv: ``.venv/bin/python .ci/merge_flow.py``.

1. A throwaway git repository: the test suite's fixture project (``tests/fixtures/ai4media``:
   newsletter.yaml and the seed issue) and this project's templates ("base"). Never the
   repository's own issues/ or newsletter.yaml, which are its content, not the tool's.
2. A merge that edits the seed issue's subject; then
   ``newsletter send --test --changed-since HEAD~1 --provider smtp`` must deliver exactly that
   issue to the test recipient through aiosmtpd, and print its Message-ID in the summary table.
3. A docs-only merge sends nothing and exits 0.
4. Under CI=true a list send (--now --yes) is refused with exit 2.

Exits non-zero with the reason on the first failed expectation; the server is always stopped.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parent.parent
FIXTURE_PROJECT = REPO / "tests" / "fixtures" / "ai4media"
SEED = "issues/2021-12-one-year-of-ai4media.yaml"
RECIPIENT = "ci-team@example.org"  # reserved for examples (RFC 2606); email-validator refuses .invalid
GIT_ENV = {"GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@newsletter-pipeline.invalid",
           "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@newsletter-pipeline.invalid"}


class Inbox:
    """aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 queued"


def expect(condition: bool, what: str, output: str = "") -> None:
    if not condition:
        print(f"merge flow FAILED: {what}\n{output}", file=sys.stderr)
        sys.exit(1)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)


def newsletter(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newsletter_pipeline", *args], cwd=root,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_repository(root: Path) -> None:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    shutil.copy(FIXTURE_PROJECT / "newsletter.yaml", root / "newsletter.yaml")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(FIXTURE_PROJECT / "issues", root / "issues")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")


def run(root: Path, inbox: Inbox, port: int) -> None:
    env = {"CI": "true", "NEWSLETTER_ALLOW_CI_LIST_SEND": "", "NEWSLETTER_PROVIDER": "smtp",
           "NEWSLETTER_TEST_RECIPIENTS": RECIPIENT, "NEWSLETTER_SMTP_HOST": "127.0.0.1",
           "NEWSLETTER_SMTP_PORT": str(port), "NEWSLETTER_SMTP_SECURITY": "none", "NEWSLETTER_SMTP_USERNAME": "",
           "NEWSLETTER_SMTP_PASSWORD": "", "NEWSLETTER_SMTP_TIMEOUT": "10", "GITHUB_STEP_SUMMARY": ""}
    make_repository(root)
    seed = root / SEED
    seed.write_text(seed.read_text(encoding="utf-8").replace("subject: One year of AI4Media",
                                                             "subject: One year of AI4Media (merged)", 1),
                    encoding="utf-8")
    git(root, "commit", "-q", "-am", "merge: a new subject")

    sent = newsletter(root, env, "send", "--test", "--changed-since", "HEAD~1", "--provider", "smtp")
    output = sent.stdout + sent.stderr
    expect(sent.returncode == 0, f"the test send exited {sent.returncode}", output)
    expect(len(inbox.messages) == 1, f"{len(inbox.messages)} messages arrived, expected 1", output)
    rcpt_tos, data = inbox.messages[0]
    message = email.message_from_bytes(data, policy=email.policy.default)
    expect(rcpt_tos == [RECIPIENT], f"sent to {rcpt_tos}")
    expect(message["Subject"] == "[TEST] One year of AI4Media (merged)", f"subject {message['Subject']!r}")
    expect(str(message["Message-ID"]) in sent.stdout, "the summary table lacks the Message-ID", output)
    print(f"merge flow: the changed issue arrived at 127.0.0.1:{port} as {message['Message-ID']}")

    (root / "README.md").write_text("how we write issues\n", encoding="utf-8")
    git(root, "add", "README.md")
    git(root, "commit", "-q", "-m", "docs")
    docs = newsletter(root, env, "send", "--test", "--changed-since", "HEAD~1")
    expect(docs.returncode == 0 and "nothing to send" in docs.stdout and len(inbox.messages) == 1,
           "a docs-only merge sent something or failed", docs.stdout + docs.stderr)
    print("merge flow: a docs-only merge sent nothing")

    refused = newsletter(root, env, "send", SEED, "--now", "--yes", "--provider", "outbox")
    expect(refused.returncode == 2 and "refusing a list send in CI" in refused.stderr
           and not (root / "outbox").exists(), "CI=true did not refuse a list send", refused.stdout + refused.stderr)
    print("merge flow: CI=true refused a list send")


def main() -> None:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        with tempfile.TemporaryDirectory(prefix="newsletter-merge-flow-") as tmp:
            run(Path(tmp) / "newsletter", inbox, port)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
