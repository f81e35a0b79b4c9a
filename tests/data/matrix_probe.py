"""One framework, audited both documented ways, inside a venv of the version matrix.

    python matrix_probe.py FRAMEWORK code   # the integration's lines of code
    auditmw run -c CFG -- python matrix_probe.py FRAMEWORK run   # no line of auditmw

FRAMEWORK is starlette, fastapi, flask, strawberry, ariadne, graphene or graphql-core.
The app is driven in-process (httpx's ASGI transport, Flask's test client, or a direct
execution), sends a catalogued and an uncatalogued mutation, closes the trail and prints
the catalogued event names recorded as one JSON line, which the matrix test compares.
``APP_AUDIT_CONFIG`` is the config for the code way.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

SDL = """
type Query { ping: String }
type Mutation { createAssetGroup(name: String!): String  renameNothing(name: String!): String }
"""
CALLS = ['mutation { createAssetGroup(name: "servers") }',
         'mutation { renameNothing(name: "x") }']


def _trail() -> Any:
    from auditmw import AuditTrail

    return AuditTrail.from_config(os.environ["APP_AUDIT_CONFIG"])


def _core_schema() -> Any:
    from graphql import build_schema

    return build_schema(SDL)


ROOT = {"createAssetGroup": lambda _info, name: f"g-{name}",
        "renameNothing": lambda _info, name: name}


def _asgi_graphql_endpoint() -> Any:
    """A Starlette endpoint that executes with graphql-core (what many apps hand-roll)."""
    from graphql import graphql
    from starlette.responses import JSONResponse

    schema = _core_schema()

    async def endpoint(request: Any) -> Any:
        body = await request.json()
        result = await graphql(schema, body["query"], root_value=ROOT)
        return JSONResponse({"data": result.data,
                             "errors": [str(e) for e in result.errors or []] or None})

    return endpoint


def asgi_app(framework: str, code: bool) -> tuple[Any, Any]:
    trail = _trail() if code else None
    if framework in ("starlette", "fastapi"):
        if framework == "fastapi":
            from fastapi import FastAPI

            app: Any = FastAPI()
            app.add_route("/graphql", _asgi_graphql_endpoint(), methods=["POST"])
        else:
            from starlette.applications import Starlette
            from starlette.routing import Route

            app = Starlette(routes=[Route("/graphql", _asgi_graphql_endpoint(),
                                          methods=["POST"])])
        if trail is not None:
            from auditmw_starlette import instrument_app

            instrument_app(app, trail)
        return app, trail
    if framework == "strawberry":
        import strawberry
        from strawberry.asgi import GraphQL

        @strawberry.type
        class Query:
            ping: str = "pong"

        @strawberry.type
        class Mutation:
            @strawberry.mutation
            def create_asset_group(self, name: str) -> str:
                return f"g-{name}"

            @strawberry.mutation
            def rename_nothing(self, name: str) -> str:
                return name

        extensions: list[Any] = []
        if trail is not None:
            from auditmw_strawberry import AuditExtension

            extensions = [AuditExtension(trail)]
        schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)
        return GraphQL(schema), trail
    if framework == "ariadne":
        from ariadne import MutationType, make_executable_schema
        from ariadne.asgi import GraphQL as AriadneGraphQL

        mutation = MutationType()
        mutation.set_field("createAssetGroup", lambda _o, _i, name: f"g-{name}")
        mutation.set_field("renameNothing", lambda _o, _i, name: name)
        schema = make_executable_schema(SDL, mutation)
        if trail is not None:
            from ariadne.asgi.handlers import GraphQLHTTPHandler

            from auditmw.graphql import AuditResolverMiddleware

            handler = GraphQLHTTPHandler(middleware=[AuditResolverMiddleware(trail)])
            return AriadneGraphQL(schema, http_handler=handler), trail
        return AriadneGraphQL(schema), trail
    raise SystemExit(f"unknown ASGI framework {framework}")


async def drive_asgi(app: Any) -> None:
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://probe") as client:
        for query in CALLS:
            answer = await client.post("/graphql", json={"query": query})
            assert answer.status_code == 200, (answer.status_code, answer.text)
            assert "errors" not in answer.json() or not answer.json()["errors"], answer.text


def drive_flask(code: bool) -> Any:
    from flask import Flask, jsonify, request
    from graphql import graphql_sync

    trail = _trail() if code else None
    schema = _core_schema()
    app = Flask("probe")

    @app.post("/graphql")
    def endpoint() -> Any:
        result = graphql_sync(schema, request.get_json()["query"], root_value=ROOT)
        return jsonify(data=result.data, errors=[str(e) for e in result.errors or []] or None)

    if trail is not None:
        from auditmw_flask import init_app

        init_app(app, trail)
    client = app.test_client()
    for query in CALLS:
        answer = client.post("/graphql", json={"query": query})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert not answer.get_json()["errors"], answer.get_data(as_text=True)
    return trail


def drive_direct(framework: str, code: bool) -> Any:
    """No HTTP: the GraphQL hook alone (graphql-core execution, Graphene)."""
    trail = _trail() if code else None
    if framework == "graphene":
        import graphene

        class Mutation(graphene.ObjectType):
            create_asset_group = graphene.String(name=graphene.String(required=True))
            rename_nothing = graphene.String(name=graphene.String(required=True))

            def resolve_create_asset_group(self, info: Any, name: str) -> str:
                return f"g-{name}"

            def resolve_rename_nothing(self, info: Any, name: str) -> str:
                return name

        class Query(graphene.ObjectType):
            ping = graphene.String()

        schema = graphene.Schema(query=Query, mutation=Mutation)
        middleware: list[Any] = []
        if trail is not None:
            from auditmw.graphql import AuditResolverMiddleware

            middleware = [AuditResolverMiddleware(trail)]
        for query in CALLS:
            result = schema.execute(query, middleware=middleware)
            assert not result.errors, result.errors
        return trail
    from graphql import graphql_sync

    schema = _core_schema()
    middleware = []
    if trail is not None:
        from auditmw.graphql import AuditResolverMiddleware

        middleware = [AuditResolverMiddleware(trail)]
    for query in CALLS:
        result = graphql_sync(schema, query, root_value=ROOT, middleware=middleware)
        assert not result.errors, result.errors
    return trail


def launcher_trail() -> Any:
    from auditmw.launcher.boot_hooks import get_trail

    return get_trail()


def main() -> None:
    framework, mode = sys.argv[1], sys.argv[2]
    code = mode == "code"
    if framework in ("starlette", "fastapi", "strawberry", "ariadne"):
        app, trail = asgi_app(framework, code)
        asyncio.run(drive_asgi(app))
    elif framework == "flask":
        trail = drive_flask(code)
    else:
        trail = drive_direct(framework, code)
    trail = trail if trail is not None else launcher_trail()
    assert trail is not None, "nothing was audited: no trail in this process"
    trail.flush()
    trail.close()
    print(json.dumps({"framework": framework, "mode": mode}))


if __name__ == "__main__":
    main()
