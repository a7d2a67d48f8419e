"""What every test folder shares: the repository's paths, the seed issue, the CLI as a process,
and local HTTP and SMTP servers (every one listens on 127.0.0.1 only).

Import it as ``from shared import ...`` (pytest puts tests/ on ``sys.path`` for
every folder below it). These are not in conftest.py because each test folder
has a conftest.py of its own, so "conftest" may name another module.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import stat
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import cli_process
import pytest
from aiosmtpd.controller import Controller

from newsletter_pipeline.config import SETTINGS

REPO = Path(__file__).resolve().parent.parent
# The suite's own project (a copy of the AI4Media newsletter as of 2021-12), never the
# repository's issues/ or newsletter.yaml: replacing those must leave the suite green.
# Read-only: a test that writes copies it with ``make_project``.
FIXTURE_PROJECT = REPO / "tests" / "fixtures" / "ai4media"
FIXTURE_CONFIG = FIXTURE_PROJECT / "newsletter.yaml"
SEED_NAME = "2021-12-one-year-of-ai4media.yaml"
SEED_SLUG = SEED_NAME.removesuffix(".yaml")
SEED = FIXTURE_PROJECT / "issues" / SEED_NAME  # the seed issue (the golden files are its build)
# a --schedule value any provider accepts: in the future, within the 10 years send allows
FUTURE_SCHEDULE = (datetime.now(UTC) + timedelta(days=60)).strftime("%Y-%m-%dT09:00:00Z")
SEED_IN_PROJECT = f"issues/{SEED_NAME}"  # the seed as the CLI names it from FIXTURE_PROJECT or ``make_project(seed=True)``

# The repository's own content, which only .ci/run checks (``newsletter check --strict issues/``).
REPO_CONTENT = (REPO / "issues", REPO / "newsletter.yaml")


# newsletter.yaml with no external URL anywhere (no logo, social links or website): link checks stay local
LOCAL_ONLY_CONFIG = """\
name: Lab Newsletter
sender:
  name: Lab
  email: news@lab.ai4media.eu
postal_address: "Lab, 1 Main Street, 57001 Thermi, Greece"
"""

# A small issue that passes every check (build runs them too): a preheader, a masthead h1, a descriptive button
HELLO_PREHEADER = "A short note about what is new in the AI4Media project this month."
HELLO_ISSUE = f"""\
subject: Hello
preheader: {HELLO_PREHEADER}
date: 2021-12-15
language: en
blocks:
  - type: masthead
    title: Hello
  - type: cta
    button:
      label: Visit the AI4Media website
      url: https://www.ai4media.eu/
"""

# An issue with one picture from the project folder (the local-image tests: build, preview, send)
PHOTO_ISSUE_NAME = "issues/2026-12-photo.yaml"


def photo_issue(src: str = "images/photo.jpg", extra: str = "") -> str:
    """A masthead and an image block showing ``src``; ``extra`` is added to the image block's lines."""
    return f"""\
subject: A photo from the project folder
preheader: One picture from the disk, resized for inboxes and published with the archive.
date: 2026-12-01
blocks:
  - type: masthead
    title: Photo issue
  - type: image
    src: {src}
    alt: The team on the steps of the venue
{extra}"""


def with_photo(root: Path, archive_url: str, size: tuple[int, int]) -> Path:
    """``root`` with ``archive_url`` in its newsletter.yaml and a noisy JPEG of ``size`` at images/photo.jpg."""
    from PIL import Image

    with (root / "newsletter.yaml").open("a", encoding="utf-8") as config:
        config.write(f"\narchive_url: {archive_url}\n")
    (root / "images").mkdir(exist_ok=True)
    Image.effect_noise(size, 50).convert("RGB").save(root / "images/photo.jpg", "JPEG")
    return root


def newsletter_command() -> list[str]:
    """The CLI as a fresh process of this interpreter (for what start-up does; else ``run_newsletter``)."""
    return cli_process.command()


def run_newsletter(args: list[str], *, cwd: Path | str, env: dict[str, str], input: str | None = None,
                   timeout: float = 120, fresh: bool = False) -> subprocess.CompletedProcess[str]:
    """``newsletter ARGS`` as a process of its own, forked from one that has imported the package
    (``cli_process.py``); answers what ``subprocess.run(..., capture_output=True, text=True)`` does."""
    return cli_process.run(args, cwd=cwd, env=env, input=input, timeout=timeout, fresh=fresh)



def clean_env(**values: str) -> dict[str, str]:
    """Settings for a CLI run that the developer's shell cannot change, then ``values``.

    ``CI``, every declared setting (``config.SETTINGS``) and the ledger's crash
    hook are set empty, which the CLI reads as unset.
    """
    return {"CI": "", "GITHUB_ACTIONS": "", "GITLAB_CI": "", "NEWSLETTER_TEST_CRASH_AT": "",
            **{name: "" for name in SETTINGS}, **values}


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int) -> list[str]:
    """Exit ``code``, lines on stderr, nothing on stdout, no traceback; returns the stderr lines."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines
    return lines


def full_device(folder: Path) -> str:
    """A character device like /dev/full (every write: no space left), made in ``folder``: a test that
    fails must not replace the machine's own /dev/full by a regular file, as the old code did as root."""
    path = folder / "full"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs root (CAP_MKNOD)")
    return str(path)


