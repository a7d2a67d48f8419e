"""Fuzzing the CLI with broken issues and settings: located errors, documented exit codes, nothing else.

A fixed seed mutates a fixture issue and ``newsletter.yaml`` a few hundred
times (lines deleted, duplicated, swapped, re-indented, truncated; random and
control bytes; scalars replaced by lists, maps, huge strings, deep nesting and
aliases) and adds the special files (binary, a folder, a pipe, a link loop, a
broken link). The cases run through ``newsletter check`` in one process
(``fuzz_driver.py``, for speed) and a few through real ``newsletter build``
processes. Every run must end with a documented exit code, without a
traceback or a hang, and every failure must name its file (with line:col
where the problem has one).

The explicit tests at the end are the cases the fuzzing found, fixed.
"""

from __future__ import annotations

import base64
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_driver import place
from shared import assert_clean_failure

ISSUE = "issues/2021-12-fuzz.yaml"
CONFIG = "newsletter.yaml"
SEED = 11  # fixed: the same mutations on every run and every machine
MUTATIONS = 300
CHECK_CODES = {0, 1, 2}  # README "Errors and exit codes": ok, invalid issue or check error, usage/unreadable
BUILD_CODES = {0, 1, 2, 4}
LOCATED = re.compile(r"^[^\s:][^:]*:\d+:\d+: (error|warning): \S")  # file:line:col: level: ...
NAMED = re.compile(r"^(issues/2021-12-fuzz\.yaml|newsletter\.yaml)(:\d+:\d+)?: error: \S")

FIXTURE = """\
subject: Fuzzing the newsletter
preheader: What a careless user or an attacker might write into an issue file, all at once.
date: 2021-12-15
language: en
blocks:
  - type: masthead
    title: Fuzzing
    subtitle: Newsletter · December 2021
  - type: editorial
    title: Main points
    body: |-
      A paragraph with a [descriptive link](https://www.ai4media.eu/news/).

      - one item
      - another item
    signature:
      names: [Ada Lovelace]
      affiliation: Analytical Engines
  - type: article
    title: An article
    authors:
      - name: Grace Hopper
        role: Researcher
    body: Some text about compilers.
    link:
      label: Read the article on compilers
      url: https://www.ai4media.eu/compilers/
  - type: upcoming_events
    events:
      - title: A workshop
        start: 2022-04-25
        place: Online
        url: https://www.ai4media.eu/workshop/
  - type: link_list
    title: Reading
    links:
      - title: The project's publications
        url: https://www.ai4media.eu/publications/
  - type: bullets
    title: In short
    items: [First point, "Second point with **bold** text"]
  - type: past_events
    events:
      - title: A past workshop
        date: 2021-11-11
        where: Athens
        url: https://www.ai4media.eu/past/
  - type: cta
    button:
      label: Visit the AI4Media website
      url: https://www.ai4media.eu/
  - type: footer
    text: You receive this because you subscribed on our website.
"""

REPLACEMENTS = [
    "[1, 2, 3]", "{a: 1, b: [2]}", "null", "~", "true", "-.inf", "0x1F", "2021-13-45", "!!binary aGVsbG8=",
    "!!python/object:os.system ls", '"\\x07\\x1b[31mred\\u202e"', '"' + "x" * 120_000 + '"',
    "[" * 120 + "]" * 120, "{a: " * 60 + "1" + "}" * 60, "&a [*a]", "*undefined_alias", "'{{ 7*7 }}'",
    '"<script>alert(1)</script>"', "|\n  block\n  text", "'\u200b\ufeff'", "? complex\n: key",
    "<< : {x: 1}", "'" + "é" * 5000 + "'", "12345678901234567890123456789", "\t\ttabbed",
]
RANDOM_BYTES = [b"\x00", b"\xff\xfe", b"\xc3", b"\x1b[2J", b"\t", b"\r", b"\x85", b"\xe2\x80\xa8", b":", b"- ",
                b"{", b"]", b'"', b"'", b"&x ", b"*x", b"%YAML 1.1\n", b"---\n", b"...\n", b"#"]


