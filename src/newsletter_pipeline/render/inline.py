"""Inline CSS with premailer, and undo what premailer would break.

premailer's defaults are wrong for MJML output:

- it drops ``<!doctype html>``; without it clients render in quirks mode;
- it strips ``!important``, which MJML's responsive media queries and our
  dark-mode rules need (``strip_important=False``);
- it fetches remote stylesheets (``allow_network=False``), yet imports
  ``requests`` at module level for that: ~55 ms of every build (urllib3,
  charset_normalizer, chardet, idna, ssl) for code we never run; cssutils
  likewise imports, only to fetch ``@import`` URLs (which we remove first),
  ``urllib.request`` (http.client, ssl), ``importlib.metadata`` (to name its
  version in the request), ``encutils`` and ``email.message`` (its Google
  App Engine fetcher's, which then fails to import): ~15 ms more. Each gets
  a stand-in that imports the real module on first use (``_deferred``);
- cssutils floods the log with warnings about mso-* properties (quietened),
  and validating every property against its CSS profiles is pure cost for
  us: it only produces those warnings, yet its lazily compiled regexes make
  the first inlining of a process several times slower (reconsidered for
  issue 17: 54-66 ms against 102-587 ms on a loaded machine, and ~10 ms of
  CPU of a whole build). The patch is this module's alone, and holds only
  while premailer runs, under a lock (``_quiet_cssutils``);
- it would inline MJML's own reset styles into every table cell, which bloats
  the email towards Gmail's clipping limit, so only the styles the templates
  marked ``inline="inline"`` are inlined; the rest stay in ``<head>``.
"""

from __future__ import annotations

import importlib
import logging
import re
import sys
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .mjml import INLINE_MARKER


class _DeferredModule(types.ModuleType):
    """Stands for a module that is imported (for real, once) when an attribute is first read."""

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get(self.__name__) is self:  # read while still deferred: import it now
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


@contextmanager
def _deferred(*names: str) -> Iterator[None]:
    """While premailer and cssutils are imported, ``import`` of each of *names* binds a ``_DeferredModule``.

    They only use these modules to fetch remote stylesheets, which
    ``allow_network=False`` and ``_drop_inlined_imports`` turn off (a test
    checks that no build imports them); when they
    do use one, the stand-in hands over to the real module. A stand-in is in
    ``sys.modules`` only during their import, so every other importer (the
    HTTP providers, the link check) gets the real module. For a submodule
    (``urllib.request``) the stand-in is also the package's attribute, which
    is how ``import urllib.request; urllib.request.urlopen`` finds it; the
    real import replaces it there. Nothing is deferred that is already
    loaded. Measured: ``newsletter build`` of the seed, alternating runs,
    benchmarks/README.md ("Issue 17: what was changed" and "Stop 21").
    """
    stand_ins = {}
    if "premailer.premailer" in sys.modules:  # imported already, with whatever was there then
        names = ()
    for name in names:
        if name not in sys.modules:
            stand_ins[name] = sys.modules[name] = _DeferredModule(name)
            package, _, attribute = name.rpartition(".")
            if package:
                setattr(importlib.import_module(package), attribute, stand_ins[name])
    try:
        yield
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


with _deferred("requests", "urllib.request", "importlib.metadata", "encutils", "email.message"):
    import cssutils  # noqa: E402 - imported inside the deferral on purpose
    from premailer import Premailer  # noqa: E402

from cssutils.css import Property  # noqa: E402

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


class _Premailer(Premailer):
    """premailer, remembering what it made of each stylesheet.

    Every issue of a project carries the layout's same ``<style>`` blocks, and
    premailer turns each into its rule list again for every email: cssutils
    serializing every property value (~4 ms of the seed's ~7 ms inlining, on
    a second build in one process: a batch, the preview's rebuilds). The rule
    lists depend only on the stylesheet's text, its position among the
    document's stylesheets and the options, which are always ``inline_css``'s;
    premailer already caches the parsed cssutils sheets the same way. Runs
    under ``_quiet_cssutils``'s lock, like the rest of premailer.
    """

    def _parse_style_rules(self, css_body: str, ruleset_index: int) -> tuple[list[Any], list[Any]]:
        key = (css_body, ruleset_index)
        found = _STYLE_RULES.get(key)
        if found is None:
            if len(_STYLE_RULES) >= 64:  # a few stylesheets per project: a bound, not an eviction policy
                _STYLE_RULES.clear()
            found = _STYLE_RULES[key] = super()._parse_style_rules(css_body, ruleset_index)
        rules, leftover = found
        return list(rules), list(leftover)  # the caller extends its own lists; the tuples are immutable


_STYLE_RULES: dict[tuple[str, int], tuple[list[Any], list[Any]]] = {}


def inline_css(html: str) -> str:
    """Inline the marked styles; keep doctype, media queries, !important and MSO comments."""
    with _quiet_cssutils():
        transformed = _Premailer(
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
