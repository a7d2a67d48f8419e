"""Inline CSS with premailer, and undo what premailer would break.

premailer's defaults are wrong for MJML output:

- it drops ``<!doctype html>``; without it clients render in quirks mode;
- it strips ``!important``, which MJML's responsive media queries and our
  dark-mode rules need (``strip_important=False``);
- it fetches remote stylesheets (``allow_network=False``);
- cssutils floods the log with warnings about mso-* properties (quietened);
- it would inline MJML's own reset styles into every table cell, which bloats
  the email towards Gmail's clipping limit, so only the styles the templates
  marked ``inline="inline"`` are inlined; the rest stay in ``<head>``.
"""

from __future__ import annotations

import logging
import re

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


def _quiet_cssutils() -> None:
    import cssutils

    cssutils.log.setLevel(logging.CRITICAL)
    cssutils.log.raiseExceptions = False


def inline_css(html: str) -> str:
    """Inline the marked styles; keep doctype, media queries, !important and MSO comments."""
    from premailer import Premailer

    _quiet_cssutils()
    transformed = Premailer(
        _protect_head_styles(html),
        strip_important=False,
        allow_network=False,
        keep_style_tags=False,
        remove_classes=False,
        disable_validation=True,
        exclude_pseudoclasses=True,
        cssutils_logging_level=logging.CRITICAL,
        disable_leftover_css=False,
    ).transform()
    transformed = transformed.replace(' data-premailer="ignore"', "").replace(INLINE_MARKER, "")
    body = re.sub(r"^\s*<!doctype[^>]*>\s*", "", transformed, flags=re.IGNORECASE)
    return f"{DOCTYPE}\n{body}"
