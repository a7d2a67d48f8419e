"""The rules of the issue format's values, without pydantic: what each text, URL and colour may be.

``schema.py`` wraps each check for pydantic (its errors, its JSON Schema) and
``records.py`` calls the same functions on the fast path, so both agree by
construction. A check returns the value (some normalize it: ``#ABC`` becomes
``#aabbcc``) or raises ``ValueProblem``, whose kind, message template and
context become pydantic's ``PydanticCustomError`` (validation.py words them).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..controls import encoded_control, first_control
from ..errors import echo


# default factories: our own functions, also because pydantic asks inspect.signature() whether a factory
# takes the validated data, and for a builtin (list, dict) that parses its text signature with tokenize,
# whose first use compiles one very large regular expression (~6.5 ms of every start-up)
def new_list() -> list[Any]:
    return []


def new_dict() -> dict[Any, Any]:
    return {}


def both_parts() -> list[str]:
    return ["html", "text"]


class ValueProblem(ValueError):
    """A value the format does not allow: pydantic's custom-error parts (kind, message template, context)."""

    def __init__(self, kind: str, message: str, hint: str, **context: object) -> None:
        super().__init__(message)
        self.kind, self.message, self.context = kind, message, {**context, "hint": hint}


def _refuse_controls(value: str, *, multi_line: bool) -> str:
    found = first_control(value, multi_line=multi_line)
    if found is None:
        return value
    index, name = found
    where = "this field is one line of text" if not multi_line else "text may hold line breaks and tabs only"
    raise ValueProblem(
        "control_character", "contains {name} ({code}) at character {position}: {where}",
        "remove it: line breaks and invisible control characters cannot be part of a one-line field"
        if not multi_line else "remove it: it is invisible, or breaks the email's text",
        name=name, code=f"U+{ord(value[index]):04X}", position=index + 1, where=where)


def single_line(value: str) -> str:
    _refuse_controls(value, multi_line=False)
    hidden = encoded_control(value)  # a subject or a name goes into a mail header, which decodes =?...?=
    if hidden is not None:
        word, name = hidden
        raise ValueProblem("encoded_control", "contains {name} written as MIME encoded text ({word})",
                           "remove the =?...?= part and write the text itself (mail headers decode it, and a "
                           "line break hidden there forges a header)", name=name, word=echo(word))
    return value


def multi_line(value: str) -> str:
    return _refuse_controls(value, multi_line=True)


def _check_url(value: str, *, schemes: tuple[str, ...]) -> str:
    value = value.strip()
    parts = urlsplit(value)
    shown = echo(value)
    if any(c.isspace() for c in value):
        raise ValueProblem("url_spaces", "invalid URL {value}: it contains spaces", "encode them as %20", value=shown)
    if any(c in value for c in '"<>'):  # never part of an address: HTML pasted along with it
        raise ValueProblem("url_markup", "invalid URL {value}: it contains \", < or >, which no address holds",
                           "copy the address alone, without the HTML around it, or encode them as %22, %3C, %3E",
                           value=shown)
    if parts.scheme not in schemes or (parts.scheme != "mailto" and not parts.netloc):
        wanted = " or ".join(f"{s}:" for s in schemes)
        raise ValueProblem("url_scheme", "invalid URL {value}: use an absolute {wanted} address", "",
                           value=shown, wanted=wanted)
    if parts.scheme == "mailto" and "@" not in parts.path:
        raise ValueProblem("url_mailto", "invalid URL {value}: a mailto: link needs an address",
                           "write it as mailto:name@example.org", value=shown)
    return value


def link_url(value: str) -> str:
    return _check_url(value, schemes=("https", "http", "mailto"))


def image_url(value: str) -> str:
    """An https: URL, or a path in the project folder (``images/photo.jpg``) that the build publishes (render/media.py)."""
    stripped = value.strip()
    if stripped and ":" not in stripped.split("/", 1)[0] and not stripped.startswith(("/", "\\")):
        return stripped
    return _check_url(value, schemes=("https",))


