"""Rules about the issue's own values: each finding points at the YAML line that holds the value."""

from __future__ import annotations

import pytest
from checkutil import BASE, ISSUE_NAME, LINKS_ISSUE, col_of, line_of, links_issue, only, where

from newsletter_pipeline.checks.rules.links import placeholder_reason, vague_problem
from newsletter_pipeline.models import GMAIL_CLIP_BYTES, SIZE_WARNING_BYTES

# --- gmail-clipping ---------------------------------------------------------------------------


def _padded(paragraphs: int) -> str:
    body = "\n\n".join(f"      Paragraph {i}: " + "lorem ipsum dolor sit amet " * 20 for i in range(paragraphs))
    return BASE + f"  - type: editorial\n    body: |-\n{body}\n"


def test_gmail_clipping_error_over_the_limit_points_at_blocks(check):
    report = check(_padded(160))
    [finding] = only(report, "gmail-clipping")
    assert finding.level == "error"
    assert where(finding) == (ISSUE_NAME, line_of(BASE, "blocks:") + 1)  # the blocks list starts there
    assert f"{GMAIL_CLIP_BYTES:,}" in finding.message


def test_gmail_clipping_warns_in_the_last_ten_kilobytes(check):
    report = check(_padded(130))
    [finding] = only(report, "gmail-clipping")
    size = int(finding.message.split(" bytes")[0].split()[-1].replace(",", ""))
    assert SIZE_WARNING_BYTES < size <= GMAIL_CLIP_BYTES
    assert finding.level == "warning"


def test_gmail_clipping_passes_a_normal_issue(check):
    assert only(check(_padded(20)), "gmail-clipping") == []


# --- subject ------------------------------------------------------------------------------------


def test_subject_over_78_characters_warns_at_its_line(check):
    long = "Spring news from the AI4Media lab: papers, datasets, summer school and open calls"
    assert len(long) > 78
    issue = BASE.replace("subject: Spring news from the AI4Media lab", f'subject: "{long}"')
    [finding] = only(check(issue), "subject")
    assert (finding.level, where(finding), finding.location.col) == ("warning", (ISSUE_NAME, 1), 10)
    assert "81 characters" in finding.message


def test_subject_of_78_characters_passes(check):
    exact = "S" * 78
    assert only(check(BASE.replace("Spring news from the AI4Media lab", exact, 1)), "subject") == []


def test_empty_subject_is_an_error_at_its_line(project, run_cli):
    path = project(BASE.replace("subject: Spring news from the AI4Media lab", 'subject: ""'))
    result = run_cli("check", str(path), cwd=path.parent.parent.resolve())
    assert result.returncode == 1
    assert f"{ISSUE_NAME}:1:10: error: subject: " in result.stdout


# --- preheader ------------------------------------------------------------------------------------


def test_missing_preheader_warns_where_it_belongs(check):
    issue = "\n".join(line for line in BASE.splitlines() if not line.startswith("preheader:")) + "\n"
    [finding] = only(check(issue), "preheader")
    assert (finding.level, finding.location.line) == ("warning", 1)
    assert "no preheader" in finding.message


@pytest.mark.parametrize("preheader, words", [
    ("Papers and a dataset.", "characters"),
    ("Spring news from the AI4Media lab", "repeats the subject"),
    ("x" * 141, "characters"),
])
def test_bad_preheader_warns_at_its_line(check, preheader, words):
    issue = BASE.replace(BASE.splitlines()[1], f"preheader: {preheader}")
    findings = only(check(issue), "preheader")
    assert findings and all(f.level == "warning" and where(f) == (ISSUE_NAME, 2) for f in findings)
    assert any(words in f.message for f in findings)


