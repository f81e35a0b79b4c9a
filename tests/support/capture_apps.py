"""Real apps the capture tests drive: Starlette + Strawberry (with Starlette's own
authentication), a deliberately lenient GraphQL endpoint (accepts every encoding a
server might), and Flask + Ariadne with Flask-Login. Shared by tests/test_asgi*.py,
tests/test_wsgi*.py and tests/test_capture_*.py."""

from __future__ import annotations

import gzip
import itertools
import json
from typing import Any
from urllib.parse import parse_qs

import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    SimpleUser,
)
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.schema.config import StrawberryConfig

_ids = itertools.count(1)


@strawberry.type
class AssetGroup:
    id: strawberry.ID
    name: str


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"

    @strawberry.field
    def export_view(self, view_id: strawberry.ID) -> str:
        return f"export of {view_id}"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_asset_group(self, name: str) -> AssetGroup:
        return AssetGroup(id=strawberry.ID(f"g{next(_ids)}"), name=name)

    @strawberry.mutation
    def update_asset_group(self, id: strawberry.ID, name: str) -> AssetGroup:
        return AssetGroup(id=id, name=name)

    @strawberry.mutation
    def delete_asset_group(self, id: strawberry.ID) -> bool:
        if id == "missing":
            raise ValueError("no such asset group")
        return True

    @strawberry.mutation
    def delete_scope(self, id: strawberry.ID) -> bool:
        raise GraphQLError("not allowed to delete scopes", extensions={"code": "FORBIDDEN"})

    @strawberry.mutation
    def rename_widget(self, name: str) -> str:  # not catalogued
        return name


schema = strawberry.Schema(Query, Mutation,
                           config=StrawberryConfig(batching_config={"max_operations": 10}))


