"""A FastAPI app whose routes authenticate with ``Depends(get_current_user)`` from another
module (the full-stack template's layout): nothing sets ``scope["user"]``."""

from __future__ import annotations

from typing import Annotated, Any

from door import asgi_client, asgi_instrument
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordRequestForm
from fastapi_jwt_deps import CurrentUser, authenticate, create_access_token

TOML = """
[capture]
site_access = { routes = ["POST /login/access-token"] }

[[capture.routes]]
method = "POST"
path = "/api/assets/{id}/resync"
event = "assetsResync"
target = "id"

[actor]
sources = ["call:fastapi_jwt_deps:get_current_user", "scope.user"]
"""


def make_app() -> Any:
    app = FastAPI()

    @app.post("/login/access-token")
    def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
        user = authenticate(form.username, form.password)
        if user is None:
            raise HTTPException(status_code=400, detail="Incorrect email or password")
        return {"access_token": create_access_token(user.email), "token_type": "bearer"}

    @app.post("/api/assets/{id}/resync")
    def resync(id: str, current_user: CurrentUser) -> dict[str, str]:
        return {"id": id, "by": current_user.email}

    @app.get("/health")
    def health() -> str:
        return "ok"

    return app






def scenario(c: Any) -> None:
    bad = c.post("/login/access-token", data={"username": "kim@example.com",
                                              "password": "wrong-guess-77"})
    assert bad.status_code == 400, bad.text
    token = c.post("/login/access-token", data={"username": "kim@example.com",
                                                "password": "kim-pw-1"}).json()["access_token"]
    assert c.post("/api/assets/a1/resync",
                  headers={"Authorization": f"Bearer {token}"}).status_code == 200
    from fastapi_jwt_deps import create_access_token as mint

    forged = mint("sam@example.com", key="not-the-server-key-at-all-000000")
    assert c.post("/api/assets/a2/resync",
                  headers={"Authorization": f"Bearer {forged}"}).status_code == 403
    assert c.post("/api/assets/a3/resync").status_code == 401


EXPECTED = [
    ("siteAccess", None, "kim@example.com", "failure"),
    ("siteAccess", None, "kim@example.com", "success"),
    ("assetsResync", "7", "Kim Lee", "success"),
    ("assetsResync", None, None, "denied"),
    ("assetsResync", None, None, "denied"),
]

client = asgi_client
instrument = asgi_instrument
