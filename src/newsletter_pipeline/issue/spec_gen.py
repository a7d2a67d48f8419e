"""Write ``spec.py``: the issue format's models (schema.py) as plain data, for the loader without pydantic.

    python -m newsletter_pipeline.issue.spec_gen > src/newsletter_pipeline/issue/spec.py

The models in schema.py stay the one definition; this reads them (their
fields, types, constraints, defaults and checks) and prints them as literals
that ``records.py`` interprets, so a build never imports pydantic (~100 ms of
a whole-process build of ~360 ms, benchmarks/README.md). A test regenerates
the file and compares it, as for the JSON Schema.

A type is a tuple: ``("str", strip, min_length, pattern, checks)``,
``("int", ge, le)``, ``("bool",)``, ``("date",)``, ``("literal", values)``,
``("optional", type)``, ``("list", type, min_length)``, ``("dict", key, value)``,
``("any_dict",)``, ``("model", name)`` and ``("blocks",)`` (the tagged union).
A default is ``("required",)``, ``("value", literal)``, ``("factory", name)``
or ``("model", name)`` (the model with every default).
"""

from __future__ import annotations

import datetime as dt
import pprint
import re
import types
import typing
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic.types import Strict as StrictMode
from pydantic_core import PydanticUndefined

from . import schema, values

HEADER = '''"""The issue format's models as plain data. Generated from schema.py by spec_gen.py: do not edit.

    python -m newsletter_pipeline.issue.spec_gen > src/newsletter_pipeline/issue/spec.py
"""

# fmt: off
'''


def _constraints(metadata: list[Any]) -> tuple[dict[str, Any], list[str]]:
    """The constraints (min_length, ge, le, pattern) and the values.py checks in ``metadata``, in order."""
    found: dict[str, Any] = {}
    checks: list[str] = []
    for item in metadata:
        if isinstance(item, FieldInfo):
            more, inner = _constraints(item.metadata)
            found.update(more)
            checks += inner
        elif isinstance(item, annotated_types.MinLen):
            found["min_length"] = item.min_length
        elif isinstance(item, annotated_types.Ge):
            found["ge"] = item.ge
        elif isinstance(item, annotated_types.Le):
            found["le"] = item.le
        elif hasattr(item, "func"):  # AfterValidator(schema._pydantic(values.<check>))
            check = getattr(item.func, "__wrapped__", None)
            if getattr(values, getattr(check, "__name__", ""), None) is not check:
                raise SystemExit(f"a validator that is not a values.py check: {item.func!r}")
            checks.append(check.__name__)
        elif isinstance(item, StrictMode):  # schema.WholeNumber: the fast path takes only a plain int anyway
            continue
        elif type(item).__name__ == "_PydanticGeneralMetadata":  # Field(pattern=...) and the like
            found.update({k: v for k, v in vars(item).items() if v is not None})
        else:
            raise SystemExit(f"metadata spec_gen does not know: {item!r}")
    unknown = set(found) - {"min_length", "ge", "le", "pattern"}
    if unknown:
        raise SystemExit(f"constraints spec_gen does not know: {unknown}")
    return found, checks


def type_of(annotation: Any, metadata: list[Any], strip: bool) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        if typing.get_origin(base) is typing.Union and any(
                isinstance(e, FieldInfo) and e.discriminator for e in extra):
            return ("blocks",)
        return type_of(base, [*extra, *metadata], strip)
    constraints, checks = _constraints(metadata)
    if annotation is str:
        return ("str", strip, constraints.get("min_length"), constraints.get("pattern"), tuple(checks))
    if checks or ("pattern" in constraints):
        raise SystemExit(f"checks on a {annotation!r}")
    if annotation is bool:
        return ("bool",)
    if annotation is int:
        return ("int", constraints.get("ge"), constraints.get("le"))
    if annotation is dt.date:
        return ("date",)
    if annotation is dict:
        return ("any_dict",)
    if origin is typing.Literal:
        return ("literal", typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1 or len(typing.get_args(annotation)) != 2:
            raise SystemExit(f"a union spec_gen does not know: {annotation!r}")
        return ("optional", type_of(args[0], metadata, strip))
    if origin is list:
        (item,) = typing.get_args(annotation)
        return ("list", type_of(item, [], strip), constraints.get("min_length"))
    if origin is dict:
        key, value = typing.get_args(annotation)
        return ("dict", type_of(key, [], strip), type_of(value, [], strip))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation.__name__)
    raise SystemExit(f"a type spec_gen does not know: {annotation!r}")


