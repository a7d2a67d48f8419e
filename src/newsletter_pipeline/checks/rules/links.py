"""link-href, link-text, placeholder-url and the phishing shapes (link-host-mismatch, link-userinfo, link-bidi).

Links that work, say where they go, go live, and do not deceive.

Links are found in the rendered HTML (and URLs in the plain-text part), then
looked up in the issue and newsletter.yaml without their UTM parameters, so
each finding points at the line where the URL or label is written.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ...errors import Location, echo
from ...models import UNSUBSCRIBE_PLACEHOLDER
from ..context import CheckContext, accessible_name, visible_text
from ..findings import Finding
from ..hosts import host_reason, parse_ip
from ..locate import strip_utm
from . import rule

VAGUE_LINKS = Path(__file__).with_name("vague_links.json")  # the vague link texts of every language
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
        return None if "@" in parts.path else ("error", f"{echo(value)} has no address after mailto:")
    if parts.scheme in ("http", "https") and parts.netloc:
        if parts.scheme == "http":
            return "warning", f"{echo(value)} uses http:, which clients flag as insecure (use https:)"
        return None
    return "error", (f"{echo(value)} is not an absolute http(s) or mailto: URL; relative links, anchors and "
                     "javascript: do not work in email (write the full https:// address)")


def normalize_label(text: str) -> str:
    """Lower-case words without accents: "Read more »" and "read more…" are the same label.

    Accents go because Greek capitals drop them ("ΕΔΩ" is "εδώ") and authors in
    a hurry do too ("aqui", "wiecej"); "’" is the apostrophe ("plus d’infos").
    """
    folded = unicodedata.normalize("NFD", text.casefold().replace("\u2019", "'"))
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.findall(r"[\w']+", bare))


@lru_cache(maxsize=1)
def _vague_table() -> dict[str, frozenset[str]]:
    table = json.loads(VAGUE_LINKS.read_text(encoding="utf-8"))["languages"]
    return {language: frozenset(map(normalize_label, texts)) for language, texts in table.items()}


@lru_cache(maxsize=64)
def vague_labels(language: str = "en") -> frozenset[str]:
    """The vague link texts of ``language`` (``de-AT`` reads ``de``), normalized, plus English's.

    English always counts: these newsletters mix it into every language ("Read more").
    """
    table = _vague_table()
    return table["en"] | table.get(language.replace("_", "-").split("-")[0].lower(), frozenset())


def vague_problem(text: str, aria_label: str | None, language: str = "en") -> str | None:
    """Why a link's name does not say where it goes; ``None`` when the name includes its subject.

    ``language``: the issue's, whose vague texts count besides English's.
    """
    vague = vague_labels(language)
    if normalize_label(text) not in vague:
        return None
    label = normalize_label(aria_label or "")
    visible = normalize_label(text)
    if label and label != visible:
        if visible not in label:
            return (f"aria-label \"{aria_label}\" does not contain the visible text \"{text}\" "
                    "(start it with the visible label, WCAG 2.5.3)")
        extra = label.replace(visible, " ", 1).split()
        if extra and not all(word in vague for word in extra):
            return None
    return (f"link text \"{text}\" does not say where it goes; screen-reader users hear a list of "
            "identical links (write what it leads to, or give the template an aria-label with the subject)")


@lru_cache(maxsize=4096)
def placeholder_reason(url: str) -> str | None:
    """Why a URL is a placeholder, a local or a staging address, or ``None`` when it looks live."""
    if url.startswith(UNSUBSCRIBE_PLACEHOLDER):
        return None  # replaced by each provider's unsubscribe link at send time
    # TODO and FIXME in a URL are the `placeholder` rule's (placeholders.py), which lets a draft build
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme == "mailto":
        host = parts.path.rpartition("@")[2].lower()
    if not host:
        return None
    return _host_reason(host)


def _host_reason(host: str) -> str | None:
    local = host_reason(host)  # IPs in every form the OS reads (127.1, 0x7f.0.0.1, [::1]) and localhost
    if local or parse_ip(host):
        return local
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


# a Markdown image or link with nothing inside its [ ] (a link holding only such an image), before its URL;
# and what to write there
_EMPTY_IN_MARKDOWN = ((r"!\[\s*\]\(\s*<?", "describe the image inside the [ ]: ![what it shows](...)"),
                      (r"(?<!!)\[\s*\]\(\s*<?", "write the link's text inside the [ ]: [the programme](...)"),
                      (r"\[\s*!\[\s*\]\([^()\s]*\)\s*\]\(\s*<?",
                       "describe the image inside its [ ]: [![what it shows](...)](...)"))


def _no_text(ctx: CheckContext, link: Any, text: str) -> Finding:
    """A link without text: at its ``[]`` when the issue wrote it in Markdown, else where the template did.

    Markdown can write one: ``[](url)``, or ``![](url)``, an image inside text,
    which becomes a link whose text is the image's description (render/markdown.py).
    """
    target = strip_utm(link.get("href") or "")
    message = f"the link to {target} has no text, so screen readers read its URL"
    for before, fix in _EMPTY_IN_MARKDOWN if target else ():
        found = ctx.locate.sources.search(re.compile(before + re.escape(target)))
        if found:
            return Finding("link-href", "error", found, f"{message} ({fix})")
    return Finding("link-href", "error", _where_link(ctx, link, text, "empty"),
                   f"{message} (give it text, or alt text on its image)")


def _label_at(source: Any, path: tuple) -> str:
    node: Any = source.doc.data
    for part in path:
        node = node[part]
    return " ".join(str(node).split())


def anchor_names(ctx: CheckContext) -> set[str]:
    """Every in-email anchor: the ``id`` and ``<a name>`` of the HTML (a block ``id`` renders both).

    Only an ``<a>``'s name: ``<meta name="viewport">`` is no place to jump to.
    """
    return {name for element in ctx.elements()
            for name in (element.get("id"), element.get("name") if element.tag == "a" else None) if name}


def anchor_problem(href: str, names: set[str]) -> tuple[str, str] | None:
    """(level, message) when an in-email ``#name`` link points at no block ``id``."""
    name = href.strip()[1:]
    if name and name in names:
        return None
    known = ", ".join(sorted(names)) or "none"
    return "error", (f"'{href.strip()}' points at no block: no block has id '{name}' (give the block you mean "
                     f"`id: {name or 'a-name'}`, or link to a full https:// address; ids in this email: {known})")


