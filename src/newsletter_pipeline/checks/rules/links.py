"""link-href, link-text and placeholder-url: links that work, say where they go, and go live.

Links are found in the rendered HTML (and URLs in the plain-text part), then
looked up in the issue and newsletter.yaml without their UTM parameters, so
each finding points at the line where the URL or label is written.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from ...errors import Location
from ...models import UNSUBSCRIBE_PLACEHOLDER
from ..context import CheckContext, accessible_name, visible_text
from ..findings import Finding
from ..locate import strip_utm
from . import rule

VAGUE = frozenset({"click here", "here", "read more", "know more", "learn more", "more", "click",
                   "this", "link", "this link", "more info", "find out more", "continue reading", "go"})
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
RESERVED_TLDS = ("example", "test", "invalid", "localhost", "local", "internal", "lan")
STAGING_WORDS = frozenset({"staging", "stage", "stg", "preprod", "uat", "qa", "sandbox", "dev", "test"})
URL_IN_TEXT = re.compile(r"(?:https?|mailto):[^\s<>\"')]+")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


@lru_cache(maxsize=4096)  # pure functions of a URL, asked for every link of every issue
def href_problem(href: str | None) -> tuple[str, str] | None:
    """(level, message) when a link target is not an absolute http(s) or mailto: URL."""
    value = (href or "").strip()
    if not value:
        return "error", "the link has an empty href (give it an absolute https: URL)"
    parts = urlsplit(value)
    if parts.scheme == "mailto":
        return None if "@" in parts.path else ("error", f"'{value}' has no address after mailto:")
    if parts.scheme in ("http", "https") and parts.netloc:
        if parts.scheme == "http":
            return "warning", f"'{value}' uses http:, which clients flag as insecure (use https:)"
        return None
    return "error", (f"'{value}' is not an absolute http(s) or mailto: URL; relative links, anchors and "
                     "javascript: do not work in email (write the full https:// address)")


def normalize_label(text: str) -> str:
    """Lower-case words only: "Read more »" and "read more…" are the same label."""
    return " ".join(re.findall(r"[\w']+", text.lower()))


def is_vague(text: str) -> bool:
    return normalize_label(text) in VAGUE


def vague_problem(text: str, aria_label: str | None) -> str | None:
    """Why a link's name does not say where it goes; ``None`` when the name includes its subject."""
    if not is_vague(text):
        return None
    label = normalize_label(aria_label or "")
    visible = normalize_label(text)
    if label and label != visible:
        if visible not in label:
            return (f"aria-label \"{aria_label}\" does not contain the visible text \"{text}\" "
                    "(start it with the visible label, WCAG 2.5.3)")
        extra = label.replace(visible, " ", 1).split()
        if extra and not all(word in VAGUE for word in extra):
            return None
    return (f"link text \"{text}\" does not say where it goes; screen-reader users hear a list of "
            "identical links (write what it leads to, or give the template an aria-label with the subject)")


@lru_cache(maxsize=4096)
def placeholder_reason(url: str) -> str | None:
    """Why a URL is a placeholder, a local or a staging address, or ``None`` when it looks live."""
    if url.startswith(UNSUBSCRIBE_PLACEHOLDER):
        return None  # replaced by each provider's unsubscribe link at send time
    if "TODO" in url or "FIXME" in url:
        return "it contains TODO"
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme == "mailto":
        host = parts.path.rpartition("@")[2].lower()
    if not host:
        return None
    return _host_reason(host)


def _host_reason(host: str) -> str | None:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        if address.is_loopback or address.is_private or address.is_unspecified or address.is_link_local:
            return f"{host} is a local or private address"
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return "it points at localhost"
    if any(host == d or host.endswith("." + d) for d in EXAMPLE_DOMAINS):
        return f"{host} is an example domain"
    labels = host.split(".")
    if len(labels) == 1:
        return f"'{host}' is not a public host name"
    if labels[-1] in RESERVED_TLDS:
        return f"{host} uses the reserved .{labels[-1]} domain"
    # Subdomains such as staging.site.org or dev2.site.org; the registered name only when it
    # says so itself (site-staging.herokuapp.com), because dev.to or test.de are real sites.
    candidates = labels[:-2] + [label for label in labels[-2:-1] if "staging" in label]
    for label in candidates:
        if STAGING_WORDS & set(re.split(r"[-_]", label)) or re.fullmatch(r"(staging|stage|dev|stg)\d+", label):
            return f"{host} looks like a staging host"
    return None


