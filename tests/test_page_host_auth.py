"""``host_auth``: which host-app users the mounted page (and its API calls) accept."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from starlette.authentication import SimpleUser, UnauthenticatedUser

from auditmw.event import Actor
from auditmw.server.host_auth import host_actor, resolve_host_auth, scope_user


@pytest.mark.parametrize(("user", "expected"), [
    pytest.param(SimpleUser("ann"), Actor(id="ann", name="ann"), id="starlette-simple-user"),
    pytest.param(UnauthenticatedUser(), None, id="starlette-unauthenticated"),
    pytest.param(None, None, id="no-user"),
    pytest.param(SimpleNamespace(is_authenticated=True, id=7, name="Bob", team="ops"),
                 Actor(id="7", name="Bob", team="ops"), id="id-name-team"),
    pytest.param(SimpleNamespace(is_authenticated="yes", id=7), None,
                 id="truthy-but-not-True-is-refused"),
    pytest.param(SimpleNamespace(is_authenticated=True), None, id="no-identity-is-refused"),
    pytest.param({"is_authenticated": True, "id": "x"}, None, id="a-dict-is-not-a-user"),
])
def test_scope_user(user: Any, expected: Actor | None) -> None:
    assert scope_user({"type": "http", "user": user}) == expected


def test_resolve_host_auth() -> None:
    def admins_only(scope: Any) -> Actor | None:
        return None

    assert resolve_host_auth(None) is None
    assert resolve_host_auth(False) is None
    assert resolve_host_auth(True) is scope_user
    assert resolve_host_auth(admins_only) is admins_only
    with pytest.raises(TypeError, match="host_auth must be a bool or a callable"):
        resolve_host_auth("yes")  # type: ignore[arg-type]


def test_a_failing_or_odd_callable_means_no_user(caplog: pytest.LogCaptureFixture) -> None:
    def broken(scope: Any) -> Actor | None:
        raise RuntimeError("session store down")

    assert host_actor(broken, {}) is None
    assert "host_auth callable failed" in caplog.text
    assert host_actor(lambda scope: "ann", {}) is None  # type: ignore[arg-type,return-value]
    assert host_actor(None, {"user": SimpleUser("ann")}) is None
    assert host_actor(scope_user, {"user": SimpleUser("ann")}) == Actor(id="ann", name="ann")


@pytest.mark.parametrize(("server", "mode"), [
    pytest.param({}, "key", id="default-asks-for-a-key"),
    pytest.param({"host_auth": True}, "host", id="config-flag"),
])
async def test_the_page_is_told_which_access_to_use(tmp_path: Any, server: dict[str, Any],
                                                    mode: str) -> None:
    import httpx

    from auditmw.server import create_app
    from auditmw.trail import AuditTrail

    trail = AuditTrail(store=f"sqlite:///{tmp_path / 'a.db'}", sinks=[], server=server)
    app = create_app(trail)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://audit.test") as client:
        html = (await client.get("/")).text
        # Without a signed-in user, host mode still needs a key.
        refused = await client.get("/api/audit-trail")
    trail.close()
    assert f'<meta name="auditmw-auth" content="{mode}">' in html
    assert refused.status_code == 401
