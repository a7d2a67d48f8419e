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

from dataclasses import dataclass

from pydantic import BaseModel

from .issue.schema import BLOCK_TYPES


@dataclass(frozen=True)
class BlockType:
    """One block type: its ``type`` tag, its model and where its templates live."""

    name: str
    model: type[BaseModel]

    @property
    def mjml_template(self) -> str:
        return f"blocks/{self.name}.mjml.j2"

    @property
    def text_template(self) -> str:
        return f"blocks/{self.name}.txt.j2"


REGISTRY: dict[str, BlockType] = {name: BlockType(name, model) for name, model in BLOCK_TYPES.items()}


def block_type(block: BaseModel) -> BlockType:
    """The registry entry of a validated block (its ``type`` field names it)."""
    return REGISTRY[getattr(block, "type")]
