"""The editions of each issue in one archive run, so their pages link to each other.

An issue's page lists every edition published with it (``hreflang``
alternates and a language switcher). Which editions exist is known from the
file names before anything is built; the default edition's language is read
from its ``language:`` (a YAML parse, no render), so a page can be rendered
in the same pass as the others. The edition names are part of each page's
cache key: adding or removing an edition rebuilds its siblings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..issue.editions import split_name
from ..issue.located_yaml import read_located_yaml


@dataclass(frozen=True)
class Edition:
    language: str
    slug: str  # the page's folder: <slug> or <slug>.<language>
    default: bool  # the file without a language in its name


def _language(path: Path, edition: str | None) -> str:
    if edition:
        return edition
    data = read_located_yaml(path).data
    value = data.get("language") if isinstance(data, dict) else None
    return str(value) if value else "en"


def edition_groups(files: list[Path]) -> dict[Path, tuple[Edition, ...]]:
    """For each file that has sibling editions in ``files``: every edition, the default first."""
    groups: dict[str, list[tuple[Path, str | None]]] = defaultdict(list)
    for path in files:
        parts = split_name(path.stem)
        if parts:
            groups[parts[0]].append((path, parts[1]))
    found: dict[Path, tuple[Edition, ...]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        editions = tuple(sorted((Edition(_language(p, e), p.stem, e is None) for p, e in members),
                                key=lambda e: (not e.default, e.language)))
        for path, _ in members:
            found[path] = editions
    return found


def cache_part(editions: tuple[Edition, ...]) -> str:
    """What the page's cache key adds for its editions."""
    return " ".join(f"{e.language}={e.slug}" for e in editions)
