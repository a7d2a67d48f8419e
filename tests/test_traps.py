"""Every trap of premailer, cssutils and MRML that the render stages work around.

Each test shows our output is right, and where it is cheap also runs the
library the naive way on the same input, to prove the input really springs
the trap (so the test could fail if our workaround went away).
"""

from __future__ import annotations

import http.server
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import mjml
import pytest
from premailer import Premailer
from shared import REPO, local_http_server

from newsletter_pipeline.errors import TemplateError
from newsletter_pipeline.issue.load import load_issue
from newsletter_pipeline.render import build_issue
from newsletter_pipeline.render.inline import inline_css
from newsletter_pipeline.render.mjml import compile_mjml
from newsletter_pipeline.render.templates import render_mjml, template_dirs


ISSUE = "issues/2021-12-traps.yaml"
VALID = """\
subject: Traps
date: 2021-12-15
language: {language}
blocks:
  - type: cta
    text: Hello
    button:
      label: Go
      url: https://www.ai4media.eu/
"""
LAYOUT = (REPO / "templates" / "layout.mjml.j2").read_text(encoding="utf-8")
# <!--[if mso]>...<![endif]--> is one HTML comment; <!--[if !mso]><!-->...<!--<![endif]--> is not
MSO_HIDDEN = re.compile(r"<!--\[if [^\]]*\]>(?!<!-->).*?-->", re.DOTALL)
MSO_REVEALED = re.compile(r"<!--\[if [^\]]*\]><!-->")


def layout_with(head: str = "", mjml_tag: str | None = None) -> str:
    """The shipped layout with ``head`` added to <mj-head> (and optionally another <mjml> tag)."""
    assert LAYOUT.count("</mj-head>") == 1
    text = LAYOUT.replace("</mj-head>", f"{head}\n  </mj-head>")
    if mjml_tag is not None:
        opening = re.search(r"<mjml\b[^>]*>", text)
        assert opening
        text = text.replace(opening.group(0), mjml_tag)
    return text


def cta_with(markup: str) -> str:
    return f"    <mj-section>\n      <mj-column>\n{markup}\n      </mj-column>\n    </mj-section>\n"


@pytest.fixture
def project(make_project, monkeypatch):
    """A project with one small issue, the working directory set to it."""

    def make(overrides: dict[str, str] | None = None, language: str = "en") -> Path:
        files = {ISSUE: VALID.format(language=language)}
        files.update({f"over/{name}": text for name, text in (overrides or {}).items()})
        root = make_project(files)
        monkeypatch.chdir(root)
        return root

    return make


def compiled_seed(seed_build) -> str:
    """The seed as MRML leaves it, before the inline stage."""
    loaded, rendered = seed_build
    return compile_mjml(rendered.mjml, loaded.issue.language, loaded.issue.direction)


def media_blocks(html: str) -> list[str]:
    """Every ``@media ... { ... }`` block of the document's style sheets, braces balanced."""
    blocks = []
    for style in re.findall(r"<style\b[^>]*>(.*?)</style>", html, re.DOTALL):
        for match in re.finditer(r"@media\b", style):
            depth, end = 0, match.start()
            for end in range(style.index("{", match.start()), len(style)):
                depth += {"{": 1, "}": -1}.get(style[end], 0)
                if depth == 0:
                    break
            blocks.append(style[match.start(): end + 1])
    return blocks


# --- premailer -------------------------------------------------------------

SMALL = ('<!doctype html><html><head><style>/*np:inline*/ .b { color: blue; }</style>'
         '<style>@media (max-width:480px) { .a { color: red !important; } } '
         '@media (prefers-color-scheme: dark) { .a { background-color: #000 !important; } }</style>'
         '</head><body><p class="a b">x</p></body></html>')


def test_doctype_is_kept_as_the_first_line(seed_dist):
    html = seed_dist.read("email.html")
    assert html.splitlines()[0] == "<!doctype html>"
    assert html.lower().count("<!doctype") == 1
    assert inline_css(SMALL).startswith("<!doctype html>\n<html")
    assert "doctype" not in Premailer(SMALL).transform().lower()  # the trap


