"""Small helpers for the tool's own English sentences (email-facing words come from gettext)."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 error``, ``2 errors``, ``0 errors``: never "1 errors" or "error(s)".

    ``nouns``: the plural when it is not ``noun`` + "s" (``plural(2, "body", "bodies")``).
    """
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"
