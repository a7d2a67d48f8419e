"""Helpers for the CI tests: small valid issues derived from the seed, and git in a throwaway repo."""

from __future__ import annotations

import email
import email.policy
import subprocess
from pathlib import Path

import yaml
from shared import REPO, SEED

WORKFLOW = REPO / ".github" / "workflows" / "newsletter.yml"
RECIPIENT = "team@ai4media.eu"
ALPHA, BETA, GAMMA, OLD = (f"issues/{slug}.yaml" for slug in
                           ("2021-10-alpha", "2021-11-beta", "2021-12-gamma", "2021-09-old"))

# The environment of every CLI run here: CI as GitHub Actions sets it, and nothing from the
# caller's own settings (a developer's .env or NEWSLETTER_* variables must not change a test).
CI_ENV = {"CI": "true", "NEWSLETTER_ALLOW_CI_LIST_SEND": "", "NEWSLETTER_PROVIDER": "",
          "NEWSLETTER_TEST_RECIPIENTS": RECIPIENT, "NEWSLETTER_OUTBOX_DIR": "", "GITHUB_STEP_SUMMARY": "",
          "GITHUB_SERVER_URL": "", "GITHUB_REPOSITORY": "", "GITHUB_RUN_ID": ""}


def issue_text(subject: str, article: int = 0, broken: bool = False) -> str:
    """A short issue made of the seed's masthead, one of its articles and its call to action.

    It passes every check; ``broken`` gives its article a localhost link (a check error).
    """
    seed = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    blocks = seed["blocks"]
    articles = [block for block in blocks if block["type"] == "article"]
    masthead = {**blocks[0], "title": subject}
    chosen = dict(articles[article])
    if broken:
        chosen["link"] = {**chosen["link"], "url": "http://localhost:8000/draft"}
    issue = {"subject": subject, "preheader": seed["preheader"], "date": seed["date"],
             "language": seed["language"], "blocks": [masthead, chosen, next(b for b in blocks if b["type"] == "cta")]}
    return yaml.safe_dump(issue, allow_unicode=True, sort_keys=False, width=1000)


def git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t.invalid", "HOME": str(repo), "PATH": "/usr/bin:/bin",
           "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def commit(repo: Path, message: str, write: dict[str, str] | None = None, delete: tuple[str, ...] = ()) -> str:
    """Write and delete files, commit everything, return the new commit's sha."""
    for name, text in (write or {}).items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name in delete:
        (repo / name).unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def parse_message(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]
