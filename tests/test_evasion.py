"""The evasion suite: events == executions, for five stacks set up the documented code
way, over every request shape in :mod:`evasion_shapes`; and with ``fail_closed`` and a
failing durable sink, no catalogued resolver runs at all.

The same table runs against the unmodified apps under ``auditmw run`` (real server
processes) in ``test_evasion_run.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail
from support import evasion_apps
from support.evasion_shapes import (
    LATE_CASES,
    LATE_SHAPES,
    MAX_BODY,
    SHAPES,
    Shape,
    judged,
    judged_late,
    known_defects,
)

TIMEOUT = 10.0


@pytest.fixture
def trail(tmp_path: Path) -> Iterator[AuditTrail]:
    audit = AuditTrail(store=False, sinks=[], capture={"max_body_bytes": MAX_BODY},
                       delivery={"mode": "sync", "spool_dir": str(tmp_path / "spool")})
    yield audit
    audit.close()


def url(shape: Shape) -> str:
    return shape.path + ("?" + shape.query_string if shape.query_string else "")


async def send(stack: str, app: Any, shape: Shape) -> int | None:
    """Send one shape; the answer's status (``None`` for a socket)."""
    if shape.socket is not None:
        if stack in evasion_apps.ASGI_STACKS:
            await converse(app, shape)
        return None
    if stack in evasion_apps.ASGI_STACKS:
        transport: Any = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answer = await client.request(shape.method, url(shape), headers=shape.headers,
                                          content=shape.content or None)
            return answer.status_code
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as sync:
        return sync.request(shape.method, url(shape), headers=shape.headers,
                            content=shape.content or None).status_code


async def converse(app: Any, shape: Shape) -> list[dict[str, Any]]:
    """Speak ``shape``'s WebSocket subprotocol to the ASGI app directly (bounded waits:
    a server that does not answer ends the conversation, never the suite)."""
    import json

    assert shape.socket is not None
    protocol, payloads = shape.socket
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws",
             "path": shape.path, "raw_path": shape.path.encode(), "root_path": "",
             "query_string": b"", "client": ("127.0.0.1", 50000), "server": ("t", 80),
             "headers": [(b"host", b"t"), (b"sec-websocket-protocol", protocol.encode())],
             "subprotocols": [protocol]}
    received: list[dict[str, Any]] = []

    async def text(value: dict[str, Any]) -> None:
        await inbox.put({"type": "websocket.receive", "text": json.dumps(value)})

    async def next_message() -> dict[str, Any] | None:
        while True:
            try:
                message = await asyncio.wait_for(outbox.get(), TIMEOUT)
            except TimeoutError:
                return None
            if message["type"] == "websocket.close":
                return None
            if message["type"] == "websocket.send":
                value: dict[str, Any] = json.loads(message.get("text") or message["bytes"])
                received.append(value)
                if value.get("type") not in ("ka", "ping", "pong"):
                    return value

    task = asyncio.ensure_future(app(scope, inbox.get, outbox.put))
    try:
        await inbox.put({"type": "websocket.connect"})
        accepted = await asyncio.wait_for(outbox.get(), TIMEOUT)
        if accepted["type"] != "websocket.accept":
            return received
        await text({"type": "connection_init", "payload": {}})
        ack = await next_message()
        if ack is None or ack.get("type") != "connection_ack":
            return received
        start = "subscribe" if protocol == "graphql-transport-ws" else "start"
        for number, payload in enumerate(payloads):
            await text({"id": str(number), "type": start, "payload": payload})
        open_ids = {str(n) for n in range(len(payloads))}
        for _ in range(100):
            if not open_ids:
                break
            message = await next_message()
            if message is None:
                break
            if message.get("type") in ("complete", "error"):
                open_ids.discard(str(message.get("id")))
        return received
    finally:
        await inbox.put({"type": "websocket.disconnect", "code": 1000})
        try:
            await asyncio.wait_for(task, TIMEOUT)
        except Exception:
            task.cancel()


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
@pytest.mark.parametrize("stack", evasion_apps.STACKS)
async def test_events_are_the_executions(stack: str, shape: Shape, trail: AuditTrail) -> None:
    app = evasion_apps.build(stack, trail)
    evasion_apps.EXECUTIONS.clear()
    with capture_audit_events(trail) as events:
        await send(stack, app, shape)
    judged(events, evasion_apps.EXECUTIONS)


