"""Bad input to ``newsletter archive``: located errors, distinct exit codes, nothing half-written."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from archive_helpers import BASE, issue_yaml, make_site_project
from shared import assert_clean_failure, newsletter_command, run_newsletter

GOOD = issue_yaml("Good", "2022-01-10")
BAD = """\
subject: Broken
date: 2022-13-40
languag: en
blocks:
  - type: articel
    title: x
"""
DIAGNOSTIC = re.compile(r"^\S+:\d+:\d+: error: \S")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NEWSLETTER_ARCHIVE_URL"}
    return run_newsletter(list(args), cwd=cwd, env=env)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_bad_issue_gives_the_same_located_errors_as_build_and_writes_nothing(tmp_path):
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD, "2022-02-bad.yaml": BAD})
    archived = cli("archive", "--out", "site", "--base-url", BASE, cwd=root)
    lines = assert_clean_failure(archived, 1)
    built = cli("build", "issues/2022-02-bad.yaml", "--out", "dist", cwd=root)
    assert built.returncode == 1
    assert lines == built.stderr.strip().splitlines()
    assert lines and all(DIAGNOSTIC.match(line) for line in lines)
    assert any(line.startswith("issues/2022-02-bad.yaml:3:1: error: languag") for line in lines)
    assert not (root / "site").exists()
    assert sorted(p.name for p in root.iterdir()) == ["issues", "newsletter.yaml"]


def test_a_failed_update_leaves_the_published_site_as_it_was(tmp_path):
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD})
    assert cli("archive", "--out", "site", "--base-url", BASE, cwd=root).returncode == 0
    before = snapshot(root / "site")
    (root / "issues" / "2022-01-good.yaml").write_text(GOOD.replace("Good", "Better"), encoding="utf-8")
    (root / "issues" / "2022-02-bad.yaml").write_text(BAD, encoding="utf-8")
    assert_clean_failure(cli("archive", "--out", "site", "--base-url", BASE, cwd=root), 1)
    assert snapshot(root / "site") == before
    assert sorted(p.name for p in root.iterdir()) == ["issues", "newsletter.yaml", "site"]


def test_two_issues_with_one_slug_are_refused_at_the_second(tmp_path):
    root = make_site_project(tmp_path / "p", {"2022-01-same.yaml": GOOD, "2022-01-same.yml": GOOD})
    lines = assert_clean_failure(cli("archive", "--out", "site", "--base-url", BASE, cwd=root), 1)
    assert lines == ["issues/2022-01-same.yml:1:1: error: slug: slug '2022-01-same' is already used by "
                     "issues/2022-01-same.yaml (each issue needs its own file name; rename one of them)"]
    assert not (root / "site").exists()


def test_duplicate_slugs_across_folders_and_bad_files_are_reported_together(tmp_path):
    root = make_site_project(tmp_path / "p", {"2022-01-same.yaml": GOOD, "2022-02-bad.yaml": BAD})
    (root / "drafts").mkdir()
    (root / "drafts" / "2022-01-same.yaml").write_text(GOOD, encoding="utf-8")
    result = cli("archive", "issues", "drafts", "--out", "site", "--base-url", BASE, cwd=root)
    lines = assert_clean_failure(result, 1)
    assert any(line.startswith("drafts/2022-01-same.yaml:1:1: error: slug:") for line in lines)
    assert any(line.startswith("issues/2022-02-bad.yaml:") for line in lines)


def test_no_base_url_anywhere_is_a_configuration_error_naming_every_place(tmp_path):
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD})
    lines = assert_clean_failure(cli("archive", "--out", "site", cwd=root), 2)
    assert lines == ["error: the archive needs its public address: pass --base-url URL, set "
                     "NEWSLETTER_ARCHIVE_URL, or set archive_url in newsletter.yaml"]


def test_a_relative_base_url_is_refused(tmp_path):
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD})
    lines = assert_clean_failure(cli("archive", "--out", "site", "--base-url", "/news/", cwd=root), 2)
    assert "invalid base URL '/news/'" in lines[0]


def test_a_site_inside_the_issues_folder_is_refused(tmp_path):
    """``--out issues/site`` was accepted: the site's pages were written among the issue files."""
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD})
    lines = assert_clean_failure(cli("archive", "--out", "issues/site", "--base-url", BASE, cwd=root), 2)
    assert "--out issues/site is inside issues: the site would be mixed with the issue files" in lines[0]
    assert not (root / "issues" / "site").exists()


def test_a_folder_the_archive_did_not_make_is_never_replaced(tmp_path):
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD})
    (root / "docs").mkdir()
    (root / "docs" / "notes.md").write_text("mine\n")
    lines = assert_clean_failure(cli("archive", "--out", "docs", "--base-url", BASE, cwd=root), 2)
    assert "refusing to replace docs" in lines[0]
    assert (root / "docs" / "notes.md").read_text() == "mine\n"
    assert_clean_failure(cli("archive", "--out", ".", "--base-url", BASE, cwd=root), 2)
    assert sorted(p.name for p in root.iterdir()) == ["docs", "issues", "newsletter.yaml"]


def test_an_empty_issues_folder_is_a_usage_error(tmp_path):
    root = make_site_project(tmp_path / "p", {})
    lines = assert_clean_failure(cli("archive", "--out", "site", "--base-url", BASE, cwd=root), 2)
    assert lines == ["error: no issue files in issues (add one, e.g. issues/2021-12-first-issue.yaml)"]


