"""A field executed after the door recorded its request is recorded all the same.

An ASGI app may go on running in the request's context once its last body message is
sent (Starlette's background tasks). The door records the request's events at that
message; an execution after it must be neither lost (the door's facts were built
already: ``sync`` mode) nor added to the request's events at a moment of the delivery
thread's choosing (``async`` mode): the hook records it at once, with the request's
context. Events equal executions in both modes, and the request's own events do not
change.
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
from support.late_apps import MUTATION, QUERY, SCHEMA, Root, hooked_trail


def execute(document: str, user: str) -> bytes:
    result = graphql.graphql_sync(SCHEMA, document, root_value=Root(),
                                  context_value={"user": {"id": user, "name": user}})
    assert result.errors is None
    return json.dumps({"data": result.data}).encode()


@pytest.fixture(params=["async", "sync"])
def trail(request: pytest.FixtureRequest) -> Iterator[AuditTrail]:
    yield from hooked_trail(request.param)


@pytest.mark.parametrize(("during", "after"), [(MUTATION, MUTATION), (QUERY, MUTATION),
                                               (MUTATION, QUERY)])
def test_an_execution_after_the_last_body_message(trail: AuditTrail, during: str,
                                                  after: str) -> None:
    Root.calls = 0

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        out = execute(during, "u1")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": out})
        execute(after, "u2")  # a background task: the response is complete

    audited = AuditMiddleware(app, trail=trail)
    body = json.dumps({"query": during}).encode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(_: Any) -> None:
        return None

    scope = {"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
             "headers": [(b"content-type", b"application/json"),
                         (b"user-agent", b"client/1")],
             "client": ("203.0.113.5", 1)}
    with capture_audit_events(trail) as events:
        asyncio.run(audited(scope, receive, send))
        assert trail.flush(10)
    expected = [user for document, user in ((during, "u1"), (after, "u2"))
                if document == MUTATION]
    assert len(events) == Root.calls == len(expected)
    assert [e["actor"]["id"] for e in events] == expected
    assert all(e["event"] == "createAssetGroup" for e in events)
    if during == MUTATION:  # a watched request: its context is every event's
        for event in events:
            assert event["client"]["ip"] == "203.0.113.5"
            assert event["client"]["user_agent"] == "client/1"
            assert event["request"]["path"] == "/graphql"
    # (a body that executes nothing catalogued is not watched: a later execution finds
    # no request state and its hook records it as outside any request)
