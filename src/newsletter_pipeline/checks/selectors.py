"""CSS selectors of ``<style>`` rules, matched against an email's element tree.

The dark-mode and legal rules match every selector of the layout's style
blocks (~40 for the seed) against the tree. cssselect's XPath tests each
element's ``class`` with string functions, ~120 us per selector on the seed:
5 ms of a build's checks. The layout's selectors are nearly all chains of
tags and classes joined by descendant or child combinators (``.np-text p``,
``.np-feature > table``), so those are matched here from an index of the
tree's classes and tags, built once per tree; anything else (``:hover``,
attributes, ``*``, ``+``) goes to cssselect as before.
``tests/test_fast_paths.py`` compares the two on the seed and the digest.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

Matcher = Callable[[Any], list[Any]]
# (tag or None, classes) for each compound, and the combinator before each compound but the first
Compound = tuple[str | None, frozenset[str]]

_COMPOUND = re.compile(r"([A-Za-z][A-Za-z0-9-]*)?((?:\.-?[A-Za-z_][\w-]*)*)")
_CLASS_SPACE = re.compile(r"[ \t\r\n]+")  # what XPath's normalize-space splits on (cssselect's class test)
_index_cache = threading.local()  # the preview checks in several threads


def _classes(element: Any) -> frozenset[str]:
    return frozenset(filter(None, _CLASS_SPACE.split(element.get("class") or "")))


@lru_cache(maxsize=512)
def compiled_selector(text: str) -> Matcher | None:
    """A matcher for this selector (the layout's few dozen repeat for every issue), or ``None`` if unsupported."""
    chain = _simple_chain(text)
    if chain is not None:
        compounds, combinators = chain
        return lambda tree: _match(tree, compounds, combinators)
    from lxml.cssselect import CSSSelector  # lxml and cssselect (declared in pyproject) are loaded anyway

    try:
        return CSSSelector(text)
    except Exception:  # noqa: BLE001 - cssselect raises several types for selectors it lacks
        return None


def _simple_chain(text: str) -> tuple[tuple[Compound, ...], tuple[str, ...]] | None:
    """``.a p > b.c`` as compounds and combinators, or ``None`` when it is not only tags and classes."""
    tokens = text.replace(">", " > ").split()
    compounds: list[Compound] = []
    combinators: list[str] = []
    expect_compound = True
    for token in tokens:
        if token == ">":
            if expect_compound:
                return None
            combinators.append(">")
            expect_compound = True
            continue
        found = _COMPOUND.fullmatch(token)
        if found is None or not token:
            return None
        if not expect_compound:
            combinators.append(" ")
        tag, classes = found.group(1), frozenset(found.group(2).split(".")[1:])
        if tag is None and not classes:
            return None
        compounds.append((tag, classes))
        expect_compound = False
    if expect_compound:  # empty, or ends with a combinator
        return None
    return tuple(compounds), tuple(combinators)


class _Index:
    """The tree's elements by class and by tag (document order), and each element's classes."""

    def __init__(self, tree: Any) -> None:
        self.by_class: dict[str, list[Any]] = {}
        self.by_tag: dict[str, list[Any]] = {}
        self.classes: dict[Any, frozenset[str]] = {}  # also keeps every element's proxy alive, so keys stay valid
        root = tree.getroot() if hasattr(tree, "getroot") else tree
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue  # comments and processing instructions
            self.by_tag.setdefault(element.tag, []).append(element)
            names = self.classes[element] = _classes(element)
            for name in names:
                self.by_class.setdefault(name, []).append(element)

    def matches(self, element: Any, compound: Compound) -> bool:
        tag, classes = compound
        return (tag is None or element.tag == tag) and (not classes or classes <= self.classes[element])


def _index(tree: Any) -> _Index:
    """Built once per tree (the checks never change it); one per thread, as the preview checks in several."""
    cached = getattr(_index_cache, "value", None)
    if cached is not None and cached[0] is tree:
        return cached[1]
    index = _Index(tree)
    _index_cache.value = (tree, index)
    return index


def _match(tree: Any, compounds: tuple[Compound, ...], combinators: tuple[str, ...]) -> list[Any]:
    """The elements the chain matches, in document order, like cssselect's XPath.

    Left to right: the elements matching the first compound, then, for each
    combinator, the next compound's candidates (from the index) that sit
    inside one of them (descendant) or right under one (child). "Inside" is
    the union of the matched elements' descendants, gathered by lxml in C, so
    each step costs one pass over those subtrees, not a walk up from every
    candidate (which grew faster than the email).
    """
    index = _index(tree)
    matched = _candidates(index, compounds[0])
    for combinator, compound in zip(combinators, compounds[1:]):
        if combinator == ">":
            parents = set(matched)
            matched = [e for e in _candidates(index, compound) if e.getparent() in parents]
            continue
        inside: set[Any] = set()
        for element in matched:  # document order: an element inside an earlier one adds nothing new
            if element not in inside:
                inside.update(element.iterdescendants())
        matched = [e for e in _candidates(index, compound) if e in inside]
    return matched


def _candidates(index: _Index, compound: Compound) -> list[Any]:
    """The elements matching one compound, in document order."""
    tag, classes = compound
    found = index.by_class.get(min(classes), []) if classes else index.by_tag.get(tag or "", [])
    return [element for element in found if index.matches(element, compound)]
