"""A FastAPI + Strawberry JWT app: the context getter verifies the bearer token and puts
the user under ``current_user`` (a dict-shaped context, as Strawberry's docs show)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import strawberry
from door import asgi_client, asgi_instrument
from fastapi import FastAPI, Request

KEY = "strawberry-app-key-0123456789abcdef"

TOML = """
[actor]
sources = ["graphql_context:current_user", "scope.user"]
"""

USERS = {"liz": {"id": "u-liz", "username": "liz", "full_name": "Liz Ng", "team": "blue"}}


def token(sub: str, key: str = KEY) -> str:
    return jwt.encode({"sub": sub, "exp": int(time.time()) + 60}, key, algorithm="HS256")


@strawberry.type
class AssetGroup:
    id: strawberry.ID
    name: str


@strawberry.type
class Query:
    @strawberry.field
    def me(self, info: strawberry.Info) -> str | None:
        user = info.context["current_user"]
        return None if user is None else str(user["username"])


@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_asset_group(self, name: str) -> AssetGroup:
        return AssetGroup(id=strawberry.ID("g-1"), name=name)


def make_app(trail: Any = None) -> Any:
    """The code route adds the schema extension (``trail`` given); config-only does not."""
    from strawberry.fastapi import GraphQLRouter

    async def get_context(request: Request) -> dict[str, Any]:
        auth = request.headers.get("authorization", "")
        user = None
        try:
            sub = jwt.decode(auth.removeprefix("Bearer "), KEY, algorithms=["HS256"])["sub"]
            user = USERS.get(sub)
        except jwt.PyJWTError:
            pass
        return {"current_user": user}

    app = FastAPI()
    extensions: list[Any] = []
    if trail is not None:
        from auditmw_strawberry import AuditExtension

        extensions.append(AuditExtension(trail))
    schema = strawberry.Schema(query=Query, mutation=Mutation, extensions=extensions)
    app.include_router(GraphQLRouter(schema, context_getter=get_context), prefix="/graphql")
    return app



MUTATION = 'mutation { createAssetGroup(name: "g") { id } }'


def scenario(c: Any) -> None:
    ok = c.post("/graphql", json={"query": MUTATION},
                headers={"Authorization": f"Bearer {token('liz')}"})
    assert ok.status_code == 200, ok.text
    assert "errors" not in ok.json(), ok.text
    forged = c.post("/graphql", json={"query": MUTATION},
                    headers={"Authorization": f"Bearer {token('liz', 'x' * 32)}"})
    assert forged.status_code == 200


EXPECTED = [
    ("createAssetGroup", "u-liz", "Liz Ng", "success"),
    ("createAssetGroup", None, None, "success"),
]

client = asgi_client
instrument = asgi_instrument
