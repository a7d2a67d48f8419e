"""Helpers shared by the archive tests: synthetic issues, reading and crawling a built site."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from shared import FIXTURE_CONFIG

BASE = "https://news.example.org/"

# Merge tags of the providers we send through, and our own placeholder: none may reach the web.
MERGE_TAGS = re.compile(r"\{\{|\}\}|\*\|[A-Z_]+\|\*|%%\w+%%|\[unsubscribe\]|unsubscribe\.newsletter-pipeline\.invalid",
                        re.IGNORECASE)


def issue_yaml(subject: str, day: str, preheader: str | None = "A summary of everything in this issue, read in five minutes.",
               columns: int = 3) -> str:
    """A valid issue with the block types that stress a narrow screen (grids, images, long words)."""
    pre = f"preheader: {preheader}\n" if preheader else ""
    return f"""\
subject: {subject}
{pre}date: {day}
language: en
blocks:
  - type: masthead
    title: {subject}
  - type: article
    title: Supercalifragilisticexpialidocious-multimedia-analysis-frameworks
    authors:
      - name: Ada Lovelace
        affiliation: Analytical Engines Ltd
    body: |-
      Text with **bold** words and a link to [our research](https://www.ai4media.eu/research/).
    image:
      src: https://www.ai4media.eu/img/wide.jpg
      alt: A wide picture
      width: 600
    link:
      label: Read more
      url: https://www.ai4media.eu/article/
  - type: past_events
    columns: {columns}
    events:
      - title: Workshop one
        date: 2021-10-01
        url: https://www.ai4media.eu/e1/
      - title: Workshop two
        date: 2021-10-02
        url: https://www.ai4media.eu/e2/
      - title: Workshop three
        date: 2021-10-03
        url: https://www.ai4media.eu/e3/
  - type: cta
    text: Join us.
    button:
      label: Sign up
      url: https://www.ai4media.eu/join/
"""


def make_site_project(root: Path, issues: dict[str, str], settings_extra: str = "") -> Path:
    """A project folder with the fixture project's newsletter.yaml and ``issues`` (file name -> YAML)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURE_CONFIG, root / "newsletter.yaml")
    if settings_extra:
        with (root / "newsletter.yaml").open("a", encoding="utf-8") as handle:
            handle.write(settings_extra)
    (root / "issues").mkdir(exist_ok=True)
    for name, text in issues.items():
        (root / "issues" / name).write_text(text, encoding="utf-8")
    return root


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # tag, attribute, value
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for attribute in ("href", "src"):
            if attribute in values:
                self.links.append((tag, attribute, values[attribute]))
        if tag == "meta":
            key = values.get("property") or values.get("name")
            if key:
                self.meta[key] = values.get("content", "")
        if tag == "link" and values.get("rel") == "canonical":
            self.meta["canonical"] = values.get("href", "")
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def parse_page(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def url_of(out: Path, file: Path, base: str = BASE) -> str:
    """The public URL a file of the site is served at (folders serve their index.html)."""
    relative = file.relative_to(out).as_posix()
    return base + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)


def file_of(out: Path, url: str, base: str = BASE) -> Path | None:
    """The file that serves ``url``, or None when the URL is outside the site."""
    if not url.startswith(base):
        return None
    path = urlsplit(url).path[len(urlsplit(base).path):]
    target = out / path
    return target / "index.html" if url.endswith("/") or target.is_dir() else target


def crawl(out: Path, base: str = BASE) -> tuple[set[Path], list[str]]:
    """Follow every link inside the site from index.html: the pages reached and the broken links."""
    seen: set[Path] = set()
    broken: list[str] = []
    todo = [out / "index.html"]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        if page.suffix != ".html":
            continue
        for _, _, value in parse_page(page).links:
            absolute = urljoin(url_of(out, page, base), value)
            target = file_of(out, absolute.split("#")[0], base)
            if target is None:
                continue
            if not target.is_file():
                broken.append(f"{page.relative_to(out)} -> {value}")
            else:
                todo.append(target)
    return seen, broken
