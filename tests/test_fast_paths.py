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
