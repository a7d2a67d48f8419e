"""``--check-links``: fetch every URL of the email and report dead links, timeouts and redirects.

Opt-in because it uses the network. Each unique URL is fetched once, as the
reader will get it (after UTM tagging), on a small thread pool with a
per-request timeout. HEAD first, because it is cheap; GET when HEAD fails,
because many servers answer HEAD with 403, 404 or 405 while the page works.
Redirects are followed by hand (at most ``MAX_HOPS``) so the whole chain can
be reported.

This uses urllib from the standard library on purpose: STYLE.md keeps
``requests`` inside providers/, and a checker needs nothing urllib lacks.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ..models import UNSUBSCRIBE_PLACEHOLDER
from .context import CheckContext
from .findings import Finding
from .locate import strip_utm

TIMEOUT = 10.0  # seconds per request
MAX_HOPS = 10
WORKERS = 8
USER_AGENT = "newsletter-pipeline-linkcheck/0.1"


@dataclass
class LinkResult:
    """What fetching one URL gave: the final status, the redirect chain, or an error."""

    url: str
    status: int | None = None
    reason: str = ""
    chain: list[str] = field(default_factory=list)  # every URL after the first
    error: str | None = None

    @property
    def final_url(self) -> str:
        return self.chain[-1] if self.chain else self.url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand every 3xx back to us, so each hop is recorded."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _request(url: str, method: str, timeout: float) -> tuple[int, str, str | None]:
    """(status, reason, Location header) for one request; HTTP error statuses are answers too."""
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            if method == "GET":
                response.read(1024)  # enough to know the server answers; never the whole page
            return response.status, response.reason, response.headers.get("Location")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, str(exc.reason), exc.headers.get("Location")


def fetch(url: str, timeout: float = TIMEOUT) -> LinkResult:
    """Follow ``url`` to its final answer, HEAD then GET at each hop."""
    result = LinkResult(url)
    current = url
    try:
        for _ in range(MAX_HOPS + 1):
            status, reason, location = _request(current, "HEAD", timeout)
            if status >= 400:
                status, reason, location = _request(current, "GET", timeout)
            result.status, result.reason = status, reason
            if 300 <= status < 400 and location:
                current = urljoin(current, location)
                result.chain.append(current)
                continue
            return result
        result.error = f"more than {MAX_HOPS} redirects"
    except (TimeoutError, socket.timeout):
        result.error = f"no answer within {timeout:g} s"
    except urllib.error.URLError as exc:
        reason = exc.reason
        result.error = (f"no answer within {timeout:g} s" if isinstance(reason, (TimeoutError, socket.timeout))
                        else f"cannot connect ({reason})")
    except (OSError, ValueError) as exc:
        result.error = f"cannot connect ({exc})"
    return result


def fetch_all(urls: list[str], timeout: float = TIMEOUT, workers: int = WORKERS) -> list[LinkResult]:
    """Fetch each URL concurrently; results in the order of ``urls``."""
    if not urls:
        return []
    with ThreadPoolExecutor(max_workers=min(workers, len(urls))) as pool:
        return list(pool.map(lambda u: fetch(u, timeout), urls))


def checkable(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not url.startswith(UNSUBSCRIBE_PLACEHOLDER)


def result_findings(result: LinkResult, where: object) -> list[Finding]:
    """error for 4xx/5xx, timeouts and failures; warning for redirects (with the final URL)."""
    findings = []
    if result.error:
        findings.append(Finding("link-check", "error", where, f"{result.url}: {result.error}"))
    elif result.status is not None and result.status >= 400:
        after = f" (after redirects to {result.final_url})" if result.chain else ""
        findings.append(Finding("link-check", "error", where,
                                f"{result.url} answers {result.status} {result.reason}{after}"))
    if result.chain and not result.error:
        hops = " -> ".join([result.url, *result.chain])
        lost = ""
        if "utm_" in urlsplit(result.url).query and "utm_" not in urlsplit(result.final_url).query:
            lost = "; the redirect drops the UTM parameters, so visits are not attributed to this issue"
        findings.append(Finding("link-check", "warning", where,
                                f"redirects {len(result.chain)} time(s): {hops}{lost} "
                                f"(link to {strip_utm(result.final_url)} directly)"))
    return findings


def check_links(ctx: CheckContext, timeout: float = TIMEOUT) -> list[Finding]:
    """Fetch every http(s) URL of the email once and report what readers would hit."""
    from .rules.links import link_urls, where_url

    urls = [u for u in link_urls(ctx) if checkable(u)]
    findings: list[Finding] = []
    for result in fetch_all(urls, timeout):
        findings += result_findings(result, where_url(ctx, result.url))
    return findings
