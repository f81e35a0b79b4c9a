"""Flask's own tutorial app (flaskr), as the tutorial writes it: ``g.user`` is the
``sqlite3.Row`` of the signed-in user, loaded from the session before every request; the
login view re-renders the form (200) on a bad password and redirects on success."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from typing import Any

from door import flask_client, flask_instrument
from werkzeug.security import check_password_hash, generate_password_hash

TOML = """
[capture]
site_access = { routes = ["POST /auth/login"] }

[[capture.routes]]
method = "POST"
path = "/create"
event = "createAssetGroup"
success_status = [302]           # flaskr redirects to the index when it worked
denied_redirect = "/auth/login"  # and to the login page when nobody is signed in
"""

SCHEMA = """
CREATE TABLE user (id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT UNIQUE NOT NULL,
                   password TEXT NOT NULL);
CREATE TABLE post (id INTEGER PRIMARY KEY AUTOINCREMENT, author_id INTEGER NOT NULL,
                   title TEXT NOT NULL, body TEXT NOT NULL);
"""


def make_app() -> Any:
    from flask import Flask, flash, g, redirect, render_template_string, request, session

    app = Flask("flaskr")
    app.config.from_mapping(SECRET_KEY="dev", DATABASE=os.path.join(
        tempfile.mkdtemp(prefix="flaskr-"), "flaskr.sqlite"))

    def get_db() -> sqlite3.Connection:
        if "db" not in g:
            g.db = sqlite3.connect(app.config["DATABASE"])
            g.db.row_factory = sqlite3.Row
        return g.db  # type: ignore[no-any-return]

    @app.teardown_appcontext
    def close_db(_exc: BaseException | None = None) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.close()

    with app.app_context():
        db = get_db()
        db.executescript(SCHEMA)
        db.execute("INSERT INTO user (username, password) VALUES (?, ?)",
                   ("kim", generate_password_hash("kim-flaskr-pw")))
        db.commit()

    @app.before_request
    def load_logged_in_user() -> None:
        user_id = session.get("user_id")
        g.user = None if user_id is None else get_db().execute(
            "SELECT * FROM user WHERE id = ?", (user_id,)).fetchone()

    @app.route("/auth/login", methods=("GET", "POST"))
    def login() -> Any:
        if request.method == "POST":
            username, password = request.form["username"], request.form["password"]
            user = get_db().execute("SELECT * FROM user WHERE username = ?",
                                    (username,)).fetchone()
            error = None
            if user is None:
                error = "Incorrect username."
            elif not check_password_hash(user["password"], password):
                error = "Incorrect password."
            if error is None:
                session.clear()
                session["user_id"] = user["id"]
                return redirect("/")
            flash(error)
        return render_template_string("<form method=post>{{ get_flashed_messages() }}"
                                      "</form>")

    @app.route("/create", methods=("POST",))
    def create() -> Any:
        if g.user is None:
            return redirect("/auth/login")
        db = get_db()
        db.execute("INSERT INTO post (title, body, author_id) VALUES (?, ?, ?)",
                   (request.form["title"], request.form["body"], g.user["id"]))
        db.commit()
        return redirect("/")

    @app.get("/")
    def index() -> str:
        return "posts"

    return app






def scenario(c: Any) -> None:
    assert c.post("/create", data={"title": "t", "body": "b"}).status_code == 302  # nobody
    assert c.post("/auth/login", data={"username": "kim", "password": "nope-x"}
                  ).status_code == 200
    assert c.post("/auth/login", data={"username": "kim", "password": "kim-flaskr-pw"}
                  ).status_code == 302
    assert c.post("/create", data={"title": "t", "body": "b"}).status_code == 302


EXPECTED = [
    ("createAssetGroup", None, None, "denied"),
    ("siteAccess", None, "kim", "failure"),
    ("siteAccess", None, "kim", "success"),
    ("createAssetGroup", "1", "kim", "success"),
]

client = flask_client
instrument = flask_instrument
