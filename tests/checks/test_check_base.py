"""The fixture issue and the seed pass every rule: the other tests change one thing at a time."""

from __future__ import annotations

from newsletter_pipeline.checks import run_checks


def test_base_issue_passes_every_rule(check):
    assert check().findings == []


def test_seed_passes_every_rule(seed_build):
    loaded, rendered = seed_build
    assert run_checks(loaded, rendered).findings == []
