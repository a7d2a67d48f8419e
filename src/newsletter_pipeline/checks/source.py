"""Checks for an issue that cannot be rendered: its load errors, and the rules its values break.

When the schema rejects an issue (or a template fails), there is no HTML to
check. So that the author still fixes everything in one round, ``check``
reports the load errors as findings (with the rule id they belong to, e.g. a
missing alt is ``image-alt``) and runs the value-level rules (placeholder
URLs, http: links, SVG images, missing alt, vague Markdown link text, subject
and preheader) straight on the YAML of the issue and of newsletter.yaml.
Rules that need the rendered email (contrast, headings, legal footer...) run
once the issue renders.

Each value is judged by the same functions as once the issue renders, so
that nothing is reported here that the full check accepts: a picture in the
project folder by the build's own test (render/media.py), an ``#anchor``
link against the block ids the issue writes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, NewsletterError, TemplateError
from ..issue import spec
from ..issue.load import CONFIG_NAME, display_path, find_project_root
from ..issue.located_yaml import LocatedDocument, Path_, format_key_path, read_located_yaml
from ..issue.values import ValueProblem, email
from ..render.media import is_local, local_problem
from .findings import Finding, unique
from .locate import Source, walk
from .rules.envelope import preheader_problems, subject_problems
from .rules.images import alt_problem, src_problem
from .rules.links import link_problem, placeholder_reason, vague_problem
from .rules.placeholders import placeholder_findings


def _keys_typed(*kinds: tuple[Any, ...]) -> frozenset[str]:
    """The field names the schema (issue/spec.py) gives one of ``kinds`` wherever they hold text.

    A name that is other text elsewhere is left out: ``link`` is a quote's URL
    but also a theme colour. A raw YAML value is judged by its key's name,
    since an issue that does not load has no models to say what it is.
    """
    found: dict[str, set[bool]] = {}
    for info in spec.CLASSES.values():
        for name, kind, *_ in info["fields"]:
            while kind[0] in ("optional", "list"):
                kind = kind[1]
            if kind[0] == "str":
                found.setdefault(name, set()).add(kind in kinds)
    return frozenset(name for name, typed in found.items() if typed == {True})


IMAGE_KEYS = _keys_typed(spec.IMAGE_URL)  # src, dark_src, icon, a sponsor's logo
URL_KEYS = _keys_typed(spec.LINK_URL, spec.CSS_URL)  # url, href, website, archive_url
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]+)>?[^)]*\)")
# the top-level keys that have a rule of their own: the rule id names the key, so it is not shown twice
FIELD_RULES = {"subject": "subject", "preheader": "preheader", "language": "lang"}
DIAGNOSTIC_RULES = [  # (pattern on the key path, rule id); first match wins
    (re.compile(r"(^|\.)alt$|(image|logo)$"), "image-alt"),
    (re.compile(r"(image|logo)\.src$"), "image-src"),
    (re.compile(r"(^|\.)(url|href|website|archive_url)$"), "link-href"),
]


def rule_for(diagnostic: Diagnostic, error: NewsletterError) -> str:
    """The rule a load error belongs to; ``schema``, ``yaml`` or ``template`` otherwise."""
    if isinstance(error, TemplateError):
        return "template"
    if diagnostic.message.startswith("invalid YAML"):
        return "yaml"
    if diagnostic.key_path in FIELD_RULES:
        return FIELD_RULES[diagnostic.key_path]
    for pattern, rule in DIAGNOSTIC_RULES:
        if pattern.search(diagnostic.key_path):
            return rule
    return "schema"


def error_findings(error: NewsletterError) -> list[Finding]:
    findings = []
    for d in error.diagnostics:
        rule = rule_for(d, error)
        # "subject: subject: duplicate key" said the key twice: a finding shows its rule, which names the key
        named = d.key_path and FIELD_RULES.get(d.key_path) != rule
        path = f"{d.key_path}: " if named else ""
        hint = f" ({d.hint})" if d.hint else ""
        findings.append(Finding(rule, d.level, d.location, f"{path}{d.message}{hint}"))
    return findings


def _sources(issue_path: Path) -> list[Source]:
    """The issue's and newsletter.yaml's located YAML, skipping any that does not parse."""
    sources = []
    root = find_project_root(issue_path.resolve().parent)
    for path in (issue_path, root / CONFIG_NAME):
        try:
            sources.append(Source(read_located_yaml(path, display_path(path)), path))
        except (NewsletterError, OSError):
            continue
    return sources


@dataclass(frozen=True)
class Written:
    """What the value rules need to know of the project beside a value, read from the YAML as written."""

    root: Path  # the project folder, where local pictures are
    archive_url: str | None  # where the build publishes them
    anchors: set[str] | None  # the issue's anchor names; None when a toc makes more, which only the render knows
    language: str = "en"  # the issue's (for vague link texts)


def _url_findings(url: str, where: Any, written: Written, image: str | None = None) -> Iterator[Finding]:
    """The URL rules on a raw YAML value; one that is no URL at all (``https://x]/``) is left to the schema.

    ``image`` is the key path of an image's src, as the build's errors name it; ``None`` for a link.
    """
    try:
        found = list(_url_rules(url, where, written, image))
    except ValueError:  # urlsplit: "Invalid IPv6 URL"; the schema has reported this value already
        return
    yield from found


def _url_rules(url: str, where: Any, written: Written, image: str | None) -> Iterator[Finding]:
    reason = placeholder_reason(url)
    if reason:
        yield Finding("placeholder-url", "error", where, f"'{url}' will not work for readers: {reason} "
                                                          "(use the live URL)")
    if image is not None:
        yield from _image_src(url, where, written, image)
        return
    href = link_problem(url, lambda: written.anchors)
    if href:
        yield Finding("link-href", href[0], where, href[1])


def _image_src(src: str, where: Any, written: Written, key: str) -> Iterator[Finding]:
    """A picture in the project is judged as the build judges it (render/media.py), an address as the email's."""
    if is_local(src):
        refused = local_problem(written.root, src, written.archive_url)
        if refused:  # worded as the build's error is: its key path, the message, the hint
            yield Finding("image-src", "error", where, f"{key}: {refused[0]} ({refused[1]})")
        return
    problem = src_problem(src)
    if problem:
        yield Finding("image-src", "error", where, problem)


def value_findings(source: Source, written: Written) -> Iterator[Finding]:
    """The value-level rules on one YAML document (the issue's, or newsletter.yaml)."""
    doc = source.doc
    in_settings = source.path.name == CONFIG_NAME  # the build names its values settings.brand...
    for path, value in walk(doc.data):
        key = path[-1] if path else None
        if isinstance(value, dict) and key in ("image", "logo") and "src" in value:
            problem = alt_problem(value)
            if problem:
                yield Finding("image-alt", "error", doc.value_location(path), problem)
        if not isinstance(value, str):
            continue
        if key in IMAGE_KEYS:
            shown = format_key_path(("settings", *path) if in_settings else path)
            yield from _url_findings(value.strip(), doc.value_location(path), written, shown)
        elif key in URL_KEYS:
            yield from _url_findings(value.strip(), doc.value_location(path), written)
        for match in MARKDOWN_LINK.finditer(value):
            yield from _markdown_link(source, path, match.group(1), match.group(2), written)


def _markdown_link(source: Source, path: Path_, text: str, url: str, written: Written) -> Iterator[Finding]:
    """A Markdown link has no template to give it an aria-label: its text must say where it goes."""
    start = source.doc.value_location(path)
    yield from _url_findings(url, source.refine(start, url), written)
    vague = vague_problem(text, None, written.language)
    if vague:
        yield Finding("link-text", "warning", source.refine(start, f"[{text}]"), vague)


def _envelope_findings(doc: LocatedDocument) -> Iterator[Finding]:
    data = doc.data if isinstance(doc.data, dict) else {}
    subject, preheader = data.get("subject"), data.get("preheader")
    if isinstance(subject, str):  # a missing or mistyped subject is already a schema error
        for level, message in subject_problems(subject):
            yield Finding("subject", level, doc.value_location(("subject",)), message)
    if isinstance(preheader, str) or preheader is None:
        where = doc.value_location(("preheader",)) if "preheader" in data else doc.key_location(("subject",))
        for level, message in preheader_problems(preheader, subject if isinstance(subject, str) else None):
            yield Finding("preheader", level, where, message)


def _issue_data(sources: list[Source], issue_path: Path) -> dict[str, Any]:
    """The issue's YAML as written, or ``{}`` when it does not parse or is no mapping."""
    for source in sources:
        if source.path == issue_path and isinstance(source.doc.data, dict):
            return source.doc.data
    return {}


def _setting(sources: list[Source], issue_path: Path, key: Path_) -> Any:
    """A setting as written: the issue's ``settings:`` override, else newsletter.yaml's; ``None`` when neither."""
    for source in sources:  # the issue first, as its settings: override newsletter.yaml
        node: Any = source.doc.data
        for part in ("settings", *key) if source.path == issue_path else key:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            return node
    return None


def _anchors(issue: dict[str, Any]) -> set[str] | None:
    """The block ids the issue writes; ``None`` with a ``toc``, which also names blocks after their titles."""
    listed = issue.get("blocks")
    blocks = [b for b in listed if isinstance(b, dict)] if isinstance(listed, list) else []
    if any(b.get("type") == "toc" for b in blocks):
        return None
    return {b["id"] for b in blocks if isinstance(b.get("id"), str)}


def _written(sources: list[Source], issue_path: Path) -> Written:
    issue = _issue_data(sources, issue_path)
    language = issue.get("language")  # a mistyped one is the schema's error: the default's words then
    # the environment's address wins, as in a build (issue/load.py, _apply_env)
    archive = os.environ.get("NEWSLETTER_ARCHIVE_URL") or _setting(sources, issue_path, ("archive_url",))
    return Written(find_project_root(issue_path.resolve().parent), archive if isinstance(archive, str) else None,
                   _anchors(issue), language if isinstance(language, str) else "en")


def written_sender(issue_path: Path) -> str | None:
    """The sender's address as the issue's settings or newsletter.yaml write it; ``None`` unless it is one.

    For an issue that does not load, whose List-Unsubscribe note still names it.
    """
    found = _setting(_sources(issue_path), issue_path, ("sender", "email"))
    try:
        return email(found) if isinstance(found, str) else None
    except ValueProblem:  # a mistyped address is a schema error of its own
        return None


def unrendered_findings(issue_path: Path, error: NewsletterError) -> list[Finding]:
    """Findings for an issue that failed to load or render: its errors plus the value-level rules."""
    reported = error_findings(error)
    taken = {(f.rule, f.location) for f in reported}
    extra: list[Finding] = []
    sources = _sources(issue_path)
    written = _written(sources, issue_path)
    for source in sources:
        extra += value_findings(source, written)
        if source.path == issue_path:  # not newsletter.yaml, which is the first source when the issue does not parse
            extra += _envelope_findings(source.doc)
            extra += placeholder_findings(source.doc)
    return unique(reported + [f for f in extra if (f.rule, f.location) not in taken])
