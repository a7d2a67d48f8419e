"""The email's HTML, adapted for the web.

Why adapt the rendered email rather than render the blocks again with web
templates: the email is the one source of truth. Its block templates, theme,
Markdown handling, sanitizing and responsive MJML layout already produce a
page that reads well from 320 px to desktop, and every project override of an
email partial shows up on the web without being written twice. What is
email-only is small and well defined, so it is cut out here:

- the hidden preheader (MJML's ``mj-preview``: a ``display:none`` element
  holding the preheader text), which a browser does not need;
- the unsubscribe line: the paragraph around each link to
  ``UNSUBSCRIBE_PLACEHOLDER`` (it also holds "you receive this email because"
  and "view in your browser", both wrong on the web);
- the email's ``<title>``, charset and viewport tags, which the page template
  writes itself with the archive's title, description and Open Graph tags;
- MJML's ``aria-roledescription="email"`` on the content wrapper.

The result is refused (``TemplateError``) if the placeholder survives, so no
page ever shows a link that a provider was meant to rewrite.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from ..errors import Diagnostic, Location, TemplateError
from ..models import UNSUBSCRIBE_PLACEHOLDER

VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
HEAD_TAGS_REPLACED = ("title",)
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ROLE_EMAIL = re.compile(r'\s+aria-roledescription="email"')  # MJML's wrapper; on the web it is no email


@dataclass
class Element:
    """One element of the parsed document, by character offsets into the source."""

    tag: str
    attrs: dict[str, str]
    start: int
    inner_start: int
    parent: Element | None
    inner_end: int = -1
    end: int = -1

    def ancestors(self) -> list[Element]:
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found


class _Outline(HTMLParser):
    """Record every element's span; tolerant of unclosed tags like a browser."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.elements: list[Element] = []
        self.stack: list[Element] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._offset()
        raw = self.get_starttag_text() or ""
        parent = self.stack[-1] if self.stack else None
        element = Element(tag, {k: v or "" for k, v in attrs}, start, start + len(raw), parent)
        self.elements.append(element)
        if tag in VOID_TAGS or raw.endswith("/>"):
            element.inner_end = element.end = start + len(raw)
        else:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if not any(open_.tag == tag for open_ in self.stack):
            return  # a stray end tag: browsers ignore it too
        start = self._offset()
        end = self.source.find(">", start) + 1 or len(self.source)
        while self.stack:
            element = self.stack.pop()
            element.inner_end, element.end = (start, end) if element.tag == tag else (start, start)
            if element.tag == tag:
                return

    def finish(self) -> list[Element]:
        self.close()
        for element in self.stack:  # unclosed at the end of the document
            element.inner_end = element.end = len(self.source)
        return self.elements


def outline(source: str) -> list[Element]:
    """Every element of ``source`` in document order."""
    parser = _Outline(source)
    parser.feed(source)
    return parser.finish()


@dataclass(frozen=True)
class WebParts:
    """The pieces of the email that the web page template assembles."""

    head: str  # the email's styles and metas, without title, charset and viewport
    body_attributes: str  # the email's <body> attributes, e.g. ' style="background-color:#eef2f6"'
    body: str  # the email's content without the preheader and the unsubscribe line

    @property
    def feed_content(self) -> str:
        """The body for an Atom entry: Outlook's conditional comments mean nothing to feed readers."""
        return _COMMENT.sub("", self.body).strip()


def adapt_email(email_html: str, preheader: str, source: str) -> WebParts:
    """Cut the email-only parts out of ``email_html`` (see the module docstring)."""
    elements = outline(email_html)
    head = _first(elements, "head")
    body = _first(elements, "body")
    if head is None or body is None:
        raise TemplateError(diagnostics=[Diagnostic(
            Location(source), "the rendered email has no <head> or <body>",
            hint="the layout template must produce a whole MJML document")])
    head_cuts = [e for e in _inside(elements, head) if _email_only_head(e)]
    in_body = _inside(elements, body)
    body_cuts = _preheaders(email_html, in_body, preheader) + _unsubscribe_lines(in_body)
    parts = WebParts(
        head=_cut(email_html, head.inner_start, head.inner_end, head_cuts).strip(),
        body_attributes=_attributes(email_html, body),
        body=_ROLE_EMAIL.sub("", _cut(email_html, body.inner_start, body.inner_end, body_cuts), count=1).strip(),
    )
    if UNSUBSCRIBE_PLACEHOLDER in parts.head + parts.body + parts.body_attributes:
        raise TemplateError(diagnostics=[Diagnostic(
            Location(source), "the web page would keep the unsubscribe placeholder",
            hint="put the unsubscribe link in an <a href> of its own paragraph in the footer template")])
    return parts


def _first(elements: list[Element], tag: str) -> Element | None:
    return next((e for e in elements if e.tag == tag), None)


def _inside(elements: list[Element], container: Element) -> list[Element]:
    return [e for e in elements if container.inner_start <= e.start and e.end <= container.inner_end]


def _email_only_head(element: Element) -> bool:
    if element.tag in HEAD_TAGS_REPLACED:
        return True
    if element.tag != "meta":
        return False
    name = element.attrs.get("name", "").lower()
    http_equiv = element.attrs.get("http-equiv", "").lower()
    return name == "viewport" or http_equiv == "content-type" or "charset" in element.attrs


def _text(source: str, element: Element) -> str:
    inner = source[element.inner_start:element.inner_end]
    return " ".join(html_lib.unescape(re.sub(r"<[^>]*>", " ", inner)).split())


def _preheaders(source: str, elements: list[Element], preheader: str) -> list[Element]:
    """Hidden elements that hold the preheader (MJML writes it first in the body).

    Only those: a template may hide other elements and show them from a media query.
    """
    wanted = " ".join(preheader.split())
    if not wanted:
        return []
    return [e for e in elements if _HIDDEN.search(e.attrs.get("style", ""))
            and _text(source, e).startswith(wanted)]


def _unsubscribe_lines(elements: list[Element]) -> list[Element]:
    """The paragraph (or list item) around each unsubscribe link, else the link itself."""
    cuts = []
    for link in elements:
        if link.tag == "a" and link.attrs.get("href", "").startswith(UNSUBSCRIBE_PLACEHOLDER):
            container = next((a for a in link.ancestors() if a.tag in ("p", "li")), link)
            cuts.append(container)
    return cuts


def _cut(source: str, start: int, end: int, remove: list[Element]) -> str:
    """``source[start:end]`` without the spans of ``remove`` (nested spans merge)."""
    spans = sorted((e.start, e.end) for e in remove)
    kept, position = [], start
    for span_start, span_end in spans:
        if span_start >= position:
            kept.append(source[position:span_start])
            position = span_end
        else:
            position = max(position, span_end)
    kept.append(source[position:end])
    return "".join(kept)


def _attributes(source: str, element: Element) -> str:
    raw = source[element.start:element.inner_start]
    return raw[len(element.tag) + 1:-1].rstrip("/").strip()
