"""``--check-links``: fetch every URL of the email and report dead links, timeouts and redirects.

Opt-in because it uses the network. Each unique URL is fetched once, as the
reader will get it (after UTM tagging), on a small thread pool. HEAD first,
because it is cheap; GET when HEAD fails, because many servers answer HEAD
with 403, 404 or 405 while the page works. Redirects are followed by hand (at
most ``MAX_HOPS``) so the whole chain can be reported.

The links come from whoever wrote the issue, and their servers decide where
the redirects go, so the fetcher is written for hostile answers:

- only ``http:`` and ``https:`` are fetched; a redirect to ``file:``,
  ``ftp:`` or ``data:`` is reported, never opened;
- every host is resolved here and each address vetted
  (``hosts.non_public_reason``) before connecting to that very address, so
  a redirect (or a DNS answer) cannot steer the checker into the sender's
  network: loopback, private, link-local (cloud metadata at
  169.254.169.254) and reserved addresses are refused;
- one wall-clock deadline covers a link's every hop and read: the socket
  timeout shrinks to the time left before each read, so a server that drips
  one byte every few seconds cannot hold a link past it;
- at most ``MAX_BYTES`` are read per link (headers included).

A link that *starts* on a local address is fetched only with
``NEWSLETTER_LINKCHECK_ALLOW_LOCAL=1`` (the tests' servers and an intranet
check); even then a redirect may only stay on the addresses that start host
resolved to, never move to another local one.

This uses ``http.client`` from the standard library on purpose: STYLE.md
keeps ``requests`` inside providers/, and a checker needs nothing more.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from ..controls import first_control
from ..errors import cut, echo
from ..models import UNSUBSCRIBE_PLACEHOLDER
from .context import CheckContext
from .findings import Finding
from .hosts import non_public_reason, parse_ip
from .locate import strip_utm
from .proxy import Proxy, ProxyError, proxy_for

TIMEOUT = 10.0  # seconds per link: every hop, every read
MAX_HOPS = 10
MAX_BYTES = 256 * 1024  # per link, headers included: enough for any honest answer's headers
BODY_BYTES = 1024  # of a GET's body: enough to know the server answers; never the whole page
WORKERS = 8
URL_LIMIT = 240  # characters of a URL repeated in a finding: the UTM-tagged form stays whole
USER_AGENT = "newsletter-pipeline-linkcheck/0.1"
ALLOW_LOCAL_ENV = "NEWSLETTER_LINKCHECK_ALLOW_LOCAL"
TIMEOUT_ENV = "NEWSLETTER_LINKCHECK_TIMEOUT"
SCHEMES = ("http", "https")


@dataclass
class LinkResult:
    """What fetching one URL gave: the final status, the redirect chain, or an error."""

    url: str
    status: int | None = None
    reason: str = ""
    chain: list[str] = field(default_factory=list)  # every URL after the first
    error: str | None = None
    content_type: str = ""  # of the final answer, lower-cased, without parameters

    @property
    def final_url(self) -> str:
        return self.chain[-1] if self.chain else self.url


class Refused(Exception):
    """A hop the checker will not make; the message says why, in the reader's terms."""


class _Budget(threading.local):
    """This thread's link: its deadline and the bytes read so far (each worker fetches one link at a time)."""

    deadline: float = 0.0
    read: int = 0
    limit: int = MAX_BYTES

    def left(self) -> float:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline")
        return remaining

    def count(self, received: int) -> int:
        self.read += received
        if self.read > self.limit:
            raise Refused(f"sends more than {self.limit // 1024} KiB of headers and data")
        return received


_BUDGET = _Budget()


class _DeadlineSocket(socket.socket):
    """A socket whose timeout shrinks to the link's time left before every send and read.

    http.client reads through ``makefile()``, which calls ``recv_into``.
    """

    def recv_into(self, buffer, nbytes=0, flags=0):  # type: ignore[no-untyped-def]  # socket's signature
        self.settimeout(_BUDGET.left())
        return _BUDGET.count(super().recv_into(buffer, nbytes, flags))

    def sendall(self, data, flags=0):  # type: ignore[no-untyped-def]
        self.settimeout(_BUDGET.left())
        return super().sendall(data, flags)


class _DeadlineSSLSocket(ssl.SSLSocket):
    """The same for TLS, whose ``recv_into`` and ``recv`` both read through ``read``."""

    def read(self, nbytes=1024, buffer=None):  # type: ignore[no-untyped-def]  # SSLSocket's signature
        self.settimeout(_BUDGET.left())
        got = super().read(nbytes, buffer)
        _BUDGET.count(got if isinstance(got, int) else len(got))
        return got

    def sendall(self, data, flags=0):  # type: ignore[no-untyped-def]
        self.settimeout(_BUDGET.left())
        return super().sendall(data, flags)


