"""``newsletter check --changed-since REF --summary-file``: what a pull request's run reports."""

from __future__ import annotations

import json

from cihelpers import ALPHA, BETA, CI_ENV, GAMMA, commit, issue_text

PNG = b"\x89PNG\r\n\x1a\n"  # the summary links the files it finds; it does not read them


def check(run_cli, cwd, *args: str, **env: str):
    return run_cli("check", *args, cwd=cwd, env={**CI_ENV, **env}, timeout=90)


def row_of(text: str, path: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.startswith("| ") and f"`{path}`" in line)
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def test_pull_request_check_summary(run_cli, merge_repo, tmp_path):
    """Alpha changed, gamma added, beta broken: all three checked, beta fails, links to alpha's PNGs."""
    commit(merge_repo.root, "break beta", {BETA: issue_text("Beta, broken", 1, broken=True)})
    shots = merge_repo.root / "shots" / "2021-10-alpha"
    shots.mkdir(parents=True)
    for name in ("desktop-600", "mobile-375", "dark-600"):
        (shots / f"{name}.png").write_bytes(PNG)
    step_summary = tmp_path / "step.md"
    github = {"GITHUB_STEP_SUMMARY": str(step_summary), "GITHUB_SERVER_URL": "https://github.com",
              "GITHUB_REPOSITORY": "ai4media/newsletter", "GITHUB_RUN_ID": "42"}
    result = check(run_cli, merge_repo.root, "--changed-since", merge_repo.base, "--summary-file",
                   "reports/summary.md", "--screenshots-dir", "shots", **github)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"checking 3 issue(s) added or changed since {merge_repo.base}: {ALPHA}, {BETA}, {GAMMA}" \
        in result.stderr
    assert "placeholder-url" in result.stdout and "Traceback" not in result.stderr

    text = (merge_repo.root / "reports" / "summary.md").read_text(encoding="utf-8")
    assert text.startswith("## Newsletter check\n")
    assert f"3 issues added or changed since `{merge_repo.base}`; 1 failed." in text
    alpha, beta, gamma = row_of(text, ALPHA), row_of(text, BETA), row_of(text, GAMMA)
    assert alpha[:3] == ["✅", f"`{ALPHA}`", "Alpha, as merged"] and alpha[4:6] == ["0", "0"]
    assert "% of Gmail's 102,400)" in alpha[3]
    # links relative to the summary file's folder (reports/ -> ../shots/...)
    assert alpha[6] == ("[desktop-600](../shots/2021-10-alpha/desktop-600.png) · "
                        "[mobile-375](../shots/2021-10-alpha/mobile-375.png) · "
                        "[dark-600](../shots/2021-10-alpha/dark-600.png)")
    assert beta[0] == "❌" and beta[4:6] == ["1", "1"] and gamma[0] == "✅" and gamma[6] == "-"
    # beta's findings, verbatim with their file:line:col
    block = text.split(f"### `{BETA}`", 1)[1]
    assert f"{BETA}:" in block and ": error: placeholder-url: 'http://localhost:8000/draft'" in block

    # GitHub's step summary: the same report; links go to the run, where the artifact is
    step = step_summary.read_text(encoding="utf-8")
    assert row_of(step, BETA)[0] == "❌"
    assert "[desktop-600](https://github.com/ai4media/newsletter/actions/runs/42#artifacts)" in step


def test_docs_only_bad_ref_and_usage(run_cli, merge_repo, tmp_path):
    base = merge_repo.head
    commit(merge_repo.root, "docs", {"README.md": "how we write issues\n"})
    summary = tmp_path / "summary.md"
    text = check(run_cli, merge_repo.root, "--changed-since", base, "--summary-file", str(summary))
    assert text.returncode == 0 and text.stdout == ""
    assert f"no issue added or changed since {base}; nothing to check" in text.stderr
    assert "No issue added or changed since" in summary.read_text(encoding="utf-8")

    as_json = check(run_cli, merge_repo.root, "--changed-since", base, "--format", "json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout) == []

    bad = check(run_cli, merge_repo.root, "--changed-since", "origin/nope")
    assert bad.returncode == 2 and "unknown git ref 'origin/nope'" in bad.stderr and "Traceback" not in bad.stderr

    both = check(run_cli, merge_repo.root, ALPHA, "--changed-since", base)
    neither = check(run_cli, merge_repo.root)
    assert both.returncode == 2 and "not both" in both.stderr
    assert "checking every issue in issues/" in neither.stderr  # no ISSUE: issues/, as archive does

    outside = check(run_cli, tmp_path, "--changed-since", "HEAD")
    assert outside.returncode == 2 and "needs a git repository" in outside.stderr
