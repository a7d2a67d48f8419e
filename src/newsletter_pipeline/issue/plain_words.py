"""YAML's and pydantic's messages, said in words a communications officer can act on.

PyYAML says "mapping values are not allowed here" for a colon in unquoted
text, and pydantic "Input should be a valid dictionary or instance of
Person" for ``- Ada`` where ``- name: Ada`` was meant. Neither tells a
writer what to type. ``yaml_syntax`` reads the line the parser stopped at
and names the mistake and its fix; ``validation_words`` does the same for a
validation error's type (pydantic's ``type`` and ``ctx``, never its text).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from ..errors import echo

_KEY = re.compile(r"^(?P<indent>\s*)(?P<dash>-\s+)?(?P<key>[\w-]+):(\s|$)")


@dataclass(frozen=True)
class Words:
    """A message and its fix; ``col`` moves the location when the parser's column is not the mistake's."""

    message: str
    hint: str
    col: int | None = None


def yaml_syntax(problem: str, context: str | None, lines: list[str], line: int, col: int,
                context_line: int | None, context_col: int | None) -> Words | None:
    """Plain words for a PyYAML syntax error at 1-based ``line``:``col``, or None when none fit."""
    # the messages of libyaml (CSafeLoader, used when present) and of PyYAML's pure-Python parser
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in text[:col] or "tab character" in problem or "'\\t'" in problem:
        return Words("a tab character, which YAML does not accept here",
                     "use spaces, not tabs, to indent and after the colon",
                     col=text.index("\t") + 1 if "\t" in text[:col] else None)
    if problem.startswith("mapping values are not allowed"):
        return _colon(text, line, col, lines)
    if problem.startswith(_MISALIGNED) and context_line:
        return _misaligned(lines, line, context_line, context_col or 1)
    if "found another document" in problem:  # a second "---" (two issues pasted into one file)
        return Words("a second document starts here: an issue file holds one",
                     "remove this '---' line, or move what follows it into a file of its own")
    return None


_MISALIGNED = ("expected <block end>", "did not find expected '-' indicator", "did not find expected key")


def _colon(text: str, line: int, col: int, lines: list[str]) -> Words:
    """A colon and a space after the value has begun: text with a colon, or a line indented too far."""
    key = _KEY.match(text)
    if key and key.end() < col:  # an earlier "key: " on the same line: the value itself holds ": "
        value = text[key.end():].strip()
        quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return Words("the text has a colon followed by a space, which YAML reads as a new key",
                     f"put the text in quotes: {key['key']}: {quoted}")
    above = _previous_key_line(lines, line)
    this = _KEY.match(text)
    if this and above:
        return Words(f"'{this['key']}:' is indented further than '{above[1]}:' on line {above[0]}",
                     f"line up '{this['key']}:' with '{above[1]}:': put as many spaces before it",
                     col=len(this["indent"]) + 1)
    return Words("a colon followed by a space where YAML expects none",
                 "put text with a colon in quotes, and check the indentation of this line")


def _misaligned(lines: list[str], line: int, context_line: int, context_col: int) -> Words:
    """A line whose indentation matches nothing above it (an item or a key out of line)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    this = _KEY.match(text)
    indent = len(text) - len(text.lstrip())
    if this is None:
        return Words("this line does not line up with the lines above it",
                     f"indent it like the line it belongs with (line {context_line})", col=indent + 1)
    shown = f"- {this['key']}:" if this["dash"] else f"{this['key']}:"
    partner = _partner(lines, line, bool(this["dash"]), this["key"])
    if partner is None:
        return Words(f"'{shown}' does not line up with the lines above it",
                     f"indent it like the line it belongs with (line {context_line})", col=indent + 1)
    number, other = partner
    what = "the item above" if this["dash"] else "the key above"
    spaces = len(other) - len(other.lstrip())
    return Words(f"'{shown}' is indented by {indent} spaces, {what} on line {number} by {spaces}",
                 f"line up '{shown}' with {what}: put {spaces} spaces before it", col=indent + 1)


def _partner(lines: list[str], line: int, dash: bool, key: str) -> tuple[int, str] | None:
    """The nearest line above that the line at ``line`` should line up with.

    An item (``- type:``) lines up with the nearest item of the same key (the
    block before it), else the nearest item; a key with the nearest other key
    (the same key above belongs to another block).
    """
    same, other = [], []
    for number in range(line - 1, 0, -1):
        match = _KEY.match(lines[number - 1])
        if match and bool(match["dash"]) == dash:
            (same if match["key"] == key else other).append((number, lines[number - 1]))
    found = (same + other) if dash else other
    return found[0] if found else None