def test_important_survives_in_every_media_query(seed_build, seed_dist):
    before = media_blocks(compiled_seed(seed_build))
    after = media_blocks(seed_dist.read("email.html"))
    assert len(after) == len(before) >= 3
    for old, new in zip(before, after):
        assert new.count("!important") == old.count("!important") > 0, new
    dark = [block for block in after if "prefers-color-scheme: dark" in block]
    assert len(dark) == 1 and dark[0].count("!important") >= 5


def test_important_survives_in_a_minimal_document():
    ours = inline_css(SMALL)
    assert "color: red !important" in ours and "background-color: #000 !important" in ours
    naive = Premailer(SMALL).transform()  # the trap: strip_important=True by default
    assert "@media" in naive and "!important" not in naive


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.hits.append(self.path)
        body = b".np-fetched { color: #ff0000; }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def css_server() -> Iterator[tuple[str, list[str]]]:
    """A stylesheet server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []
    with local_http_server(type("Handler", (_CountingHandler,), {"hits": hits})) as url:
        yield url, hits


def test_no_stylesheet_is_fetched_while_building(project, css_server):
    base, hits = css_server
    head = (f'    <mj-raw><link rel="stylesheet" href="{base}/link.css"></mj-raw>\n'
            f'    <mj-font name="Trap" href="{base}/font.css" />\n'
            f'    <mj-style>@import url({base}/import.css); .a {{ color: #000; }}</mj-style>\n'
            f'    <mj-style inline="inline">@import url({base}/inline-import.css); .b {{ color: #000; }}</mj-style>')
    root = project({"layout.mjml.j2": layout_with(head)})
    # rendered in process: the CLI's checks would (rightly) refuse a 127.0.0.1 stylesheet first
    _, rendered = build_issue(ISSUE, templates=root / "over")
    html = rendered.html
    assert f"{base}/link.css" in html  # the reference really is in the email
    assert hits == []
    Premailer(html).transform()  # the trap: premailer's defaults do fetch it
    assert f"/link.css" in hits


def test_cssutils_is_quiet_in_a_real_process(seed_dist):
    """The seed's CSS has mso-* and -webkit-* properties that cssutils warns about by default."""
    assert seed_dist.stderr == ""


def test_cssutils_logs_no_warnings_in_process(seed_build):
    html = compiled_seed(seed_build)
    logger = logging.getLogger("CSSUTILS")
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    level = logger.level
    try:
        logger.setLevel(logging.DEBUG)  # as if another library had turned cssutils up
        inline_css(html)
        ours = [r for r in records if r.levelno >= logging.WARNING]
        logger.setLevel(logging.WARNING)
        Premailer(html, allow_network=False).transform()  # the trap
        naive = [r for r in records if r.levelno >= logging.WARNING]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert ours == []
    assert any("Unknown Property name" in r.getMessage() for r in naive)


def test_mso_conditional_comments_survive_inlining_intact(seed_build, seed_dist):
    before, after = compiled_seed(seed_build), seed_dist.read("email.html")
    hidden = MSO_HIDDEN.findall(before)
    assert len(hidden) > 20 and all(c.endswith("<![endif]-->") for c in hidden)
    assert MSO_HIDDEN.findall(after) == hidden  # byte for byte, in order
    # downlevel-revealed ones wrap real markup, which lxml may re-indent; their markers must stay
    assert len(MSO_REVEALED.findall(after)) == len(MSO_REVEALED.findall(before)) > 0
    assert after.count("<!--<![endif]-->") == before.count("<!--<![endif]-->") > 0


# --- MRML (mjml-python) ----------------------------------------------------


def test_mj_style_inline_rules_are_inlined(project):
    root = project({
        "layout.mjml.j2": layout_with('    <mj-style inline="inline">.np-only { color: #123456; }</mj-style>'),
        "blocks/cta.mjml.j2": cta_with('        <mj-text><p class="np-only">Styled only inline</p></mj-text>'),
    })
    _, rendered = build_issue(ISSUE, templates=root / "over")
    element = re.search(r'<p class="np-only"([^>]*)>Styled only inline</p>', rendered.html)
    assert element and re.search(r'style="[^"]*color:\s*#123456', element.group(1))
    assert ".np-only" not in rendered.html.split("<body")[0]  # inlined, not left in <head>
    naive = mjml.mjml2html(rendered.mjml)  # the trap: MRML leaves it unapplied
    assert re.search(r'<p class="np-only">Styled only inline</p>', naive)


