"""The core graphql-core hook with Ariadne's own ASGI and WSGI apps (Ariadne has no
integration of its own, docs/ariadne.md): ``AuditResolverMiddleware`` by hand, ``instrument``
and the launcher's ``graphql_core`` entry point; the user from Starlette's authentication
and from WSGI ``REMOTE_USER``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ariadne
import httpx
import pytest
from ariadne.asgi import GraphQL
from ariadne.asgi.handlers import GraphQLHTTPHandler
from ariadne.wsgi import GraphQL as WsgiGraphQL
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import Mount

from auditmw.graphql import AuditResolverMiddleware, instrument, uninstrument
from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail

SDL = """
type Query { ok: Boolean }
type Group { id: ID! name: String! }
type Mutation { createGroup(name: String!): Group  deleteGroup(id: ID!): Boolean }
"""
mutation = ariadne.MutationType()


@mutation.field("createGroup")
def create_group(_: Any, info: Any, name: str) -> dict[str, str]:
    return {"id": f"grp-{name}", "name": name}


@mutation.field("deleteGroup")
async def delete_group(_: Any, info: Any, id: str) -> bool:
    raise PermissionError("admins only")


schema = ariadne.make_executable_schema(SDL, mutation)


class HeaderAuth(AuthenticationBackend):
    async def authenticate(self, conn: Any) -> Any:
        name = conn.headers.get("x-user")
        return (AuthCredentials(["authenticated"]), SimpleUser(name)) if name else None


@pytest.fixture
def trail() -> Iterator[AuditTrail]:
    audit = AuditTrail(store=False, sinks=[], delivery={"mode": "sync"})
    yield audit
    uninstrument()
    audit.close()


def starlette_app(graphql_app: Any) -> Starlette:
    return Starlette(routes=[Mount("/graphql", graphql_app)],
                     middleware=[Middleware(AuthenticationMiddleware, backend=HeaderAuth())])


async def post(app: Any, query: str, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4001))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post("/graphql/", json={"query": query}, headers=headers)


@pytest.mark.parametrize("by_hand", [True, False], ids=["middleware", "instrument"])
async def test_asgi_app_user_from_starlette_auth(trail: AuditTrail, by_hand: bool) -> None:
    if by_hand:
        handler = GraphQLHTTPHandler(middleware=[AuditResolverMiddleware(trail)])
        app = starlette_app(GraphQL(schema, http_handler=handler))
    else:
        assert instrument(trail) is True
        app = starlette_app(GraphQL(schema))
    with capture_audit_events(trail) as events:
        response = await post(app, 'mutation { createGroup(name: "a") { id } deleteGroup(id: 1) }',
                              {"x-user": "ann", "x-api-key": "k"})
    assert response.status_code == 200
    assert [(e["event"], e["outcome"]) for e in events] == \
        [("createGroup", "success"), ("deleteGroup", "denied")]
    assert {e["actor"]["id"] for e in events} == {"ann"}
    assert events[0]["target"] == {"type": "Group", "id": "grp-a", "name": "a"}
    assert {e["channel"] for e in events} == {"api"}
    assert events[0]["request"] == {"method": "POST", "path": "/graphql/"}


def test_wsgi_app_user_from_remote_user(trail: AuditTrail) -> None:
    instrument(trail)
    app = WsgiGraphQL(schema)

    def with_remote_user(environ: dict[str, Any], start_response: Any) -> Any:
        environ["REMOTE_USER"] = "carl"
        return app(environ, start_response)

    client = httpx.Client(transport=httpx.WSGITransport(app=with_remote_user),
                          base_url="http://t")
    with capture_audit_events(trail) as events, client:
        response = client.post("/", json={"query": 'mutation { createGroup(name: "w") { id } }'})
    assert response.status_code == 200, response.text
    assert [(e["event"], e["actor"]["id"], e["channel"]) for e in events] == \
        [("createGroup", "carl", "ui")]


def test_launcher_entry_point(trail: AuditTrail) -> None:
    from auditmw.graphql import installed_hook
    from auditmw.launcher.builtin import install_graphql_core

    install_graphql_core(lambda: trail)  # graphql-core is imported: the hook runs at once
    hook = installed_hook()
    assert hook is not None
    assert hook.trail is trail
    with capture_audit_events(trail) as events:
        result = ariadne.graphql_sync(
            schema, {"query": 'mutation { createGroup(name: "l") { id } }'})
    assert result[0] is True
    assert [e["event"] for e in events] == ["createGroup"]
