"""Client IP: the table over both headers, each trusted-proxy setting and spoofing attempt.

The rule (SPEC 3): the socket peer, unless it is a trusted proxy; then only the header
that proxy sets (``capture.forwarded_header``) is walked right to left past trusted hops.
The other header is never believed, only kept in ``client.forwarded``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditmw.capture.ip import parse_networks, resolve_client_ip
from auditmw.trail import AuditTrail

NONE: tuple[str, ...] = ()
ONE = ("10.0.0.5/32",)                          # one reverse proxy
CHAIN = ("10.0.0.0/8", "2001:db8::/32")         # a proxy tier (CDN → LB → app)
LOOPBACK = ("127.0.0.1/32",)                    # a sidecar on the same host

XFF, FWD = "x-forwarded-for", "forwarded"

# (id, trusted, header, peer, Forwarded, X-Forwarded-For, expected client ip)
TABLE: list[tuple[str, tuple[str, ...], str, str | None, str | None, str | None, str | None]] = [
    # --- no trusted proxies: the peer, whatever the client writes -------------------
    ("none/plain", NONE, XFF, "203.0.113.9", None, None, "203.0.113.9"),
    ("none/xff-spoof", NONE, XFF, "203.0.113.9", None, "1.1.1.1", "203.0.113.9"),
    ("none/fwd-spoof", NONE, FWD, "203.0.113.9", "for=1.1.1.1", None, "203.0.113.9"),
    ("none/both-spoof", NONE, XFF, "203.0.113.9", "for=1.1.1.1", "2.2.2.2", "203.0.113.9"),
    # --- a peer that is not the trusted proxy: its headers are never read -----------
    ("one/untrusted-peer-xff", ONE, XFF, "10.0.0.6", None, "1.1.1.1", "10.0.0.6"),
    ("one/untrusted-peer-fwd", ONE, FWD, "10.0.0.6", "for=1.1.1.1", None, "10.0.0.6"),
    ("one/public-peer", ONE, XFF, "198.51.100.1", None, "10.0.0.5", "198.51.100.1"),
    # --- one trusted proxy setting X-Forwarded-For (nginx, HAProxy, uvicorn) ---------
    ("one/xff", ONE, XFF, "10.0.0.5", None, "198.51.100.7", "198.51.100.7"),
    ("one/xff-prepended-fake", ONE, XFF, "10.0.0.5", None, "1.1.1.1, 198.51.100.7",
     "198.51.100.7"),
    ("one/xff-client-forwarded-ignored", ONE, XFF, "10.0.0.5", "for=1.1.1.1",
     "198.51.100.7", "198.51.100.7"),
    ("one/xff-only-forwarded-sent", ONE, XFF, "10.0.0.5", "for=1.1.1.1", None, "10.0.0.5"),
    ("one/xff-garbage-hop", ONE, XFF, "10.0.0.5", None, "1.2.3.4, bogus", "10.0.0.5"),
    ("one/xff-empty-hop", ONE, XFF, "10.0.0.5", None, "198.51.100.7, ", "10.0.0.5"),
    ("one/xff-port", ONE, XFF, "10.0.0.5", None, "198.51.100.7:5555", "198.51.100.7"),
    ("one/xff-ipv6", ONE, XFF, "10.0.0.5", None, "2001:db9::1", "2001:db9::1"),
    ("one/xff-ipv6-bracket-port", ONE, XFF, "10.0.0.5", None, "[2001:db9::1]:443",
     "2001:db9::1"),
    ("one/xff-mapped-peer", ONE, XFF, "::ffff:10.0.0.5", None, "198.51.100.8",
     "198.51.100.8"),
    ("one/xff-claims-trusted", ONE, XFF, "10.0.0.5", None, "10.0.0.5", "10.0.0.5"),
    ("one/xff-script", ONE, XFF, "10.0.0.5", None, "<script>alert(1)</script>",
     "10.0.0.5"),
    # --- one trusted proxy setting Forwarded (RFC 7239) ------------------------------
    ("one/fwd", ONE, FWD, "10.0.0.5", "for=198.51.100.7;proto=https", None, "198.51.100.7"),
    ("one/fwd-client-xff-ignored", ONE, FWD, "10.0.0.5", "for=198.51.100.7", "1.1.1.1",
     "198.51.100.7"),
    ("one/fwd-only-xff-sent", ONE, FWD, "10.0.0.5", None, "1.1.1.1", "10.0.0.5"),
    ("one/fwd-prepended-fake", ONE, FWD, "10.0.0.5", "for=1.1.1.1, for=198.51.100.7", None,
     "198.51.100.7"),
    ("one/fwd-quoted-ipv6", ONE, FWD, "10.0.0.5", 'for="[2001:db9::7]:443"', None,
     "2001:db9::7"),
    ("one/fwd-unknown", ONE, FWD, "10.0.0.5", "for=unknown", None, "10.0.0.5"),
    ("one/fwd-obfuscated", ONE, FWD, "10.0.0.5", "for=_hidden", None, "10.0.0.5"),
    ("one/fwd-case", ONE, FWD, "10.0.0.5", "For=198.51.100.7", None, "198.51.100.7"),
    # --- a tier of trusted proxies: skip every trusted hop, right to left ------------
    ("chain/xff", CHAIN, XFF, "10.0.0.5", None, "6.6.6.6, 198.51.100.7, 10.9.9.9",
     "198.51.100.7"),
    ("chain/xff-all-trusted", CHAIN, XFF, "10.0.0.5", None, "10.1.1.1, 10.2.2.2",
     "10.1.1.1"),
    ("chain/xff-ipv6-hop", CHAIN, XFF, "10.0.0.5", None, "198.51.100.7, 2001:db8::9",
     "198.51.100.7"),
    ("chain/fwd", CHAIN, FWD, "10.0.0.5",
     'for="[2001:db8::7]:443";proto=https, for=192.0.2.60', None, "192.0.2.60"),
    ("chain/fwd-trusted-ipv6-hop", CHAIN, FWD, "10.0.0.5",
     'for=192.0.2.60, for="[2001:db8::7]:443"', None, "192.0.2.60"),
    ("chain/fwd-spoof-xff", CHAIN, FWD, "10.0.0.5", "for=192.0.2.60", "10.3.3.3, 6.6.6.6",
     "192.0.2.60"),
    ("chain/xff-spoof-fwd", CHAIN, XFF, "10.0.0.5", "for=6.6.6.6", "192.0.2.61, 10.3.3.3",
     "192.0.2.61"),
    ("chain/ipv6-peer", CHAIN, XFF, "2001:db8::1", None, "198.51.100.70", "198.51.100.70"),
    # --- a sidecar on loopback ---------------------------------------------------------
    ("loopback/xff", LOOPBACK, XFF, "127.0.0.1", None, "198.51.100.9", "198.51.100.9"),
    ("loopback/other-local", LOOPBACK, XFF, "127.0.0.2", None, "1.1.1.1", "127.0.0.2"),
    # --- nothing usable ------------------------------------------------------------------
    ("no-peer", ONE, XFF, None, None, "1.2.3.4", None),
    ("garbage-peer", ONE, XFF, "not-an-ip", None, "1.2.3.4", "not-an-ip"),
]


@pytest.mark.parametrize(("trusted", "header", "peer", "forwarded", "xff", "expected"),
                         [pytest.param(*row[1:], id=row[0]) for row in TABLE])
def test_client_ip_table(trusted: tuple[str, ...], header: str, peer: str | None,
                         forwarded: str | None, xff: str | None, expected: str | None) -> None:
    ip, _chain = resolve_client_ip(peer, parse_networks(trusted), forwarded, xff, header)
    assert ip == expected


def test_the_ignored_header_is_kept_for_forensics_never_believed() -> None:
    nets = parse_networks(ONE)
    ip, chain = resolve_client_ip("10.0.0.5", nets, "for=1.1.1.1", "198.51.100.7", XFF)
    assert ip == "198.51.100.7"
    assert chain == "198.51.100.7 | ignored forwarded: for=1.1.1.1"
    ip, chain = resolve_client_ip("10.0.0.5", nets, None, "1.1.1.1", FWD)
    assert (ip, chain) == ("10.0.0.5", "ignored x-forwarded-for: 1.1.1.1")
    # an untrusted peer's headers are not even kept: anyone can write them
    assert resolve_client_ip("203.0.113.9", nets, "for=1.1.1.1", "2.2.2.2", XFF) == \
        ("203.0.113.9", None)


def _trail(path: Path, **capture: Any) -> AuditTrail:
    return AuditTrail(store=False, delivery={"mode": "sync"},
                      sinks=[{"type": "file", "path": str(path), "fsync": "never"}],
                      capture={"site_access": {"routes": ["POST /login"]}, **capture})


def _events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("header", [XFF, FWD])
async def test_asgi_app_behind_a_proxy_setting_one_header(tmp_path: Path, header: str) -> None:
    import httpx
    from auditmw_starlette import instrument_app
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    path = tmp_path / "audit.jsonl"
    trail = _trail(path, trusted_proxies=["10.0.0.5"], forwarded_header=header)
    app = instrument_app(Starlette(routes=[Route(
        "/login", lambda r: PlainTextResponse("ok"), methods=["POST"])]), trail)
    real = "for=198.51.100.7" if header == FWD else "198.51.100.7"
    spoof = {"forwarded": "for=6.6.6.6"} if header == XFF else {"x-forwarded-for": "6.6.6.6"}
    transport = httpx.ASGITransport(app=app, client=("10.0.0.5", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await client.post("/login", headers={header: real, **spoof})
    transport = httpx.ASGITransport(app=app, client=("203.0.113.50", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await client.post("/login", headers={header: real})  # a client faking the proxy
    trail.close()
    first, second = _events(path)
    assert first["client"]["ip"] == "198.51.100.7"
    assert "6.6.6.6" in first["client"]["forwarded"]  # kept, flagged as ignored
    assert "ignored" in first["client"]["forwarded"]
    assert second["client"]["ip"] == "203.0.113.50"
    assert "forwarded" not in second["client"]


def test_wsgi_app_behind_a_proxy_that_sets_x_forwarded_for(tmp_path: Path) -> None:
    from auditmw_flask import init_app
    from flask import Flask

    path = tmp_path / "audit.jsonl"
    trail = _trail(path, trusted_proxies=["10.0.0.0/8"])
    app = Flask("ip")
    app.add_url_rule("/login", "login", lambda: "ok", methods=["POST"])
    init_app(app, trail)
    client = app.test_client()
    client.post("/login", environ_base={"REMOTE_ADDR": "10.0.0.5"},
                headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.7",
                         "Forwarded": "for=9.9.9.9"})
    trail.close()
    (event,) = _events(path)
    assert event["client"]["ip"] == "198.51.100.7"
    assert event["client"]["forwarded"] == \
        "6.6.6.6, 198.51.100.7 | ignored forwarded: for=9.9.9.9"


def test_bad_forwarded_header_setting_fails_at_start() -> None:
    from auditmw.errors import ConfigError

    with pytest.raises(ConfigError, match="forwarded_header"):
        AuditTrail(store=False, sinks=[], capture={"forwarded_header": "x-real-ip"})