def email(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", value):
        raise ValueProblem("email", "invalid email address {value}", "write it as name@example.org", value=echo(value))
    return value


# --- values that the templates write into CSS: strict, so no setting can end a rule ---

COLOR_PATTERN = r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"
# A font name: letters and digits of any script (Mínimo, 微软雅黑, Noto Sans Ελληνικά), then also spaces, hyphens
# and underscores; no other ASCII sign, so nothing can end the rule. Written as ASCII ranges left out, which
# Python and JSON Schema's ECMA-262 read alike (ECMA has no \p{L} without the u flag, Python none at all).
_START = r"[^\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]"
_NEXT = r"[^\x00-\x1f\x21-\x2c\x2e\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"
_NAME = f"{_START}{_NEXT}*"
_FAMILY = f"""(?:{_NAME}|"{_NAME}"|'{_NAME}')"""
FONT_FAMILY_PATTERN = rf"^{_FAMILY}$"
FONT_LIST_PATTERN = rf"^{_FAMILY}(?: *, *{_FAMILY})*$"
# What a stylesheet address may hold inside url(...) and href="..." (RFC 3986 minus quotes and parens)
CSS_URL_PATTERN = r"^https://[A-Za-z0-9._~:/?#\[\]@!$&*+,;=%-]+$"


def color(value: str) -> str:
    if not re.fullmatch(COLOR_PATTERN[1:-1], value):
        raise ValueProblem("color", "invalid colour {value}", "write it as #rrggbb, for example #1a4a7a",
                           value=echo(value))
    if len(value) == 4:  # #abc is #aabbcc; the checks and Outlook read the long form
        value = "#" + "".join(c * 2 for c in value[1:])
    return value.lower()


def font_list(value: str) -> str:
    if not re.fullmatch(FONT_LIST_PATTERN[1:-1], value):
        raise ValueProblem(
            "font_list", "invalid font list {value}",
            "write font names separated by commas, for example: Helvetica, Arial, sans-serif; "
            "names use letters, digits, spaces, hyphens and underscores, and may be in quotes", value=echo(value))
    return value


def font_family(value: str) -> str:
    if not re.fullmatch(FONT_FAMILY_PATTERN[1:-1], value):
        raise ValueProblem("font_family", "invalid font name {value}",
                           "write one font name of letters, digits, spaces, hyphens and underscores, for example Open Sans",
                           value=echo(value))
    return value


def css_url(value: str) -> str:
    value = _check_url(value, schemes=("https",))
    if not re.fullmatch(CSS_URL_PATTERN[1:-1], value):
        raise ValueProblem("css_url", "invalid stylesheet address {value}",
                           "quotes, brackets, backslashes and spaces must be %-encoded, for example "
                           "https://fonts.googleapis.com/css2?family=Open+Sans", value=echo(value))
    return value


def anchor_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", value):
        raise ValueProblem("anchor_name", "invalid id {value}",
                           "use letters, digits, - and _, starting with a letter, no spaces; "
                           "it becomes the #name that links point at, e.g. community-news", value=echo(value))
    return value


# --- checks of a whole model (pydantic's model validators, mode "after"): they read attributes ---


def alt_required(image: Any) -> None:
    """alt is required unless the image is decorative, and a decorative image has none."""
    if image.decorative and image.alt:
        raise ValueProblem("decorative_alt", "a decorative image must not have alt text",
                           "remove alt, or decorative: true")
    if not image.decorative and not (image.alt or "").strip():
        raise ValueProblem("alt_missing", "required", "describe the image for screen readers, "
                           "or set decorative: true", field="alt")


def event_order(event: Any) -> None:
    if event.end and event.end < event.start:
        raise ValueProblem("end_before_start", "the event ends before it starts", "swap start and end", field="end")


def weight_order(weight: Any) -> None:
    if weight.warn_kb > weight.error_kb:
        raise ValueProblem("weight_order", "warn_kb is larger than error_kb",
                           "the warning must come first: make warn_kb the smaller number", field="warn_kb")


def unique_ids(issue: Any) -> None:
    """Two blocks with one id: ``#id`` links and the table of contents could reach only the first."""
    first: dict[str, int] = {}
    for index, block in enumerate(issue.blocks):
        if block.id is not None and first.setdefault(block.id, index) != index:
            raise ValueProblem("duplicate_id", "the id {value} is already the id of block {number} (ids must "
                               "differ)", f"rename one of them, and any #{block.id} link meant for it",
                               value=echo(block.id), number=first[block.id] + 1, at=("blocks", index, "id"))
