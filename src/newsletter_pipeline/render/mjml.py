"""MJML -> responsive HTML with mjml-python (MRML, the Rust port of MJML).

MRML differs from the reference MJML in ways that would hurt us silently, so
this stage guards against each:

- it passes unknown ``mj-*`` tags through (or drops them) without a word, so we
  reject tags it does not know before compiling;
- its errors carry byte offsets, not line numbers, so we translate them into a
  line of the generated MJML, name the block and template that produced it,
  and let the caller's ``Locator`` point at that template's line (or at the
  block in the issue): the generated MJML is never written when it fails, so
  a location inside it would point at nothing;
- it writes ``lang="und"`` when ``<mjml>`` has no lang, so we always set it;
- it ignores ``<mj-style inline="inline">``, so we mark those styles and let
  the inline stage (premailer) do the inlining.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import mjml

from ..errors import Diagnostic, Location, TemplateError

INLINE_MARKER = "/*np:inline*/"

KNOWN_TAGS = frozenset(
    "mjml mj-head mj-body mj-attributes mj-all mj-class mj-breakpoint mj-font mj-preview "
    "mj-style mj-title mj-raw mj-section mj-column mj-group mj-text mj-button mj-image "
    "mj-divider mj-spacer mj-social mj-social-element mj-navbar mj-navbar-link mj-hero "
    "mj-wrapper mj-table mj-accordion mj-accordion-element mj-accordion-title "
    "mj-accordion-text mj-carousel mj-carousel-image".split()
)
BLOCK_MARK = re.compile(r"<!--\s*block (\d+): (\S+) \((\S+)\)\s*-->")
# "<" and a tag name as html.parser reads it (its tagfind_tolerant): every start tag it reports is one
# of these matches, so when none names an unknown mj-* tag, it would report none either
_TAG_OPEN = re.compile(r"<([a-zA-Z][^\t\n\r\f />\x00]*)")


class _TagScanner(HTMLParser):
    """Collect every ``mj-*`` start tag with its line and column."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.unknown: list[tuple[str, int, int]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if (tag.startswith("mj-") or tag == "mjml") and tag not in KNOWN_TAGS:
            line, col = self.getpos()
            self.unknown.append((tag, line, col + 1))

    handle_startendtag = handle_starttag


@dataclass(frozen=True)
class Origin:
    """What wrote a line of the generated MJML: a block's template (``block`` None: the layout)."""

    line: int
    col: int
    text: str  # that generated line
    block: int | None = None
    block_type: str = ""
    template: str = "layout.mjml.j2"

    @property
    def key_path(self) -> str:
        if self.block is None:
            return ""
        return f"blocks[{self.block}] ({self.block_type}, from template {self.template})"


# the caller's map from an origin to a real file: the template's line, or the block in the issue
Locator = Callable[[Origin], "Location | None"]


def _origin(source: str, line: int, col: int) -> Origin:
    """The block/template that wrote ``line`` of the generated MJML (the nearest block mark above it)."""
    before = source.splitlines()[: max(line, 1)]
    text = before[-1] if len(before) >= line else ""
    for earlier in reversed(before):
        mark = BLOCK_MARK.search(earlier)
        if mark:
            return Origin(line, col, text, int(mark.group(1)), mark.group(2), mark.group(3))
    return Origin(line, col, text)


def _where(origin: Origin, file: str, locate: Locator | None) -> tuple[Location, str]:
    """The location to report, and a note naming the generated line when it is not that location."""
    found = locate(origin) if locate else None
    if found is None:
        return Location(file, origin.line, origin.col), ""
    return found, f"; it is line {origin.line} of the MJML the templates generate"


def _may_have_unknown_tags(source: str) -> bool:
    names = {name.lower() for name in _TAG_OPEN.findall(source)}
    return any((name.startswith("mj-") or name == "mjml") and name not in KNOWN_TAGS for name in names)


