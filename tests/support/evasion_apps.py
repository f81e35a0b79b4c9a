"""Five GraphQL stacks with a counter inside every catalogued resolver (the evasion suite).

Each stack serves the same operations — ``createAssetGroup(name)`` (returns a group),
``deleteScope(id)`` (raises ``PermissionError``: denied), ``deleteScopes`` (list-of-scalars
arguments: ``scopeIds: [ID!]``, ``tags: [String]``, ``groups: [[String]]`` and the secret
``tokens: [String]``; returns how many ids it got), ``exportView(viewId)`` (a catalogued
query) and an uncatalogued ``ok`` — and every catalogued resolver appends
``{"field", "args"}`` to :data:`EXECUTIONS` and, when ``EVASION_COUNTER`` names a file,
to that file as one JSON line (the subprocess suite reads it).

After the response (:data:`LATE`): every stack also serves a catalogued mutation run once
its response has been sent, the stack's own way, for a client signed in with an
``x-user`` header (Starlette's ``AuthenticationMiddleware``, Flask's ``g.user``):

- ``scheduleAssetGroup(name)`` (uncatalogued, at ``/graphql``) answers ``true`` and has
  ``createAssetGroup`` run later — the answer shows nothing of it;
- ``POST /graphql-queued`` answers a ``createAssetGroup`` document with the field as done
  (``{"id": "queued"}``) and runs the document later.

The ways: Strawberry's ASGI view a ``BackgroundTask`` on its ``response`` context,
Strawberry's FastAPI router its ``background_tasks``, Ariadne on Starlette a
``BackgroundTasks`` its HTTP handler puts on the response, Ariadne on Flask
``response.call_on_close``, Graphene on Flask the end of a generator body. The late
execution's GraphQL context names the signed-in user.

``build(stack, trail)`` returns the app set up the documented code way;
``build(stack, None)`` the unmodified app (what ``auditmw run`` gets: with
``EVASION_STACK`` set, importing this module as ``support.evasion_apps:app`` builds it).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from functools import partial
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
  scheduleAssetGroup(name: String!): Boolean
}
"""

#: The after-the-response requests: the header that signs a client in, the path of the
#: view that answers first and runs after, and the document run late.
SIGN_IN = "x-user"
QUEUED_PATH = "/graphql-queued"
LATE = "mutation ($name: String!) { createAssetGroup(name: $name) { id } }"
QUEUED_ANSWER = {"data": {"createAssetGroup": {"id": "queued"}}}


def user_named(name: str | None) -> dict[str, str] | None:
    """The signed-in user as the apps keep it (``g.user``, the late GraphQL context)."""
    return None if not name else {"id": name, "name": name}



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
from fastapi import BackgroundTasks  # noqa: E402  (and FastAPI the queued view's)
from starlette.requests import Request  # noqa: E402
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
    def schedule_asset_group(self, info: strawberry.Info, name: str) -> bool | None:
        run = partial(strawberry_late, info.schema, {"query": LATE, "variables": {"name": name}},
                      starlette_user(info.context["request"]))
        tasks = info.context.get("background_tasks")
        if tasks is not None:  # Strawberry's FastAPI router
            tasks.add_task(run)
        else:  # Strawberry's ASGI view: the response in the context carries a background
            from starlette.background import BackgroundTask

            info.context["response"].background = BackgroundTask(run)
        return True

    @strawberry.mutation
    def delete_scopes(self, scope_ids: list[strawberry.ID] | None = strawberry.UNSET,
                      tags: list[str | None] | None = strawberry.UNSET,
                      groups: list[list[str | None] | None] | None = strawberry.UNSET,
                      tokens: list[str | None] | None = strawberry.UNSET) -> int | None:
        # UNSET: an argument left out stays out (a Python default would add it)
        given = {"scopeIds": scope_ids, "tags": tags, "groups": groups, "tokens": tokens}
        return delete_many({k: v for k, v in given.items() if v is not strawberry.UNSET})


def strawberry_late(schema: Any, data: dict[str, Any], user: dict[str, str] | None) -> None:
    schema.execute_sync(data["query"], variable_values=data.get("variables"),
                        context_value={"user": user})


def strawberry_schema() -> Any:
    return strawberry.Schema(query=StrawberryQuery, mutation=StrawberryMutation,
                             config=StrawberryConfig(batching_config={"max_operations": 10}))


