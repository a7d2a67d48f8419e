"""``newsletter new TITLE``: the next issue with the last one's blocks, and the ``placeholder`` rule."""

from __future__ import annotations

import json

import pytest
import yaml
from shared import SEED_IN_PROJECT, assert_clean_failure, clean_env

LAST = """\
subject: Autumn news
preheader: "Our autumn: the new lab, two awards and the winter school."
date: 2026-10-15
language: en
blocks:
  - type: masthead
    title: Autumn news
    subtitle: Newsletter · October 2026
  - type: article
    title: The new lab opens
    authors:
      - name: Ada Example
        role: Director
    body: |-
      The lab opened its doors on **1 October**.
    image:
      src: https://www.example-lab.eu/img/lab.jpg
      alt: The new lab building
    link:
      label: Read about the lab
      url: https://www.example-lab.eu/news/lab/
  - type: bullets
    title: Awards
    items:
      - Best paper at the autumn conference
      - A grant for the winter school
  - type: upcoming_events
    events:
      - title: Winter school
        start: 2026-12-01
        place: Vienna
        url: https://www.example-lab.eu/winter/
"""
OLDER = LAST.replace("2026-10-15", "2026-09-15").replace("type: bullets", "type: heading\n    title: Prizes\n"
                                                                         "    level: 2\n  - type: bullets")


def test_new_writes_the_next_issue_which_builds_and_whose_placeholders_check_reports(run_cli, make_project):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST, "issues/2026-09-older.yaml": OLDER})
    made = run_cli("new", "Spring update", "--date", "2027-03-01", cwd=root, env=clean_env())
    assert made.returncode == 0, made.stderr
    path = root / "issues" / "2027-03-spring-update.yaml"
    assert made.stdout.strip().endswith("issues/2027-03-spring-update.yaml") and path.is_file()
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    # fresh envelope, the latest issue's block structure (not the older one's heading)
    assert data["subject"] == "Spring update" and str(data["date"]) == "2027-03-01"
    assert data["preheader"].startswith("TODO")
    assert [b["type"] for b in data["blocks"]] == ["masthead", "article", "bullets", "upcoming_events"]
    assert data["blocks"][0]["title"] == "Spring update"
    assert data["blocks"][2]["items"] == ["TODO: write the item"] * 2
    assert data["blocks"][1]["image"]["src"] == "https://www.example-lab.eu/TODO.jpg"
    assert str(data["blocks"][3]["events"][0]["start"]) == "2027-03-01"
    for old in ("autumn", "Autumn", "Ada", "lab opens", "Vienna", "/news/lab/", "October"):
        assert old not in text.split("\n", 3)[3], old  # nothing of the old text after the header
    assert "&id" not in text and "*id" not in text  # no YAML aliases for the repeated date

    built = run_cli("build", "issues/2027-03-spring-update.yaml", cwd=root, env=clean_env())
    assert built.returncode == 0, built.stderr
    assert "warning: placeholder:" in built.stderr  # a draft builds, and says what is left

    checked = run_cli("check", "--format", "json", "issues/2027-03-spring-update.yaml", cwd=root, env=clean_env())
    assert checked.returncode == 1
    findings = [f for f in json.loads(checked.stdout) if f["rule"] == "placeholder"]
    assert all(f["level"] == "error" for f in findings)
    lines = text.splitlines()
    todo_lines = {n for n, line in enumerate(lines, 1) if "TODO" in line and not line.startswith("#")}
    assert {f["line"] for f in findings} == todo_lines  # every placeholder, each at its own line
    for f in findings:
        assert lines[f["line"] - 1][f["col"] - 1:].lstrip("'\"").startswith(("TODO", "https://")), f
    everything = {f["rule"] for f in json.loads(checked.stdout) if f["level"] == "error"}
    assert everything == {"placeholder"}, everything  # no other rule trips over the placeholders


def test_text_check_names_each_placeholder_with_file_line_col(run_cli, make_project):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST})
    assert run_cli("new", "Spring update", "--date", "2027-03-01", cwd=root, env=clean_env()).returncode == 0
    checked = run_cli("check", "issues/2027-03-spring-update.yaml", cwd=root, env=clean_env())
    assert checked.returncode == 1
    assert "issues/2027-03-spring-update.yaml:5:12: error: placeholder: preheader: 'TODO: write the preheader" \
        in checked.stdout
    assert "blocks[2].items[1]: 'TODO: write the item' is a placeholder: write the real text" in checked.stdout