def test_a_broken_web_template_is_located(tmp_path):
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD})
    (root / "templates" / "web").mkdir(parents=True)
    (root / "templates" / "web" / "index.html.j2").write_text("<ul>\n{% for e in entries %}\n<li>{{ e.subject }\n")
    lines = assert_clean_failure(cli("archive", "--out", "site", "--base-url", BASE, cwd=root), 1)
    assert len(lines) == 1 and lines[0].startswith("templates/web/index.html.j2:3:")
    assert "template syntax error" in lines[0]
    assert not (root / "site").exists()


def test_an_unsubscribe_link_a_footer_override_leaves_bare_is_cut_and_a_bare_placeholder_refused(tmp_path):
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD})
    footer = root / "templates" / "blocks" / "footer.mjml.j2"
    footer.parent.mkdir(parents=True)
    footer.write_text('    <mj-section><mj-column><mj-text><div>Bye <a href="{{ unsubscribe_url }}">leave</a>'
                      '</div>{{ settings.postal_address }}</mj-text></mj-column></mj-section>\n')
    assert cli("archive", "--out", "site", "--base-url", BASE, cwd=root).returncode == 0
    page = (root / "site" / "2022-01-good" / "index.html").read_text(encoding="utf-8")
    assert "Bye" in page and "leave" not in page  # no <p> around it: the link alone goes
    # the link satisfies the checks; the bare placeholder beside it must not reach the web
    footer.write_text('    <mj-section><mj-column><mj-text><p><a href="{{ unsubscribe_url }}">leave</a></p>'
                      '<div>{{ unsubscribe_url }}</div> {{ settings.postal_address }}</mj-text></mj-column>'
                      '</mj-section>\n')
    lines = assert_clean_failure(cli("archive", "--out", "site", "--base-url", BASE, cwd=root), 1)
    assert lines == ["issues/2022-01-good.yaml: error: the web page would keep the unsubscribe placeholder "
                     "(put the unsubscribe link in an <a href> of its own paragraph in the footer template)"]


def test_a_bad_newsletter_yaml_is_located_like_in_build(tmp_path):
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD},
                             settings_extra="archive_url: news.example.org\n")
    lines = assert_clean_failure(cli("archive", "--out", "site", "--base-url", BASE, cwd=root), 1)
    assert len(lines) == 1, lines
    assert re.match(r"^newsletter\.yaml:\d+:\d+: error: archive_url: invalid URL", lines[0]), lines
    assert lines == cli("build", "issues/2022-01-good.yaml", cwd=root).stderr.strip().splitlines()
    assert not (root / "site").exists()


def test_out_a_link_to_an_empty_folder_gets_the_site_where_it_leads_as_build_does(tmp_path):
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD})
    (tmp_path / "empty").mkdir()
    (root / "sitelink").symlink_to(tmp_path / "empty", target_is_directory=True)
    archived = cli("archive", "--out", "sitelink", "--base-url", BASE, cwd=root)
    assert archived.returncode == 0, archived.stderr
    assert (root / "sitelink").is_symlink() and (tmp_path / "empty" / "2022-01-good" / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "p"]  # no staging folder left beside it
    again = cli("archive", "--out", "sitelink", "--base-url", BASE, cwd=root)
    assert again.returncode == 0 and "0 built, 1 unchanged" in again.stdout, again.stderr
    built = cli("build", "issues/2022-01-good.yaml", "--out", "sitelink", cwd=root)  # what build does there
    assert built.returncode == 0 and (tmp_path / "empty" / "2022-01-good" / "email.html").is_file()


def archive_process(root: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "NEWSLETTER_ARCHIVE_URL"}
    return subprocess.Popen([*newsletter_command(), "archive", "--out", "site", "--base-url", BASE], cwd=root,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_run_waits_while_another_one_writes_the_site_then_updates_it(tmp_path):
    """Two first runs at once both staged a site, and the later one's rename failed with exit 70."""
    from newsletter_pipeline.commands.archive import site_lock

    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD})
    with site_lock(root / "site"):  # what a run that is writing the site holds
        second = archive_process(root)
        assert second.stderr is not None
        waiting = second.stderr.readline()  # the process's first line, or "" when it ends without one
        still_running, nothing_yet = second.poll() is None, not (root / "site").exists()
    out, err = second.communicate(timeout=120)  # after the lock is released: a waiting run would wait forever
    assert waiting == "another archive run is writing site, or a site beside it; waiting for it to finish\n", \
        (waiting, err)
    assert still_running and nothing_yet
    assert second.returncode == 0, err
    assert "1 built" in out and (root / "site" / ".archive" / "manifest.json").is_file()


def test_runs_at_once_into_one_new_folder_all_succeed_and_leave_one_whole_site(tmp_path):
    issues = {f"2022-0{month}-good.yaml": issue_yaml(f"Good {month}", f"2022-0{month}-10") for month in range(1, 5)}
    root = make_site_project(tmp_path / "p", issues)
    runs = [archive_process(root) for _ in range(3)]
    results = [(run.communicate(timeout=300), run.returncode) for run in runs]
    assert [code for _, code in results] == [0, 0, 0], [err for (_, err), _ in results]
    assert sum("4 built" in out for (out, _), _ in results) == 1  # one built it, the others found it whole
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []  # no staging folder left
    assert all((root / "site" / slug.removesuffix(".yaml") / "index.html").is_file() for slug in issues)
