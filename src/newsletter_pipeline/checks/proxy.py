"""The HTTP proxy ``--check-links`` goes through, from ``HTTPS_PROXY``, ``HTTP_PROXY`` and ``NO_PROXY``.

Offices that reach the web only through a proxy set these variables, as curl,
pip and requests read them (the lower-case names too; ``NO_PROXY`` lists hosts
and domains to reach directly). Without them the checker connects directly.
Only an ``http://`` proxy is supported, which is what these variables
almost always name: https links go through it with ``CONNECT`` (the TLS
session is still with the link's own server), http links as absolute
requests. A user name and password in the proxy's URL are sent as Basic
proxy credentials and never shown: messages name the proxy by host and port.
This machine's own servers (localhost, loopback addresses) are always reached
directly: no proxy can reach them.
"""

from __future__ import annotations

import base64
import urllib.request
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ..redaction import EVERYWHERE
from .hosts import parse_ip


class ProxyError(Exception):
    """The proxy variable cannot be used; the message names the variable and what to write."""


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    variable: str  # the variable it came from, for messages
    authorization: str | None = None  # the Proxy-Authorization header, when the URL carries credentials

    @property
    def shown(self) -> str:
        return f"{self.host}:{self.port} ({self.variable})"

    def headers(self) -> dict[str, str]:
        return {"Proxy-Authorization": self.authorization} if self.authorization else {}


def _this_machine(host: str) -> bool:
    """localhost and loopback addresses: no proxy can reach this machine's own servers."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = parse_ip(host)
    return address is not None and address.is_loopback


def proxy_for(url: str) -> Proxy | None:
    """The proxy for ``url`` from the environment, or ``None`` to connect directly."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    proxies = urllib.request.getproxies_environment()  # lower-case names win, as curl reads them
    address = proxies.get(parts.scheme)
    if not address or _this_machine(host) or urllib.request.proxy_bypass_environment(host, proxies):
        return None
    variable = f"{parts.scheme.upper()}_PROXY"
    proxy = urlsplit(address if "://" in address else f"http://{address}")
    if proxy.scheme != "http" or not proxy.hostname:
        raise ProxyError(f"{variable} must be an http:// proxy address such as http://proxy.example.org:3128 "
                         "(other kinds of proxy are not supported by the link check)")
    try:
        port = proxy.port or 80
    except ValueError:
        raise ProxyError(f"{variable} has an invalid port (write it as http://host:3128)") from None
    authorization = None
    if proxy.username is not None:
        password = unquote(proxy.password or "")
        EVERYWHERE.add(password)  # never shown, --debug included
        pair = f"{unquote(proxy.username)}:{password}".encode()
        authorization = "Basic " + base64.b64encode(pair).decode("ascii")
    return Proxy(proxy.hostname, port, variable, authorization)
