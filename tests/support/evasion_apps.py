"""Five GraphQL stacks with a counter inside every catalogued resolver (the evasion suite).

Each stack serves the same operations — ``createAssetGroup(name)`` (returns a group),
``deleteScope(id)`` (raises ``PermissionError``: denied), ``deleteScopes`` (list-of-scalars
arguments: ``scopeIds: [ID!]``, ``tags: [String]``, ``groups: [[String]]`` and the secret
``tokens: [String]``; returns how many ids it got), ``exportView(viewId)`` (a catalogued
query) and an uncatalogued ``ok`` — and every catalogued resolver appends
``{"field", "args"}`` to :data:`EXECUTIONS` and, when ``EVASION_COUNTER`` names a file,
to that file as one JSON line (the subprocess suite reads it).

``build(stack, trail)`` returns the app set up the documented code way;
``build(stack, None)`` the unmodified app (what ``auditmw run`` gets: with
``EVASION_STACK`` set, importing this module as ``support.evasion_apps:app`` builds it).
"""

from __future__ import annotations

import json
import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

STACKS = ("strawberry-starlette", "fastapi-strawberry", "ariadne-asgi", "ariadne-flask",
          "graphene-flask")
ASGI_STACKS = STACKS[:3]

EXECUTIONS: list[dict[str, Any]] = []
_lock = threading.Lock()

SDL = """
type AssetGroup { id: ID! name: String! }
type Query { ok: Boolean  exportView(viewId: ID!): String }
type Mutation {
  createAssetGroup(name: String!): AssetGroup
  deleteScope(id: ID!): Boolean
  deleteScopes(scopeIds: [ID!], tags: [String], groups: [[String]], tokens: [String]): Int
}
"""


def executed(field: str, args: dict[str, Any]) -> None:
    # a copy as plain JSON: what the resolver received, safe from later changes
    entry = {"field": field, "args": json.loads(json.dumps(args))}
    with _lock:
        EXECUTIONS.append(entry)
        path = os.environ.get("EVASION_COUNTER")
        if path:
            with open(path, "a", encoding="utf-8") as out:
                out.write(json.dumps(entry) + "\n")


def create(name: str) -> dict[str, str]:
    executed("createAssetGroup", {"name": name})
    return {"id": f"g-{name}", "name": name}


def delete(id: str) -> bool:
    executed("deleteScope", {"id": id})
    raise PermissionError(f"scope {id} is locked")


def delete_many(args: dict[str, Any]) -> int:
    """``deleteScopes``: ``args`` are the arguments given (under their GraphQL names),
    the ones the client left out absent, an explicit ``null`` as ``None``."""
    executed("deleteScopes", args)
    return len(args.get("scopeIds") or ())


def export(view_id: str) -> str:
    executed("exportView", {"viewId": view_id})
    return "id,name"


# -- Strawberry ---------------------------------------------------------------------------

import strawberry  # noqa: E402  (module level: Strawberry resolves annotations here)
from strawberry.schema.config import StrawberryConfig  # noqa: E402


@strawberry.type(name="AssetGroup")
class StrawberryAssetGroup:
    id: strawberry.ID
    name: str


@strawberry.type(name="Query")
class StrawberryQuery:
    @strawberry.field
    def ok(self) -> bool | None:
        return True

    @strawberry.field
    def export_view(self, view_id: strawberry.ID) -> str | None:
        return export(str(view_id))


@strawberry.type(name="Mutation")
class StrawberryMutation:
    @strawberry.mutation
    def create_asset_group(self, name: str) -> StrawberryAssetGroup | None:
        made = create(name)
        return StrawberryAssetGroup(id=strawberry.ID(made["id"]), name=made["name"])

    @strawberry.mutation
    def delete_scope(self, id: strawberry.ID) -> bool | None:
        return delete(str(id))

    @strawberry.mutation
    def delete_scopes(self, scope_ids: list[strawberry.ID] | None = strawberry.UNSET,
                      tags: list[str | None] | None = strawberry.UNSET,
                      groups: list[list[str | None] | None] | None = strawberry.UNSET,
                      tokens: list[str | None] | None = strawberry.UNSET) -> int | None:
        # UNSET: an argument left out stays out (a Python default would add it)
        given = {"scopeIds": scope_ids, "tags": tags, "groups": groups, "tokens": tokens}
        return delete_many({k: v for k, v in given.items() if v is not strawberry.UNSET})


def strawberry_schema() -> Any:
    return strawberry.Schema(query=StrawberryQuery, mutation=StrawberryMutation,
                             config=StrawberryConfig(batching_config={"max_operations": 10}))


def strawberry_starlette(trail: AuditTrail | None) -> Any:
    from starlette.applications import Starlette
    from starlette.routing import Route, WebSocketRoute
    from strawberry.asgi import GraphQL

    graphql_app = GraphQL(strawberry_schema(), multipart_uploads_enabled=True)
    app = Starlette(routes=[Route("/graphql", graphql_app, methods=["GET", "POST"]),
                            WebSocketRoute("/graphql", graphql_app),
                            Route("/health", _health)])
    if trail is not None:
        from auditmw_starlette import instrument_app

        instrument_app(app, trail)
    return app


def fastapi_strawberry(trail: AuditTrail | None) -> Any:
    from fastapi import FastAPI
    from strawberry.fastapi import GraphQLRouter

    app = FastAPI()
    app.include_router(GraphQLRouter(strawberry_schema(), multipart_uploads_enabled=True),
                       prefix="/graphql")
    app.add_api_route("/health", _health_json)
    if trail is not None:
        from auditmw_starlette import instrument_app

        instrument_app(app, trail)
    return app


