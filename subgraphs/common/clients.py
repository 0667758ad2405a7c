"""Who is calling from where: the client's address behind trusted proxies.

Each proxy on the way (load balancer, gateway) appends the address it was
reached from to `X-Forwarded-For`, and the last one is this process's peer.
Read from the right, every hop a trusted proxy wrote is believed; the first
address that is not a trusted proxy is the client. Whatever is left of it was
written by the client itself and is ignored (so a spoofed header changes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from starlette.requests import HTTPConnection

Network = IPv4Network | IPv6Network

# Loopback and private ranges: where gateways and load balancers live in a cluster.
DEFAULT_TRUSTED_PROXIES = (
    "127.0.0.0/8",
    "::1/128",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
)


def networks(specs: Sequence[str]) -> tuple[Network, ...]:
    """CIDRs (or single addresses) as networks; ValueError names a bad one."""
    return tuple(ip_network(spec.strip(), strict=False) for spec in specs if spec.strip())


def client_address(connection: HTTPConnection | None, trusted: Sequence[Network]) -> str:
    """The first address, from the right, that is not a trusted proxy."""
    if connection is None:
        return "unknown"
    hops = [hop.strip() for hop in connection.headers.get("x-forwarded-for", "").split(",")]
    peer = connection.client.host if connection.client else "unknown"
    chain = [hop for hop in hops if hop] + [peer]
    for hop in reversed(chain):
        address = _address(hop)
        if address is None or not any(address in network for network in trusted):
            return str(address or hop)
    return chain[0]  # every hop is a trusted proxy: the farthest one called


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        address = ip_address(text.removeprefix("[").split("]")[0])
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
