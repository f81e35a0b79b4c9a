"""Flask + Ariadne as a user writes it, for the installed-wheel tests.

``AUDIT_BY_CODE=1``: audited by the documented lines (``init_app`` and Ariadne's
``AuditResolverMiddleware``); otherwise it knows nothing of auditmw (``auditmw run``).
"""

from __future__ import annotations

import os
from typing import Any

from ariadne import MutationType, QueryType, graphql_sync, make_executable_schema
from flask import Flask, jsonify, request

TYPE_DEFS = """
type Query { ping: String! }
type Mutation {
  createAssetGroup(name: String!): String!
  deleteScope(id: ID!): Boolean!
  renameNothing(name: String!): String!
}
"""
query, mutation = QueryType(), MutationType()


@query.field("ping")
def resolve_ping(*_: Any) -> str:
    return "pong"


@mutation.field("createAssetGroup")
def resolve_create(_obj: Any, _info: Any, name: str) -> str:
    return f"group-{name}"


@mutation.field("deleteScope")
def resolve_delete(_obj: Any, _info: Any, id: str) -> bool:
    return True


@mutation.field("renameNothing")
def resolve_rename(_obj: Any, _info: Any, name: str) -> str:
    return name


schema = make_executable_schema(TYPE_DEFS, query, mutation)
app = Flask(__name__)
middleware: list[Any] = []
if os.environ.get("AUDIT_BY_CODE"):
    from auditmw_flask import init_app

    from auditmw import AuditTrail
    from auditmw.graphql import AuditResolverMiddleware

    trail = AuditTrail.from_config(os.environ["APP_AUDIT_CONFIG"])
    init_app(app, trail)
    middleware = [AuditResolverMiddleware(trail)]


@app.post("/graphql")
def graphql_endpoint() -> Any:
    ok, result = graphql_sync(schema, request.get_json(), context_value={"request": request},
                              middleware=middleware)
    return jsonify(result), 200 if ok else 400


@app.get("/health")
def health() -> Any:
    return jsonify(status="ok")
