"""UTM tagging (issue 15 item 6): both parts tagged alike, the link's own query kept byte for byte."""

from __future__ import annotations

import re

import lxml.html
import pytest

from newsletter_pipeline.checks.locate import strip_utm
from newsletter_pipeline.issue.schema import Utm
from newsletter_pipeline.render import build_issue
from newsletter_pipeline.render.links import add_utm

TAGS = "utm_source=newsletter&utm_medium=email&utm_campaign=s"


@pytest.mark.parametrize(("url", "tagged"), [
    ("https://x.org/?flag", f"https://x.org/?flag&{TAGS}"),  # a bare key keeps no "="
    ("https://x.org/?q=a%20b", f"https://x.org/?q=a%20b&{TAGS}"),  # %20 does not become +
    ("https://x.org/?a=1;b=2", f"https://x.org/?a=1;b=2&{TAGS}"),  # ";" pairs intact
    ("https://x.org/p?x=%2F&y=caf%C3%A9+au+lait#top", f"https://x.org/p?x=%2F&y=caf%C3%A9+au+lait&{TAGS}#top"),
    ("https://x.org/?a=1&", f"https://x.org/?a=1&{TAGS}"),
    ("https://x.org/?", f"https://x.org/?{TAGS}"),
    ("https://x.org/page#sec?not-a-query", f"https://x.org/page?{TAGS}#sec?not-a-query"),  # fragment last
    ("https://x.org/?utm_source=own;x", "https://x.org/?utm_source=own;x&utm_medium=email&utm_campaign=s"),
    ("https://x.org/?utm_source=a&utm_medium=b&utm_campaign=c", "https://x.org/?utm_source=a&utm_medium=b&utm_campaign=c"),
    ("HTTPS://X.org/A", f"HTTPS://X.org/A?{TAGS}"),
])
def test_the_original_query_is_kept_byte_for_byte(url, tagged):
    assert add_utm(url, Utm(), "s") == tagged
    if "utm_" not in url:  # the checks find the author's URL again in the issue file (a prefix of it, for "?", "&")
        assert url.startswith(strip_utm(tagged)) and url.rstrip("?&") == strip_utm(tagged).rstrip("?&")


@pytest.mark.parametrize("url", ["ftp://x.org/", "mailto:a@x.org?subject=hi", "tel:+3012345"])
def test_links_that_are_not_http_are_left_alone(url):
    assert add_utm(url, Utm(), "s") == url


ISSUE = "issues/2021-12-links.yaml"
LINKS = """\
subject: Links that agree
date: 2021-12-15
{settings}blocks:
  - type: editorial
    body: "See [the flag page](https://www.ai4media.eu/f/?flag) and [a search](https://www.ai4media.eu/s?q=a%20b;page=2#hits)."
  - type: link_list
    title: Reading
    links:
      - title: A report
        url: https://www.ai4media.eu/report/?id=7
  - type: cta
    text: Come along.
    button:
      label: Register
      url: https://www.ai4media.eu/register/
"""


def build(make_project, monkeypatch, settings: str = ""):
    root = make_project({ISSUE: LINKS.format(settings=settings)})
    monkeypatch.chdir(root)
    _, rendered = build_issue(ISSUE)
    dom = lxml.html.document_fromstring(rendered.html.encode("utf-8"))
    html = {a.get("href") for a in dom.iter("a") if (a.get("href") or "").startswith("http")}
    text = set(re.findall(r"https?://[^\s<>]+", rendered.text))
    return html, text


def test_both_parts_carry_the_same_tagged_links(make_project, monkeypatch):
    html, text = build(make_project, monkeypatch, "settings:\n  utm:\n    campaign: winter\n")
    wanted = {"https://www.ai4media.eu/f/?flag&utm_source=newsletter&utm_medium=email&utm_campaign=winter",
              "https://www.ai4media.eu/s?q=a%20b;page=2&utm_source=newsletter&utm_medium=email&utm_campaign=winter#hits",
              "https://www.ai4media.eu/report/?id=7&utm_source=newsletter&utm_medium=email&utm_campaign=winter",
              "https://www.ai4media.eu/register/?utm_source=newsletter&utm_medium=email&utm_campaign=winter"}
    assert wanted <= html
    assert wanted <= text
    # every link of the text part that the HTML tags is tagged the same way (social links, website)
    tagged_in_html = {strip_utm(u): u for u in html if "utm_" in u}
    for url in text:
        if strip_utm(url) in tagged_in_html:
            assert url == tagged_in_html[strip_utm(url)]
    assert sum("utm_" in u for u in text) >= 6  # the footer's social links and website too


def test_utm_parts_limits_tagging_to_one_part(make_project, monkeypatch):
    html, text = build(make_project, monkeypatch, "settings:\n  utm:\n    parts: [html]\n")
    assert "https://www.ai4media.eu/register/?utm_source=newsletter&utm_medium=email&utm_campaign=2021-12-links" in html
    assert "https://www.ai4media.eu/register/" in text and not any("utm_" in u for u in text)
    html, text = build(make_project, monkeypatch, "settings:\n  utm:\n    parts: [text]\n")
    assert not any("utm_" in u for u in html)
    assert "https://www.ai4media.eu/f/?flag&utm_source=newsletter&utm_medium=email&utm_campaign=2021-12-links" in text


def test_an_unknown_part_is_refused_located(make_project, run_cli):
    root = make_project({ISSUE: LINKS.format(settings="settings:\n  utm:\n    parts: [html, sms]\n")})
    result = run_cli("build", ISSUE, cwd=root)
    assert result.returncode != 0
    assert "2021-12-links.yaml:5:19: error: settings.utm.parts[1]" in result.stderr, result.stderr
    assert "'html' or 'text'" in result.stderr
    assert "Traceback" not in result.stderr
