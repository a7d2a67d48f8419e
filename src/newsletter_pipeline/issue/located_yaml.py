"""A YAML loader that remembers where every value came from.

PyYAML's composer gives nodes with marks; we construct plain Python values from
them ourselves so that we can (1) record a ``Location`` for every key path,
(2) reject duplicate keys, which PyYAML silently keeps the last of, and
(3) bound the expansion of aliases, which would otherwise let a ten-line file
(a "billion laughs" bomb) eat all memory, and (4) bound the nesting depth and
refuse an alias inside its own anchor (``&a [*a]``), either of which would
otherwise exhaust Python's recursion.

``read_source`` is the one way an input YAML file is read: anything that is
not a readable regular UTF-8 file of sane size is a located error, and a pipe
in place of the file cannot block the process.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Diagnostic, DiagnosticList, IssueError, Location, MissingFileError, UnreadableFileError, echo
from ..reading import FOLDER, MISSING, SPECIAL, TOO_LARGE, Refused, read_regular
from .plain_words import Words, yaml_syntax

try:  # the C composer is several times faster; fall back when libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]

MAX_NODES = 20_000  # far above any real issue, far below a bomb's expansion
MAX_DEPTH = 40  # an issue nests about 6 levels; the builder recurses once per level
MAX_BYTES = 4 * 1024 * 1024  # an email must stay under Gmail's 102 kB anyway; bounds memory and time


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
    # unquoted values YAML read as something other than text (1984, yes, no, 2021-12-01, 1.10), as
    # written: where the issue format wants text, the text is what the writer meant (issue/load.py)
    plain: dict[Path_, str] = field(default_factory=dict)
    # mappings whose merge key (<<: *name) was refused: the keys it would have given are missing because
    # of that one mistake, so validation does not report them again (validation.add_validation_errors)
    merged: set[Path_] = field(default_factory=set)

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
        self.open: set[int] = set()  # ids of the collection nodes being built (an alias cycle revisits one)

    def loc(self, node: yaml.Node) -> Location:
        return Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(self.loc(node), path)
        self.doc.values.setdefault(path, self.loc(node))
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            value = self.build_scalar(node, path)
            if type(value) is int and not node.style and not _DECIMAL.fullmatch(node.value):
                # YAML 1.1 reads 0x20 as 32, 4_0 as 40, 017 as 15 and 1:30 as 90, which no writer of an
                # issue means: kept as written, a number field refuses it and a text field shows it
                return node.value
            # a plain scalar: its style is "" in libyaml's nodes, None in PyYAML's
            if not node.style and node.value and isinstance(value, (bool, int, float, dt.date)):
                self.doc.plain[path] = node.value
            return value
        if node.tag not in _PLAIN_COLLECTIONS:  # !!python/object/apply:os.system [...]: read as no list
            raise _Unbuildable(self.loc(node), path, f"unsupported YAML tag {_shown_tag(node.tag)}",
                               "remove the tag: an issue holds only text, numbers, dates, lists and keys")
        if id(node) in self.open:
            raise _Unbuildable(self.loc(node), path, "an alias (*name) is used inside the value it names",
                               "a value cannot contain itself; write the content out")
        if len(path) >= MAX_DEPTH:
            raise _Unbuildable(self.loc(node), path, f"values are nested more than {MAX_DEPTH} levels deep",
                               "an issue needs only a few levels; check the brackets and indentation")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.build_mapping(node, path)
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def build_mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.add(self.loc(key_node), "YAML merge keys (<<) are not supported",
                                  format_key_path(path), "write the keys out")
                self.doc.merged.add(path)
                continue
            key = self.build_scalar(key_node, path)
            if not isinstance(key, str):  # keys are names: `no:` (Norwegian) is "no", not "False"
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) and key_node.value else str(key)
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
        constructor = self.scalar_loader.yaml_constructors.get(node.tag) if node.tag in _PLAIN_SCALARS else None
        if constructor is None:  # `subtitle: !important news`, or !!binary, which would decode base64
            self.problems.add(self.loc(node), f"{_shown_tag(node.tag)} at the start of the value is read as a "
                              "YAML type tag, not as text", format_key_path(path), TAG_HINT)
            return node.value
        try:
            return constructor(self.scalar_loader, node)
        except (yaml.YAMLError, ValueError) as exc:
            if node.tag.endswith(":timestamp"):  # 2021-13-45 looks like a date to YAML, but is none
                self.problems.add(self.loc(node), f"{echo(node.value)} is not a real date", format_key_path(path),
                                  "write an existing day as year-month-day, e.g. 2024-11-28")
            else:
                self.problems.add(self.loc(node), f"invalid value: {exc}", format_key_path(path))
            return node.value


_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9]*)")  # a whole number as people write one
_PLAIN_COLLECTIONS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
# what YAML makes of plain words; an explicit !!binary, !!set... is refused like any other tag
_PLAIN_SCALARS = frozenset(f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float", "bool", "null", "timestamp"))
TAG_HINT = ('to write text that starts with "!", put the whole text in quotes ("..."); otherwise remove the tag: '
            "an issue holds only text, numbers, dates, lists and keys")
# where an anchor or a tag can start (a value's first character): the cheap test before reading the events
_ANCHOR_CANDIDATE = re.compile(r"(?:^|[\s\[{,])(?:&[^\s,\[\]{}]|!)")


def _shown_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/object`` as it was written: ``!!python/object``."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


class _TooBig(Exception):
    def __init__(self, location: Location, path: Path_):
        self.location, self.path = location, path


class _Unbuildable(Exception):
    """A document that cannot become a plain value: too deep, or an alias inside its own anchor."""

    def __init__(self, location: Location, path: Path_, message: str, hint: str):
        self.location, self.path, self.message, self.hint = location, path, message, hint


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
        words = _plain_syntax(exc, text, line, col)
        raise IssueError(diagnostics=[Diagnostic(Location(file, words.line or line, words.col or col),
                                                 f"invalid YAML: {words.message}", hint=words.hint)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (NUL, other controls): not a MarkedYAMLError
        line, col = line_col(text, exc.position)
        if text[:200].count("\x00") * 3 >= min(len(text), 200):  # every other byte: UTF-16 read as UTF-8
            raise IssueError(diagnostics=[Diagnostic(Location(file, 1, 1), UTF16, hint=UTF16_HINT)]) from None
        raise IssueError(diagnostics=[Diagnostic(
            Location(file, line, col), f"invalid character {_codepoint(exc.character)} in the file",
            hint="delete it; invisible control characters often come from copying out of a PDF or word processor",
        )]) from None
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
        if _has_alias(text):
            message, hint = (f"the document expands to more than {MAX_NODES} values",
                             "aliases (*name) repeat too much; write the content out")
        else:  # as written: no alias to blame
            message, hint = (f"the file has more than {MAX_NODES:,} values",
                             "an email needs far fewer: split the content into several issues, or remove what "
                             "was pasted in by mistake")
        builder.problems.add(builder.doc.key_location(top) if top else big.location, message,
                             format_key_path(top), hint)
        builder.problems.raise_if_any()  # nothing sensible is left to validate
    except _Unbuildable as bad:
        builder.problems.add(bad.location, bad.message, format_key_path(bad.path), bad.hint)
        builder.problems.raise_if_any()
    if _ANCHOR_CANDIDATE.search(text):
        _syntax_marks(text, builder)
    builder.doc.problems = builder.problems.items
    return builder.doc


def _has_alias(text: str) -> bool:
    """Whether ``text`` (which composed) repeats a value by an alias (``*name``): its events say, cheaply,
    since the parser does not expand aliases as the builder does."""
    return any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, Loader=_Loader))


def _syntax_marks(text: str, builder: _Builder) -> None:
    """Text that YAML read as syntax and left out. ``subtitle: &Co news`` reads "news": ``&Co`` is an
    anchor, a name to repeat the value by (``*Co``), and one no alias uses was meant as text. ``! news``
    and ``!!str news`` read "news": the tag is dropped, which the builder cannot see (it refuses the
    other tags itself)."""
    anchored: dict[str, yaml.ScalarEvent] = {}
    used: set[str] = set()
    tagged: list[yaml.ScalarEvent] = []
    for event in yaml.parse(text, Loader=_Loader):  # the text composed above: no error is left to raise
        if isinstance(event, yaml.AliasEvent):
            used.add(event.anchor)
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                anchored.setdefault(event.anchor, event)
            if event.tag == "!" or event.tag in _PLAIN_SCALARS:
                tagged.append(event)
    paths = {location: path for path, location in builder.doc.values.items()}

    def report(event: yaml.ScalarEvent, message: str, hint: str) -> None:
        where = Location(builder.file, event.start_mark.line + 1, event.start_mark.column + 1)
        builder.problems.add(where, message, format_key_path(paths.get(where, ())), hint)

    for event in tagged:
        shown = "!" if event.tag == "!" else _shown_tag(event.tag)
        report(event, f"{shown} at the start of the value is read as a YAML type tag, not as text", TAG_HINT)
    for anchor, event in anchored.items():
        if anchor not in used:
            report(event, f"&{anchor} at the start of the value is read as a YAML anchor (a name for repeating "
                          "the value), so it is left out of the text",
                   'to write text that starts with "&", put the whole text in quotes ("...")')


def _plain_syntax(exc: yaml.MarkedYAMLError, text: str, line: int, col: int) -> Words:
    """The common syntax mistakes (a colon in text, a tab, indentation) in plain words (plain_words.py)."""
    context = exc.context_mark
    return yaml_syntax(exc.problem or "", exc.context, text.splitlines(), line, col,
                       context.line + 1 if context else None, context.column + 1 if context else None)


def _syntax(file: str, line: int, col: int, message: str) -> Diagnostic:
    return Diagnostic(Location(file, line, col), message, hint="check indentation, quotes and colons")


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` of ``text``."""
    index = max(0, min(index, len(text)))
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _codepoint(character: int | str) -> str:
    code = character if isinstance(character, int) else ord(character)
    return f"U+{code:04X}" + (" (NUL)" if code == 0 else "")


