"""FastAPI + Strawberry, audited: the HTTP middleware and the Strawberry extension together.

Start it (from the repository root)::

    .venv/bin/python examples/fastapi_strawberry/app.py

then, in another shell::

    curl -s localhost:8000/graphql -H 'content-type: application/json' -H 'x-user: ann' \\
      -d '{"query": "mutation { createAssetGroup(name: \\"Servers\\") { id name } }"}'
    .venv/bin/auditmw tail -c examples/fastapi_strawberry/auditmw.toml   # or read the .jsonl

``x-user`` stands in for real authentication (a session, a verified token): the demo's
``HeaderAuth`` puts the user in ``scope["user"]`` as Starlette's AuthenticationMiddleware
does, and auditmw reads it after the app ran. Never trust such a header in production.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import strawberry
from auditmw_starlette import instrument_app
from auditmw_strawberry import AuditExtension
from fastapi import FastAPI
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    SimpleUser,
)
from starlette.middleware.authentication import AuthenticationMiddleware
from strawberry.fastapi import GraphQLRouter
from strawberry.permission import BasePermission

from auditmw.trail import AuditTrail

HERE = Path(__file__).resolve().parent
ADMINS = {"ann"}
GROUPS: dict[str, dict[str, str]] = {}


@strawberry.type
class AssetGroup:
    id: strawberry.ID
    name: str


class IsAdmin(BasePermission):
    message = "only administrators may delete asset groups"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        user = info.context["request"].scope.get("user")
        return bool(user and user.is_authenticated and user.username in ADMINS)


@strawberry.type
class Query:
    @strawberry.field
    def asset_groups(self) -> list[AssetGroup]:
        return [AssetGroup(id=strawberry.ID(k), name=v["name"]) for k, v in GROUPS.items()]


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def create_asset_group(self, name: str) -> AssetGroup:
        if not name.strip():
            raise ValueError("name must not be blank")
        group_id = f"g{len(GROUPS) + 1}"
        GROUPS[group_id] = {"name": name}
        return AssetGroup(id=strawberry.ID(group_id), name=name)

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def delete_asset_group(self, id: strawberry.ID) -> bool:
        return GROUPS.pop(str(id), None) is not None


class HeaderAuth(AuthenticationBackend):
    """Demo only: the user named by ``x-user``."""

    async def authenticate(self, conn: Any) -> tuple[AuthCredentials, SimpleUser] | None:
        name = conn.headers.get("x-user")
        return (AuthCredentials(["authenticated"]), SimpleUser(name)) if name else None


def create_app(trail: AuditTrail) -> FastAPI:
    schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=[AuditExtension(trail)])
    app = FastAPI(title="auditmw example: FastAPI + Strawberry")
    app.include_router(GraphQLRouter(schema), prefix="/graphql")
    app.add_middleware(AuthenticationMiddleware, backend=HeaderAuth())
    return instrument_app(app, trail)


def main() -> None:
    import uvicorn

    config = os.environ.get("AUDITMW_CONFIG")
    if config is None:  # the example's own config; its files land next to it
        os.chdir(HERE)
    trail = AuditTrail.from_config(config or HERE / "auditmw.toml")
    uvicorn.run(create_app(trail), host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))


if __name__ == "__main__":
    main()