def strawberry_starlette(trail: AuditTrail | None) -> Any:
    from starlette.applications import Starlette
    from starlette.routing import Route, WebSocketRoute
    from strawberry.asgi import GraphQL

    schema = strawberry_schema()
    graphql_app = GraphQL(schema, multipart_uploads_enabled=True)
    app = Starlette(routes=[Route("/graphql", graphql_app, methods=["GET", "POST"]),
                            WebSocketRoute("/graphql", graphql_app),
                            Route(QUEUED_PATH, queued_view(partial(strawberry_late, schema)),
                                  methods=["POST"]),
                            Route("/health", _health)],
                    middleware=signing_in())
    if trail is not None:
        from auditmw_starlette import instrument_app

        instrument_app(app, trail)
    return app


def fastapi_strawberry(trail: AuditTrail | None) -> Any:
    from fastapi import FastAPI
    from strawberry.fastapi import GraphQLRouter

    schema = strawberry_schema()
    app = FastAPI(middleware=signing_in())
    app.include_router(GraphQLRouter(schema, multipart_uploads_enabled=True),
                       prefix="/graphql")

    async def queued(request: Request, tasks: BackgroundTasks) -> dict[str, Any]:
        tasks.add_task(strawberry_late, schema, await request.json(), starlette_user(request))
        return QUEUED_ANSWER

    app.add_api_route(QUEUED_PATH, queued, methods=["POST"])
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
    mutation.set_field("scheduleAssetGroup", schedule_in_context)
    return make_executable_schema(SDL, query, mutation)


def schedule_in_context(_: Any, info: Any, name: str) -> bool:
    """``scheduleAssetGroup`` where the view's GraphQL context says how to run something
    after the response (``later``) and who signed in (``user``): Ariadne, Graphene."""
    data = {"query": LATE, "variables": {"name": name}}
    info.context["later"](partial(core_late, info.schema, data, info.context["user"]))
    return True


def core_late(schema: Any, data: dict[str, Any], user: dict[str, str] | None) -> None:
    import graphql

    graphql.graphql_sync(schema, data["query"], variable_values=data.get("variables"),
                         context_value={"user": user})


def ariadne_asgi(trail: AuditTrail | None) -> Any:
    from ariadne.asgi import GraphQL
    from ariadne.asgi.handlers import GraphQLHTTPHandler, GraphQLTransportWSHandler
    from starlette.applications import Starlette
    from starlette.background import BackgroundTasks
    from starlette.routing import Route, WebSocketRoute

    class LaterHandler(GraphQLHTTPHandler):
        """Ariadne's HTTP handler, its response carrying what the resolvers left for
        after it (Starlette's ``BackgroundTasks``, kept in the request's state)."""

        async def create_json_response(self, request: Any, result: dict[str, Any],
                                       success: bool) -> Any:
            response = await super().create_json_response(request, result, success)
            tasks = getattr(request.state, "after", None)
            if tasks is not None:
                response.background = tasks
            return response

    def context(request: Any, _: Any = None) -> dict[str, Any]:
        def later(run: Callable[[], None]) -> None:
            if getattr(request.state, "after", None) is None:
                request.state.after = BackgroundTasks()
            request.state.after.add_task(run)

        return {"request": request, "user": starlette_user(request), "later": later}

    schema = ariadne_schema()
    graphql_app = GraphQL(schema, context_value=context, http_handler=LaterHandler(),
                          websocket_handler=GraphQLTransportWSHandler())
    app = Starlette(routes=[Route("/health", _health),
                            Route("/graphql", graphql_app, methods=["GET", "POST"]),
                            WebSocketRoute("/graphql", graphql_app),
                            Route(QUEUED_PATH, queued_view(partial(core_late, schema)),
                                  methods=["POST"])],
                    middleware=signing_in())
    if trail is not None:
        from auditmw_starlette import instrument_app

        instrument_app(app, trail)
    return app


def ariadne_flask(trail: AuditTrail | None) -> Any:
    from ariadne import graphql_sync
    from ariadne.explorer import ExplorerGraphiQL
    from flask import Flask, g, jsonify, request

    schema = ariadne_schema()
    app = Flask("evasion_ariadne")
    app.before_request(flask_sign_in)
    explorer = ExplorerGraphiQL().html(None)

    @app.route("/graphql", methods=["GET"])
    def page() -> Any:
        return explorer, 200

    @app.route("/graphql", methods=["POST"])
    def server() -> Any:
        data = request.get_json(silent=True)
        after: list[Callable[[], None]] = []
        ok, result = graphql_sync(schema, data, context_value={
            "request": request, "user": g.user, "later": after.append})
        response = jsonify(result)
        for run in after:  # once the response has been sent
            response.call_on_close(run)
        return response, 200 if ok else 400

    @app.route(QUEUED_PATH, methods=["POST"])
    def queued() -> Any:
        response = jsonify(QUEUED_ANSWER)
        response.call_on_close(partial(core_late, schema, request.get_json(), g.user))
        return response

    app.add_url_rule("/health", "health", lambda: "ok")
    if trail is not None:
        from auditmw_flask import init_app

        init_app(app, trail)
    return app


