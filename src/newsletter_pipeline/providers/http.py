"""A retrying, redacting JSON client for API providers (listmonk, mailchimp, brevo).

``ApiClient(provider, base_url, redactor=..., policy=HttpPolicy.from_config(config))``
wraps one ``requests.Session`` (connection reuse) and gives every request:

- connect and read timeouts (``NEWSLETTER_HTTP_CONNECT_TIMEOUT`` / ``_READ_TIMEOUT``);
- bounded retries (``NEWSLETTER_HTTP_ATTEMPTS``) with exponential backoff and
  jitter (``NEWSLETTER_HTTP_BACKOFF`` doubling, capped by ``NEWSLETTER_HTTP_MAX_DELAY``):
  * 429 and failures to connect are retried for every method (the provider did
    not act);
  * 5xx, read timeouts and connections dropped after the request was sent are
    retried only for requests that are safe to repeat: GET/HEAD/PUT/DELETE, or
    ``idempotent=True``. For other requests they raise ``AmbiguousOutcome`` so
    the caller re-reads the provider's state first (``base.CampaignProvider``);
- the wait before a retry honours ``Retry-After`` (seconds or HTTP date) and
  the provider's reset header (``reset_header="x-sib-ratelimit-reset"``:
  seconds until the quota resets), or override ``rate_limit_delay``;
- errors are ``ProviderHTTPError`` ending with ``HTTP <status>`` and the
  pretty-printed body (a 401 or 403 also names the ``credentials`` settings
  to check), ``ProviderUnavailable`` when nothing answered; every
  message and log line goes through the redactor first.

Requests are logged (method, path, status, time; never headers or bodies) to
the ``newsletter_pipeline.providers`` logger; retries are warnings.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from ..config import MAX_ATTEMPTS
from .base import AmbiguousOutcome, ProviderHTTPError, ProviderUnavailable

if TYPE_CHECKING:
    from ..config import Config, Redactor

log = logging.getLogger("newsletter_pipeline.providers")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
OK = (200, 201, 202, 204)


@dataclass(frozen=True)
class HttpPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    attempts: int = 4
    backoff: float = 0.5
    max_delay: float = 30.0

    @classmethod
    def from_config(cls, config: Config) -> HttpPolicy:
        return cls(config.seconds("NEWSLETTER_HTTP_CONNECT_TIMEOUT", zero=False),
                   config.seconds("NEWSLETTER_HTTP_READ_TIMEOUT", zero=False),
                   config.whole("NEWSLETTER_HTTP_ATTEMPTS", 1, MAX_ATTEMPTS), config.seconds("NEWSLETTER_HTTP_BACKOFF"),
                   config.seconds("NEWSLETTER_HTTP_MAX_DELAY"))

    def backoff_delay(self, attempt: int) -> float:
        """Exponential backoff with jitter: between half and all of backoff * 2**(attempt-1)."""
        ceiling = min(self.max_delay, self.backoff * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


class ApiClient:
    """One provider's HTTP API: base URL, auth headers, retries, redaction."""

    def __init__(self, provider: str, base_url: str, *, redactor: Redactor, policy: HttpPolicy | None = None,
                 headers: dict[str, str] | None = None, auth: tuple[str, str] | None = None,
                 reset_header: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 credentials: tuple[str, ...] = ()) -> None:
        self.provider = provider
        self.credentials = credentials  # the settings a 401 or 403 tells the user to check
        self.base_url = base_url.rstrip("/")
        self.redactor = redactor
        self.policy = policy or HttpPolicy()
        self.reset_header = reset_header
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "newsletter-pipeline"})
        self.session.headers.update(headers or {})
        if auth:
            self.session.auth = auth
            redactor.add(auth[1])
            redactor.add(f"{auth[0]}:{auth[1]}")  # its base64 form is the Authorization header

    def close(self) -> None:
        self.session.close()

    # -- public
    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def request(self, method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None,
                idempotent: bool | None = None, ok: Iterable[int] = OK, action: str = "") -> requests.Response:
        """Send one request with the retry rules of the module docstring; return a 2xx (or ``ok``) reply.

        ``action`` names the request in errors ("create the campaign"); by
        default it is "METHOD path".
        """
        method = method.upper()
        safe = method in SAFE_METHODS if idempotent is None else idempotent
        action = action or f"{method} {path}"
        accepted = set(ok)
        for attempt in range(1, self.policy.attempts + 1):
            last = attempt == self.policy.attempts
            started = time.monotonic()
            try:
                response = self.session.request(method, self._url(path), json=json_body, params=params,
                                                timeout=(self.policy.connect_timeout, self.policy.read_timeout))
            except requests.RequestException as exc:
                reached = not _never_reached(exc)
                what = self.redactor(f"{type(exc).__name__}: {exc}")
                if reached and not safe:
                    raise AmbiguousOutcome(f"{self.provider}: {action}: no clear answer ({what}); "
                                           "it may or may not have been done") from None
                if last:
                    raise ProviderUnavailable(f"{self.provider}: {action}: no answer after "
                                              f"{self.policy.attempts} attempts ({what})") from None
                self._wait(attempt, None, f"{action}: {type(exc).__name__}")
                continue
            log.info("%s: %s %s -> %s (%.2fs)", self.provider, method, path, response.status_code,
                     time.monotonic() - started)
            status = response.status_code
            if status in accepted:
                return response
            retryable = status == 429 or (status >= 500 and safe)
            if status >= 500 and not safe:
                raise AmbiguousOutcome(self._error(action, response, "it may or may not have been done").args[0])
            if not retryable or last:
                raise self._error(action, response, self._auth_hint(status))
            self._wait(attempt, response, f"{action}: HTTP {status}")
        raise AssertionError("unreachable")

    # -- hooks
    def rate_limit_delay(self, response: requests.Response) -> float | None:
        """Seconds the provider asks us to wait: Retry-After, else the reset header."""
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            return _parse_retry_after(retry_after)
        if self.reset_header and response.headers.get(self.reset_header):
            try:
                return max(0.0, float(response.headers[self.reset_header]))
            except ValueError:
                return None
        return None

    # -- helpers
    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def _wait(self, attempt: int, response: requests.Response | None, why: str) -> None:
        asked = self.rate_limit_delay(response) if response is not None else None
        delay = min(self.policy.max_delay, asked) if asked is not None else self.policy.backoff_delay(attempt)
        log.warning("%s", self.redactor(f"{self.provider}: {why}; retrying in {delay:.1f}s "
                                        f"(attempt {attempt + 1}/{self.policy.attempts})"))
        self.sleep(delay)

    def _auth_hint(self, status: int) -> str:
        """For a refused login, the settings to fix: the provider's own body ("Key not found") names none."""
        if status not in (401, 403) or not self.credentials:
            return ""
        names = " and ".join([", ".join(self.credentials[:-1]), self.credentials[-1]] if len(self.credentials) > 1
                             else self.credentials)
        if status == 401:
            return f"{self.provider} did not accept the login: check {names}"
        return f"{self.provider} refused the login or this request: check {names} (if they are right, the " \
               "account may lack the permission for this)"

    def _error(self, action: str, response: requests.Response, hint: str = "") -> ProviderHTTPError:
        return ProviderHTTPError(self.provider, action, response.status_code,
                                 self.redactor(pretty_body(response)), self.redactor(hint))


def pretty_body(response: requests.Response) -> str:
    """The body, pretty-printed when it is JSON; long bodies are cut."""
    text = response.text or ""
    try:
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=True)
    except ValueError:
        pass
    return text if len(text) <= 4000 else text[:4000] + "\n… (cut)"


def json_of(response: requests.Response) -> Any:
    """The JSON body, or an empty dict for 204 / empty replies."""
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        return {}


def iso_time(value: Any) -> datetime | None:
    """A provider's ISO 8601 timestamp (``Z`` allowed) as a datetime; None when empty or unreadable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _parse_retry_after(value: str) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _never_reached(exc: BaseException) -> bool:
    """True when the request certainly did not reach the provider (refused, DNS, connect timeout)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, (NewConnectionError, ConnectTimeoutError)):
            return True
        stack += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        stack += [arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException)]
    return False
