"""Who the network client is: the peer address, or a forwarded one only from a trusted proxy.

TRUSTED_PROXIES lists the addresses or networks (comma-separated, e.g.
"10.0.0.0/8,127.0.0.1") of the load balancers and reverse proxies in front of
our servers. A request from one of them is attributed to the nearest address
in its X-Forwarded-For that is not itself a trusted proxy; a request from
anyone else is attributed to its peer address, whatever X-Forwarded-For it
sends (so nobody can pick their own rate-limit key). Empty (the default):
only peer addresses count. docs/security.md.
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=1)
def trusted_proxies() -> tuple[Network, ...]:
    """TRUSTED_PROXIES, read once per process."""
    return parse_networks(os.environ.get("TRUSTED_PROXIES", ""))


def parse_networks(value: str) -> tuple[Network, ...]:
    networks = []
    for part in value.replace(" ", ",").split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError as error:
                raise ValueError(f"TRUSTED_PROXIES: {part.strip()!r} is not an address or network") from error
    return tuple(networks)


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None,
                   trusted: tuple[Network, ...] | None = None) -> str:
    """The address rate limits count against."""
    trusted = trusted_proxies() if trusted is None else trusted
    address = (peer or "unknown").strip()
    if not trusted or not forwarded_for or not _is_trusted(address, trusted):
        return address[:64]
    for hop in reversed(forwarded_for.split(",")[-16:]):  # nearest hop first
        hop = hop.strip()
        if not hop:
            continue
        if not _is_trusted(hop, trusted):
            return hop[:64]
        address = hop
    return address[:64]