@pytest.mark.parametrize("stack", evasion_apps.STACKS)
async def test_the_suite_is_not_empty(stack: str, trail: AuditTrail) -> None:
    """A judge that never sees anything run proves nothing: the plain shapes execute."""
    app = evasion_apps.build(stack, trail)
    evasion_apps.EXECUTIONS.clear()
    ran = [s for s in SHAPES if s.name in ("post-json", "post-denied", "fragments-60-deep",
                                           "padded-comment", "aliases", "list-inline")]
    with capture_audit_events(trail) as events:
        for shape in ran:
            await send(stack, app, shape)
    fields = [x["field"] for x in evasion_apps.EXECUTIONS]
    # post-json, padded-comment and the three aliases at least (a stack may refuse the
    # 60-deep fragments); the denied deleteScope ran too
    assert fields.count("createAssetGroup") >= 5
    assert fields.count("deleteScope") == 1
    assert fields.count("deleteScopes") == 1  # a list-of-scalars argument ran
    judged(events, evasion_apps.EXECUTIONS)


@pytest.fixture
def failing_trail(tmp_path: Path) -> Iterator[AuditTrail]:
    """``fail_closed`` with a durable file sink that cannot write (its path is a
    directory), already known to be failing."""
    audit = AuditTrail(store=False, sinks=[{"type": "file", "path": str(tmp_path)}],
                       capture={"max_body_bytes": MAX_BODY},
                       delivery={"mode": "sync", "fail_closed": True,
                                 "spool_dir": str(tmp_path / "spool")})
    audit.record("createAssetGroup", details={"probe": True})  # fails: now known unhealthy
    assert not audit.healthy()
    yield audit
    audit.close()


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
@pytest.mark.parametrize("stack", evasion_apps.STACKS)
async def test_fail_closed_no_catalogued_resolver_runs(stack: str, shape: Shape,
                                                       failing_trail: AuditTrail) -> None:
    app = evasion_apps.build(stack, failing_trail)
    evasion_apps.EXECUTIONS.clear()
    status = await send(stack, app, shape)
    assert evasion_apps.EXECUTIONS == []
    assert status is None or status != 200 or shape.name not in ("post-json", "batch")


def test_multipart_decoy_is_never_filed_under_the_decoy(trail: AuditTrail) -> None:
    """The two-``operations`` multipart: whatever part a server runs, the event is that
    field's (never the decoy's name with the real field's facts)."""
    shape = next(s for s in SHAPES if s.name == "multipart-two-operations-decoy")
    for stack in evasion_apps.STACKS:
        app = evasion_apps.build(stack, trail)
        evasion_apps.EXECUTIONS.clear()
        with capture_audit_events(trail) as events:
            asyncio.run(send(stack, app, shape))
        ran = {x["field"] for x in evasion_apps.EXECUTIONS}
        assert {e["event"] for e in events} == ran, stack


@pytest.fixture(params=["sync", "async"])
def late_trail(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AuditTrail]:
    audit = AuditTrail(store=False, sinks=[],
                       capture={"max_body_bytes": MAX_BODY,
                                "graphql_paths": ["/graphql", evasion_apps.QUEUED_PATH]},
                       delivery={"mode": request.param, "spool_dir": str(tmp_path / "spool")})
    yield audit
    audit.close()


@pytest.mark.parametrize("case", LATE_CASES)
@pytest.mark.parametrize("stack", evasion_apps.STACKS)
async def test_an_execution_after_the_response(stack: str, case: str, late_trail: AuditTrail,
                                               request: pytest.FixtureRequest) -> None:
    """A catalogued mutation run once the response is out, the stack's own way
    (``support.evasion_apps``): one execution, one event, the signed-in actor."""
    known_defects(request, stack, case, "code")
    app = evasion_apps.build(stack, late_trail)
    evasion_apps.EXECUTIONS.clear()
    with capture_audit_events(late_trail) as events:
        status = await send(stack, app, LATE_SHAPES[case])
        assert late_trail.flush(10)
    assert status == 200
    judged_late(case, events, evasion_apps.EXECUTIONS)
