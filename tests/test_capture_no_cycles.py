"""A watched request leaves no reference cycle of auditmw's behind (issue 21).

In async mode a request's objects (its watch, state, the hook's facts, what they hold)
stay alive until a delivery thread has built its events. If they formed a cycle, only
the garbage collector could free them: they would age into its older generations and
every request would add to its passes. Without one, their reference counts free them
once the events are built. Each test runs a catalogued request with the collector off,
flushes the trail, and collects with ``DEBUG_SAVEALL``: no object of an ``auditmw``
module may be found as cyclic garbage, and the request's watch must already be gone.
"""

from __future__ import annotations

import asyncio
import gc
import json
import weakref
from collections.abc import Iterator
from typing import Any

import graphql
import pytest

from auditmw.asgi import AuditMiddleware as AsgiMiddleware
from auditmw.capture.recorder import HttpCapture, Watch
from auditmw.graphql import instrument, uninstrument
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail
from auditmw.wsgi import AuditMiddleware as WsgiMiddleware

SCHEMA = graphql.build_schema("""
    type Query { ok: Boolean }
    type AssetGroup { id: ID!, name: String }
    type Mutation { createAssetGroup(name: String!, tags: [String!]!): AssetGroup }
""")
BODY = json.dumps({"query": "mutation M($n: String!, $t: [String!]!) "
                            "{ createAssetGroup(name: $n, tags: $t) { id } }",
                   "variables": {"n": "prod", "t": ["a", "b"]}}).encode()


class Root:
    def createAssetGroup(self, info: Any, name: str, tags: list[str]) -> dict[str, Any]:
        return {"id": "g-1", "name": name}


def answer(body: bytes, user: Any) -> bytes:
    request = json.loads(body)
    result = graphql.graphql_sync(SCHEMA, request["query"], root_value=Root(),
                                  context_value={"user": user},
                                  variable_values=request["variables"])
    return json.dumps({"data": result.data}).encode()


@pytest.fixture
def trail() -> Iterator[AuditTrail]:
    made = AuditTrail(store=False, sinks=[MemorySink()], delivery={"mode": "async"})
    assert made.policy.build_later
    instrument(made)
    yield made
    uninstrument()
    made.close()


@pytest.fixture
def watches(monkeypatch: pytest.MonkeyPatch) -> list[weakref.ref[Watch]]:
    """A weak reference to every watch the doors open."""
    refs: list[weakref.ref[Watch]] = []
    open_raw = HttpCapture.open_raw

    def noting(self: HttpCapture, *args: Any, **kwargs: Any) -> Watch:
        watch = open_raw(self, *args, **kwargs)
        refs.append(weakref.ref(watch))
        return watch

    monkeypatch.setattr(HttpCapture, "open_raw", noting)
    return refs


def cyclic_auditmw_garbage() -> list[str]:
    """The types of the auditmw objects only the collector could free, now."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = sorted({type(o).__qualname__ for o in gc.garbage
                        if type(o).__module__.startswith("auditmw")})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return found


def without_collector(run: Any) -> None:
    gc.collect()
    gc.disable()
    try:
        run()
    finally:
        gc.enable()


def test_wsgi_request_freed_by_reference_counts(trail: AuditTrail,
                                                watches: list[weakref.ref[Watch]]) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        out = answer(environ["wsgi.input"].read(), {"id": "u1", "name": "Ann"})
        start_response("200 OK", [("Content-Type", "application/json")])
        return [out]

    audited = WsgiMiddleware(app, trail=trail)

    def run() -> None:
        import io

        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/graphql", "SCRIPT_NAME": "",
                   "QUERY_STRING": "", "REMOTE_ADDR": "203.0.113.6",
                   "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(BODY)),
                   "wsgi.input": io.BytesIO(BODY)}
        with capture_audit_events(trail) as events:
            result = audited(environ, lambda *a: None)
            list(result)
            getattr(result, "close", lambda: None)()
            del result
            assert trail.flush(10)
        assert [e["event"] for e in events] == ["createAssetGroup"]
        assert watches
        assert all(ref() is None for ref in watches)
        assert cyclic_auditmw_garbage() == []

    without_collector(run)


def test_asgi_request_freed_by_reference_counts(trail: AuditTrail,
                                                watches: list[weakref.ref[Watch]]) -> None:
    class User:  # an object: read into an actor on the request thread, remembered by id
        id, name = "u1", "Ann"

    async def app(scope: Any, receive: Any, send: Any) -> None:
        scope["user"] = user = User()
        out = answer((await receive())["body"], user)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": out})

    audited = AsgiMiddleware(app, trail=trail)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(_: Any) -> None:
        return None

    loop = asyncio.new_event_loop()

    def run() -> None:
        scope = {"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
                 "headers": [(b"content-type", b"application/json")],
                 "client": ("203.0.113.5", 1)}
        with capture_audit_events(trail) as events:
            loop.run_until_complete(audited(scope, receive, send))
            assert trail.flush(10)
        assert [e["event"] for e in events] == ["createAssetGroup"]
        assert watches
        assert all(ref() is None for ref in watches)
        assert cyclic_auditmw_garbage() == []

    try:
        without_collector(run)
    finally:
        loop.close()
