"""The README documents everything a user can set or call (as datasette's tests do).

Each test walks the code's own declarations (the pydantic models, the click
commands, ``config.SETTINGS``, the provider registry) and fails naming what the
README does not mention, so a new setting, option or provider cannot ship
undocumented. ``.env.example`` and the check rules have their own tests:
tests/send/test_config_ledger.py and tests/checks/test_check_cli.py.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator

import click
import pytest
from pydantic import BaseModel
from shared import REPO

from newsletter_pipeline import cli
from newsletter_pipeline.config import SETTINGS
from newsletter_pipeline.errors import (EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_OUTPUT,
                                         EXIT_OUTPUT_CLOSED, EXIT_PROVIDER, EXIT_STDOUT_FAILED, EXIT_USAGE)
from newsletter_pipeline.issue.schema import BLOCK_TYPES, Issue, Settings
from newsletter_pipeline.providers import PROVIDERS

README = (REPO / "README.md").read_text(encoding="utf-8")
ENV_NAME = re.compile(r"\b(?:NEWSLETTER|LISTMONK|MAILCHIMP|BREVO)_[A-Z0-9_]+\b")
TEST_ONLY_ENV = {"NEWSLETTER_TEST_CRASH_AT"}  # ledger.py's kill -9 hook for the tests
CELL_BORDER = re.compile(r"(?<!\\)\|")  # a table cell's border: a pipe not escaped as \|


def section(heading: str) -> str:
    """The README text under ``heading`` (e.g. ``"## Commands"``) up to the next heading of its level."""
    level = heading.split(" ", 1)[0]
    parts = README.split(f"\n{heading}\n", 1)
    assert len(parts) == 2, f"README has no {heading!r} heading"
    return re.split(rf"\n{level} ", parts[1], maxsplit=1)[0]


def table_rows(text: str) -> dict[str, str]:
    """Markdown table rows of ``text`` by their first cell, backticks stripped."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            rows[CELL_BORDER.split(line)[1].strip().strip("`")] = line
    return rows


def model_of(annotation: typing.Any) -> type[BaseModel] | None:
    """The pydantic model inside ``annotation`` (``X | None``, ``list[X]``, ``Annotated[X, ...]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = model_of(arg)
        if found is not None:
            return found
    return None


def is_list(annotation: typing.Any) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return any(is_list(arg) for arg in typing.get_args(annotation))


def key_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every key of ``model`` as a dotted path; items of a list of mappings as ``key[].field``."""
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        yield path
        inner = model_of(field.annotation)
        if inner is not None:
            yield from key_paths(inner, f"{path}[]." if is_list(field.annotation) else f"{path}.")


def test_key_paths_walk_nested_models_and_lists():
    paths = set(key_paths(Settings))
    assert {"brand.colors.dark_link", "brand.fonts.web_font.href", "social[].network", "utm.domains"} <= paths


@pytest.mark.parametrize("path", sorted(key_paths(Settings)))
def test_every_newsletter_yaml_key_is_documented(path):
    assert f"`{path}`" in section("### Project settings"), \
        f"newsletter.yaml key {path} is not in README's 'Project settings' table (add a row `{path}`)"


@pytest.mark.parametrize("key", sorted(Issue.model_fields))
def test_every_issue_key_is_documented(key):
    assert f"`{key}`" in section("## The issue format"), f"issue key {key} is not in README's 'The issue format'"


@pytest.mark.parametrize("block_type", sorted(BLOCK_TYPES))
def test_every_block_type_and_field_is_documented(block_type):
    text = section("### Block types")
    row = table_rows(text).get(block_type)
    assert row, f"block type {block_type} has no row in README's 'Block types' table"
    model = BLOCK_TYPES[block_type]
    for name, field in model.model_fields.items():
        if name in ("type", "id"):  # every block has them; said once under the table
            assert f"`{name}`" in text, f"the block key {name} is not explained under 'Block types'"
            continue
        assert re.search(rf"`{name}\b", row), f"{block_type}.{name} is not in its row of 'Block types'"
        inner = model_of(field.annotation)
        for sub in inner.model_fields if inner else ():
            assert re.search(rf"\b{sub}\b", text), \
                f"{block_type}.{name}.{sub} is not documented under 'Block types'"


def commands() -> dict[str, click.Command]:
    return dict(cli.main.commands)


def test_every_verb_has_a_row_in_the_commands_table():
    rows = [line for line in section("## Commands").splitlines() if line.startswith("| `newsletter ")]
    verbs = {re.match(r"\| `newsletter ([a-z-]+)", line).group(1) for line in rows}
    assert verbs == set(commands()), "README's Commands table must have a row for each verb, and only those"


@pytest.mark.parametrize("verb", sorted(commands()))
def test_every_option_is_documented_with_its_default(verb):
    rows = "\n".join(line for line in section("## Commands").splitlines()
                     if line.startswith(f"| `newsletter {verb} ") or line.startswith(f"| `newsletter {verb}`"))
    for param in commands()[verb].params:
        if not isinstance(param, click.Option) or param.name == "help":
            continue
        for opt in param.opts:
            assert opt in rows, f"newsletter {verb} {opt} is not in its row of README's Commands table"
            shown = re.search(rf"{re.escape(opt)} ([^\]\s|`\\]+)", rows)
            if param.show_default and not param.is_flag and shown:
                assert shown.group(1) == str(param.default), \
                    f"README shows {opt} {shown.group(1)}; the default is {param.default}"


def test_global_options_are_documented():
    for param in cli.main.params:
        for opt in param.opts:
            assert f"`{opt}`" in README or f"{opt} " in README, f"newsletter {opt} is not in the README"


def test_every_environment_variable_is_documented():
    read = {name for path in (REPO / "src").rglob("*.py") for name in ENV_NAME.findall(path.read_text())}
    for name in sorted((read | set(SETTINGS)) - TEST_ONLY_ENV):
        assert f"`{name}`" in README, f"environment variable {name} is not in the README"


def test_every_provider_has_a_row_in_the_feature_matrix():
    text = section("## Mailing-list providers")
    header = next(line for line in text.splitlines() if line.startswith("| provider |"))
    rows = table_rows(text)
    for name in PROVIDERS:
        assert name in rows, f"provider {name} has no row in README's feature matrix"
        assert len(CELL_BORDER.findall(rows[name])) == len(CELL_BORDER.findall(header)), \
            f"the {name} row has a missing or extra cell"


def test_exit_codes_table_matches_errors_py():
    rows = table_rows(section("### Errors and exit codes"))
    assert {int(code) for code in rows if code.isdigit()} == {EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_PROVIDER,
                                                               EXIT_OUTPUT, EXIT_INTERNAL, EXIT_INTERRUPTED,
                                                               EXIT_OUTPUT_CLOSED, EXIT_STDOUT_FAILED}


def test_headings_are_unique_and_the_quick_start_is_one_block():
    headings = re.findall(r"^#{2,4} .+$", README, re.M)
    duplicates = {h for h in headings if headings.count(h) > 1 and not h.startswith("#### ")}
    assert not duplicates, f"README repeats headings: {duplicates}"
    assert README.count("<!-- quickstart -->") == 1 and README.count("<!-- /quickstart -->") == 1


def test_no_table_appears_twice():
    tables = re.findall(r"(?:^\|.*\|\n)+", README, re.M)
    headers = [t.splitlines()[0] for t in tables]
    assert len(headers) == len(set(headers)), "a README table is repeated"
