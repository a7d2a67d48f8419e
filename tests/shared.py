"""What every test folder shares: the repository's paths, the seed issue, the CLI as a process.

Import it as ``from shared import ...`` (pytest puts tests/ on ``sys.path`` for
every folder below it). These are not in conftest.py because each test folder
has a conftest.py of its own, so "conftest" may name another module.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_NAME = "2021-12-one-year-of-ai4media.yaml"
SEED_SLUG = SEED_NAME.removesuffix(".yaml")
SEED = REPO / "issues" / SEED_NAME  # the repository's seed issue
SEED_IN_PROJECT = f"issues/{SEED_NAME}"  # the seed as the CLI names it in ``make_project(seed=True)``


def newsletter_command() -> list[str]:
    """The CLI as a real process of this interpreter."""
    return [sys.executable, "-m", "newsletter_pipeline"]



def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int) -> list[str]:
    """Exit ``code``, lines on stderr, nothing on stdout, no traceback; returns the stderr lines."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines
    return lines
