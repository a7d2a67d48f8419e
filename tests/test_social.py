"""Every social network the schema allows builds, with an icon and alt text (issue 13)."""

from __future__ import annotations

import typing

import lxml.html
import yaml

from newsletter_pipeline.issue.schema import SocialLink

NETWORKS = typing.get_args(SocialLink.model_fields["network"].annotation)
ISSUE = "issues/2024-03-social.yaml"
OWN_ICON = "https://www.ai4media.eu/img/mastodon-icon.png"


def url_of(network: str) -> str:
    return "mailto:hello@ai4media.eu" if network == "email" else f"https://{network}.ai4media.eu/@project"


def settings(social: list[dict]) -> str:
    return yaml.safe_dump({
        "name": "Social Letter", "sender": {"name": "Social", "email": "news@ai4media.eu"},
        "postal_address": "1 Example Road, 10115 Berlin, Germany", "social": social,
        "funding": {"text": "Funded by the European Union under grant agreement 951911.",
                    "logo": {"src": "https://www.ai4media.eu/img/eu-emblem.png", "alt": "Flag of the European Union",
                             "width": 80}},
    }, sort_keys=False)


ISSUE_TEXT = """\
subject: Every network
preheader: One footer with every social network the format allows, icons and all.
date: 2024-03-01
blocks:
  - type: masthead
    title: Every network
  - type: cta
    button: {label: Visit the project website, url: "https://www.ai4media.eu/"}
"""


def test_the_schema_allows_the_networks_issue_13_names():
    assert {"mastodon", "bluesky", "web", "github", "instagram", "facebook", "rss", "email"} <= set(NETWORKS)


def test_every_allowed_network_builds_with_an_icon_and_alt_text(make_project, run_cli):
    social = [{"network": n, "url": url_of(n), "label": f"Our {n} page"} for n in NETWORKS]
    root = make_project({"newsletter.yaml": settings(social), ISSUE: ISSUE_TEXT})
    result = run_cli("build", ISSUE, "--out", "out", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # build runs the checks: no "has no text", no "<img> has no alt"
    folder = root / "out" / "2024-03-social"
    dom = lxml.html.document_fromstring((folder / "email.html").read_bytes())
    for network in NETWORKS:
        [text_link] = [a for a in dom.iter("a") if a.text_content().strip() == f"Our {network} page"]
        href = text_link.get("href")
        icons = [img for img in dom.iter("img") if img.getparent().tag == "a" and img.getparent().get("href") == href]
        assert len(icons) == 1, f"{network}: no icon linked to {href}"
        assert icons[0].get("src", "").startswith("https://"), f"{network}: icon without a src"
        assert icons[0].get("alt", "").strip(), f"{network}: icon without alt text"
    text = (folder / "email.txt").read_text(encoding="utf-8")
    for network in NETWORKS:
        assert f"Our {network} page: {url_of(network)}" in text
    assert "Funded by the European Union under grant agreement 951911." in text
    assert dom.xpath('//img[@alt="Flag of the European Union"]')


def test_a_network_takes_its_own_icon(make_project, run_cli):
    social = [{"network": "mastodon", "url": "https://mastodon.social/@ai4media", "label": "Mastodon",
               "icon": OWN_ICON}]
    root = make_project({"newsletter.yaml": settings(social), ISSUE: ISSUE_TEXT})
    result = run_cli("build", ISSUE, "--out", "out", cwd=root)
    assert result.returncode == 0, result.stderr
    dom = lxml.html.document_fromstring((root / "out" / "2024-03-social" / "email.html").read_bytes())
    [icon] = dom.xpath(f'//img[@src="{OWN_ICON}"]')
    assert icon.get("alt") == "Mastodon"


def test_a_social_icon_from_the_project_folder_passes_check_strict(make_project, run_cli):
    """MJML writes a social icon's width only (the official CLI too), and ``image-size`` took it for a
    template override that dropped the height: a project's own icon failed --strict."""
    import io

    from PIL import Image
    from shared import clean_env

    social = [{"network": "web", "url": "https://www.ai4media.eu/", "label": "Ιστότοπος", "icon": "images/icon.png"},
              {"network": "linkedin", "url": "https://www.linkedin.com/company/ai4media", "label": "LinkedIn"}]
    config = yaml.safe_load(settings(social)) | {"archive_url": "https://news.ai4media.eu/"}
    root = make_project({"newsletter.yaml": yaml.safe_dump(config, allow_unicode=True), ISSUE: ISSUE_TEXT})
    picture = io.BytesIO()
    Image.new("RGBA", (96, 96), (26, 74, 122, 255)).save(picture, "PNG")
    (root / "images").mkdir()
    (root / "images" / "icon.png").write_bytes(picture.getvalue())
    result = run_cli("check", "--strict", ISSUE, cwd=root, env=clean_env())
    assert result.returncode == 0, result.stdout + result.stderr
    built = run_cli("build", ISSUE, "--out", "out", cwd=root, env=clean_env())
    assert built.returncode == 0, built.stderr
    dom = lxml.html.document_fromstring((root / "out" / "2024-03-social" / "email.html").read_bytes())
    icons = [img for img in dom.iter("img") if img.get("alt") in ("Website", "LinkedIn")]
    assert len(icons) == 2 and all(img.get("width") == "24" for img in icons)
