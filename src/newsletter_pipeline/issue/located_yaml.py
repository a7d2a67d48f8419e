"""A YAML loader that remembers where every value came from.

PyYAML's composer gives nodes with marks; we construct plain Python values from
them ourselves so that we can (1) record a ``Location`` for every key path,
(2) reject duplicate keys, which PyYAML silently keeps the last of, and
(3) bound the expansion of aliases, which would otherwise let a ten-line file
(a "billion laughs" bomb) eat all memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Diagnostic, DiagnosticList, IssueError, Location

try:  # the C composer is several times faster; fall back when libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]

MAX_NODES = 20_000  # far above any real issue, far below a bomb's expansion


def format_key_path(path: Path_) -> str:
    """``("blocks", 3, "image", "alt")`` -> ``blocks[3].image.alt``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class LocatedDocument:
    """The plain value of a YAML file plus the location of every key path."""

    file: str
    data: Any
    values: dict[Path_, Location] = field(default_factory=dict)
    keys: dict[Path_, Location] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)  # duplicate keys, bad scalars

    def value_location(self, path: Path_) -> Location:
        """Where the value at ``path`` starts; falls back to the nearest parent."""
        for cut in range(len(path), -1, -1):
            loc = self.values.get(tuple(path[:cut]))
            if loc is not None:
                return loc
        return Location(self.file, 1, 1)

    def key_location(self, path: Path_) -> Location:
        return self.keys.get(tuple(path)) or self.value_location(path)


class _Builder:
    def __init__(self, file: str):
        self.file = file
        self.doc = LocatedDocument(file, None)
        self.problems = DiagnosticList()
        self.count = 0
        self.scalar_loader = _Loader("")

    def loc(self, node: yaml.Node) -> Location:
        return Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(self.loc(node), path)
        self.doc.values.setdefault(path, self.loc(node))
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        return self.build_scalar(node, path)

    def build_mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.add(self.loc(key_node), "YAML merge keys (<<) are not supported",
                                  format_key_path(path), "write the keys out")
                continue
            key = self.build_scalar(key_node, path)
            if not isinstance(key, str):
                key = str(key)
            child = path + (key,)
            if key in result:
                first = self.doc.keys[child]
                self.problems.add(self.loc(key_node), f"duplicate key '{key}'", format_key_path(child),
                                  f"it is already set at line {first.line}; keep one")
                continue
            self.doc.keys[child] = self.loc(key_node)
            result[key] = self.build(value_node, child)
        return result

    def build_scalar(self, node: yaml.Node, path: Path_) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.problems.add(self.loc(node), "a key must be a plain value", format_key_path(path))
            return "?"
        constructor = self.scalar_loader.yaml_constructors.get(node.tag)
        if constructor is None:
            self.problems.add(self.loc(node), f"unsupported YAML tag {node.tag}", format_key_path(path),
                              "remove the tag")
            return node.value
        try:
            return constructor(self.scalar_loader, node)
        except (yaml.YAMLError, ValueError) as exc:
            self.problems.add(self.loc(node), f"invalid value: {exc}", format_key_path(path))
            return node.value


class _TooBig(Exception):
    def __init__(self, location: Location, path: Path_):
        self.location, self.path = location, path


def load_located_yaml(text: str, file: str) -> LocatedDocument:
    """Parse ``text``.

    Syntax errors and alias bombs raise ``IssueError``; problems that leave a
    usable document (duplicate keys, bad dates) are returned in ``problems``
    so that schema errors can be reported in the same round.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # an unclosed quote or bracket: point where it opens, not at EOF
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        raise IssueError(diagnostics=[_syntax(file, line, col, f"invalid YAML: {what}{context}")]) from None
    except yaml.YAMLError as exc:
        raise IssueError(diagnostics=[_syntax(file, 1, 1, f"invalid YAML: {exc}")]) from None
    builder = _Builder(file)
    if root is None:
        builder.doc.data = {}
        return builder.doc
    try:
        builder.doc.data = builder.build(root, ())
    except _TooBig as big:
        top = big.path[:1]
        builder.problems.add(builder.doc.key_location(top) if top else big.location,
                             f"the document expands to more than {MAX_NODES} values",
                             format_key_path(top), "aliases (*name) repeat too much; write the content out")
        builder.problems.raise_if_any()  # nothing sensible is left to validate
    builder.doc.problems = builder.problems.items
    return builder.doc


def _syntax(file: str, line: int, col: int, message: str) -> Diagnostic:
    return Diagnostic(Location(file, line, col), message, hint="check indentation, quotes and colons")


def read_located_yaml(path: Path, display_name: str | None = None) -> LocatedDocument:
    """Read a UTF-8 YAML file; a missing file is the caller's concern."""
    text = path.read_text(encoding="utf-8")
    return load_located_yaml(text, display_name or str(path))