# -- Ariadne ------------------------------------------------------------------------------

def ariadne_schema() -> Any:
    from ariadne import MutationType, QueryType, make_executable_schema

    query, mutation = QueryType(), MutationType()
    query.set_field("ok", lambda *_: True)
    query.set_field("exportView", lambda *_, viewId: export(viewId))
    mutation.set_field("createAssetGroup", lambda *_, name: create(name))
    mutation.set_field("deleteScope", lambda *_, id: delete(id))
    mutation.set_field("deleteScopes", lambda *_, **args: delete_many(args))
    return make_executable_schema(SDL, query, mutation)


def ariadne_asgi(trail: AuditTrail | None) -> Any:
    from ariadne.asgi import GraphQL
    from ariadne.asgi.handlers import GraphQLTransportWSHandler
    from starlette.applications import Starlette
    from starlette.routing import Route, WebSocketRoute

    graphql_app = GraphQL(ariadne_schema(), websocket_handler=GraphQLTransportWSHandler())
    app = Starlette(routes=[Route("/health", _health),
                            Route("/graphql", graphql_app, methods=["GET", "POST"]),
                            WebSocketRoute("/graphql", graphql_app)])
    if trail is not None:
        from auditmw_starlette import instrument_app

        instrument_app(app, trail)
    return app


def ariadne_flask(trail: AuditTrail | None) -> Any:
    from ariadne import graphql_sync
    from ariadne.explorer import ExplorerGraphiQL
    from flask import Flask, jsonify, request

    schema = ariadne_schema()
    app = Flask("evasion_ariadne")
    explorer = ExplorerGraphiQL().html(None)

    @app.route("/graphql", methods=["GET"])
    def page() -> Any:
        return explorer, 200

    @app.route("/graphql", methods=["POST"])
    def server() -> Any:
        data = request.get_json(silent=True)
        ok, result = graphql_sync(schema, data, context_value={"request": request})
        return jsonify(result), 200 if ok else 400

    app.add_url_rule("/health", "health", lambda: "ok")
    if trail is not None:
        from auditmw_flask import init_app

        init_app(app, trail)
    return app


# -- Graphene -----------------------------------------------------------------------------

def graphene_flask(trail: AuditTrail | None) -> Any:
    import graphene
    from flask import Flask, jsonify, request

    class AssetGroup(graphene.ObjectType):
        id = graphene.ID(required=True)
        name = graphene.String(required=True)

    class Query(graphene.ObjectType):
        ok = graphene.Boolean()
        export_view = graphene.String(view_id=graphene.ID(required=True))

        def resolve_ok(root: Any, info: Any) -> bool:
            return True

        def resolve_export_view(root: Any, info: Any, view_id: str) -> str:
            return export(view_id)

    class Mutation(graphene.ObjectType):
        create_asset_group = graphene.Field(AssetGroup, name=graphene.String(required=True))
        delete_scope = graphene.Boolean(id=graphene.ID(required=True))
        delete_scopes = graphene.Int(
            scope_ids=graphene.List(graphene.NonNull(graphene.ID)),
            tags=graphene.List(graphene.String),
            groups=graphene.List(graphene.List(graphene.String)),
            tokens=graphene.List(graphene.String))

        def resolve_create_asset_group(root: Any, info: Any, name: str) -> AssetGroup:
            return AssetGroup(**create(name))

        def resolve_delete_scope(root: Any, info: Any, id: str) -> bool:
            return delete(id)

        def resolve_delete_scopes(root: Any, info: Any, **args: Any) -> int:
            # Graphene hands Python names (scope_ids); the counter keeps GraphQL's
            return delete_many({"scopeIds" if k == "scope_ids" else k: v
                                for k, v in args.items()})

    schema = graphene.Schema(query=Query, mutation=Mutation)
    app = Flask("evasion_graphene")

    @app.route("/graphql", methods=["GET", "POST"])
    def server() -> Any:
        if request.method == "GET":
            data: dict[str, Any] = {"query": request.args.get("query"),
                                    "operationName": request.args.get("operationName")}
        else:
            data = request.get_json(silent=True) or {}
        if not isinstance(data, dict) or not isinstance(data.get("query"), str):
            return jsonify({"errors": [{"message": "no query"}]}), 400
        result = schema.execute(data["query"], variable_values=data.get("variables"),
                                operation_name=data.get("operationName"),
                                context_value=request)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [{"message": str(e), "path": getattr(e, "path", None)}
                              for e in result.errors]
        return jsonify(body)

    app.add_url_rule("/health", "health", lambda: "ok")
    if trail is not None:
        from auditmw_flask import init_app

        init_app(app, trail)
    return app


async def _health(request: Any) -> Any:
    from starlette.responses import PlainTextResponse

    return PlainTextResponse("ok")


def _health_json() -> dict[str, str]:
    return {"status": "ok"}


BUILDERS = {"strawberry-starlette": strawberry_starlette,
            "fastapi-strawberry": fastapi_strawberry, "ariadne-asgi": ariadne_asgi,
            "ariadne-flask": ariadne_flask, "graphene-flask": graphene_flask}


def build(stack: str, trail: AuditTrail | None) -> Any:
    return BUILDERS[stack](trail)


if os.environ.get("EVASION_STACK"):
    app = build(os.environ["EVASION_STACK"], None)
