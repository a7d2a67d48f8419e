"""The shortcuts taken for speed (benchmarks/README.md) keep the slow paths' answers."""

from __future__ import annotations

import gc

import pytest

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
