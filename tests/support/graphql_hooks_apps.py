"""One small audited GraphQL app per framework, all with the same schema and behaviour,
for the behavioural table in ``test_graphql_hooks.py``.

Each app is a real HTTP app (ASGI for plain graphql-core, Ariadne and Strawberry; a Flask
WSGI app for Graphene, so the sync path is covered) speaking GraphQL over HTTP: a JSON
object or a batched array, and persisted queries (only a hash on the wire). A header
``x-user`` names the user, set where each framework's apps keep it: ``scope["user"]``
under ASGI (as Starlette's AuthenticationMiddleware does), ``request.user`` for Graphene.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import graphql
import strawberry
from graphql import GraphQLError
from strawberry.permission import BasePermission

from auditmw.graphql import AuditResolverMiddleware
from auditmw.trail import AuditTrail


@dataclass(frozen=True)
class User:
    id: str
    display_name: str
    admin: bool
    is_authenticated: bool = True


USERS = {"ann": User("u-ann", "Ann", admin=True), "bob": User("u-bob", "Bob", admin=False)}

SDL = """
type AssetGroup { id: ID!  name: String! }
input AssetGroupInput { name: String!  token: String }
type Query { assetGroups: [AssetGroup!]!  exportView(viewId: ID!): String }
type Mutation {
  createAssetGroup(input: AssetGroupInput!): AssetGroup
  deleteScope(id: ID!): Boolean
  updateScope(id: ID!, name: String!): Boolean
  ping: String
}
"""

PERSISTED: dict[str, str] = {}


def persist(query: str) -> str:
    digest = hashlib.sha256(query.encode()).hexdigest()
    PERSISTED[digest] = query
    return digest


# -- the shared behaviour ------------------------------------------------------------------

def create_group(name: str) -> dict[str, str]:
    if name == "boom":
        raise ValueError("boom")
    return {"id": f"g-{name}", "name": name}


def require_admin(user: User | None) -> None:
    if user is None or not user.admin:
        raise PermissionError("admin only")


def update_scope(scope_id: str) -> bool:
    if scope_id == "locked":
        raise GraphQLError("scope is locked", extensions={"code": "FORBIDDEN"})
    return True


def scope_user(context: dict[str, Any]) -> User | None:
    user: User | None = context["request"].scope.get("user")
    return user


# -- GraphQL over HTTP, shared by the ASGI apps ---------------------------------------------

Execute = Callable[[dict[str, Any], Any], Awaitable[dict[str, Any]]]


def operation_of(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with its query, looking a persisted query up by hash."""
    if "query" not in payload:
        digest = payload["extensions"]["persistedQuery"]["sha256Hash"]
        payload = {**payload, "query": PERSISTED[digest]}
    return payload


