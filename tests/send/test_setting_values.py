"""Counts, ports, hosts and URLs in the send settings: a value that cannot be meant is exit 2, naming it.

Found by an outside tester: ``NEWSLETTER_HTTP_ATTEMPTS=1e9`` retried until
killed, ``0``, ``-1`` and ``2.5`` became 1, 1 and 2 without a word,
``NEWSLETTER_SMTP_PORT=25.5`` connected to port 25, ``99999`` or ``0`` failed
three connections (exit 3), and ``abc`` suggested "e.g. None". A port after
the host (``NEWSLETTER_SMTP_HOST=127.0.0.1:2525``) or a URL without https://
(``LISTMONK_URL=127.0.0.1:1234``, ``ftp://x``) was retried as if the server
were down, exit 3.
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


# --- hosts and URLs --------------------------------------------------------------------------------

def test_a_port_after_the_smtp_host_says_where_the_port_goes(run_cli, project, smtp_server):
    server = smtp_server()
    host = f"127.0.0.1:{server.port}"
    lines = assert_clean_failure(smtp_test_send(run_cli, project, server, NEWSLETTER_SMTP_HOST=host), 2)
    assert lines == [(f"error: NEWSLETTER_SMTP_HOST='{host}': the port goes in NEWSLETTER_SMTP_PORT, not after "
                      f"the host: set NEWSLETTER_SMTP_HOST=127.0.0.1 and NEWSLETTER_SMTP_PORT={server.port}")]
    assert server.recorder.connections == 0


@pytest.mark.parametrize("value, says", [
    ("[::1]:2525", ("the port goes in NEWSLETTER_SMTP_PORT, not after the host: set NEWSLETTER_SMTP_HOST=::1 and "
                    "NEWSLETTER_SMTP_PORT=2525")),
    ("smtp://mail.example.org", "write the server's name alone, without smtp://"),
    ("mail.example.org/smtp", "is not a server name: write the host name or IP address alone"),
])
def test_an_smtp_host_with_more_than_the_host_is_refused(tmp_path, value, says):
    with pytest.raises(ConfigError) as caught:
        load_provider("smtp", Config({"NEWSLETTER_SMTP_HOST": value}), Ledger(tmp_path))
    assert str(caught.value).startswith(f"NEWSLETTER_SMTP_HOST={value!r}") and says in str(caught.value)


@pytest.mark.parametrize("value", ["::1", "mail.example.org", "192.0.2.7"])
def test_an_ipv6_address_keeps_its_colons(tmp_path, value):
    assert load_provider("smtp", Config({"NEWSLETTER_SMTP_HOST": value}), Ledger(tmp_path)).host == value


@pytest.mark.parametrize("provider", sorted(API))
@pytest.mark.parametrize("value", ["127.0.0.1:1234", "ftp://x", "lists.example.org", "https://", "https://a b.org"])
def test_a_provider_url_without_http_or_https_is_refused_naming_it(tmp_path, provider, value):
    name = URL_SETTING[provider]
    with pytest.raises(ConfigError) as caught:
        load_provider(provider, Config({**API[provider], name: value}), Ledger(tmp_path))
    assert str(caught.value).startswith(f"{name} is not a web address: it must start with https:// (or http:// "
                                        f"for a server on your own machine or network) followed by the server's "
                                        f"name, e.g. {name}=https://")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("provider", sorted(API))
def test_a_provider_url_with_a_port_out_of_range_is_refused(tmp_path, provider):
    name = URL_SETTING[provider]
    with pytest.raises(ConfigError, match=f"^{name}: the port after the server's name is not a whole number"):
        load_provider(provider, Config({**API[provider], name: "https://api.example.org:99999"}), Ledger(tmp_path))


def test_a_listmonk_url_without_https_is_exit_2_at_once_through_the_cli(run_cli, project):
    """The tester's case: ``InvalidSchema`` was retried four times, then "no answer", exit 3."""
    env = clean_env(NEWSLETTER_PROVIDER="listmonk", **{**API["listmonk"], "LISTMONK_URL": "ftp://x",
                                                       "NEWSLETTER_HTTP_BACKOFF": "0"})
    result = run_cli("send", SEED_IN_PROJECT, "--test", "--to", "a@example.org", cwd=project, env=env, timeout=60)
    lines = assert_clean_failure(result, 2)
    assert lines[-1].startswith("error: LISTMONK_URL is not a web address: it must start with https://")


@pytest.mark.parametrize("value", ["http://127.0.0.1:8080/", "https://lists.example.org", "HTTPS://Lists.Example.org"])
def test_http_and_https_urls_are_taken(tmp_path, value):
    provider = load_provider("listmonk", Config({**API["listmonk"], "LISTMONK_URL": value}), Ledger(tmp_path))
    assert provider.api.base_url == value.rstrip("/") + "/api"


def test_nothing_listening_on_a_valid_port_is_still_a_provider_error(run_cli, project, smtp_server):
    """The new checks refuse typos only: a server that is down stays exit 3."""
    server = smtp_server()
    result = smtp_test_send(run_cli, project, server, NEWSLETTER_SMTP_PORT=str(free_port()))
    assert_clean_failure(result, 3)
