"""Fixtures for the preview: a live server over a throwaway project, and a browser page on it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newsletter_pipeline.commands.preview import send_test
from newsletter_pipeline.preview import LiveReload, PreviewServer, Site

class Running:
    """A preview server started in-process on an ephemeral loopback port."""

    def __init__(self, site: Site, server: PreviewServer, live: LiveReload, log: list[str]) -> None:
        self.site, self.server, self.live, self.log = site, server, live, log

    @property
    def url(self) -> str:
        return self.server.url

    def wait_epoch(self, above: int, timeout: float = 10.0) -> int:
        """Wait until a rebuild bumps the epoch past ``above``."""
        deadline = time.monotonic() + timeout
        while self.site.epoch <= above:
            if time.monotonic() > deadline:
                raise AssertionError(f"no rebuild within {timeout} s; log: {self.log}")
            time.sleep(0.01)
        return self.site.epoch


@pytest.fixture
def serve() -> Iterator[Callable[..., Running]]:
    """Start a preview of ``sources``; every server started is stopped after the test."""
    started: list[Running] = []

    def start(*sources: Path, templates: Path | None = None, settle: float | None = None) -> Running:
        log: list[str] = []
        site = Site(list(sources), templates, log.append)
        site.check_slugs()
        site.rebuild()
        server = PreviewServer(site, "127.0.0.1", 0, send_test=send_test)  # the CLI's button, a real send
        server.start_background()
        live = LiveReload(site, log.append) if settle is None else LiveReload(site, log.append, settle=settle)
        running = Running(site, server, live, log)
        started.append(running)
        live.start()
        return running

    yield start
    for running in started:
        running.server.stop()
        running.live.stop()


@pytest.fixture
def seed_project(make_project: Callable[..., Path]) -> Path:
    return make_project(seed=True)


@pytest.fixture
def page(browser):
    """A fresh page; requests leaving the machine (the email's https images) are refused at once."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(lambda url: not url.startswith("http://127.0.0.1:"), lambda route: route.abort())
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()
