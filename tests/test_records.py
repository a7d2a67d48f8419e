"""The loader without pydantic (issue/records.py): it answers only what pydantic would answer.

Its promise is one-sided: whenever ``records.validate`` accepts a value,
schema.py's pydantic models accept it too and give the same values; anything
else it leaves to pydantic (``Unsure``). These tests hold it to that on the
fixtures, on every block type's example and on thousands of mutations of
them, and check that it does vouch for the valid files (else the speed-up
would silently not apply).
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from shared import FIXTURE_CONFIG, HELLO_ISSUE, REPO, SEED

from newsletter_pipeline.issue import records, schema, spec_gen
from newsletter_pipeline.issue.located_yaml import load_located_yaml
from newsletter_pipeline.issue.validation import validate_as_written

DIGEST = REPO / "tests" / "projects" / "digest"
EDITION = REPO / "tests" / "fixtures" / "editions" / "2021-12-one-year-of-ai4media.el.yaml"


def test_spec_is_generated_from_the_schema() -> None:
    written = (Path(records.__file__).parent / "spec.py").read_text(encoding="utf-8")
    assert written == spec_gen.source(), ("regenerate: python -m newsletter_pipeline.issue.spec_gen "
                                          "> src/newsletter_pipeline/issue/spec.py")


def test_the_records_have_the_schemas_classes_fields_and_block_types() -> None:
    assert list(records.BLOCK_TYPES) == list(schema.BLOCK_TYPES)
    for name, record in records.CLASSES.items():
        model = getattr(schema, name)
        assert list(record.model_fields) == list(model.model_fields), name
        assert getattr(record, "also_called", ()) == getattr(model, "also_called", ()), name
    assert issubclass(records.Logo, records.Image) and issubclass(records.ImageBlock, records.Block)


def located(path: Path):
    return load_located_yaml(path.read_text(encoding="utf-8"), str(path))


def both(model_name: str, data: Any, plain: dict | None = None) -> tuple[Any, Any]:
    """(the record or ``Unsure``, pydantic's model_dump() or its ``ValidationError``)."""
    try:
        fast: Any = records.validate(records.CLASSES[model_name], data, plain or {})
    except records.Unsure as exc:
        fast = exc
    try:
        exact: Any = validate_as_written(getattr(schema, model_name), data, plain or {}).model_dump()
    except ValidationError as exc:
        exact = exc
    return fast, exact


def assert_agrees(model_name: str, data: Any, plain: dict | None = None) -> bool:
    """Whether the fast path vouched; when it does, pydantic accepts the same values."""
    fast, exact = both(model_name, data, plain)
    if isinstance(fast, records.Unsure):
        return False
    assert not isinstance(exact, ValidationError), f"records accepted what pydantic refuses: {exact}"
    assert fast.model_dump() == exact
    return True


@pytest.mark.parametrize("path", [SEED, DIGEST / "issues" / "2024-05-tidewater-3-0.yaml", EDITION],
                         ids=["seed", "digest", "edition"])
def test_the_fixture_issues_are_vouched_for_with_pydantics_values(path: Path) -> None:
    doc = located(path)
    assert assert_agrees("Issue", doc.data, doc.plain)


@pytest.mark.parametrize("path", [FIXTURE_CONFIG, DIGEST / "newsletter.yaml"], ids=["ai4media", "digest"])
def test_the_fixture_settings_are_vouched_for(path: Path) -> None:
    doc = located(path)
    assert assert_agrees("Settings", doc.data, doc.plain)


def as_yaml_reads_it(value: Any) -> Any:
    """A JSON example as YAML reads it from an issue: an unquoted YYYY-MM-DD is a date."""
    if isinstance(value, dict):
        return {key: as_yaml_reads_it(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_yaml_reads_it(item) for item in value]
    if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
        return dt.date.fromisoformat(value)
    return value


@pytest.mark.parametrize("tag", list(schema.BLOCK_TYPES))
def test_every_block_example_is_vouched_for(tag: str) -> None:
    [example] = schema.BLOCK_TYPES[tag].model_json_schema()["examples"]
    assert assert_agrees(schema.BLOCK_TYPES[tag].__name__, as_yaml_reads_it(example))


def test_a_value_the_fast_path_leaves_to_pydantic_loads_the_same(tmp_path, monkeypatch) -> None:
    """A date written in quotes is a text to YAML: pydantic reads it, and the records are built from that."""
    from newsletter_pipeline.issue.load import load_issue

    project = tmp_path / "p"
    (project / "issues").mkdir(parents=True)
    (project / "newsletter.yaml").write_text(FIXTURE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    (project / "issues/2021-12-a.yaml").write_text(HELLO_ISSUE, encoding="utf-8")
    (project / "issues/2021-12-b.yaml").write_text(HELLO_ISSUE.replace("date: 2021-12-15", 'date: "2021-12-15"'),
                                                   encoding="utf-8")
    monkeypatch.chdir(project)
    doc = located(project / "issues/2021-12-b.yaml")
    fast, exact = both("Issue", doc.data, doc.plain)
    assert isinstance(fast, records.Unsure) and not isinstance(exact, ValidationError)
    a, b = load_issue(Path("issues/2021-12-a.yaml")), load_issue(Path("issues/2021-12-b.yaml"))
    assert a.issue == b.issue and type(b.issue) is records.Issue and b.issue.date == dt.date(2021, 12, 15)


# --- mutations: whatever the fast path accepts, pydantic accepts with the same values ---

REPLACEMENTS: list[Any] = [
    "", " ", "  padded  ", "\u00a0nbsp\u00a0", "x\x1fy", "tab\there", "two\nlines", "\ufeffbom", "#ABC", "#abcdef",
    "#12", "https://www.example-uni.eu/a b", "https://www.example-uni.eu/ok", "http://[::1", "mailto:", "mailto:a@b.eu",
    "images/photo.jpg", "../up.jpg", "en", "de-AT", "e", "heading", "article", 0, 1, 2, 15, 600, 5000, -1, True,
    False, None, 1.5, 600.0, [], ["x"], {}, {"type": "divider"}, dt.date(2024, 2, 29), "2024-02-29",
    dt.datetime(2024, 1, 1, 12, 0), b"bytes", "Open Sans", "'Open Sans', Arial", "ok@example.org", "not-an-email",
]


def _leaves(value: Any, path: tuple = ()) -> list[tuple]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _leaves(item, (*path, index))
    return found


def _replaced(data: Any, path: tuple, value: Any) -> Any:
    data = copy.deepcopy(data)
    if not path:
        return value
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def _mutations(data: Any, rng: random.Random, count: int) -> list[Any]:
    paths = _leaves(data)
    out = []
    for _ in range(count):
        path = rng.choice(paths)
        kind = rng.random()
        if kind < 0.75:
            out.append(_replaced(data, path, rng.choice(REPLACEMENTS)))
        elif kind < 0.9 and path:  # drop a key or an item
            mutated = copy.deepcopy(data)
            node = mutated
            for part in path[:-1]:
                node = node[part]
            del node[path[-1]]
            out.append(mutated)
        else:  # add an unknown key next to a value
            mutated = copy.deepcopy(data)
            node = mutated
            for part in path[:-1]:
                node = node[part]
            if isinstance(node, dict):
                node["unknown_key"] = "x"
            out.append(mutated)
    return out


@pytest.mark.parametrize("model_name, path", [("Issue", SEED), ("Issue", DIGEST / "issues" / "2024-05-tidewater-3-0.yaml"),
                                              ("Settings", FIXTURE_CONFIG), ("Settings", DIGEST / "newsletter.yaml")],
                         ids=["seed", "digest", "settings", "digest-settings"])
def test_mutations_the_fast_path_accepts_pydantic_accepts_alike(model_name: str, path: Path) -> None:
    data = located(path).data
    rng = random.Random(f"records-{path.name}")
    vouched = refused = 0
    for mutated in _mutations(data, rng, 400):
        fast, exact = both(model_name, mutated)
        if isinstance(fast, records.Unsure):
            refused += 1
            continue
        assert not isinstance(exact, ValidationError), f"records accepted what pydantic refuses: {exact}"
        assert fast.model_dump() == exact
        vouched += 1
    assert vouched > 40 and refused > 40  # both sides were exercised


IMAGE = {"src": "https://www.ai4media.eu/a.png", "alt": "A chart"}
EVENT = {"title": "Summit", "start": dt.date(2024, 5, 2), "place": "Rome", "url": "https://www.ai4media.eu/s"}


@pytest.mark.parametrize("model_name, data", [
    ("Image", {"src": IMAGE["src"]}),  # alt required unless decorative
    ("Image", {**IMAGE, "decorative": True}),  # a decorative image has no alt
    ("Logo", {"src": IMAGE["src"], "alt": "  "}),
    ("Event", {**EVENT, "end": dt.date(2024, 5, 1)}),  # ends before it starts
    ("ImageWeight", {"warn_kb": 10, "error_kb": 5}),
    ("Issue", {"subject": "S", "date": dt.date(2024, 1, 1), "blocks": [
        {"type": "divider", "id": "a"}, {"type": "spacer", "id": "a"}]}),  # one id twice
    ("Issue", {"subject": "S", "date": dt.date(2024, 1, 1), "blocks": []}),
    ("Colors", {"primary": "#12"}), ("Colors", {"primary": "red"}),
    ("Button", {"label": "Go", "url": "http://[::1"}),  # urlsplit's own ValueError
    ("Button", {"label": "Go", "url": "https://www.ai4media.eu/", "extra": 1}),
])
def test_what_a_model_check_or_a_constraint_refuses_is_never_vouched_for(model_name, data) -> None:
    fast, exact = both(model_name, data)
    assert isinstance(fast, records.Unsure) and isinstance(exact, ValidationError), (fast, exact)


def test_two_keys_that_are_one_once_stripped_are_left_to_pydantic() -> None:
    fast, _ = both("Settings", {"name": "N", "sender": {"name": "N", "email": "n@example.org"}, "postal_address": "1",
                                "strings": {"de ": {"Follow us": "Folgen"}, "de": {"Follow us": "Folgen"}}})
    assert isinstance(fast, records.Unsure)


def test_the_fast_path_normalizes_as_pydantic_does() -> None:
    for model_name, data in [("Colors", {"primary": " #ABC "}), ("Image", {"src": " images/a.jpg ", "alt": " A "}),
                             ("Settings", {"name": "N", "sender": {"name": "N", "email": " n@example.org "},
                                           "postal_address": " 1 St\n", "strings": {" de ": {" Follow us ": " F "}}})]:
        assert assert_agrees(model_name, data), (model_name, data)
    assert records.validate(records.Colors, {"primary": "#ABC"}).primary == "#aabbcc"
