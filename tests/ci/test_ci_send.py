"""``newsletter send --test --changed-since REF``: what a merge to main sends (through the real CLI)."""

from __future__ import annotations

import re
from pathlib import Path

from cihelpers import ALPHA, BETA, CI_ENV, GAMMA, OLD, RECIPIENT, commit, issue_text, parse_message
from shared import FUTURE_SCHEDULE

SENT_SUBJECTS = {"[TEST] Alpha, as merged", "[TEST] Gamma"}


def send(run_cli, repo, *args: str, **env: str):
    return run_cli("send", *args, cwd=repo.root, env={**CI_ENV, **env}, timeout=90)


def test_merge_sends_only_the_changed_and_added_issues_over_smtp(run_cli, merge_repo, smtp_sink):
    result = send(run_cli, merge_repo, "--test", "--changed-since", merge_repo.base, "--provider", "smtp",
                  **smtp_sink.env())
    assert result.returncode == 0, result.stdout + result.stderr
    messages = smtp_sink.recorder.messages
    parsed = [parse_message(m.data) for m in messages]
    assert sorted(m["Subject"] for m in parsed) == sorted(SENT_SUBJECTS)
    assert all(m.rcpt_tos == [RECIPIENT] for m in messages)
    # the summary table: one row per sent issue, with the provider and the Message-ID the server got
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("issues/")}
    assert set(rows) == {ALPHA, GAMMA}
    for message in parsed:
        slug_path = ALPHA if "Alpha" in message["Subject"] else GAMMA
        assert "smtp" in rows[slug_path] and message["Message-ID"] in rows[slug_path]
        assert re.search(r"\d{1,3},\d{3} B", rows[slug_path])
    assert BETA not in result.stdout and OLD not in result.stdout


def test_merge_through_the_outbox_with_summary_file_and_step_summary(run_cli, merge_repo, tmp_path):
    step_summary = tmp_path / "step-summary.md"
    step_summary.write_text("## an earlier step\n", encoding="utf-8")
    summary = tmp_path / "out" / "send-summary.md"
    result = send(run_cli, merge_repo, "--test", "--changed-since", merge_repo.base, "--provider", "outbox",
                  "--summary-file", str(summary), GITHUB_STEP_SUMMARY=str(step_summary))
    assert result.returncode == 0, result.stdout + result.stderr
    outbox = merge_repo.root / "outbox"
    assert sorted(p.name for p in outbox.iterdir()) == ["2021-10-alpha", "2021-12-gamma"]
    eml = {p.parent.name: parse_message(p.read_bytes()) for p in outbox.glob(f"*/{RECIPIENT}.eml")}
    assert {m["Subject"] for m in eml.values()} == SENT_SUBJECTS

    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## Newsletter test send\n")
    assert f"2 issues added or changed since `{merge_repo.base}`; all passed." in text
    for slug, message in eml.items():
        row = next(line for line in text.splitlines() if f"`issues/{slug}.yaml`" in line)
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[0] == "✅" and cells[2] == message["Subject"].removeprefix("[TEST] ")
        assert re.fullmatch(r"\d{1,3},\d{3} B \(\d+% of Gmail's 102,400\)", cells[3])
        assert cells[4:7] == ["0", "0", "outbox"]
        assert cells[8] == f"`{message['Message-ID']}`"
    assert "beta" not in text and "old" not in text
    # appended after what an earlier step wrote, never replacing it
    appended = step_summary.read_text(encoding="utf-8")
    assert appended.startswith("## an earlier step\n## Newsletter test send\n")
    assert appended.count("| ✅ |") == 2


def test_failures_do_not_stop_the_other_issues_and_set_the_exit_code(run_cli, merge_repo, smtp_sink):
    """A check error is not sent (1); a refused recipient is a provider failure (3); the highest wins."""
    base = merge_repo.head
    commit(merge_repo.root, "a broken issue and a good one",
           {BETA: issue_text("Beta, broken", 1, broken=True), GAMMA: issue_text("Gamma, again", 3)})
    outbox = send(run_cli, merge_repo, "--test", "--changed-since", base, "--provider", "outbox")
    assert outbox.returncode == 1, outbox.stdout + outbox.stderr
    assert "placeholder-url" in outbox.stderr and "Traceback" not in outbox.stderr
    assert [p.name for p in (merge_repo.root / "outbox").iterdir()] == ["2021-12-gamma"]
    assert re.search(r"issues/2021-11-beta\.yaml .*not sent", outbox.stdout)

    smtp_sink.recorder.refuse.add("nobody@ai4media.eu")
    smtp = send(run_cli, merge_repo, "--test", "--changed-since", base, "--provider", "smtp",
                NEWSLETTER_TEST_RECIPIENTS=f"{RECIPIENT},nobody@ai4media.eu", **smtp_sink.env())
    assert smtp.returncode == 3, smtp.stdout + smtp.stderr
    assert [parse_message(m.data)["Subject"] for m in smtp_sink.recorder.messages] == ["[TEST] Gamma, again"]
    assert "nobody@ai4media.eu" in smtp.stdout


