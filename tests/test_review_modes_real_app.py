"""A real Strawberry ASGI app behind the ASGI door, its requests' events built at the
response (``sync``) and by the watch itself in a delivery thread (``async``, the
watch as its own build): the same events in both, whatever the request did — a
mutation, a denied one, the app raising after the response started, the client gone
before the last body message, a body streamed in chunks — and each names the user as
first read in the request, even though the app changes the user object in place
before the door has recorded it (a logout as the app returns or raises): a reading
made later would name another."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry

from auditmw.asgi import AuditMiddleware
from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail
from support.late_apps import hooked_trail

strawberry_asgi = pytest.importorskip("strawberry.asgi")


@strawberry.type
class Scope:
    id: strawberry.ID
    name: str


@strawberry.type
class Query:
    @strawberry.field
    def ok(self) -> bool:
        return True


@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_scope(self, name: str) -> Scope | None:
        return Scope(id=strawberry.ID(f"s-{name}"), name=name)

    @strawberry.mutation
    def update_scope(self, id: strawberry.ID) -> bool | None:
        raise PermissionError("read-only")


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)


class User:
    """An app's user object (Starlette's ``scope["user"]``), changed in place at logout."""

    def __init__(self, name: str) -> None:
        self.id = self.name = name


def _wrapped(how: str, kind: str) -> Any:
    """Strawberry's app, with what happens around it: the user put in the scope (as an
    authentication middleware would) and changed once the app is done."""
    graphql_app = strawberry_asgi.GraphQL(SCHEMA)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        name = dict(scope["headers"]).get(b"x-user", b"").decode()
        user: Any = User(name) if kind == "object" else {"id": name, "name": name}
        scope["user"] = user
        sent: list[dict[str, Any]] = []

        async def keep(message: dict[str, Any]) -> None:
            sent.append(message)

        await graphql_app(scope, receive, keep)
        start, *bodies = sent
        body = b"".join(m.get("body", b"") for m in bodies)
        await send(start)
        try:
            if how == "raise":
                raise RuntimeError("the app failed after the response started")
            if how == "disconnect":
                await send({"type": "http.response.body", "body": body[:5],
                            "more_body": True})
                return  # the client went away: no last message
            if how == "chunks":
                for at in range(0, len(body), 7):
                    await send({"type": "http.response.body", "body": body[at:at + 7],
                                "more_body": True})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({"type": "http.response.body", "body": body})
        finally:
            if kind == "object":  # a logout right after
                user.id = user.name = "logged-out"
            else:
                user["id"] = user["name"] = "logged-out"

    return app


@pytest.fixture(params=["sync", "async"])
def trail(request: pytest.FixtureRequest) -> Iterator[AuditTrail]:
    yield from hooked_trail(request.param)


REQUESTS = [
    ("plain", "ann", 'mutation { createScope(name: "a") { id } }'),
    ("plain", "bob", "mutation { updateScope(id: 2) }"),
    ("raise", "carol", 'mutation { createScope(name: "b") { id name } }'),
    ("disconnect", "dave", 'mutation { createScope(name: "c") { id } }'),
    ("chunks", "erin", 'mutation { createScope(name: "d") { id } updateScope(id: 3) }'),
    ("plain", "ann", "{ ok }"),
]


async def _send(how: str, user: str, document: str, trail: AuditTrail, kind: str
                ) -> None:
    body = json.dumps({"query": document}).encode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(_: Any) -> None:
        return None

    scope = {"type": "http", "http_version": "1.1", "method": "POST", "path": "/graphql",
             "raw_path": b"/graphql", "root_path": "", "scheme": "http",
             "query_string": b"", "server": ("t", 80), "client": ("203.0.113.9", 5),
             "headers": [(b"host", b"t"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode()),
                         (b"x-user", user.encode())]}
    audited = AuditMiddleware(_wrapped(how, kind), trail=trail)
    try:
        await audited(scope, receive, send)
    except RuntimeError:
        assert how == "raise"


def _facts(event: dict[str, Any]) -> tuple[Any, ...]:
    return (event["event"], event["outcome"], (event.get("error") or {}).get("type"),
            event["actor"]["id"], event["actor"]["name"], event["target"].get("id"),
            event["client"]["ip"], event["request"]["path"],
            json.dumps(event.get("details"), sort_keys=True))


EXPECTED = [
    ("createScope", "success", None, "ann", "ann", "s-a"),
    ("updateScope", "denied", "PermissionError", "bob", "bob", "2"),
    # the field ran and succeeded; the app failed after (the hook's verdict stands)
    ("createScope", "success", None, "carol", "carol", "s-b"),
    ("createScope", "success", None, "dave", "dave", "s-c"),
    ("createScope", "success", None, "erin", "erin", "s-d"),
    ("updateScope", "denied", "PermissionError", "erin", "erin", "3"),
]


@pytest.mark.parametrize("kind", [
    "object",
    "dict",  # once per request, like an object (before 2026-12-02 read afresh each time)
])
def test_the_watch_built_later_gives_the_events_built_at_the_response(
        trail: AuditTrail, kind: str) -> None:
    with capture_audit_events(trail) as events:
        for how, user, document in REQUESTS:
            asyncio.run(_send(how, user, document, trail, kind))
        assert trail.flush(10)
    got = [_facts(e) for e in events]
    assert all(fact[6:8] == ("203.0.113.9", "/graphql") for fact in got)
    assert [fact[:6] for fact in got] == EXPECTED, got