def link_problem(href: str, names: Callable[[], set[str] | None]) -> tuple[str, str] | None:
    """(level, message) when a link target does not work in email, else ``None``.

    An anchor within the email (``#name``) is fine when ``names()``, the
    email's anchors, has it; ``names()`` is ``None`` when they cannot be known
    (the YAML of an issue that does not render), and the anchor is then not
    judged. Any other target must be an absolute http(s) or mailto: URL.
    """
    if href.strip().startswith("#"):
        known = names()
        return None if known is None else anchor_problem(href, known)
    return href_problem(href)


@rule("link-href", "link-text")
def links(ctx: CheckContext) -> Iterator[Finding]:
    names: set[str] | None = None

    def email_anchors() -> set[str]:  # once, and only for an email that has an anchor link
        nonlocal names
        names = anchor_names(ctx) if names is None else names
        return names

    for link in ctx.elements("a"):
        if link.get("href") is None or ctx.computed(link).hidden:
            continue
        text = visible_text(link)
        problem = link_problem(strip_utm(link.get("href") or ""), email_anchors)
        if problem:
            level, message = problem
            yield Finding("link-href", level, _where_link(ctx, link, text, "url"), message)
        if not accessible_name(link):
            yield _no_text(ctx, link, text)
        vague = vague_problem(text, link.get("aria-label"), ctx.loaded.issue.language) if text else None
        if vague:
            yield Finding("link-text", "warning", _where_link(ctx, link, text, "label"), vague)


