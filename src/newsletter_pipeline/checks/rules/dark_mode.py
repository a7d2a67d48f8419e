"""dark-mode: clients that honour the reader's dark theme get our dark colours, not their own guesses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import CheckContext
from ..css import declarations
from ..findings import Finding
from . import rule

META_NAMES = ("color-scheme", "supported-color-schemes")


@rule("dark-mode")
def dark_mode(ctx: CheckContext) -> Iterator[Finding]:
    """The color-scheme meta tags say "light dark"; every dark-mode declaration keeps !important.

    Without the meta tags Apple Mail applies its own inversion; without
    !important the inlined light colours win over the media query.
    """
    metas = {(m.get("name") or "").lower(): (m.get("content") or "") for m in ctx.elements("meta")}
    for name in META_NAMES:
        if "dark" not in metas.get(name, "").lower():
            yield Finding("dark-mode", "error",
                          ctx.locate.anywhere(ctx.locate.template(r"<mj-raw\b"), ctx.locate.template(r"<mj-head\b")),
                          f"<meta name=\"{name}\" content=\"light dark\"> is missing (add it in the layout's "
                          "<mj-head>)")
    for style in ctx.elements("style"):
        for decl in declarations(style.text or ""):
            if any("prefers-color-scheme" in at for at in decl.at_rules) and not decl.important:
                where = ctx.locate.anywhere(
                    ctx.locate.template(rf"(?<![\w-]){re.escape(decl.prop)}\s*:(?![^;]*!\s*important)",
                                        after=r"prefers-color-scheme"),
                    ctx.locate.template(r"prefers-color-scheme"))
                yield Finding("dark-mode", "error", where,
                              f"'{decl.selector} {{ {decl.prop}: {decl.value} }}' in a prefers-color-scheme "
                              "rule lacks !important, so the inlined light style wins (add !important)")