def default_of(field: FieldInfo) -> tuple[Any, ...]:
    if field.default_factory is not None:
        name = field.default_factory.__name__  # type: ignore[union-attr]
        if getattr(values, name, None) is not field.default_factory:
            raise SystemExit(f"a default factory that is not a named function of values.py: {name}")
        return ("factory", name)
    if field.default is PydanticUndefined:
        return ("required",)
    if isinstance(field.default, BaseModel):
        model = type(field.default)
        if field.default != model():
            raise SystemExit(f"a default {model.__name__} that is not {model.__name__}()")
        return ("model", model.__name__)
    if field.default is not None and not isinstance(field.default, (str, int, bool)):
        raise SystemExit(f"a default spec_gen does not know: {field.default!r}")
    return ("value", field.default)


def _is_markdown(field: FieldInfo) -> bool:
    """The schema's ``Markdown`` type, found by its description (through Optional and list)."""
    def described(annotation: Any) -> bool:
        return any((isinstance(arg, FieldInfo) and (arg.description or "").startswith("Markdown"))
                   or described(arg) for arg in typing.get_args(annotation))

    return (field.description or "").startswith("Markdown") or described(field.annotation)


def models() -> list[type[BaseModel]]:
    """Every model of schema.py, bases before the models built on them, in definition order."""
    found = [v for v in vars(schema).values()
             if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == schema.__name__]
    return sorted(found, key=lambda m: (len(m.__mro__), list(vars(schema).values()).index(m)))


def spec() -> dict[str, Any]:
    classes: dict[str, Any] = {}
    for model in models():
        base = next(b.__name__ for b in model.__bases__ if issubclass(b, BaseModel))
        strip = bool(model.model_config.get("str_strip_whitespace"))
        classes[model.__name__] = {
            "base": base if base in classes else None,  # the records keep isinstance(block, Image) and so on
            "fields": tuple((name, type_of(field.annotation, list(field.metadata), strip), default_of(field),
                             _is_markdown(field)) for name, field in model.model_fields.items()),
            "checks": tuple(d.func.check for d in model.__pydantic_decorators__.model_validators.values()),
            "also_called": tuple(getattr(model, "also_called", ())),
        }
    return classes


# the schema's named value types, written once at the top of spec.py and by name in the fields
ALIASES = ("Text", "SingleLine", "MultiLine", "Lines", "Markdown", "LinkUrl", "ImageUrl", "Email", "AnchorName",
           "Color", "FontList", "FontFamily", "CssUrl", "LanguageTag")


def _named(kind: Any, names: dict[Any, str]) -> str:
    """``kind`` as Python source, a named type by its name (``("optional", TEXT)``)."""
    if kind in names:
        return names[kind]
    if isinstance(kind, tuple) and kind and kind[0] in ("optional", "list", "dict"):
        return "(" + ", ".join(_named(part, names) if isinstance(part, tuple) else repr(part)
                               for part in kind) + ")"
    return repr(kind)


def source() -> str:
    names: dict[Any, str] = {}
    for alias in ALIASES:  # two aliases with the same rules (Lines, Markdown) share one name
        kind = type_of(getattr(schema, alias), [], True)
        snake = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", alias).upper()
        names[kind] = f"{names[kind]}_OR_{snake}" if kind in names else snake
    out = [HEADER]
    out += [f"{name} = {kind!r}" for kind, name in names.items()]
    out.append("\nCLASSES = {")
    for model, info in spec().items():
        out.append(f"    {model!r}: {{")
        out.append(f"        'base': {info['base']!r}, 'checks': {info['checks']!r}, 'also_called': {info['also_called']!r},")
        out.append("        'fields': (")
        for name, kind, default, markdown in info["fields"]:
            out.append(f"            ({name!r}, {_named(kind, names)}, {default!r}, {markdown!r}),")
        out.append("        ),")
        out.append("    },")
    out.append("}")
    blocks = {tag: cls.__name__ for tag, cls in schema.BLOCK_TYPES.items()}
    out.append("\nBLOCK_TYPES = " + pprint.pformat(blocks, width=118, sort_dicts=False))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(source(), end="")
