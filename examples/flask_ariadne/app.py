"""Flask + Ariadne + Flask-Login, audited by auditmw.

    .venv/bin/python examples/flask_ariadne/app.py      # http://127.0.0.1:5000/graphql

Then, for example:

    curl -s 127.0.0.1:5000/graphql -H 'content-type: application/json' \
      -H 'authorization: Bearer ann' \
      -d '{"query": "mutation { createAssetGroup(name: \"Servers\") { id name } }"}'

Events go to ``examples-audit.jsonl`` (and are printed on stdout) — see docs/capture.md.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

from ariadne import MutationType, QueryType, graphql_sync, make_executable_schema
from auditmw_flask import init_app
from flask import Flask, jsonify, request
from flask_login import LoginManager, UserMixin
from graphql import GraphQLError

from auditmw.trail import AuditTrail

TYPE_DEFS = """
type AssetGroup { id: ID! name: String! }
type Query { assetGroups: [AssetGroup!]! exportView(viewId: ID!): String! }
type Mutation {
  createAssetGroup(name: String!): AssetGroup!
  updateAssetGroup(id: ID!, name: String!): AssetGroup!
  deleteAssetGroup(id: ID!): Boolean!
  deleteScope(id: ID!): Boolean
}
"""
_ids = itertools.count(1)
GROUPS: dict[str, str] = {}
query, mutation = QueryType(), MutationType()


@query.field("assetGroups")
def asset_groups(*_: Any) -> list[dict[str, str]]:
    return [{"id": k, "name": v} for k, v in GROUPS.items()]


@query.field("exportView")
def export_view(*_: Any, viewId: str) -> str:
    return "id,name\n" + "\n".join(f"{k},{v}" for k, v in GROUPS.items())


@mutation.field("createAssetGroup")
def create_asset_group(*_: Any, name: str) -> dict[str, str]:
    key = f"g{next(_ids)}"
    GROUPS[key] = name
    return {"id": key, "name": name}


@mutation.field("updateAssetGroup")
def update_asset_group(*_: Any, id: str, name: str) -> dict[str, str]:
    if id not in GROUPS:
        raise GraphQLError(f"no asset group {id}", extensions={"code": "NOT_FOUND"})
    GROUPS[id] = name
    return {"id": id, "name": name}


@mutation.field("deleteAssetGroup")
def delete_asset_group(*_: Any, id: str) -> bool:
    return GROUPS.pop(id, None) is not None


@mutation.field("deleteScope")
def delete_scope(*_: Any, id: str) -> bool:
    raise GraphQLError("only administrators may delete scopes", extensions={"code": "FORBIDDEN"})


schema = make_executable_schema(TYPE_DEFS, query, mutation)
app = Flask(__name__)
app.secret_key = os.environ.get("SECRET_KEY", "example-only")
login_manager = LoginManager(app)


class User(UserMixin):
    def __init__(self, name: str) -> None:
        self.id = name
        self.name = name.title()


@login_manager.request_loader
def user_from_header(req: Any) -> User | None:
    """Demo authentication: ``Authorization: Bearer <name>``. A real app verifies a token;
    auditmw only reads Flask-Login's ``current_user`` the app settled on."""
    header = req.headers.get("Authorization", "")
    return User(header[7:]) if header.startswith("Bearer ") else None


@app.post("/graphql")
def graphql_server() -> Any:
    ok, result = graphql_sync(schema, request.get_json(silent=True) or {},
                              context_value={"request": request})
    return jsonify(result), 200 if ok else 400


trail = AuditTrail(service="flask-ariadne-example", store=False,
                   sinks=[{"type": "file", "path": "examples-audit.jsonl"},
                          {"type": "stdout"}])
init_app(app, trail)

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
