"""Starlette + Strawberry, audited by auditmw.

    .venv/bin/python examples/starlette_strawberry/app.py      # http://127.0.0.1:8000/graphql

Then, for example:

    curl -s 127.0.0.1:8000/graphql -H 'content-type: application/json' \
      -H 'authorization: Bearer ann' \
      -d '{"query": "mutation { createAssetGroup(name: \"Servers\") { id name } }"}'

Events go to ``examples-audit.jsonl`` (and are printed on stdout) — see docs/capture.md.
"""

from __future__ import annotations

import itertools
import os

import strawberry
import uvicorn
from auditmw_starlette import instrument_app
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.routing import Route
from strawberry.asgi import GraphQL

from auditmw.trail import AuditTrail

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

    @strawberry.field
    def export_view(self, view_id: strawberry.ID) -> str:
        return "id,name\n" + "\n".join(f"{k},{v}" for k, v in GROUPS.items())


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
    def delete_asset_group(self, id: strawberry.ID) -> bool:
        return GROUPS.pop(id, None) is not None

    @strawberry.mutation
    def delete_scope(self, id: strawberry.ID) -> bool:
        raise GraphQLError("only administrators may delete scopes",
                           extensions={"code": "FORBIDDEN"})


class BearerName(AuthenticationBackend):
    """Demo authentication: ``Authorization: Bearer <name>``. A real app verifies a token;
    auditmw only reads the ``scope["user"]`` the app settled on."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials,
                                                                 SimpleUser] | None:
        header = conn.headers.get("authorization", "")
        if header.startswith("Bearer "):
            return AuthCredentials(["authenticated"]), SimpleUser(header[7:])
        return None


schema = strawberry.Schema(Query, Mutation)
app = Starlette(routes=[Route("/graphql", GraphQL(schema), methods=["GET", "POST"])],
                middleware=[Middleware(AuthenticationMiddleware, backend=BearerName())])
trail = AuditTrail(service="starlette-strawberry-example", store=False,
                   sinks=[{"type": "file", "path": "examples-audit.jsonl"},
                          {"type": "stdout"}])
instrument_app(app, trail)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