def _previous_key_line(lines: list[str], line: int) -> tuple[int, str] | None:
    for number in range(line - 1, 0, -1):
        match = _KEY.match(lines[number - 1])
        if match:
            return number, match["key"]
    return None


# --- validation: pydantic's error types, in words ---

DATE_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y", "%B %d %Y",
                "%d %b %Y", "%b %d, %Y", "%Y%m%d")


def as_iso_date(value: Any) -> str | None:
    """``"15/12/2021"`` -> ``"2021-12-15"``: a date written another common way, or None."""
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _date(err: dict[str, Any]) -> Words:
    value = err.get("input")
    iso = as_iso_date(value)
    example = iso or "2024-11-28"
    return Words(f"{echo(value)} is not a date written year-month-day", f"write it as YYYY-MM-DD: {example}")


def _mapping(err: dict[str, Any], first_field: str | None, in_list: bool) -> Words:
    value = err.get("input")
    field = first_field or "name"
    if isinstance(value, str):
        written = f"- {field}: {value}" if in_list else f"{field}: {value}"
        return Words(f"{echo(value)} is plain text, but this needs named parts ({field}: and so on)",
                     f"write '{written}'" + ("" if in_list else ", indented on the line below"))
    return Words("this needs named parts, one 'key: value' per line", f"write '{field}: ...' and the other keys")


def _text(err: dict[str, Any]) -> Words:
    value = err.get("input")
    if isinstance(value, (dict, list)):
        return Words("this needs to be text, not " + ("a list" if isinstance(value, list) else "named parts"),
                     "write it as text, on the same line after the colon")
    if value is None:  # `subject:` with nothing after it, or only a comment: `subject: #1 news`
        return Words("is empty", "write the text after the colon; text that starts with # goes in quotes "
                     "(\"#1 ...\"), as YAML reads the rest of the line after ' #' as a comment")
    # unquoted numbers, yes/no and dates are taken as written (validation.validate_as_written): this is
    # a value YAML was told to read as one (!!int 5)
    return Words(f"{echo(value)} needs to be text", "write it as text in quotes, e.g. \"2021\" or \"yes\"")


def _number(value: Any, written: str | None, example: int) -> Words:
    """A number field holding something else; ``written`` is how the file spells ``value``."""
    shown = echo(written if written is not None else value)
    if value is None:
        return Words("is empty", f"write a whole number such as {example}, or remove the line")
    if isinstance(value, bool):  # height: true, which pydantic's lax mode would have taken as 1
        return Words(f"{shown} is a yes/no value, not a number", f"write a whole number such as {example}")
    if isinstance(value, float):
        if not math.isfinite(value):  # .nan, .inf: YAML's words for "not a number" and infinity
            return Words(f"{shown} is not a number", f"write a whole number such as {example}")
        if value.is_integer():
            return Words(f"{shown} is not a whole number", f"leave out the decimals: {int(value)}")
        return Words(f"{shown} is not a whole number", f"write a whole number such as {example}, without decimals")
    if isinstance(value, str):
        meant = _as_decimal(value)
        if meant is not None and re.fullmatch(r"\s*[-+]?[0-9]+\s*", value) and not value.strip().startswith("0"):
            return Words(f"{shown} is in quotes, which makes it text", f"write the number without quotes: {meant}")
        if meant is not None:  # 0x20, 4_0, 017: kept as written (located_yaml), as YAML 1.1 misreads them
            return Words(f"{shown} is not written as a plain number", f"write it as {meant}")
        return Words(f"{shown} is not a number", f"write a whole number such as {example}, without quotes or units")
    return Words("needs to be a whole number", f"write a number such as {example}, without quotes or units")


def _as_decimal(text: str) -> int | None:
    """The number a writer meant by ``4_0``, ``017`` or ``0x20`` (40, 17, 32); None for anything else."""
    bare = text.strip().replace("_", "")
    if re.fullmatch(r"[-+]?[0-9]+", bare):
        return int(bare)
    if re.fullmatch(r"[-+]?0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)", bare):
        return int(bare, 0)
    return None


