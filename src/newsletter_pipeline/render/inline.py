"""Inline CSS with premailer, and undo what premailer would break.

premailer's defaults are wrong for MJML output:

- it drops ``<!doctype html>``; without it clients render in quirks mode;
- it strips ``!important``, which MJML's responsive media queries and our
  dark-mode rules need (``strip_important=False``);
- it fetches remote stylesheets (``allow_network=False``);
- cssutils floods the log with warnings about mso-* properties (quietened),
  and validating every property against its CSS profiles is pure cost for
  us: it only produces those warnings, yet its lazily compiled regexes make
  the first inlining of a process take ~150 ms instead of ~5 ms;
- it would inline MJML's own reset styles into every table cell, which bloats
  the email towards Gmail's clipping limit, so only the styles the templates
  marked ``inline="inline"`` are inlined; the rest stay in ``<head>``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import cssutils
from cssutils.css import Property
from premailer import Premailer

from .mjml import INLINE_MARKER

DOCTYPE = "<!doctype html>"
_STYLE_OPEN = re.compile(r"<style\b([^>]*)>")


def _protect_head_styles(html: str) -> str:
    """Every style block that is not marked for inlining is left alone by premailer."""

    def mark(match: re.Match[str]) -> str:
        start = match.end()
        if html.startswith(INLINE_MARKER, start):
            return match.group(0)
        return f'<style data-premailer="ignore"{match.group(1)}>'

    return _STYLE_OPEN.sub(mark, html)


_INLINED_STYLE = re.compile(r"(<style\b[^>]*>" + re.escape(INLINE_MARKER) + r")(.*?)(</style>)", re.DOTALL)
_IMPORT_RULE = re.compile(r"@import\b[^;]*;?", re.IGNORECASE)


def _drop_inlined_imports(html: str) -> str:
    """Remove @import from the styles to inline.

    cssutils fetches @import URLs itself while premailer parses, whatever
    ``allow_network`` says; and an inlined style block is dropped afterwards,
    so its imports could never reach the reader anyway.
    """
    return _INLINED_STYLE.sub(lambda m: m.group(1) + _IMPORT_RULE.sub("", m.group(2)) + m.group(3), html)


_VALIDATION_LOCK = threading.Lock()


@contextmanager
def _quiet_cssutils() -> Iterator[None]:
    """Silence cssutils and skip its property validation while premailer runs."""
    cssutils.log.setLevel(logging.CRITICAL)
    cssutils.log.raiseExceptions = False
    with _VALIDATION_LOCK:
        validate = Property.validate
        Property.validate = lambda self: True  # type: ignore[method-assign]
        try:
            yield
        finally:
            Property.validate = validate  # type: ignore[method-assign]


def inline_css(html: str) -> str:
    """Inline the marked styles; keep doctype, media queries, !important and MSO comments."""
    with _quiet_cssutils():
        transformed = Premailer(
            _drop_inlined_imports(_protect_head_styles(html)),
            strip_important=False,
            allow_network=False,
            keep_style_tags=False,
            remove_classes=False,
            disable_validation=True,
            exclude_pseudoclasses=True,
            align_floating_images=False,  # our templates use no floats; it re-parses every img style
            cssutils_logging_level=logging.CRITICAL,
            disable_leftover_css=False,
        ).transform()
    transformed = transformed.replace(' data-premailer="ignore"', "").replace(INLINE_MARKER, "")
    body = re.sub(r"^\s*<!doctype[^>]*>\s*", "", transformed, flags=re.IGNORECASE)
    return f"{DOCTYPE}\n{body}"
