"""The preview's HTML pages: the issue page (a shell its script fills) and the index.

Only ``render/`` may use Jinja2, so these are plain strings; every value that
comes from an issue goes through ``html.escape``.
"""

from __future__ import annotations

from html import escape
from collections.abc import Sequence
from importlib import resources

from .site import Build, Site
from ..words import plural

STATIC_FILES = {"preview.js": "text/javascript", "preview.css": "text/css", "invert.js": "text/javascript"}


def static_file(name: str) -> tuple[bytes, str] | None:
    """The preview's own scripts and style sheet; ``None`` for any other name."""
    if name not in STATIC_FILES:
        return None
    return resources.files(__package__).joinpath("static", name).read_bytes(), STATIC_FILES[name]


def _head(title: str, token: str = "") -> str:
    meta = f'<meta name="preview-token" content="{escape(token)}">' if token else ""
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">{meta}'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="/_preview/preview.css">'
            f'<script src="/_preview/invert.js" defer></script>'
            f'<script src="/_preview/preview.js" defer></script></head>\n')


def _language_switcher(build: Build, editions: Sequence[Build]) -> str:
    """Links between the editions of one issue (``x.yaml``, ``x.el.yaml``), the current one marked."""
    if not editions:
        return ""
    links = []
    for edition in editions:
        language = escape(edition.language or "?")
        if edition.slug == build.slug:
            links.append(f'<a href="/issue/{escape(edition.slug)}/" aria-current="page" lang="{language}">'
                         f'{language}</a>')
        else:
            links.append(f'<a href="/issue/{escape(edition.slug)}/" hreflang="{language}" lang="{language}" '
                         f'title="{escape(edition.subject or edition.slug)}">{language}</a>')
    return f'<span class="group languages" role="group" aria-label="Edition">{"".join(links)}</span>'


def issue_page(build: Build, with_index: bool, editions: Sequence[Build] = (), token: str = "") -> str:
    """The preview of one issue; ``preview.js`` fills it from ``state.json`` and keeps it live.

    ``editions``: every edition of this issue in the preview (this one included), for the switcher.
    ``token``: this server session's token, which the "Send test" button posts back.
    """
    back = '<a class="back" href="/" title="All issues">&larr; Issues</a>' if with_index else ""
    title = build.subject or build.slug
    return _head(f"Preview: {title}", token) + f"""<body data-page="issue" data-slug="{escape(build.slug)}">
<header class="toolbar" aria-label="Preview toolbar">
  {back}<strong id="subject" class="subject"{_lang(build)}>{escape(title)}</strong>
  {_language_switcher(build, editions)}
  <span class="group" role="group" aria-label="Width">
    <button type="button" data-width="desktop" aria-pressed="true" title="600 px and wider">Desktop</button>
    <button type="button" data-width="mobile" aria-pressed="false" title="375 px">Mobile</button>
  </span>
  <button type="button" data-toggle="dark" aria-pressed="false" title="Simulate a client in dark mode">Dark</button>
  <button type="button" data-toggle="inverted" aria-pressed="false" title="Simulate a client that inverts the colours itself (Gmail's apps, Outlook's dark mode)">Inverted</button>
  <span class="group" role="tablist" aria-label="View">
    <button type="button" role="tab" data-view="email" aria-selected="true">Email</button>
    <button type="button" role="tab" data-view="text" aria-selected="false">Plain text</button>
    <button type="button" role="tab" data-view="html" aria-selected="false">HTML</button>
    <button type="button" role="tab" data-view="mjml" aria-selected="false">MJML</button>
    <button type="button" role="tab" data-view="checks" aria-selected="false">Checks <span id="check-count"></span></button>
  </span>
  <span id="size" class="size" title="Gmail clips HTML over 102,400 bytes"></span>
  <button type="button" id="send-test" title="Send a test to NEWSLETTER_TEST_RECIPIENTS through the configured provider (never the list)">Send test</button>
  <span id="connection" class="connection" aria-live="polite"></span>
</header>
<div id="send-result" class="send-result" role="status" aria-live="polite" hidden></div>
<div id="blocking" class="blocking" role="alert" hidden>
  <strong id="blocking-title"></strong>
  <ul id="blocking-list"></ul>
  <button type="button" id="blocking-show">Show in Checks</button>
</div>
<main>
  <section id="view-email" class="view" data-view-panel="email">
    <div id="inbox" class="inbox" aria-label="As an inbox lists it">
      <span id="inbox-from" class="from"></span>
      <span class="line"><span id="inbox-subject" class="inbox-subject"></span>
        <span id="inbox-preheader" class="inbox-preheader"></span></span>
      <span id="inbox-length" class="inbox-length"></span>
    </div>
    <div id="stage" class="stage desktop"></div></section>
  <section id="view-text" class="view source" data-view-panel="text" hidden><pre id="text"></pre></section>
  <section id="view-html" class="view source" data-view-panel="html" hidden><pre id="html-source"></pre></section>
  <section id="view-mjml" class="view source" data-view-panel="mjml" hidden><pre id="mjml-source"></pre></section>
  <section id="view-checks" class="view source" data-view-panel="checks" hidden><ul id="findings"></ul></section>
</main>
<div id="overlay" class="overlay" role="alert" hidden>
  <div class="panel">
    <h2>Build failed</h2>
    <p>Fix the file and save: the email comes back by itself. Underneath is the last good build.</p>
    <pre id="errors"></pre>
    <button type="button" id="overlay-hide">Hide</button>
  </div>
</div>
</body></html>
"""


def _lang(build: Build) -> str:
    """The subject is the issue's words: screen readers read it in the issue's language."""
    return f' lang="{escape(build.language)}"' if build.language else ""


def index_page(site: Site) -> str:
    """Every previewed issue with its subject, date, size and check status."""
    rows = "\n".join(_index_row(b) for b in site.builds.values()) or (
        '<tr><td colspan="5">No issues found.</td></tr>')
    return _head("Preview: issues") + f"""<body data-page="index" data-epoch="{site.epoch}">
<header class="toolbar"><strong class="subject">Issues</strong>
  <span id="connection" class="connection" aria-live="polite"></span></header>
<main class="index"><table>
<thead><tr><th scope="col">Subject</th><th scope="col">Date</th><th scope="col">Size</th>
<th scope="col">Checks</th><th scope="col">File</th></tr></thead>
<tbody>
{rows}
</tbody></table></main>
</body></html>
"""


def _index_row(build: Build) -> str:
    summary = build.summary()
    errors = len(build.errors) + sum(f["level"] == "error" for f in build.findings)
    warnings = sum(f["level"] == "warning" for f in build.findings)
    status = ("build failed" if build.errors else
              f"{plural(errors, 'error')}, {plural(warnings, 'warning')}" if errors else
              plural(warnings, "warning") if warnings else "ok")
    size = f"{build.size:,} bytes ({build.size * 100 // summary['limit']}%)" if build.html else "–"
    return (f'<tr class="status-{build.status}" data-slug="{escape(build.slug)}">'
            f'<td><a href="/issue/{escape(build.slug)}/">{escape(build.subject or build.path.name)}</a></td>'
            f'<td>{escape(build.date)}</td><td>{size}</td><td class="status">{escape(status)}</td>'
            f'<td><code>{escape(summary["file"])}</code></td></tr>')