# -- Graphene -----------------------------------------------------------------------------

def graphene_flask(trail: AuditTrail | None) -> Any:
    import graphene
    from flask import Flask, Response, g, jsonify, request

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
        schedule_asset_group = graphene.Boolean(name=graphene.String(required=True))

        def resolve_create_asset_group(root: Any, info: Any, name: str) -> AssetGroup:
            return AssetGroup(**create(name))

        def resolve_delete_scope(root: Any, info: Any, id: str) -> bool:
            return delete(id)

        def resolve_delete_scopes(root: Any, info: Any, **args: Any) -> int:
            # Graphene hands Python names (scope_ids); the counter keeps GraphQL's
            return delete_many({"scopeIds" if k == "scope_ids" else k: v
                                for k, v in args.items()})

        def resolve_schedule_asset_group(root: Any, info: Any, name: str) -> bool:
            return schedule_in_context(root, info, name)

    schema = graphene.Schema(query=Query, mutation=Mutation)
    app = Flask("evasion_graphene")
    app.before_request(flask_sign_in)

    def then(body: bytes, after: list[Callable[[], None]]) -> Response:
        """The body as a generator that runs ``after`` once its last chunk is out."""
        def chunks() -> Iterator[bytes]:
            yield body
            for run in after:
                run()

        return Response(chunks(), mimetype="application/json")

    @app.route("/graphql", methods=["GET", "POST"])
    def server() -> Any:
        if request.method == "GET":
            data: dict[str, Any] = {"query": request.args.get("query"),
                                    "operationName": request.args.get("operationName")}
        else:
            data = request.get_json(silent=True) or {}
        if not isinstance(data, dict) or not isinstance(data.get("query"), str):
            return jsonify({"errors": [{"message": "no query"}]}), 400
        after: list[Callable[[], None]] = []
        result = schema.execute(data["query"], variable_values=data.get("variables"),
                                operation_name=data.get("operationName"),
                                context_value={"request": request, "user": g.user,
                                               "later": after.append})
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [{"message": str(e), "path": getattr(e, "path", None)}
                              for e in result.errors]
        if after:
            return then(json.dumps(body).encode(), after)
        return jsonify(body)

    @app.route(QUEUED_PATH, methods=["POST"])
    def queued() -> Any:
        late = partial(core_late, schema.graphql_schema, request.get_json(), g.user)
        return then(json.dumps(QUEUED_ANSWER).encode(), [late])

    app.add_url_rule("/health", "health", lambda: "ok")
    if trail is not None:
        from auditmw_flask import init_app

        init_app(app, trail)
    return app


# -- signing in, and the after-the-response view of the ASGI stacks ---------------------

def signing_in() -> list[Any]:
    """Starlette's ``AuthenticationMiddleware``: the ``x-user`` header names the user."""
    from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
    from starlette.middleware import Middleware
    from starlette.middleware.authentication import AuthenticationMiddleware

    class Signed(SimpleUser):
        @property
        def identity(self) -> str:
            return self.username

    class ByHeader(AuthenticationBackend):
        async def authenticate(self, conn: Any) -> Any:
            name = conn.headers.get(SIGN_IN)
            return (AuthCredentials(["authenticated"]), Signed(name)) if name else None

    return [Middleware(AuthenticationMiddleware, backend=ByHeader())]


def starlette_user(request: Any) -> dict[str, str] | None:
    user = request.scope.get("user")
    return user_named(user.identity) if user is not None and user.is_authenticated else None


def flask_sign_in() -> None:
    from flask import g, request

    g.user = user_named(request.headers.get(SIGN_IN))


def queued_view(late: Callable[..., None]) -> Callable[[Any], Any]:
    """``POST /graphql-queued`` on Starlette: the field answered as done, the document
    run by a ``BackgroundTask`` once the answer is out."""
    async def queued(request: Any) -> Any:
        from starlette.background import BackgroundTask
        from starlette.responses import JSONResponse

        data = await request.json()
        return JSONResponse(QUEUED_ANSWER,
                            background=BackgroundTask(late, data, starlette_user(request)))

    return queued


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
