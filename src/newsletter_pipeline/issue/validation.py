"""Turn pydantic's validation errors into located, compiler-style diagnostics."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

import annotated_types
from pydantic import BaseModel, ValidationError

from ..errors import DiagnosticList, echo
from . import schema
from .located_yaml import LocatedDocument, Path_, format_key_path
from .plain_words import validation_words
from .schema import BLOCK_TYPES

ModelT = TypeVar("ModelT", bound=BaseModel)

HINTS = {
    "missing": "add it",
    "string_type": "write it as text; quote it if YAML reads it as a number or date",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "bool_type": "write true or false",
    "date_type": "write the date as YYYY-MM-DD",
    "date_from_datetime_parsing": "write the date as YYYY-MM-DD",
    "date_parsing": "write the date as YYYY-MM-DD",
    "list_type": "write a list, one '- ' item per line",
    "model_type": "write a mapping of key: value lines",
    "model_attributes_type": "write a mapping of key: value lines",
    "dict_type": "write a mapping of key: value lines",
    "string_too_short": "fill it in, or remove the key",
    "too_short": "add at least one item",
    "literal_error": "use one of the listed values",
    "string_pattern_mismatch": "see the README for the expected format",
}


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The BaseModel classes an annotation may hold (through Optional, list, Annotated)."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if origin in (typing.Union, types.UnionType, typing.Annotated, list):
        found: list[type[BaseModel]] = []
        for arg in typing.get_args(annotation):
            found += _models_in(arg)
        return found
    return []


def allowed_keys(root: type[BaseModel], path: Path_, data: Any) -> list[str]:
    """The field names valid at ``path``, following block ``type`` tags through the data."""
    model = model_at(root, path, data)
    return list(model.model_fields) if model else []


def model_at(root: type[BaseModel], path: Path_, data: Any) -> type[BaseModel] | None:
    """The model of the value at ``path``, following block ``type`` tags through the data; None if none."""
    model: type[BaseModel] | None = root
    node, choices = data, [root]
    for part in path:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            field = model.model_fields.get(part) if model else None
            if field is None:
                return None
            node = node.get(part) if isinstance(node, dict) else None
            choices = _models_in(field.annotation)
        model = choices[0] if len(choices) == 1 else _block_of(node)
    return model


def number_example(root: type[BaseModel], path: Path_, data: Any) -> int:
    """A valid value of the number field at ``path``, to show: its default, else a number in its range."""
    model = model_at(root, path[:-1], data)
    field = model.model_fields.get(str(path[-1])) if model and path else None
    if field is None:
        return 600
    if type(field.default) is int:
        return field.default
    low = next((m.ge for m in field.metadata if isinstance(m, annotated_types.Ge)), 0)
    high = next((m.le for m in field.metadata if isinstance(m, annotated_types.Le)), 600)
    return max(low, min(600, high))


def _block_of(node: Any) -> type[BaseModel] | None:
    return BLOCK_TYPES.get(str(node.get("type"))) if isinstance(node, dict) else None


def _data_path(loc: tuple[Any, ...], data: Any) -> Path_:
    """Drop the discriminator tags pydantic inserts into ``loc`` for tagged unions."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        # the tag pydantic puts after a block's index, even when the block also has a key of that name
        # (an image block written with an `image:` key, as a feature block has): then it is still the tag
        if isinstance(node, dict) and isinstance(part, str) and part == node.get("type") and part in BLOCK_TYPES \
                and index > 0 and isinstance(loc[index - 1], int):
            continue
        if isinstance(node, dict) and isinstance(part, str) and part not in node:
            path.append(part)
            node = None
            continue
        path.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(path)