def read_source(path: Path, shown: str, what: str = "issue file") -> str:
    """The text of the UTF-8 file ``path`` (``shown`` names it in messages).

    Raises ``MissingFileError`` when nothing is there, ``UnreadableFileError``
    (exit 2) for a folder, pipe, device, link loop, unreadable or oversized
    file, and ``IssueError`` (exit 1) at the line and column of the first byte
    that is not UTF-8. Opening never blocks: a pipe is opened non-blocking and
    refused before anything is read (``reading.open_regular``).
    """
    try:
        data = read_regular(path, MAX_BYTES, shown=shown)
    except Refused as refused:
        raise _refusal(refused, shown, what) from None
    return decode_utf8(data, shown)


UTF16 = "this file is UTF-16 text (every other byte is zero), not UTF-8"
UTF16_HINT = "save it as UTF-8: in the editor's 'Save as' or 'Encoding' menu, choose UTF-8"
PLAIN_FILE = "it must be a plain text file: name the .yaml file itself, or put a file in its place"
_HINTS = {FOLDER: PLAIN_FILE, SPECIAL: PLAIN_FILE,
          TOO_LARGE: "an email must stay far smaller; remove what was pasted in by mistake"}


def _refusal(refused: Refused, shown: str, what: str) -> Exception:
    if refused.kind == MISSING:
        return MissingFileError(shown, what)
    return UnreadableFileError(shown, f"this {what} {refused.reason}", _HINTS.get(refused.kind, refused.hint))


def decode_utf8(data: bytes, shown: str) -> str:
    """``data`` as text (a leading byte-order mark dropped); else an ``IssueError`` at the first bad byte."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        head = data[:200]
        # a byte-order mark of UTF-16, or every other byte zero: what Windows' Notepad writes as "Unicode"
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(0) * 3 >= len(head) > 1:
            raise IssueError(diagnostics=[Diagnostic(Location(shown, 1, 1), UTF16, hint=UTF16_HINT)]) from None
        good = data[: exc.start].decode("utf-8")
        line, col = line_col(good, len(good))
        raise IssueError(diagnostics=[Diagnostic(
            Location(shown, line, col), f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} here)",
            hint="save the file as UTF-8 in your editor (in 'Save as', choose the encoding UTF-8)",
        )]) from None


def read_located_yaml(path: Path, display_name: str | None = None, what: str = "issue file") -> LocatedDocument:
    """Read and parse a UTF-8 YAML file (see ``read_source`` for what it refuses)."""
    shown = display_name or str(path)
    return load_located_yaml(read_source(path, shown, what), shown)
