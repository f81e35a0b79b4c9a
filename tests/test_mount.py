"""``server.mount = true``: the audit pages inside the audited app, nothing else changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from auditmw.server.mount import MountedAuditServer, mount_into_starlette, mount_wsgi
from auditmw.store.keys import KeyStore
from auditmw.trail import AuditTrail


@pytest.fixture
def trail(tmp_path: Path) -> AuditTrail:
    made = AuditTrail(store=f"sqlite:///{tmp_path / 'a.db'}", sinks=[],
                      server={"mount": True, "prefix": "/audit"})
    made.record("siteAccess", actor={"id": "u1", "name": "Ann"})
    made.flush()
    return made


def _app_events(items: list[dict[str, Any]]) -> list[str]:
    """The events the app recorded, without the audit server's own reads."""
    return [i["event"] for i in items if i["event"] != "exportAuditTrail"]


async def hello(request: Any) -> PlainTextResponse:
    return PlainTextResponse("hello from the app")


async def get(app: Any, path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path, headers=headers)


async def test_starlette_mount_route(trail: AuditTrail) -> None:
    app = Starlette(routes=[Route("/", hello), Route("/audit-like", hello)])
    assert mount_into_starlette(app, trail)
    assert not mount_into_starlette(app, trail)  # never twice
    assert (await get(app, "/")).text == "hello from the app"
    assert (await get(app, "/audit-like")).text == "hello from the app"
    refused = await get(app, "/audit/api/audit-trail")
    assert refused.status_code == 401
    assert refused.json() == {"message": "Incorrect Accesskey"}
    spec = await get(app, "/audit/openapi.json")
    assert spec.status_code == 200
    _, key = KeyStore(trail.store).create("ops", ["audit_logs"])
    granted = await get(app, "/audit/api/audit-trail", accessKey=key)
    assert granted.status_code == 200
    # the refusal above is an exportAuditTrail event of its own, stored once delivered
    assert _app_events(granted.json()["items"]) == ["siteAccess"]


async def test_raw_asgi_dispatcher(trail: AuditTrail) -> None:
    app = MountedAuditServer(Starlette(routes=[Route("/", hello)]), trail)
    assert (await get(app, "/")).text == "hello from the app"
    assert (await get(app, "/audit/api/audit-trail")).status_code == 401
    redirect = await get(app, "/audit")
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "/audit/"


def test_flask_mount_through_a2wsgi(trail: AuditTrail) -> None:
    flask_app = Flask("host")
    flask_app.add_url_rule("/", "hello", lambda: "hello from flask")
    flask_app.wsgi_app = mount_wsgi(flask_app.wsgi_app, trail)  # type: ignore[method-assign]
    client = flask_app.test_client()
    assert client.get("/").text == "hello from flask"
    refused = client.get("/audit/api/audit-trail")
    assert refused.status_code == 401
    assert refused.json == {"message": "Incorrect Accesskey"}
    _, key = KeyStore(trail.store).create("ops", ["audit_logs"])
    granted = client.get("/audit/api/audit-trail", headers={"accessKey": key})
    assert granted.status_code == 200
    assert _app_events(granted.json["items"]) == ["siteAccess"]


def test_mount_off_changes_nothing(tmp_path: Path) -> None:
    trail = AuditTrail(store=f"sqlite:///{tmp_path / 'b.db'}", sinks=[])
    app = Starlette(routes=[Route("/", hello)])
    assert not mount_into_starlette(app, trail)
    assert len(app.router.routes) == 1
