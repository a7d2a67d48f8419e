"""The issue's values as plain objects, checked without pydantic: the build's loader.

Importing pydantic and building the schema's 40 models costs ~100 ms, about
a third of a whole-process build (benchmarks/README.md, issue 17). The
records here are classes made from ``spec.py`` (generated from schema.py's
models, so the format is still defined once), with the attributes, the
methods (behaviour.py) and the small part of pydantic's API the pipeline uses:
``model_fields``, ``model_copy(update=...)``, ``model_dump()``, equality.

``validate`` checks a loaded YAML value against a model's spec and answers
only when it can vouch for it: every rule of the spec holds, with the same
checks as pydantic runs (values.py) and the same normalization (whitespace
stripped, ``#ABC`` -> ``#aabbcc``, a text written unquoted taken as written).
Anything else, a wrong value or one it cannot be sure of (a date written as
text, a float, a value YAML read as ``True`` with nothing written), raises
``Unsure``: the loader then asks pydantic (issue/load.py), which words every
error at its line, or accepts what the fast path was too strict for. A test
compares both on every fixture and on variants of them (test_records.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, ClassVar

from . import spec, values
from .behaviour import BlockBehaviour, IssueBehaviour, UtmBehaviour
from .located_yaml import Path_

MIXINS: dict[str, tuple[type, ...]] = {"_Block": (BlockBehaviour,), "Utm": (UtmBehaviour,),
                                       "Issue": (IssueBehaviour,)}
_ASCII_SPACE = " \t\n\r\x0b\x0c"  # what Python's strip() and pydantic's (Rust's trim) both remove


class Unsure(Exception):
    """The fast path cannot vouch for a value: pydantic decides, and words any error."""


class Field:
    """One field of a record: its spec type, its default, and whether it holds Markdown."""

    __slots__ = ("name", "type", "default", "markdown")

    def __init__(self, name: str, type_: tuple[Any, ...], default: tuple[Any, ...], markdown: bool) -> None:
        self.name, self.type, self.default, self.markdown = name, type_, default, markdown

    def is_required(self) -> bool:
        return self.default[0] == "required"

    def default_value(self) -> Any:
        kind, value = self.default[0], self.default[1:]
        if kind == "value":
            return value[0]
        if kind == "factory":
            return getattr(values, value[0])()
        if kind == "model":
            return CLASSES[value[0]]()
        raise TypeError(f"{self.name} is required")


class Record:
    """A frozen value object with pydantic's attribute API, made by ``validate`` or from values (trusted)."""

    model_fields: ClassVar[dict[str, Field]] = {}
    checks: ClassVar[tuple[Callable[[Any], None], ...]] = ()
    also_called: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **given: Any) -> None:
        unknown = set(given) - set(self.model_fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(sorted(unknown))}")
        for name, field in self.model_fields.items():
            object.__setattr__(self, name, given[name] if name in given else field.default_value())

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def model_copy(self, update: dict[str, Any] | None = None) -> Any:
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(update or {})
        return copy

    def model_dump(self, exclude: set[str] | None = None) -> dict[str, Any]:
        return {name: _dump(getattr(self, name)) for name in self.model_fields if name not in (exclude or ())}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash((type(self), tuple(_frozen(getattr(self, name)) for name in self.model_fields)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self.model_fields)})"


def _dump(value: Any) -> Any:
    if isinstance(value, Record):
        return value.model_dump()
    if isinstance(value, list):
        return [_dump(item) for item in value]
    if isinstance(value, dict):
        return {key: _dump(item) for key, item in value.items()}
    return value


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    return value


def _classes() -> dict[str, type[Record]]:
    made: dict[str, type[Record]] = {}
    for name, info in spec.CLASSES.items():
        base = made[info["base"]] if info["base"] else Record
        made[name] = type(name, (*MIXINS.get(name, ()), base), {
            "__module__": __name__,
            "model_fields": {f[0]: Field(*f) for f in info["fields"]},
            "markdown_fields": tuple(f[0] for f in info["fields"] if f[3]),
            "checks": tuple(getattr(values, check) for check in info["checks"]),
            "also_called": info["also_called"],
        })
    return made


CLASSES = _classes()
BLOCK_TYPES: dict[str, type[Record]] = {tag: CLASSES[name] for tag, name in spec.BLOCK_TYPES.items()}

