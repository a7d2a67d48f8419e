"""Fixtures for the CI tests: a git repository with a merge's worth of changes, and an SMTP server."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from cihelpers import ALPHA, BETA, GAMMA, OLD, REPO, commit, git, issue_text


@dataclass
class MergeRepo:
    """Base commit: alpha, beta, old. Merge commit: alpha changed, gamma added, old deleted."""

    root: Path
    base: str
    head: str


@pytest.fixture
def merge_repo(tmp_path: Path) -> MergeRepo:
    root = tmp_path / "newsletter"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    shutil.copy(REPO / "newsletter.yaml", root / "newsletter.yaml")
    base = commit(root, "base", {ALPHA: issue_text("Alpha, first draft", 0), BETA: issue_text("Beta", 1),
                                 OLD: issue_text("Old", 2), "README.md": "our newsletter\n"})
    head = commit(root, "merge: alpha changed, gamma added, old removed",
                  {ALPHA: issue_text("Alpha, as merged", 0), GAMMA: issue_text("Gamma", 3)}, delete=(OLD,))
    return MergeRepo(root, base, head)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Sink:
    """aiosmtpd handler: keeps every message; refuses the recipients in ``refuse``."""

    refuse: set[str] = field(default_factory=set)
    messages: list[Received] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd API
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 queued"


@dataclass
class SmtpSink:
    port: int
    handler: Sink

    def env(self) -> dict[str, str]:
        return {"NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_PORT": str(self.port),
                "NEWSLETTER_SMTP_SECURITY": "none", "NEWSLETTER_SMTP_USERNAME": "", "NEWSLETTER_SMTP_PASSWORD": "",
                "NEWSLETTER_SMTP_TIMEOUT": "5"}


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, stopped after the test."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=5)
    controller.start()
    try:
        yield SmtpSink(port, handler)
    finally:
        controller.stop()
