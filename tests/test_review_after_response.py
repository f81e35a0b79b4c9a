"""An execution after the door recorded its request (17dbe66), when the response the
door read already shows the field as done: one execution, one event — the hook's.

The door, seeing no execution by the time the last body message goes out and a
response that shows the catalogued field succeeded, would record the field from the
wire ("a server the hook cannot see"). graphql-core then runs the field (an ASGI
background task, still in the request's context) and the hook records it at once. The
door now holds that wire record until its call is over (capture/late_wire.py): the
hook's execution takes its place, so the one event has the execution's actor (u2).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import graphql
import pytest

from auditmw.asgi import AuditMiddleware
from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail
from support.late_apps import MUTATION, SCHEMA, Root, hooked_trail


@pytest.fixture(params=["async", "sync"])
def trail(request: pytest.FixtureRequest) -> Iterator[AuditTrail]:
    yield from hooked_trail(request.param)


def _run(trail: AuditTrail, answer: bytes) -> list[dict[str, Any]]:
    Root.calls = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": answer})
        # the mutation runs once the response is out (a background task)
        result = graphql.graphql_sync(SCHEMA, MUTATION, root_value=Root(),
                                      context_value={"user": {"id": "u2", "name": "u2"}})
        assert result.errors is None

    body = json.dumps({"query": MUTATION}).encode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(_: Any) -> None:
        return None

    scope = {"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
             "headers": [(b"content-type", b"application/json")],
             "client": ("203.0.113.5", 1)}
    with capture_audit_events(trail) as events:
        asyncio.run(AuditMiddleware(app, trail=trail)(scope, receive, send))
        assert trail.flush(10)
    return list(events)


def test_an_answer_that_shows_nothing_then_the_execution_is_one_event(
        trail: AuditTrail) -> None:
    events = _run(trail, b'{"accepted": true}')
    assert Root.calls == 1
    assert [(e["event"], e["actor"]["id"]) for e in events] == [("createAssetGroup", "u2")]


def test_an_answer_showing_the_field_then_the_execution_is_one_event(
        trail: AuditTrail) -> None:
    events = _run(trail, b'{"data": {"createAssetGroup": {"id": "g-1"}}}')
    assert Root.calls == 1
    assert [(e["event"], e["actor"]["id"]) for e in events] == [("createAssetGroup", "u2")]