@functools.cache
def _tls() -> ssl.SSLContext:
    """The system's trust store (and ``SSL_CERT_FILE``), read when a first https link is checked, not at
    import: a build never needs it, and the environment is read when the check runs."""
    context = ssl.create_default_context()
    context.sslsocket_class = _DeadlineSSLSocket
    return context


@dataclass
class _Policy:
    """Which addresses this link may connect to besides public ones (the start host's, when allowed)."""

    allow_local: bool
    local: set[str] = field(default_factory=set)

    def vet(self, host: str, port: int, first: bool) -> str:
        """The address to connect to for ``host``, or ``Refused`` naming why none may be used."""
        addresses = _resolve(host, port)
        for address in addresses:
            reason = non_public_reason(ipaddress.ip_address(address))
            if reason is None:
                continue
            if first and self.allow_local:
                self.local.add(address)
            elif address not in self.local:
                kind = reason.split(" (")[0]
                if first:
                    raise Refused(f"not checked: {host} is {kind}; subscribers cannot reach it "
                                  f"(set {ALLOW_LOCAL_ENV}=1 to check a local server)")
                raise Refused(f"redirects to {host}, {kind}; subscribers cannot reach it and it may be an attack")
        return addresses[0]


def _resolve(host: str, port: int) -> list[str]:
    literal = parse_ip(host)
    if literal is not None:  # 127.1 or 0x7f.0.0.1: the address the OS would read, not a DNS query
        return [str(literal)]
    answers: list[object] = []

    def lookup() -> None:  # getaddrinfo has no timeout: it runs aside, and the link waits at most its time left
        try:
            answers.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            answers.append(exc)

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(_BUDGET.left())
    if not answers:
        raise TimeoutError("name lookup")
    if isinstance(answers[0], OSError):
        raise answers[0]
    return list(dict.fromkeys(str(info[4][0]) for info in answers[0]))  # type: ignore[union-attr]


def _connection(url: str, address: str, proxy: Proxy | None = None) -> http.client.HTTPConnection:
    """A connection to ``url``'s host that connects to the vetted ``address`` and nothing else.

    Through a ``proxy``, ``address`` is the proxy's: https goes through a CONNECT tunnel (TLS with
    the link's own host), http as absolute requests to the proxy.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    target_port = parts.port or (443 if parts.scheme == "https" else 80)
    server, port = (proxy.host, proxy.port) if proxy else (host, target_port)
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            server, port, timeout=_BUDGET.left(), context=_tls())
        if proxy:
            connection.set_tunnel(host, target_port, headers=proxy.headers())
    else:
        connection = http.client.HTTPConnection(server, port, timeout=_BUDGET.left())

    def connect(_address: object, timeout: float, source: object = None) -> socket.socket:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = _DeadlineSocket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(min(timeout, _BUDGET.left()))
            sock.connect((address, port))
        except BaseException:
            sock.close()
            raise
        return sock

    connection._create_connection = connect  # type: ignore[attr-defined]  # http.client's documented hook point
    return connection


def _request(url: str, method: str, address: str, proxy: Proxy | None = None) -> tuple[int, str, str | None, str]:
    """(status, reason, Location header, media type) for one request; HTTP error statuses are answers too."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    if proxy and parts.scheme == "http":  # an absolute request to the proxy, which forwards it
        target = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
        headers.update(proxy.headers())
    connection = _connection(url, address, proxy)
    try:
        connection.request(method, target, headers=headers)
        response = connection.getresponse()
        if method == "GET":
            response.read(BODY_BYTES)
        media_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        return response.status, response.reason, response.getheader("Location"), media_type
    finally:
        connection.close()


def _hop(policy: _Policy, url: str, first: bool) -> tuple[int, str, str | None, str]:
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise Refused(f"redirects to {echo(url)}, which is not a web address (only http: and https: are followed)")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    proxy = _proxy(url)
    if proxy is None:
        address = policy.vet(parts.hostname, port, first)
    else:
        _vet_through(policy, parts.hostname, port, first)
        address = _resolve(proxy.host, proxy.port)[0]  # the office's own proxy: a private address is expected
    try:
        answer = _request(url, "HEAD", address, proxy)
        if answer[0] >= 400:
            answer = _request(url, "GET", address, proxy)
    except OSError as exc:
        if proxy is None or isinstance(exc, TimeoutError):
            raise
        raise Refused(f"cannot connect through the proxy {proxy.shown}: "
                      f"{cut(_printable(str(exc) or type(exc).__name__))}") from None
    return answer


def _proxy(url: str) -> Proxy | None:
    try:
        return proxy_for(url)
    except ProxyError as exc:
        raise Refused(f"not checked: {exc}") from None


def _vet_through(policy: _Policy, host: str, port: int, first: bool) -> None:
    """Through a proxy, the link's host is still vetted where this machine can resolve it (an address in
    the sender's network is refused as without one); a name only the proxy can resolve is left to it."""
    try:
        policy.vet(host, port, first)
    except socket.gaierror:
        if parse_ip(host) is not None:
            raise


