"""Client IP addresses: the privacy policy (``capture.ip``)."""

from __future__ import annotations

import ipaddress


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
