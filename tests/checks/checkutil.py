"""Helpers for the check tests: a small issue that passes every rule, and line lookups."""

from __future__ import annotations

from shared import REPO

from newsletter_pipeline.checks import CheckReport, Finding

ISSUE_NAME = "issues/2022-04-spring-news.yaml"

# The link-check tests' issue: its masthead, then ``blocks`` (YAML list items, indented two spaces)
LINKS_ISSUE = """\
subject: Spring news from the lab
preheader: Three new papers, an open dataset and the dates of our summer school in Thessaloniki.
date: 2022-04-01
blocks:
  - type: masthead
    title: Spring news
"""


def links_issue(body: str) -> str:
    """``LINKS_ISSUE`` with one editorial block whose Markdown is ``body`` (one line)."""
    return LINKS_ISSUE + f"  - type: editorial\n    body: |-\n      {body}\n"


# Passes every rule: each test changes one thing and expects exactly that rule to fire.
BASE = """\
subject: Spring news from the AI4Media lab
preheader: Three new papers, an open dataset and the dates of our summer school in Thessaloniki.
date: 2022-04-01
language: en
blocks:
  - type: masthead
    title: Spring news
  - type: article
    title: An open dataset of news photos
    body: |-
      We released a dataset of annotated news photos for research on disinformation.

      It is free for research.
    image:
      src: https://www.ai4media.eu/img/photos.jpg
      alt: A grid of news photos with coloured labels
      width: 536
    link:
      label: Read more
      url: https://www.ai4media.eu/dataset/
  - type: cta
    text: Our summer school opens for registration in May.
    button:
      label: Register for the summer school
      url: https://www.ai4media.eu/summer-school/
"""


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line containing ``needle`` (the test's own source of truth)."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not in the fixture"
    return hits[nth - 1]


def col_of(text: str, needle: str) -> int:
    line = text.splitlines()[line_of(text, needle) - 1]
    return line.index(needle) + 1


def builtin_template(name: str) -> str:
    return (REPO / "templates" / name).read_text(encoding="utf-8")


def only(report: CheckReport, rule: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule]


def where(finding: Finding) -> tuple[str, int]:
    return finding.location.file, finding.location.line
