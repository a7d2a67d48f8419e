"""An issue that does not load: the value rules judge its YAML as the build and the rendered email would.

README "Checks": such an issue's value rules "run on its YAML, so one run lists
everything". Each test compares the YAML-only findings with what the same
values give once the issue loads, so the two paths cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from checkutil import ISSUE_NAME, LINKS_ISSUE, line_of
from shared import FIXTURE_CONFIG, clean_env

from newsletter_pipeline.commands.check import check_issue

LOGO = "https://www.ai4media.eu/wp-content/uploads/2020/09/AI4Media-logo-white.png"
# a local logo and a place to publish local pictures under
LOCAL_CONFIG = FIXTURE_CONFIG.read_text(encoding="utf-8").replace(LOGO, "images/logo.png") + \
    "archive_url: https://news.ai4media.eu/\n"
PLACE = "        place: Thessaloniki\n"


def issue(link: str = "#events", src: str = "images/x.jpg", place: str = PLACE) -> str:
    """A Markdown link to ``link``, an article picture ``src`` and an event block with id ``events``;
    without ``place`` the event is a schema error, so the issue does not load."""
    return LINKS_ISSUE + f"""\
  - type: editorial
    body: |-
      Our events are listed [below]({link}), with their dates.
  - type: article
    title: An open dataset of news photos
    body: We released a dataset of annotated news photos.
    image:
      src: {src}
      alt: A grid of news photos with coloured labels
      width: 536
  - type: upcoming_events
    id: events
    title: Upcoming events
    events:
      - title: Summer school
        start: 2022-07-01
        url: https://www.ai4media.eu/summer-school/
{place}"""


@pytest.fixture
def local_project(project, monkeypatch):
    """``write(issue)`` -> the checked issue's findings, in a project with local pictures images/x.jpg and the logo."""
    from PIL import Image

    monkeypatch.delenv("NEWSLETTER_ARCHIVE_URL", raising=False)  # the developer's shell must not choose

    def write(text: str) -> list:
        path = project(text, config=LOCAL_CONFIG)
        Path("images").mkdir(exist_ok=True)
        Image.effect_noise((1072, 700), 50).convert("RGB").save("images/x.jpg", "JPEG")
        Image.new("RGB", (360, 90), "white").save("images/logo.png")
        Path("images/drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>\n', encoding="utf-8")
        return check_issue(path).report.findings

    return write


def test_local_pictures_and_anchors_that_build_are_no_findings_when_the_issue_does_not_load(local_project):
    findings = local_project(issue(place=""))
    assert [(f.rule, f.location.line) for f in findings] == [("schema", line_of(issue(place=""), "- title: Summer"))]
    assert local_project(issue()) == []  # the same values, once the issue loads: nothing to fix either


@pytest.mark.parametrize(("link", "src"), [
    ("#nowhere", "images/x.jpg"),  # an anchor no block has
    ("#events", "images/missing.jpg"),  # a picture that is not there
    ("#events", "images/drawing.svg"),  # a picture the build refuses
    ("#events", "https://www.ai4media.eu/img/chart.svg"),  # an address the email's check refuses
])
def test_what_the_build_refuses_is_said_alike_when_the_issue_does_not_load(local_project, link, src):
    loads = [f for f in local_project(issue(link, src)) if f.rule != "image-src" or f.level == "error"]
    assert loads and all(f.rule in ("link-href", "image-src") for f in loads), loads
    assert [f for f in local_project(issue(link, src, place="")) if f.rule != "schema"] == loads


def test_an_svg_image_block_is_an_error_when_another_block_breaks_the_schema(project):
    """Only the schema error was reported: the YAML pass read ``src`` only under ``image:`` and ``logo:``."""
    svg = "https://www.ai4media.eu/img/chart.svg"
    text = LINKS_ISSUE + f"  - type: image\n    src: {svg}\n    alt: A chart\n    width: 536\n"
    rendered = [f for f in check_issue(project(text)).report.findings if f.rule == "image-src"]
    broken = check_issue(project(text + "  - type: spacer\n    height: 500\n")).report.findings
    assert [f for f in broken if f.rule == "image-src"] == rendered
    assert [(f.level, f.location.line) for f in rendered] == [("error", line_of(text, svg))]


def test_the_list_unsubscribe_note_names_the_sender_when_the_issue_does_not_load(run_cli, project):
    """It said ``<mailto:SENDER?subject=unsubscribe>``: the sender was read only from a loaded issue."""
    project(LINKS_ISSUE + "settings:\n  templates: foo\n")
    for env, sender in (({}, "newsletter@ai4media.eu"), ({"NEWSLETTER_FROM_EMAIL": "desk@ai4media.eu"},
                                                        "desk@ai4media.eu")):  # as a send would use it
        result = run_cli("check", ISSUE_NAME, cwd=Path.cwd(), env=clean_env(**env))
        assert result.returncode == 1 and "not rendered" in result.stderr, result.stderr
        [note] = [line for line in result.stderr.splitlines() if line.startswith("note: list-unsubscribe: ")]
        assert f"<mailto:{sender}?subject=unsubscribe>" in note, note
