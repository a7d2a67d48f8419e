"""The API providers' HTTP client against a real server on 127.0.0.1: retries, timeouts, redaction."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import pytest
from shared import free_port, local_http_server

from newsletter_pipeline.config import REDACTED, Redactor
from newsletter_pipeline.providers.base import AmbiguousOutcome, ProviderHTTPError, ProviderUnavailable
from newsletter_pipeline.providers.http import ApiClient, HttpPolicy

SECRET = "sk-live-0123456789abcdef"


@dataclass
class Script:
    """Replies the server gives, in order; each is (status, headers, body) or "drop" or ("slow", seconds)."""

    replies: list = field(default_factory=list)
    seen: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            script.seen.append((self.command, self.path))
            reply = script.replies.pop(0) if script.replies else (200, {}, {"ok": True})
            if reply == "drop":  # acted, then the connection goes away without an answer
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if reply[0] == "slow":
                time.sleep(reply[1])
                reply = (200, {}, {"ok": True})
            status, headers, body = reply
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (read timeout), as the test wanted

        do_GET = do_POST = do_PUT = _any  # noqa: N815 - http.server API

        def log_message(self, *args: object) -> None:
            pass

    with local_http_server(Handler) as url:
        yield url, script


@pytest.fixture
def client(server) -> Iterator[tuple[ApiClient, Script, list[float]]]:
    url, script = server
    waits: list[float] = []
    api = ApiClient("acme", url, redactor=Redactor([SECRET]), headers={"X-Key": SECRET}, sleep=waits.append,
                    policy=HttpPolicy(connect_timeout=1, read_timeout=0.3, attempts=3, backoff=0.2, max_delay=5),
                    reset_header="x-ratelimit-reset")
    yield api, script, waits
    api.close()


def test_429_is_retried_for_any_method_honouring_retry_after(client):
    api, script, waits = client
    script.replies = [(429, {"Retry-After": "2"}, {"message": "slow down"}), (201, {}, {"id": 7})]
    assert api.post("/campaigns", json_body={}).json() == {"id": 7}
    assert waits == [2.0] and len(script.seen) == 2


def test_reset_header_hook_when_there_is_no_retry_after(client):
    api, script, waits = client
    script.replies = [(429, {"x-ratelimit-reset": "3"}, {"code": "too_many_requests"}), (200, {}, {})]
    api.get("/campaigns")
    assert waits == [3.0]


def test_retry_after_is_capped_and_attempts_are_bounded(client):
    api, script, waits = client
    script.replies = [(429, {"Retry-After": "3600"}, {"message": "later"})] * 3
    with pytest.raises(ProviderHTTPError) as caught:
        api.get("/campaigns")
    assert waits == [5.0, 5.0] and len(script.seen) == 3
    assert str(caught.value).splitlines()[-4:] == ["HTTP 429", "{", '  "message": "later"', "}"]


def test_5xx_is_retried_with_jittered_backoff_for_safe_requests(client):
    api, script, waits = client
    script.replies = [(500, {}, {}), (503, {}, {}), (200, {}, {"id": 1})]
    assert api.put("/campaigns/1", json_body={}).json() == {"id": 1}
    assert len(waits) == 2 and 0.1 <= waits[0] <= 0.2 and 0.2 <= waits[1] <= 0.4


def test_5xx_on_an_unsafe_request_is_ambiguous_not_retried(client):
    api, script, waits = client
    script.replies = [(502, {}, {"message": "bad gateway"})]
    with pytest.raises(AmbiguousOutcome, match="may or may not have been done"):
        api.post("/campaigns/1/send")
    assert len(script.seen) == 1 and waits == []


def test_dropped_connection_after_the_action_is_ambiguous_for_post(client):
    api, script, _ = client
    script.replies = ["drop"]
    with pytest.raises(AmbiguousOutcome):
        api.post("/campaigns/1/send")
    assert len(script.seen) == 1


def test_dropped_connection_is_retried_for_get(client):
    api, script, waits = client
    script.replies = ["drop", (200, {}, {"id": 3})]
    assert api.get("/campaigns/3").json() == {"id": 3}
    assert len(script.seen) == 2 and len(waits) == 1


def test_read_timeout_is_ambiguous_for_post_and_retried_for_get(client):
    api, script, waits = client
    script.replies = [("slow", 0.6)]
    with pytest.raises(AmbiguousOutcome, match="ReadTimeout"):
        api.post("/campaigns")
    script.replies = [("slow", 0.6), (200, {}, {"ok": 1})]
    assert api.get("/campaigns").json() == {"ok": 1}


def test_nothing_listening_is_retried_then_unavailable():
    waits: list[float] = []
    api = ApiClient("acme", f"http://127.0.0.1:{free_port()}", redactor=Redactor(), sleep=waits.append,
                    policy=HttpPolicy(connect_timeout=1, read_timeout=1, attempts=3, backoff=0.1))
    # never reached the provider, so even a POST is retried
    with pytest.raises(ProviderUnavailable, match="no answer after 3 attempts"):
        api.post("/campaigns")
    assert len(waits) == 2


def test_errors_end_with_status_and_body_and_are_redacted(client):
    api, script, _ = client
    script.replies = [(401, {}, {"message": f"invalid key {SECRET}", "code": "unauthorized"})]
    with pytest.raises(ProviderHTTPError) as caught:
        api.get("/account", action="read the account")
    text = str(caught.value)
    assert text.startswith("acme: read the account failed")
    assert SECRET not in text and REDACTED in text
    assert "HTTP 401" in text and text.rstrip().endswith("}")
    assert caught.value.exit_code == 3


def test_basic_auth_value_is_registered_as_a_secret(server):
    url, _ = server
    redactor = Redactor()
    ApiClient("acme", url, redactor=redactor, auth=("anystring", SECRET))
    import base64

    header = base64.b64encode(f"anystring:{SECRET}".encode()).decode()
    assert SECRET not in redactor(f"Authorization: Basic {header} and {SECRET}")
    assert header not in redactor(f"Authorization: Basic {header}")