def result_dict(result: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    return out


def asgi_graphql_app(execute: Execute) -> Any:
    from starlette.requests import Request
    from starlette.responses import JSONResponse

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        body = await request.json()
        if isinstance(body, list):
            answer: Any = [await execute(operation_of(item), request) for item in body]
        else:
            answer = await execute(operation_of(body), request)
        await JSONResponse(answer)(scope, receive, send)

    async def with_user(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            name = dict(scope["headers"]).get(b"x-user", b"").decode()
            scope["user"] = USERS.get(name)
        await app(scope, receive, send)

    return with_user


# -- plain graphql-core (async resolvers) ---------------------------------------------------

def plain_app(trail: AuditTrail) -> Any:
    schema = graphql.build_schema(SDL)
    fields = schema.mutation_type.fields  # type: ignore[union-attr]

    async def create(_: Any, info: Any, input: dict[str, Any]) -> Any:
        return create_group(input["name"])

    async def delete(_: Any, info: Any, id: str) -> bool:
        require_admin(scope_user(info.context))
        return True

    async def update(_: Any, info: Any, id: str, name: str) -> bool:
        return update_scope(id)

    fields["createAssetGroup"].resolve = create
    fields["deleteScope"].resolve = delete
    fields["updateScope"].resolve = update
    fields["ping"].resolve = lambda *_: "pong"
    query_fields = schema.query_type.fields  # type: ignore[union-attr]
    query_fields["assetGroups"].resolve = lambda *_: [create_group("listed")]
    query_fields["exportView"].resolve = lambda _, __, viewId: f"csv:{viewId}"
    middleware = [AuditResolverMiddleware(trail)]

    async def execute(payload: dict[str, Any], request: Any) -> dict[str, Any]:
        result = await graphql.graphql(
            schema, payload["query"], variable_values=payload.get("variables"),
            operation_name=payload.get("operationName"), context_value={"request": request},
            middleware=middleware)
        return result_dict(result)

    return asgi_graphql_app(execute)


# -- Ariadne (sync resolvers under its async executor) ---------------------------------------

def ariadne_app(trail: AuditTrail) -> Any:
    import ariadne

    from auditmw.graphql import AuditResolverMiddleware

    mutation = ariadne.MutationType()
    query = ariadne.QueryType()

    @mutation.field("createAssetGroup")
    def create(_: Any, info: Any, input: dict[str, Any]) -> Any:
        return create_group(input["name"])

    @mutation.field("deleteScope")
    def delete(_: Any, info: Any, id: str) -> bool:
        require_admin(scope_user(info.context))
        return True

    @mutation.field("updateScope")
    def update(_: Any, info: Any, id: str, name: str) -> bool:
        return update_scope(id)

    mutation.set_field("ping", lambda *_: "pong")
    query.set_field("assetGroups", lambda *_: [create_group("listed")])
    query.set_field("exportView", lambda _, __, viewId: f"csv:{viewId}")
    schema = ariadne.make_executable_schema(SDL, query, mutation)
    middleware = [AuditResolverMiddleware(trail)]

    async def execute(payload: dict[str, Any], request: Any) -> dict[str, Any]:
        _, result = await ariadne.graphql(schema, payload, context_value={"request": request},
                                          middleware=middleware)
        return result

    return asgi_graphql_app(execute)


# -- Strawberry (async resolvers, a permission class) ----------------------------------------

@strawberry.type
class AssetGroup:
    id: strawberry.ID
    name: str


@strawberry.input
class AssetGroupInput:
    name: str
    token: str | None = None


class IsAdmin(BasePermission):
    message = "admin only"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        user = info.context["request"].scope.get("user")
        return bool(user and user.admin)


@strawberry.type
class Query:
    @strawberry.field
    def asset_groups(self) -> list[AssetGroup]:
        return [AssetGroup(**create_group("listed"))]  # type: ignore[arg-type]

    @strawberry.field
    def export_view(self, view_id: strawberry.ID) -> str | None:
        return f"csv:{view_id}"


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def create_asset_group(self, input: AssetGroupInput) -> AssetGroup | None:
        return AssetGroup(**create_group(input.name))  # type: ignore[arg-type]

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def delete_scope(self, id: strawberry.ID) -> bool | None:
        return True

    @strawberry.mutation
    async def update_scope(self, id: strawberry.ID, name: str) -> bool | None:
        return update_scope(id)

    @strawberry.mutation
    def ping(self) -> str | None:
        return "pong"


def strawberry_schema(trail: AuditTrail | None) -> strawberry.Schema:
    from auditmw_strawberry import AuditExtension

    extensions = [AuditExtension(trail)] if trail is not None else []
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)


def strawberry_app(trail: AuditTrail) -> Any:
    schema = strawberry_schema(trail)

    async def execute(payload: dict[str, Any], request: Any) -> dict[str, Any]:
        result = await schema.execute(
            payload["query"], variable_values=payload.get("variables"),
            operation_name=payload.get("operationName"), context_value={"request": request})
        return result_dict(result)

    return asgi_graphql_app(execute)


# -- Graphene on Flask (WSGI, sync resolvers) -------------------------------------------------

def graphene_schema() -> Any:
    import graphene

    class AssetGroup(graphene.ObjectType):
        id = graphene.ID(required=True)
        name = graphene.String(required=True)

    class AssetGroupInput(graphene.InputObjectType):
        name = graphene.String(required=True)
        token = graphene.String()

    class Query(graphene.ObjectType):
        asset_groups = graphene.List(graphene.NonNull(AssetGroup), required=True)
        export_view = graphene.String(view_id=graphene.ID(required=True))

        def resolve_asset_groups(root: Any, info: Any) -> Any:
            return [create_group("listed")]

        def resolve_export_view(root: Any, info: Any, view_id: str) -> str:
            return f"csv:{view_id}"

    class Mutation(graphene.ObjectType):
        create_asset_group = graphene.Field(AssetGroup, input=AssetGroupInput(required=True))
        delete_scope = graphene.Boolean(id=graphene.ID(required=True))
        update_scope = graphene.Boolean(id=graphene.ID(required=True),
                                        name=graphene.String(required=True))
        ping = graphene.String()

        def resolve_create_asset_group(root: Any, info: Any, input: Any) -> Any:
            return create_group(input["name"])

        def resolve_delete_scope(root: Any, info: Any, id: str) -> bool:
            require_admin(info.context.user)
            return True

        def resolve_update_scope(root: Any, info: Any, id: str, name: str) -> bool:
            return update_scope(id)

        def resolve_ping(root: Any, info: Any) -> str:
            return "pong"

    return graphene.Schema(query=Query, mutation=Mutation)


def graphene_app(trail: AuditTrail) -> Any:
    import flask

    from auditmw.graphql import AuditResolverMiddleware

    schema = graphene_schema()
    middleware = [AuditResolverMiddleware(trail)]
    app = flask.Flask("graphene_harness")

    def execute(payload: dict[str, Any]) -> dict[str, Any]:
        request = flask.request._get_current_object()  # type: ignore[attr-defined]
        request.user = USERS.get(request.headers.get("x-user", ""))
        result = schema.execute(
            payload["query"], variables=payload.get("variables"),
            operation_name=payload.get("operationName"), context_value=request,
            middleware=middleware)
        return result_dict(result)

    @app.post("/graphql")
    def endpoint() -> Any:
        body = json.loads(flask.request.get_data())
        if isinstance(body, list):
            return flask.jsonify([execute(operation_of(item)) for item in body])
        return flask.jsonify(execute(operation_of(body)))

    return app