def link_urls(ctx: CheckContext) -> list[str]:
    """Every URL the email uses (links, images, stylesheets, CSS url(), plain text), once each."""
    found: list[str] = []
    for element in ctx.elements():
        for attribute in ("href", "src", "background"):
            if element.get(attribute):
                found.append(element.get(attribute).strip())
        for css in (element.get("style") or "", element.text if element.tag == "style" else ""):
            found += CSS_URL.findall(css or "")
    found += [u.rstrip(".,;:!?") for u in URL_IN_TEXT.findall(ctx.rendered.text)]
    unique: dict[str, str] = {}
    for url in found:
        unique.setdefault(strip_utm(url), url)
    return list(unique.values())


def where_url(ctx: CheckContext, url: str) -> Location:
    return ctx.locate.anywhere(ctx.locate.url(url), ctx.locate.template(re.escape(strip_utm(url))))


def _where_link(ctx: CheckContext, link: Any, text: str, part: str) -> Location:
    """Where this link's ``part`` ("url", "label" or "empty" text) is written.

    The issue or newsletter.yaml when the URL is written there, else the template.

    A button's label is the sibling of its url (``link: {label, url}``); a
    Markdown link is found by its ``[text]`` or its URL inside the paragraph.
    """
    href = strip_utm((link.get("href") or "").strip())
    if part == "empty":  # issue labels cannot be empty (the schema), so the template wrote this link
        return ctx.locate.anywhere(ctx.locate.template(re.escape(href)) if href else None,
                                   ctx.locate.template(r"<a\b[^>]*>\s*</a>"), ctx.locate.url(href))
    hit = ctx.locate.sources.exact(href) if href else None
    if hit:
        path, source = hit
        for key in ("label", "title", "text") if part == "label" else ():
            sibling = path[:-1] + (key,)
            if source.doc.values.get(sibling) and _label_at(source, sibling) == text:
                return source.doc.value_location(sibling)
        return source.doc.value_location(path)
    in_markdown = ctx.locate.sources.find(f"[{text}](") if part == "label" and text else None
    return ctx.locate.anywhere(in_markdown, ctx.locate.url(href) if href else None,
                               ctx.locate.template(re.escape(text)) if text else None,
                               ctx.locate.template(r"<a\b"))


def _label_at(source: Any, path: tuple) -> str:
    node: Any = source.doc.data
    for part in path:
        node = node[part]
    return " ".join(str(node).split())


@rule("link-href", "link-text")
def links(ctx: CheckContext) -> Iterator[Finding]:
    for link in ctx.elements("a"):
        if link.get("href") is None or ctx.computed(link).hidden:
            continue
        text = visible_text(link)
        problem = href_problem(strip_utm(link.get("href") or ""))
        if problem:
            level, message = problem
            yield Finding("link-href", level, _where_link(ctx, link, text, "url"), message)
        if not accessible_name(link):
            target = strip_utm(link.get("href") or "")
            yield Finding("link-href", "error", _where_link(ctx, link, text, "empty"),
                          f"the link to {target} has no text, so screen readers read its URL "
                          "(give it text, or alt text on its image)")
        vague = vague_problem(text, link.get("aria-label")) if text else None
        if vague:
            yield Finding("link-text", "warning", _where_link(ctx, link, text, "label"), vague)


@rule("placeholder-url")
def placeholder_urls(ctx: CheckContext) -> Iterator[Finding]:
    for url in link_urls(ctx):
        reason = placeholder_reason(url)
        if reason:
            yield Finding("placeholder-url", "error", where_url(ctx, url),
                          f"'{strip_utm(url)}' will not work for readers: {reason} (use the live URL)")
