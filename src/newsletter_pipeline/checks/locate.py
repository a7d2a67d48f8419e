"""Point a finding in the rendered email back at the line that caused it.

The HTML is generated, so its own line numbers help nobody. What the author
can fix is a value in the issue file (a URL, a label, a title), a value in
newsletter.yaml (a theme colour, the postal address) or a template line. The
locator indexes every string of the issue and of the project settings with its
YAML location, so a rule that finds a bad ``href`` in the HTML can look the URL
up (UTM parameters removed) and report ``issue.yaml:42:14``; when a value is
not written anywhere, the rule asks for the template line instead.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..errors import Location
from ..issue.load import CONFIG_NAME, LoadedIssue, display_path
from ..issue.located_yaml import LocatedDocument, Path_, load_located_yaml
from .css import RGB, hex_color

LAYOUT = "layout.mjml.j2"


def walk(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every value of a YAML document (mappings and lists too, before their items) with its key path."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from walk(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from walk(value, path + (index,))


def walk_strings(data: Any) -> Iterator[tuple[Path_, str]]:
    """Every string value of a YAML document with its key path, in document order."""
    return ((path, value) for path, value in walk(data) if isinstance(value, str))


@lru_cache(maxsize=4096)  # every link of every issue, several rules each; a pure function of the text
def strip_utm(url: str) -> str:
    """``url`` without the utm_* parameters the renderer adds (the author never wrote them)."""
    base, hash_, fragment = url.partition("#")
    path, mark, query = base.partition("?")
    if "utm_" not in query:
        return url
    # textually, as render/links.py appends them: the author's own query stays byte for byte
    kept = "&".join(piece for piece in query.split("&") if not piece.startswith("utm_"))
    return f"{path}{mark if kept else ''}{kept}{hash_}{fragment}"


def _extends(url: str, base: str) -> bool:
    """``url`` is ``base`` followed by a path, a query or a fragment (``https://x.org`` -> ``https://x.org/a/``)."""
    stem = base.rstrip("/")
    return url.startswith(stem) and url[len(stem):len(stem) + 1] in ("/", "?", "#") and len(stem) > len("https://")


def collapse(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Source:
    """One YAML file: its located document and the file to read lines from."""

    doc: LocatedDocument
    path: Path

    @cached_property
    def lines(self) -> list[str]:
        try:
            return self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []

    @cached_property
    def node_lines(self) -> list[int]:
        return sorted({loc.line for loc in self.doc.values.values()})

    def refine(self, start: Location, needle: str) -> Location:
        """Where ``needle`` is written inside the value that starts at ``start`` (block scalars span lines)."""
        following = bisect.bisect_right(self.node_lines, start.line)
        stop = self.node_lines[following] if following < len(self.node_lines) else len(self.lines) + 1
        for number in range(start.line, max(stop, start.line + 1)):
            if number > len(self.lines):
                break
            text = self.lines[number - 1]
            col = text.find(needle, start.col - 1 if number == start.line else 0)
            if col >= 0:
                return Location(start.file, number, col + 1)
        return start

    def point(self, path: Path_, text: str, line: int, col: int) -> Location | None:
        """Where ``line`` and ``col`` (from 0) of ``text``, the value at ``path``, are written.

        Only for a literal block (``body: |``), whose lines are the file's lines
        as written; ``None`` for other styles (folded and quoted text joins
        lines) or when ``text`` is not the value as written. ``text`` may be the
        value without its leading blank lines and spaces (the schema strips them).
        """
        start, written = self.doc.values.get(path), self._written(path)
        if start is None or not isinstance(written, str) or text not in written or start.line > len(self.lines):
            return None
        if self.lines[start.line - 1][start.col - 1:start.col] != "|":
            return None
        lead = written[:written.index(text)]  # what the schema stripped
        if line == 0:
            col += len(lead) - (lead.rfind("\n") + 1)
        line += lead.count("\n")
        number = start.line + 1 + line  # a block's text starts on the line after its | indicator
        want = written.split("\n")[line]
        if number > len(self.lines) or not self.lines[number - 1].endswith(want):
            return None
        return Location(start.file, number, len(self.lines[number - 1]) - len(want) + col + 1)

    def _written(self, path: Path_) -> Any:
        node: Any = self.doc.data
        for part in path:
            node = node[part] if isinstance(node, (dict, list)) else None
        return node


@dataclass
class SourceIndex:
    """Every string of the issue (first) and of newsletter.yaml, looked up by value."""

    sources: list[Source]
    entries: list[tuple[str, Path_, Source]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for source in self.sources:
            self.entries += [(value, path, source) for path, value in walk_strings(source.doc.data)]

    def exact(self, value: str) -> tuple[Path_, Source] | None:
        wanted = collapse(value)
        for text, path, source in self.entries:
            if collapse(text) == wanted:
                return path, source
        return None

    def find(self, value: str) -> Location | None:
        """The location of ``value``: a whole scalar, else its first occurrence inside one (Markdown)."""
        if not value.strip():
            return None
        hit = self.exact(value)
        if hit:
            path, source = hit
            return source.doc.value_location(path)
        for text, path, source in self.entries:
            if value in text or collapse(value) in collapse(text):
                return source.refine(source.doc.value_location(path), value)
        return None

    def search(self, pattern: re.Pattern[str]) -> Location | None:
        """Where a value first matches ``pattern``, at the match (a construct inside a Markdown field)."""
        for text, path, source in self.entries:
            match = pattern.search(text)
            if match:
                return source.refine(source.doc.value_location(path), match.group())
        return None

    def find_url(self, url: str) -> Location | None:
        """The location of a URL as written, trying it without UTM parameters and percent-decoded.

        Failing that: a value whose character references spell it (``java&#x09;script:`` in Markdown,
        which the email has as ``java%09script:``), then the longest written http(s) address the URL
        starts with (``archive_url``, from which each issue's "view in your browser" address is made).
        """
        candidates = list(dict.fromkeys((url, strip_utm(url), unquote(strip_utm(url)))))
        for candidate in candidates:
            found = self.find(candidate)
            if found:
                return found
        for text, path, source in self.entries:
            spelled = [c for c in candidates if "&" in text and c in html.unescape(text)]
            if spelled:  # at its line: the longest start of it written as is ("java" of java&#x09;script)
                start = next((spelled[0][:n] for n in range(len(spelled[0]), 3, -1) if spelled[0][:n] in text), "")
                location = source.doc.value_location(path)
                return source.refine(location, start) if start else location
        bases = [(text, path, source) for text, path, source in self.entries
                 if text.startswith(("https://", "http://")) and text.count("/") >= 2
                 and any(_extends(c, text) for c in candidates)]
        if bases:
            _, path, source = max(bases, key=lambda entry: len(entry[0]))
            return source.doc.value_location(path)
        return None

    def path_of(self, value: str) -> tuple[Path_, Source] | None:
        return self.exact(value)


@dataclass
class TemplateIndex:
    """The template files of an issue in override order, searchable line by line."""

    dirs: tuple[Path, ...]
    block_types: list[str]

    @cached_property
    def files(self) -> list[tuple[str, Path]]:
        """(display path, file) for each template name, first match in the override chain wins."""
        names: list[str] = [LAYOUT] + [f"blocks/{t}.mjml.j2" for t in dict.fromkeys(self.block_types)]
        for folder in self.dirs:
            names += sorted(str(p.relative_to(folder)) for p in folder.rglob("*.j2"))
        chosen: list[tuple[str, Path]] = []
        for name in dict.fromkeys(names):
            for folder in self.dirs:
                candidate = folder / name
                if candidate.is_file():
                    chosen.append((display_path(candidate), candidate))
                    break
        return chosen

    @cached_property
    def texts(self) -> list[tuple[str, list[str]]]:
        return [(shown, path.read_text(encoding="utf-8").splitlines()) for shown, path in self.files]

    def search(self, pattern: str | re.Pattern[str], only: str | None = None,
               after: str | None = None) -> Location | None:
        """The first template line matching ``pattern``.

        ``only`` limits the search to one template; ``after`` starts it at the
        first line matching that pattern (e.g. inside a media query).
        """
        regex = re.compile(pattern, re.IGNORECASE) if isinstance(pattern, str) else pattern
        anchor = re.compile(after, re.IGNORECASE) if after else None
        for shown, lines in self.texts:
            if only and not shown.endswith(only):
                continue
            start = 0
            if anchor:
                start = next((i for i, line in enumerate(lines) if anchor.search(line)), len(lines))
            for number in range(start, len(lines)):
                match = regex.search(lines[number])
                if match:
                    return Location(shown, number + 1, match.start() + 1)
        return None

    def file(self, name: str) -> Location | None:
        for shown, _ in self.files:
            if shown.endswith(name):
                return Location(shown, 1, 1)
        return None


def _settings_doc(path: Path) -> LocatedDocument:
    """newsletter.yaml as the loader read it, parsed once per content (and display name) in a process.

    The loader has parsed it for this issue already; a batch or the preview
    would parse the same text again for every issue. Read-only for the rules.
    """
    return _parsed_settings(path.read_text(encoding="utf-8"), display_path(path))


@lru_cache(maxsize=4)
def _parsed_settings(text: str, shown: str) -> LocatedDocument:
    return load_located_yaml(text, shown)


@dataclass
class Locator:
    """Finds the source line of a value seen in the rendered email."""

    sources: SourceIndex
    templates: TemplateIndex | None = None
    colors: dict[str, str] = field(default_factory=dict)  # theme colour name -> #rrggbb

    @classmethod
    def for_issue(cls, loaded: LoadedIssue, override: Path | None = None) -> Locator:
        from ..render.templates import template_dirs  # only here: the raw pass never needs templates

        config_path = loaded.project_root / CONFIG_NAME
        sources = [Source(loaded.doc, loaded.path)]
        if config_path.is_file():
            sources.append(Source(_settings_doc(config_path), config_path))
        types = [block.type for block in loaded.issue.blocks]
        return cls(SourceIndex(sources), TemplateIndex(template_dirs(loaded, override), types),
                   dict(loaded.settings.brand.colors.model_dump()))

    @property
    def issue(self) -> Source:
        return self.sources.sources[0]

    @property
    def config(self) -> Source | None:
        return self.sources.sources[1] if len(self.sources.sources) > 1 else None

    def issue_value(self, path: Path_) -> Location:
        return self.issue.doc.value_location(path)

    def setting(self, path: Path_) -> Location | None:
        """Where a setting is written: the issue's ``settings:`` override, else newsletter.yaml."""
        written = self.issue.doc.values.get(("settings",) + path)
        if written:
            return written
        return self.config.doc.values.get(path) if self.config else None

    def url(self, url: str) -> Location | None:
        return self.sources.find_url(url)

    def text(self, text: str) -> Location | None:
        return self.sources.find(text)

    def template(self, pattern: str | re.Pattern[str], only: str | None = None,
                 after: str | None = None) -> Location | None:
        return self.templates.search(pattern, only, after) if self.templates else None

    def color(self, rgb: RGB) -> Location | None:
        """The theme setting that holds this colour, else a template line that writes it."""
        wanted = hex_color(rgb)
        names = [name for name, value in self.colors.items() if value.lower() == wanted]
        for name in names:
            found = self.setting(("brand", "colors", name))
            if found:
                return found
        for name in names:
            found = self.template(rf"colors\.{name}\b")
            if found:
                return found
        short = wanted[1::2] if all(wanted[i] == wanted[i + 1] for i in (1, 3, 5)) else None
        return self.template(rf"{wanted}\b|#{short}\b" if short else rf"{wanted}\b")

    def fallback(self) -> Location:
        """The layout template, else the issue file's first line."""
        found = self.templates.file(LAYOUT) if self.templates else None
        return found or Location(self.issue.doc.file, 1, 1)

    def anywhere(self, *found: Location | None) -> Location:
        """The first location found, else the fallback."""
        return next((loc for loc in found if loc), None) or self.fallback()
