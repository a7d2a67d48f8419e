"""The shortcuts taken for speed (benchmarks/README.md) keep the slow paths' answers."""

from __future__ import annotations

import gc

import pytest
from shared import HELLO_ISSUE

from newsletter_pipeline.checks.css import parse_style, without_important
from newsletter_pipeline.cli import collector_paused
from newsletter_pipeline.errors import TemplateError
from newsletter_pipeline.render.mjml import check_known_tags


def test_parse_style_gives_a_new_dict_each_time() -> None:
    first = parse_style("color: red; COLOR: blue ; margin:0")
    assert first == {"color": "blue", "margin": "0"}
    first["color"] = "changed"
    assert parse_style("color: red; COLOR: blue ; margin:0") == {"color": "blue", "margin": "0"}
    assert parse_style(None) == {} and parse_style("") == {}


@pytest.mark.parametrize("value, expected", [
    ("red !important", "red"), ("red ! important", "red ! important"), ("red!IMPORTANT  ", "red"),
    ("red", "red"), ("a!b", "a!b"),
])
def test_without_important(value: str, expected: str) -> None:
    assert without_important(value) == expected


def test_unknown_mjml_tag_is_still_located() -> None:
    source = "<mjml>\n  <mj-body>\n    <mj-sectoin>\n  </mj-body>\n</mjml>\n"
    with pytest.raises(TemplateError) as caught:
        check_known_tags(source, "email.mjml")
    [problem] = caught.value.diagnostics
    assert (problem.location.line, problem.location.col) == (3, 5)
    assert "<mj-sectoin>" in problem.message


def test_unknown_tag_in_a_comment_is_not_a_tag() -> None:
    # the regex pre-scan sees "<mj-nope" and defers to html.parser, which knows it is a comment
    check_known_tags("<mjml><mj-body><!-- <mj-nope> --><mj-section></mj-section></mj-body></mjml>")


