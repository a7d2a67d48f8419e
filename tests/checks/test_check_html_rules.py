"""Rules about the rendered email's structure and style: findings point at the template or theme line."""

from __future__ import annotations

import pytest
from checkutil import BASE, ISSUE_NAME, builtin_template, line_of, only, where

from newsletter_pipeline.checks.rules.legal import text_has_unsubscribe

FOOTER = builtin_template("blocks/footer.mjml.j2")
LAYOUT = builtin_template("layout.mjml.j2")


def _cta(body: str) -> dict[str, str]:
    """A cta template override whose mj-text holds ``body`` (line 4 of the template)."""
    return {"blocks/cta.mjml.j2": "    <mj-section>\n      <mj-column>\n        <mj-text>\n"
                                  f"          {body}\n        </mj-text>\n      </mj-column>\n    </mj-section>\n"}


# --- unsubscribe / postal-address --------------------------------------------------------------


def test_footer_without_unsubscribe_link_is_an_error_at_the_footer_template(check):
    footer = FOOTER.replace('<a href="{{ unsubscribe_url }}">{{ _("Unsubscribe") }}</a>', "")
    assert footer != FOOTER
    [finding] = only(check(templates={"blocks/footer.mjml.j2": footer}), "unsubscribe")
    assert (finding.level, where(finding)) == ("error", ("templates/blocks/footer.mjml.j2", 1))
    assert "HTML part" in finding.message


def test_footer_without_postal_address_is_an_error_at_the_footer_template(check):
    address = next(line for line in FOOTER.splitlines() if "settings.postal_address" in line)
    footer = FOOTER.replace(address, "")
    assert footer != FOOTER
    [finding] = only(check(templates={"blocks/footer.mjml.j2": footer}), "postal-address")
    assert (finding.level, where(finding)) == ("error", ("templates/blocks/footer.mjml.j2", 1))


def test_unsubscribe_and_postal_address_pass_in_both_parts(check):
    report = check()
    assert only(report, "unsubscribe") == [] and only(report, "postal-address") == []


def test_plain_text_unsubscribe_needs_the_provider_placeholder():
    assert text_has_unsubscribe("Unsubscribe: https://unsubscribe.newsletter-pipeline.invalid/")
    assert not text_has_unsubscribe("To unsubscribe, reply to this email.")
    # a fixed link is the same for every reader: the provider cannot make it unsubscribe anyone
    assert not text_has_unsubscribe("Unsubscribe: https://lists.ai4media.eu/u/123")


# --- lang / title ---------------------------------------------------------------------------------


def test_undetermined_language_is_an_error_at_the_language_line(check):
    issue = BASE.replace("language: en", "language: und")
    [finding] = only(check(issue), "lang")
    assert (finding.level, where(finding)) == ("error", (ISSUE_NAME, line_of(issue, "language: und")))


def test_language_set_passes(check):
    assert only(check(BASE.replace("language: en", "language: de-AT")), "lang") == []


def test_empty_title_is_an_error_at_the_layout_line(check):
    layout = LAYOUT.replace("<mj-title>{{ issue.subject }}</mj-title>", "<mj-title></mj-title>")
    assert layout != LAYOUT
    [finding] = only(check(templates={"layout.mjml.j2": layout}), "title")
    assert where(finding) == ("templates/layout.mjml.j2", line_of(layout, "<mj-title>"))


def test_title_from_the_subject_passes(check):
    assert only(check(), "title") == []


# --- table-role -----------------------------------------------------------------------------------


def test_layout_table_without_role_is_an_error_at_the_template_line(check):
    table = '<table width="100%"><tr><td>Two columns</td><td>of text</td></tr></table>'
    [finding] = only(check(templates=_cta(table)), "table-role")
    assert (finding.level, where(finding)) == ("error", ("templates/blocks/cta.mjml.j2", 4))


def test_tables_with_role_presentation_pass(check):
    table = '<table role="presentation" width="100%"><tr><td>Two columns</td><td>of text</td></tr></table>'
    assert only(check(templates=_cta(table)), "table-role") == []


# --- heading-order --------------------------------------------------------------------------------


def test_second_masthead_is_a_second_h1_at_its_title(check):
    issue = BASE + "  - type: masthead\n    title: Summer news\n"
    [finding] = only(check(issue), "heading-order")
    assert where(finding) == (ISSUE_NAME, line_of(issue, "title: Summer news"))
    assert "second h1" in finding.message


def test_skipped_heading_level_points_at_the_template_tag(check):
    article = builtin_template("blocks/article.mjml.j2").replace("<h{{ level }}>{{ block.title }}</h{{ level }}>",
                                                                  "<h4>{{ block.title }}</h4>")
    [finding] = only(check(templates={"blocks/article.mjml.j2": article}), "heading-order")
    assert where(finding) == ("templates/blocks/article.mjml.j2", line_of(article, "<h4>"))
    assert "h4" in finding.message and "h1" in finding.message