LANGUAGE_PATTERN = r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$"  # schema.LanguageTag's (a BCP 47 tag)


def _language(err: dict[str, Any]) -> Words:
    value = str(err.get("input", ""))
    if not value.strip():
        return Words("is empty", "write a language code such as en or de, or remove the line to write in English")
    meant = _meant_language(value)
    if meant:
        return Words(f"{echo(value)} is not a language code", f"write {meant}")
    return Words(f"{echo(value)} is not a language code", "write a code of 2 or 3 letters, with a region or a "
                 "script after a hyphen if needed: en, de, pt-BR, sr-Latn")


def _meant_language(value: str) -> str | None:
    """``pt_BR`` -> ``pt-BR``; ``english`` -> ``en``; ``Deutsch`` -> ``de`` (for the languages with a catalogue)."""
    tag = value.strip().replace("_", "-")
    if re.fullmatch(LANGUAGE_PATTERN, tag):
        return tag
    from babel import Locale

    from ..i18n import catalogue_languages

    wanted = value.strip().casefold()
    for code, name in Locale("en").languages.items():  # CLDR's English names
        if "_" not in code and name.casefold() == wanted:
            return code
    for code in catalogue_languages():  # and each shipped language's own name for itself
        if (Locale.parse(code).get_display_name(code) or "").casefold() == wanted:
            return code
    return None


def _choice(err: dict[str, Any]) -> Words:
    expected = str((err.get("ctx") or {}).get("expected", ""))
    return Words(f"{echo(err.get('input'))} is not one of the choices", f"write one of: {expected}")


def _bound(word: str, key: str) -> Any:
    return lambda err: Words(f"{echo(err.get('input'))} is too {word}",
                             f"write a number {'of at least' if word == 'small' else 'of at most'} "
                             f"{(err.get('ctx') or {}).get(key)}")


_SIMPLE = {
    "bool_type": ("needs to be true or false", "write true or false"),
    "bool_parsing": ("needs to be true or false", "write true or false"),
    "float_type": ("needs to be a number", "write a number such as 1.5"),
    "float_parsing": ("needs to be a number", "write a number such as 1.5"),
    "list_type": ("needs to be a list", "write a list, one '- ' item per line"),
    "string_too_short": ("is empty", "fill it in, or remove the line"),
    "too_short": ("needs at least one item", "add an item on a line starting with '- '"),
    "too_long": ("has too many items", "remove some"),
    "string_too_long": ("is too long", "shorten it"),
    "extra_forbidden": ("unknown key", ""),
    "missing": ("required", "add it"),
}


# how pydantic's own messages begin; anything else is a message of the schema's validators
_PYDANTIC_WORDING = re.compile(r"(Input|Value|String|List|Tuple|Dictionary|Object|Field|Datetimes?|Unable|URL|"
                               r"Extra|Date|Decimal|Set|Timezone)\b")


def validation_words(err: dict[str, Any], first_field: str | None = None, in_list: bool = False,
                     written: str | None = None, example: int | None = None) -> Words | None:
    """Plain words for one pydantic error (``ValidationError.errors()`` item), or None for our own
    messages (value errors raised by the schema's validators, already in words).

    ``written`` is the value as the file spells it (``LocatedDocument.plain``: ``yes``, not True);
    ``example`` a valid value of the number field the error is about.
    """
    kind = err["type"]
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _number(err.get("input"), written, 600 if example is None else example)
    if kind.startswith("date"):
        return _date(err)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _mapping(err, first_field, in_list)
    if kind == "string_type":
        return _text(err)
    if kind == "literal_error":
        return _choice(err)
    if kind in ("greater_than_equal", "greater_than"):
        return _bound("small", "ge" if kind.endswith("equal") else "gt")(err)
    if kind in ("less_than_equal", "less_than"):
        return _bound("large", "le" if kind.endswith("equal") else "lt")(err)
    if kind in _SIMPLE:
        return Words(*_SIMPLE[kind])
    if kind == "string_pattern_mismatch" and (err.get("ctx") or {}).get("pattern") == LANGUAGE_PATTERN:
        return _language(err)
    if kind in ("value_error", "assertion_error") or not _PYDANTIC_WORDING.match(str(err.get("msg", ""))):
        return None  # the schema's own validators (PydanticCustomError), already in words
    return Words("this value does not fit here", "see the README's block types for what to write")