# the names the rest of the pipeline imports (as it imported them from schema.py)
Image, Button, Link, Person = CLASSES["Image"], CLASSES["Button"], CLASSES["Link"], CLASSES["Person"]
Event, PastEvent, Sponsor, Signature = CLASSES["Event"], CLASSES["PastEvent"], CLASSES["Sponsor"], CLASSES["Signature"]
Block = CLASSES["_Block"]
MastheadBlock, EditorialBlock, ArticleBlock = CLASSES["MastheadBlock"], CLASSES["EditorialBlock"], CLASSES["ArticleBlock"]
LinkListBlock, BulletsBlock, CtaBlock = CLASSES["LinkListBlock"], CLASSES["BulletsBlock"], CLASSES["CtaBlock"]
UpcomingEventsBlock, PastEventsBlock = CLASSES["UpcomingEventsBlock"], CLASSES["PastEventsBlock"]
HeadingBlock, QuoteBlock, ImageBlock = CLASSES["HeadingBlock"], CLASSES["QuoteBlock"], CLASSES["ImageBlock"]
FeatureBlock, SponsorsBlock, TocBlock = CLASSES["FeatureBlock"], CLASSES["SponsorsBlock"], CLASSES["TocBlock"]
DividerBlock, SpacerBlock, FooterBlock = CLASSES["DividerBlock"], CLASSES["SpacerBlock"], CLASSES["FooterBlock"]
Colors, Fonts, WebFont, Logo, Brand = (CLASSES[n] for n in ("Colors", "Fonts", "WebFont", "Logo", "Brand"))
Sender, SocialLink, Funding, Utm = CLASSES["Sender"], CLASSES["SocialLink"], CLASSES["Funding"], CLASSES["Utm"]
ImageWeight, Settings, Issue = CLASSES["ImageWeight"], CLASSES["Settings"], CLASSES["Issue"]


# --- the fast path ---


def validate(model: type[Record], data: Any, plain: dict[Path_, str] | None = None) -> Any:
    """``data`` as a ``model`` record when every rule of the format holds; ``Unsure`` otherwise.

    ``plain`` is ``LocatedDocument.plain``: the text of values YAML read as
    numbers, yes/no or dates, taken as written where the format wants text.
    """
    return _record(model, data, plain or {}, ())


def from_model(model: type[Record], value: Any) -> Any:
    """A pydantic model's values (its ``model_dump()``) as a ``model`` record, trusted: pydantic checked them."""
    return _trusted(("model", model.__name__), value)


def _record(model: type[Record], data: Any, plain: dict[Path_, str], path: Path_) -> Any:
    if type(data) is not dict or not data.keys() <= model.model_fields.keys():
        raise Unsure(path)
    given: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name in data:
            given[name] = _value(field.type, data[name], plain, (*path, name))
        elif field.is_required():
            raise Unsure((*path, name))
    record = model(**given)
    for check in model.checks:
        try:
            check(record)
        except ValueError:
            raise Unsure(path) from None
    return record


def _value(kind: tuple[Any, ...], value: Any, plain: dict[Path_, str], path: Path_) -> Any:
    name = kind[0]
    if name == "str":
        return _text(kind, value, plain, path)
    if name == "optional":
        return None if value is None else _value(kind[1], value, plain, path)
    if name == "model":
        return _record(CLASSES[kind[1]], value, plain, path)
    if name == "blocks":
        model = BLOCK_TYPES.get(value.get("type")) if type(value) is dict and type(value.get("type")) is str else None
        if model is None:
            raise Unsure(path)
        return _record(model, value, plain, path)
    if name == "list":
        if type(value) is not list or (kind[2] is not None and len(value) < kind[2]):
            raise Unsure(path)
        return [_value(kind[1], item, plain, (*path, index)) for index, item in enumerate(value)]
    if name == "dict":
        if type(value) is not dict:
            raise Unsure(path)
        out = {_value(kind[1], key, {}, path): _value(kind[2], item, plain, (*path, key)) for key, item in value.items()}
        if len(out) != len(value):  # two keys that are one once stripped: let pydantic decide
            raise Unsure(path)
        return out
    if name == "bool" and type(value) is bool:
        return value
    if name == "int" and type(value) is int and (kind[1] is None or value >= kind[1]) \
            and (kind[2] is None or value <= kind[2]):
        return value
    if name == "date" and type(value) is dt.date:
        return value
    if name == "literal" and any(type(value) is type(choice) and value == choice for choice in kind[1]):
        return value
    if name == "any_dict" and type(value) is dict:
        return dict(value)
    raise Unsure(path)


def _text(kind: tuple[Any, ...], value: Any, plain: dict[Path_, str], path: Path_) -> str:
    _, strip, min_length, pattern, checks = kind
    if type(value) is not str:
        if path not in plain:
            raise Unsure(path)
        value = plain[path]  # 1984, yes, 2021-12-01 as written (validation.validate_as_written)
    if strip:
        value = value.strip(_ASCII_SPACE)
        if value.strip() != value:  # other white space at an end: Python and pydantic may differ
            raise Unsure(path)
    if (min_length is not None and len(value) < min_length) or (
            pattern is not None and ("\n" in value or not _compiled(pattern).search(value))):
        raise Unsure(path)
    try:
        for check in checks:
            value = getattr(values, check)(value)
    except ValueError:  # a ValueProblem, or one from the standard library (urlsplit: "Invalid IPv6 URL")
        raise Unsure(path) from None
    return value


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _trusted(kind: tuple[Any, ...], value: Any) -> Any:
    name = kind[0]
    if value is None or name in ("str", "int", "bool", "date", "literal", "any_dict"):
        return value
    if name == "optional":
        return _trusted(kind[1], value)
    if name == "list":
        return [_trusted(kind[1], item) for item in value]
    if name == "dict":
        return {key: _trusted(kind[2], item) for key, item in value.items()}
    model = BLOCK_TYPES[value["type"]] if name == "blocks" else CLASSES[kind[1]]
    return model(**{field.name: _trusted(field.type, value[field.name]) for field in model.model_fields.values()})
