"""unsubscribe and postal-address against an email whose own CSS hides the footer.

Each test overrides one template the way a careless or hostile edit would,
and expects the legal rules to see that readers cannot find the link or the
address, although both are still in the HTML.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from checkutil import BASE, ISSUE_NAME, builtin_template, only, where

FOOTER = builtin_template("blocks/footer.mjml.j2")
LAYOUT = builtin_template("layout.mjml.j2")
LINK = '<a href="{{ unsubscribe_url }}">{{ _("Unsubscribe") }}</a>'
ADDRESS = ("<p>{% for line in settings.postal_address.splitlines() if line.strip() %}{{ line.strip() }}"
           "{% if not loop.last %}<br>{% endif %}{% endfor %}</p>")  # as footer.mjml.j2 writes it
FOOTER_FILE = "templates/blocks/footer.mjml.j2"


def _layout_with_style(css: str, inline: bool = False) -> dict[str, str]:
    """The layout with one more <mj-style> (kept as <style>, or inlined by premailer)."""
    attribute = ' inline="inline"' if inline else ""
    layout = LAYOUT.replace("  </mj-head>", f"    <mj-style{attribute}>{css}</mj-style>\n  </mj-head>")
    assert layout != LAYOUT
    return {"layout.mjml.j2": layout}


def _footer(old: str, new: str) -> dict[str, str]:
    footer = FOOTER.replace(old, new)
    assert footer != FOOTER
    return {"blocks/footer.mjml.j2": footer}


@pytest.mark.parametrize("css, shown", [
    (".np-footer { display: none !important }", "display:none in the <style> rule '.np-footer'"),
    ("@media only screen and (max-width: 480px) { .np-footer { display: none !important } }",
     "display:none in the <style> rule '.np-footer'"),
    (".np-footer div { font-size: 0 !important }", "font-size:0 in the <style> rule '.np-footer div'"),
    (".np-footer td { max-height: 0; overflow: hidden }", "max-height:0 with overflow:hidden"),
    (".np-footer table { opacity: 0 }", "opacity:0 in the <style> rule '.np-footer table'"),
    (".np-footer div { visibility: hidden }", "visibility:hidden"),
])
def test_a_style_rule_that_hides_the_footer_is_caught(check, css, shown):
    report = check(templates=_layout_with_style(css))
    [link] = only(report, "unsubscribe")
    [address] = only(report, "postal-address")
    assert link.level == address.level == "error"
    assert "the unsubscribe link is hidden by the email's own CSS" in link.message and shown in link.message
    assert "the postal address is hidden by the email's own CSS" in address.message


def test_an_inlined_style_that_hides_the_footer_is_caught(check):
    report = check(templates=_layout_with_style(".np-footer { display: none }", inline=True))
    [link] = only(report, "unsubscribe")
    assert "display:none in the style of a <" in link.message
    assert len(only(report, "postal-address")) == 1


def test_a_link_in_the_colour_of_its_background_is_caught_at_the_footer_template(check):
    report = check(templates=_footer(LINK, '<a href="{{ unsubscribe_url }}" style="color:#ffffff">Unsubscribe</a>'))
    [finding] = only(report, "unsubscribe")
    assert where(finding) == (FOOTER_FILE, 1)
    assert "its text colour #ffffff" in finding.message and "background #ffffff" in finding.message


@pytest.mark.parametrize("style", ["font-size:1px", "position:absolute;left:-9999px", "text-indent:-5000px",
                                   "mso-hide:all", "transform:scale(0)"])
def test_an_address_hidden_by_its_inline_style_is_caught(check, style):
    report = check(templates=_footer(ADDRESS, f'<p style="{style}">{{{{ settings.postal_address }}}}</p>'))
    [finding] = only(report, "postal-address")
    assert "the postal address is hidden" in finding.message and only(report, "unsubscribe") == []


def test_an_unsubscribe_link_that_is_not_the_placeholder_is_caught(check):
    report = check(templates=_footer(LINK, '<a href="https://www.ai4media.eu/bye">Unsubscribe</a>'))
    [finding] = only(report, "unsubscribe")
    assert where(finding) == (FOOTER_FILE, 1)
    assert "goes to 'https://www.ai4media.eu/bye', not to {{ unsubscribe_url }}" in finding.message


def test_a_second_visible_link_is_enough_and_dark_mode_colours_are_no_hiding(check):
    hidden_copy = LINK.replace("<a ", '<a style="display:none" ') + " " + LINK
    report = check(BASE, templates=_footer(LINK, hidden_copy))
    assert only(report, "unsubscribe") == [] and only(report, "postal-address") == []


def test_check_on_the_command_line_fails_for_a_hidden_footer(run_cli, project):
    path = project(templates=_layout_with_style(".np-footer { display: none !important }"))
    result = run_cli("check", str(path), cwd=Path.cwd())  # in the project folder (the fixture went there)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    found = [line for line in result.stdout.splitlines() if " is hidden by the email's own CSS" in line]
    assert [line.split(": error: ")[1].split(":")[0] for line in found] == ["postal-address", "unsubscribe"]
    assert all("blocks/footer.mjml.j2:1:" in line for line in found), found  # the built-in footer
    assert ISSUE_NAME in result.stderr
