"""link-host-mismatch, link-userinfo and link-bidi: links shaped like phishing, found at their lines."""

from __future__ import annotations

import pytest
from checkutil import BASE, ISSUE_NAME, line_of, only, where

from newsletter_pipeline.checks.rules.links import deceptive_link_problem, named_host

BODY = "      It is free for research."
PHISHING_RULES = ("link-host-mismatch", "link-userinfo", "link-bidi")


def _with_body(markdown: str) -> str:
    issue = BASE.replace(BODY, f"      {markdown}")
    assert issue != BASE
    return issue


def test_the_base_issue_and_its_footer_links_are_not_phishing(check):
    report = check()
    assert [f for f in report.findings if f.rule in PHISHING_RULES] == []


def test_text_naming_one_host_that_links_to_another_is_an_error_at_its_line(check):
    issue = _with_body("Log in at [www.bank.example](https://evil.example/login).")
    [finding] = only(check(issue), "link-host-mismatch")
    assert (finding.level, where(finding)) == ("error", (ISSUE_NAME, line_of(issue, "www.bank.example")))
    assert "names www.bank.example but the link goes to evil.example" in finding.message


def test_a_button_whose_label_is_another_host_is_located_at_the_label(check):
    issue = BASE.replace("      label: Read more\n      url: https://www.ai4media.eu/dataset/",
                         "      label: https://www.ai4media.eu/dataset/\n      url: https://evil.example/dataset/")
    [finding] = only(check(issue), "link-host-mismatch")
    assert where(finding) == (ISSUE_NAME, line_of(issue, "label: https://www.ai4media.eu/dataset/"))


def test_a_user_name_before_the_real_host_is_an_error_at_the_url(check):
    issue = BASE.replace("url: https://www.ai4media.eu/dataset/", "url: https://www.ai4media.eu@evil.example/dataset/")
    [finding] = only(check(issue), "link-userinfo")
    assert (finding.level, where(finding)) == ("error", (ISSUE_NAME, line_of(issue, "@evil.example")))
    assert "goes to evil.example" in finding.message and "'www.ai4media.eu'" in finding.message


def test_a_right_to_left_override_in_link_text_is_an_error(check):
    issue = _with_body('Get [the "\u202egpj.exe" file](https://www.ai4media.eu/files/).')
    [finding] = only(check(issue), "link-bidi")
    assert (finding.level, where(finding)) == ("error", (ISSUE_NAME, line_of(issue, "files/")))
    assert "U+202E" in finding.message


@pytest.mark.parametrize("text, href", [
    ("www.ai4media.eu", "https://www.ai4media.eu/?utm_source=newsletter"),
    ("ai4media.eu", "https://www.ai4media.eu/"),
    ("Visit www.ai4media.eu for more", "https://news.ai4media.eu/"),
    ("info@ai4media.eu", "mailto:info@ai4media.eu"),
    ("the report.pdf", "https://cdn.ai4media.eu/report.pdf"),
    ("report.pdf", "https://cdn.ai4media.eu/report.pdf"),
    ("Read the 2021 report", "https://evil.example/"),
    ("مقال \u200f جديد", "https://www.ai4media.eu/ar/"),  # a right-to-left mark is not a control that reverses
])
def test_honest_links_pass(text, href):
    assert deceptive_link_problem(text, href) is None


@pytest.mark.parametrize("text, host", [
    ("https://bank.example/login", "bank.example"), ("See www.bank.example.", "www.bank.example"),
    ("WWW.Bank.Example", "www.bank.example"), ("Read more", None), ("version 1.2", None),
])
def test_named_host(text, host):
    assert named_host(text) == host