@pytest.mark.parametrize("text, seen", [
    ("👩\u200d🔬" * 10, 10), ("e\u0301te", 3), ("🇪🇺🇩🇪", 2), ("👍🏽 ok", 4), ("a\u00adb", 2),
    ("plain  text\nhere", 15), ("Ελληνικά", 8), ("👨\u200d👩\u200d👧\u200d👦", 1), ("", 0),
])
def test_the_preheader_is_counted_in_characters_as_readers_see_them(text, seen):
    """Ten 👩‍🔬 were "30 characters": each is a woman, a joiner and a microscope, drawn as one."""
    from newsletter_pipeline.checks.rules.envelope import visible_length

    assert visible_length(text) == seen


def test_an_emoji_preheader_of_the_right_length_passes(check):
    emoji = "Our scientists at work - " + "👩\u200d🔬 " * 40  # 104 seen; 184 code points ("too long")
    issue = BASE.replace(BASE.splitlines()[1], f"preheader: {emoji.strip()}")
    assert only(check(issue), "preheader") == []


def test_a_preheader_in_chinese_or_japanese_is_measured_by_the_room_it_takes(check):
    """33 Japanese characters fill what 66 letters do; they were "too short" (under 40)."""
    japanese = "東京と大阪で開催される人工知能とメディアのワークショップのお知らせ"  # 33 characters
    issue = BASE.replace(BASE.splitlines()[1], f"preheader: {japanese}")
    assert only(check(issue), "preheader") == []
    short = BASE.replace(BASE.splitlines()[1], "preheader: 東京のお知らせ")
    [finding] = only(check(short), "preheader")
    assert "the preheader is 7 characters (as wide as 14 Latin letters" in finding.message


# --- event-date ------------------------------------------------------------------------------------

EVENTS = BASE + """\
  - type: upcoming_events
    events:
      - title: Summit
        start: 2022-03-20
        end: 2022-03-22
        place: Rome
        url: https://www.ai4media.eu/summit/
      - title: Workshop
        start: 2022-05-03
        place: Athens
        url: https://www.ai4media.eu/workshop/
  - type: past_events
    events:
      - title: Webinar
        date: 2022-06-01
        url: https://www.ai4media.eu/webinar/
      - title: Meeting
        date: 2022-03-01
        url: https://www.ai4media.eu/meeting/
"""


def test_an_event_on_the_wrong_side_of_the_issues_date_is_a_warning_at_its_date(check):
    """An event copied from last month's issue kept inviting readers to what was over (issue of 2022-04-01)."""
    findings = only(check(EVENTS), "event-date")
    assert [(f.level, where(f)) for f in findings] == [
        ("warning", (ISSUE_NAME, line_of(EVENTS, "end: 2022-03-22"))),
        ("warning", (ISSUE_NAME, line_of(EVENTS, "date: 2022-06-01")))]
    assert findings[0].message.startswith("'Summit' is an upcoming event that ended on 2022-03-22, before the "
                                          "issue's date (2022-04-01)")
    assert "'Webinar' is a past event on 2022-06-01, after the issue's date" in findings[1].message
    assert only(check(), "event-date") == []


# --- image-alt / image-src ------------------------------------------------------------------------


def test_image_without_alt_is_an_error_at_the_image(project, run_cli):
    issue = BASE.replace("      alt: A grid of news photos with coloured labels\n", "")
    path = project(issue)
    result = run_cli("check", str(path), cwd=path.parent.parent.resolve())
    assert result.returncode == 1
    assert f"{ISSUE_NAME}:{line_of(issue, 'src: https://www.ai4media.eu/img/photos.jpg')}:7: error: image-alt:" \
        in result.stdout


def test_decorative_image_gets_empty_alt_and_passes(check):
    issue = BASE.replace("      alt: A grid of news photos with coloured labels\n", "      decorative: true\n")
    report = check(issue)
    assert only(report, "image-alt") == []


def test_image_without_alt_from_a_template_points_at_the_template_line(check):
    cta = ("{% from \"partials/button.mjml.j2\" import button with context %}\n"
           "    <mj-section>\n      <mj-column>\n        <mj-text>\n"
           "          <img src=\"https://www.ai4media.eu/img/badge.png\" width=\"40\">\n"
           "{{ button(block.button) }}\n        </mj-text>\n      </mj-column>\n    </mj-section>\n")
    [finding] = only(check(templates={"blocks/cta.mjml.j2": cta}), "image-alt")
    assert where(finding) == ("templates/blocks/cta.mjml.j2", 5)