@pytest.mark.parametrize("enabled", [True, False])
def test_collector_paused_restores_the_collector(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
    finally:
        gc.unfreeze()
        (gc.enable if was else gc.disable)()


def test_nested_pauses_restore_the_collector_once() -> None:
    from newsletter_pipeline.gcpause import paused

    assert gc.isenabled()
    with paused():
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_overlapping_pauses_in_threads_leave_the_collector_on() -> None:
    # thread A pauses, thread B pauses while A's pause holds, A ends first, then B:
    # the collector must end up on (B must not restore the "off" it saw when it began)
    import threading

    from newsletter_pipeline.gcpause import paused

    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with paused():
            a_in.set()
            b_in.wait(5)
        a_out.set()

    def second() -> None:
        a_in.wait(5)
        with paused():
            b_in.set()
            a_out.wait(5)
            assert not gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert gc.isenabled()




def imported_modules(importtime_stderr: str) -> set[str]:
    """The modules named by ``python -X importtime`` output (``import time: self | cumulative | name``)."""
    return {line.rsplit("|", 1)[1].strip() for line in importtime_stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2}


def test_a_build_does_not_import_requests(make_project, run_cli) -> None:
    # premailer imports requests, and cssutils what it fetches @import with, but the build never fetches
    root = make_project({"issues/2021-12-small.yaml": HELLO_ISSUE})
    result = run_cli("build", "issues/2021-12-small.yaml", "--out", "out", cwd=root,
                     env={"PYTHONPROFILEIMPORTTIME": "1"}, fresh=True)
    assert result.returncode == 0, result.stderr
    loaded = imported_modules(result.stderr)
    assert "premailer.premailer" in loaded  # the guard against a vacuous pass: importtime was read
    assert not {"requests", "urllib3", "charset_normalizer", "urllib.request", "http.client", "ssl",
                "importlib.metadata", "encutils", "email.message"} & loaded


def test_a_build_and_a_check_of_valid_files_do_not_import_pydantic(make_project, run_cli) -> None:
    """The records answer for a valid file (issue/records.py); pydantic is ~100 ms of a build's start-up."""
    root = make_project({"issues/2021-12-small.yaml": HELLO_ISSUE}, seed=True)
    for args in (["build", "issues/", "--out", "out"], ["check", "issues/"]):
        result = run_cli(*args, cwd=root, env={"PYTHONPROFILEIMPORTTIME": "1"}, fresh=True)
        assert result.returncode == 0, result.stderr
        loaded = imported_modules(result.stderr)
        assert "newsletter_pipeline.issue.records" in loaded and not {"pydantic", "pydantic_core"} & loaded, args
    (root / "issues/2021-12-small.yaml").write_text(HELLO_ISSUE.replace("subject: Hello", "subject: [Hello]"))
    result = run_cli("check", "issues/2021-12-small.yaml", cwd=root, env={"PYTHONPROFILEIMPORTTIME": "1"}, fresh=True)
    assert result.returncode == 1 and "pydantic" in imported_modules(result.stderr)  # it words the errors
    assert "issues/2021-12-small.yaml:1:10: error:" in result.stdout


def test_only_text_that_needs_it_imports_wcwidth(make_project, run_cli) -> None:
    """wcwidth is ~20 ms of start-up; text of one-column characters (English, Greek) is measured by len()."""
    from shared import REPO, SEED, SEED_NAME, SEED_SLUG

    greek = (REPO / "tests" / "fixtures" / "editions" / f"{SEED_SLUG}.el.yaml").read_text("utf-8")
    root = make_project({f"issues/{SEED_NAME}": SEED.read_text("utf-8"), f"issues/{SEED_SLUG}.el.yaml": greek,
                         "issues/2021-12-party.yaml": HELLO_ISSUE.replace("title: Hello", "title: Hello 🎉")})
    assert "title: Hello 🎉" in (root / "issues/2021-12-party.yaml").read_text("utf-8")
    imported = {}
    for name in (SEED_NAME, f"{SEED_SLUG}.el.yaml", "2021-12-party.yaml"):
        result = run_cli("build", f"issues/{name}", "--out", "out", cwd=root,
                         env={"PYTHONPROFILEIMPORTTIME": "1"}, fresh=True)
        assert result.returncode == 0, result.stderr
        imported[name] = "wcwidth" in imported_modules(result.stderr)
    # the emoji's issue imports it: the guard against a vacuous pass
    assert imported == {SEED_NAME: False, f"{SEED_SLUG}.el.yaml": False, "2021-12-party.yaml": True}


DEFERRED_REQUESTS = """
import sys, types
import newsletter_pipeline.render.inline
import premailer.premailer as premailer
import cssutils._fetch as fetch, cssutils.helper
deferred = {"requests", "urllib.request", "http.client", "importlib.metadata", "encutils", "email.message"}
assert not deferred & set(sys.modules), deferred & set(sys.modules)
assert cssutils.helper.path2url("/a b") == "file:/a%20b"  # urllib.request, through its package
assert "importlib.metadata" not in sys.modules
assert fetch._get_version() not in ("", "unknown")  # importlib.metadata, on first use
assert fetch.encutils.getEncodingInfo is sys.modules["encutils"].getEncodingInfo
import urllib.request, importlib.metadata
assert type(urllib.request) is types.ModuleType and fetch.urllib.request is urllib.request
assert fetch._get_version() == importlib.metadata.version("cssutils")
assert premailer.requests.get.__module__ == "requests.api"  # the stand-in hands over on first use
import requests
assert type(requests) is types.ModuleType and requests is sys.modules["requests"]
assert premailer.requests.Session is requests.Session
print("ok")
"""


def test_premailer_gets_the_real_requests_when_it_uses_it() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", DEFERRED_REQUESTS], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_requests_imported_first_is_used_as_it_is() -> None:
    import subprocess
    import sys

    code = "import requests, newsletter_pipeline.render.inline, premailer.premailer as p; assert p.requests is requests"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_memoized_styles_still_depend_on_the_parent() -> None:
    # the same element attributes under a hidden and a visible parent: one computed style each
    from newsletter_pipeline.checks.context import CheckContext
    from newsletter_pipeline.models import RenderedIssue

    same = '<p style="color:#777777;font-size:14px">Same words</p>'
    html = (f'<html><body><div style="display:none">{same}</div><div style="background:#000000">{same}</div>'
            f'<div hidden>{same}</div></body></html>')
    rendered = RenderedIssue(slug="s", subject="s", preheader="", language="en", html=html, text="", mjml="",
                             source="s")
    ctx = CheckContext(None, rendered)  # type: ignore[arg-type] - the styles never read the issue
    visible = [(ctx.computed(element).background, text) for element, text in ctx.text_elements()]
    assert visible == [((0, 0, 0), "Same words")]


def _text_elements_by_walking(ctx) -> list[tuple[str, str]]:
    """What ``CheckContext.text_elements`` found before XPath: every element of the body, one by one."""
    from newsletter_pipeline.checks.context import NON_TEXT_TAGS

    body, found = ctx.tree.find("body"), []
    for element in body.iter() if body is not None else ():
        if isinstance(element.tag, str) and element.tag not in NON_TEXT_TAGS:
            text = " ".join(" ".join([element.text or "", *(child.tail or "" for child in element)]).split())
            if text and not ctx.computed(element).hidden:
                found.append((ctx.tree.getroottree().getpath(element), text))
    return found


TRICKY_TEXT = ('<html><body>Body text<div>&nbsp;\u2003</div><p><!-- note -->after a comment</p>'
               '<p><b>bold</b> tail only</p><td>\t\n</td><style>p{}</style><span hidden>gone</span>'
               '<o:p>office</o:p><p>a<br>b</p></body></html>')


def test_text_elements_found_by_xpath_are_those_a_walk_finds(seed_build) -> None:
    from shared import REPO

    from newsletter_pipeline.checks.context import CheckContext
    from newsletter_pipeline.models import RenderedIssue
    from newsletter_pipeline.render import build_issue

    digest = build_issue(REPO / "tests" / "projects" / "digest" / "issues" / "2024-05-tidewater-3-0.yaml")
    tricky = RenderedIssue(slug="s", subject="s", preheader="", language="en", html=TRICKY_TEXT, text="",
                           mjml="", source="s")
    contexts = [CheckContext(*seed_build), CheckContext(*digest), CheckContext(None, tricky)]  # type: ignore[arg-type]
    for ctx in contexts:
        fast = [(ctx.tree.getroottree().getpath(element), text) for element, text in ctx.text_elements()]
        assert fast == _text_elements_by_walking(ctx) and len(fast) > 5
    assert [text for _, text in contexts[2].text_elements()] == [
        "Body text", "after a comment", "tail only", "bold", "office", "a b"]


def test_the_settings_read_for_locations_follow_the_file(tmp_path) -> None:
    from newsletter_pipeline.checks.locate import _settings_doc

    path = tmp_path / "newsletter.yaml"
    path.write_text("name: A\npostal_address: Street 1\n", encoding="utf-8")
    assert _settings_doc(path).value_location(("postal_address",)).line == 2
    path.write_text("name: A\n\n\npostal_address: Street 1\n", encoding="utf-8")  # what the preview sees on save
    assert _settings_doc(path).value_location(("postal_address",)).line == 4


def _first_control_by_category(value: str, multi_line: bool) -> int | None:
    """The rule as it was first written: a loop over each character's Unicode category."""
    import unicodedata

    from newsletter_pipeline.controls import OVERRIDES, SEPARATORS

    for index, char in enumerate(value):
        if multi_line and char in "\n\t":
            continue
        if multi_line and char == "\r" and value[index + 1:index + 2] == "\n":
            continue
        if unicodedata.category(char) == "Cc" or char in SEPARATORS or (not multi_line and char in OVERRIDES):
            return index
    return None


@pytest.mark.parametrize("multi_line", [False, True])
def test_first_control_finds_what_the_category_loop_finds(multi_line: bool) -> None:
    from newsletter_pipeline.controls import first_control

    samples = [chr(code) for code in range(0x3000)] + [chr(0x10FFFF), "\U0001F600"]
    samples += ["a\r\nb", "a\rb", "a\r", "\r\n\r\n", "\n\t", "x\u202ey", "ok \u200f\u202b text", ""]
    refused = 0
    for text in samples + [f"ab{sample}cd" for sample in samples]:
        expected = _first_control_by_category(text, multi_line)
        found = first_control(text, multi_line=multi_line)
        assert (found[0] if found else None) == expected, repr(text)
        refused += found is not None
    assert refused > 100  # the comparison saw refusals, not only clean text


SELECTOR_PROBES = [
    "p", "td", ".np-text", ".np-text p", ".np-text > p", "div.np-text", "td.np-button a", ".a .b .c",
    "table > tr > td", "body div > table td", ".np-surface td", ".NP-TEXT", "P", "p.missing", "div > div > div",
    # not tags and classes only: cssselect answers these itself
    "*", "a:hover", "[class] p", "#id", "u + .body p", "p ~ p", "a[href]", ":root",
]


def test_selector_matcher_finds_what_cssselect_finds(seed_build) -> None:
    """Every selector of the seed's and the digest's style blocks, and probes, matched both ways."""
    from lxml.cssselect import CSSSelector
    from shared import REPO

    from newsletter_pipeline.checks.context import CheckContext
    from newsletter_pipeline.checks.css import declarations
    from newsletter_pipeline.checks.selectors import _simple_chain, compiled_selector
    from newsletter_pipeline.render import build_issue

    digest = build_issue(REPO / "tests" / "projects" / "digest" / "issues" / "2024-05-tidewater-3-0.yaml")
    compared = fast = 0
    for loaded, rendered in (seed_build, digest):
        tree = CheckContext(loaded, rendered).tree
        selectors = {" ".join(s.split()) for style in tree.iter("style")
                     for decl in declarations(style.text or "") for s in decl.selector.split(",")}
        classes = {c for e in tree.iter() if isinstance(e.tag, str) for c in (e.get("class") or "").split()}
        selectors |= {f".{c}" for c in classes} | {f"td .{c} p" for c in classes} | set(SELECTOR_PROBES)
        for selector in sorted(selectors):
            try:
                expected = CSSSelector(selector)(tree)
            except Exception:  # noqa: BLE001 - cssselect cannot evaluate it: neither matcher may claim it
                assert compiled_selector(selector) is None or _simple_chain(selector) is None, selector
                continue
            matcher = compiled_selector(selector)
            assert matcher is not None and matcher(tree) == expected, selector
            compared += 1
            fast += _simple_chain(selector) is not None
    assert compared > 100 and fast > 80  # most selectors took the fast path, and each agreed


def test_premailer_remembering_its_stylesheets_inlines_what_premailer_does(seed_build, monkeypatch) -> None:
    """Twice the same email, and an email with other styles, as the plain Premailer inlines them."""
    import newsletter_pipeline.render.inline as inline
    from newsletter_pipeline.render.pipeline import compile_mjml

    loaded, rendered = seed_build
    compiled = compile_mjml(rendered.mjml, loaded.issue.language, loaded.issue.direction)
    other = compiled.replace("</style>", ".np-extra { color: #123456 !important; }</style>", 1)
    assert other != compiled
    remembered = [inline.inline_css(html) for html in (compiled, compiled, other)]
    assert inline._STYLE_RULES  # the second and third builds found stylesheets it had parsed
    monkeypatch.setattr(inline, "_Premailer", inline.Premailer)
    assert remembered == [inline.inline_css(html) for html in (compiled, compiled, other)]
    assert remembered[0] != remembered[2]


def test_the_command_does_not_load_installed_pydantic_plugins(tmp_path) -> None:
    """An installed package registering a pydantic plugin is not imported by `newsletter build`;
    the library, imported by other code, still loads it (the control)."""
    import os
    import subprocess
    import sys

    from shared import FIXTURE_PROJECT, SEED

    site = tmp_path / "site"
    (site / "noisy_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "noisy_plugin-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: noisy-plugin\n"
                                                                   "Version: 1.0\n", encoding="utf-8")
    (site / "noisy_plugin-1.0.dist-info" / "entry_points.txt").write_text(
        "[pydantic]\nnoisy = noisy_plugin:plugin\n", encoding="utf-8")
    marker = tmp_path / "loaded"
    (site / "noisy_plugin.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n\n\nclass Plugin:\n    def new_schema_validator(self, *args, **kwargs):\n"
        "        return None, None, None\n\n\nplugin = Plugin()\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    built = subprocess.run([sys.executable, "-m", "newsletter_pipeline", "build", str(SEED), "--out",
                            str(tmp_path / "out")], cwd=FIXTURE_PROJECT, env=env, capture_output=True, text=True,
                           timeout=120)
    assert built.returncode == 0, built.stderr
    assert not marker.exists()
    control = subprocess.run([sys.executable, "-c", "import newsletter_pipeline.issue.schema"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert control.returncode == 0, control.stderr
    assert marker.exists()  # the plugin is found: the command above did not load it on purpose
