"""``newsletter build`` as a user runs it: exit codes, messages, and no partial output."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import socket
import subprocess
from functools import partial
from pathlib import Path

import pytest
import yaml
from shared import (HELLO_ISSUE, PAGE, SEED, SEED_IN_PROJECT, SEED_SLUG, assert_clean_failure, clean_env,
                    free_port, full_device, newsletter_command, tmpfs)

from newsletter_pipeline.issue.located_yaml import PLAIN_FILE


BAD = "issues/2021-12-bad.yaml"
GOOD = "issues/2021-12-good.yaml"
VALID = HELLO_ISSUE
LABEL = "label: Visit the AI4Media website"
DIAGNOSTIC = re.compile(r"^[^:\s]+:\d+:\d+: (error|warning): \S")


def test_build_writes_the_three_files(make_project, run_cli):
    root = make_project({GOOD: VALID})
    result = run_cli("build", GOOD, "--out", "out", cwd=root)
    assert result.returncode == 0, result.stderr
    folder = root / "out" / "2021-12-good"
    assert sorted(p.name for p in folder.iterdir()) == ["email.html", "email.mjml", "email.txt"]
    size = len((folder / "email.html").read_bytes())
    assert result.stdout.strip() == f"built out/2021-12-good/email.html ({size:,} bytes), email.txt, email.mjml"
    assert result.stderr == ""


def test_default_output_folder_is_dist(make_project, run_cli):
    root = make_project({GOOD: VALID})
    assert run_cli("build", GOOD, cwd=root).returncode == 0
    assert (root / "dist" / "2021-12-good" / "email.html").is_file()


def test_invalid_issue_exits_1_without_traceback_or_output(make_project, run_cli):
    root = make_project({BAD: VALID.replace("type: cta", "type: ctaa").replace("language: en", "languag: en")})
    lines = assert_clean_failure(run_cli("build", BAD, "--out", "out", cwd=root), 1)
    assert lines == [
        f"{BAD}:4:1: error: languag: unknown key 'languag' (did you mean 'language'?)",
        f"{BAD}:8:11: error: blocks[1].type: unknown block type 'ctaa' (did you mean 'cta'?)",
    ]
    assert not (root / "out").exists()


def test_invalid_yaml_exits_1(make_project, run_cli):
    root = make_project({BAD: VALID.replace("    button:\n", "     button: x\n    button:\n")})
    lines = assert_clean_failure(run_cli("build", BAD, "--out", "out", cwd=root), 1)
    assert len(lines) == 1 and lines[0].startswith(f"{BAD}:9:6: error: invalid YAML: 'button:' is indented further")
    assert not (root / "out").exists()


def test_alias_bomb_exits_1_quickly(make_project, run_cli):
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):  # 10**9 values if expanded
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    root = make_project({BAD: VALID + "\n".join(levels) + "\n"})
    lines = assert_clean_failure(run_cli("build", BAD, "--out", "out", cwd=root, timeout=30), 1)
    assert len(lines) == 1 and "expands to more than" in lines[0] and DIAGNOSTIC.match(lines[0])
    assert not (root / "out").exists()


def test_missing_issue_file_exits_2(make_project, run_cli):
    root = make_project()
    lines = assert_clean_failure(run_cli("build", "issues/2021-12-nope.yaml", "--out", "out", cwd=root), 2)
    assert lines == ["error: issue file not found: issues/2021-12-nope.yaml (check the path; issues live in issues/)"]
    assert not (root / "out").exists()


def test_debug_shows_the_traceback(make_project, run_cli):
    root = make_project({BAD: VALID.replace("type: cta", "type: ctaa")})
    result = run_cli("--debug", "build", BAD, "--out", "out", cwd=root)
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "IssueError" in result.stderr and "unknown block type 'ctaa'" in result.stderr


BROKEN_SYNTAX = """\
{#- a cta with a typo -#}
    <mj-section>
{% if block.text %}
      {{ block.text }
{% endif %}
    </mj-section>
"""
BROKEN_RUNTIME = """\
    <mj-section>
      <mj-column>
        <mj-text>{{ no_such_name.title }}</mj-text>
      </mj-column>
    </mj-section>
"""


def test_template_syntax_error_names_the_override_file_and_line(make_project, run_cli):
    root = make_project({GOOD: VALID, "over/blocks/cta.mjml.j2": BROKEN_SYNTAX})
    lines = assert_clean_failure(run_cli("build", GOOD, "--out", "out", "--templates", "over", cwd=root), 1)
    assert lines == ["over/blocks/cta.mjml.j2:4:1: error: template syntax error: unexpected '}' (fix the template)"]
    assert not (root / "out").exists()


def test_template_runtime_error_names_the_override_file_and_line(make_project, run_cli):
    root = make_project({GOOD: VALID, "over/blocks/cta.mjml.j2": BROKEN_RUNTIME})
    lines = assert_clean_failure(run_cli("build", GOOD, "--out", "out", "--templates", "over", cwd=root), 1)
    assert len(lines) == 1
    assert lines[0].startswith("over/blocks/cta.mjml.j2:3:1: error: template error: ")
    assert "'no_such_name' is undefined" in lines[0]
    assert not (root / "out").exists()


def test_templates_key_in_newsletter_yaml_is_an_override_too(make_project, run_cli):
    root = make_project({GOOD: VALID, "mine/blocks/cta.mjml.j2": BROKEN_SYNTAX})
    with open(root / "newsletter.yaml", "a", encoding="utf-8") as config:
        config.write("templates: mine\n")
    lines = assert_clean_failure(run_cli("build", GOOD, "--out", "out", cwd=root), 1)
    assert lines[0].startswith("mine/blocks/cta.mjml.j2:4:1: error: template syntax error")


def test_one_bad_issue_means_nothing_is_written(make_project, run_cli):
    root = make_project({GOOD: VALID, BAD: VALID.replace(LABEL, "label: [5]")})
    lines = assert_clean_failure(run_cli("build", GOOD, BAD, "--out", "out", cwd=root), 1)
    assert len(lines) == 1 and lines[0].startswith(f"{BAD}:10:14: error: blocks[1].button.label:")
    assert not (root / "out").exists()


def test_a_failed_build_leaves_the_previous_output_untouched(make_project, run_cli):
    root = make_project({GOOD: VALID})
    assert run_cli("build", GOOD, "--out", "out", cwd=root).returncode == 0
    folder = root / "out" / "2021-12-good"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    (root / GOOD).write_text(VALID.replace(LABEL, "label: [Go]"), encoding="utf-8")
    assert_clean_failure(run_cli("build", GOOD, "--out", "out", cwd=root), 1)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # no temp files left either


def test_two_issues_with_one_slug_are_refused(make_project, run_cli):
    root = make_project({GOOD: VALID, "other/" + GOOD: VALID})
    result = run_cli("build", GOOD, "other/" + GOOD, "--out", "out", cwd=root)
    assert_clean_failure(result, 2)
    assert "share a slug" in result.stderr
    assert not (root / "out").exists()


def _oversized_issue() -> str:
    """The seed with its articles repeated: well past Gmail's 102,400-byte clip."""
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    articles = [b for b in data["blocks"] if b["type"] == "article"]
    data["blocks"] = data["blocks"][:-1] + articles * 4 + data["blocks"][-1:]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_gmail_clipping_fails_the_build_unless_allowed(make_project, run_cli):
    root = make_project({"issues/2021-12-huge.yaml": _oversized_issue()})
    lines = assert_clean_failure(run_cli("build", "issues/2021-12-huge.yaml", "--out", "out", cwd=root), 1)
    assert len(lines) == 1
    assert re.match(r"^issues/2021-12-huge\.yaml:\d+:\d+: error: gmail-clipping: the HTML is [\d,]+ bytes; "
                    r"Gmail clips messages over 102,400 \(", lines[0])
    assert not (root / "out").exists()

    allowed = run_cli("build", "issues/2021-12-huge.yaml", "--out", "out", "--allow-clipping", cwd=root)
    assert allowed.returncode == 0, allowed.stderr
    assert ": warning: gmail-clipping: the HTML is " in allowed.stderr
    size = len((root / "out" / "2021-12-huge" / "email.html").read_bytes())
    assert size > 102_400


def test_seed_builds_quietly_and_well_under_the_clip(seed_dist):
    assert seed_dist.stderr == ""
    size = len((seed_dist.folder / "email.html").read_bytes())
    assert seed_dist.stdout.strip() == (f"built {seed_dist.folder}/email.html ({size:,} bytes), "
                                        "email.txt, email.mjml")
    assert size < 92_160  # below even the warning threshold
    assert seed_dist.folder.name == SEED_SLUG


def _make_special(path, kind: str) -> None:
    """Put a ``kind`` of non-file at ``path`` (tests run as root, so permissions cannot make one unreadable)."""
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind == "folder":
        path.mkdir()
    elif kind == "broken link":
        path.symlink_to("nowhere.yaml")
    elif kind == "link loop":
        path.symlink_to(path.name)
    elif kind == "pipe":
        os.mkfifo(path)  # opening it for reading would block until a writer comes: must not hang


SPECIAL = {
    "folder": "is a folder",
    "broken link": "is a symbolic link to nowhere.yaml, which does not exist",
    "link loop": "is a symbolic link that leads back to itself (a loop)",
    "pipe": "is not a regular file (a pipe, socket or device)",
}


@pytest.mark.parametrize("kind", SPECIAL)
@pytest.mark.parametrize("verb", ["build", "check"])
def test_an_issue_that_is_no_readable_file_is_named_with_what_it_is(make_project, run_cli, kind, verb):
    root = make_project()
    _make_special(root / BAD, kind)
    expected = (f"this issue file {SPECIAL[kind]} ({PLAIN_FILE})" if kind in ("folder", "pipe") else
                f"this issue file {SPECIAL[kind]} (" + ("point the link at an existing file, or replace it by the "
                                                        "file)" if kind == "broken link" else
                                                        "replace the link by the file itself)"))
    lines = assert_clean_failure(run_cli(verb, BAD, "--out", "out", cwd=root, timeout=20)
                                 if verb == "build" else run_cli(verb, BAD, cwd=root, timeout=20), 2)
    assert lines == [f"{BAD}: error: {expected}"]  # alone; among others, check reports it as a finding (below)
    assert not (root / "out").exists()


def test_check_goes_on_past_an_unreadable_issue_and_writes_its_summary(make_project, run_cli):
    """One unreadable issue among several stopped the check of every other one, and no summary was written
    (CI's pull-request comment)."""
    root = make_project({GOOD: VALID, "issues/2021-12-other.yaml": VALID.replace("subject: Hello", "subject: Two")})
    _make_special(root / BAD, "pipe")
    result = run_cli("check", GOOD, BAD, "issues/2021-12-other.yaml", "--summary-file", "summary.md", cwd=root,
                     timeout=30)
    assert result.returncode == 2, result.stderr  # as for that file alone: an input that is no readable file
    assert result.stdout.splitlines() == [f"{BAD}: error: file: this issue file {SPECIAL['pipe']} ({PLAIN_FILE})"]
    assert f"{GOOD}: ok" in result.stderr and "issues/2021-12-other.yaml: ok" in result.stderr
    assert f"{BAD}: failed: 1 error, 0 warnings; not read" in result.stderr
    summary = (root / "summary.md").read_text(encoding="utf-8")
    assert "3 issues; 1 failed." in summary and "| `issues/2021-12-other.yaml` | Two |" in summary


@pytest.mark.parametrize("kind", ["folder", "pipe", "link loop"])
def test_a_newsletter_yaml_that_is_no_readable_file_is_named(make_project, run_cli, kind):
    root = make_project({GOOD: VALID})
    _make_special(root / "newsletter.yaml", kind)
    lines = assert_clean_failure(run_cli("build", GOOD, "--out", "out", cwd=root, timeout=20), 2)
    assert len(lines) == 1 and lines[0].startswith(f"newsletter.yaml: error: this settings file {SPECIAL[kind]} (")
    assert not (root / "out").exists()


def test_a_file_that_is_not_utf8_exits_1_at_its_line_and_column(make_project, run_cli):
    root = make_project()
    (root / BAD).write_bytes(VALID.replace("subject: Hello", "subject: H\xe9llo").encode("latin-1"))
    lines = assert_clean_failure(run_cli("build", BAD, "--out", "out", cwd=root), 1)
    assert lines == [f"{BAD}:1:11: error: the file is not UTF-8 text (byte 0xe9 here) "
                     "(save the file as UTF-8 in your editor (in 'Save as', choose the encoding UTF-8))"]


@pytest.mark.parametrize("text", ["language: " + "[" * 600 + "]" * 600, "language: &a [*a]"],
                         ids=["600 levels", "self alias"])
def test_deep_or_cyclic_yaml_is_located_without_a_recursion_error(make_project, run_cli, text):
    root = make_project({BAD: VALID.replace("language: en", text)})
    lines = assert_clean_failure(run_cli("build", BAD, "--out", "out", cwd=root), 1)
    assert len(lines) == 1 and lines[0].startswith(f"{BAD}:4:") and DIAGNOSTIC.match(lines[0])


def test_a_file_name_too_long_for_what_is_named_after_it_is_refused_by_check(make_project, run_cli, tmp_path):
    """A 240-letter slug passed check, then no build, send record or archive page could be written."""
    long_name = f"issues/2021-12-{'a' * 240}.yaml"
    root = make_project({long_name: VALID})
    checked = run_cli("check", long_name, cwd=root)
    assert checked.returncode == 1
    assert (f"{long_name}:1:1: error: schema: the file name is 248 characters long before .yaml, too long for the "
            "folders and records named after it (shorten the file name to at most 200 characters before .yaml)"
            in checked.stdout)
    (line,) = assert_clean_failure(run_cli("build", long_name, "--out", "out", cwd=root), 1)
    assert "shorten the file name to at most 200 characters" in line and not (root / "out").exists()
    # the other side of the limit: every name made from a 200-character one fits in 255 bytes (the send
    # record's temporary file is the longest)
    longest = f"issues/2021-12-{'a' * 192}.yaml"
    assert len(Path(longest).stem) == 200
    (root / long_name).rename(root / longest)
    assert run_cli("build", longest, "--out", "out", cwd=root).returncode == 0
    env = {**clean_env(), "NEWSLETTER_OUTBOX_DIR": str(tmp_path / "outbox")}
    sent = run_cli("send", longest, "--now", "--yes", cwd=root, env=env)
    assert sent.returncode == 0, sent.stderr
    assert [len(p.name) for p in (root / ".newsletter" / "sends").iterdir()] == [200 + len("--outbox--outbox.json")]
    archived = run_cli("archive", longest, "--base-url", "https://example.org/", "--out", "site", cwd=root)
    assert archived.returncode == 0, archived.stderr


@pytest.mark.parametrize("command", [["check"], ["build"], ["archive", "--base-url", "https://example.org/"],
                                     ["screenshot"], ["preview"], ["send", "--test", "--to",
                                                                              "me@example.net"]])
@pytest.mark.parametrize("name", [f"issues/2021-12-{'b' * 300}.yaml", f"issues/{'b' * 300}"])
def test_a_name_no_file_can_have_is_a_missing_file(make_project, run_cli, command, name):
    """Over 255 bytes, the system refuses the name itself (ENAMETOOLONG), which pathlib's is_dir() raises."""
    root = make_project({GOOD: VALID})
    (line,) = assert_clean_failure(run_cli(*command, name, cwd=root, env=clean_env()), 2)
    assert line.startswith("error: issue file") and "not found" in line, line


def test_debug_keeps_the_documented_exit_codes(make_project, run_cli):
    """--debug only adds the traceback: a missing file stays 2, an unreachable provider stays 3."""
    root = make_project({GOOD: VALID})
    missing = run_cli("--debug", "build", "issues/2021-12-nope.yaml", "--out", "out", cwd=root)
    assert missing.returncode == 2 and "Traceback (most recent call last)" in missing.stderr
    assert missing.stderr.rstrip().endswith("error: issue file not found: issues/2021-12-nope.yaml "
                                            "(check the path; issues live in issues/)")
    env = clean_env(NEWSLETTER_PROVIDER="smtp", NEWSLETTER_SMTP_HOST="127.0.0.1",
                    NEWSLETTER_SMTP_PORT=str(free_port()), NEWSLETTER_SMTP_SECURITY="none")
    refused = run_cli("--debug", "send", GOOD, "--test", "--to", "a@example.org", cwd=root, env=env)
    assert refused.returncode == 3, refused.stderr
    assert "Traceback (most recent call last)" in refused.stderr and "cannot connect" in refused.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_exits_130_with_one_line(make_project, stop):
    """SIGINT (or SIGTERM, which ended the process without its clean-up) while a send waits on a silent
    SMTP server: "interrupted", exit 130, no traceback."""
    root = make_project({GOOD: VALID})
    with socket.socket() as silent:  # accepts, never greets: the client blocks reading
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        silent.settimeout(60)
        env = {**os.environ, **clean_env(NEWSLETTER_PROVIDER="smtp", NEWSLETTER_SMTP_HOST="127.0.0.1",
                                         NEWSLETTER_SMTP_PORT=str(silent.getsockname()[1]),
                                         NEWSLETTER_SMTP_SECURITY="none", NEWSLETTER_SMTP_TIMEOUT="60")}
        process = subprocess.Popen([*newsletter_command(), "send", GOOD, "--test", "--to", "a@example.org"],
                                   cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            connection, _ = silent.accept()  # the send is now blocked inside the provider
            process.send_signal(stop)
            stdout, stderr = process.communicate(timeout=30)
            connection.close()
        finally:
            process.kill()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and stderr.strip().splitlines()[-1] == "interrupted"


def _pages(path) -> int:
    return -(-path.stat().st_size // PAGE)


def test_a_full_disk_mid_build_writes_none_of_the_issues_files(make_project, run_cli):
    """Room for email.html and email.txt but not email.mjml: before, those two were left behind."""
    root = make_project({GOOD: VALID})
    assert run_cli("build", GOOD, "--out", "measure", cwd=root).returncode == 0
    sizes = {p.name: _pages(p) for p in (root / "measure" / "2021-12-good").iterdir()}
    with tmpfs(root / "disk", sizes["email.html"] + sizes["email.txt"]) as disk:
        lines = assert_clean_failure(run_cli("build", GOOD, "--out", "disk/out", cwd=root), 4)
        assert lines == ["disk/out/2021-12-good/email.mjml: error: cannot write here: no space left on the disk "
                         "(the disk is full (or a file size limit applies): free some space, or choose another "
                         "--out folder; nothing was changed there)"]
        assert list(disk.iterdir()) == []  # no file, no staging folder, not even an empty out/


def test_a_full_disk_leaves_the_previous_build_intact(make_project, run_cli):
    root = make_project({GOOD: VALID})
    with tmpfs(root / "disk", 64) as disk:
        assert run_cli("build", GOOD, "--out", "disk", cwd=root).returncode == 0
        folder = disk / "2021-12-good"
        before = {p.name: p.read_bytes() for p in folder.iterdir()}
        free = os.statvfs(disk)
        (disk / "filler").write_bytes(b"x" * ((free.f_bavail - 1) * free.f_frsize))
        (root / GOOD).write_text(VALID.replace("title: Hello", "title: Hello again"), encoding="utf-8")
        assert_clean_failure(run_cli("build", GOOD, "--out", "disk", cwd=root), 4)
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
        assert sorted(p.name for p in disk.iterdir()) == ["2021-12-good", "filler"]


def test_a_read_only_out_folder_exits_4_and_names_it(make_project, run_cli):
    root = make_project({GOOD: VALID})
    with tmpfs(root / "ro", 4, read_only=True):
        lines = assert_clean_failure(run_cli("build", GOOD, "--out", "ro/dist", cwd=root), 4)
    assert lines == ["ro/dist: error: cannot write here: the folder is on a read-only disk (choose another --out folder; "
                     "nothing was changed there)"]


@pytest.mark.parametrize("out", ["afile", "afile/dist"])
def test_an_out_that_is_a_file_exits_4_and_names_it(make_project, run_cli, out):
    root = make_project({GOOD: VALID, "afile": "not a folder\n"})
    lines = assert_clean_failure(run_cli("build", GOOD, "--out", out, cwd=root), 4)
    assert len(lines) == 1 and lines[0].startswith(f"{out}: error: cannot write here: ")
    assert "remove" in lines[0] and (root / "afile").read_text() == "not a folder\n"


def test_a_file_size_limit_fails_cleanly_and_keeps_the_previous_build(make_project, run_cli):
    """RLIMIT_FSIZE (works without privileges): a write past the limit fails with EFBIG."""
    root = make_project({GOOD: VALID})
    assert run_cli("build", GOOD, "--out", "out", cwd=root).returncode == 0
    folder = root / "out" / "2021-12-good"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    limit = len(before["email.html"]) // 2  # email.html cannot be written; email.txt could
    (root / GOOD).write_text(VALID.replace("title: Hello", "title: Hello again"), encoding="utf-8")
    result = subprocess.run([*newsletter_command(), "build", GOOD, "--out", "out"], cwd=root, capture_output=True,
                            text=True, timeout=60,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    lines = assert_clean_failure(result, 4)
    assert lines[0].startswith("out/2021-12-good/email.html: error: cannot write here: the file is larger than")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(p.name for p in (root / "out").iterdir()) == ["2021-12-good"]


def test_files_get_the_mode_the_umask_gives(make_project, run_cli):
    """The temporary file is made with 0o666 and the kernel's umask (the umask is no longer set to read it)."""
    root = make_project({GOOD: VALID})
    result = subprocess.run([*newsletter_command(), "build", GOOD, "--out", "out"], cwd=root, capture_output=True,
                            text=True, timeout=60, preexec_fn=lambda: os.umask(0o027))
    assert result.returncode == 0, result.stderr
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in (root / "out" / "2021-12-good").iterdir()}
    assert modes == {"email.html": "0o640", "email.txt": "0o640", "email.mjml": "0o640"}


def test_a_dotenv_that_is_not_utf8_is_a_located_configuration_error(make_project, run_cli):
    root = make_project({GOOD: VALID})
    (root / ".env").write_bytes(b"NEWSLETTER_FROM_NAME=Caf\xe9 secret\n")
    result = run_cli("send", GOOD, "--test", "--to", "a@example.org", "--dry-run", cwd=root, env=clean_env())
    lines = assert_clean_failure(result, 2)
    assert lines == [".env:1:25: error: this .env file is not UTF-8 text "
                     "(save it as UTF-8 in your editor; the value there is not shown)"]


def _without_read_override() -> list[str]:
    """A command prefix under which a mode-000 file is unreadable, as it is for a normal user.

    Tests run as root here, and root reads any file; setpriv drops the two
    capabilities that allow it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH).
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv (util-linux): cannot make a file unreadable")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


@pytest.mark.parametrize("target", [BAD, "newsletter.yaml"])
def test_a_file_without_read_permission_is_named_with_a_fix(make_project, target):
    root = make_project({BAD: VALID})
    (root / target).chmod(0)
    result = subprocess.run([*_without_read_override(), *newsletter_command(), "build", BAD, "--out", "out"],
                            cwd=root, capture_output=True, text=True, timeout=60)
    what = "issue file" if target == BAD else "settings file"
    assert assert_clean_failure(result, 2) == [
        f"{target}: error: this {what} cannot be read: permission denied (allow yourself to read it, "
        f"e.g. chmod u+r {target})"]


def test_debug_tracebacks_are_redacted_too(make_project, run_cli):
    secret = "pw-9f8e7d6c5b4a"
    root = make_project()
    result = run_cli("--debug", "build", f"issues/{secret}.yaml", cwd=root,
                     env=clean_env(NEWSLETTER_SMTP_PASSWORD=secret))
    assert result.returncode == 2 and "Traceback (most recent call last)" in result.stderr
    assert secret not in result.stderr and "issues/********.yaml" in result.stderr
    (root / ".env").write_bytes(b"NAME=caf\xe9\n")  # unreadable .env: the environment's secrets are still redacted
    again = run_cli("--debug", "build", f"issues/{secret}.yaml", cwd=root, env=clean_env(NEWSLETTER_SMTP_PASSWORD=secret))
    assert again.returncode == 2 and secret not in again.stderr and "issues/********.yaml" in again.stderr


def test_an_out_that_is_a_link_loop_exits_4_and_names_it(make_project, run_cli):
    """Found by hand: Path.resolve() raised RuntimeError on the loop (an internal error, exit 70)."""
    root = make_project({GOOD: VALID})
    (root / "loop").symlink_to("loop")
    lines = assert_clean_failure(run_cli("build", GOOD, "--out", "loop", cwd=root), 4)
    assert lines == ["loop: error: cannot write here: a symbolic link that leads nowhere (or back to itself) is in "
                     "the way (replace it by a folder; nothing was changed there)"]


def test_a_folder_names_the_issues_in_it_for_build_and_check(make_project, run_cli):
    root = make_project({"issues/2021-12-a.yaml": HELLO_ISSUE, "issues/2021-12-b.yml": HELLO_ISSUE,
                         "issues/notes.txt": "not an issue", "empty/.keep": ""})
    built = run_cli("build", "issues", "--out", "out", cwd=root, env=clean_env())
    assert built.returncode == 0, built.stderr
    assert sorted(p.name for p in (root / "out").iterdir()) == ["2021-12-a", "2021-12-b"]
    checked = run_cli("check", "issues/", cwd=root, env=clean_env())
    assert checked.returncode == 0, checked.stderr
    assert "issues/2021-12-a.yaml" in checked.stderr + checked.stdout
    [line] = assert_clean_failure(run_cli("check", "empty", cwd=root, env=clean_env()), 2)
    assert "no issue files in empty" in line
    # the project's own folder: newsletter.yaml is no issue (it was checked as one)
    [line] = assert_clean_failure(run_cli("check", ".", cwd=root, env=clean_env()), 2)
    assert "no issue files in ." in line


def test_a_link_in_the_output_folder_is_replaced_never_followed(make_project, run_cli, tmp_path):
    """A link where a built file or an issue's folder goes wrote the email over whatever it pointed at."""
    root = make_project({GOOD: VALID})
    victim, elsewhere = tmp_path / "victim.txt", tmp_path / "elsewhere"
    victim.write_text("keep me\n", encoding="utf-8")
    elsewhere.mkdir()
    assert run_cli("build", GOOD, "--out", "dist", cwd=root).returncode == 0
    text = root / "dist" / "2021-12-good" / "email.txt"
    text.unlink()
    text.symlink_to(victim)
    assert run_cli("build", GOOD, "--out", "dist", cwd=root).returncode == 0
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert not text.is_symlink() and "HELLO" in text.read_text(encoding="utf-8")
    shutil.rmtree(root / "dist" / "2021-12-good")
    (root / "dist" / "2021-12-good").symlink_to(elsewhere, target_is_directory=True)
    assert run_cli("build", GOOD, "--out", "dist", cwd=root).returncode == 0
    assert list(elsewhere.iterdir()) == []
    folder = root / "dist" / "2021-12-good"
    assert not folder.is_symlink() and sorted(p.name for p in folder.iterdir()) == [
        "email.html", "email.mjml", "email.txt"]


def test_an_out_folder_that_is_a_link_is_followed_as_chosen(make_project, run_cli, tmp_path):
    root = make_project({GOOD: VALID})
    (tmp_path / "site").mkdir()
    (root / "public").symlink_to(tmp_path / "site", target_is_directory=True)
    assert run_cli("build", GOOD, "--out", "public", cwd=root).returncode == 0
    assert (tmp_path / "site" / "2021-12-good" / "email.html").is_file() and (root / "public").is_symlink()


def test_a_killed_builds_staging_folder_is_removed_by_the_next_build(make_project, run_cli):
    from newsletter_pipeline.output import STALE_S

    root = make_project({GOOD: VALID})
    assert run_cli("build", GOOD, "--out", "dist", cwd=root).returncode == 0
    stale, fresh = root / "dist" / ".2021-12-good.new-killed01", root / "dist" / ".2021-12-good.new-running1"
    for stage in (stale, fresh):
        stage.mkdir()
        (stage / ".email.html.0123.tmp").write_text("<!doctype html><html", encoding="utf-8")
    old = os.stat(stale).st_mtime - STALE_S - 60
    os.utime(stale, (old, old))
    other = root / "dist" / ".2021-12-other.new-killed01"  # another issue's: not this build's to judge
    other.mkdir()
    os.utime(other, (old, old))
    assert run_cli("build", GOOD, "--out", "dist", cwd=root).returncode == 0
    assert not stale.exists() and fresh.is_dir() and other.is_dir()


@pytest.mark.parametrize("args", [["check", "issues", "--format", "json"], ["schema"],
                                  ["send", "issues/2021-12-one-year-of-ai4media.yaml", "--now", "--dry-run"]])
@pytest.mark.parametrize("buffered", [True, False])
def test_a_reader_that_went_away_stops_the_command_quietly_with_141(make_project, args, buffered):
    """``newsletter check --format json | head -1``: it was an internal error (exit 70) naming BrokenPipeError."""
    from shared import newsletter_command

    root = make_project(seed=True)
    env = {**os.environ, **clean_env()}
    if buffered:
        env.pop("PYTHONUNBUFFERED", None)  # then the pipe breaks in the last flush, not in the first write
    else:
        env["PYTHONUNBUFFERED"] = "1"
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = subprocess.run([*newsletter_command(), *args], cwd=root, env=env, stdout=writer,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr) == (141, "")


LIST_SEND = ["send", "issues/2021-12-one-year-of-ai4media.yaml", "--now", "--yes", "--provider", "outbox"]
SUCCEEDED = ("so what the command printed is lost; the command itself succeeded: any file it wrote, any email it "
             "sent, is done (exit 120 says only that its output is lost)")


def _with_stdout(root, args: list[str], stdout: str) -> subprocess.CompletedProcess[str]:
    """A fresh process whose stdout is closed (``>&-``: Python sets ``sys.stdout`` to None) or /dev/full."""
    env = {**os.environ, **clean_env(NEWSLETTER_TEST_RECIPIENTS="a@example.org")}
    if stdout == "closed":
        return subprocess.run([*newsletter_command(), *args], cwd=root, env=env, stderr=subprocess.PIPE,
                              text=True, timeout=60, preexec_fn=lambda: os.close(1))
    with open("/dev/full", "w") as full:  # writing to the device, as a shell's > /dev/full does
        return subprocess.run([*newsletter_command(), *args], cwd=root, env=env, stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60)


@pytest.mark.parametrize("stdout", ["closed", "full"])
@pytest.mark.parametrize("args", [["build", "issues", "--out", "out"], ["schema"], ["new", "Next steps"],
                                  ["send", "issues/2021-12-one-year-of-ai4media.yaml", "--test"], LIST_SEND])
def test_a_stdout_that_cannot_be_written_is_said_after_the_work_with_120(make_project, args, stdout):
    """``newsletter send ISSUE --now --yes >&-`` sent, then said "internal error: AttributeError ... a bug"
    (exit 70); ``> /dev/full`` the same with OSError. The work is done, and said to be."""
    root = make_project(seed=True)
    done = _with_stdout(root, args, stdout)
    why = "stdout is closed" if stdout == "closed" else "stdout cannot be written (no space left on the disk)"
    assert done.returncode == 120, done.stderr
    assert done.stderr.strip().splitlines()[-1] == f"error: {why}, {SUCCEEDED}"
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    if args == LIST_SEND:  # the list send happened, once: a second one finds it in the ledger
        assert (root / "outbox" / "2021-12-one-year-of-ai4media" / "list.eml").is_file()
        assert list((root / ".newsletter").rglob("*.json"))
    if args[0] == "build":
        assert (root / "out" / "2021-12-one-year-of-ai4media" / "email.html").is_file()


@pytest.mark.parametrize("stdout", ["closed", "full"])
def test_a_failing_check_keeps_its_exit_code_when_stdout_cannot_be_written(make_project, stdout):
    root = make_project({BAD: VALID.replace("type: cta", "type: ctaa")})
    done = _with_stdout(root, ["check", BAD], stdout)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines()[-1].endswith(
        "so what the command printed is lost; the command itself failed (exit 1)")
    assert "internal error" not in done.stderr


def test_a_broken_pipe_that_is_not_stdout_is_an_internal_error_not_a_silent_exit_1() -> None:
    """Re-raised, such an error reached click, which exits 1 without a word for any EPIPE
    (``screenshot`` with a browser that had exited, before its own error existed)."""
    import click
    from click.testing import CliRunner

    from newsletter_pipeline.cli import reports_errors

    @click.command()
    @click.option("--debug", is_flag=True)
    @reports_errors
    def write_to_a_closed_pipe(debug: bool) -> None:
        reader, writer = os.pipe()
        os.close(reader)
        try:
            os.write(writer, b"x")
        finally:
            os.close(writer)

    result = CliRunner().invoke(write_to_a_closed_pipe, [])
    assert result.exit_code == 70, (result.exit_code, result.output)
    assert "internal error: BrokenPipeError" in result.output


@pytest.mark.parametrize("args, line", [
    (["build", SEED_IN_PROJECT, "--out"], "--out needs a folder name, e.g. --out dist"),
    (["build", SEED_IN_PROJECT, "--templates"], "--templates needs a folder name, e.g. --templates my-templates/"),
    (["archive", "--base-url", "https://news.example.org/", "--out"], "--out needs a folder name, e.g. --out site"),
    (["screenshot", SEED_IN_PROJECT, "--out"], "--out needs a folder name, e.g. --out screenshots"),
    (["check", SEED_IN_PROJECT, "--summary-file", "s.md", "--screenshots-dir"],
     "--screenshots-dir needs a folder name, e.g. --screenshots-dir screenshots"),
    (["new", "Next steps", "--from"], "--from needs a file name, e.g. --from issues/2024-05-my-issue.yaml"),
])
def test_an_empty_path_is_a_usage_error_naming_the_option(make_project, run_cli, args, line):
    """``Path('')`` is the working folder: ``build --out ''`` built into the project's own folder (exit 0),
    ``--templates ''`` took the project's folder as templates, ``new --from ''`` said ".: error: this issue file
    is a folder". An unset ``$VAR`` in a script gives such an empty name."""
    root = make_project(seed=True)
    before = sorted(root.rglob("*"))
    lines = assert_clean_failure(run_cli(*args, "", cwd=root, env=clean_env()), 2)
    assert lines[-1] == f"Error: {line}"
    assert sorted(root.rglob("*")) == before


CLICKS_OWN = [["--version"], ["--help"], ["-h"], ["check", "--help"], ["build", "--help"]]


@pytest.mark.parametrize("stdout", ["closed", "full", "reader gone"])
@pytest.mark.parametrize("args", CLICKS_OWN)
def test_help_and_version_to_a_stdout_that_fails_end_as_a_command_does(tmp_path, args, stdout):
    """click prints these while it parses, before ``reports_errors``: ``--version > /dev/full`` was a
    traceback ending in OSError (exit 1), ``--help >&-`` exit 0 without a word, ``--help | true`` exit 1."""
    env = {**os.environ, **clean_env()}
    run = partial(subprocess.run, [*newsletter_command(), *args], cwd=tmp_path, env=env, stderr=subprocess.PIPE,
                  text=True, timeout=60)
    if stdout == "closed":
        done = run(preexec_fn=lambda: os.close(1))
    elif stdout == "full":
        with open(full_device(tmp_path), "w") as full:
            done = run(stdout=full)
    else:
        reader, writer = os.pipe()
        os.close(reader)
        try:
            done = run(stdout=writer)
        finally:
            os.close(writer)
    if stdout == "reader gone":
        assert (done.returncode, done.stderr) == (141, "")
        return
    why = "stdout is closed" if stdout == "closed" else "stdout cannot be written (no space left on the disk)"
    assert (done.returncode, done.stderr) == (120, f"error: {why}, {SUCCEEDED}\n")