class BearerNameBackend(AuthenticationBackend):
    """The app's own authentication: ``Authorization: Bearer <name>`` (a stand-in for a
    real token check; what matters is that the app, not auditmw, decides)."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials,
                                                                 SimpleUser] | None:
        header = conn.headers.get("authorization", "")
        if header.startswith("Bearer ") and header[7:] != "invalid":
            return AuthCredentials(["authenticated"]), SimpleUser(header[7:])
        return None


async def resync(request: Request) -> JSONResponse:
    asset = request.path_params["id"]
    if asset == "locked":
        return JSONResponse({"error": "locked"}, status_code=403)
    return JSONResponse({"resynced": asset})


async def login(request: Request) -> JSONResponse:
    form = json.loads(await request.body() or b"{}")
    ok = form.get("password") == "pw"
    return JSONResponse({"ok": ok}, status_code=200 if ok else 401)


async def health(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def stream(request: Request) -> StreamingResponse:
    async def chunks() -> Any:
        for i in range(5):
            yield f"chunk {i}\n".encode()

    return StreamingResponse(chunks(), media_type="text/plain")


def starlette_app(**graphql_options: Any) -> Starlette:
    return Starlette(
        routes=[
            Route("/graphql", GraphQL(schema, **graphql_options), methods=["GET", "POST"]),
            Route("/api/assets/{id}/resync", resync, methods=["POST"]),
            Route("/login", login, methods=["POST"]),
            Route("/health", health),
            Route("/stream", stream),
        ],
        middleware=[Middleware(AuthenticationMiddleware, backend=BearerNameBackend())],
    )


# --- a lenient endpoint: every way a GraphQL server might accept a document ----------

def _lenient_operations(method: str, query: str, ctype: str, body: bytes) -> Any:
    if method == "GET":
        params = parse_qs(query)
        return {"query": params["query"][0],
                "operationName": params.get("operationName", [None])[0]}
    if ctype.startswith("application/graphql"):
        return {"query": body.decode()}
    return json.loads(body)  # application/json, text/plain, anything: JSON


async def lenient_graphql(request: Request) -> JSONResponse:
    body = await request.body()
    if request.headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    try:
        payload = _lenient_operations(request.method, request.url.query,
                                      request.headers.get("content-type", ""), body)
    except ValueError:
        return JSONResponse({"errors": [{"message": "bad request"}]}, status_code=400)
    items = payload if isinstance(payload, list) else [payload]
    results = []
    for item in items:
        result = await schema.execute(item["query"], variable_values=item.get("variables"),
                                      operation_name=item.get("operationName"))
        out: dict[str, Any] = {"data": result.data}
        if result.errors:
            out["errors"] = [e.formatted for e in result.errors]
        results.append(out)
    return JSONResponse(results if isinstance(payload, list) else results[0])


def lenient_app() -> Starlette:
    return Starlette(routes=[Route("/graphql", lenient_graphql, methods=["GET", "POST"]),
                             Route("/graphql/", lenient_graphql, methods=["GET", "POST"])])


# --- Flask + Ariadne + Flask-Login ----------------------------------------------------

FLASK_TYPE_DEFS = """
type AssetGroup { id: ID! name: String! }
type Query { hello: String! }
type Mutation {
  createAssetGroup(name: String!): AssetGroup!
  deleteAssetGroup(id: ID!): Boolean!
  deleteScope(id: ID!): Boolean
}
"""


def flask_app(trail: Any = None) -> Any:
    """Flask + Ariadne; Flask-Login users come from ``Authorization: Bearer <name>``; the
    ``/legacy/graphql`` path sets ``flask.g.user`` instead (an app without Flask-Login)."""
    from ariadne import MutationType, QueryType, graphql_sync, make_executable_schema
    from flask import Flask, Response, g, jsonify, request, stream_with_context
    from flask_login import LoginManager, UserMixin

    class User(UserMixin):
        def __init__(self, name: str) -> None:
            self.id = name
            self.name = name.title()

    query, mutation = QueryType(), MutationType()
    query.set_field("hello", lambda *_: "world")

    @mutation.field("createAssetGroup")
    def create(_obj: Any, _info: Any, name: str) -> dict[str, str]:
        return {"id": f"g{next(_ids)}", "name": name}

    @mutation.field("deleteAssetGroup")
    def delete(_obj: Any, _info: Any, id: str) -> bool:
        if id == "missing":
            raise ValueError("no such asset group")
        return True

    @mutation.field("deleteScope")
    def delete_scope(_obj: Any, _info: Any, id: str) -> bool:
        raise GraphQLError("not allowed", extensions={"code": "FORBIDDEN"})

    schema_ = make_executable_schema(FLASK_TYPE_DEFS, query, mutation)
    app = Flask("capture_flask")
    app.secret_key = "test"
    login = LoginManager(app)

    @login.request_loader
    def from_header(req: Any) -> User | None:
        header = req.headers.get("Authorization", "")
        return User(header[7:]) if header.startswith("Bearer ") else None

    def run_graphql() -> Any:
        data = request.get_json(force=True, silent=True)
        if data is None:
            return jsonify({"errors": [{"message": "bad JSON"}]}), 400
        ok, result = graphql_sync(schema_, data, context_value={"request": request})
        return jsonify(result), 200 if ok else 400

    app.add_url_rule("/graphql", "graphql", run_graphql, methods=["POST"])

    @app.post("/legacy/graphql")
    def legacy() -> Any:
        g.user = {"id": "legacy-7", "name": "Legacy"}
        return run_graphql()

    @app.get("/health")
    def health() -> str:
        return "ok"

    @app.get("/stream")
    def stream() -> Response:
        def chunks() -> Any:
            for i in range(4):
                yield f"part {i}\n"

        return Response(stream_with_context(chunks()), mimetype="text/plain")

    @app.post("/boom")
    def boom() -> str:
        raise RuntimeError("exploded")

    if trail is not None:
        from auditmw_flask import init_app

        init_app(app, trail)
    return app