def test_svg_image_is_an_error_at_its_src(check):
    issue = BASE.replace("img/photos.jpg", "img/photos.svg")
    [finding] = only(check(issue), "image-src")
    assert finding.level == "error" and "SVG" in finding.message
    assert where(finding) == (ISSUE_NAME, line_of(issue, "photos.svg"))
    assert finding.location.col == col_of(issue, "https://www.ai4media.eu/img/photos.svg")


def test_http_image_is_an_error_at_its_src(project, run_cli):
    issue = BASE.replace("src: https://www.ai4media.eu/img", "src: http://www.ai4media.eu/img")
    path = project(issue)
    result = run_cli("check", "--format", "json", str(path), cwd=path.parent.parent.resolve())
    import json

    findings = json.loads(result.stdout)
    assert result.returncode == 1
    assert {"rule": "image-src", "level": "error", "file": ISSUE_NAME, "line": line_of(issue, "src: http:"),
            "col": 12} in [{k: f[k] for k in ("rule", "level", "file", "line", "col")} for f in findings]


def test_image_without_width_from_a_template_warns(check):
    cta = ("    <mj-section>\n      <mj-column>\n        <mj-text>\n"
           "          <img src=\"https://www.ai4media.eu/img/badge.png\" alt=\"AI4Media badge\">\n"
           "        </mj-text>\n      </mj-column>\n    </mj-section>\n")
    findings = only(check(templates={"blocks/cta.mjml.j2": cta}), "image-src")
    assert [(f.level, where(f)) for f in findings] == [("warning", ("templates/blocks/cta.mjml.j2", 4))]


def test_https_image_with_width_passes(check):
    assert only(check(), "image-src") == []


# --- link-href ---------------------------------------------------------------------------------


def test_http_link_warns_at_its_url(check):
    issue = BASE.replace("url: https://www.ai4media.eu/dataset/", "url: http://www.ai4media.eu/dataset/")
    [finding] = only(check(issue), "link-href")
    assert finding.level == "warning"
    assert where(finding) == (ISSUE_NAME, line_of(issue, "url: http://www.ai4media.eu/dataset/"))
    assert "http://www.ai4media.eu/dataset/" in finding.message and "utm_" not in finding.message


def test_a_link_spelled_with_character_references_is_found_at_its_line(check):
    """``java&#x09;script:`` in Markdown reaches the email as ``java%09script:``; the error named the layout."""
    issue = links_issue("First line.\n      Then [x](java&#x09;script:alert(1)) on the second.")
    findings = [f for f in only(check(issue), "link-href") if "script:alert" in f.message]
    assert findings and all(where(f) == (ISSUE_NAME, line_of(issue, "java&#x09;script")) for f in findings)


def test_a_url_made_from_a_setting_is_found_at_the_setting(check, make_project):
    """The "view in your browser" address is archive_url + the slug: a placeholder archive_url was blamed on
    the layout template's first line."""
    from shared import FIXTURE_CONFIG

    config = FIXTURE_CONFIG.read_text(encoding="utf-8") + "archive_url: https://news.example.org\n"
    [finding] = [f for f in only(check(config=config), "placeholder-url") if "news.example.org" in f.message]
    assert where(finding) == ("newsletter.yaml", line_of(config, "archive_url: https://news.example.org"))


