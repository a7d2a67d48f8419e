"""``newsletter preview``: serve issues on a local page that rebuilds and reloads on save."""

from __future__ import annotations

import os
import errno
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from ..errors import EXIT_OK, MissingFileError, NewsletterError, UsageError
from ..preview import LiveReload, PreviewServer, Site
from ..preview.server import is_loopback

Log = Callable[[str], None]


def open_site(sources: list[Path], templates: Path | None, log: Log) -> Site:
    """Check the arguments and build every issue once (failures are shown, not raised)."""
    for source in sources:
        if not os.path.exists(source):  # not Path.exists(): it raises for a name over 255 bytes
            raise MissingFileError(source, "issue file or folder")
    if templates is not None and not os.path.isdir(templates):
        raise MissingFileError(templates, "templates folder")
    site = Site(sources, templates, log)
    if not site.issue_paths():
        raise UsageError(f"no issue files (*.yaml) in {', '.join(map(str, sources))}")
    site.check_slugs()
    for build in site.rebuild():
        log("\n".join(build.errors) if build.errors else f"built {build.slug} ({build.size:,} bytes)")
    return site


def send_test(path: Path, templates: Path | None = None) -> tuple[bool, list[str]]:
    """The page's "Send test" button: ``send --test`` of ``path`` to NEWSLETTER_TEST_RECIPIENTS, built
    with the preview's ``--templates`` (what the page shows is what is sent).

    The one send path (``send.send_issue``) with ``test=True``, so a list send
    cannot happen here. Returns (sent, the lines ``send`` would print), the
    errors written as the CLI writes them, secrets redacted.
    """
    from ..config import Config, redact
    from ..issue.load import find_project_root
    from ..redaction import redact_everywhere
    from .send import Attempt, SendOptions, send_issue

    lines: list[str] = []
    try:
        code = send_issue(Attempt(path), SendOptions(path, test=True, templates=templates), None, lines.append, lines.append)
    except NewsletterError as exc:
        code, lines = exc.exit_code, [*lines, exc.report()]

    def clean(line: str) -> str:
        try:
            return redact(redact_everywhere(line), Config.load(find_project_root(path.resolve().parent)))
        except NewsletterError:  # a broken .env: the process's own secrets are still hidden
            return redact_everywhere(line)

    return code == EXIT_OK, [clean(line) for line in lines]


def bind(site: Site, host: str, port: int) -> PreviewServer:
    """The listening server; a port in use or a bad host is a usage error (exit 2)."""
    try:
        return PreviewServer(site, host, port, send_test=send_test)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on {host} is in use: pass --port with another number "
                             "(or --port 0 to pick a free one)") from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (check --host)") from None


def host_warning(host: str) -> str | None:
    """Anything but loopback exposes unsent issues to the network: say so."""
    if is_loopback(host):
        return None
    return (f"warning: serving on {host}, not 127.0.0.1: anyone who can reach this machine can read "
            "the preview and the unsent issues; leave out --host to keep it local")


def run(sources: list[Path], host: str, port: int, templates: Path | None, open_browser: bool,
        announce: Log, log: Log) -> None:
    """Serve until Ctrl-C (or SIGTERM); then stop watchers and server within about a second."""
    warning = host_warning(host)
    if warning:
        log(warning)
    site = open_site(sources, templates, log)
    server = bind(site, host, port)
    live = LiveReload(site, log)
    try:
        live.start()
        announce(f"serving {server.url} (Ctrl-C to stop)")
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        site.close()
        server.server_close()
        live.stop()
    announce("stopped")
