"""``newsletter init DIR``: a new project that builds and passes ``check --strict``, from real CLI processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from shared import REPO, assert_clean_failure, clean_env, tmpfs

from newsletter_pipeline.commands.init import STARTER

STARTER_FILES = ["newsletter.yaml", "images/README.md", "schema/issue.schema.json", "schema/settings.schema.json",
                 ".env.example", ".gitignore", ".github/workflows/newsletter.yml", "requirements.txt", "README.md"]


def starter_issue(project: Path) -> Path:
    (issue,) = sorted((project / "issues").glob("*.yaml"))
    return issue


def test_a_new_project_builds_and_passes_check_strict(run_cli, tmp_path):
    project = tmp_path / "x"
    made = run_cli("init", str(project), "--name", "Example Weekly", env=clean_env())
    assert made.returncode == 0, made.stderr
    for name in STARTER_FILES:
        assert (project / name).is_file(), name
    issue = starter_issue(project)
    assert issue.name.endswith("-welcome.yaml")
    built = run_cli("build", str(issue.relative_to(project)), cwd=project, env=clean_env())
    assert built.returncode == 0, built.stderr
    assert "Example Weekly" in (project / "dist" / issue.stem / "email.html").read_text(encoding="utf-8")
    checked = run_cli("check", "--strict", str(issue.relative_to(project)), cwd=project, env=clean_env())
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 errors, 0 warnings" in checked.stderr
    # the editor's schema line points at the schema init wrote
    assert issue.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../schema/issue.schema.json")


def test_a_language_without_a_catalogue_is_named_at_init(run_cli, tmp_path):
    """init --language tr said nothing, and its starter then failed check --strict on the language warning."""
    made = run_cli("init", str(tmp_path / "tr"), "--name", "Kış Bülteni", "--language", "tr", env=clean_env())
    assert made.returncode == 0, made.stderr
    assert "note: tr has no catalogue: the built-in words (footer, labels) are written in English until you " \
           "write them under strings: tr: in newsletter.yaml" in made.stderr
    german = run_cli("init", str(tmp_path / "de"), "--name", "Winterbrief", "--language", "de", env=clean_env())
    assert german.returncode == 0 and "no catalogue" not in german.stderr


def test_options_are_written_as_one_value_each_whatever_they_hold(run_cli, tmp_path):
    project = tmp_path / "y"
    name = 'Nachrichten: "Wien" # 1'
    made = run_cli("init", str(project), "--name", name, "--sender-email", "news@wien.example.at",
                   "--postal-address", "Ring 1, 1010 Wien, Österreich", "--language", "de", env=clean_env())
    assert made.returncode == 0, made.stderr
    import yaml

    settings = yaml.safe_load((project / "newsletter.yaml").read_text(encoding="utf-8"))
    assert settings["name"] == name and settings["sender"] == {"name": name, "email": "news@wien.example.at"}
    assert settings["postal_address"] == "Ring 1, 1010 Wien, Österreich"
    issue = yaml.safe_load(starter_issue(project).read_text(encoding="utf-8"))
    assert issue["language"] == "de"
    assert issue["subject"] == f"Willkommen bei {name}"  # the starter's words in the chosen language
    checked = run_cli("check", "--strict", str(starter_issue(project)), cwd=project, env=clean_env())
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_month_is_written_in_the_chosen_language():
    import datetime as dt

    from newsletter_pipeline.commands.init import Answers, files

    text = files(Answers("Nouvelles", language="fr"), dt.date(2027, 3, 1))["issues/2027-03-welcome.yaml"]
    assert "mars 2027" in text and '"Bienvenue dans Nouvelles"' in text  # CLDR's month, the catalogue's words


def test_existing_files_are_never_overwritten(run_cli, tmp_path):
    project = tmp_path / "z"
    project.mkdir()
    (project / "README.md").write_text("our own readme\n", encoding="utf-8")
    (project / ".gitignore").write_text("mine\n", encoding="utf-8")
    result = run_cli("init", str(project), "--name", "Example Weekly", env=clean_env())
    (line,) = assert_clean_failure(result, 2)
    assert ".gitignore" in line and "README.md" in line and "never overwrites" in line
    assert sorted(p.name for p in project.iterdir()) == [".gitignore", "README.md"]  # nothing written
    assert (project / "README.md").read_text(encoding="utf-8") == "our own readme\n"


def test_a_failure_half_way_leaves_nothing_behind(run_cli, tmp_path):
    """A file where init needs a folder (.github) fails the write of the workflow, after other files were
    written: exit 4, naming the path, and the files and folders init made are gone again."""
    project = tmp_path / "half"
    project.mkdir()
    (project / ".github").write_text("not a folder\n", encoding="utf-8")
    result = run_cli("init", str(project), "--name", "Example Weekly", env=clean_env())
    assert result.returncode == 4 and "Traceback" not in result.stderr and result.stdout == ""
    assert ".github" in result.stderr
    assert "choose another folder: newsletter init OTHER-DIR" in result.stderr and "--out" not in result.stderr
    assert sorted(p.name for p in project.iterdir()) == [".github"]


def test_a_read_only_folder_is_named_with_a_fix_init_has(run_cli, tmp_path):
    """It said "choose another --out folder", an option init does not have."""
    with tmpfs(tmp_path / "ro", 4, read_only=True):
        result = run_cli("init", "ro/x", "--name", "Example Weekly", cwd=tmp_path, env=clean_env())
        assert assert_clean_failure(result, 4) == [
            "ro/x: error: cannot write here: the folder is on a read-only disk (choose another folder: "
            "newsletter init OTHER-DIR; nothing was changed there)"]


def test_init_twice_refuses_the_second_time(run_cli, tmp_path):
    project = tmp_path / "twice"
    assert run_cli("init", str(project), "--name", "A", env=clean_env()).returncode == 0
    before = (project / "newsletter.yaml").read_text(encoding="utf-8")
    result = run_cli("init", str(project), "--name", "B", env=clean_env())
    (line,) = assert_clean_failure(result, 2)
    assert line.startswith("error: ") and not line.startswith("error: error"), line
    assert (project / "newsletter.yaml").read_text(encoding="utf-8") == before


@pytest.mark.parametrize("option, value, words", [
    ("--sender-email", "not an address", "not an email address"),
    ("--language", "English", "language code"),
    ("--name", "Two\tparts", "one line of text"),
])
def test_bad_answers_are_refused_before_anything_is_written(run_cli, tmp_path, option, value, words):
    args = ["--name", "Example Weekly", option, value] if option != "--name" else ["--name", value]
    result = run_cli("init", str(tmp_path / "bad"), *args, env=clean_env())
    (line,) = assert_clean_failure(result, 2)
    assert option in line and words in line
    assert line.startswith(f"error: {option}"), line  # once: the message used to read "error: error: ..."
    assert not (tmp_path / "bad").exists()


def test_without_a_terminal_the_name_is_required(run_cli, tmp_path):
    result = run_cli("init", str(tmp_path / "p"), input="", env=clean_env())
    assert result.returncode == 2 and "--name" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "p").exists()


def test_on_a_terminal_it_asks(tmp_path):
    """A real pseudo-terminal: the prompts come, the answers land in newsletter.yaml."""
    import pty

    project = tmp_path / "asked"
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI on the terminal
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "newsletter_pipeline", "init", str(project)],
                  {**os.environ, **clean_env()})
    answers = iter([b"Terminal Times\n", b"times@example.net\n", b"Main Square 2, 2000 Town\n", b"\n"])
    seen = b""
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
        if seen.rstrip().endswith((b":", b"]:")):
            os.write(fd, next(answers, b"\n"))
            seen = b""
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    text = (project / "newsletter.yaml").read_text(encoding="utf-8")
    assert '"Terminal Times"' in text and '"times@example.net"' in text and '"Main Square 2, 2000 Town"' in text


def test_the_workflow_validates_against_githubs_schema(run_cli, tmp_path):
    project = tmp_path / "wf"
    assert run_cli("init", str(project), "--name", "Example Weekly", env=clean_env()).returncode == 0
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows",
                             str(project / ".github" / "workflows" / "newsletter.yml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_is_the_repositorys_with_the_install_step_for_a_project():
    """The starter's workflow may not drift from the one this repository runs: only what installs
    the tool differs (a project has requirements.txt, not this repository's pyproject.toml)."""
    ours = (REPO / ".github" / "workflows" / "newsletter.yml").read_text(encoding="utf-8")
    starter = (STARTER / "workflow.yml").read_text(encoding="utf-8")
    body = ours[ours.index("\nname: "):]
    expected = (body.replace("cache-dependency-path: pyproject.toml", "cache-dependency-path: requirements.txt")
                .replace("run: python -m pip install -e .", "run: python -m pip install -r requirements.txt"))
    assert expected != body  # the replacements found what they replace
    assert starter[starter.index("\nname: "):] == expected


def test_the_workflows_newsletter_commands_exist():
    """Every `newsletter` call in the starter's workflow parses with the CLI (as the repository's does)."""
    import yaml

    from newsletter_pipeline.cli import main

    data = yaml.safe_load((STARTER / "workflow.yml").read_text(encoding="utf-8"))
    scripts = [s["run"] for job in data["jobs"].values() for s in job["steps"] if "run" in s]
    calls = [line.strip().split() for script in scripts for line in script.splitlines()
             if line.strip().startswith("newsletter ")]
    assert {call[1] for call in calls} >= {"changed", "build", "screenshot", "check", "send"}
    for call in calls:
        assert call[1] in main.commands, call


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_init_works_from_a_wheel_outside_the_repository(tmp_path):
    """The starter files ship inside the wheel: built with hatchling, installed into a fresh venv
    (with this environment's packages for the dependencies: no network), run from elsewhere."""
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation",
                            "-w", str(wheels), "-q"], capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("newsletter_pipeline-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # the dependencies come from this environment (a .pth), the package itself only from the wheel
    import sysconfig
    import zipfile

    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    zipfile.ZipFile(wheel).extractall(site)
    ours = Path(sysconfig.get_paths()["purelib"])
    (site / "deps.pth").write_text(f"{ours}\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**clean_env(), "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    where = subprocess.run([str(python), "-c", "import newsletter_pipeline; print(newsletter_pipeline.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert str(site) in where.stdout, where.stdout + where.stderr  # the wheel's copy, not the source tree
    cli = [str(python), "-m", "newsletter_pipeline"]
    made = subprocess.run([*cli, "init", "proj", "--name", "Wheel Weekly"], cwd=elsewhere, env=env,
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    project = elsewhere / "proj"
    checked = subprocess.run([*cli, "check", "--strict", str(starter_issue(project))], cwd=project, env=env,
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
