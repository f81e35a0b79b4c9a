"""An execution after the response on the real stacks, installed the documented way:
Starlette's ``BackgroundTask`` (``instrument_app``) and Flask's ``call_on_close``
(``init_app``). The answer shows the mutation done before it runs: one event, the
hook's (the execution's actor), in both delivery modes; and with nothing run after an
answer showing it (an engine the hook cannot see), one event from the wire."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import graphql
import httpx
import pytest

from auditmw.graphql import uninstrument
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail
from support.late_apps import MUTATION, SCHEMA, SHOWN, Other, Root


@pytest.fixture(params=["async", "sync"])
def trail(request: pytest.FixtureRequest) -> Iterator[AuditTrail]:
    Root.calls = Other.calls = 0
    made = AuditTrail(store=False, sinks=[MemorySink()], delivery={"mode": request.param})
    yield made
    uninstrument()
    made.close()


def _later() -> None:
    result = graphql.graphql_sync(SCHEMA, MUTATION, root_value=Root(),
                                  context_value={"user": {"id": "u2", "name": "u2"}})
    assert result.errors is None


def _starlette(trail: AuditTrail, answer: Callable[[], bytes],
               after: Callable[[], None] | None) -> None:
    from auditmw_starlette import instrument_app
    from starlette.applications import Starlette
    from starlette.background import BackgroundTask
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def endpoint(request: Request) -> Response:
        await request.body()
        return Response(answer(), media_type="application/json",
                        background=BackgroundTask(after) if after else None)

    app = Starlette(routes=[Route("/graphql", endpoint, methods=["POST"])])
    instrument_app(app, trail)

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.post("/graphql", json={"query": MUTATION})).status_code \
                == 200

    asyncio.run(go())


def _flask(trail: AuditTrail, answer: Callable[[], bytes],
           after: Callable[[], None] | None) -> None:
    from auditmw_flask import init_app
    from flask import Flask, Response

    app = Flask(__name__)

    @app.post("/graphql")
    def graphql_view() -> Any:
        response = Response(answer(), mimetype="application/json")
        if after is not None:
            response.call_on_close(after)
        return response

    init_app(app, trail)
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as c:
        assert c.post("/graphql", json={"query": MUTATION}).status_code == 200


STACKS = {"starlette": _starlette, "flask": _flask}


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_a_background_execution_after_an_answer_showing_it(trail: AuditTrail,
                                                            stack: str) -> None:
    with capture_audit_events(trail) as events:
        STACKS[stack](trail, lambda: SHOWN, _later)
        assert trail.flush(10)
        assert Root.calls + Other.calls == len(events) == 1
        assert [(e["event"], e["actor"]["id"]) for e in events] == \
            [("createAssetGroup", "u2")]


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_an_answer_showing_it_with_nothing_run_after(trail: AuditTrail,
                                                     stack: str) -> None:
    with capture_audit_events(trail) as events:
        STACKS[stack](trail, Other.answer, None)
        assert trail.flush(10)
        assert Root.calls + Other.calls == len(events) == 1
        assert [(e["event"], e["actor"]["id"]) for e in events] == \
            [("createAssetGroup", None)]
