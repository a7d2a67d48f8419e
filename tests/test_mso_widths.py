"""Outlook's markup as the official MJML CLI writes it: our email.html against MJML 5 on the same email.mjml.

Outlook for Windows lays the email out with the tables inside ``<!--[if mso | IE]>``
comments, which browsers never show: a wrong width there only shows in Outlook.
We compile with MRML (mjml-python); the reference is MJML's own compiler, the
npm package ``mjml`` that the benchmarks install into benchmarks/node_modules
(``.ci/run`` installs it in CI, where its absence fails instead of skipping).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from shared import REPO, clean_env, run_newsletter

MJML_BIN = REPO / "benchmarks" / "node_modules" / ".bin" / "mjml"
IN_CI = os.environ.get("CI", "").lower() == "true"
DIGEST = REPO / "tests" / "projects" / "digest"
_MSO = re.compile(r"<!--\[if mso \| IE\]>(.*?)<!\[endif\]-->", re.DOTALL)
_WIDTH = re.compile(r"""\bwidth(?::\s*|=")(\d+(?:\.\d+)?)(?:px)?""")
_CLASS = re.compile(r'class="([^"]*-outlook[^"]*)"')


@pytest.fixture(scope="module")
def mjml_cli() -> Path:
    """The MJML CLI; outside CI a missing one skips with how to install it, in CI it fails."""
    if MJML_BIN.exists() and shutil.which("node"):
        return MJML_BIN
    why = ("the official MJML CLI is not installed (needs Node.js 20+ and npm: "
           "npm ci --prefix benchmarks, or npm install --prefix benchmarks mjml@5)")
    if IN_CI:
        pytest.fail(why)
    pytest.skip(why)


def mso_widths(html: str) -> list[str]:
    """Every width inside the Outlook-only comments, in document order."""
    return [width for block in _MSO.findall(html) for width in _WIDTH.findall(block)]


def mso_classes(html: str) -> list[str]:
    """Every ``-outlook`` class list inside the Outlook-only comments, in document order."""
    return [" ".join(found.split()) for block in _MSO.findall(html) for found in _CLASS.findall(block)]