def test_send_refuses_an_issue_with_a_placeholder(run_cli, make_project, tmp_path):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST})
    assert run_cli("new", "Spring update", "--date", "2027-03-01", cwd=root, env=clean_env()).returncode == 0
    sent = run_cli("send", "issues/2027-03-spring-update.yaml", "--test", "--to", "me@example.net", cwd=root,
                   env=clean_env())
    assert sent.returncode == 1 and "placeholder" in sent.stdout + sent.stderr
    assert not (root / "outbox").exists()


def test_a_todo_left_in_a_written_issue_is_an_error_at_its_line(run_cli, make_project):
    issue = LAST.replace("Best paper at the autumn conference", "Best paper at TODO conference")
    root = make_project({"issues/2026-10-autumn-news.yaml": issue})
    checked = run_cli("check", "issues/2026-10-autumn-news.yaml", cwd=root, env=clean_env())
    assert checked.returncode == 1
    line = next(n for n, text in enumerate(issue.splitlines(), 1) if "TODO" in text)
    assert f"issues/2026-10-autumn-news.yaml:{line}:9: error: placeholder: blocks[2].items[0]:" in checked.stdout
    # "todo" in lower case is a word of real text, not a mark
    plain = LAST.replace("Best paper at the autumn conference", "A todo list for the autumn")
    root = make_project({"issues/2026-10-autumn-news.yaml": plain})
    assert "placeholder" not in run_cli("check", "issues/2026-10-autumn-news.yaml", cwd=root,
                                        env=clean_env()).stdout


def test_from_takes_the_blocks_of_another_issue(run_cli, make_project):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST, "issues/2026-09-older.yaml": OLDER})
    made = run_cli("new", "Spring update", "--date", "2027-03-01", "--from", "issues/2026-09-older.yaml", cwd=root,
                   env=clean_env())
    assert made.returncode == 0, made.stderr
    data = yaml.safe_load((root / "issues" / "2027-03-spring-update.yaml").read_text(encoding="utf-8"))
    assert [b["type"] for b in data["blocks"]] == ["masthead", "article", "heading", "bullets", "upcoming_events"]
    assert data["blocks"][2]["level"] == 2  # a layout choice is kept


def test_the_seed_issue_becomes_a_draft_that_builds(run_cli, make_project):
    root = make_project(seed=True)
    made = run_cli("new", "Une année", "--date", "2027-01-10", "--from", SEED_IN_PROJECT, cwd=root, env=clean_env())
    assert made.returncode == 0, made.stderr
    assert run_cli("build", "issues/2027-01-une-annee.yaml", cwd=root, env=clean_env()).returncode == 0


def test_an_existing_issue_is_never_overwritten(run_cli, make_project):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST, "issues/2027-03-spring-update.yaml": "mine\n"})
    result = run_cli("new", "Spring update", "--date", "2027-03-01", cwd=root, env=clean_env())
    (line,) = assert_clean_failure(result, 2)
    assert "issues/2027-03-spring-update.yaml already exists" in line
    assert (root / "issues" / "2027-03-spring-update.yaml").read_text(encoding="utf-8") == "mine\n"


def test_no_issue_to_start_from_is_a_clear_usage_error(run_cli, make_project):
    root = make_project()
    (line,) = assert_clean_failure(run_cli("new", "Spring update", cwd=root, env=clean_env()), 2)
    assert "no issue to take the blocks from" in line and "--from" in line


def test_a_title_without_letters_is_refused(run_cli, make_project):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST})
    (line,) = assert_clean_failure(run_cli("new", "!!!", cwd=root, env=clean_env()), 2)
    assert "no letters or digits" in line


def test_a_date_in_another_format_is_a_usage_error(run_cli, make_project):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST})
    result = run_cli("new", "Spring update", "--date", "01/03/2027", cwd=root, env=clean_env())
    assert result.returncode == 2 and "'01/03/2027' is not a date written year-month-day: write an existing day " \
        "like 2027-03-01" in result.stderr and "Traceback" not in result.stderr
    assert not (root / "issues" / "2027-03-spring-update.yaml").exists()


