"""``--templates DIR`` names a folder that must exist, for every verb that renders.

A folder that is not there was silently ignored by build, screenshot and archive,
which then used the default templates. Each verb runs as a real process.
"""

from __future__ import annotations

import pytest

from shared import assert_clean_failure, clean_env

ISSUE = "issues/2022-01-hello.yaml"
VERBS = {
    "build": ["build", ISSUE, "--out", "out"],
    "screenshot": ["screenshot", ISSUE, "--out", "out"],
    "archive": ["archive", "--out", "out", "--base-url", "https://news.ai4media.eu/"],
    "preview": ["preview", ISSUE, "--port", "0"],
    "send": ["send", ISSUE, "--test", "--to", "ann@example.org"],
}


@pytest.fixture
def project(make_project):
    return make_project({ISSUE: "subject: Hello\ndate: 2022-01-10\nblocks:\n  - type: masthead\n    title: Hello\n"})


@pytest.mark.parametrize("verb", sorted(VERBS))
@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_templates_folder_that_is_not_there_is_refused_before_anything_runs(project, run_cli, verb, kind):
    if kind == "file":
        (project / "over").write_text("not a folder\n", encoding="utf-8")
    result = run_cli(*VERBS[verb], "--templates", "over", cwd=project, env=clean_env(), timeout=60)
    lines = assert_clean_failure(result, 2)
    what = "is a file, not a folder" if kind == "file" else "does not exist"
    assert lines[-1] == (f"Error: Invalid value for '--templates': over {what}; give the folder that holds "
                         "your template overrides (e.g. --templates my-templates/), or leave the option out")
    assert sorted(p.name for p in project.iterdir()) == sorted(["issues", "newsletter.yaml"]
                                                               + (["over"] if kind == "file" else []))


def test_an_existing_templates_folder_is_used(project, run_cli):
    """Against the test above passing because every --templates is refused."""
    (project / "over").mkdir()
    (project / "over" / "layout.mjml.j2").write_text("{{ oops(\n", encoding="utf-8")
    lines = assert_clean_failure(run_cli(*VERBS["build"], "--templates", "over", cwd=project, env=clean_env()), 1)
    assert lines[0].startswith("over/layout.mjml.j2:1:") and "template syntax error" in lines[0]


SETTING_VERBS = {**{verb: args for verb, args in VERBS.items() if verb != "preview"},  # preview reports, serves on
                 "check": ["check", ISSUE]}


def configure_templates(project, folder: str) -> str:
    """Append ``templates: folder`` to newsletter.yaml; returns where its value is, ``newsletter.yaml:LINE:12``."""
    config = project / "newsletter.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(f"{text}templates: {folder}\n", encoding="utf-8")
    return f"newsletter.yaml:{text.count(chr(10)) + 1}:12"


@pytest.mark.parametrize("verb", sorted(SETTING_VERBS))
@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_templates_setting_that_names_no_folder_is_refused_at_its_line(project, run_cli, verb, kind):
    """Found by a tester: ``templates: mytpl-typo`` built with the default templates, exit 0."""
    where = configure_templates(project, "mytpl-typo")
    if kind == "file":
        (project / "mytpl-typo").write_text("not a folder\n", encoding="utf-8")
    result = run_cli(*SETTING_VERBS[verb], cwd=project, env=clean_env(), timeout=60)
    lines = assert_clean_failure(result, 2)
    what = "is a file, not a folder" if kind == "file" else "does not exist"
    assert lines == [f"{where}: error: templates: mytpl-typo {what} (name the folder that holds your template "
                     "overrides, relative to newsletter.yaml, such as templates: my-templates; or remove the line "
                     "to use the project's templates/ and the built-in ones)"]
    assert sorted(p.name for p in project.iterdir()) == sorted(["issues", "newsletter.yaml"]
                                                               + (["mytpl-typo"] if kind == "file" else []))


def test_a_templates_setting_is_named_as_seen_from_the_working_folder(project, run_cli):
    where = configure_templates(project, "mytpl-typo")
    result = run_cli("build", f"{project.name}/{ISSUE}", "--out", "out", cwd=project.parent, env=clean_env())
    [line] = assert_clean_failure(result, 2)
    assert line.startswith(f"{project.name}/{where}: error: templates: {project.name}/mytpl-typo does not exist (")


def test_a_templates_setting_that_names_a_folder_is_used(project, run_cli):
    """Against the tests above passing because every templates: is refused."""
    configure_templates(project, "over")
    (project / "over").mkdir()
    (project / "over" / "layout.mjml.j2").write_text("{{ oops(\n", encoding="utf-8")
    lines = assert_clean_failure(run_cli(*VERBS["build"], cwd=project, env=clean_env()), 1)
    assert lines[0].startswith("over/layout.mjml.j2:1:") and "template syntax error" in lines[0]
