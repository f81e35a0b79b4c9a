"""A Flask-Login app as its docs write it: a ``user_loader``, ``login_user`` in the login
view (redirect back to the login page on failure), ``@login_required`` routes."""

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
"""

PASSWORDS = {"ann": "ann-login-pw"}


def make_app() -> Any:
    from flask import Flask, redirect, request
    from flask_login import LoginManager, UserMixin, login_required, login_user

    class User(UserMixin):
        def __init__(self, ident: str) -> None:
            self.id = ident
            self.name = ident.title()

    app = Flask("flask_login_app")
    app.secret_key = "login-secret"
    manager = LoginManager(app)

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        return User(user_id) if user_id in PASSWORDS else None

    @app.post("/login")
    def login() -> Any:
        name = request.form.get("username", "")
        if PASSWORDS.get(name) != request.form.get("password"):
            return redirect("/login")
        login_user(User(name))
        return redirect("/")

    @app.post("/api/assets/<id>/resync")
    @login_required
    def resync(id: str) -> Any:
        return {"id": id}

    return app




def scenario(c: Any) -> None:
    assert c.post("/login", data={"username": "ann", "password": "bad-pw-9"}).status_code == 302
    assert c.post("/api/assets/x/resync").status_code == 401
    assert c.post("/login", data={"username": "ann", "password": "ann-login-pw"}
                  ).status_code == 302
    assert c.post("/api/assets/a1/resync").status_code == 200


EXPECTED = [
    ("siteAccess", None, "ann", "failure"),
    ("assetsResync", None, None, "denied"),
    ("siteAccess", "ann", "Ann", "success"),
    ("assetsResync", "ann", "Ann", "success"),
]

client = flask_client
instrument = flask_instrument
