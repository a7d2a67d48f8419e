"""YAML's and pydantic's messages, said in words a communications officer can act on.

PyYAML says "mapping values are not allowed here" for a colon in unquoted
text, and pydantic "Input should be a valid dictionary or instance of
Person" for ``- Ada`` where ``- name: Ada`` was meant. Neither tells a
writer what to type. ``yaml_syntax`` reads the line the parser stopped at
(and the token YAML read just before it: a quoted text that an apostrophe
ended early, a ``[Draft]`` read as a list) and names the mistake, where it
is and its fix; ``validation_words`` does the same for a validation error's
type (pydantic's ``type`` and ``ctx``, never its text).

The parser's message says where it gave up, not what is wrong: "did not
find expected key" follows both ``'O'Brien'`` and a key out of line. So
the indentation advice is given only when the parser stopped at the start
of a line and that line really is out of line with a key above it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from ..errors import cut, echo

_KEY = re.compile(r"^(?P<indent>\s*)(?P<dash>-\s+)?(?P<key>[\w-]+):(\s|$)")


@dataclass(frozen=True)
class Words:
    """A message and its fix; ``line`` and ``col`` move the location when the parser's is not the mistake's."""

    message: str
    hint: str
    col: int | None = None
    line: int | None = None


def yaml_syntax(problem: str, context: str | None, lines: list[str], line: int, col: int,
                context_line: int | None, context_col: int | None) -> Words:
    """Plain words for a PyYAML syntax error at 1-based ``line``:``col``.

    Each common mistake is recognised from the line itself or from YAML's own
    tokens, not from the parser's message alone: "expected <block end>" is said
    both for a key out of line and for a quote that ends a text early, whose
    fixes differ. What none fits gets words too, never the parser's.
    """
    # the messages of libyaml (CSafeLoader, used when present) and of PyYAML's pure-Python parser
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in text[:col] or "tab character" in problem or "'\\t'" in problem:
        return Words("a tab character, which YAML does not accept here",
                     "use spaces, not tabs, to indent and after the colon",
                     col=text.index("\t") + 1 if "\t" in text[:col] else None)
    if "found another document" in problem:  # a second "---" (two issues pasted into one file)
        return Words("a second document starts here: an issue file holds one",
                     "remove this '---' line, or move what follows it into a file of its own")
    last = _last_token(lines, line, col)
    found = (_unclosed_quote(context, lines, context_line, context_col) or _quote_ends_early(last, lines, line, col)
             or _after_brackets(last, lines, line) or _no_space_after(lines, line, context_line)
             or _dash_without_space(lines, line, context_line))
    if found:
        return found
    if problem.startswith("mapping values are not allowed"):
        return _colon(text, line, col, lines)
    if context and context.startswith("while parsing a flow") and context_line:
        return _unclosed_bracket(lines, context_line, context_col or 1)
    if problem.startswith("could not find expected ':'") and context_line:
        return _not_a_key(lines, context_line)
    if problem.startswith(_MISALIGNED) and context_line and col == _indent(text) + 1:  # at the line's start
        misaligned = _misaligned(lines, line, context_line, context_col or 1)
        if misaligned:
            return misaligned
    return _special_start(problem, context, text, context_col if context and "alias" in context else col) or Words(
        "YAML cannot read the line from here on",
        "check this line and the one above it: text holding a colon, a quote or a # goes in double quotes, "
        "and keys that belong together line up under each other")


_MISALIGNED = ("expected <block end>", "did not find expected '-' indicator", "did not find expected key")
# `subject:Hello`: a key whose colon has no space after it (not the `//` of a web address)
_NO_SPACE = re.compile(r"^(?P<indent>\s*)(?P<dash>-\s+)?(?P<key>[\w-]+):(?P<value>[^\s/:].*)$")
_DASH = re.compile(r"^(?P<indent>\s*)-(?P<rest>[^\s-].*)$")  # `-item`, not `- item` nor `---`
_BLOCK_TEXT = re.compile(r":\s+[|>][-+0-9]*\s*(#.*)?$")  # `body: |-`: the text starts on the next line


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _last_token(lines: list[str], line: int, col: int) -> Any:
    """YAML's own last token before ``line``:``col``: what it read just before the mistake (or None)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    last = None
    try:
        for token in yaml.scan("\n".join(lines), Loader=loader):
            if (token.start_mark.line, token.start_mark.column) >= (line - 1, col - 1):
                break
            last = token
    except yaml.YAMLError:  # the scanner stops at the mistake too: what it read so far is what we need
        pass
    return last


