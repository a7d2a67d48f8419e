"""The block registry: every block type is one unit (model, MJML template, text template, README row).

The parametrised tests walk ``blocks.REGISTRY`` so a new block type is held to
the same bar without being named here: its files exist, its JSON Schema
example validates, it renders in both parts, and the README documents it.
"""

from __future__ import annotations

import pytest
import yaml
from shared import REPO, assert_clean_failure

from newsletter_pipeline.blocks import REGISTRY, block_type
from newsletter_pipeline.issue.schema import BLOCK_TYPES
from newsletter_pipeline.render import build_issue
from newsletter_pipeline.template_folders import builtin_templates

ISSUE = "issues/2024-03-blocks.yaml"
README = (REPO / "README.md").read_text(encoding="utf-8")
SHOWN_KEYS = ("title", "label", "name", "attribution", "alt", "caption")  # values a reader must find in both parts
SILENT = {"divider", "spacer"}  # blocks that show no words


def example(name: str) -> dict:
    [found] = BLOCK_TYPES[name].model_json_schema()["examples"]
    return found


def issue_with(*blocks: dict) -> str:
    head = [] if blocks and blocks[0]["type"] == "masthead" else [{"type": "masthead", "title": "Blocks"}]
    return yaml.safe_dump({"subject": "Blocks", "preheader": "Every block type of the newsletter format, rendered once.",
                           "date": "2024-03-01", "blocks": head + list(blocks)}, sort_keys=False)


def shown_values(value) -> list[str]:
    """The titles, labels and names in an example: text that must reach both parts."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k in SHOWN_KEYS and isinstance(v, str)] + \
            [s for k, v in value.items() if k not in SHOWN_KEYS for s in shown_values(v)]
    if isinstance(value, list):
        return [s for item in value for s in shown_values(item)]
    return []


def test_the_registry_is_the_schemas_block_union():
    assert list(REGISTRY) == list(BLOCK_TYPES)
    assert {"masthead", "footer", "article"} <= set(REGISTRY)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_block_type_has_its_templates_a_docstring_and_a_valid_example(name):
    entry = REGISTRY[name]
    for template in (entry.mjml_template, entry.text_template):
        assert (builtin_templates() / template).is_file(), f"block type {name} has no {template}"
    model = BLOCK_TYPES[name]  # the schema's model; the registry holds its record (issue/records.py)
    assert entry.model.__name__ == model.__name__
    assert (model.__doc__ or "").strip(), f"{model.__name__} needs a docstring (it is the schema's description)"
    assert model.model_validate(example(name)).type == name
    assert f"| `{name}` |" in README, f"block type {name} has no row in README's 'Block types' table"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_block_type_renders_its_example_in_both_parts(make_project, name):
    root = make_project({ISSUE: issue_with(example(name))})
    loaded, rendered = build_issue(root / ISSUE)
    index = [block_type(b).name for b in loaded.issue.blocks].index(name)
    assert f"<!-- block {index}: {name} (blocks/{name}.mjml.j2) -->" in rendered.mjml
    values = shown_values(example(name))
    assert bool(values) != (name in SILENT), f"the {name} example shows no title, label, name or caption"
    for value in values:
        assert value in rendered.html, f"{name}: {value!r} is missing from the HTML part"
        assert value.lower() in rendered.text.lower(), f"{name}: {value!r} is missing from the text part"


def test_a_project_overrides_the_text_part_of_one_block(make_project, run_cli):
    cta = example("cta")
    root = make_project({ISSUE: issue_with(cta),
                         "templates/blocks/cta.txt.j2": "{{ block.button.label | upper }} -> {{ block.button.url }}\n"})
    result = run_cli("build", ISSUE, "--out", "out", cwd=root)
    assert result.returncode == 0, result.stderr
    text = (root / "out" / "2024-03-blocks" / "email.txt").read_text(encoding="utf-8")
    assert "BECOME A MEMBER -> https://www.ai4media.eu/join" in text.split("\n")
    assert "Become a member: https://www.ai4media.eu/join" not in text  # the built-in text template did not run


def test_a_line_of_only_empty_helpers_disappears_and_blank_lines_stay(make_project):
    template = "{{ paragraphs(block.text) }}\n{{ button(None) }}\nA\n\nB {{ button(None) }}\n\n\n"
    root = make_project({ISSUE: issue_with({"type": "cta", "button": {"label": "Go there", "url": "https://www.ai4media.eu/"}}),
                         "templates/blocks/cta.txt.j2": template})
    _, rendered = build_issue(root / ISSUE)
    section = rendered.text.split("-" * 78)[1].strip("\n")
    assert section == "A\n\nB "


def test_a_broken_text_template_is_a_located_error(make_project, run_cli):
    root = make_project({ISSUE: issue_with(example("cta")),
                         "templates/blocks/cta.txt.j2": "{{ block.button.label }}\n{{ no_such_name.title }}\n"})
    lines = assert_clean_failure(run_cli("build", ISSUE, "--out", "out", cwd=root), 1)
    assert len(lines) == 1
    assert lines[0].startswith("templates/blocks/cta.txt.j2:2:1: error: template error: ")
    assert "'no_such_name' is undefined" in lines[0]
    assert not (root / "out").exists()


def test_text_templates_do_not_escape_html(make_project):
    root = make_project({ISSUE: issue_with({"type": "cta", "text": "Fish & chips for < 5 euros",
                                            "button": {"label": "Q&A night", "url": "https://www.ai4media.eu/?a=1&b=2"}})})
    _, rendered = build_issue(root / ISSUE)
    assert "Fish & chips for < 5 euros" in rendered.text
    # tagged as in the HTML part (the longer URL may go to the next line)
    assert "Q&A night: https://www.ai4media.eu/?a=1&b=2&utm_source=newsletter" in " ".join(rendered.text.split())
    assert "&amp;" not in rendered.text


@pytest.mark.parametrize("written, meant", [
    ("events", "upcoming_events"),  # spelling alone said past_events
    ("Events", "upcoming_events"),
    ("links", "link_list"),
    ("Link-List", "link_list"),
    ("banner", "masthead"),
    ("ctaa", "cta"),  # spelling still works
])
def test_an_unknown_block_type_suggests_the_type_it_means(make_project, run_cli, written, meant):
    text = issue_with(example("cta")).replace("type: cta", f"type: {written}")
    root = make_project({ISSUE: text})
    [line] = assert_clean_failure(run_cli("build", ISSUE, "--out", "out", cwd=root), 1)
    assert line.endswith(f"unknown block type '{written}' (did you mean '{meant}'?)"), line
    assert line.startswith(f"{ISSUE}:")
