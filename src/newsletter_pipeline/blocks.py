"""The block registry: every block type as one unit, found by its ``type`` tag.

A block type is three things and nothing else:

- its model, a subclass of ``issue.schema._Block`` (the ``Block`` union and the
  JSON Schema collect every subclass);
- ``templates/blocks/<type>.mjml.j2``, its part of the HTML email;
- ``templates/blocks/<type>.txt.j2``, its part of the plain-text email.

Both templates are looked up in the override chain, so a project may replace
either. The layout and the text renderer find them here by the type's name;
no list elsewhere names the block types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .issue.records import BLOCK_TYPES, Record


@dataclass(frozen=True)
class BlockType:
    """One block type: its ``type`` tag, its model and where its templates live."""

    name: str
    model: type[Record]

    @property
    def mjml_template(self) -> str:
        return f"blocks/{self.name}.mjml.j2"

    @property
    def text_template(self) -> str:
        return f"blocks/{self.name}.txt.j2"


REGISTRY: dict[str, BlockType] = {name: BlockType(name, model) for name, model in BLOCK_TYPES.items()}


def heading_levels(blocks: list[Any]) -> list[int]:
    """The HTML heading level of each block's title, in order.

    Blocks start at ``h2``. A block that opens a section (its model's
    ``section_depth()`` is 1 for a section, 2 for a sub-section) takes
    ``h<1 + depth>``, and the blocks after it one level lower, until the next
    such block. Markdown headings inside a block go below its level.
    """
    levels: list[int] = []
    below = 2
    for block in blocks:
        depth = block.section_depth()
        if depth is None:
            levels.append(below)
        else:
            levels.append(1 + depth)
            below = 2 + depth
    return levels


@dataclass(frozen=True)
class TocEntry:
    """One line of a table of contents: a block's title, its anchor and its depth (0 = top)."""

    title: str
    anchor: str
    depth: int


NO_ANCHOR_TYPES = ("masthead", "footer", "toc")  # never listed in a table of contents


def slug(text: str) -> str:
    """An anchor name from a title: lower-case letters, digits and dashes ("Community news" -> community-news)."""
    words = re.findall(r"[^\W_]+", text.lower())
    return "-".join(words) or "section"


def _toc_targets(blocks: list[Any]) -> list[int]:
    """The blocks a table of contents lists: the section headings, else every titled content block."""
    headings = [i for i, b in enumerate(blocks) if b.section_depth() is not None]
    if headings:
        return headings
    return [i for i, b in enumerate(blocks) if b.type not in NO_ANCHOR_TYPES and getattr(b, "title", None)]


def anchors(blocks: list[Any]) -> list[str | None]:
    """Each block's anchor name: its ``id``; a name made from its title when a ``toc`` lists it; else ``None``.

    Made-up names never repeat a written ``id`` or each other (a ``-2`` suffix).
    """
    found: list[str | None] = [b.id for b in blocks]
    if any(b.type == "toc" for b in blocks):
        taken = {a for a in found if a}
        for i in _toc_targets(blocks):
            if found[i] is None:
                base = name = slug(blocks[i].title)
                suffix = 2
                while name in taken:
                    name, suffix = f"{base}-{suffix}", suffix + 1
                found[i] = name
                taken.add(name)
    return found


def contents(blocks: list[Any]) -> list[TocEntry]:
    """The table of contents of ``blocks`` (see ``_toc_targets``), sub-sections one level deeper."""
    names = anchors(blocks)
    entries = []
    for i in _toc_targets(blocks):
        depth = (blocks[i].section_depth() or 1) - 1
        entries.append(TocEntry(blocks[i].title, names[i] or slug(blocks[i].title), depth))
    return entries


def block_type(block: Record) -> BlockType:
    """The registry entry of a validated block (its ``type`` field names it)."""
    return REGISTRY[getattr(block, "type")]
