"""Read a URL's host as the operating system will, and say when it is not on the public internet.

``ipaddress`` alone reads only the dotted quad, but resolvers also accept the
old ``inet_aton`` forms: ``127.1``, ``0x7f.0.0.1``, ``0177.0.0.1`` and
``2130706433`` all open a connection to 127.0.0.1. A check that misses them
passes a link that points at the reader's own computer, and a link checker
that misses them can be steered into the sender's network.
"""

from __future__ import annotations

import ipaddress
import re

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_HEX = re.compile(r"0x[0-9a-f]*")
_OCTAL = re.compile(r"0[0-7]+")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def parse_ip(host: str) -> Address | None:
    """The IP address ``host`` names (any inet_aton form, IPv6 with or without brackets), else ``None``.

    An IPv4-mapped IPv6 address (``::ffff:127.0.0.1``) is returned as its IPv4
    address, which is where the connection goes.
    """
    text = host.strip().lower().rstrip(".")
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]  # an IPv6 zone id (fe80::1%eth0)
    try:
        address: Address | None = ipaddress.ip_address(text)
    except ValueError:
        address = _inet_aton(text)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _inet_aton(text: str) -> ipaddress.IPv4Address | None:
    """glibc's inet_aton: 1 to 4 parts, decimal, 0-octal or 0x-hex; the last part fills the rest."""
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_number(part) for part in parts]
    if None in numbers:
        return None
    *first, last = numbers  # type: ignore[misc]
    if any(n > 255 for n in first) or last >= 256 ** (5 - len(parts)):
        return None
    value = last
    for index, number in enumerate(first):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _number(part: str) -> int | None:
    if _HEX.fullmatch(part):
        return int(part[2:] or "0", 16)
    if _OCTAL.fullmatch(part):
        return int(part, 8)
    if _DECIMAL.fullmatch(part):
        return int(part)
    return None


def non_public_reason(address: Address) -> str | None:
    """What kind of non-public address this is ("a loopback address ..."), ``None`` for a public one."""
    if address.is_unspecified:
        return "the unspecified address (this computer)"
    if address.is_loopback:
        return "a loopback address (the reader's own computer)"
    if address.is_link_local:
        return "a link-local address (the local network segment; cloud metadata services live there)"
    if address.is_private:
        return "a private network address"
    if address.is_multicast or address.is_reserved or not address.is_global:
        return "a reserved address that is not on the public internet"
    return None


def host_reason(host: str) -> str | None:
    """Why ``host`` (an IP in any form, or ``localhost``) is not reachable from the internet, else ``None``."""
    name = host.strip().lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return f"{name} is the reader's own computer"
    address = parse_ip(name)
    if address is None:
        return None
    reason = non_public_reason(address)
    if reason is None:
        return None
    same = str(address) == name.strip("[]")
    return f"{name} is {reason}" if same else f"{name} is {address}, {reason}"
