"""Checks for an issue that cannot be rendered: its load errors, and the rules its values break.

When the schema rejects an issue (or a template fails), there is no HTML to
check. So that the author still fixes everything in one round, ``check``
reports the load errors as findings (with the rule id they belong to, e.g. a
missing alt is ``image-alt``) and runs the value-level rules (placeholder
URLs, http: links, SVG images, missing alt, vague Markdown link text, subject
and preheader) straight on the YAML of the issue and of newsletter.yaml.
Rules that need the rendered email (contrast, headings, legal footer...) run
once the issue renders.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, NewsletterError, TemplateError
from ..issue.load import CONFIG_NAME, display_path, find_project_root
from ..issue.located_yaml import LocatedDocument, Path_, read_located_yaml
from .findings import Finding, unique
from .locate import Source, walk
from .rules.envelope import preheader_problems, subject_problems
from .rules.images import alt_problem, src_problem
from .rules.links import href_problem, placeholder_reason, vague_problem
from .rules.placeholders import placeholder_findings

URL_KEYS = {"url", "href", "website", "archive_url"}
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


def _url_findings(url: str, where: Any, is_image: bool) -> Iterator[Finding]:
    """The URL rules on a raw YAML value; one that is no URL at all (``https://x]/``) is left to the schema."""
    try:
        found = list(_url_rules(url, where, is_image))
    except ValueError:  # urlsplit: "Invalid IPv6 URL"; the schema has reported this value already
        return
    yield from found


def _url_rules(url: str, where: Any, is_image: bool) -> Iterator[Finding]:
    reason = placeholder_reason(url)
    if reason:
        yield Finding("placeholder-url", "error", where, f"'{url}' will not work for readers: {reason} "
                                                          "(use the live URL)")
    if is_image:
        problem = src_problem(url)
        if problem:
            yield Finding("image-src", "error", where, problem)
        return
    href = href_problem(url)
    if href:
        yield Finding("link-href", href[0], where, href[1])


def value_findings(source: Source, language: str = "en") -> Iterator[Finding]:
    """The value-level rules on one YAML document; ``language`` is the issue's (for vague link texts)."""
    doc = source.doc
    for path, value in walk(doc.data):
        key = path[-1] if path else None
        if isinstance(value, dict) and key in ("image", "logo") and "src" in value:
            problem = alt_problem(value)
            if problem:
                yield Finding("image-alt", "error", doc.value_location(path), problem)
        if not isinstance(value, str):
            continue
        if key == "src" and len(path) > 1 and path[-2] in ("image", "logo"):
            yield from _url_findings(value.strip(), doc.value_location(path), True)
        elif key in URL_KEYS:
            yield from _url_findings(value.strip(), doc.value_location(path), False)
        for match in MARKDOWN_LINK.finditer(value):
            yield from _markdown_link(source, path, match.group(1), match.group(2), language)


def _markdown_link(source: Source, path: Path_, text: str, url: str, language: str) -> Iterator[Finding]:
    """A Markdown link has no template to give it an aria-label: its text must say where it goes."""
    start = source.doc.value_location(path)
    yield from _url_findings(url, source.refine(start, url), False)
    vague = vague_problem(text, None, language)
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


def _language(sources: list[Source], issue_path: Path) -> str:
    """The issue's ``language`` as written, else the schema's default (a mistyped one is the schema's error)."""
    for source in sources:
        data = source.doc.data
        if source.path == issue_path and isinstance(data, dict) and isinstance(data.get("language"), str):
            return data["language"]
    return "en"


def unrendered_findings(issue_path: Path, error: NewsletterError) -> list[Finding]:
    """Findings for an issue that failed to load or render: its errors plus the value-level rules."""
    reported = error_findings(error)
    taken = {(f.rule, f.location) for f in reported}
    extra: list[Finding] = []
    sources = _sources(issue_path)
    language = _language(sources, issue_path)
    for source in sources:
        extra += value_findings(source, language)
        if source.path == issue_path:  # not newsletter.yaml, which is the first source when the issue does not parse
            extra += _envelope_findings(source.doc)
            extra += placeholder_findings(source.doc)
    return unique(reported + [f for f in extra if (f.rule, f.location) not in taken])
