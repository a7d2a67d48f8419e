"""Campaign tracking (UTM) parameters for outgoing links.

The link's own query is kept byte for byte and the utm pairs are appended
after it, the fragment last. Parsing and re-encoding the query
(``parse_qsl`` + ``urlencode``) would change what the server receives:
``?flag`` becomes ``?flag=``, ``%20`` becomes ``+`` and ``a=1;b=2`` loses its
``;`` pairs, and some sites answer those with a different page or a 404.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlencode, urlsplit

from ..issue.records import Utm
from ..models import UNSUBSCRIBE_PLACEHOLDER

# only to see which keys the query already has: "&" and the older ";" both separate pairs
_PAIR_SEPARATOR = re.compile(r"[&;]")


def tagged_host(url: str, utm: Utm) -> bool:
    """Whether ``url`` is an http(s) link that ``utm.domains`` (empty: every host) lets us tag."""
    if url == UNSUBSCRIBE_PLACEHOLDER:
        return False
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:  # a malformed URL (bad port, bracket): the links check reports it, we leave it be
        return False
    if parts.scheme.lower() not in ("http", "https"):
        return False
    return not utm.domains or any(host == d.lower() or host.endswith("." + d.lower()) for d in utm.domains)


def query_keys(query: str) -> set[str]:
    """The decoded keys of a query string, however its pairs are separated or encoded."""
    return {unquote_plus(piece.partition("=")[0]) for piece in _PAIR_SEPARATOR.split(query) if piece}


def add_utm(url: str, utm: Utm | None, slug: str) -> str:
    """``url`` with utm_source/medium/campaign appended, unless already present.

    Only http(s) links are tagged, never mailto: or the unsubscribe
    placeholder; with ``utm.domains`` set, only links to those hosts (and
    their subdomains) are. Everything the URL already had stays as written.
    """
    if utm is None or not tagged_host(url, utm):
        return url
    base, hash_, fragment = url.partition("#")
    path, mark, query = base.partition("?")
    present = query_keys(query)
    wanted = {"utm_source": utm.source, "utm_medium": utm.medium, "utm_campaign": utm.campaign or slug}
    added = urlencode([(key, value) for key, value in wanted.items() if key not in present])
    if not added:
        return url
    joiner = "" if not query or query.endswith(("&", ";")) else "&"
    return f"{path}?{query}{joiner}{added}{hash_}{fragment}"
