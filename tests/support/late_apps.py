"""What the after-the-response tests share: a graphql-core schema whose mutations count
their executions, a trail with the execution hook installed, in each delivery mode, and
drivers that send one GraphQL request through the ASGI or the WSGI door."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import graphql

from auditmw import asgi, wsgi
from auditmw.graphql import instrument, uninstrument
from auditmw.testing import MemorySink
from auditmw.trail import AuditTrail

SCHEMA = graphql.build_schema("""
    type Query { assets: [String] }
    type AssetGroup { id: ID!, name: String }
    type Mutation {
        createAssetGroup(name: String!): AssetGroup
        deleteAssetGroup(id: ID!): AssetGroup
    }
""")
MUTATION = 'mutation { createAssetGroup(name: "prod") { id } }'
DELETE = 'mutation { deleteAssetGroup(id: "g-9") { id } }'
QUERY = "{ assets }"
#: An answer showing ``MUTATION`` done, as graphql-core would write it.
SHOWN = b'{"data": {"createAssetGroup": {"id": "g-1"}}}'


class Root:
    """The resolvers; ``calls`` is the ground truth: executions of the mutations."""

    calls = 0

    def createAssetGroup(self, info: Any, name: str) -> dict[str, Any]:
        Root.calls += 1
        return {"id": f"g-{Root.calls}", "name": name}

    def deleteAssetGroup(self, info: Any, id: str) -> dict[str, Any]:
        Root.calls += 1
        return {"id": id}

    def assets(self, info: Any) -> list[str]:
        return ["a"]


class Other:
    """A GraphQL engine the hook cannot see: ``answer()`` runs the mutation there (a
    counted execution) and returns the answer showing it."""

    calls = 0

    @staticmethod
    def answer() -> bytes:
        Other.calls += 1
        return SHOWN


def execute(document: str, user: str) -> None:
    """Run ``document`` with graphql-core (the hooked engine) as ``user``."""
    result = graphql.graphql_sync(SCHEMA, document, root_value=Root(),
                                  context_value={"user": {"id": user, "name": user}})
    assert result.errors is None, result.errors


def hooked_trail(mode: str) -> Iterator[AuditTrail]:
    """A fixture's body: an in-memory trail in delivery ``mode`` with graphql-core's
    execution hook pointed at it, removed after."""
    made = AuditTrail(store=False, sinks=[MemorySink()], delivery={"mode": mode})
    instrument(made)
    yield made
    uninstrument()
    made.close()


def via_asgi(trail: AuditTrail, answer: Callable[[], bytes],
             after: Callable[[], None] = lambda: None, document: str = MUTATION) -> None:
    """One POST of ``document`` through the ASGI door to an app that answers
    ``answer()`` and then runs ``after()`` (a background task: the response is out)."""
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": answer()})
        after()

    body = json.dumps({"query": document}).encode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(_: Any) -> None:
        return None

    scope = {"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
             "headers": [(b"content-type", b"application/json")],
             "client": ("203.0.113.5", 1)}
    asyncio.run(asgi.AuditMiddleware(app, trail=trail)(scope, receive, send))


class _ClosingBody:
    """A WSGI body whose ``close()`` runs a callback (Flask's ``call_on_close``)."""

    def __init__(self, chunks: Iterable[bytes], on_close: Callable[[], None]) -> None:
        self._chunks = iter(chunks)
        self._on_close = on_close

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        self._on_close()


def via_wsgi(trail: AuditTrail, answer: Callable[[], bytes],
             after: Callable[[], None] = lambda: None, document: str = MUTATION) -> None:
    """One POST of ``document`` through the WSGI door to an app that answers
    ``answer()``; its body's ``close()`` runs ``after()`` (the response is out)."""
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "application/json")])
        return _ClosingBody([answer()], after)

    body = json.dumps({"query": document}).encode()
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/graphql", "SCRIPT_NAME": "",
               "QUERY_STRING": "", "CONTENT_TYPE": "application/json",
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
               "REMOTE_ADDR": "203.0.113.5"}
    served = wsgi.AuditMiddleware(app, trail=trail)(environ, lambda *a: None)
    try:
        for _ in served:
            pass
    finally:
        getattr(served, "close", lambda: None)()


DOORS = {"asgi": via_asgi, "wsgi": via_wsgi}
