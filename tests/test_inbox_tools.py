"""Inbox quality measured with tools nobody here wrote (issue 15 item 8), on every test email.

The emails: the seed (``tests/fixtures/ai4media``) and the digest
(``tests/projects/digest``), each built once and test-sent once to the outbox
by the real CLI. The tools:

- axe-core (npm) injected into Chromium: no critical or serious violation;
- html-validate (npm) with ``tools/inbox/htmlvalidate.cjs``: no error;
- SpamAssassin (Debian) on the outbox ``.eml``, local tests only (``-L``): a
  score below 1.0, with the rules hit printed;
- caniemail (npm): ``checks/rules/caniemail.json`` is what the package says.

``.ci/run`` installs them (``npm ci --prefix tools/inbox``, ``apt-get install
spamassassin``). Outside CI a missing tool skips with the command that
installs it; in CI (``CI=true``) it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from shared import FIXTURE_PROJECT, REPO, clean_env, run_newsletter

TOOLS = REPO / "tools" / "inbox"
MODULES = TOOLS / "node_modules"
NPM_CI = "npm ci --prefix tools/inbox"
EMAILS = {
    "seed": (FIXTURE_PROJECT, "issues/2021-12-one-year-of-ai4media.yaml"),
    "digest": (REPO / "tests" / "projects" / "digest", "issues/2024-05-tidewater-3-0.yaml"),
}
SPAM_LIMIT = 1.0
IN_CI = os.environ.get("CI", "").lower() == "true"  # as conftest.py reads it
SCORE = re.compile(r"^Content analysis details:\s+\((-?[\d.]+) points", re.MULTILINE)
RULE_LINE = re.compile(r"^\s*(-?\d+\.\d+)\s+([A-Z0-9_]+)\s", re.MULTILINE)


def require(found: bool, what: str, install: str) -> None:
    """Skip (outside CI) or fail (in CI) when ``what`` is not installed."""
    if found:
        return
    message = f"{what} is not installed ({install})"
    if IN_CI:
        pytest.fail(f"{message}; .ci/run installs it, and CI must run every inbox tool")
    pytest.skip(message)


@pytest.fixture(scope="module")
def emails(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """name -> {"html": email.html, "eml": the outbox's test message}, each made once by the CLI."""
    made: dict[str, dict[str, Path]] = {}
    for name, (project, issue) in EMAILS.items():
        out = tmp_path_factory.mktemp(f"inbox-{name}")
        env = clean_env(NEWSLETTER_OUTBOX_DIR=str(out / "outbox"))
        for args in (["build", issue, "--out", str(out / "dist")],
                     ["send", issue, "--test", "--to", "reader@example.org"]):
            result = run_newsletter(list(args), cwd=project, env=env)
            assert result.returncode == 0, result.stderr
        [html] = (out / "dist").glob("*/email.html")
        [eml] = (out / "outbox").glob("*/reader@example.org.eml")
        made[name] = {"html": html, "eml": eml}
    return made


# --- axe-core in Chromium -----------------------------------------------------


def test_axe_finds_nothing_critical_or_serious(browser, emails):
    axe = MODULES / "axe-core" / "axe.min.js"
    require(axe.is_file(), "axe-core", NPM_CI)
    page = browser.new_page()
    try:
        # the email's remote images: no network in tests, and axe needs none (alt text is in the markup)
        page.route(re.compile(r"^https?://"), lambda route: route.abort())
        serious = {}
        for name, files in emails.items():
            page.set_content(files["html"].read_text(encoding="utf-8"), wait_until="load")
            page.add_script_tag(path=str(axe))
            result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
            found = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"]]
            print(f"axe-core {result['testEngine']['version']} {name}: {found or 'no violations'}")
            serious[name] = [v for v in found if v[1] in ("critical", "serious")]
    finally:
        page.close()
    assert serious == {name: [] for name in emails}


# --- html-validate -------------------------------------------------------------


def test_html_validate_finds_no_error(emails, tmp_path):
    cli = MODULES / "html-validate" / "bin" / "html-validate.mjs"
    node = shutil.which("node")
    require(cli.is_file() and node is not None, "html-validate (and Node)", f"apt-get install -y nodejs npm; {NPM_CI}")
    report = tmp_path / "html-validate.json"
    # the JSON report goes to a file: through a pipe, Node may exit before a long report is written
    subprocess.run([node, str(cli), "--config", str(TOOLS / "htmlvalidate.cjs"), "--formatter", f"json={report}",
                    *(str(files["html"]) for files in emails.values())], cwd=TOOLS, capture_output=True,
                   text=True, timeout=120)
    results = json.loads(report.read_text(encoding="utf-8"))
    assert len(results) == len(emails) or all(not r["messages"] for r in results)
    errors = [f"{r['filePath']}:{m['line']}:{m['column']}: {m['ruleId']}: {m['message']}"
              for r in results for m in r["messages"] if m["severity"] == 2]
    print(f"html-validate: {len(errors)} error(s) in {len(emails)} emails")
    assert errors == []


def test_the_email_configuration_still_catches_an_error(tmp_path):
    """Guards the test above against passing vacuously (a configuration that turns everything off)."""
    cli = MODULES / "html-validate" / "bin" / "html-validate.mjs"
    node = shutil.which("node")
    require(cli.is_file() and node is not None, "html-validate (and Node)", NPM_CI)
    broken = tmp_path / "broken.html"
    broken.write_text('<!doctype html><html lang="en"><head><title>x</title></head><body>'
                      '<img src="a.png" height="tall"><p id="x"></p><p id="x"></p></body></html>', encoding="utf-8")
    report = tmp_path / "report.json"
    subprocess.run([node, str(cli), "--config", str(TOOLS / "htmlvalidate.cjs"), "--formatter", f"json={report}",
                    str(broken)], cwd=TOOLS, capture_output=True, text=True, timeout=60)
    rules = {m["ruleId"] for r in json.loads(report.read_text(encoding="utf-8")) for m in r["messages"]}
    assert {"attribute-allowed-values", "no-dup-id", "wcag/h37"} <= rules, rules


# --- SpamAssassin --------------------------------------------------------------


def spam_report(eml: Path, home: Path) -> tuple[float, list[tuple[float, str]], str]:
    """SpamAssassin's score and rules for ``eml``: local tests only, nothing learned or written elsewhere."""
    spamassassin = shutil.which("spamassassin")
    assert spamassassin is not None
    result = subprocess.run([spamassassin, "--local", "--test-mode", "--prefspath", str(home / "user_prefs")],
                            input=eml.read_bytes(), capture_output=True, timeout=120, env={**clean_env(),
                                                                                            "HOME": str(home)})
    report = result.stdout.decode("utf-8", "replace")
    match = SCORE.search(report)
    assert match, report[-2000:] + result.stderr.decode("utf-8", "replace")[-2000:]
    details = report[match.start():]
    return float(match.group(1)), [(float(p), r) for p, r in RULE_LINE.findall(details)], details


def test_spamassassin_scores_each_email_below_one(emails, tmp_path):
    require(shutil.which("spamassassin") is not None, "SpamAssassin", "apt-get install -y spamassassin")
    scores, lines = {}, []
    for name, files in emails.items():
        score, rules, _ = spam_report(files["eml"], tmp_path)
        lines.append(f"SpamAssassin {name}: {score} points: {', '.join(f'{r} {p}' for p, r in rules)}")
        scores[name] = score
    print("\n".join(lines))  # shown with -s (.ci/run prints them so), and in the failure message
    assert all(score < SPAM_LIMIT for score in scores.values()), "\n".join(lines)


# --- caniemail ----------------------------------------------------------------


def test_the_css_support_table_is_caniemails_current_data():
    require((MODULES / "caniemail" / "data" / "caniemail.json").is_file(), "caniemail", NPM_CI)
    result = subprocess.run([sys.executable, str(TOOLS / "refresh_caniemail.py"), "--check"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    table = json.loads((REPO / "src" / "newsletter_pipeline" / "checks" / "rules" / "caniemail.json").read_text())
    package = json.loads((MODULES / "caniemail" / "package.json").read_text())
    assert package["version"] in table["source"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", table["retrieved"])
