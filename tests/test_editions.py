"""Editions: ``<slug>.<language>.yaml`` is that language's edition of ``<slug>.yaml``."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from shared import SEED, SEED_NAME, SEED_SLUG, assert_clean_failure, clean_env

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "editions"
GREEK_NAME = f"{SEED_SLUG}.el.yaml"
GREEK = (FIXTURES / GREEK_NAME).read_text("utf-8")
GREEK_SUBJECT = "Ένας χρόνος AI4Media"


def editions_project(make_project, greek: str = GREEK) -> Path:
    return make_project({f"issues/{SEED_NAME}": SEED.read_text("utf-8"), f"issues/{GREEK_NAME}": greek})


def test_the_greek_edition_builds_into_its_own_folder_and_passes_strict_check(make_project, run_cli):
    root = editions_project(make_project)
    result = run_cli("build", f"issues/{SEED_NAME}", f"issues/{GREEK_NAME}", "--out", "dist", cwd=root,
                     env=clean_env())
    assert result.returncode == 0, result.stderr
    greek = root / "dist" / f"{SEED_SLUG}.el"
    assert sorted(p.name for p in greek.iterdir()) == ["email.html", "email.mjml", "email.txt"]
    assert (root / "dist" / SEED_SLUG / "email.html").is_file()
    html = (greek / "email.html").read_text("utf-8")
    assert '<html lang="el"' in html and f"<title>{GREEK_SUBJECT}</title>" in html
    text = (greek / "email.txt").read_text("utf-8")
    assert "25–27 Απριλίου 2022 / Ντόρτμουντ" in text and "ΕΠΕΡΧΟΜΕΝΕΣ ΕΚΔΗΛΩΣΕΙΣ" in text  # capitals lose the tonos
    footer = "Λαμβάνετε αυτό το μήνυμα επειδή έχετε εγγραφεί στη λίστα «AI4Media Newsletter»."
    assert footer in " ".join(text.split())
    check = run_cli("check", "--strict", f"issues/{GREEK_NAME}", cwd=root, env=clean_env())
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 warnings" in check.stderr


def test_the_greek_test_send_has_an_encoded_greek_subject_and_body(make_project, run_cli):
    root = editions_project(make_project)
    result = run_cli("send", f"issues/{GREEK_NAME}", "--test", cwd=root,
                     env=clean_env(NEWSLETTER_TEST_RECIPIENTS="editor@ai4media.eu"))
    assert result.returncode == 0, result.stderr
    raw = (root / "outbox" / f"{SEED_SLUG}.el" / "editor@ai4media.eu.eml").read_bytes()
    headers = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    headers.decode("ascii")  # RFC 5322: headers are ASCII; the Greek is RFC 2047-encoded
    subject_line = next(line for line in headers.splitlines() if line.lower().startswith(b"subject:"))
    assert b"=?utf-8?" in subject_line.lower()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"].endswith(GREEK_SUBJECT)
    assert message["Content-Language"] == "el"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Τα κυριότερα επιτεύγματα".upper().replace("Ό", "Ο").replace("Ύ", "Υ") in text
    assert "Ακολουθήστε μας" in html and "Απεγγραφή" in html


def test_an_edition_whose_language_is_not_its_file_name_is_refused(make_project, run_cli):
    root = editions_project(make_project, GREEK.replace("\nlanguage: el\n", "\nlanguage: fr\n"))
    result = run_cli("build", f"issues/{GREEK_NAME}", "--out", "dist", cwd=root, env=clean_env())
    errors = assert_clean_failure(result, 1)
    line = GREEK.splitlines().index("language: el") + 1
    assert errors[0].startswith(f"issues/{GREEK_NAME}:{line}:11: error: language:")
    assert "'el' edition" in errors[0] and f"{SEED_SLUG}.fr.yaml" in errors[0]
    assert not (root / "dist").exists()


def test_check_warns_when_an_edition_drifts_from_the_default(make_project, run_cli):
    lines = GREEK.splitlines(keepends=True)
    cta = lines.index("  - type: cta\n")
    drifted = "".join(lines[:cta] + lines[cta + 4:]).replace("start: 2022-09-05", "start: 2022-09-06")
    root = editions_project(make_project, drifted)
    result = run_cli("check", f"issues/{GREEK_NAME}", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    drift = [line for line in result.stdout.splitlines() if "edition-drift" in line]
    assert len(drift) == 2, result.stdout
    # the warning points at the block now in the cta's place (after the blank line the cta left)
    assert f"issues/{GREEK_NAME}:{cta + 2}:5:" in drift[0] and "lacks blocks[7] (cta)" in drift[0]
    moved = drifted.splitlines().index("        start: 2022-09-06") + 1
    assert f"issues/{GREEK_NAME}:{moved}:16:" in drift[1] and "2022-09-05" in drift[1]
    strict = run_cli("check", "--strict", f"issues/{GREEK_NAME}", cwd=root, env=clean_env())
    assert strict.returncode == 1


def test_the_archive_publishes_both_editions_linked_to_each_other(make_project, run_cli):
    import feedparser
    from lxml import etree

    root = editions_project(make_project)
    base = "https://news.ai4media.eu/"
    result = run_cli("archive", "--out", "site", "--base-url", base, cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    pages = {}
    for slug, language in ((SEED_SLUG, "en"), (f"{SEED_SLUG}.el", "el")):
        html = (root / "site" / slug / "index.html").read_text("utf-8")
        pages[language] = etree.fromstring(html, etree.HTMLParser())
        assert pages[language].get("lang") == language
    for language, tree in pages.items():
        alternates = {link.get("hreflang"): link.get("href") for link in tree.iter("link")
                      if link.get("rel") == "alternate" and link.get("hreflang")}
        assert alternates == {"en": f"{base}{SEED_SLUG}/", "el": f"{base}{SEED_SLUG}.el/",
                              "x-default": f"{base}{SEED_SLUG}/"}
        switcher = tree.xpath("//nav[contains(@class, 'np-web-languages')]")[0]
        other = "el" if language == "en" else "en"
        (link,) = switcher.xpath(".//a")
        assert link.get("hreflang") == other and link.get("href") == (
            f"../{SEED_SLUG}.el/" if other == "el" else f"../{SEED_SLUG}/")
        assert switcher.xpath(".//*[@aria-current='page']")[0].get("lang") == language
    greek_nav = pages["el"].xpath("//nav[contains(@class, 'np-web-languages')]")[0]
    assert greek_nav.get("aria-label") == "Γλωσσικές εκδόσεις του τεύχους"
    assert "".join(greek_nav.itertext()).split() == ["English", "Ελληνικά"]
    assert "← Όλα τα τεύχη" in "".join(pages["el"].itertext())
    index = etree.fromstring((root / "site" / "index.html").read_text("utf-8"), etree.HTMLParser())
    dates = [(item.get("lang"), item.xpath(".//time")[0].text) for item in index.xpath("//li[@lang]")]
    # each entry in its own language, the default edition first; the index is the default edition's language
    # (it took the Greek edition's, which sorted first, for this English newsletter)
    assert dates == [("en", "15 December 2021"), ("el", "15 Δεκεμβρίου 2021")]
    assert index.get("lang") == "en" and "AI4Media Newsletter · all issues" in "".join(index.itertext())
    feed = feedparser.parse((root / "site" / "feed.xml").read_text("utf-8"))
    assert not feed.bozo
    assert feed.feed.subtitle.startswith("Every issue of") and feed.feed.subtitle_detail.language == "en"
    assert [entry.link for entry in feed.entries] == [f"{base}{SEED_SLUG}/", f"{base}{SEED_SLUG}.el/"]
    languages = {entry.link: entry.title_detail.language for entry in feed.entries}  # from xml:lang
    assert languages == {f"{base}{SEED_SLUG}/": "en", f"{base}{SEED_SLUG}.el/": "el"}
    # an edition removed: its sibling's page is rebuilt without the link
    (root / "issues" / GREEK_NAME).unlink()
    again = run_cli("archive", "--out", "site", "--base-url", base, cwd=root, env=clean_env())
    assert again.returncode == 0, again.stderr
    html = (root / "site" / SEED_SLUG / "index.html").read_text("utf-8")
    assert "hreflang" not in html and not (root / "site" / f"{SEED_SLUG}.el").exists()


def test_an_edition_in_the_default_editions_language_is_an_error_that_stops_the_send(make_project, run_cli):
    """``x.en.yaml`` beside an English ``x.yaml``: check said ok, and each file went to the same readers."""
    english_name = f"{SEED_SLUG}.en.yaml"
    root = make_project({f"issues/{SEED_NAME}": SEED.read_text("utf-8"),
                         f"issues/{english_name}": SEED.read_text("utf-8")})
    result = run_cli("check", f"issues/{english_name}", cwd=root, env=clean_env())
    assert result.returncode == 1, result.stdout + result.stderr
    (line,) = [line for line in result.stdout.splitlines() if "edition-drift" in line]
    assert line.startswith(f"issues/{english_name}:") and ": error: edition-drift:" in line
    assert f"this edition is in en, the language of issues/{SEED_NAME} already" in line
    assert "would get the issue twice" in line and f"{SEED_SLUG}.<language>.yaml" in line
    send = run_cli("send", f"issues/{english_name}", "--now", "--yes", cwd=root, env=clean_env())
    assert send.returncode == 1 and not (root / "outbox").exists()
    assert run_cli("check", f"issues/{SEED_NAME}", cwd=root, env=clean_env()).returncode == 0


def test_an_edition_named_with_a_capitalised_language_tag_is_told_to_use_small_letters(make_project, run_cli):
    """``x.pt-BR.yaml`` (as the README writes the tag) got "is not YYYY-MM-slug.yaml": nothing said why."""
    brazilian = SEED.read_text("utf-8").replace("\nlanguage: en\n", "\nlanguage: pt-BR\n")
    root = make_project({f"issues/{SEED_NAME}": SEED.read_text("utf-8"),
                         f"issues/{SEED_SLUG}.pt-BR.yaml": brazilian})
    result = run_cli("check", f"issues/{SEED_SLUG}.pt-BR.yaml", cwd=root, env=clean_env())
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.splitlines()[0] == (f"issues/{SEED_SLUG}.pt-BR.yaml:1:1: error: schema: file name '{SEED_SLUG}.pt-BR.yaml' has "
                         f"capital letters (rename it to {SEED_SLUG}.pt-br.yaml: file names are written in small "
                         "letters, also an edition's language (pt-br for pt-BR))")
    (root / "issues" / f"{SEED_SLUG}.pt-BR.yaml").rename(root / "issues" / f"{SEED_SLUG}.pt-br.yaml")
    built = run_cli("build", f"issues/{SEED_SLUG}.pt-br.yaml", "--out", "dist", cwd=root, env=clean_env())
    assert built.returncode == 0, built.stderr
    assert '<html lang="pt-BR"' in (root / "dist" / f"{SEED_SLUG}.pt-br" / "email.html").read_text("utf-8")


def test_a_right_to_left_edition_is_laid_out_from_the_right_in_the_archive_index(make_project, run_cli):
    """An Arabic edition on an English site was listed in a left-to-right line: its "AI" moved to the front."""
    from lxml import etree

    arabic = GREEK.replace("language: el", "language: ar").replace(GREEK_SUBJECT, "عام من AI4Media")
    root = make_project({f"issues/{SEED_NAME}": SEED.read_text("utf-8"), f"issues/{SEED_SLUG}.ar.yaml": arabic})
    result = run_cli("archive", "--out", "site", "--base-url", "https://news.ai4media.eu/", cwd=root, env=clean_env())
    assert result.returncode == 0, result.stderr
    index = etree.fromstring((root / "site" / "index.html").read_text("utf-8"), etree.HTMLParser())
    assert index.get("dir") == "ltr"
    entries = {li.get("lang"): li.get("dir") for li in index.iter("li") if li.get("lang")}
    assert entries == {"en": "ltr", "ar": "rtl"}, entries
