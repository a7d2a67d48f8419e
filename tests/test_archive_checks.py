"""``newsletter archive`` checks every issue it builds exactly as ``build`` does, and publishes
nothing that ``build`` refuses."""

from __future__ import annotations

from archive_helpers import BASE, issue_yaml, make_site_project
from shared import assert_clean_failure, clean_env

GOOD = issue_yaml("Good", "2022-01-10", preheader="Everything that happened this month, in five minutes.")
DRAFT = GOOD.replace("https://www.ai4media.eu/join/", "http://localhost:8000/draft")


def test_an_issue_that_build_refuses_is_refused_with_builds_findings_and_nothing_is_written(tmp_path, run_cli):
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD, "2022-02-draft.yaml": DRAFT})
    built = run_cli("build", "issues/2022-02-draft.yaml", "--out", "dist", cwd=root, env=clean_env())
    assert built.returncode == 1
    archived = run_cli("archive", "--out", "site", "--base-url", BASE, cwd=root, env=clean_env())
    lines = assert_clean_failure(archived, 1)
    assert "issues/2022-02-draft.yaml:38:12: error: placeholder-url: 'http://localhost:8000/draft' will not " \
           "work for readers: localhost is the reader's own computer (use the live URL)" in lines
    assert sorted(lines) == sorted(built.stderr.strip().splitlines())  # errors and warnings, as build says
    assert sorted(p.name for p in root.iterdir()) == ["issues", "newsletter.yaml"]


def test_a_failed_check_leaves_the_published_site_as_it_was(tmp_path, run_cli):
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD})
    assert run_cli("archive", "--out", "site", "--base-url", BASE, cwd=root, env=clean_env()).returncode == 0
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    (root / "issues" / "2022-01-good.yaml").write_text(DRAFT, encoding="utf-8")
    assert_clean_failure(run_cli("archive", "--out", "site", "--base-url", BASE, cwd=root, env=clean_env()), 1)
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == before


def test_warnings_of_the_checks_are_printed_and_the_issue_published(tmp_path, run_cli):
    """Against the tests above passing because the archive refuses everything."""
    root = make_site_project(tmp_path / "p", {"2022-01-good.yaml": GOOD.replace("https://www.ai4media.eu/e1/",
                                                                                "http://www.ai4media.eu/e1/")})
    result = run_cli("archive", "--out", "site", "--base-url", BASE, cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    assert "warning: link-href: 'http://www.ai4media.eu/e1/' uses http:" in result.stderr
    assert (root / "site" / "2022-01-good" / "index.html").is_file()
