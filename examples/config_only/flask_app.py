"""An asset-inventory API on Flask + Ariadne that knows nothing of auditmw.

Audited by configuration alone (see auditmw.toml beside this file):

    auditmw run -c examples/config_only/auditmw.toml -- \
        flask --app examples/config_only/flask_app.py run --port 8000

Authentication is a stand-in: ``Authorization: Bearer <name>`` puts ``<name>`` in
``flask.g.user``.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

from ariadne import MutationType, QueryType, graphql_sync, make_executable_schema
from flask import Flask, g, jsonify, request
from graphql import GraphQLError

TYPE_DEFS = """
    type Query { assetGroups: [AssetGroup!]! }
    type Mutation {
        createAssetGroup(name: String!): AssetGroup!
        updateAssetGroup(id: ID!, name: String!): AssetGroup!
        deleteScope(id: ID!): Boolean!
    }
    type AssetGroup { id: ID! name: String! }
"""
_ids = itertools.count(1)
GROUPS: dict[str, str] = {}
query, mutation = QueryType(), MutationType()


@query.field("assetGroups")
def resolve_groups(*_: Any) -> list[dict[str, str]]:
    return [{"id": k, "name": v} for k, v in GROUPS.items()]


@mutation.field("createAssetGroup")
def resolve_create(_: Any, info: Any, name: str) -> dict[str, str]:
    key = f"g{next(_ids)}"
    GROUPS[key] = name
    return {"id": key, "name": name}


@mutation.field("updateAssetGroup")
def resolve_update(_: Any, info: Any, id: str, name: str) -> dict[str, str]:
    if id not in GROUPS:
        raise GraphQLError(f"no asset group {id}", extensions={"code": "NOT_FOUND"})
    GROUPS[id] = name
    return {"id": id, "name": name}


@mutation.field("deleteScope")
def resolve_delete_scope(_: Any, info: Any, id: str) -> bool:
    if getattr(g, "user", None) != "admin":
        raise GraphQLError("only administrators may delete scopes",
                           extensions={"code": "FORBIDDEN"})
    return True


schema = make_executable_schema(TYPE_DEFS, query, mutation)
app = Flask(__name__)


@app.before_request
def sign_in() -> None:
    header = request.headers.get("Authorization", "")
    g.user = header[7:] if header.startswith("Bearer ") and header[7:] else None


@app.post("/graphql")
def graphql_endpoint() -> Any:
    ok, result = graphql_sync(schema, request.get_json(silent=True) or {},
                              context_value={"request": request}, debug=False)
    return jsonify(result), 200 if ok else 400


@app.get("/health")
def health() -> Any:
    return jsonify({"ok": True, "pid": os.getpid()})


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
