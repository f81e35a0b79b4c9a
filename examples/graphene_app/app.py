"""Graphene on Flask, audited: the WSGI middleware (``auditmw_flask.init_app``) and the
Graphene resolver middleware together.

Start it (from the repository root)::

    .venv/bin/python examples/graphene_app/app.py

then, in another shell::

    curl -s localhost:5000/graphql -H 'content-type: application/json' -H 'x-user: ann' \\
      -d '{"query": "mutation { addRole(roleName: \\"auditor\\") { ok role { id name } } }"}'
    .venv/bin/auditmw tail -c examples/graphene_app/auditmw.toml   # or read the .jsonl

``x-user`` stands in for real authentication (Flask-Login, a session): the demo puts the
user on ``flask.g.user`` and on the request Graphene sees as ``info.context``. Never trust
such a header in production.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import flask
import graphene
from auditmw_flask import init_app

from auditmw.graphql import AuditResolverMiddleware
from auditmw.trail import AuditTrail

HERE = Path(__file__).resolve().parent
ADMINS = {"ann"}
ROLES: dict[str, str] = {}


class User:
    def __init__(self, name: str) -> None:
        self.id = self.username = name
        self.is_authenticated = True


class Role(graphene.ObjectType):
    id = graphene.ID()
    name = graphene.String()


class AddRole(graphene.Mutation):
    """A Graphene payload mutation: the event's target is the role it wraps."""

    class Arguments:
        role_name = graphene.String(required=True)

    ok = graphene.Boolean()
    role = graphene.Field(Role)

    def mutate(root: Any, info: Any, role_name: str) -> AddRole:
        user = info.context.user
        if user is None:
            raise PermissionError("sign in first")
        role_id = f"r{len(ROLES) + 1}"
        ROLES[role_id] = role_name
        return AddRole(ok=True, role=Role(id=role_id, name=role_name))


class DeleteRole(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True)

    ok = graphene.Boolean()

    def mutate(root: Any, info: Any, id: str) -> DeleteRole:
        user = info.context.user
        if user is None or user.username not in ADMINS:
            raise PermissionError("only administrators may delete roles")
        return DeleteRole(ok=ROLES.pop(id, None) is not None)


class Query(graphene.ObjectType):
    roles = graphene.List(Role)

    def resolve_roles(root: Any, info: Any) -> list[Role]:
        return [Role(id=k, name=v) for k, v in ROLES.items()]


class Mutation(graphene.ObjectType):
    add_role = AddRole.Field()
    delete_role = DeleteRole.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)


def create_app(trail: AuditTrail) -> flask.Flask:
    app = flask.Flask("graphene_example")
    middleware = [AuditResolverMiddleware(trail)]

    @app.before_request
    def demo_login() -> None:  # demo only: see the module docstring
        name = flask.request.headers.get("x-user")
        flask.g.user = User(name) if name else None

    @app.post("/graphql")
    def graphql_endpoint() -> Any:
        payload = json.loads(flask.request.get_data() or b"{}")
        request = flask.request._get_current_object()  # type: ignore[attr-defined]
        request.user = flask.g.user  # graphene's habit: info.context is the request
        result = schema.execute(payload.get("query", ""), variables=payload.get("variables"),
                                operation_name=payload.get("operationName"),
                                context_value=request, middleware=middleware)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        return flask.jsonify(body)

    init_app(app, trail)
    return app


def main() -> None:
    config = os.environ.get("AUDITMW_CONFIG")
    if config is None:  # the example's own config; its files land next to it
        os.chdir(HERE)
    trail = AuditTrail.from_config(config or HERE / "auditmw.toml")
    create_app(trail).run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))


if __name__ == "__main__":
    main()