@rule("placeholder-url")
def placeholder_urls(ctx: CheckContext) -> Iterator[Finding]:
    for url in link_urls(ctx):
        reason = placeholder_reason(url)
        if reason:
            yield Finding("placeholder-url", "error", where_url(ctx, url),
                          f"{echo(strip_utm(url))} will not work for readers: {reason} (use the live URL)")


# --- phishing-shaped links: what a spam filter (and a wary reader) takes for an attack ---

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_HOST_TEXT = re.compile(r"(?:(?:https?://)?(?:[\w.+-]+@)?)((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63})\.?"
                        r"(?::\d+)?(?:[/?#]\S*)?", re.IGNORECASE)
_NAMED_HOST = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
FILE_SUFFIXES = frozenset({"pdf", "doc", "docx", "odt", "xls", "xlsx", "ods", "ppt", "pptx", "zip", "csv", "txt",
                           "md", "png", "jpg", "jpeg", "gif", "svg", "mp3", "mp4", "html", "htm", "ics"})


def named_host(text: str) -> str | None:
    """The host a link's text shows as its destination ("www.bank.example", "https://bank.example/login").

    Either the whole text is an address, or it holds a word starting with
    http(s):// or www.; a file name such as "report.pdf" is not a host.
    """
    text = " ".join(text.split()).strip("<>()[]\"'")
    whole = _HOST_TEXT.fullmatch(text)
    if whole and whole.group(1).rsplit(".", 1)[1].lower() not in FILE_SUFFIXES:
        return whole.group(1).lower()
    for word in _NAMED_HOST.findall(text):
        found = _HOST_TEXT.match(word.strip(".,;:!?)"))
        if found:
            return found.group(1).lower()
    return None


def _same_site(shown: str, actual: str) -> bool:
    """www.x.org and x.org, or a subdomain of the shown host, are the same site."""
    shown, actual = shown.removeprefix("www."), actual.lower().rstrip(".").removeprefix("www.")
    return actual == shown or actual.endswith("." + shown) or shown.endswith("." + actual)


def deceptive_link_problem(text: str, href: str) -> tuple[str, str] | None:
    """(rule id, message) when a link's text or address is shaped like phishing, else ``None``."""
    control = BIDI_CONTROLS.search(text)
    if control:
        return ("link-bidi", f"the link text {echo(text)} holds the invisible bidi control "
                             f"U+{ord(control.group()):04X}, which reverses the text readers see (remove it)")
    parts = urlsplit(href.strip())
    if parts.scheme in ("http", "https") and "@" in parts.netloc:
        shown = parts.netloc.rpartition("@")[0]
        return ("link-userinfo", f"{echo(strip_utm(href))} goes to {parts.hostname}, although it starts with "
                                 f"{echo(shown)}: browsers treat what comes before @ as a user name, a "
                                 "phishing trick (remove the part before @)")
    shown_host = named_host(text)
    actual = parts.path.rpartition("@")[2] if parts.scheme == "mailto" else (parts.hostname or "")
    if shown_host and actual and not _same_site(shown_host, actual):
        return ("link-host-mismatch", f"the link text names {shown_host} but the link goes to {actual.lower()}; "
                                      "spam filters and readers take that for phishing (make the text "
                                      "name the real destination, or link to the site it names)")
    return None


@rule("link-bidi", "link-userinfo", "link-host-mismatch")
def deceptive_links(ctx: CheckContext) -> Iterator[Finding]:
    for link in ctx.elements("a"):
        href = link.get("href")
        if href is None or href.strip().startswith(UNSUBSCRIBE_PLACEHOLDER):
            continue
        text = " ".join(f"{visible_text(link)} {link.get('aria-label') or ''}".split())
        problem = deceptive_link_problem(text, href)
        if problem:
            rule_id, message = problem
            part = "url" if rule_id == "link-userinfo" else "label"
            yield Finding(rule_id, "error", _where_link(ctx, link, visible_text(link), part), message)
