"""The GitHub Actions workflow parses, and every ``newsletter`` command in it exists in the CLI.

Each ``run:`` script is split into commands with shlex; each ``newsletter ...``
call is parsed by the click command it names (``main.commands[name]``), so a
renamed verb or option fails here before it fails on GitHub.
"""

from __future__ import annotations

import re
import shlex

import click
import pytest
import yaml
from cihelpers import WORKFLOW
from shared import REPO

from newsletter_pipeline.cli import main
from newsletter_pipeline.config import SETTINGS

# shell words after which a new command starts
OPERATORS = {";", "|", "||", "&&", "&", "(", ")", "$(", "`"}
KEYWORDS = {"do", "then", "else", "elif", "if", "while", "until", "!", "time", "exec"}
REDIRECTS = re.compile(r"^\d*[<>]")


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key "on" as True
    data["on"] = data.pop(True)
    return data


def run_scripts(data: dict) -> list[tuple[str, str]]:
    """(job id, script) of every ``run:`` step."""
    return [(job_id, step["run"]) for job_id, job in data["jobs"].items() for step in job["steps"] if "run" in step]


def newsletter_calls(script: str) -> list[list[str]]:
    """The argument lists of every ``newsletter`` command in a shell script."""
    calls = []
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        tokens = list(lexer)
        for index, token in enumerate(tokens):
            starts_command = index == 0 or tokens[index - 1] in OPERATORS or tokens[index - 1] in KEYWORDS \
                or tokens[index - 1].endswith("$(")
            if token.rsplit("/", 1)[-1] == "newsletter" and starts_command:
                args = []
                for position, arg in enumerate(tokens[index + 1:], index + 1):
                    following = tokens[position + 1] if position + 1 < len(tokens) else ""
                    if arg in OPERATORS or REDIRECTS.match(arg) or (arg.isdigit() and REDIRECTS.match(following)):
                        break
                    args.append(arg)
                calls.append(args)
    return calls


def validate(args: list[str]) -> None:
    """Raise ``click.UsageError`` unless ``newsletter ARGS`` names a command and options that exist."""
    while args and args[0].startswith("-"):
        option = args.pop(0)
        if not any(option in p.opts for p in main.params):
            raise click.UsageError(f"no global option {option}")
    if not args or args[0] not in main.commands:
        raise click.UsageError(f"no such command: {args[:1]}")
    name, rest = args[0], args[1:]
    command = main.commands[name]
    known = {opt for param in command.params for opt in [*param.opts, *param.secondary_opts]}
    for arg in rest:
        if arg.startswith("--") and arg.split("=", 1)[0] not in known:
            raise click.UsageError(f"newsletter {name}: no option {arg}")
    # then let click parse the whole call: values, choices, argument counts
    command.make_context(name, list(rest), resilient_parsing=False)


def all_calls() -> list[tuple[str, list[str]]]:
    return [(job, call) for job, script in run_scripts(workflow()) for call in newsletter_calls(script)]