def test_an_issue_the_send_path_refuses_does_not_stop_the_others(run_cli, merge_repo):
    """A subject with a line break cannot become a header: that issue is reported, located; the rest is sent."""
    base = merge_repo.head
    bad = issue_text("Beta, broken", 1).replace("subject: Beta, broken\n", 'subject: "Beta,\\nbroken"\n')
    assert 'subject: "Beta,\\nbroken"' in bad
    commit(merge_repo.root, "a subject on two lines, and a good issue", {BETA: bad, GAMMA: issue_text("Gamma, again", 3)})
    result = send(run_cli, merge_repo, "--test", "--changed-since", base, "--provider", "outbox")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(r"issues/2021-11-beta\.yaml:\d+:\d+: error: subject", result.stderr), result.stderr
    assert [p.name for p in (merge_repo.root / "outbox").iterdir()] == ["2021-12-gamma"]
    assert re.search(r"issues/2021-11-beta\.yaml .*not sent", result.stdout)
    assert re.search(r"issues/2021-12-gamma\.yaml .*test sent to", result.stdout)


def test_docs_only_commit_sends_nothing(run_cli, merge_repo, smtp_sink):
    base = merge_repo.head
    commit(merge_repo.root, "docs", {"README.md": "how we write issues\n", "issues/notes.yaml": "not an issue\n"})
    result = send(run_cli, merge_repo, "--test", "--changed-since", base, "--provider", "smtp", **smtp_sink.env())
    assert result.returncode == 0, result.stderr
    assert f"no issue added or changed since {base}; nothing to send" in result.stdout
    assert smtp_sink.recorder.messages == []


def test_bad_ref_is_refused_cleanly(run_cli, merge_repo):
    result = send(run_cli, merge_repo, "--test", "--changed-since", "no-such-branch")
    assert result.returncode == 2
    assert "unknown git ref 'no-such-branch'" in result.stderr and "fetch-depth: 0" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (merge_repo.root / "outbox").exists()


def test_ci_refuses_list_sends(run_cli, make_project):
    """CI=true (as on GitHub Actions) refuses --now and --schedule even with --yes; nothing is written."""
    project = make_project({ALPHA: issue_text("Alpha", 0)})
    for args in (["--now"], ["--schedule", FUTURE_SCHEDULE]):
        result = run_cli("send", ALPHA, *args, "--yes", "--provider", "outbox", cwd=project, env=CI_ENV, timeout=60)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "refusing a list send in CI (CI=true)" in result.stderr and "Traceback" not in result.stderr
        assert not (project / "outbox").exists() and not (project / ".newsletter").exists()


def test_usage_errors(run_cli, merge_repo):
    """Both or neither of ISSUE and --changed-since, or --changed-since for a list send: exit 2, before git."""
    cases = [
        (["--test"], "missing ISSUE"),
        (["--now", "--yes"], "missing ISSUE"),
        ([ALPHA, "--test", "--changed-since", merge_repo.base], "not both"),
        (["--now", "--yes", "--changed-since", merge_repo.base], "go with --test"),
        (["--schedule", FUTURE_SCHEDULE, "--changed-since", "no-such-ref"], "go with --test"),
    ]
    for args, message in cases:
        result = send(run_cli, merge_repo, *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and "Traceback" not in result.stderr
    assert not (merge_repo.root / "outbox").exists()


def test_changed_lists_what_changed_since_ref(run_cli, merge_repo):
    result = run_cli("changed", merge_repo.base, cwd=merge_repo.root / "issues", env=CI_ENV)
    assert result.returncode == 0, result.stderr
    # relative to the working folder, so the paths can be handed to build and screenshot as they are
    assert result.stdout.splitlines() == [Path(ALPHA).name, Path(GAMMA).name]