def validate_as_written(model: type[ModelT], data: Any, plain: dict[Path_, str]) -> ModelT:
    """``model.model_validate(data)``, where a text field that YAML read as another kind of value
    (``subject: 1984``, ``title: Yes``, ``language: no``) gets the value's text as it was written.

    Quoting such text is what YAML asks for and what no writer expects to need;
    the file's own words are unambiguous, so they are used (``plain``, from
    ``located_yaml``). Raises the ``ValidationError`` of what is still wrong.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        texts = {path: plain[path] for path in (_data_path(tuple(err["loc"]), data)
                                                for err in exc.errors(include_url=False)
                                                if err["type"] == "string_type") if path in plain}
        if not texts:
            raise
    return model.model_validate(_with_texts(data, texts, ()))


def _with_texts(node: Any, texts: dict[Path_, str], path: Path_) -> Any:
    if isinstance(node, dict):
        return {key: _with_texts(value, texts, path + (key,)) for key, value in node.items()}
    if isinstance(node, list):
        return [_with_texts(value, texts, path + (index,)) for index, value in enumerate(node)]
    return texts.get(path, node)


# valid key -> the other words writers use for it. An unknown key is first looked up here, by meaning,
# then by spelling: spelling alone answered `text:` in an article with "did you mean 'type'?", and
# `headline:` with 'link'. A word is only offered where its key is valid (`text` is the quote's own key).
KEY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "body": ("text", "content", "description", "paragraph", "paragraphs", "copy", "message", "article"),
    "text": ("body", "content", "quote", "message", "description", "paragraph"),
    "title": ("headline", "heading", "header", "name", "subject", "caption"),
    "intro": ("text", "body", "description", "lead", "summary", "content"),
    "subtitle": ("tagline", "subheading", "subhead", "strapline", "date"),
    "attribution": ("author", "by", "source", "who", "name", "cite", "credit"),
    "authors": ("author", "by", "byline", "writer", "writers"),
    "image": ("picture", "img", "photo", "illustration", "figure", "logo"),
    "src": ("url", "image", "path", "file", "source", "picture"),
    "href": ("link", "url", "target"),
    "link": ("url", "href", "more", "read_more", "website"),
    "url": ("link", "href", "website", "address"),
    "alt": ("alt_text", "description", "alternative", "alternative_text"),
    "caption": ("legend", "credit", "description", "credits"),
    "button": ("link", "cta", "url"),
    "signature": ("author", "authors", "signed", "sign_off", "signoff", "from"),
    "label": ("text", "title", "caption", "name"),
    "place": ("location", "where", "venue", "city", "address"),
    "start": ("date", "from", "begins", "when", "start_date"),
    "end": ("until", "to", "ends", "end_date"),
    "where": ("place", "location", "venue", "city"),
    "postal_address": ("address", "postal", "street_address", "mailing_address"),
    "contact_email": ("email", "contact"),
    "colors": ("colours", "colour", "color", "theme"),
}


def _as_name(word: str) -> str:
    """A key or type as the format spells names: lower case, ``_`` for dashes and spaces (``Link-List``)."""
    return word.strip().lower().replace("-", "_").replace(" ", "_")


def closest(word: str, options: list[str]) -> str:
    """'did you mean' for an unknown key among ``options``: by meaning first, then by spelling."""
    lowered = _as_name(word)
    if lowered in options and lowered != word:
        return f"did you mean '{lowered}'?"
    meant = next((option for option in options if lowered in KEY_SYNONYMS.get(option, ())), None)
    match = [meant] if meant else difflib.get_close_matches(lowered, options, n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else f"valid keys: {', '.join(options)}"


def block_synonyms() -> dict[str, str]:
    """Every other name of a block type (its model's ``also_called``) -> the type."""
    return {alias: name for name, model in BLOCK_TYPES.items() for alias in getattr(model, "also_called", ())}


def closest_block_type(tag: str) -> str:
    """'did you mean' for an unknown block type, by meaning first, then by spelling.

    Spelling alone sends ``events`` to ``past_events``; the synonyms send it to
    ``upcoming_events``. Case, dashes, spaces and a plural ``s`` are forgiven.
    """
    word = _as_name(tag)
    synonyms = block_synonyms()
    for candidate in (word, word.removesuffix("s")):
        if candidate in BLOCK_TYPES and candidate != tag:
            return f"did you mean '{candidate}'?"
        if candidate in synonyms:
            return f"did you mean '{synonyms[candidate]}'?"
    match = difflib.get_close_matches(word, list(BLOCK_TYPES) + list(synonyms), n=1, cutoff=0.6)
    if match:
        return f"did you mean '{synonyms.get(match[0], match[0])}'?"
    return f"valid types: {', '.join(BLOCK_TYPES)}"


def add_validation_errors(
    exc: ValidationError,
    model: type[BaseModel],
    doc: LocatedDocument,
    out: DiagnosticList,
    prefix: Path_ = (),
    display_prefix: Path_ = (),
) -> None:
    """Translate every error in ``exc`` into a diagnostic located in ``doc``.

    ``prefix`` is where the validated data sits inside ``doc`` (for issue
    overrides of project settings); ``display_prefix`` is prepended to the key
    path shown to the user.
    """
    data = _get(doc.data, prefix)
    for err in exc.errors(include_url=False):
        kind = err["type"]
        path = _data_path(tuple(err["loc"]), data)
        shown = format_key_path(display_prefix + path)
        message = _strip_value_error(err["msg"])
        hint = HINTS.get(kind, "")
        if kind in ("missing", "union_tag_not_found") and prefix + path[:-1 if kind == "missing" else None] \
                in doc.merged:
            continue  # a key the refused merge key (<<) was meant to give: that error is already reported
        if kind == "missing":
            location = doc.value_location(prefix + path[:-1])
            message = "required"
        elif kind == "extra_forbidden":
            location = doc.key_location(prefix + path)
            message = f"unknown key {echo(path[-1])}"
            hint = closest(str(path[-1]), allowed_keys(model, path[:-1], data))
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            location = doc.value_location(prefix + path + ("type",))
            tag = err.get("ctx", {}).get("tag", "")
            shown = format_key_path(display_prefix + path + ("type",))
            if kind == "union_tag_not_found":
                location = doc.value_location(prefix + path)
                message, hint = "a block needs a 'type'", f"one of: {', '.join(BLOCK_TYPES)}"
            else:
                message = f"unknown block type {echo(tag)}"
                hint = closest_block_type(str(tag))
        else:
            context = err.get("ctx") or {}
            is_block = len(path) == 2 and path[0] == "blocks"  # a block written as text: '- type: ...' is meant
            number = kind.startswith("int_") and bool(path)
            words = validation_words(err, "type" if is_block else _first_field(context.get("class_name")),
                                     in_list=bool(path) and isinstance(path[-1], int),
                                     written=doc.plain.get(prefix + path),
                                     example=number_example(model, path, data) if number else None)
            if words is not None:  # pydantic's own wording never reaches the user
                message, hint = words.message, words.hint
            hint = str(context.get("hint", hint))
            location = doc.value_location(prefix + path)
            if "field" in context:  # a model-level check that names the field it is about: at its value
                shown = format_key_path(display_prefix + path + (str(context["field"]),))
                location = doc.value_location(prefix + path + (str(context["field"]),))
            if "at" in context:  # a model-level check that names the value it is about, by its key path
                at = tuple(context["at"])
                location = doc.value_location(prefix + path + at)
                shown = format_key_path(display_prefix + path + at)
        out.add(location, message, shown, hint)


def _first_field(class_name: Any) -> str | None:
    """The first required field of the schema model named ``class_name`` (``Person`` -> ``name``)."""
    model = getattr(schema, str(class_name), None) if class_name else None
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return None
    required = [name for name, field in model.model_fields.items() if field.is_required() and name != "type"]
    return required[0] if required else next(iter(model.model_fields), None)


def _strip_value_error(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix):]
    return msg


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data