def official(mjml_cli: Path, mjml_file: Path, tmp_path: Path) -> str:
    """What the MJML CLI makes of our email.mjml.

    MJML 5.4.1 stops with "Cannot read properties of undefined (reading 'indexOf')" on the digest's
    file, whose font stacks hold ``&#39;`` (Jinja's escaped apostrophe); the apostrophe itself is
    the same attribute value, and MJML compiles it.
    """
    text = mjml_file.read_text(encoding="utf-8").replace("&#39;", "'")
    if text in _OFFICIAL:  # several tests compare the same email: one Node start-up (~1.5 s) each is enough
        return _OFFICIAL[text]
    source = tmp_path / f"{mjml_file.parent.name}.mjml"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / f"{mjml_file.parent.name}-mjml.html"
    done = subprocess.run([str(mjml_cli), str(source), "-o", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    _OFFICIAL[text] = out.read_text(encoding="utf-8")
    return _OFFICIAL[text]


_OFFICIAL: dict[str, str] = {}  # email.mjml as compiled -> the CLI's HTML, for this worker


@pytest.fixture(scope="module")
def digest_dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("digest-mso")
    result = run_newsletter(["build", "issues/2024-05-tidewater-3-0.yaml", "--out", str(out)],
                            cwd=DIGEST, env={**os.environ, **clean_env()})
    assert result.returncode == 0, result.stderr
    [folder] = [p for p in out.iterdir() if p.is_dir()]
    return folder


@pytest.fixture(params=["seed", "digest", "sides"])
def built(request, seed_dist) -> Path:
    """The folder of a built email (email.html and the email.mjml it came from)."""
    return seed_dist.folder if request.param == "seed" else request.getfixturevalue(f"{request.param}_dist")


def test_outlook_table_widths_match_the_official_mjml_cli(mjml_cli, built, tmp_path):
    ours = (built / "email.html").read_text(encoding="utf-8")
    theirs = official(mjml_cli, built / "email.mjml", tmp_path)
    assert len(mso_widths(theirs)) > 20  # the comparison saw the Outlook tables
    assert mso_widths(ours) == mso_widths(theirs)


def test_outlook_classes_match_the_official_mjml_cli(mjml_cli, built, tmp_path):
    ours = (built / "email.html").read_text(encoding="utf-8")
    theirs = official(mjml_cli, built / "email.mjml", tmp_path)
    assert mso_classes(theirs)
    assert mso_classes(ours) == mso_classes(theirs)


def test_social_icons_have_no_border_as_with_the_official_mjml_cli(seed_dist):
    """Old Outlooks and some webmails draw a border around linked images without ``border:0``."""
    icons = re.findall(r"<img\b[^>]*ico-social[^>]*>", seed_dist.read("email.html"))
    assert icons
    assert all(re.search(r"style=\"[^\"]*\bborder:\s*0", icon) for icon in icons), icons


@pytest.mark.browser
@pytest.mark.parametrize("width", [600, 375])
def test_the_workaround_keeps_the_grids_margins(browser, seed_dist, width):
    """Cards' text 32px from the edges and 32px apart side by side; 32px on both sides when stacked."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        context.route("**/*", lambda route: route.abort())
        page = context.new_page()
        page.set_content(seed_dist.read("email.html"), wait_until="domcontentloaded", timeout=15_000)
        rows = page.evaluate("""() => [...document.querySelectorAll('div.np-grid')].map(row =>
            [...row.querySelectorAll('div.np-card h3')].map(h => [h.getBoundingClientRect().left,
                                                                  h.getBoundingClientRect().right]))""")
    finally:
        context.close()
    pairs = [row for row in rows if len(row) == 2]
    assert pairs
    for (left1, right1), (left2, right2) in pairs:
        if width == 600:
            assert (left1, 600 - right2, left2 - right1) == (32, 32, 32)
            assert right1 - left1 == right2 - left2 == 252  # (600 - 3 x 32) / 2
        else:
            assert (left1, left2, width - right1, width - right2) == (32, 32, 32, 32)


WIDE_IMAGES = """\
subject: Wide pictures
preheader: An article picture at its default width, an inset picture and a logo wider than the text column.
date: 2021-12-15
language: en
blocks:
  - type: masthead
    title: Wide pictures
    image:
      src: https://www.ai4media.eu/logo-wide.png
      alt: AI4Media
      width: 590
  - type: article
    title: An article with a picture
    body: The picture is 600 px wide unless it says otherwise.
    image:
      src: https://www.ai4media.eu/article.jpg
      alt: A picture at the default width
  - type: image
    src: https://www.ai4media.eu/inset.jpg
    alt: An inset picture wider than the text column
    width: 580
  - type: image
    src: https://www.ai4media.eu/full.jpg
    alt: A full-width picture
  - type: feature
    title: A feature
    body: Its picture sits in a column of 40%.
    image:
      src: https://www.ai4media.eu/feature.jpg
      alt: A feature picture at 240 px
      width: 240
"""
_IMAGE_WIDTHS = re.compile(r'<td style="width:(\d+)px;">\s*(?:<a [^>]*>\s*)?<img [^>]*?width="(\d+)"')


def _build_wide(root: Path, email_width: int) -> Path:
    from shared import FIXTURE_CONFIG

    (root / "issues").mkdir()
    config = FIXTURE_CONFIG.read_text(encoding="utf-8")
    assert "\n  width: 600\n" in config
    (root / "newsletter.yaml").write_text(config.replace("\n  width: 600\n", f"\n  width: {email_width}\n"),
                                          encoding="utf-8")
    (root / "issues/2021-12-wide.yaml").write_text(WIDE_IMAGES + SPONSORS, encoding="utf-8")
    result = run_newsletter(["build", "issues/2021-12-wide.yaml", "--out", "dist"], cwd=root,
                            env={**os.environ, **clean_env()})
    assert result.returncode == 0, result.stderr
    return root / "dist" / "2021-12-wide"


SPONSORS = """\
  - type: sponsors
    title: Partners
    sponsors:
      - {name: CERTH, logo: "https://www.ai4media.eu/certh.png", url: "https://www.certh.gr/"}
      - {name: UNITN, logo: "https://www.ai4media.eu/unitn.png", url: "https://www.unitn.it/"}
      - {name: IDIAP, logo: "https://www.ai4media.eu/idiap.png", url: "https://www.idiap.ch/"}
"""


@pytest.fixture(scope="module")
def wide_dist(tmp_path_factory) -> Path:
    return _build_wide(tmp_path_factory.mktemp("wide"), 600)


@pytest.fixture(scope="module")
def odd_dist(tmp_path_factory) -> Path:
    """The same email 613 px wide: MRML wrote Outlook's columns as 306.5px and 245.2px, MJML 307px and 245px."""
    return _build_wide(tmp_path_factory.mktemp("odd"), 613)


def test_no_padded_image_is_wider_than_its_column(wide_dist):
    """MRML kept a 600 px width inside 536 px of text column (600 less 2 x 32 px padding), where MJML
    clamps it; Outlook on Windows takes the width attribute literally and made the email 664 px wide."""
    widths = _IMAGE_WIDTHS.findall((wide_dist / "email.html").read_text(encoding="utf-8"))
    # the logo, the article's and the inset picture at the column's 536 px; the full-width one keeps 600;
    # the feature's at its column's 184 px (40% of 600 less 24 + 32 px of padding)
    assert widths == [("536", "536"), ("536", "536"), ("536", "536"), ("600", "600"), ("184", "184")]


def test_image_widths_match_the_official_mjml_cli(mjml_cli, wide_dist, tmp_path):
    ours = (wide_dist / "email.html").read_text(encoding="utf-8")
    theirs = official(mjml_cli, wide_dist / "email.mjml", tmp_path)
    official_widths = re.findall(r'<td style="width:(\d+)px;">\s*(?:<a [^>]*>\s*)?<img ', theirs)
    assert official_widths and [td for td, _ in _IMAGE_WIDTHS.findall(ours)] == official_widths


_ANY_SIZE = re.compile(r"""\b(?:max-width|width|height)(?::\s*|=")(\d+(?:\.\d+)?(?:px|%)?)""")


@pytest.fixture(scope="module")
def sides_dist(tmp_path_factory) -> Path:
    """Right to left, features with the picture on each side: their paddings swap sides, and still add up."""
    from shared import FIXTURE_CONFIG
    from test_browser_direction import features

    root = tmp_path_factory.mktemp("sides")
    (root / "issues").mkdir()
    shutil.copy(FIXTURE_CONFIG, root / "newsletter.yaml")
    (root / "issues/2024-06-sides.yaml").write_text(features("ar"), encoding="utf-8")
    result = run_newsletter(["build", "issues/2024-06-sides.yaml", "--out", "dist"], cwd=root,
                            env={**os.environ, **clean_env()})
    assert result.returncode == 0, result.stderr
    return root / "dist" / "2024-06-sides"


@pytest.mark.parametrize("which", ["seed", "digest", "wide", "odd", "sides"])
def test_every_width_and_height_matches_the_official_mjml_cli(mjml_cli, seed_dist, request, tmp_path, which):
    """Not only Outlook's tables: every width and height of the email, as a multiset (premailer moves some)."""
    folder = seed_dist.folder if which == "seed" else request.getfixturevalue(f"{which}_dist")
    ours = _ANY_SIZE.findall((folder / "email.html").read_text(encoding="utf-8"))
    theirs = _ANY_SIZE.findall(official(mjml_cli, folder / "email.mjml", tmp_path))
    assert len(theirs) > 50 and sorted(ours) == sorted(theirs)


def test_outlook_widths_are_whole_pixels(odd_dist):
    from newsletter_pipeline.render.mjml import whole_outlook_pixels

    html = (odd_dist / "email.html").read_text(encoding="utf-8")
    assert mso_widths(html) and all("." not in width for width in mso_widths(html))
    assert whole_outlook_pixels('<!--[if mso | IE]><td style="width:306.5px;"><![endif]--><p style="width:2.5px">') \
        == '<!--[if mso | IE]><td style="width:307px;"><![endif]--><p style="width:2.5px">'  # rounded as MJML, there only
