"""The CSS helpers the rules stand on: WCAG contrast with known pairs, colours, sizes, style blocks."""

from __future__ import annotations

import json

import pytest

from newsletter_pipeline.checks.css import contrast_ratio, declarations, inverted, length_px, parse_color, parse_style
from newsletter_pipeline.checks.rules.css_support import TABLE, dropped_by, support_table


@pytest.mark.parametrize("fg, bg, expected", [
    ("#000", "#fff", 21.0),
    ("#777", "#fff", 4.48),      # the classic "just fails AA" grey
    ("#767676", "#ffffff", 4.54),  # the lightest grey that passes on white
    ("#ffffff", "#ffffff", 1.0),
    ("#595959", "#ffffff", 7.0),   # the lightest grey for AAA
    ("#949494", "#ffffff", 3.03),  # about the lightest grey for large text (3:1)
    ("#ff0000", "#ffffff", 4.0),   # pure red on white
])
def test_contrast_ratio_of_known_pairs(fg, bg, expected):
    ratio = contrast_ratio(parse_color(fg), parse_color(bg))
    assert ratio == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(parse_color(bg), parse_color(fg)) == pytest.approx(ratio)  # order does not matter


@pytest.mark.parametrize("text, rgb", [
    ("#FFF", (255, 255, 255)), ("#1f2933", (31, 41, 51)), ("rgb(10, 20, 30)", (10, 20, 30)),
    ("white !important", (255, 255, 255)), ("#0b3b60 url(x.png) no-repeat", (11, 59, 96)),
    ("rgba(0,0,0,0.5)", None), ("transparent", None), ("", None),
])
def test_parse_color(text, rgb):
    assert parse_color(text) == rgb


def test_lengths_resolve_against_the_parent():
    assert length_px("12pt", 16) == 16
    assert length_px("0.75em", 16) == 12
    assert length_px("150%", 10) == 15
    assert length_px("14px !important", 16) == 14
    assert length_px("calc(1em + 2px)", 16) is None


def test_parse_style_keeps_the_last_declaration():
    assert parse_style("color: red; COLOR:blue;font-size :14px") == {"color": "blue", "font-size": "14px"}


def test_declarations_know_their_media_query():
    css = """
      p { margin: 0; }
      /* a comment { color: red } */
      @media (prefers-color-scheme: dark) {
        body, .bg { background-color: #121212 !important; }
        .a { color: #fff; }
      }
    """
    found = [(d.selector, d.prop, d.important, d.at_rules) for d in declarations(css)]
    assert found == [
        ("p", "margin", False, ()),
        ("body, .bg", "background-color", True, ("@media (prefers-color-scheme: dark)",)),
        (".a", "color", False, ("@media (prefers-color-scheme: dark)",)),
    ]


def test_css_support_table_cites_its_source_and_date():
    table = json.loads(TABLE.read_text(encoding="utf-8"))
    assert "caniemail.com" in table["source"] and table["retrieved"]
    assert set(table["clients"]) == {"gmail", "outlook-windows", "apple-mail", "yahoo"}
    for feature in table["features"].values():
        assert set(feature["support"]) == set(table["clients"])
        assert set(feature["support"].values()) <= {"y", "a", "n"}


def test_flex_is_dropped_by_outlook_only():
    assert support_table()["features"]["css-display-flex"]
    assert dropped_by("css-display-flex") == ["Outlook (Windows, 2007-2019)"]


@pytest.mark.parametrize(("colour", "expected"), [
    ((255, 255, 255), (0, 0, 0)), ((0, 0, 0), (255, 255, 255)), ((128, 128, 128), (127, 127, 127)),
    ((0, 0, 255), (0, 0, 255)),  # pure blue sits at half lightness: inversion leaves it, on black it is dark
    ((11, 59, 96), (159, 207, 244)),  # the seed's primary becomes a light blue
])
def test_inversion_flips_lightness_and_keeps_hue(colour, expected):
    assert inverted(colour) == expected
