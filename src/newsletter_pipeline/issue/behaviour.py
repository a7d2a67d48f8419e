"""The few methods the issue's models have, shared by the pydantic models (schema.py) and the records
(records.py): both are built on these mixins, so a template or a rule gets the same answers from either."""

from __future__ import annotations

from typing import Any

from ..i18n import right_to_left


class BlockBehaviour:
    def section_depth(self) -> int | None:
        """1 when this block opens a section, 2 a sub-section; ``None`` for content (see blocks.heading_levels).

        A heading block's ``level`` says which; every other block is content.
        """
        level: Any = getattr(self, "level", None)
        return level if getattr(self, "type", None) == "heading" else None


# no annotations here: pydantic would take them for fields of the models built on these

class UtmBehaviour:
    def tags(self, part: str) -> bool:
        """Whether links of ``part`` ("html" or "text") carry the utm pairs."""
        return part in self.parts  # type: ignore[attr-defined]


class IssueBehaviour:
    @property
    def direction(self) -> str:
        language: str = self.language  # type: ignore[attr-defined]
        return "rtl" if right_to_left(language) else "ltr"
