"""instrument_app on real Starlette and FastAPI apps."""

from __future__ import annotations

from typing import Any

import httpx
from auditmw_starlette import instrument_app, is_instrumented
from fastapi import Depends, FastAPI, Request
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from auditmw.asgi import AuditMiddleware
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail

ROUTES = [{"method": "POST", "path": "/assets/{id}/resync", "event": "assetsResync",
           "target": "id"}]


def trail() -> AuditTrail:
    return AuditTrail(store=False, sinks=[MemorySink()], capture={"routes": ROUTES})


class User:
    """What a FastAPI dependency or auth middleware might put in ``scope["user"]``."""

    is_authenticated = True

    def __init__(self, ident: str) -> None:
        self.identity, self.display_name = ident, ident.upper()


def fastapi_app() -> FastAPI:
    app = FastAPI()

    def current_user(request: Request) -> User:
        user = User(request.headers.get("x-user", "nobody"))
        request.scope["user"] = user  # the app's own authentication decided
        return user

    @app.post("/assets/{id}/resync")
    def resync(id: str, user: User = Depends(current_user)) -> dict[str, Any]:  # noqa: B008
        return {"id": id, "by": user.identity}

    return app


async def test_fastapi_routes_are_audited_with_the_scope_user() -> None:
    t = trail()
    app = instrument_app(fastapi_app(), t)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        with capture_audit_events(t) as events:
            r = await client.post("/assets/a-1/resync", headers={"x-user": "fay"})
    assert r.json() == {"id": "a-1", "by": "fay"}
    assert [(e["event"], e["target"], e["actor"]) for e in events] == [
        ("assetsResync", {"id": "a-1"}, {"id": "fay", "name": "FAY", "type": "user"})]


async def test_instrumenting_twice_or_after_start_records_once() -> None:
    t = trail()

    async def resync(request: Any) -> JSONResponse:
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/assets/{id}/resync", resync, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        await client.post("/assets/x/resync")  # the app has started: stack is built
        instrument_app(app, t)
        instrument_app(app, t)
        assert is_instrumented(app)
        assert isinstance(app.middleware_stack, AuditMiddleware)
        with capture_audit_events(t) as events:
            await client.post("/assets/x/resync")
    assert [e["event"] for e in events] == ["assetsResync"]
