"""Hostile text in issue fields never becomes markup and is never evaluated as a template."""

from __future__ import annotations

import json

import lxml.html
import pytest
from shared import FIXTURE_CONFIG

from newsletter_pipeline.render import build_issue
from newsletter_pipeline.render.markdown import ALLOWED_TAGS, markdown_to_html, markdown_to_text

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{ 7*7 }}",
    "{% if true %}evaluated{% endif %}",
    '" onmouseover="alert(1)',
    "</mj-text><mj-raw><script>alert(2)</script></mj-raw><mj-text>",
]
JS_LINK = "[x](javascript:alert(1))"


def q(value: str) -> str:
    """A YAML scalar for any string (JSON is YAML)."""
    return json.dumps(value)


def hostile_issue() -> str:
    every = " ".join(HOSTILE)
    return f"""\
subject: {q("Subject " + every)}
preheader: {q("Preheader " + every)}
date: 2021-12-15
blocks:
  - type: masthead
    title: {q("Masthead " + every)}
    subtitle: {q(every)}
  - type: editorial
    title: {q("Editorial " + every)}
    body: {q("Body " + every + " " + JS_LINK + chr(10) + chr(10) + "- item " + every)}
    signature:
      names: [{q(every)}]
      affiliation: {q(every)}
  - type: article
    title: {q("Article " + every)}
    authors:
      - name: {q(every)}
        role: {q(every)}
        affiliation: {q(every)}
    body: {q(JS_LINK + " " + every)}
    link:
      label: {q(every)}
      url: https://www.ai4media.eu/a/
  - type: link_list
    title: {q(every)}
    links:
      - title: {q(every)}
        url: https://www.ai4media.eu/b/
  - type: bullets
    title: {q(every)}
    items: [{q(every)}, {q(JS_LINK)}]
  - type: upcoming_events
    events:
      - title: {q(every)}
        start: 2022-04-25
        place: {q(every)}
        url: https://www.ai4media.eu/c/
        label: {q(every)}
  - type: past_events
    events:
      - title: {q(every)}
        subtitle: {q(every)}
        date: 2021-11-11
        where: {q(every)}
        url: https://www.ai4media.eu/d/
  - type: footer
    text: {q(every)}
settings:
  name: {q("Letter " + every)}
  postal_address: {q("Street " + every)}
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    (root / "issues").mkdir()
    (root / "newsletter.yaml").write_text(FIXTURE_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    issue = root / "issues" / "2021-12-hostile.yaml"
    issue.write_text(hostile_issue(), encoding="utf-8")
    _, rendered = build_issue(issue)
    return rendered


def test_no_markup_reaches_the_html(hostile):
    dom = lxml.html.document_fromstring(hostile.html.encode("utf-8"))
    assert dom.findall(".//script") == []
    assert [img.get("src") for img in dom.iter("img") if img.get("src") == "x"] == []
    handlers = [(el.tag, name) for el in dom.iter() if isinstance(el.tag, str)
                for name in el.attrib if name.lower().startswith("on")]
    assert handlers == []
    assert [a.get("href") for a in dom.iter("a") if "javascript" in (a.get("href") or "").lower()] == []
    assert "<script" not in hostile.html.lower()
    assert "<mj-" not in hostile.html


def test_hostile_text_is_shown_literally(hostile):
    dom = lxml.html.document_fromstring(hostile.html.encode("utf-8"))
    body = dom.find(".//body").text_content()
    for text in HOSTILE:
        assert text in body, text
    assert dom.findtext(".//title").startswith("Subject <script>alert(1)</script>")


def test_nothing_is_evaluated_as_a_template(hostile):
    dom = lxml.html.document_fromstring(hostile.html.encode("utf-8"))
    visible = dom.find(".//body").text_content()
    for part in (visible, hostile.text, hostile.subject):
        assert "{{ 7*7 }}" in part and "49" not in part
    assert visible.count("{% if true %}evaluated{% endif %}") == visible.count("evaluated") > 10


def test_the_text_part_keeps_hostile_text_as_text(hostile):
    for text in HOSTILE:
        assert text in " ".join(hostile.text.split()), text
    # markdown-it refuses javascript: targets, so the link stays literal text (inert in text/plain)
    assert "[x](javascript:alert(1))" in hostile.text


ATTACKS = [
    "<script>alert(1)</script>",
    "<iframe src=https://evil.example/></iframe>",
    "<style>body{display:none}</style>",
    "<b onmouseover=alert(1)>x</b>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "<img src=x onerror=alert(1)>",
    "![x](https://evil.example/x.png)",
    "<svg onload=alert(1)>",
    "- item <script>alert(1)</script>\n- [y](javascript:alert(1))",
]


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("inline", [False, True])
def test_markdown_output_is_sanitized(attack, inline):
    html = str(markdown_to_html(attack, inline=inline))
    fragment = lxml.html.fragment_fromstring(f"<div>{html}</div>")
    tags = {el.tag for el in fragment.iter() if isinstance(el.tag, str)} - {"div"}
    assert tags <= ALLOWED_TAGS
    assert not tags & {"script", "iframe", "style", "img", "svg"}
    for el in fragment.iter():
        if not isinstance(el.tag, str):
            continue
        assert all(not name.lower().startswith("on") and name != "style" for name in el.attrib), html
        href = (el.get("href") or "").lower()
        assert not href.startswith(("javascript:", "data:", "vbscript:")), html


def test_markdown_keeps_what_it_should():
    html = str(markdown_to_html("**bold**, *italics*, [a link](https://www.ai4media.eu/)\n\n- one\n- two"))
    assert "<strong>bold</strong>" in html and "<em>italics</em>" in html
    assert '<a href="https://www.ai4media.eu/">a link</a>' in html
    assert "<ul>" in html and html.count("<li>") == 2
    tagged = str(markdown_to_html("[a](https://x.org/)", rewrite_url=lambda url: url + "?t=1"))
    assert 'href="https://x.org/?t=1"' in tagged


def test_markdown_text_drops_unsafe_link_targets():
    assert markdown_to_text("[x](javascript:alert(1))") == ["[x](javascript:alert(1))"]
    assert markdown_to_text("[x](https://x.org/)") == ["x <https://x.org/>"]


def test_an_issue_cannot_choose_its_templates(make_project, run_cli) -> None:
    """Templates are code; an issue is content. ``settings: templates: images`` with a picture folder holding
    ``blocks/masthead.mjml.j2`` put the folder's <script> into the email, and check said nothing of it."""
    from shared import HELLO_ISSUE, assert_clean_failure, clean_env

    evil = "<mj-raw><script>alert('from the issue')</script></mj-raw>\n"
    issue = HELLO_ISSUE.replace("language: en\n", "language: en\nsettings:\n  templates: images\n")
    root = make_project({"issues/2021-12-hello.yaml": issue, "images/blocks/masthead.mjml.j2": evil})
    expected = "issues/2021-12-hello.yaml:6:3: error: settings.templates: an issue cannot choose the templates"
    (error,) = assert_clean_failure(run_cli("build", "issues/2021-12-hello.yaml", "--out", "dist", cwd=root,
                                            env=clean_env()), 1)
    assert error.startswith(expected) and not (root / "dist").exists()
    checked = run_cli("check", "issues/2021-12-hello.yaml", cwd=root, env=clean_env())
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert "issues/2021-12-hello.yaml:6:3: error: schema: settings.templates: an issue cannot" in checked.stdout