def check_known_tags(source: str, file: str = "email.mjml", locate: Locator | None = None) -> None:
    if not _may_have_unknown_tags(source):
        return  # the usual case, decided by one regex pass (html.parser costs 4x MRML's compile)
    scanner = _TagScanner()
    scanner.feed(source)
    scanner.close()
    problems = []
    for tag, line, col in scanner.unknown:
        origin = _origin(source, line, col)
        location, note = _where(origin, file, locate)
        problems.append(Diagnostic(location, f"unknown MJML tag <{tag}>", origin.key_path,
                                   f"MRML would drop it silently; use a supported mj-* component{note}"))
    if problems:
        raise TemplateError(diagnostics=problems)


def ensure_lang(source: str, language: str, direction: str) -> str:
    """Give ``<mjml>`` a lang and dir when the layout forgot them (MRML would say "und")."""
    match = re.search(r"<mjml\b([^>]*)>", source)
    if not match:
        return source
    attrs = match.group(1)
    extra = ""
    if not re.search(r"\blang\s*=", attrs):
        extra += f' lang="{language}"'
    if not re.search(r"\bdir\s*=", attrs):
        extra += f' dir="{direction}"'
    return source[: match.end(1)] + extra + source[match.end(1):] if extra else source


def mark_inline_styles(source: str) -> str:
    """Tag ``mj-style inline="inline"`` content so the inline stage can find it after MRML."""
    return re.sub(r'(<mj-style\b[^>]*\binline\s*=\s*"inline"[^>]*>)', r"\1" + INLINE_MARKER, source)


def compile_mjml(source: str, language: str, direction: str, file: str = "email.mjml",
                 locate: Locator | None = None) -> str:
    """Compile MJML to HTML; raise a located ``TemplateError`` on failure.

    ``locate`` maps the origin of the failing line to a real file; without it
    (or when it returns None) the error points into the generated MJML as ``file``.
    """
    check_known_tags(source, file, locate)
    prepared = mark_inline_styles(ensure_lang(source, language, direction))
    try:
        # fonts={} stops MRML adding Google Fonts imports; template comments are ours, not the reader's
        html = mjml.mjml2html(prepared, disable_comments=True, fonts={})
    except ValueError as exc:
        raise TemplateError(diagnostics=[_located_mrml_error(str(exc), prepared, file, locate)]) from None
    return whole_outlook_pixels(html)


_OUTLOOK_ONLY = re.compile(r"<!--\[if mso \| IE\]>.*?<!\[endif\]-->", re.DOTALL)
_FRACTIONAL_PX = re.compile(r"\b(\d+\.\d+)px")


def whole_outlook_pixels(html: str) -> str:
    """Outlook's column widths in whole pixels, rounded as the official MJML rounds them.

    MRML writes ``width:306.5px`` for half of a 613 px email and ``245.2px``
    for 40% of it where MJML writes 307px and 245px; Outlook lays its tables
    out in whole pixels. Only the Outlook-only comments hold such widths.
    """
    if not _FRACTIONAL_PX.search(html):
        return html

    def rounded(block: re.Match[str]) -> str:
        return _FRACTIONAL_PX.sub(lambda m: f"{int(float(m.group(1)) + 0.5)}px", block.group(0))

    return _OUTLOOK_ONLY.sub(rounded, html)


def _located_mrml_error(message: str, source: str, file: str, locate: Locator | None) -> Diagnostic:
    match = re.search(r"position (\d+)(?::(\d+))?", message)
    offset = int(match.group(1)) if match else len(source)
    # MRML reports byte offsets into the UTF-8 source
    prefix = source.encode("utf-8")[:offset].decode("utf-8", errors="ignore")
    line = prefix.count("\n") + 1
    col = len(prefix) - (prefix.rfind("\n") + 1) + 1
    origin = _origin(source, line, col)
    location, note = _where(origin, file, locate)
    return Diagnostic(location, f"MJML does not compile: {message}", origin.key_path,
                      f"check that every mj-* tag is closed and nested as MJML requires{note}")
