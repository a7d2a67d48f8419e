"""``newsletter schema``: the exported JSON Schema is committed, current, and validates real files."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml
from shared import FIXTURE_CONFIG, REPO, SEED


ISSUE_SCHEMA = REPO / "schema" / "issue.schema.json"
SETTINGS_SCHEMA = REPO / "schema" / "settings.schema.json"


def as_json(path) -> Any:
    """A YAML file as an editor's schema validator sees it: dates are strings."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


@pytest.fixture(scope="module")
def issue_schema() -> dict[str, Any]:
    return json.loads(ISSUE_SCHEMA.read_text(encoding="utf-8"))


def test_schema_command_equals_the_committed_issue_schema(run_cli):
    result = run_cli("schema")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ISSUE_SCHEMA.read_text(encoding="utf-8"), \
        "regenerate: newsletter schema > schema/issue.schema.json"


def test_schema_settings_equals_the_committed_settings_schema(run_cli):
    result = run_cli("schema", "--settings")
    assert result.returncode == 0, result.stderr
    assert result.stdout == SETTINGS_SCHEMA.read_text(encoding="utf-8"), \
        "regenerate: newsletter schema --settings > schema/settings.schema.json"


def test_schemas_are_valid_json_schema(issue_schema):
    jsonschema.Draft202012Validator.check_schema(issue_schema)
    jsonschema.Draft202012Validator.check_schema(json.loads(SETTINGS_SCHEMA.read_text(encoding="utf-8")))


def test_the_seed_validates_against_the_issue_schema(issue_schema):
    jsonschema.Draft202012Validator(issue_schema).validate(as_json(SEED))


def test_newsletter_yaml_validates_against_the_settings_schema():
    schema = json.loads(SETTINGS_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(as_json(FIXTURE_CONFIG))


MODELINE = "# yaml-language-server: $schema=../schema/issue.schema.json"


def test_the_documented_modeline_finds_the_schema_from_issues():
    """README's modeline, written in ``issues/*.yaml``, names the committed schema (``issues/../schema/``)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"```yaml\n{MODELINE}\n```" in readme
    target = MODELINE.split("$schema=", 1)[1]
    assert ((REPO / "issues") / target).resolve() == ISSUE_SCHEMA.resolve() and ISSUE_SCHEMA.is_file()


def test_the_seed_file_carries_the_editor_modeline():
    assert SEED.read_text(encoding="utf-8").splitlines()[0] == MODELINE


@pytest.mark.parametrize("edit, where", [
    (lambda d: d["blocks"][0].update(type="mastead"), ("blocks", 0)),
    (lambda d: d.pop("subject"), ()),
    (lambda d: d.update(languag="en"), ()),
    (lambda d: d["blocks"][2].update(authors=[{"nmae": "X"}]), ("blocks", 2)),
    (lambda d: d.update(settings={"brand": {"colors": {"primary": 5}}}), ("settings",)),
], ids=["block-type", "missing-subject", "unknown-key", "unknown-nested-key", "override-type"])
def test_the_schema_rejects_what_the_loader_rejects(issue_schema, edit, where):
    data = as_json(SEED)
    edit(data)
    errors = list(jsonschema.Draft202012Validator(issue_schema).iter_errors(data))
    assert errors
    assert any(tuple(e.absolute_path)[: len(where)] == where for e in errors)


def test_an_override_may_set_any_subset_of_settings(issue_schema):
    data = as_json(SEED)
    data["settings"] = {"brand": {"colors": {"primary": "#5b2a86"}}, "utm": {"campaign": "winter"}}
    jsonschema.Draft202012Validator(issue_schema).validate(data)