def mutate(text: str, rng: random.Random) -> bytes:
    """One random mutation of ``text`` (see the module docstring for the kinds)."""
    lines = text.splitlines(keepends=True)
    kind = rng.randrange(9)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(i, lines[i])
    elif kind == 2:
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == 3:
        lines[i] = " " * rng.choice([0, 1, 3, 7]) + lines[i].lstrip(" ")
    elif kind in (4, 5):
        key, sep, _ = lines[i].partition(": ")
        if sep:
            lines[i] = f"{key}: {rng.choice(REPLACEMENTS)}\n"
        else:
            lines.insert(i, f"{lines[i][:len(lines[i]) - len(lines[i].lstrip())]}extra: {rng.choice(REPLACEMENTS)}\n")
    data = "".join(lines).encode("utf-8")
    if kind == 6:
        at = rng.randrange(len(data))
        data = data[:at] + rng.choice(RANDOM_BYTES) + data[at:]
    elif kind == 7:
        data = data[: rng.randrange(len(data))]
    elif kind == 8:
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
    return data


def cases(project: Path) -> list[dict]:
    """The fuzz cases for ``project`` (its newsletter.yaml is mutated too), the same on every run."""
    rng = random.Random(SEED)
    config = (project / CONFIG).read_text(encoding="utf-8")
    found = []
    for number in range(MUTATIONS):
        target, text = (CONFIG, config) if rng.random() < 0.3 else (ISSUE, FIXTURE)
        found.append({"id": f"{number}:{target}", "target": target,
                      "data": base64.b64encode(mutate(text, rng)).decode()})
    for target in (ISSUE, CONFIG):
        for special in ("folder", "pipe", "link loop", "broken link"):
            found.append({"id": f"{special}:{target}", "target": target, "special": special})
        binary = bytes(random.Random(SEED).randrange(256) for _ in range(2000))
        found.append({"id": f"binary:{target}", "target": target, "data": base64.b64encode(binary).decode()})
    for case in found:
        case["args"] = ["check", ISSUE]
    return found


def problems_of(result: dict, codes: set[int]) -> list[str]:
    """What is wrong with one run: an undocumented code, a traceback, a hang, or an unlocated failure."""
    code, stdout, stderr = result["code"], result["stdout"], result["stderr"]
    if code not in codes:
        return [f"exit {code}: {stderr[-600:]}"]
    wrong = []
    if "Traceback" in stderr or "internal error" in stderr:
        wrong.append(f"traceback: {stderr[-600:]}")
    if code == 1:
        unlocated = [line for line in stdout.splitlines() if not LOCATED.match(line)]
        if unlocated or not stdout.strip():
            wrong.append(f"unlocated findings: {unlocated[:3] or 'none printed'}")
    if code == 2 and not any(NAMED.match(line) for line in stderr.splitlines()):
        wrong.append(f"exit 2 without naming the file: {stderr[-300:]}")
    return wrong


@pytest.fixture
def fuzz_project(make_project) -> Path:
    return make_project({ISSUE: FIXTURE})


