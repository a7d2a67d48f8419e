"""``newsletter check`` and ``newsletter build`` as real processes: output formats, exit codes, files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from checkutil import BASE, ISSUE_NAME, line_of
from shared import FIXTURE_PROJECT, REPO, SEED_IN_PROJECT

from newsletter_pipeline.checks.rules import RULE_IDS, load_rules

DEEPFAKES_LINK = "      url: https://www.ai4media.eu/detecting-deepfakes-in-multimedia-content/\n"


def test_seed_passes_strict(run_cli):
    result = run_cli("check", "--strict", SEED_IN_PROJECT, cwd=FIXTURE_PROJECT)
    assert (result.returncode, result.stdout) == (0, "")
    assert f"{SEED_IN_PROJECT}: ok: 0 errors, 0 warnings" in result.stderr


def test_seed_json_is_an_empty_list(run_cli):
    result = run_cli("check", "--format", "json", SEED_IN_PROJECT, cwd=FIXTURE_PROJECT)
    assert (result.returncode, json.loads(result.stdout), result.stderr) == (0, [], "")


@pytest.fixture
def broken_seed(make_project) -> tuple[Path, str]:
    """The seed with an image without alt on http://localhost and a "click here" link to localhost."""
    root = make_project(seed=True)
    path = root / SEED_IN_PROJECT
    text = path.read_text(encoding="utf-8")
    text = text.replace(DEEPFAKES_LINK, DEEPFAKES_LINK + "    image:\n      src: http://localhost/deepfake.png\n", 1)
    text = text.replace("Promising results were already obtained for texts and videos.",
                        "Promising results were already obtained: [click here](http://localhost:8000/draft).", 1)
    path.write_text(text, encoding="utf-8")
    return root, text


def test_broken_seed_fails_with_file_line_messages(run_cli, broken_seed):
    root, text = broken_seed
    result = run_cli("check", SEED_IN_PROJECT, cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    image = line_of(text, "src: http://localhost")  # the image mapping starts at its first key
    link = line_of(text, "[click here]")
    expected = [
        f"{SEED_IN_PROJECT}:{image}:7: error: image-alt: ",
        f"{SEED_IN_PROJECT}:{image}:12: error: image-src: ",
        f"{SEED_IN_PROJECT}:{image}:12: error: placeholder-url: 'http://localhost/deepfake.png'",
        f"{SEED_IN_PROJECT}:{link}:{text.splitlines()[link - 1].index('[click here]') + 1}: warning: link-text: ",
        f"{SEED_IN_PROJECT}:{link}:{text.splitlines()[link - 1].index('http://localhost:8000') + 1}: error: "
        "placeholder-url: 'http://localhost:8000/draft'",
    ]
    for line in expected:
        assert any(out.startswith(line) for out in result.stdout.splitlines()), (line, result.stdout)
    assert f"{SEED_IN_PROJECT}: failed:" in result.stderr


def test_broken_seed_fails_in_json_too(run_cli, broken_seed):
    root, text = broken_seed
    result = run_cli("check", "--format", "json", SEED_IN_PROJECT, cwd=root)
    assert result.returncode == 1
    findings = json.loads(result.stdout)
    assert all(set(f) == {"rule", "level", "file", "line", "col", "message"} for f in findings)
    got = {(f["rule"], f["level"], f["file"], f["line"]) for f in findings}
    image, link = line_of(text, "src: http://localhost"), line_of(text, "[click here]")
    assert {("image-alt", "error", SEED_IN_PROJECT, image), ("image-src", "error", SEED_IN_PROJECT, image),
            ("placeholder-url", "error", SEED_IN_PROJECT, image), ("link-text", "warning", SEED_IN_PROJECT, link),
            ("placeholder-url", "error", SEED_IN_PROJECT, link)} <= got


def test_warnings_pass_unless_strict(run_cli, project):
    issue = BASE.replace("url: https://www.ai4media.eu/dataset/", "url: http://www.ai4media.eu/dataset/")
    path = project(issue)
    root = Path.cwd()
    relaxed = run_cli("check", str(path), cwd=root)
    strict = run_cli("check", "--strict", str(path), cwd=root)
    expected = f"{ISSUE_NAME}:{line_of(issue, 'url: http:')}:12: warning: link-href: "
    assert relaxed.returncode == 0 and relaxed.stdout.startswith(expected)
    assert strict.returncode == 1 and strict.stdout == relaxed.stdout
    assert "--strict: warnings fail" in strict.stderr


def test_check_writes_nothing(run_cli, project):
    path = project()
    root = Path.cwd()
    before = sorted(p for p in root.rglob("*"))
    assert run_cli("check", str(path), cwd=root).returncode == 0
    assert sorted(p for p in root.rglob("*")) == before


@pytest.mark.parametrize("args", [["check", "issues/2022-04-missing.yaml"],
                                  ["check", "--format", "xml", SEED_IN_PROJECT]])
def test_usage_errors_exit_2(run_cli, args):
    result = run_cli(*args, cwd=FIXTURE_PROJECT)
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_build_stops_on_check_errors_and_writes_nothing(run_cli, project):
    issue = BASE.replace("url: https://www.ai4media.eu/dataset/", "url: https://staging.ai4media.eu/dataset/")
    path = project(issue)
    root = Path.cwd()
    result = run_cli("build", str(path), "--out", "dist", cwd=root)
    assert result.returncode == 1
    assert f"{ISSUE_NAME}:{line_of(issue, 'staging.ai4media.eu')}:12: error: placeholder-url: " in result.stderr
    assert not (root / "dist").exists()


def test_build_prints_warnings_and_builds(run_cli, project):
    issue = BASE.replace("url: https://www.ai4media.eu/dataset/", "url: http://www.ai4media.eu/dataset/")
    path = project(issue)
    root = Path.cwd()
    result = run_cli("build", str(path), "--out", "dist", cwd=root)
    assert result.returncode == 0, result.stderr
    assert re.search(rf"^{re.escape(ISSUE_NAME)}:\d+:12: warning: link-href: ", result.stderr, re.M)
    assert (root / "dist" / "2022-04-spring-news" / "email.html").is_file()


def test_build_allow_clipping_turns_the_clipping_error_into_a_warning(run_cli, project):
    body = "\n\n".join("      " + "lorem ipsum dolor sit amet " * 20 for _ in range(160))
    path = project(BASE + f"  - type: editorial\n    body: |-\n{body}\n")
    root = Path.cwd()
    refused = run_cli("build", str(path), "--out", "dist", cwd=root)
    assert refused.returncode == 1 and "error: gmail-clipping:" in refused.stderr
    assert not (root / "dist").exists()
    allowed = run_cli("build", str(path), "--out", "dist", "--allow-clipping", cwd=root)
    assert allowed.returncode == 0 and "warning: gmail-clipping:" in allowed.stderr
    assert (root / "dist" / "2022-04-spring-news" / "email.html").is_file()


def test_every_rule_is_documented_in_the_readme():
    load_rules()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Checks", 1)[1].split("\n## ", 1)[0]
    for rule in [*RULE_IDS, "link-check", "schema", "yaml", "template"]:
        assert f"`{rule}`" in section, f"README's Checks section does not document {rule}"
