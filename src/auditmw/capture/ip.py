"""Client IP addresses: who is the client behind the proxies, and the privacy policy.

The socket peer is the client unless the peer is one of ``capture.trusted_proxies``.
Only then is the one header the proxy sets (``capture.forwarded_header``:
``X-Forwarded-For`` by default, or RFC 7239 ``Forwarded``) read, right to left: each
trusted hop is skipped and the first untrusted address is the client. The other header
is never walked — a proxy that sets one passes the other through from the client, so it
says whatever the client wants — but it is kept in ``client.forwarded`` for forensics.
A hop that is not an address (``unknown``, an obfuscated ``_node``, garbage) stops the
walk and the peer is used instead, so nothing a client writes can name an arbitrary
address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def anonymize_ip(ip: str) -> str | None:
    """Zero the last IPv4 octet or the last 80 IPv6 bits; ``None`` for non-addresses."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv4Address):
        return str(ipaddress.IPv4Address(int(addr) & ~0xFF))
    return str(ipaddress.IPv6Address(int(addr) & ~((1 << 80) - 1)))


def apply_ip_policy(ip: str | None, mode: str) -> str | None:
    if ip is None or mode == "full":
        return ip
    if mode == "none":
        return None
    return anonymize_ip(ip)


def parse_networks(cidrs: Iterable[str]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def _address(text: str) -> IPAddress | None:
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4-mapped IPv6 peer (::ffff:10.0.0.1) is the IPv4 address it carries.
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _is_trusted(addr: IPAddress, networks: Sequence[IPNetwork]) -> bool:
    return any(addr.version == net.version and addr in net for net in networks)


def peer_is_trusted(peer: str | None, networks: Sequence[IPNetwork]) -> bool:
    addr = _address(peer) if peer else None
    return addr is not None and _is_trusted(addr, networks)


def _forwarded_for(value: str) -> list[str]:
    """The ``for=`` nodes of an RFC 7239 ``Forwarded`` header, in order."""
    nodes: list[str] = []
    for element in value.split(","):
        for pair in element.split(";"):
            name, _, node = pair.strip().partition("=")
            if name.strip().lower() == "for":
                nodes.append(_strip_node(node.strip().strip('"')))
    return nodes


def _strip_node(node: str) -> str:
    """``[2001:db8::1]:4711`` → ``2001:db8::1``; ``192.0.2.4:80`` → ``192.0.2.4``."""
    if node.startswith("["):
        return node[1:node.find("]")] if "]" in node else node
    if node.count(":") == 1:
        return node.split(":", 1)[0]
    return node


FORWARDED_HEADERS = ("x-forwarded-for", "forwarded")


def resolve_client_ip(peer: str | None, networks: Sequence[IPNetwork],
                      forwarded: str | None, x_forwarded_for: str | None,
                      header: str = "x-forwarded-for",
                      ) -> tuple[str | None, str | None]:
    """``(client ip, raw chain kept for the event)`` for one request.

    ``header`` names the one the trusted proxy sets; the raw chain is that header's
    value, followed by `` | ignored NAME: VALUE`` when the other one came too."""
    if peer is None or not networks:
        return peer, None
    peer_addr = _address(peer)
    if peer_addr is None or not _is_trusted(peer_addr, networks):
        return peer, None
    if header == "forwarded":
        walked, other, other_name = forwarded, x_forwarded_for, "x-forwarded-for"
        hops = _forwarded_for(forwarded) if forwarded else []
    else:
        walked, other, other_name = x_forwarded_for, forwarded, "forwarded"
        hops = [_strip_node(h.strip()) for h in x_forwarded_for.split(",")] \
            if x_forwarded_for else []
    ignored = f"ignored {other_name}: {other}" if other else None
    if not walked:
        return peer, ignored
    chain = walked if ignored is None else f"{walked} | {ignored}"
    client = peer_addr
    for hop in reversed(hops):
        addr = _address(hop)
        if addr is None:
            return peer, chain
        client = addr
        if not _is_trusted(addr, networks):
            break
    return str(client), chain
