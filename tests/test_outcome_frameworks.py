"""Real framework apps, set up the documented way, whose resolvers use their framework's
idiom for "no": ``raise HTTPException(status_code=403)`` (FastAPI, Starlette),
``abort(403)`` (Flask), ``PermissionError``; and errors-as-data payloads with the
catalogue's ``outcome_path``. Each must be ``denied`` / ``failure`` as SPEC §3 says."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail
from support.parity_apps import (
    KINDS,
    core_schema,
    graphene_schema,
    mutation,
    strawberry_schema,
    trail_config,
)

App = Callable[[AuditTrail], tuple[str, Any]]  # ("asgi" | "wsgi", the app)


@pytest.fixture
def trail() -> Iterator[AuditTrail]:
    audit = AuditTrail(**trail_config())
    yield audit
    audit.close()


def fastapi_strawberry(trail: AuditTrail) -> tuple[str, Any]:
    from auditmw_starlette import instrument_app
    from auditmw_strawberry import AuditExtension
    from fastapi import FastAPI
    from strawberry.fastapi import GraphQLRouter

    app = FastAPI()
    app.include_router(GraphQLRouter(strawberry_schema([AuditExtension(trail)])),
                       prefix="/graphql")
    return "asgi", instrument_app(app, trail)


def starlette_strawberry(trail: AuditTrail) -> tuple[str, Any]:
    from auditmw_starlette import instrument_app
    from auditmw_strawberry import AuditExtension
    from starlette.applications import Starlette
    from starlette.routing import Route
    from strawberry.asgi import GraphQL

    graphql_app = GraphQL(strawberry_schema([AuditExtension(trail)]))
    app = Starlette(routes=[Route("/graphql", graphql_app, methods=["GET", "POST"])])
    return "asgi", instrument_app(app, trail)


def starlette_ariadne(trail: AuditTrail) -> tuple[str, Any]:
    from ariadne.asgi import GraphQL
    from ariadne.asgi.handlers import GraphQLHTTPHandler
    from auditmw_starlette import instrument_app
    from starlette.applications import Starlette
    from starlette.routing import Route

    from auditmw.graphql import AuditResolverMiddleware

    handler = GraphQLHTTPHandler(middleware=[AuditResolverMiddleware(trail)])
    graphql_app = GraphQL(core_schema(), http_handler=handler)
    app = Starlette(routes=[Route("/graphql", graphql_app, methods=["GET", "POST"])])
    return "asgi", instrument_app(app, trail)


def flask_ariadne(trail: AuditTrail) -> tuple[str, Any]:
    import ariadne
    from auditmw_flask import init_app
    from flask import Flask, jsonify, request

    from auditmw.graphql import AuditResolverMiddleware

    app = Flask(__name__)
    schema = core_schema()

    @app.post("/graphql")
    def graphql_view() -> Any:
        _, result = ariadne.graphql_sync(schema, request.get_json(), context_value=request,
                                         middleware=[AuditResolverMiddleware(trail)])
        return jsonify(result)

    return "wsgi", init_app(app, trail)


def flask_graphene(trail: AuditTrail) -> tuple[str, Any]:
    from auditmw_flask import init_app
    from flask import Flask, jsonify, request

    from auditmw.graphql import AuditResolverMiddleware

    app = Flask(__name__)
    schema = graphene_schema()

    @app.post("/graphql")
    def graphql_view() -> Any:
        result = schema.execute(request.get_json()["query"], context_value=request,
                                middleware=[AuditResolverMiddleware(trail)])
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        return jsonify(body)

    return "wsgi", init_app(app, trail)


APPS: dict[str, tuple[App, str]] = {  # the app, and its framework's idiom for "forbidden"
    "fastapi+strawberry": (fastapi_strawberry, "fastapi-403"),
    "starlette+strawberry": (starlette_strawberry, "starlette-403"),
    "starlette+ariadne": (starlette_ariadne, "starlette-403"),
    "flask+ariadne": (flask_ariadne, "flask-abort-403"),
    "flask+graphene": (flask_graphene, "flask-abort-403"),
}


def post(kind: str, app: Any, query: str) -> int:
    if kind == "asgi":
        async def go() -> int:
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4001))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                return (await client.post("/graphql", json={"query": query})).status_code

        return asyncio.run(go())
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as client:
        return client.post("/graphql", json={"query": query}).status_code


@pytest.mark.parametrize("what", ["idiom", "permission", "data-error", "data-denied", "ok",
                                  "fastapi-401", "plain"])
@pytest.mark.parametrize("name", list(APPS))
def test_a_resolver_saying_no_the_framework_way(trail: AuditTrail, name: str,
                                                what: str) -> None:
    build, idiom = APPS[name]
    behaviour = idiom if what == "idiom" else what
    kind, app = build(trail)
    with capture_audit_events(trail) as events:
        status = post(kind, app, mutation(behaviour))
    assert status == 200
    want = KINDS[behaviour]
    assert [(e["event"], e["outcome"], (e.get("error") or {}).get("type"))
            for e in events] == [("createAssetGroup", want.outcome, want.error)]
    expected_target = {"type": "AssetGroup", "id": "g-Ops", "name": "Ops"} \
        if behaviour == "ok" else {"name": "Ops"}
    assert events[0]["target"] == expected_target
    assert events[0]["request"]["status"] == 200