def test_relative_link_and_empty_link_text_from_a_template_are_errors(check):
    cta = ("    <mj-section>\n      <mj-column>\n        <mj-text>\n"
           "          <p><a href=\"#top\">Back to top</a></p>\n"
           "          <p><a href=\"https://www.ai4media.eu/\"></a></p>\n"
           "        </mj-text>\n      </mj-column>\n    </mj-section>\n")
    findings = only(check(templates={"blocks/cta.mjml.j2": cta}), "link-href")
    assert [(f.level, where(f)) for f in findings] == [
        ("error", ("templates/blocks/cta.mjml.j2", 4)),  # href="#top"
        ("error", ("templates/blocks/cta.mjml.j2", 5)),  # no text
    ]


def test_an_image_in_text_without_a_description_is_an_error_at_its_brackets(check):
    """``![](url)`` in a body became a link without text, and the error named the layout template."""
    issue = links_issue("See ![](https://www.ai4media.eu/x.png), [](https://www.ai4media.eu/empty/) and "
                        "[![](https://www.ai4media.eu/y.png)](https://www.ai4media.eu/page/).")
    report = check(issue)
    findings = {f.message.split(" has no text")[0]: f for f in only(report, "link-href")}
    row = line_of(issue, "See ![]")
    assert {target: (where(f), f.location.col) for target, f in findings.items()} == {
        "the link to https://www.ai4media.eu/x.png": ((ISSUE_NAME, row), col_of(issue, "![](https://www.ai4media.eu/x")),
        "the link to https://www.ai4media.eu/empty/": ((ISSUE_NAME, row), col_of(issue, "[](https://www.ai4media.eu/e")),
        "the link to https://www.ai4media.eu/page/": ((ISSUE_NAME, row), col_of(issue, "[![]")),
        "the link to https://www.ai4media.eu/y.png": ((ISSUE_NAME, row), col_of(issue, "![](https://www.ai4media.eu/y")),
    }
    assert "describe the image inside the [ ]" in findings["the link to https://www.ai4media.eu/x.png"].message
    assert "text inside the [ ]" in findings["the link to https://www.ai4media.eu/empty/"].message
    assert "describe the image inside its [ ]" in findings["the link to https://www.ai4media.eu/page/"].message
    # the markdown check's warning about the same image points at the same place
    [warning, *_] = only(report, "markdown")
    assert (where(warning), warning.location.col) == ((ISSUE_NAME, row), col_of(issue, "![]"))


def test_linked_image_with_alt_has_text_and_passes(check):
    issue = BASE.replace("      width: 536\n", "      width: 536\n      href: https://www.ai4media.eu/dataset/\n")
    assert only(check(issue), "link-href") == []


# --- link-text ---------------------------------------------------------------------------------


def test_vague_markdown_link_warns_at_its_text(check):
    issue = BASE.replace("It is free for research.",
                         "It is free for research: [click here](https://www.ai4media.eu/dataset/licence/).")
    [finding] = only(check(issue), "link-text")
    assert finding.level == "warning"
    assert where(finding) == (ISSUE_NAME, line_of(issue, "[click here]"))
    assert finding.location.col == col_of(issue, "[click here]")


def test_vague_button_without_subject_warns_at_its_label(check):
    issue = BASE.replace("label: Register for the summer school", "label: Know more")
    [finding] = only(check(issue), "link-text")
    assert where(finding) == (ISSUE_NAME, line_of(issue, "label: Know more"))


def test_read_more_button_with_an_accessible_name_passes(check, project):
    report = check()
    assert only(report, "link-text") == []


def test_aria_label_must_contain_the_visible_label():
    assert vague_problem("Read more", "Read more: An open dataset") is None
    assert "does not contain" in vague_problem("Read more", "An open dataset")
    assert vague_problem("Read more", "Read more") is not None  # no subject added
    assert vague_problem("Read more", "Read more here") is not None  # only vague words added
    assert vague_problem("The 2021 activity report", None) is None


