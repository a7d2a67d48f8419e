"""The rules, one small module per rule or family of rules.

A rule is a function ``(CheckContext) -> Iterable[Finding]`` registered with
``@rule("rule-id", ...)`` naming every id it reports; ``RULE_IDS`` is what the
README must document (a test holds it to that).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..context import CheckContext
    from ..findings import Finding

Rule = Callable[["CheckContext"], Iterable["Finding"]]

RULES: list[Rule] = []
RULE_IDS: list[str] = []


def rule(*ids: str) -> Callable[[Rule], Rule]:
    """Register a rule function and the ids it reports."""

    def register(func: Rule) -> Rule:
        RULES.append(func)
        RULE_IDS.extend(i for i in ids if i not in RULE_IDS)
        return func

    return register


def load_rules() -> list[Rule]:
    """Import every rule module once (registration happens at import) and return the rules."""
    from . import (contrast, css_support, dark_mode, envelope, events, fonts, images, language,  # noqa: F401
                   legal, links, markdown, placeholders, size, structure)

    return RULES