def free_port() -> int:
    """A loopback port nothing listens on (for a server to start on, or to find nobody there)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_http_server(handler: Callable[..., BaseHTTPRequestHandler],
                      tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 (an ephemeral port) from a thread; yields ``http://127.0.0.1:PORT``.

    Request threads are daemons and are not waited for at the end, so a
    deliberately slow reply cannot hold up the test's teardown. With ``tls``
    (a server context) it serves ``https://`` and ignores clients that hang
    up mid-handshake, which is what some tests make them do.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.block_on_close = False
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        server.handle_error = lambda request, address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Delivered:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Recorder:
    """The aiosmtpd handler: keeps every message, counts connections, refuses chosen recipients,
    hangs up during the message to a ``drop`` recipient (as a server that crashes or times out),
    answers ``421`` ("closing") to every MAIL FROM after ``close_after`` messages, and holds the
    message to a ``slow`` recipient until ``release`` is set (``holding`` is set meanwhile)."""

    refuse: set[str] = field(default_factory=set)
    busy: set[str] = field(default_factory=set)  # answered 452 ("try again later") at RCPT
    drop: set[str] = field(default_factory=set)
    close_after: int | None = None
    slow: set[str] = field(default_factory=set)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    messages: list[Delivered] = field(default_factory=list)
    connections: int = 0
    logins: list[str] = field(default_factory=list)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802 - aiosmtpd API
        if self.close_after is not None and len(self.messages) >= self.close_after:
            return "421 4.3.2 too busy, closing the connection"
        envelope.mail_from = address  # a handler of MAIL sets what aiosmtpd would
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd API
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        if address in self.busy:
            return "452 4.2.2 mailbox full, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        if self.drop & set(envelope.rcpt_tos):
            server.transport.close()  # no reply: the client cannot know whether this one was taken
            return "421 4.3.0 gone"
        if self.slow & set(envelope.rcpt_tos):
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        self.messages.append(Delivered(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 queued"


class CountingController(Controller):
    """aiosmtpd's threaded controller on a port the kernel picks while binding.

    A port probed free and bound later (``free_port``) can be taken in between
    by a parallel test worker; binding port 0 here cannot. ``_create_server`` is
    aiosmtpd's hook (1.4) that makes the listening server; ``port`` is then the
    real one, which ``start()``'s readiness check connects to.
    """

    def _create_server(self):
        sock = socket.create_server((self.hostname, 0))
        self.port = sock.getsockname()[1]
        return self.loop.create_server(self._factory_invoker, sock=sock, ssl=self.ssl_context)

    def factory(self):
        self.handler.connections += 1
        return super().factory()


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder
    security: str

    def env(self, **extra: str) -> dict[str, str]:
        """The NEWSLETTER_SMTP_* settings that send to this server, then ``extra``."""
        values = {"NEWSLETTER_SMTP_HOST": self.host, "NEWSLETTER_SMTP_PORT": str(self.port),
                  "NEWSLETTER_SMTP_SECURITY": self.security, "NEWSLETTER_SMTP_USERNAME": "",
                  "NEWSLETTER_SMTP_PASSWORD": "", "NEWSLETTER_SMTP_TIMEOUT": "5"}
        values.update(extra)
        return values


@contextmanager
def local_smtp_server(recorder: Recorder | None = None, security: str = "none",
                      **controller_options: Any) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 (a port the kernel picks), stopped on exit.

    ``security`` is what ``env()`` tells the client; the TLS contexts and
    authentication that make the server speak it are ``controller_options``
    (aiosmtpd's ``Controller`` arguments).
    """
    recorder = Recorder() if recorder is None else recorder
    controller = CountingController(recorder, hostname="127.0.0.1", port=0, ready_timeout=5,
                                    **controller_options)
    controller.start()
    recorder.connections = 0  # start() makes one connection of its own to check the server is up
    try:
        yield SmtpServer("127.0.0.1", controller.port, recorder, security)
    finally:
        controller.stop()


PAGE = os.sysconf("SC_PAGE_SIZE")


@contextmanager
def tmpfs(folder, pages: int, read_only: bool = False):
    """A real, tiny filesystem at ``folder`` (a full disk, or a read-only one); unmounted afterwards.

    Mounting needs root with CAP_SYS_ADMIN; elsewhere the test is skipped, and
    ``test_cli_build.test_a_file_size_limit_*`` still covers the error path with RLIMIT_FSIZE.
    """
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={pages * PAGE},mode=0755" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


@contextmanager
def email_pages(browser: Any, emails: dict[str, str]) -> Iterator[Callable[..., Any]]:
    """``open_at(name, width=600, scheme="light")``: a new page showing ``emails[name]`` at that viewport
    and colour scheme, every request it makes aborted (the layout must hold without remote images);
    each page's context is closed at the end."""
    contexts = []

    def open_at(name: str, width: int = 600, scheme: str = "light") -> Any:
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        contexts.append(context)
        context.route("**/*", lambda route: route.abort())
        page = context.new_page()
        page.set_content(emails[name], wait_until="domcontentloaded", timeout=15_000)
        return page

    try:
        yield open_at
    finally:
        for context in contexts:
            context.close()