# --- markdown ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lead", ["", "\n\n"])  # blank lines before the text, which the schema strips
def test_raw_html_warns_where_markdown_read_it_not_at_the_same_text_in_code(check, lead):
    """The warnings pointed into the code fence above (which renders as code), and nothing at the real HTML."""
    body = (f"{lead}Some code:\n\n```\ncode <b> & </b>\n```\n\nAnd `<b>` is code too; "
            "this is <b>raw</b> HTML.\n\nA table:\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    issue = LINKS_ISSUE + "  - type: editorial\n    body: |\n" + "".join(
        f"      {line}\n" if line else "\n" for line in body.split("\n"))
    findings = only(check(issue), "markdown")
    row, table = line_of(issue, "this is <b>raw"), line_of(issue, "| a | b |")
    html = issue.splitlines()[row - 1]
    assert [(where(f), f.location.col) for f in findings] == [
        ((ISSUE_NAME, row), html.index("<b>raw") + 1), ((ISSUE_NAME, row), html.index("</b> HTML") + 1),
        ((ISSUE_NAME, table), col_of(issue, "| a | b |"))]


# --- placeholder-url --------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "http://localhost:8000/draft", "https://127.0.0.1/x", "https://www.example.com/page",
    "https://example.org/", "https://staging.ai4media.eu/news/", "https://ai4media-staging.herokuapp.com/",
    "http://intranet/page", "https://10.0.0.5/a", "mailto:me@example.com",
    "https://news.test/", "https://dev.ai4media.eu/",
])
def test_placeholder_urls_are_recognised(url):
    assert placeholder_reason(url)


@pytest.mark.parametrize("url, reads_as", [
    ("https://127.1/", "127.0.0.1"), ("https://0x7f.0.0.1/", "127.0.0.1"), ("https://0177.0.0.1/", "127.0.0.1"),
    ("https://2130706433/", "127.0.0.1"), ("https://0x7f000001/", "127.0.0.1"), ("https://10.1/", "10.0.0.1"),
    ("https://192.168.257/", "192.168.1.1"), ("http://[::1]:8000/", "loopback"), ("https://localhost./", "localhost"),
    ("https://LOCALHOST/", "localhost"), ("http://[::ffff:127.0.0.1]/", "127.0.0.1"), ("https://0/", "0.0.0.0"),
    ("https://169.254.169.254/latest/", "link-local"), ("https://[fe80::1]/", "link-local"),
    ("https://100.64.0.1/", "not on the public internet"), ("mailto:me@127.1", "127.0.0.1"),
])
def test_local_addresses_in_every_form_the_os_reads_are_placeholders(url, reads_as):
    reason = placeholder_reason(url)
    assert reason and reads_as in reason, reason


@pytest.mark.parametrize("url", ["https://1.2.3.4.5.example.eu/", "https://08.1.1.1.eu/", "https://8.8.4.4/"])
def test_public_hosts_that_look_numeric_are_not_placeholders(url):
    assert placeholder_reason(url) is None



@pytest.mark.parametrize("url", [
    "https://www.ai4media.eu/TODO",  # a TODO is the `placeholder` rule's (tests/test_new.py), which lets a draft build
    "https://www.ai4media.eu/todo-list", "https://dev.to/article", "https://www.i-aida.org/",
    "https://unsubscribe.newsletter-pipeline.invalid/", "mailto:info@ai4media.eu", "https://8.8.8.8/",
])
def test_live_urls_are_not_placeholders(url):
    assert placeholder_reason(url) is None


def test_placeholder_urls_are_errors_at_their_lines(check):
    issue = (BASE.replace("url: https://www.ai4media.eu/dataset/", "url: https://staging.ai4media.eu/dataset/")
             .replace("It is free for research.", "See [the licence](https://example.org/licence).")
             .replace("src: https://www.ai4media.eu/img/photos.jpg", "src: https://127.0.0.1/photos.jpg"))
    findings = only(check(issue), "placeholder-url")
    assert all(f.level == "error" for f in findings)
    assert sorted(where(f)[1] for f in findings) == sorted([
        line_of(issue, "staging.ai4media.eu"), line_of(issue, "example.org/licence"), line_of(issue, "127.0.0.1")])


def test_live_urls_pass(check):
    assert only(check(), "placeholder-url") == []
