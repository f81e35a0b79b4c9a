"""Parity: the same error and the same payload give the same outcome and target through
every door (SPEC §3 "One rule for the HTTP and the hook path").

Doors, each alone in the process: the ASGI middleware alone and the WSGI middleware alone
(reading the response), the graphql-core resolver middleware, the Strawberry extension
(which installs the execution hook) and its per-field resolve step, the Graphene
middleware, the execution hook (``auditmw.graphql.instrument``), and the HTTP middleware
with a resolver middleware inside (facts handed over). The behaviour behind them is one function
(``parity_apps.act``). A denial only an exception class can tell (``HTTPException(403)``,
``PermissionError``...) is not in a response, so the HTTP door alone records those as
``failure`` — the case docs/capture.md tells users to close with the hook.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import graphql
import httpx
import pytest

from auditmw.asgi import AuditMiddleware as AsgiAuditMiddleware
from auditmw.graphql import AuditResolverMiddleware, instrument, uninstrument
from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail
from auditmw.wsgi import AuditMiddleware as WsgiAuditMiddleware
from support.parity_apps import (
    KINDS,
    core_schema,
    graphene_schema,
    mutation,
    strawberry_schema,
    trail_config,
)

Door = Callable[[AuditTrail, str], None]


@pytest.fixture
def trail() -> Iterator[AuditTrail]:
    audit = AuditTrail(**trail_config())
    yield audit
    uninstrument()
    audit.close()


def _post_asgi(app: Any, query: str) -> None:
    async def go() -> None:
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4001))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.post("/graphql", json={"query": query})
            assert response.status_code == 200, response.text

    asyncio.run(go())


def _post_wsgi(app: Any, query: str) -> None:
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as client:
        response = client.post("/graphql", json={"query": query})
        assert response.status_code == 200, response.text


def asgi_alone(trail: AuditTrail, query: str) -> None:
    from ariadne.asgi import GraphQL

    _post_asgi(AsgiAuditMiddleware(GraphQL(core_schema()), trail=trail), query)


def wsgi_alone(trail: AuditTrail, query: str) -> None:
    from ariadne.wsgi import GraphQL

    _post_wsgi(WsgiAuditMiddleware(GraphQL(core_schema()), trail=trail), query)


def asgi_with_hook(trail: AuditTrail, query: str) -> None:
    from ariadne.asgi import GraphQL
    from ariadne.asgi.handlers import GraphQLHTTPHandler

    handler = GraphQLHTTPHandler(middleware=[AuditResolverMiddleware(trail)])
    app = GraphQL(core_schema(), http_handler=handler)
    _post_asgi(AsgiAuditMiddleware(app, trail=trail), query)


def wsgi_with_hook(trail: AuditTrail, query: str) -> None:
    from ariadne.wsgi import GraphQL

    app = GraphQL(core_schema(), middleware=[AuditResolverMiddleware(trail)])
    _post_wsgi(WsgiAuditMiddleware(app, trail=trail), query)


def resolver_middleware(trail: AuditTrail, query: str) -> None:
    result = graphql.graphql_sync(core_schema(), query,
                                  middleware=[AuditResolverMiddleware(trail)])
    assert result.data is not None


def strawberry_extension(trail: AuditTrail, query: str) -> None:
    """The documented way: the extension installs the execution hook."""
    from auditmw_strawberry import AuditExtension

    result = strawberry_schema([AuditExtension(trail)]).execute_sync(query)
    assert result.data is not None


def strawberry_resolve_step(trail: AuditTrail, query: str) -> None:
    """The extension's per-field resolve step (no execution hook)."""
    from auditmw_strawberry import AuditExtension

    extension = AuditExtension(trail, execution_hook=False)
    result = strawberry_schema([extension]).execute_sync(query)
    assert result.data is not None


def graphene_middleware(trail: AuditTrail, query: str) -> None:
    from auditmw.graphql import AuditResolverMiddleware

    result = graphene_schema().execute(query, middleware=[AuditResolverMiddleware(trail)])
    assert result.data is not None


def execution_hook(trail: AuditTrail, query: str) -> None:
    instrument(trail)
    result = graphql.graphql_sync(core_schema(), query)  # no middleware given
    assert result.data is not None


HOOK_DOORS: dict[str, Door] = {
    "resolver-middleware": resolver_middleware, "strawberry-extension": strawberry_extension,
    "strawberry-resolve-step": strawberry_resolve_step,
    "graphene-middleware": graphene_middleware, "execution-hook": execution_hook,
    "asgi+hook": asgi_with_hook, "wsgi+hook": wsgi_with_hook,
}
WIRE_DOORS: dict[str, Door] = {"asgi-alone": asgi_alone, "wsgi-alone": wsgi_alone}


def one_event(trail: AuditTrail, door: Door, query: str) -> dict[str, Any]:
    uninstrument()  # each door alone: the hook is per process, and doors install it
    try:
        with capture_audit_events(trail) as events:
            door(trail, query)
    finally:
        uninstrument()
    assert [e["event"] for e in events] == ["createAssetGroup"], events
    return events[0]


def facts(event: dict[str, Any]) -> tuple[Any, ...]:
    return (event["outcome"], (event.get("error") or {}).get("type"), event["target"],
            event["details"])


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_door_agrees(trail: AuditTrail, kind: str) -> None:
    want = KINDS[kind]
    doors = {**HOOK_DOORS, **(WIRE_DOORS if want.on_wire else {})}
    seen = {name: facts(one_event(trail, door, mutation(kind))) for name, door in doors.items()}
    target = {"type": "AssetGroup", "id": "g-Ops", "name": "Ops"} if kind == "ok" \
        else {"name": "Ops"}
    expected = (want.outcome, want.error, target, {"kind": kind, "name": "Ops"})
    assert seen == dict.fromkeys(doors, expected)


@pytest.mark.parametrize("kind", [k for k, v in KINDS.items() if not v.on_wire])
@pytest.mark.parametrize("door", list(WIRE_DOORS))
def test_the_wire_alone_sees_an_exception_as_a_plain_error(trail: AuditTrail, kind: str,
                                                           door: str) -> None:
    """What the docs say the HTTP door alone can tell: the response's error has no class,
    so an exception-only denial is a ``failure`` there (the target still agrees)."""
    event = one_event(trail, WIRE_DOORS[door], mutation(kind))
    assert (event["outcome"], event["error"]["type"], event["target"]) == \
        ("failure", "GraphQLError", {"name": "Ops"})


@pytest.mark.parametrize("door", list(WIRE_DOORS) + list(HOOK_DOORS))
def test_an_unselected_typename_leaves_only_the_type_to_the_hook(trail: AuditTrail,
                                                                 door: str) -> None:
    """Without ``__typename`` in the selection, the wire knows the id and name, a hook
    also the GraphQL type."""
    plain_query = mutation("ok").replace("__typename ", "")
    assert "__typename" not in plain_query
    target = one_event(trail, {**WIRE_DOORS, **HOOK_DOORS}[door], plain_query)["target"]
    expected = {"id": "g-Ops", "name": "Ops"}
    if door in HOOK_DOORS:
        expected = {"type": "AssetGroup", **expected}
    assert target == expected
