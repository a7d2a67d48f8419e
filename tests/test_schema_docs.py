"""Every field of the issue format and of newsletter.yaml has a description and an example.

They are the editor's hover text (``newsletter schema`` -> ``schema/*.json``):
a field without one, or with only its type's words ("Plain text, one line"),
leaves a writer guessing. Each example must itself be valid for its field.
"""

from __future__ import annotations

import jsonschema
import pytest

from newsletter_pipeline.commands.schema import issue_schema, settings_schema
from newsletter_pipeline.issue.field_docs import DOCS, VAGUE

SCHEMAS = {"issue": issue_schema, "settings": settings_schema}


def properties(schema: dict) -> list[tuple[str, str, dict]]:
    """(model, field, property schema) of the schema's own properties and of every definition's."""
    found = [("(top)", name, prop) for name, prop in schema.get("properties", {}).items()]
    for model, definition in schema.get("$defs", {}).items():
        found += [(model, name, prop) for name, prop in (definition.get("properties") or {}).items()]
    return found


@pytest.mark.parametrize("which", sorted(SCHEMAS))
def test_every_field_has_a_description_and_an_example(which):
    found = properties(SCHEMAS[which]())
    assert len(found) > (150 if which == "issue" else 45)  # the whole schema is counted, not a part of it
    undescribed = [f"{m}.{f}" for m, f, p in found if not p.get("description") or p["description"].startswith(VAGUE)]
    unexampled = [f"{m}.{f}" for m, f, p in found if not p.get("examples")]
    assert undescribed == [], f"{len(undescribed)} of {len(found)} fields lack a description: {undescribed}"
    assert unexampled == [], f"{len(unexampled)} of {len(found)} fields lack an example: {unexampled}"


@pytest.mark.parametrize("which", sorted(SCHEMAS))
def test_every_example_is_valid_for_its_field(which):
    schema = SCHEMAS[which]()
    root = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    bad = []
    for model, field, prop in properties(schema):
        validator = root.evolve(schema={k: v for k, v in prop.items() if k != "examples"})  # $refs: the root's
        for example in prop.get("examples", []):
            bad += [f"{model}.{field}: {example!r}: {e.message}" for e in validator.iter_errors(example)]
    assert bad == []


def test_no_entry_of_the_table_names_a_field_that_does_not_exist():
    fields = {f"{m.removeprefix('Override')}.{f}" for which in SCHEMAS.values()
              for m, f, _ in properties(which())} | {f"Issue.{f}" for f in issue_schema()["properties"]} \
        | {f"Settings.{f}" for f in settings_schema()["properties"]}
    stale = [key for key in DOCS if not key.startswith("*.") and key not in fields]
    assert stale == []
