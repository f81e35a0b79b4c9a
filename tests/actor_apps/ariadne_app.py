"""A Starlette + Ariadne app: Starlette's ``AuthenticationMiddleware`` authenticates,
Ariadne's default context is ``{"request": request}``, resolvers read
``info.context["request"].user``."""

from __future__ import annotations

from typing import Any

from door import asgi_client, asgi_instrument

TOML = """
"""

TOKENS = {"tok-max-7c1f": ("max", "Max Ito")}


def make_app() -> Any:
    from ariadne import MutationType, make_executable_schema
    from ariadne.asgi import GraphQL
    from graphql import GraphQLError
    from starlette.applications import Starlette
    from starlette.authentication import (
        AuthCredentials,
        AuthenticationBackend,
        BaseUser,
    )
    from starlette.middleware import Middleware
    from starlette.middleware.authentication import AuthenticationMiddleware
    from starlette.routing import Mount

    class AppUser(BaseUser):
        def __init__(self, ident: str, name: str) -> None:
            self.ident, self.name = ident, name

        @property
        def is_authenticated(self) -> bool:
            return True

        @property
        def display_name(self) -> str:
            return self.name

        @property
        def identity(self) -> str:
            return self.ident

    class TokenBackend(AuthenticationBackend):
        async def authenticate(self, conn: Any) -> Any:
            header = conn.headers.get("authorization", "")
            found = TOKENS.get(header.removeprefix("Bearer "))
            return None if found is None else (AuthCredentials(["authenticated"]),
                                               AppUser(*found))

    mutation = MutationType()

    @mutation.field("createAssetGroup")
    def create(_obj: Any, info: Any, name: str) -> dict[str, str]:
        if not info.context["request"].user.is_authenticated:
            raise GraphQLError("sign in first", extensions={"code": "UNAUTHENTICATED"})
        return {"id": "g-9", "name": name}

    schema = make_executable_schema("""
        type AssetGroup { id: ID! name: String! }
        type Query { hello: String }
        type Mutation { createAssetGroup(name: String!): AssetGroup }
    """, mutation)
    return Starlette(routes=[Mount("/graphql", GraphQL(schema))],
                     middleware=[Middleware(AuthenticationMiddleware, backend=TokenBackend())])



MUTATION = 'mutation { createAssetGroup(name: "g") { id } }'


def scenario(c: Any) -> None:
    ok = c.post("/graphql/", json={"query": MUTATION},
                headers={"Authorization": "Bearer tok-max-7c1f"})
    assert "errors" not in ok.json(), ok.text
    nobody = c.post("/graphql/", json={"query": MUTATION})
    assert nobody.json()["errors"], nobody.text


EXPECTED = [
    ("createAssetGroup", "max", "Max Ito", "success"),
    ("createAssetGroup", None, None, "denied"),
]

client = asgi_client
instrument = asgi_instrument