@pytest.mark.parametrize("section", [False, True], ids=["top", "in-a-section"])
def test_deep_markdown_headings_in_a_body_pass_heading_order(check, section):
    """``##### Pięć`` after ``### Trzy`` in a body failed the build as an h5 after an h3, blamed on the template."""
    body = "".join(f"\n      {line}\n" for line in ("### Trzy", "##### Pięć", "###### Sześć", "#### Cztery"))
    issue = BASE.replace("      It is free for research.\n", f"      It is free for research.\n{body}")
    if section:
        issue = issue.replace("  - type: article\n", "  - type: heading\n    title: Datasets\n  - type: article\n")
    assert issue.count("Pięć") == 1 and issue.count("Datasets") == int(section)
    assert only(check(issue), "heading-order") == []


def test_issue_without_masthead_has_no_h1(check):
    issue = BASE.replace("  - type: masthead\n    title: Spring news\n", "")
    [finding] = only(check(issue), "heading-order")
    assert where(finding) == (ISSUE_NAME, line_of(issue, "blocks:"))


def test_h1_then_h2_then_h3_passes(check):
    assert only(check(), "heading-order") == []


# --- contrast -------------------------------------------------------------------------------------


def _with_colour(name: str, value: str) -> str:
    return BASE.replace("language: en\n", f'language: en\nsettings:\n  brand:\n    colors:\n      {name}: "{value}"\n')


def test_low_contrast_theme_colour_is_an_error_at_the_setting(check):
    issue = _with_colour("muted", "#777777")  # 4.48:1 on white
    [finding] = only(check(issue), "contrast")
    assert (finding.level, where(finding)) == ("error", (ISSUE_NAME, line_of(issue, "muted:")))
    assert "#777777 (brand.colors.muted) on #ffffff" in finding.message and "4.48:1" in finding.message


def test_contrast_just_above_the_limit_passes(check):
    assert only(check(_with_colour("muted", "#767676")), "contrast") == []  # 4.54:1


def test_a_colour_unreadable_after_forced_inversion_is_a_warning_at_the_setting(check):
    """#0000ee on white is 9.2:1; inverted (lightness flipped) it is #1111ff on black, 2.6:1."""
    issue = _with_colour("link", "#0000ee")
    report = check(issue)
    assert only(report, "contrast") == []
    findings = only(report, "contrast-inverted")
    assert findings and all(f.level == "warning" for f in findings)
    assert where(findings[0]) == (ISSUE_NAME, line_of(issue, "link:"))
    assert "#0000ee (brand.colors.link) on #ffffff (brand.colors.surface) becomes #1111ff on #000000" in findings[0].message
    assert "Gmail's apps, Outlook's dark mode" in findings[0].message


def test_the_theme_colours_survive_forced_inversion(check):
    assert only(check(), "contrast-inverted") == []


def test_large_text_needs_only_three_to_one(check):
    # #8a8a8a on white is 3.45:1: enough for the 22px bold h2, not for 16px bold buttons and dates
    issue = _with_colour("primary", "#8a8a8a")
    findings = only(check(issue), "contrast")
    assert findings and all(where(f) == (ISSUE_NAME, line_of(issue, "primary:")) for f in findings)
    assert all("4.5:1 for body text" in f.message for f in findings)
    assert not any("An open dataset of news photos" in f.message for f in findings)


def test_low_contrast_inline_colour_in_a_template_points_at_it(check):
    [finding] = only(check(templates=_cta('<p style="color:#aaaaaa">Small grey print</p>')), "contrast")
    assert where(finding) == ("templates/blocks/cta.mjml.j2", 4)


# --- font-size ------------------------------------------------------------------------------------


def test_text_under_14px_warns_and_under_12px_is_an_error(check):
    templates = _cta('<p style="font-size:13px">Small print</p><p style="font-size:11px">Tiny print</p>')
    findings = sorted(only(check(templates=templates), "font-size"), key=lambda f: f.level)
    assert [(f.level, where(f)) for f in findings] == [("error", ("templates/blocks/cta.mjml.j2", 4)),
                                                       ("warning", ("templates/blocks/cta.mjml.j2", 4))]
    assert "11px" in findings[0].message and "13px" in findings[1].message


def test_hidden_preheader_and_14px_footer_pass(check):
    assert only(check(), "font-size") == []


# --- dark-mode ------------------------------------------------------------------------------------


def test_missing_color_scheme_meta_is_an_error(check):
    layout = LAYOUT.replace('<meta name="supported-color-schemes" content="light dark">', "")
    assert layout != LAYOUT
    [finding] = only(check(templates={"layout.mjml.j2": layout}), "dark-mode")
    assert "supported-color-schemes" in finding.message
    assert finding.location.file == "templates/layout.mjml.j2"


