"""A real uvicorn server on 127.0.0.1: the socket peer, and X-Forwarded-For walked only
past trusted proxies."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from auditmw.asgi import AuditMiddleware
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail
from support.capture_apps import starlette_app

pytestmark = pytest.mark.subprocess


class Server:
    def __init__(self, trail: AuditTrail) -> None:
        self.trail = trail
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.sock = sock
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(AuditMiddleware(starlette_app(), trail=trail),
                                log_level="warning", lifespan="on",
                                # the true socket peer: uvicorn would otherwise rewrite it
                                proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [sock]}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[Server] = []

    def start(**capture: Any) -> Server:
        trail = AuditTrail(store=False, sinks=[MemorySink()], capture=capture)
        server = Server(trail).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()


MUTATION = {"query": 'mutation { deleteAssetGroup(id: "1") }'}


@pytest.mark.parametrize(("trusted", "xff", "expected_ip", "chain"), [
    pytest.param([], None, "127.0.0.1", None, id="peer"),
    pytest.param(["10.0.0.0/8"], "203.0.113.66", "127.0.0.1", None,
                 id="spoofed-from-untrusted-peer"),
    pytest.param(["127.0.0.1/32", "10.0.0.0/8"], "203.0.113.66, 10.1.2.3", "203.0.113.66",
                 "203.0.113.66, 10.1.2.3", id="walked-past-trusted-hops"),
    pytest.param(["127.0.0.1/32"], "198.51.100.1, 203.0.113.66", "203.0.113.66",
                 "198.51.100.1, 203.0.113.66", id="leftmost-is-not-trusted-blindly"),
    pytest.param(["127.0.0.1/32"], "not-an-ip", "127.0.0.1", "not-an-ip",
                 id="garbage-falls-back-to-peer"),
])
def test_client_ip_over_a_real_socket(serve: Any, trusted: list[str], xff: str | None,
                                      expected_ip: str, chain: str | None) -> None:
    server = serve(trusted_proxies=trusted)
    headers = {"x-forwarded-for": xff} if xff else {}
    with capture_audit_events(server.trail) as events:
        response = httpx.post(server.url + "/graphql", json=MUTATION, headers=headers,
                              timeout=10)
        server.trail.flush()
    assert response.json() == {"data": {"deleteAssetGroup": True}}
    (event,) = events
    assert event["client"]["ip"] == expected_ip
    assert event["client"].get("forwarded") == chain


def test_streaming_and_lifespan_through_uvicorn(serve: Any) -> None:
    server = serve()
    with httpx.stream("GET", server.url + "/stream", timeout=10) as response:
        chunks = list(response.iter_raw())
    assert b"".join(chunks) == b"".join(f"chunk {i}\n".encode() for i in range(5))
    assert response.headers.get("transfer-encoding") == "chunked"