def test_the_fixture_is_check_clean(fuzz_project, run_cli):
    """The mutations start from a valid issue, or most of them would test nothing."""
    result = run_cli("check", ISSUE, cwd=fuzz_project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_fuzzed_issues_and_settings_fail_located_with_documented_codes(fuzz_project, tmp_path):
    all_cases = cases(fuzz_project)
    (tmp_path / "cases.json").write_text(json.dumps(all_cases), encoding="utf-8")
    driver = Path(__file__).with_name("fuzz_driver.py")
    run = subprocess.run([sys.executable, str(driver), str(tmp_path / "cases.json"), str(tmp_path / "out.jsonl")],
                         cwd=fuzz_project, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    results = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in results] == [c["id"] for c in all_cases]  # every case ran
    bad = {r["id"]: problems_of(r, CHECK_CODES) for r in results}
    assert {case: found for case, found in bad.items() if found} == {}
    codes = {r["code"] for r in results}
    assert codes == CHECK_CODES, f"the mutations should reach every outcome, got {codes}"  # not vacuous
    assert sum(r["code"] == 1 for r in results) > MUTATIONS // 2


@pytest.mark.parametrize("number", [3, 17, 42, 101, 250])
def test_fuzzed_builds_as_real_processes(fuzz_project, run_cli, number):
    """A few of the same mutations through ``newsletter build`` in a real process: also nothing half-written."""
    case = cases(fuzz_project)[number]
    (fuzz_project / case["target"]).write_bytes(base64.b64decode(case["data"]))
    result = run_cli("build", ISSUE, "--out", "out", cwd=fuzz_project, timeout=60)
    found = problems_of({"code": result.returncode, "stdout": result.stderr if result.returncode == 1 else "",
                         "stderr": result.stderr}, BUILD_CODES)
    assert found == []
    if result.returncode:
        assert not (fuzz_project / "out").exists()


@pytest.mark.parametrize("special", ["folder", "pipe", "link loop", "broken link"])
@pytest.mark.parametrize("target", [ISSUE, CONFIG])
def test_special_files_as_real_processes(fuzz_project, run_cli, special, target):
    path = fuzz_project / target
    place(path, {"special": special})  # as the in-process driver puts them
    lines = assert_clean_failure(run_cli("check", ISSUE, cwd=fuzz_project, timeout=30), 2)
    assert len(lines) == 1 and lines[0].startswith(f"{target}: error: ")


# --- found by fuzzing (or by hand, as an attacker or a careless user would), fixed ------------------------


def test_an_issue_that_does_not_parse_gets_no_preheader_warning_from_newsletter_yaml(fuzz_project, run_cli):
    (fuzz_project / ISSUE).write_text('subject: "Fuzzing\n', encoding="utf-8")
    result = run_cli("check", ISSUE, cwd=fuzz_project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f'{ISSUE}:1:10: error: yaml: invalid YAML: the text in quotes that starts at the " in column 10 is never '
        'closed (end the text with " on the same line: subject: "Fuzzing")']


def test_a_value_with_line_breaks_stays_on_its_finding_line(fuzz_project, run_cli):
    """Found by fuzzing (a swapped line): a quoted value with newlines split a finding over several lines."""
    text = FIXTURE.replace("  - type: masthead", '  - type: "mast\\nhead \\e[2J\\u202e"')
    (fuzz_project / ISSUE).write_text(text, encoding="utf-8")
    result = run_cli("check", ISSUE, cwd=fuzz_project)
    assert result.returncode == 1
    assert [line for line in result.stdout.splitlines() if not LOCATED.match(line)] == []
    assert "mast\\nhead \\x1b[2J\\u202e" in result.stdout and "\x1b" not in result.stdout + result.stderr


def test_a_url_that_urlsplit_refuses_is_a_located_error_not_an_internal_one(fuzz_project, run_cli):
    """Found by fuzzing (a byte inserted into newsletter.yaml): 'Invalid IPv6 URL' escaped the value checks."""
    config = fuzz_project / CONFIG
    config.write_text(config.read_text(encoding="utf-8").replace("https://www.youtube.com/", "https://www.youtube.com]/"),
                      encoding="utf-8")
    result = run_cli("check", ISSUE, cwd=fuzz_project)
    assert result.returncode == 1 and "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert [line for line in result.stdout.splitlines() if "Invalid IPv6 URL" in line] == [
        f"{CONFIG}:{_line_of(config, 'youtube.com]')}:10: error: link-href: social[2].url: Invalid IPv6 URL"]


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)