def test_workflow_parses_with_both_triggers_and_no_secrets_in_pull_requests() -> None:
    data = workflow()
    assert set(data["on"]) == {"pull_request", "push"}
    assert data["on"]["push"]["branches"] == ["main"]
    jobs = data["jobs"]
    assert jobs["pull-request"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["test-send"]["if"] == "github.event_name == 'push'"
    # pull requests (forks included) run without secrets
    assert "secrets." not in yaml.safe_dump(jobs["pull-request"])
    assert data["permissions"] == {"contents": "read"}


def test_every_newsletter_call_exists_in_the_cli() -> None:
    calls = all_calls()
    named = {(job, call[0]) for job, call in calls}
    # the parser found what the workflow is for (it must not pass by finding nothing)
    assert named == {("pull-request", "changed"), ("pull-request", "build"), ("pull-request", "screenshot"),
                     ("pull-request", "check"), ("test-send", "send")}
    for job, call in calls:
        validate(list(call))


@pytest.mark.parametrize("call", [
    "newsletter send --test --changed-sinse HEAD~1",
    "newsletter sned --test",
    "newsletter check --format yaml x.yaml",
    "newsletter screenshot a.yaml b.yaml",
    "newsletter build --out",
])
def test_the_validator_catches_drift(call: str) -> None:
    [args] = newsletter_calls(call)
    with pytest.raises(click.UsageError):
        validate(args)


def test_shell_splitting() -> None:
    script = ('newsletter changed "$BASE" | tee out.txt\n'
              'while read -r i; do newsletter build "$i" --out dist || status=1; done\n'
              'echo newsletter; x=$(newsletter changed HEAD~1) # newsletter --nope\n'
              '.venv/bin/newsletter check a.yaml 2>&1 > log.txt')
    assert newsletter_calls(script) == [["changed", "$BASE"], ["build", "$i", "--out", "dist"],
                                        ["changed", "HEAD~1"], ["check", "a.yaml"]]


def test_pull_requests_check_build_and_screenshot_the_changed_issues() -> None:
    job = workflow()["jobs"]["pull-request"]
    steps = job["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    assert job["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    calls = {call[0]: call for script in (s["run"] for s in steps if "run" in s) for call in newsletter_calls(script)}
    assert calls["changed"] == ["changed", "$BASE_SHA"]
    assert calls["check"][:3] == ["check", "--changed-since", "$BASE_SHA"] and "--summary-file" in calls["check"]
    assert calls["screenshot"][-2:] == ["--out", "screenshots"] and calls["build"][-2:] == ["--out", "dist"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert {"dist/", "screenshots/"} <= set(upload["with"]["path"].split())
    assert "apt-get install" in yaml.safe_dump(steps) and "chromium" in yaml.safe_dump(steps)


def test_merges_test_send_and_never_send_to_the_list() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    job = workflow()["jobs"]["test-send"]
    calls = [call for script in (s["run"] for s in job["steps"] if "run" in s) for call in newsletter_calls(script)]
    assert calls == [["send", "--test", "--changed-since", "$BEFORE", "--summary-file", "newsletter-test-sends.md"]]
    step = next(s for s in job["steps"] if "newsletter send" in s.get("run", ""))
    assert step["env"]["BEFORE"] == "${{ github.event.before }}"
    assert not {"--now", "--schedule", "--yes"} & {arg for _, call in all_calls() for arg in call}
    assert not re.search(r"^\s*NEWSLETTER_ALLOW_CI_LIST_SEND\s*:", text, re.M)
    assert workflow()["env"]["CI"] == "true"


def test_secrets_are_named_as_in_env_example() -> None:
    env = workflow()["jobs"]["test-send"]["env"]
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    for name, value in env.items():
        assert value == f"${{{{ secrets.{name} }}}}", name
        assert name in SETTINGS and re.search(rf"^{name}=", example, re.M), name
    secret_settings = {name for name, setting in SETTINGS.items() if setting.secret}
    assert secret_settings <= set(env), "every provider's secret can be set"
    assert {"NEWSLETTER_PROVIDER", "NEWSLETTER_TEST_RECIPIENTS"} <= set(env)
    assert "NEWSLETTER_ALLOW_CI_LIST_SEND" not in env


def test_merges_do_not_interleave_and_dependencies_are_cached() -> None:
    jobs = workflow()["jobs"]
    send = jobs["test-send"]["concurrency"]
    assert send["cancel-in-progress"] is False and "${{ github.ref }}" in send["group"]
    assert "github.event.pull_request.number" in jobs["pull-request"]["concurrency"]["group"]
    for job in jobs.values():
        setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
        assert setup["with"]["cache"] == "pip" and setup["with"]["python-version"] == "3.11"


def test_ci_run_newsletter_calls_exist_too() -> None:
    calls = newsletter_calls((REPO / ".ci" / "run").read_text(encoding="utf-8"))
    assert calls
    for call in calls:
        validate(list(call))