def test_dark_mode_declaration_without_important_is_an_error_at_its_line(check):
    old = ".np-button a { color: {{ colors.dark_background }} !important; }"
    layout = LAYOUT.replace(old, ".np-button a { color: {{ colors.dark_background }}; }")
    assert layout != LAYOUT
    [finding] = only(check(templates={"layout.mjml.j2": layout}), "dark-mode")
    assert where(finding) == ("templates/layout.mjml.j2", line_of(layout, ".np-button a { color"))


FOOTER = builtin_template("blocks/footer.mjml.j2")
STRIPE_RULE = (".np-surface > table > tbody > tr > td, .np-grid > table > tbody > tr > td, .np-feature > table > tbody > tr > td,\n"
               "        .np-footer > table > tbody > tr > td { border-top-color: {{ colors.dark_background }} !important; }")


def test_a_light_border_without_a_dark_counterpart_is_named_at_its_template_line(check):
    """The 4px stripes between sections: a border in colors.background that no dark rule recolours."""
    layout = LAYOUT.replace(STRIPE_RULE, "")
    assert layout != LAYOUT
    [finding] = only(check(templates={"layout.mjml.j2": layout}), "dark-mode")
    assert "<td>" in finding.message and "border-top #eef2f6" in finding.message
    assert where(finding) == ("templates/layout.mjml.j2", line_of(layout, '<mj-section background-color='))


def test_a_light_background_without_a_dark_counterpart_is_named_at_its_template_line(check):
    """The band under the footer: a section whose inline light background no dark rule covers."""
    footer = FOOTER.replace('css-class="np-band"', 'css-class="np-plain"')
    assert footer != FOOTER
    [finding] = only(check(templates={"blocks/footer.mjml.j2": footer}), "dark-mode")
    assert '<div class="np-plain">' in finding.message and "background #eef2f6" in finding.message
    assert where(finding) == ("templates/blocks/footer.mjml.j2", line_of(footer, 'css-class="np-plain"'))


def test_dark_text_without_a_dark_counterpart_is_an_error(check):
    """Text painted dark by a template stays dark on the dark background unless a dark rule recolours it."""
    footer = FOOTER.replace('<mj-text align="center" font-size="14px" color="{{ colors.muted }}">',
                            '<mj-text align="center" font-size="14px" color="#333333" css-class="np-plain">')
    assert footer != FOOTER
    [finding] = only(check(templates={"blocks/footer.mjml.j2": footer}), "dark-mode")
    assert "text #333333" in finding.message
    assert where(finding) == ("templates/blocks/footer.mjml.j2", line_of(footer, 'color="#333333"'))


def test_dark_mode_support_passes(check):
    assert only(check(), "dark-mode") == []


# --- css-support ----------------------------------------------------------------------------------


@pytest.mark.parametrize("html, client", [
    ('<div style="display:flex"><p>One</p><p>Two</p></div>', "Outlook (Windows"),
    ('<div style="position:absolute;top:0">Badge</div>', "Gmail"),
    ('<form action="https://www.ai4media.eu/s"><input name="q"></form>', "Outlook (Windows"),
    ('<div style="background-image:url(https://www.ai4media.eu/bg.jpg)">Text</div>', "Outlook (Windows"),
])
def test_unsupported_css_and_html_warn_at_the_template_line(check, html, client):
    [finding] = only(check(templates=_cta(html)), "css-support")
    assert (finding.level, where(finding)) == ("warning", ("templates/blocks/cta.mjml.j2", 4))
    assert client in finding.message and "caniemail" in finding.message


def test_the_finding_gives_caniemails_support_per_client_and_its_date(check):
    [finding] = only(check(templates=_cta('<div style="display:grid"><p>One</p></div>')), "css-support")
    # caniemail 2.0.2: Gmail and Yahoo support grid since their 2026-03 tests (the old table said no)
    assert finding.message.startswith("display:grid: Outlook (Windows, 2007-2019) drop or only partly support")
    assert ("(Outlook (Windows, 2007-2019): not supported; Gmail (desktop webmail), Apple Mail (macOS), "
            "Yahoo Mail (desktop webmail): supported; caniemail, tested 2019-02-28, data of 2026-05-13)") \
        in finding.message


def test_background_image_with_a_fallback_colour_passes(check):
    html = '<div style="background-image:url(https://www.ai4media.eu/bg.jpg);background-color:#ffffff">Text</div>'
    assert only(check(templates=_cta(html)), "css-support") == []


def test_mjml_layout_passes_css_support(check):
    assert only(check(), "css-support") == []


def test_web_font_stylesheet_warns_at_the_font_setting(check):
    issue = BASE.replace("language: en\n", "language: en\nsettings:\n  brand:\n    fonts:\n"
                                           "      body: Lato, Helvetica, Arial, sans-serif\n      web_font:\n"
                                           "        name: Lato\n        href: https://fonts.googleapis.com/css?family=Lato\n")
    findings = only(check(issue), "css-support")
    assert findings and all(where(f) == (ISSUE_NAME, line_of(issue, "name: Lato")) for f in findings)
    assert any("external stylesheet" in f.message and "Gmail" in f.message for f in findings)