def test_a_day_the_calendar_does_not_have_is_named_so(run_cli, make_project):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST})
    result = run_cli("new", "Spring update", "--date", "2027-02-30", cwd=root, env=clean_env())
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'2027-02-30' is not a real date: write an existing day like 2027-03-01" in result.stderr


@pytest.mark.parametrize("title, slug", [
    ("Νέα της άνοιξης", "nea-tis-anoixis"), ("Новини от София", "novini-ot-sofiya"),
    ("Łódź i Straße", "lodz-i-strasse"), ("Ærø, Đakovo & Ħal Qormi", "aero-dakovo-hal-qormi"),
    ("A very long title " * 20, "a-very-long-title-a-very-long-title-a-very-long-title-a-very"),
])
def test_titles_in_the_networks_languages_name_the_file_in_latin_letters(run_cli, make_project, title, slug):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST})
    result = run_cli("new", title, "--date", "2027-03-01", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    path = root / "issues" / f"2027-03-{slug}.yaml"
    assert path.exists() and len(slug) <= 60
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["subject"] == title.strip()  # kept as written


def test_a_title_with_nothing_to_spell_a_file_name_with_is_refused_once(run_cli, make_project):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST})
    for title in ("日本のニュース", "🎉🎉"):
        (line,) = assert_clean_failure(run_cli("new", title, cwd=root, env=clean_env()), 2)
        assert line.startswith("error: the title ") and "error: error" not in line, line
        assert "Greek and Cyrillic are spelled in Latin letters" in line
        assert "--slug" in line


@pytest.mark.parametrize("title", ["日本のニュース", "人工智能与媒体", "뉴스레터", "🎉🎉"])
def test_slug_names_the_file_of_a_title_with_nothing_to_spell_it_with(run_cli, make_project, title):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST})
    result = run_cli("new", title, "--slug", "spring-news", "--date", "2027-03-01", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    path = root / "issues" / "2027-03-spring-news.yaml"
    assert result.stdout == f"wrote {path.relative_to(root)}\n"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["subject"] == title and data["blocks"][0]["title"] == title
    assert run_cli("build", str(path.relative_to(root)), "--out", "dist", cwd=root, env=clean_env()).returncode == 0


@pytest.mark.parametrize("slug, suggestion", [("Spring News", "spring-news"), ("spring_news", "spring-news"),
                                              ("spring.el", "spring-el"), ("-", "spring-update"),
                                              ("a" * 61, None), ("../../etc/x", "etc-x")])
def test_a_slug_that_cannot_name_an_issue_file_is_refused_before_anything_is_written(
        run_cli, make_project, slug, suggestion):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST})
    (line,) = assert_clean_failure(run_cli("new", "Spring", "--slug", slug, cwd=root, env=clean_env()), 2)
    assert "cannot name an issue file" in line and "small letters a-z and digits joined by hyphens" in line
    if suggestion:
        assert line.endswith(f"such as --slug {suggestion}")
    assert sorted(p.name for p in (root / "issues").iterdir()) == ["2026-10-autumn-news.yaml"]


@pytest.mark.parametrize("title, what", [("Hello\nBcc: x@example.org", "a line break (U+000A)"),
                                         ("Hello \u202eevil", "a right-to-left override (U+202E)")])
def test_a_title_that_is_no_one_line_text_is_refused_before_anything_is_written(run_cli, make_project, title, what):
    """The issue was written, and then failed to build: its subject cannot hold that character."""
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST})
    (line,) = assert_clean_failure(run_cli("new", title, "--date", "2027-03-01", cwd=root, env=clean_env()), 2)
    assert f"contains {what}" in line and 'give a title of one line, such as "Spring update"' in line
    assert sorted(p.name for p in (root / "issues").iterdir()) == ["2026-10-autumn-news.yaml"]


