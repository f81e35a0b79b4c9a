"""An asset-inventory API on Starlette + Strawberry that knows nothing of auditmw.

Audited by configuration alone (see auditmw.toml beside this file):

    auditmw run -c examples/config_only/auditmw.toml -- \
        uvicorn --app-dir examples/config_only starlette_app:app --port 8000

Authentication is a stand-in: ``Authorization: Bearer <name>`` signs in ``<name>``;
``Bearer admin`` may delete scopes. A real app verifies a token; auditmw reads only the
``scope["user"]`` the app settled on.
"""

from __future__ import annotations

import itertools
import os

import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL

_ids = itertools.count(1)
GROUPS: dict[str, str] = {}


@strawberry.type
class AssetGroup:
    id: strawberry.ID
    name: str


@strawberry.type
class Query:
    @strawberry.field
    def asset_groups(self) -> list[AssetGroup]:
        return [AssetGroup(id=strawberry.ID(k), name=v) for k, v in GROUPS.items()]


@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_asset_group(self, name: str) -> AssetGroup:
        key = f"g{next(_ids)}"
        GROUPS[key] = name
        return AssetGroup(id=strawberry.ID(key), name=name)

    @strawberry.mutation
    def update_asset_group(self, id: strawberry.ID, name: str) -> AssetGroup:
        if id not in GROUPS:
            raise GraphQLError(f"no asset group {id}", extensions={"code": "NOT_FOUND"})
        GROUPS[id] = name
        return AssetGroup(id=id, name=name)

    @strawberry.mutation
    def delete_scope(self, info: strawberry.Info, id: strawberry.ID) -> bool:
        user = info.context["request"].user
        if getattr(user, "username", None) != "admin":
            raise GraphQLError("only administrators may delete scopes",
                               extensions={"code": "FORBIDDEN"})
        return True


class BearerName(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials,
                                                                 SimpleUser] | None:
        header = conn.headers.get("authorization", "")
        if header.startswith("Bearer ") and header[7:]:
            return AuthCredentials(["authenticated"]), SimpleUser(header[7:])
        return None


async def health(request: object) -> JSONResponse:
    return JSONResponse({"ok": True, "pid": os.getpid()})


schema = strawberry.Schema(Query, Mutation)
app = Starlette(
    routes=[Route("/graphql", GraphQL(schema), methods=["GET", "POST"]),
            Route("/health", health)],
    middleware=[Middleware(AuthenticationMiddleware, backend=BearerName())],
)

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
