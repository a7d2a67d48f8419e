"""The Jinja bytecode cache is the user's own folder, and a folder that another user could write
is never used: the build then runs without a cache, never fails, and writes nothing there.

Jinja's default, ``$TMPDIR/_jinja2-cache-<uid>``, is a name anyone can create first; a link
or a foreign folder there made every build fail. Every case is a real ``newsletter build``.
"""

from __future__ import annotations

import os
import stat

import pytest

from archive_helpers import issue_yaml
from shared import clean_env

ISSUE = "issues/2022-01-hello.yaml"
FOREIGN_UID = 4242


@pytest.fixture
def project(make_project):
    return make_project({ISSUE: issue_yaml("Hello", "2022-01-10")})


def build(run_cli, root, **env: str):
    result = run_cli("build", ISSUE, "--out", "out", cwd=root, env=clean_env(**env), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def listing(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_fresh_cache_folder_is_private_and_filled(project, run_cli, tmp_path):
    build(run_cli, project, XDG_CACHE_HOME=str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "newsletter-pipeline"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert any(name.endswith(".cache") for name in listing(folder))  # the cache is used when it is safe


def test_jinjas_predictable_temp_folder_is_no_longer_used(project, run_cli, tmp_path):
    """A link planted at $TMPDIR/_jinja2-cache-<uid> made every build fail with a traceback."""
    temp = tmp_path / "tmp"
    elsewhere = tmp_path / "elsewhere"
    temp.mkdir()
    elsewhere.mkdir()
    (temp / f"_jinja2-cache-{os.getuid()}").symlink_to(elsewhere, target_is_directory=True)
    build(run_cli, project, TMPDIR=str(temp), XDG_CACHE_HOME=str(tmp_path / "cache"))
    assert listing(elsewhere) == []


def hostile(kind: str, tmp_path):
    """Something at $XDG_CACHE_HOME/newsletter-pipeline that is not ours alone; returns what to watch."""
    cache = tmp_path / "cache"
    cache.mkdir()
    target = cache / "newsletter-pipeline"
    if kind == "link":
        watched = tmp_path / "elsewhere"
        watched.mkdir()
        target.symlink_to(watched, target_is_directory=True)
        return cache, watched
    if kind == "file":
        target.write_text("not a folder\n", encoding="utf-8")
        return cache, cache
    target.mkdir()
    if kind == "world-writable":
        target.chmod(0o777)
    elif kind == "foreign-owner":
        os.chown(target, FOREIGN_UID, FOREIGN_UID)
    elif kind == "swappable-parent":  # another user could rename our folder away and put theirs
        cache.chmod(0o777)
    return cache, target


# a folder of another user can only be made by root: the case is left out, not skipped, otherwise
KINDS = ["link", "file", "world-writable", "swappable-parent"] + (["foreign-owner"] if os.geteuid() == 0 else [])


@pytest.mark.parametrize("kind", KINDS)
def test_a_cache_folder_others_could_write_is_not_used_and_the_build_works(project, run_cli, tmp_path, kind):
    cache, watched = hostile(kind, tmp_path)
    before = listing(watched)
    build(run_cli, project, XDG_CACHE_HOME=str(cache))
    assert listing(watched) == before
    assert (project / "out" / "2022-01-hello" / "email.html").is_file()