@pytest.mark.parametrize("language, direction", [("de-AT", "ltr"), ("ar", "rtl")])
def test_a_layout_without_lang_still_gets_the_issue_language(project, language, direction):
    root = project({"layout.mjml.j2": layout_with(mjml_tag="<mjml>")}, language=language)
    _, rendered = build_issue(ISSUE, templates=root / "over")
    assert "<mjml>" in rendered.mjml
    html_tag = re.search(r"<html\b[^>]*>", rendered.html).group(0)
    assert f'lang="{language}"' in html_tag and f'dir="{direction}"' in html_tag
    assert 'lang="und"' not in rendered.html
    assert 'lang="und"' in mjml.mjml2html(rendered.mjml)  # the trap


def _mjml_of(root: Path) -> str:
    loaded = load_issue(ISSUE)
    return render_mjml(loaded, template_dirs(loaded, root / "over"))


def test_unknown_mjml_tag_fails_with_its_location(project):
    root = project({"blocks/cta.mjml.j2": cta_with("        <mj-txt>Typo</mj-txt>")})
    source = _mjml_of(root)
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "<mj-txt>" in text)
    with pytest.raises(TemplateError) as caught:
        build_issue(ISSUE, templates=root / "over")
    (diag,) = caught.value.diagnostics
    # the template line that wrote it: the generated email.mjml is never written when it fails
    assert str(diag.location) == "over/blocks/cta.mjml.j2:3:9"
    assert diag.key_path == "blocks[0] (cta, from template blocks/cta.mjml.j2)"
    assert diag.message == "unknown MJML tag <mj-txt>"
    assert diag.hint.endswith(f"it is line {line} of the MJML the templates generate")
    mjml.mjml2html(source)  # the trap: MRML itself accepts it without a word


# MRML reports the offset of the text a divider may not hold: a precise position to translate
MRML_ERROR = "        <mj-divider>oops</mj-divider>"


def test_mrml_errors_get_a_line_and_the_block(project):
    root = project({"blocks/cta.mjml.j2": cta_with(MRML_ERROR)})
    source = _mjml_of(root)
    line, col = next((i, text.index("oops") + 1) for i, text in enumerate(source.splitlines(), 1) if "oops" in text)
    with pytest.raises(TemplateError) as caught:
        build_issue(ISSUE, templates=root / "over")
    (diag,) = caught.value.diagnostics
    assert str(diag.location) == "over/blocks/cta.mjml.j2:3:21"  # "oops", in the template
    assert (line, col) != (3, 21) and diag.hint.endswith(f"it is line {line} of the MJML the templates generate")
    assert diag.key_path == "blocks[0] (cta, from template blocks/cta.mjml.j2)"
    assert diag.message.startswith("MJML does not compile: ")
    with pytest.raises(ValueError) as raw:
        mjml.mjml2html(source)
    assert re.search(r"position \d+", str(raw.value)) and "line" not in str(raw.value)  # the trap


def test_mrml_errors_reach_the_cli_located(project, run_cli):
    root = project({"blocks/cta.mjml.j2": cta_with(MRML_ERROR)})
    result = run_cli("build", ISSUE, "--out", "out", "--templates", "over", cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.match(r"^over/blocks/cta\.mjml\.j2:3:21: error: blocks\[0\] \(cta, from template "
                    r"blocks/cta\.mjml\.j2\): MJML does not compile: ", result.stderr)
    assert not (root / "out").exists()


def test_an_mjml_error_on_a_generated_line_points_at_the_block_in_the_issue(project):
    """A line built from {{ ... }} is in no template verbatim: the block of the issue is named instead."""
    tag = '{{ "mj-" ~ "txt" }}'  # the unknown tag is generated: no template holds "<mj-txt"
    root = project({"blocks/cta.mjml.j2": cta_with(f"        <{tag}>{{{{ block.button.label }}}}</{tag}>")})
    with pytest.raises(TemplateError) as caught:
        build_issue(ISSUE, templates=root / "over")
    (diag,) = caught.value.diagnostics
    assert diag.location == load_issue(ISSUE).location(("blocks", 0))
    assert diag.location.file == ISSUE and diag.key_path == "blocks[0] (cta, from template blocks/cta.mjml.j2)"
