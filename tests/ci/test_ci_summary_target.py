"""Where ``--summary-file`` and ``$GITHUB_STEP_SUMMARY`` may go: never over a file the run reads, and a
write that fails is said, never announced as written."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from shared import HELLO_ISSUE, PHOTO_ISSUE_NAME, assert_clean_failure, clean_env, full_device, photo_issue

ISSUE = "issues/2021-12-good.yaml"
SEND = ("--test", "--to", "a@example.org", "--provider", "outbox")


@pytest.mark.parametrize("target", [ISSUE, "./issues/../" + ISSUE, "newsletter.yaml", ".env", "hardlink.md",
                                    "issues/summary.yaml"])
def test_check_refuses_a_summary_over_a_file_it_reads(make_project, run_cli, target):
    """``check X.yaml --summary-file X.yaml`` replaced the issue by Markdown and said "summary written"."""
    root = make_project({ISSUE: HELLO_ISSUE, ".env": "NEWSLETTER_PROVIDER=outbox\n"})
    os.link(root / ".env", root / "hardlink.md")  # the same file under another name
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    (line,) = assert_clean_failure(run_cli("check", ISSUE, "--summary-file", target, cwd=root, env=clean_env()), 2)
    assert line.startswith(f"error: --summary-file {Path(target)} ") and "e.g. --summary-file summary.md" in line
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_send_refuses_a_summary_over_the_issue_before_sending(make_project, run_cli):
    root = make_project({ISSUE: HELLO_ISSUE})
    result = run_cli("send", ISSUE, *SEND, "--summary-file", ISSUE, cwd=root, env=clean_env())
    (line,) = assert_clean_failure(result, 2)
    assert "is a file this run reads" in line
    assert (root / ISSUE).read_text(encoding="utf-8") == HELLO_ISSUE and not (root / "outbox").exists()


def test_a_step_summary_over_the_issue_is_refused(make_project, run_cli):
    root = make_project({ISSUE: HELLO_ISSUE})
    result = run_cli("check", ISSUE, "--summary-file", "summary.md", cwd=root,
                     env=clean_env(GITHUB_STEP_SUMMARY=str(root / ISSUE)))
    (line,) = assert_clean_failure(result, 2)
    assert line.startswith(f"error: $GITHUB_STEP_SUMMARY {root / ISSUE} is a file this run reads")
    assert (root / ISSUE).read_text(encoding="utf-8") == HELLO_ISSUE and not (root / "summary.md").exists()


@pytest.mark.parametrize("verb", [("check",), ("send", *SEND)])
def test_a_summary_file_that_cannot_be_written_is_exit_4(make_project, run_cli, tmp_path, verb):
    """``--summary-file /dev/full``: "summary written to /dev/full", exit 0 (and /dev/full, as root, was
    replaced by a regular file holding the summary)."""
    root = make_project({ISSUE: HELLO_ISSUE})
    device = full_device(tmp_path)
    result = run_cli(*verb, ISSUE, "--summary-file", device, cwd=root, env=clean_env())
    assert result.returncode == 4, result.stderr
    assert "written" not in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"{device}: error: cannot write here: no space left on the disk (the disk is full (or a file size limit "
        "applies): free some space, or choose another --summary-file; nothing was changed there)")
    assert stat.S_ISCHR(os.stat(device).st_mode)
    if verb[0] == "send":  # the test was sent before the summary was written: the table says so
        assert "test sent to a@example.org" in result.stdout


@pytest.mark.parametrize("kind", ["folder", "missing folder", "full device"])
def test_a_step_summary_that_cannot_be_written_is_a_warning(make_project, run_cli, tmp_path, kind):
    """``$GITHUB_STEP_SUMMARY`` a folder, on a full disk or in no folder: exit 0, not a word. It stays exit 0
    (the runner sets it; a check's result must not depend on the run page's table), with a warning."""
    root = make_project({ISSUE: HELLO_ISSUE})
    step = {"folder": str(tmp_path), "missing folder": str(tmp_path / "nowhere" / "step.md"),
            "full device": full_device(tmp_path) if kind == "full device" else ""}[kind]
    result = run_cli("check", ISSUE, "--summary-file", "summary.md", cwd=root,
                     env=clean_env(GITHUB_STEP_SUMMARY=step))
    assert result.returncode == 0, result.stderr
    warning = next(line for line in result.stderr.splitlines() if line.startswith("warning: $GITHUB_STEP_SUMMARY"))
    assert warning.startswith(f"warning: $GITHUB_STEP_SUMMARY ({step}): the summary could not be appended there: ")
    assert "summary written to summary.md\n" in result.stderr  # and not "and $GITHUB_STEP_SUMMARY"
    assert (root / "summary.md").read_text(encoding="utf-8").startswith("## Newsletter check")


FOREIGN = "already exists and is not a summary newsletter wrote: give the summary a new file, e.g. --summary-file summary.md"


@pytest.mark.parametrize("verb, target", [
    (("send", *SEND, "--templates", "tpl"), "tpl/blocks/article.txt.j2"),
    (("check",), "templates/blocks/editorial.txt.j2"),
    (("send", *SEND), "images/photo.jpg"),
    (("check",), "notes.md"),  # starts like a summary's heading, but is not one
])
def test_a_summary_over_a_file_newsletter_did_not_write_is_refused(make_project, run_cli, verb, target):
    """``--summary-file tpl/blocks/article.txt.j2`` (a template the run reads), or the issue's own picture:
    "summary written", the file replaced by Markdown. Only a summary newsletter wrote is written over."""
    root = make_project({PHOTO_ISSUE_NAME: photo_issue(), "tpl/blocks/article.txt.j2": "{{ block.title }}\n",
                         "templates/blocks/editorial.txt.j2": "{{ block.title }}\n",
                         "notes.md": "## Newsletter checklist\n\n- ask Ana\n"})
    (root / "images").mkdir()
    (root / "images/photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not much of a picture")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    (line,) = assert_clean_failure(run_cli(*verb, PHOTO_ISSUE_NAME, "--summary-file", target, cwd=root,
                                           env=clean_env()), 2)
    assert line == f"error: {Path(target)} {FOREIGN}"
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before  # and nothing sent


def test_a_summary_newsletter_wrote_is_written_over_on_the_next_run(make_project, run_cli):
    """CI passes the same --summary-file on each run; a file made empty for it is taken too."""
    root = make_project({ISSUE: HELLO_ISSUE})
    (root / "empty.md").write_text("", encoding="utf-8")
    runs = [("check",), ("check",), ("send", *SEND), ("check",)]
    for verb in runs:
        result = run_cli(*verb, ISSUE, "--summary-file", "summary.md", cwd=root, env=clean_env())
        assert result.returncode == 0 and "summary written to summary.md" in result.stderr, result.stderr
        kind = "test send" if verb[0] == "send" else "check"
        assert (root / "summary.md").read_text(encoding="utf-8").startswith(f"## Newsletter {kind}\n\n")
    result = run_cli("check", ISSUE, "--summary-file", "empty.md", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    assert (root / "empty.md").read_text(encoding="utf-8").startswith("## Newsletter check\n\n")
    # and one that is not quite a summary any more is kept
    (root / "summary.md").write_text("## Newsletter check (my notes)\n", encoding="utf-8")
    (line,) = assert_clean_failure(run_cli("check", ISSUE, "--summary-file", "summary.md", cwd=root,
                                           env=clean_env()), 2)
    assert line == f"error: summary.md {FOREIGN}"


def test_an_empty_summary_file_name_is_a_usage_error(make_project, run_cli):
    """``--summary-file ''`` (an unset variable in a CI script): ".: error: cannot write here: Device or
    resource busy", exit 4, after the work."""
    root = make_project({ISSUE: HELLO_ISSUE})
    for verb in (("check",), ("send", *SEND)):
        lines = assert_clean_failure(run_cli(*verb, ISSUE, "--summary-file", "", cwd=root, env=clean_env()), 2)
        assert lines[-1] == "Error: --summary-file needs a file name, e.g. --summary-file summary.md"
    assert not (root / "outbox").exists()
