"""``fail_closed`` end to end on the production path: the dispatcher ``[delivery]`` builds
(the sync one writes in the request's thread, the async one through its lane), behind
the real ASGI and WSGI middleware, with a real durable sink whose disk is full
(a file sink on ``/dev/full`` with ``fsync = "always"``: every write fails with ENOSPC).

The direct test dispatcher of ``test_asgi_capture``/``test_wsgi_capture`` covers the
door's logic; these tests cover what a deployment runs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest

from auditmw.asgi import AuditMiddleware as AsgiAuditMiddleware
from auditmw.delivery import AsyncDispatcher, SyncDispatcher
from auditmw.testing import MemorySink
from auditmw.trail import AuditTrail
from auditmw.wsgi import AuditMiddleware as WsgiAuditMiddleware
from support.capture_apps import flask_app, starlette_app

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")

MUTATION = 'mutation { deleteAssetGroup(id: "%s") }'
REFUSED = {"message": "Audit trail unavailable"}


def failing_disk_trail(mode: str, witness: MemorySink, spool: Path) -> AuditTrail:
    """The durable sink (first, so it is the one ``fail_closed`` waits for) cannot write;
    a second sink still sees what the door offers."""
    trail = AuditTrail(store=False, sinks=[
        {"type": "file", "path": "/dev/full", "fsync": "always"}, witness],
        delivery={"mode": mode, "fail_closed": True, "max_retries": 0,
                  "flush_interval_s": 0.05, "spool_dir": str(spool)})
    expected = SyncDispatcher if mode == "sync" else AsyncDispatcher
    assert type(trail.dispatcher) is expected  # the real one, not a test double
    assert trail.sinks[0].durable
    assert trail.healthy()  # nothing failed yet: the first request reaches the app
    return trail


def settle_failure(trail: AuditTrail) -> None:
    """Async mode learns of the failure from the lane's first write: wait for it."""
    assert not trail.flush(2)  # the durable sink cannot take the event
    assert not trail.healthy()


def check_answers(mode: str, trail: AuditTrail, witness: MemorySink, first: tuple[int, Any],
                  second: tuple[int, Any], harmless: int) -> None:
    if mode == "sync":  # the write failed before the answer went out: 503, not 200
        assert first == (503, REFUSED)
    else:  # async: queued is all a response can wait for; the next request is refused
        assert first[0] == 200
    assert second == (503, REFUSED)
    assert harmless == 200
    assert trail.stats()["sinks"]["file:/dev/full"]["delivered"] == 0
    seen = [(e["event"], e["outcome"], (e.get("error") or {}).get("type"))
            for e in witness.events]
    assert seen[-1] == ("deleteAssetGroup", "failure", "AuditUnavailable")


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_asgi_refuses_while_the_durable_sink_cannot_write(mode: str,
                                                                tmp_path: Path) -> None:
    witness = MemorySink("witness")
    trail = failing_disk_trail(mode, witness, tmp_path / "spool")
    reached: list[str] = []
    inner = starlette_app()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            reached.append(scope["path"])
        await inner(scope, receive, send)

    door = AsgiAuditMiddleware(app, trail=trail)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=door),
                                     base_url="http://t") as client:
            first = await client.post("/graphql", json={"query": MUTATION % "1"})
            if mode == "async":
                settle_failure(trail)
            second = await client.post("/graphql", json={"query": MUTATION % "2"})
            harmless = await client.post("/graphql", json={"query": "{ hello }"})
    finally:
        trail.close(1)
    check_answers(mode, trail, witness, (first.status_code, first.json()),
                  (second.status_code, second.json()), harmless.status_code)
    assert reached == ["/graphql", "/graphql"]  # the refused mutation never ran


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_wsgi_refuses_while_the_durable_sink_cannot_write(mode: str, tmp_path: Path) -> None:
    witness = MemorySink("witness")
    trail = failing_disk_trail(mode, witness, tmp_path / "spool")
    reached: list[str] = []
    app = flask_app()
    inner: Callable[..., Iterable[bytes]] = app.wsgi_app

    def counting(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        reached.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app = WsgiAuditMiddleware(counting, trail=trail)  # type: ignore[method-assign]
    client = app.test_client()
    try:
        first = client.post("/graphql", json={"query": MUTATION % "1"})
        first.get_data()
        if mode == "async":
            settle_failure(trail)
        second = client.post("/graphql", json={"query": MUTATION % "2"})
        harmless = client.get("/health")
    finally:
        trail.close(1)
    check_answers(mode, trail, witness, (first.status_code, first.get_json()),
                  (second.status_code, second.get_json()), harmless.status_code)
    assert reached == ["/graphql", "/health"]  # the refused mutation never ran
