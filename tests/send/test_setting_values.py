"""Counts and ports in the send settings: a value that cannot be meant is exit 2, naming it.

Found by an outside tester: ``NEWSLETTER_HTTP_ATTEMPTS=1e9`` retried until
killed, ``0``, ``-1`` and ``2.5`` became 1, 1 and 2 without a word,
``NEWSLETTER_SMTP_PORT=25.5`` connected to port 25, ``99999`` or ``0`` failed
three connections (exit 3), and ``abc`` suggested "e.g. None".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from shared import SEED_IN_PROJECT, assert_clean_failure, clean_env, free_port

from newsletter_pipeline.config import Config
from newsletter_pipeline.errors import ConfigError
from newsletter_pipeline.ledger import Ledger
from newsletter_pipeline.providers import load_provider
from newsletter_pipeline.providers.http import HttpPolicy

API = {"listmonk": {"LISTMONK_URL": "https://lists.example.org", "LISTMONK_USERNAME": "api",
                    "LISTMONK_TOKEN": "lm-token-1234", "LISTMONK_LIST_IDS": "3"},
       "mailchimp": {"MAILCHIMP_API_KEY": "0123456789abcdef-us21", "MAILCHIMP_LIST_ID": "a1b2c3"},
       "brevo": {"BREVO_API_KEY": "xkeysib-key-1234", "BREVO_LIST_IDS": "7"}}
URL_SETTING = {"listmonk": "LISTMONK_URL", "mailchimp": "MAILCHIMP_API_URL", "brevo": "BREVO_API_URL"}


@pytest.fixture
def project(make_project) -> Path:
    return make_project(seed=True)


def smtp_test_send(run_cli, project: Path, server, **settings: str):
    env = clean_env(NEWSLETTER_PROVIDER="smtp", **{**server.env(), **settings})
    return run_cli("send", SEED_IN_PROJECT, "--test", "--to", "a@example.org", cwd=project, env=env, timeout=60)


# --- whole numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1e9", "0", "-1", "2.5", "11", "four", "nan", "+3", "٣"])
def test_attempts_must_be_a_whole_number_from_1_to_10(value):
    with pytest.raises(ConfigError) as caught:
        HttpPolicy.from_config(Config({"NEWSLETTER_HTTP_ATTEMPTS": value}))
    assert str(caught.value) == (f"NEWSLETTER_HTTP_ATTEMPTS={value!r} is not a whole number from 1 to 10: "
                                 "write it in digits, e.g. NEWSLETTER_HTTP_ATTEMPTS=4")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("value, attempts", [(None, 4), ("1", 1), ("10", 10)])
def test_attempts_in_range_are_taken_as_written(value, attempts):
    assert HttpPolicy.from_config(Config({"NEWSLETTER_HTTP_ATTEMPTS": value} if value else {})).attempts == attempts


@pytest.mark.parametrize("value", ["25.5", "99999", "0", "abc", "-25", "1e3", "65536"])
def test_an_smtp_port_that_is_no_port_is_refused_before_connecting(run_cli, project, smtp_server, value):
    server = smtp_server()
    lines = assert_clean_failure(smtp_test_send(run_cli, project, server, NEWSLETTER_SMTP_PORT=value), 2)
    # the example is the default port of the server's security, none
    assert lines == [(f"error: NEWSLETTER_SMTP_PORT={value!r} is not a whole number from 1 to 65,535: "
                      "write it in digits, e.g. NEWSLETTER_SMTP_PORT=25")]
    assert server.recorder.connections == 0


@pytest.mark.parametrize("security, port", [("starttls", 587), ("ssl", 465), ("none", 25)])
def test_the_port_example_is_the_default_of_the_security_in_use(security, port, tmp_path):
    settings = {"NEWSLETTER_SMTP_HOST": "127.0.0.1", "NEWSLETTER_SMTP_SECURITY": security,
                "NEWSLETTER_SMTP_PORT": "abc"}
    with pytest.raises(ConfigError, match=rf"e\.g\. NEWSLETTER_SMTP_PORT={port}$"):
        load_provider("smtp", Config(settings), Ledger(tmp_path))


@pytest.mark.parametrize("value", ["-3", "0", "+3", "3,-4", "1_0"])
def test_list_ids_are_positive_whole_numbers_in_digits(tmp_path, value):
    settings = {**API["listmonk"], "LISTMONK_LIST_IDS": value}
    with pytest.raises(ConfigError) as caught:
        load_provider("listmonk", Config(settings), Ledger(tmp_path))
    assert str(caught.value) == f"LISTMONK_LIST_IDS={value!r}: list ids are numbers, e.g. 3 or 3,4"


def test_nothing_listening_on_a_valid_port_is_still_a_provider_error(run_cli, project, smtp_server):
    """The new checks refuse typos only: a server that is down stays exit 3."""
    server = smtp_server()
    result = smtp_test_send(run_cli, project, server, NEWSLETTER_SMTP_PORT=str(free_port()))
    assert_clean_failure(result, 3)
