"""A one-file FastAPI app: the dependency is defined and used in the same module, so its
routes hold the function before any import hook could wrap it. The ``jwt:`` source is
tried too, after ``call:``: a verified token for a user the dependency never ran for."""

from __future__ import annotations

import time
from typing import Annotated, Any

import jwt
from door import asgi_client, asgi_instrument
from fastapi import Depends, FastAPI, Header, HTTPException

KEY = "single-file-app-key-0123456789abcdef"

TOML = f"""
[[capture.routes]]
method = "POST"
path = "/api/assets/{{id}}/resync"
event = "assetsResync"

[[capture.routes]]
method = "POST"
path = "/public/{{id}}/ping"
event = "assetsResync"

[actor]
sources = ["call:fastapi_single_app:current_user", "jwt:"]

[actor.jwt]
key = "{KEY}"
algorithms = ["HS256"]
claims = {{ id = "uid", name = "name", team = "team" }}
"""


def token(uid: str, name: str, key: str = KEY, **extra: Any) -> str:
    return jwt.encode({"uid": uid, "name": name, "team": "ops", "exp": int(time.time()) + 60,
                       **extra}, key, algorithm="HS256")


async def current_user(authorization: Annotated[str, Header()] = "") -> dict[str, Any]:
    try:
        claims = jwt.decode(authorization.removeprefix("Bearer "), KEY, algorithms=["HS256"])
    except jwt.PyJWTError:
        raise HTTPException(status_code=401) from None
    return {"id": claims["uid"], "name": claims["name"], "team": claims["team"],
            "impersonator": claims.get("imp")}


def make_app() -> Any:
    app = FastAPI()

    @app.post("/api/assets/{id}/resync")
    async def resync(id: str, user: Annotated[dict[str, Any], Depends(current_user)]) -> Any:
        return {"id": id}

    @app.post("/public/{id}/ping")
    async def ping(id: str) -> Any:  # no dependency: only the jwt: source can tell
        return {"id": id}

    return app




def scenario(c: Any) -> None:
    ok = c.post("/api/assets/a1/resync", headers={"Authorization": f"Bearer {token('u1', 'Ann')}"})
    assert ok.status_code == 200, ok.text
    acting = token("u2", "Bo", imp="admin-9")
    assert c.post("/api/assets/a2/resync",
                  headers={"Authorization": f"Bearer {acting}"}).status_code == 200
    assert c.post("/public/p1/ping",
                  headers={"Authorization": f"Bearer {token('u3', 'Cy')}"}).status_code == 200
    forged = token("u4", "Eve", key="an-attackers-key-0000000000000000")
    assert c.post("/public/p2/ping",
                  headers={"Authorization": f"Bearer {forged}"}).status_code == 200
    unsigned = jwt.encode({"uid": "u5", "name": "Mal", "exp": int(time.time()) + 60}, None,
                          algorithm="none")
    assert c.post("/public/p3/ping",
                  headers={"Authorization": f"Bearer {unsigned}"}).status_code == 200
    expired = jwt.encode({"uid": "u6", "name": "Old", "exp": int(time.time()) - 120}, KEY,
                         algorithm="HS256")
    assert c.post("/public/p4/ping",
                  headers={"Authorization": f"Bearer {expired}"}).status_code == 200


EXPECTED = [
    ("assetsResync", "u1", "Ann", "success"),
    ("assetsResync", "u2", "Bo", "success", {"id": "admin-9", "name": "admin-9",
                                             "type": "user"}),
    ("assetsResync", "u3", "Cy", "success"),
    ("assetsResync", None, None, "success"),
    ("assetsResync", None, None, "success"),
    ("assetsResync", None, None, "success"),
]

client = asgi_client
instrument = asgi_instrument