def test_local_pictures_become_placeholders_on_the_archive_site_that_build_and_check_reports(run_cli, make_project):
    """A local picture's path became 'TODO: write the src', which no build accepts (it contains spaces)."""
    from PIL import Image
    from shared import with_photo

    local = LAST.replace("https://www.example-lab.eu/img/lab.jpg", "images/photo.jpg") + (
        "  - type: sponsors\n    sponsors:\n"
        "      - name: Example Fund\n        logo: images/fund.PNG\n        url: https://fund.example-lab.eu/\n")
    root = with_photo(make_project({"issues/2026-10-autumn-news.yaml": local}), "https://news.example-lab.eu/archive",
                      (800, 600))
    Image.new("RGB", (300, 100), (26, 74, 122)).save(root / "images/fund.PNG", "PNG")
    first = run_cli("build", "issues/2026-10-autumn-news.yaml", cwd=root, env=clean_env())
    assert first.returncode == 0, first.stderr  # the source issue builds: its pictures are fine
    made = run_cli("new", "Spring update", "--date", "2027-03-01", "--from", "issues/2026-10-autumn-news.yaml",
                   cwd=root, env=clean_env())
    assert made.returncode == 0, made.stderr
    text = (root / "issues" / "2027-03-spring-update.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    # the site the project's pictures are published on, with the path /TODO, as for any other address
    assert data["blocks"][1]["image"]["src"] == "https://news.example-lab.eu/TODO.jpg"
    assert data["blocks"][4]["sponsors"][0]["logo"] == "https://news.example-lab.eu/TODO.png"

    built = run_cli("build", "issues/2027-03-spring-update.yaml", cwd=root, env=clean_env())
    assert built.returncode == 0, built.stderr
    checked = run_cli("check", "--format", "json", "issues/2027-03-spring-update.yaml", cwd=root, env=clean_env())
    found = {f["line"] for f in json.loads(checked.stdout) if f["rule"] == "placeholder" and f["level"] == "error"}
    lines = text.splitlines()
    for needle in ("src: https://news.example-lab.eu/TODO.jpg", "logo: https://news.example-lab.eu/TODO.png"):
        assert next(n for n, line in enumerate(lines, 1) if needle in line) in found, (needle, found)


@pytest.mark.parametrize("text, problem", [
    ("subject: a\ndate: 2026-01-01\nblocks: 5\n", "b.yaml:3:9: error: blocks: needs to be a list"),
    ("subject: a\ndate: 2026-01-01\nblocks: 5.5\n", "b.yaml:3:9: error: blocks: needs to be a list"),
    ("subject: a\ndate: 2026-01-01\nblocks: true\n", "b.yaml:3:9: error: blocks: needs to be a list"),
    ("subject: a\ndate: 2026-01-01\nblocks: 2026-01-01\n", "b.yaml:3:9: error: blocks: needs to be a list"),
    ("subject: a\ndate: 2026-01-01\nblocks: [5]\n", "b.yaml:3:10: error: blocks[0]:"),
    ("subject: a\ndate: 2026-01-01\nblocks: {a: 1}\n", "b.yaml:3:9: error: blocks: needs to be a list"),
    ("subject: a\ndate: 2026-01-01\nblocks: [{type: nope}]\n", "b.yaml:3:17: error: blocks[0].type: unknown block"),
    ("- a\n", "b.yaml:1:1: error: an issue must be a mapping"),
    ("name: Example\nshell: /bin/bash\n", "b.yaml:1:1: error: subject: required"),
])
def test_from_a_file_that_is_no_issue_is_refused_at_its_lines_and_nothing_is_written(
        run_cli, make_project, text, problem):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST, "b.yaml": text})
    result = run_cli("new", "Spring update", "--date", "2027-03-01", "--from", "b.yaml", cwd=root, env=clean_env())
    assert result.returncode == 1 and "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("b.yaml:1:1: error: this is not an issue that newsletter new can take the blocks "
                               "from (fix the problems listed below"), lines
    assert any(line.startswith(problem) for line in lines[1:]), lines
    assert result.stdout == ""
    assert sorted(p.name for p in (root / "issues").iterdir()) == ["2026-10-autumn-news.yaml"]


def test_a_year_before_1000_is_written_with_four_digits_as_check_wants(run_cli, make_project):
    root = make_project({"issues/2026-10-autumn-news.yaml": LAST})
    result = run_cli("new", "Spring update", "--date", "0001-01-01", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote issues/0001-01-spring-update.yaml\n"
    checked = run_cli("check", "--format", "json", "issues/0001-01-spring-update.yaml", cwd=root, env=clean_env())
    assert {f["rule"] for f in json.loads(checked.stdout) if f["level"] == "error"} == {"placeholder"}