def _quote_ends_early(last: Any, lines: list[str], line: int, col: int) -> Words | None:
    """``'O'Brien'``: the quote inside the text closes it; YAML cannot read what follows (``Brien'``)."""
    if getattr(last, "style", None) not in ("'", '"') or last.end_mark.line != line - 1:
        return None
    quote, start, end = last.style, last.start_mark, last.end_mark
    text = lines[line - 1]
    follows = text[col - 1:].strip()
    if start.line != line - 1 and _KEY.match(text) and _KEY.match(text).end() <= end.column:
        # the text never closed on its own line; YAML read on to a quote of a later key (`preheader: "`)
        return _never_closed(quote, lines, start.line + 1, start.column + 1,
                             f": YAML reads on until the next {quote}, on line {line}")
    other = "double" if quote == "'" else "single"
    message = "the text in quotes ends at the {} in {}, and what follows ({}) is not understood".format(
        quote, f"column {end.column}" if start.line == line - 1 else f"line {line}, column {end.column}",
        cut(follows, 40))
    if start.line != line - 1:  # a text over several lines: too long to repeat in the hint
        return Words(message, f"put the whole text in {other} quotes", col=end.column, line=line)
    written = text[start.column:].rstrip()
    enclosed = len(written) > 1 and written.endswith(quote)  # 'O'Brien', not 'Hello' world
    inner = written[1:-1] if enclosed else written
    if quote == "'":
        hint = f"put the whole text in double quotes ({_double_quoted(inner)})"
        if enclosed:  # the closing quote is inner[end.column - 2 - start.column]
            hint += f", or write the apostrophe twice ({_word_at(inner, end.column - 2 - start.column)})"
    else:
        hint = "put the whole text in single quotes ('" + inner.replace("'", "''") + "')"
        if enclosed:
            hint += ', or write \\" for each " inside (' + _double_quoted(inner) + ")"
    return Words(message, hint, col=end.column, line=line)


def _double_quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _word_at(text: str, index: int) -> str:
    """The word around ``text[index]`` with its apostrophes doubled: ``O''Brien`` in ``Wywiad z panem O'Brien``."""
    left = text.rfind(" ", 0, index) + 1
    right = text.find(" ", index)
    return text[left:right if right >= 0 else len(text)].replace("'", "''")


def _unclosed_quote(context: str | None, lines: list[str], line: int | None, col: int | None) -> Words | None:
    """A quote that the end of the file reached still open: it is where the quote opens that matters."""
    if not (context and context.startswith("while scanning a quoted scalar") and line and col):
        return None
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    quote = text[col - 1] if col <= len(text) and text[col - 1] in "'\"" else '"'
    return _never_closed(quote, lines, line, col, "")


def _never_closed(quote: str, lines: list[str], line: int, col: int, read_on: str) -> Words:
    fixed = lines[line - 1].strip() + quote
    return Words(f"the text in quotes that starts at the {quote} in column {col} is never closed{read_on}",
                 f"end the text with {quote} on the same line: {cut(fixed, 60)}", col=col, line=line)


def _after_brackets(last: Any, lines: list[str], line: int) -> Words | None:
    """``title: [Draft] Our news``: a text that starts with [ or { is read as a list, or as named parts."""
    name = type(last).__name__ if last is not None else ""
    if name not in ("FlowSequenceEndToken", "FlowMappingEndToken") or last.end_mark.line != line - 1:
        return None
    text = lines[line - 1]
    key = _KEY.match(text)
    opener = "[" if name.startswith("FlowSequence") else "{"
    value = text[key.end():].strip() if key else text.strip()
    fix = f"{key['key']}: {_double_quoted(value)}" if key else _double_quoted(value)
    closer, read_as = ("]", "a list") if opener == "[" else ("}", "named parts")
    return Words(f"a text that starts with {opener} is read as {read_as}, and what follows the {closer} is not "
                 "understood", f"put the text in quotes: {cut(fix, 60)}", col=(key.end() + 1) if key else None)


def _unclosed_bracket(lines: list[str], line: int, col: int) -> Words:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    opener = text[col - 1] if col <= len(text) else "["
    closer = "]" if opener == "[" else "}"
    return Words(f"the {opener} in column {col} opens a list that is not closed"
                 if opener == "[" else f"the {{ in column {col} opens a group of keys that is not closed",
                 f"end it with {closer} on the same line; a text that starts with {opener} goes in double quotes",
                 col=col, line=line)


def _no_space_after(lines: list[str], line: int, context_line: int | None) -> Words | None:
    """``subject:Hello``: without a space after the colon, YAML reads the whole line as text."""
    for number in dict.fromkeys(n for n in (context_line, line - 1, line) if n and 0 < n <= len(lines)):
        match = _NO_SPACE.match(lines[number - 1])
        if match and (number >= line or _indent(lines[number - 1]) <= _indent(lines[line - 1])):
            colon = match.end("key") + 1
            return Words(f"there is no space after the colon of '{match['key']}:'",
                         f"put a space after the colon: {match['key']}: {cut(match['value'].strip(), 40)}",
                         col=colon, line=number)
    return None