def _printable(text: str) -> str:
    """``text`` as it is, or escaped (``echo``) when it holds control characters a terminal would obey."""
    return echo(text) if first_control(text, multi_line=False) else text


def fetch(url: str, timeout: float = TIMEOUT, allow_local: bool = False) -> LinkResult:
    """Follow ``url`` to its final answer, HEAD then GET at each hop, within ``timeout`` seconds in all.

    ``allow_local`` lets the first URL be on a loopback or private address
    (redirects may then stay on that host's addresses only).
    """
    result = LinkResult(url)
    policy = _Policy(allow_local)
    _BUDGET.deadline, _BUDGET.read = time.monotonic() + timeout, 0
    current = url
    try:
        for hop in range(MAX_HOPS + 1):
            status, reason, location, result.content_type = _hop(policy, current, first=hop == 0)
            result.status, result.reason = status, _printable(reason)
            if 300 <= status < 400 and location:
                if first_control(location, multi_line=False):  # an escape sequence would reach the terminal
                    raise Refused(f"redirects to {echo(location)}, which holds control characters")
                current = urljoin(current, location.strip())
                result.chain.append(current)
                continue
            return result
        result.error = f"more than {MAX_HOPS} redirects"
    except Refused as exc:
        result.error = str(exc)
    except (TimeoutError, socket.timeout):
        result.error = f"no answer within {timeout:g} s"
    except (OSError, ValueError, http.client.HTTPException) as exc:
        result.error = f"cannot connect ({cut(_printable(str(exc) or type(exc).__name__))})"
    return result


def fetch_all(urls: list[str], timeout: float = TIMEOUT, workers: int = WORKERS,
              allow_local: bool = False) -> list[LinkResult]:
    """Fetch each URL concurrently; results in the order of ``urls``."""
    if not urls:
        return []
    with ThreadPoolExecutor(max_workers=min(workers, len(urls))) as pool:
        return list(pool.map(lambda u: fetch(u, timeout, allow_local), urls))


def checkable(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not url.startswith(UNSUBSCRIBE_PLACEHOLDER)


def result_findings(result: LinkResult, where: object, image: bool = False) -> list[Finding]:
    """error for 4xx/5xx, timeouts and failures, and for an ``image`` that is no picture;
    warning for redirects (with the final URL)."""
    findings = []
    if result.error:
        findings.append(Finding("link-check", "error", where, f"{cut(result.url, URL_LIMIT)}: {result.error}"))
    elif result.status is not None and result.status >= 400:
        after = f" (after redirects to {cut(result.final_url, URL_LIMIT)})" if result.chain else ""
        findings.append(Finding("link-check", "error", where,
                                f"{cut(result.url, URL_LIMIT)} answers {result.status} {cut(result.reason)}{after}"))
    elif image and result.status is not None and not result.content_type.startswith("image/"):
        # a moved picture often answers 200 with an HTML page: readers then see a broken-image icon
        shown = _printable(result.content_type) or "no Content-Type"
        findings.append(Finding("link-check", "error", where,
                                f"{cut(result.url, URL_LIMIT)} is used as an image but answers {shown}, not a "
                                "picture (readers see a broken image: point src at the image file itself)"))
    if result.chain and not result.error:
        hops = " -> ".join(cut(url, URL_LIMIT) for url in [result.url, *result.chain])
        lost = ""
        if "utm_" in urlsplit(result.url).query and "utm_" not in urlsplit(result.final_url).query:
            lost = "; the redirect drops the UTM parameters, so visits are not attributed to this issue"
        findings.append(Finding("link-check", "warning", where,
                                f"redirects {len(result.chain)} time(s): {hops}{lost} "
                                f"(link to {strip_utm(result.final_url)} directly)"))
    return findings


def settings(environ: dict[str, str] | os._Environ[str] | None = None) -> tuple[float, bool]:
    """(deadline per link, allow local start) from ``NEWSLETTER_LINKCHECK_TIMEOUT`` and ``..._ALLOW_LOCAL``."""
    environ = os.environ if environ is None else environ
    raw = (environ.get(TIMEOUT_ENV) or "").strip()
    try:
        timeout = float(raw) if raw else TIMEOUT
    except ValueError:
        timeout = TIMEOUT
    allow = (environ.get(ALLOW_LOCAL_ENV) or "").strip().lower() in {"1", "true", "yes", "on"}
    return (timeout if timeout > 0 else TIMEOUT), allow


def check_links(ctx: CheckContext, timeout: float | None = None) -> list[Finding]:
    """Fetch every http(s) URL of the email once and report what readers would hit."""
    from .rules.links import link_urls, where_url

    configured, allow_local = settings()
    urls = [u for u in link_urls(ctx) if checkable(u)]
    images = {(element.get("src") or "").strip() for element in ctx.elements() if element.tag == "img"}
    findings: list[Finding] = []
    for result in fetch_all(urls, timeout or configured, allow_local=allow_local):
        findings += result_findings(result, where_url(ctx, result.url), image=result.url in images)
    return findings
