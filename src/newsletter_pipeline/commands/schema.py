"""``newsletter schema``: the issue format as JSON Schema, for editors and CI."""

from __future__ import annotations

import json
from typing import Any

from ..issue.field_docs import document
from ..issue.schema import Issue, Settings


def _optional_everywhere(schema: Any) -> Any:
    """An issue may override any subset of the settings, so nothing is required there."""
    if isinstance(schema, dict):
        return {k: _optional_everywhere(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [_optional_everywhere(v) for v in schema]
    return schema


def issue_schema() -> dict[str, Any]:
    schema = Issue.model_json_schema()
    # prefixed so the relaxed copies do not replace the issue's own (required) Image etc.
    settings = _optional_everywhere(Settings.model_json_schema(ref_template="#/$defs/Override{model}"))
    defs = schema.setdefault("$defs", {})
    defs.update({f"Override{name}": value for name, value in settings.pop("$defs", {}).items()})
    defs["SettingsOverride"] = settings
    schema["properties"]["settings"] = {"anyOf": [{"$ref": "#/$defs/SettingsOverride"}, {"type": "null"}],
                                        "description": "Overrides of newsletter.yaml for this issue only"}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return document(schema, "Issue")


def settings_schema() -> dict[str, Any]:
    schema = Settings.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return document(schema, "Settings")


def run(settings: bool) -> str:
    return json.dumps(settings_schema() if settings else issue_schema(), indent=2, ensure_ascii=False) + "\n"
