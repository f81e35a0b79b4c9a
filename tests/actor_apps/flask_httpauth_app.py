"""A Flask-HTTPAuth app as its docs write it: ``verify_password`` returns the username."""

from __future__ import annotations

from typing import Any

from door import flask_client, flask_instrument

TOML = """
[[capture.routes]]
method = "POST"
path = "/api/assets/{id}/resync"
event = "assetsResync"
target = "id"
"""


def make_app() -> Any:
    from flask import Flask
    from flask_httpauth import HTTPBasicAuth

    app = Flask("flask_httpauth_app")
    auth = HTTPBasicAuth()

    @auth.verify_password
    def verify_password(username: str, password: str) -> str | None:
        return username if (username, password) == ("joe", "joe-basic-pw") else None

    @app.post("/api/assets/<id>/resync")
    @auth.login_required
    def resync(id: str) -> Any:
        return {"id": id, "by": auth.current_user()}

    return app




def scenario(c: Any) -> None:
    import base64

    good = base64.b64encode(b"joe:joe-basic-pw").decode()
    bad = base64.b64encode(b"joe:guess").decode()
    assert c.post("/api/assets/a1/resync",
                  headers={"Authorization": f"Basic {good}"}).status_code == 200
    assert c.post("/api/assets/a2/resync",
                  headers={"Authorization": f"Basic {bad}"}).status_code == 401


EXPECTED = [
    ("assetsResync", "joe", "joe", "success"),
    ("assetsResync", None, None, "denied"),
]

client = flask_client
instrument = flask_instrument
