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
