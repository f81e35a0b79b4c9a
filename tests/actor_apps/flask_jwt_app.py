"""A flask-jwt-extended app as its docs write it: ``/login`` returns an access token,
``@jwt_required()`` routes, a ``user_lookup_loader`` for the current user."""

from __future__ import annotations

from typing import Any

from door import flask_client, flask_instrument

TOML = """
[capture]
site_access = { routes = ["POST /login"] }

[[capture.routes]]
method = "POST"
path = "/api/assets/{id}/resync"
event = "assetsResync"
target = "id"

[[capture.routes]]
method = "POST"
path = "/api/ping"
event = "assetsResync"
"""

USERS = {"dee": {"id": 31, "username": "dee", "display_name": "Dee Ray", "password": "dee-pw"}}


def make_app() -> Any:
    from flask import Flask, jsonify, request
    from flask_jwt_extended import (
        JWTManager,
        create_access_token,
        jwt_required,
    )

    app = Flask("flask_jwt_app")
    app.config["JWT_SECRET_KEY"] = "flask-jwt-extended-secret-0123456789"
    jwt = JWTManager(app)

    @jwt.user_lookup_loader
    def lookup(_header: Any, data: dict[str, Any]) -> Any:
        row = USERS.get(data["sub"])
        return None if row is None else {k: v for k, v in row.items() if k != "password"}

    @app.post("/login")
    def login() -> Any:
        body = request.get_json()
        row = USERS.get(body.get("username", ""))
        if row is None or row["password"] != body.get("password"):
            return jsonify({"msg": "Bad username or password"}), 401
        return jsonify(access_token=create_access_token(identity=row["username"]))

    @app.post("/api/assets/<id>/resync")
    @jwt_required()
    def resync(id: str) -> Any:
        return jsonify(id=id)

    @app.post("/api/ping")
    @jwt_required(optional=True)
    def ping() -> Any:
        return jsonify(ok=True)

    return app




def scenario(c: Any) -> None:
    assert c.post("/login", json={"username": "dee", "password": "no"}).status_code == 401
    token = c.post("/login", json={"username": "dee", "password": "dee-pw"}).json["access_token"]
    assert c.post("/api/assets/a1/resync",
                  headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert c.post("/api/assets/a2/resync").status_code == 401
    assert c.post("/api/ping").status_code == 200


EXPECTED = [
    ("siteAccess", None, "dee", "denied"),
    ("siteAccess", None, "dee", "success"),
    ("assetsResync", "31", "Dee Ray", "success"),
    ("assetsResync", None, None, "denied"),
    ("assetsResync", None, None, "success"),
]

client = flask_client
instrument = flask_instrument