def _dash_without_space(lines: list[str], line: int, context_line: int | None) -> Words | None:
    """``-item``: without a space after the dash, YAML reads it as text, not as an item of a list."""
    for number in dict.fromkeys(n for n in (context_line, line) if n and 0 < n <= len(lines)):
        match = _DASH.match(lines[number - 1])
        if match:
            return Words("a list item needs a space after the dash",
                         f"write '- {cut(match['rest'].strip(), 40)}'", col=len(match["indent"]) + 1, line=number)
    return None


def _not_a_key(lines: list[str], line: int) -> Words:
    """A line of text where a ``key: value`` line is expected."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    above = next((n for n in range(line - 1, 0, -1) if lines[n - 1].strip()), None)
    if above and _BLOCK_TEXT.search(lines[above - 1]) and _indent(text) <= _indent(lines[above - 1]):
        key = _KEY.match(lines[above - 1])
        name = f"'{key['key']}:'" if key else f"line {above}"
        spaces = _indent(lines[above - 1]) + (len(key["dash"]) if key and key["dash"] else 0) + 2
        return Words(f"the text under {name} must be indented further than {name}",
                     f"put {spaces} spaces before each line of the text", col=_indent(text) + 1, line=line)
    return Words("this line is text, but here YAML expects a 'key: value' line",
                 "if it continues the text above, put that text in double quotes or indent this line further; "
                 "otherwise write it as 'key: value'", col=_indent(text) + 1, line=line)


def _special_start(problem: str, context: str | None, text: str, col: int) -> Words | None:
    """``title: @user``, ``*bold*``, ``| news``: characters that mean something to YAML at a text's start."""
    char = text[col - 1] if 0 < col <= len(text) else ""
    if context and "block scalar" in context:
        return Words("after | or > nothing may follow on the same line",
                     "start the text on the next line, indented further; or remove the | to write it on this line")
    alias = "alias" in problem or bool(context and "alias" in context)
    if "cannot start any token" in problem or alias:
        if alias:  # *bold*: YAML's mark of a value defined elsewhere (&name)
            char = "*"
        key = _KEY.match(text)
        value = text[key.end():].strip() if key else text.strip()
        fix = f"{key['key']}: {_double_quoted(value)}" if key else _double_quoted(value)
        return Words(f"a text cannot start with {char} unless it is in quotes",
                     f"put the text in double quotes: {cut(fix, 60)}", col=col)
    return None


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


def _misaligned(lines: list[str], line: int, context_line: int, context_col: int) -> Words | None:
    """A line whose indentation matches nothing above it (an item or a key out of line)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    this = _KEY.match(text)
    indent = len(text) - len(text.lstrip())
    if this is None and text.lstrip().startswith("- "):  # an item of a list of texts
        above = next((n for n in range(line - 1, 0, -1) if lines[n - 1].lstrip().startswith("- ")), None)
        if above and _indent(lines[above - 1]) != indent:
            spaces = _indent(lines[above - 1])
            return Words(f"this item is indented by {_spaces(indent)}, the item above on line {above} by "
                         f"{spaces}", f"line up the dashes: put {_spaces(spaces)} before it", col=indent + 1)
    if this is None:
        return Words("this line does not line up with the lines above it",
                     f"indent it like the line it belongs with, such as line {context_line}", col=indent + 1)
    shown = f"- {this['key']}:" if this["dash"] else f"{this['key']}:"
    partner = _partner(lines, line, bool(this["dash"]), this["key"], indent)
    if partner is None:
        return None
    number, spaces = partner
    if spaces == indent:  # lined up already: the indentation is not what is wrong
        return None
    what = "the item above" if this["dash"] else "the key above"
    return Words(f"'{shown}' is indented by {_spaces(indent)}, {what} on line {number} by {spaces}",
                 f"line up '{shown}' with {what}: put {_spaces(spaces)} before it", col=indent + 1)


def _spaces(count: int) -> str:
    return "1 space" if count == 1 else f"{count} spaces"


def _partner(lines: list[str], line: int, dash: bool, key: str, indent: int) -> tuple[int, int] | None:
    """The nearest line above that the line at ``line`` should line up with, and its indentation.

    An item (``- type:``) lines up with the nearest item of the same key (the
    block before it), else the nearest item. A key lines up with the key above
    whose column is nearest to its own, counting the key after a dash
    (``- type: a`` puts ``type:`` two columns after the dash): the nearest key
    alone is often one level deeper, or ``blocks:`` at the top.
    """
    same, other, keys = [], [], []
    for number in range(line - 1, 0, -1):
        match = _KEY.match(lines[number - 1])
        if not match:
            continue
        column = len(match["indent"]) + len(match["dash"] or "")
        keys.append((abs(column - indent), line - number, column))
        if bool(match["dash"]) == dash:
            (same if match["key"] == key else other).append((number, len(match["indent"])))
    if not dash:
        return (line - min(keys)[1], min(keys)[2]) if keys else None
    found = same + other
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
