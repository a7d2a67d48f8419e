"""Campaign tracking (UTM) parameters for outgoing links."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..issue.schema import Utm
from ..models import UNSUBSCRIBE_PLACEHOLDER


def add_utm(url: str, utm: Utm | None, slug: str) -> str:
    """``url`` with utm_source/medium/campaign added, unless already present.

    Only http(s) links are tagged, never mailto: or the unsubscribe
    placeholder; with ``utm.domains`` set, only links to those hosts (and
    their subdomains) are.
    """
    if utm is None or url == UNSUBSCRIBE_PLACEHOLDER:
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower()
    if utm.domains and not any(host == d.lower() or host.endswith("." + d.lower()) for d in utm.domains):
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key for key, _ in query}
    wanted = {"utm_source": utm.source, "utm_medium": utm.medium, "utm_campaign": utm.campaign or slug}
    query += [(key, value) for key, value in wanted.items() if key not in present]
    return urlunsplit(parts._replace(query=urlencode(query)))
