"""A ``.env`` that does not parse, or is no file, stops every command that reads it (through the real CLI).

python-dotenv skipped a line it could not parse (with a log line of its own)
and the CLI skipped a ``.env`` that was no regular file: ``NEWSLETTER_PROVIDER =
"listmonk`` (a quote never closed) sent to the list through the outbox, exit 0.
Now each bad line is named at its line and column, with the variable but
never the value, and the run stops with the configuration exit code, 2.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from shared import FUTURE_SCHEDULE, SEED_IN_PROJECT, assert_clean_failure, clean_env

SECRET = "tok-5f4e3d2c1b0a"

# .env text -> the lines the CLI prints (all of a file's problems at once)
BROKEN = {
    "unclosed quote": (
        "NEWSLETTER_OUTBOX_DIR=sent\nNEWSLETTER_PROVIDER = \"listmonk\nLISTMONK_URL=https://lists.example.org\n",
        [".env:2:23: error: NEWSLETTER_PROVIDER: the value's opening quote (\") is never closed (add the closing \" "
         "at the end of the value, or remove the opening one)"]),
    "text after the quote": (
        "NEWSLETTER_TEST_RECIPIENTS=\"me@example.org\" , you@example.org\n",
        [".env:1:45: error: NEWSLETTER_TEST_RECIPIENTS: there is text after the value's closing quote (\") (put the "
         "whole value inside the quotes, or remove what follows them; a comment after a value starts with a space "
         "and #)"]),
    "quote closed on a later line": (
        "  NEWSLETTER_PROVIDER='listmonk\nLISTMONK_URL='https://lists.example.org'\n",
        [".env:1:23: error: NEWSLETTER_PROVIDER: the value's opening quote (') is not closed on this line: the value "
         "runs on to the next ', on line 2 (add the closing ' at the end of this line's value)"]),
    "a password on a line of its own": (
        f"NEWSLETTER_SMTP_USERNAME=me\n{SECRET}\n",
        [".env:2:" + str(len(SECRET) + 1) + ": error: this line is not NAME=value: there is no '=' after the "
         "name (write one setting per line as NAME=value, e.g. NEWSLETTER_PROVIDER=smtp; a line starting with # "
         "is a comment)"]),
    "every problem at once": (
        "# settings\n\nNEWSLETTER_PROVIDER: listmonk\nNEWSLETTER_FROM_NAME:Lab\nNEWSLETTER SMTP_HOST=x\n=smtp\n"
        f"{SECRET}:x\nLISTMONK_TOKEN='{SECRET}\\'\n",
        [".env:3:20: error: NEWSLETTER_PROVIDER: this line has ':' where a .env needs '=' (write "
         "NEWSLETTER_PROVIDER=value, with '=' in place of ':')",
         ".env:4:21: error: NEWSLETTER_FROM_NAME: this line has ':' where a .env needs '=' (write "
         "NEWSLETTER_FROM_NAME=value, with '=' in place of ':')",
         ".env:5:1: error: the name before the '=' is more than one word (a name is one word without spaces: "
         "write NAME=value, e.g. NEWSLETTER_PROVIDER=smtp)",
         ".env:6:1: error: there is no name before the '=' (write one setting per line as NAME=value, e.g. "
         "NEWSLETTER_PROVIDER=smtp; a line starting with # is a comment)",
         ".env:7:17: error: this line has ':' where a .env needs '=' (write NAME=value, with '=' in place of ':')",
         ".env:8:16: error: LISTMONK_TOKEN: the value's opening quote (') is never closed (add the closing ' at "
         "the end of the value, or remove the opening one; a \\' inside the value does not close it)"]),
}

COMMANDS = {
    "list send": ["send", SEED_IN_PROJECT, "--now", "--yes"],
    "test send": ["send", SEED_IN_PROJECT, "--test"],
    "dry run": ["send", SEED_IN_PROJECT, "--schedule", FUTURE_SCHEDULE, "--dry-run"],
    "changed since": ["send", "--test", "--changed-since", "HEAD~1"],
    "check": ["check", SEED_IN_PROJECT],
}


@pytest.fixture
def project(make_project) -> Path:
    return make_project(seed=True)


def nothing_written(project: Path) -> bool:
    return sorted(p.name for p in project.iterdir()) == [".env", "issues", "newsletter.yaml"]


def run(run_cli, project: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60
        ) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=project, env=clean_env() if env is None else env, timeout=timeout)


def git_project(project: Path) -> None:
    """``project`` as a git repository whose last commit adds the seed, for ``--changed-since HEAD~1``."""
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    for args in (["init", "-q"], ["add", "newsletter.yaml"], ["commit", "-qm", "settings"], ["add", "issues"],
                 ["commit", "-qm", "the seed"]):
        subprocess.run([*git, *args], cwd=project, check=True, capture_output=True)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_dotenv_line_that_does_not_parse_stops_a_list_send_at_its_line(run_cli, project, case):
    text, expected = BROKEN[case]
    (project / ".env").write_text(text, encoding="utf-8")
    lines = assert_clean_failure(run(run_cli, project, *COMMANDS["list send"]), 2)
    assert lines == expected
    assert SECRET not in "\n".join(lines)  # a value is never shown: it may be a secret
    assert nothing_written(project)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_that_reads_dotenv_refuses_a_broken_one(run_cli, project, command):
    (project / ".env").write_text(BROKEN["unclosed quote"][0], encoding="utf-8")
    if command == "changed since":
        git_project(project)
    result = run(run_cli, project, *COMMANDS[command])
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert BROKEN["unclosed quote"][1][0] in result.stderr.splitlines()  # --changed-since adds its table
    assert not (project / "outbox").exists() and not (project / ".newsletter").exists()


def test_a_broken_recipients_line_is_not_replaced_by_the_default_recipient(run_cli, project):
    """Found by the tester: the test went to test-recipient@newsletter-pipeline.invalid instead, exit 0."""
    (project / ".env").write_text('NEWSLETTER_TEST_RECIPIENTS="me@example.org, you@example.org\n', encoding="utf-8")
    env = {k: v for k, v in clean_env().items() if k != "NEWSLETTER_TEST_RECIPIENTS"}
    lines = assert_clean_failure(run(run_cli, project, *COMMANDS["test send"], env=env), 2)
    assert lines == [".env:1:28: error: NEWSLETTER_TEST_RECIPIENTS: the value's opening quote (\") is never closed "
                     "(add the closing \" at the end of the value, or remove the opening one)"]
    assert nothing_written(project)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "NEWSLETTER_PROVIDER").write_text("listmonk\n", encoding="utf-8")


def _huge(path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("NEWSLETTER_PROVIDER=listmonk\n")
        handle.write(("# " + "x" * 1022 + "\n") * 1100)  # about 1.1 MB


NOT_A_FILE = {
    "a pipe": (_fifo, "this .env is not a regular file (a pipe, socket or device) (it must be a plain text file of "
                      "NAME=value lines: replace it by one, or remove it)"),
    "a folder": (_folder, "this .env is a folder (it must be a plain text file of NAME=value lines: replace it by "
                          "one, or remove it)"),
    "a link to a device": (lambda path: path.symlink_to("/dev/zero"),
                           "this .env is not a regular file (a pipe, socket or device) (it must be a plain text "
                           "file of NAME=value lines: replace it by one, or remove it)"),
    "a broken link": (lambda path: path.symlink_to("settings.env"),
                      "this .env is a symbolic link to settings.env, which does not exist (point the link at your "
                      "settings file, or replace it by the file)"),
    "a link loop": (lambda path: path.symlink_to(".env"),
                    "this .env is a symbolic link that leads back to itself (a loop) (replace the link by the file "
                    "itself)"),
    "huge": (_huge, "this .env is 1,127,529 bytes, more than 1,048,576 (a .env holds a few lines of NAME=value "
                    "settings: remove what was pasted into it by mistake)"),
}


@pytest.mark.parametrize("kind", sorted(NOT_A_FILE))
@pytest.mark.parametrize("command", ["list send", "check"])
def test_a_dotenv_that_is_no_regular_file_is_refused_by_its_path_without_hanging(run_cli, project, kind, command):
    make, reason = NOT_A_FILE[kind]
    make(project / ".env")
    lines = assert_clean_failure(run(run_cli, project, *COMMANDS[command], timeout=30), 2)  # a pipe never hangs
    assert lines == [f".env: error: {reason}"]
    assert nothing_written(project)


def test_a_link_to_a_dotenv_file_is_read(run_cli, project):
    """Against the test above refusing every link: a .env shared by a link works as the file itself."""
    (project / "shared.env").write_text("NEWSLETTER_OUTBOX_DIR=through-the-link\n", encoding="utf-8")
    (project / ".env").symlink_to("shared.env")
    env = {k: v for k, v in clean_env().items() if k != "NEWSLETTER_OUTBOX_DIR"}
    result = run(run_cli, project, *COMMANDS["list send"], env=env)
    assert result.returncode == 0, result.stderr
    assert (project / "through-the-link").is_dir()


def test_every_form_python_dotenv_documents_still_reads(run_cli, project):
    """Comments, export, quotes, escapes, ``${VAR}``, a name alone and blank lines are no errors."""
    (project / ".env").write_text(
        "# the outbox, for this test\n\n  export NEWSLETTER_OUTBOX_DIR='out box'  # a comment\n"
        "NEWSLETTER_FROM_NAME=\"Lab \\\"News\\\"\"\nTEAM=me@example.org\n"
        "NEWSLETTER_TEST_RECIPIENTS=${TEAM},you@example.org\nNEWSLETTER_REPLY_TO= # unset\n"
        "A_NAME_ALONE\nNEWSLETTER_LIST_UNSUBSCRIBE=mailto:off@example.org?subject=#off\n", encoding="utf-8")
    used = {"NEWSLETTER_OUTBOX_DIR", "NEWSLETTER_FROM_NAME", "NEWSLETTER_TEST_RECIPIENTS",
            "NEWSLETTER_LIST_UNSUBSCRIBE"}
    result = run(run_cli, project, *COMMANDS["test send"], env={k: v for k, v in clean_env().items() if k not in used})
    assert result.returncode == 0, result.stderr
    sent = project / "out box" / "2021-12-one-year-of-ai4media"
    assert sorted(p.name for p in sent.iterdir()) == ["me@example.org.eml", "you@example.org.eml"]
    message = (sent / "me@example.org.eml").read_text(encoding="utf-8")
    assert 'From: "Lab \\"News\\"" <' in message
    assert "List-Unsubscribe: <mailto:off@example.org?subject=#off>" in message


def test_a_broken_dotenv_still_has_its_secrets_redacted(run_cli, project):
    """The error is about line 2; the token of line 1 must still be hidden wherever it shows up."""
    (project / ".env").write_text(f"LISTMONK_TOKEN={SECRET}\nNEWSLETTER_PROVIDER=\"listmonk\n", encoding="utf-8")
    env = {k: v for k, v in clean_env().items() if k != "LISTMONK_TOKEN"}
    result = run(run_cli, project, "--debug", "build", f"issues/{SECRET}.yaml", env=env)
    assert result.returncode == 2 and "Traceback" in result.stderr
    assert SECRET not in result.stderr and "issues/********.yaml" in result.stderr


ELSEWHERE = ("NEWSLETTER_PROVIDER=listmonk\nLISTMONK_URL=https://lists.example.org\nLISTMONK_USERNAME=api\n"
             f"LISTMONK_TOKEN={SECRET}\nLISTMONK_LIST_IDS=9\n")
FROM_DOTENV = {"NEWSLETTER_PROVIDER", "LISTMONK_URL", "LISTMONK_USERNAME", "LISTMONK_TOKEN", "LISTMONK_LIST_IDS"}


def elsewhere(project: Path) -> Path:
    """A folder beside ``project`` whose own ``.env`` names another provider and list."""
    folder = project.parent / "elsewhere"
    folder.mkdir()
    (folder / ".env").write_text(ELSEWHERE, encoding="utf-8")
    return folder


def test_a_send_from_another_folder_never_reads_that_folders_dotenv(run_cli, project):
    """Found by the tester: with no .env in the project, the working folder's .env chose Listmonk and its list."""
    env = {k: v for k, v in clean_env().items() if k not in FROM_DOTENV}
    result = run_cli("send", str(project / SEED_IN_PROJECT), "--now", "--dry-run", cwd=elsewhere(project), env=env)
    assert result.returncode == 0, result.stderr
    assert "provider:   outbox" in result.stdout and "listmonk" not in result.stdout


def test_a_check_from_another_folder_names_the_projects_provider(run_cli, project):
    env = {k: v for k, v in clean_env().items() if k not in FROM_DOTENV}
    result = run_cli("check", str(project / SEED_IN_PROJECT), cwd=elsewhere(project), env=env)
    assert result.returncode == 0, result.stderr
    assert "a list send through outbox" in result.stderr and "listmonk" not in result.stderr


def test_the_projects_own_dotenv_is_read_from_any_folder(run_cli, project):
    """Against the two tests above passing because no .env is read at all."""
    (project / ".env").write_text(f"NEWSLETTER_PROVIDER=brevo\nBREVO_API_KEY={SECRET}\nBREVO_LIST_IDS=7\n",
                                  encoding="utf-8")
    env = {k: v for k, v in clean_env().items() if not k.startswith(("BREVO_", "NEWSLETTER_PROVIDER"))}
    result = run_cli("send", str(project / SEED_IN_PROJECT), "--now", "--dry-run", cwd=elsewhere(project), env=env)
    assert result.returncode == 0, result.stderr
    assert "provider:   brevo" in result.stdout and "lists=7" in result.stdout
