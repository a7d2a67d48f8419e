"""``newsletter preview``: a local live-reload server for issues, after mkdocs' serve.

- ``site``: the issues being previewed and their latest builds, and the epoch
  the browser waits on;
- ``watcher``: file changes only set a flag; one loop waits for them to
  settle, rebuilds, and bumps the epoch;
- ``server``: a loopback ``ThreadingHTTPServer`` with a fixed set of routes
  (no file is ever served from a URL path);
- ``pages`` and ``static/``: the preview page, the index and their script;
- ``chromium``: headless Chromium over the DevTools pipe, for screenshots.
"""

from __future__ import annotations

from .server import PreviewServer
from .site import Build, Site
from .watcher import LiveReload

__all__ = ["Build", "LiveReload", "PreviewServer", "Site"]
