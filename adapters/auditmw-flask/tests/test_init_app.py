"""init_app on real Flask apps: Flask-Login, g.user, idempotence."""

from __future__ import annotations

import contextlib
from typing import Any

from auditmw_flask import init_app
from flask import Flask, g, request
from flask_login import LoginManager, UserMixin, login_user

from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail

ROUTES = [{"method": "POST", "path": "/assets/{id}/resync", "event": "assetsResync",
           "target": "id"}]


class Member(UserMixin):
    def __init__(self, ident: str) -> None:
        self.id, self.name = ident, f"Member {ident}"


def make_app(trail: AuditTrail) -> Flask:
    app = Flask("adapter_test")
    app.secret_key = "test"
    LoginManager(app).user_loader(Member)

    @app.post("/assets/<id>/resync")
    def resync(id: str) -> dict[str, Any]:
        if "who" in request.args:
            login_user(Member(request.args["who"]))
        if "g" in request.args:
            g.user = {"id": "g-1", "name": "From g"}
        if id == "boom":
            raise RuntimeError("boom")
        return {"id": id}

    init_app(app, trail)
    init_app(app, trail)  # idempotent
    return app


def test_flask_login_then_g_user_then_anonymous() -> None:
    trail = AuditTrail(store=False, sinks=[MemorySink()], capture={"routes": ROUTES},
                       actor={"sources": ["flask_login", "flask_g"]})
    app = make_app(trail)
    with capture_audit_events(trail) as events:
        for query in ("?who=u7", "?g=1", "", "?who=u8"):  # a fresh client: no session
            app.test_client().post(f"/assets/a1/resync{query}").get_data()
        app.test_client().post("/assets/boom/resync?who=u9").get_data()
    assert [(e["actor"].get("id"), e["outcome"]) for e in events] == [
        ("u7", "success"), ("g-1", "success"), (None, "success"), ("u8", "success"),
        ("u9", "failure")]
    assert events[0]["actor"]["name"] == "Member u7"


def test_user_noted_after_after_request_with_no_teardown_function() -> None:
    """The user is read when full_dispatch_request ends (after ``after_request``); Flask's
    teardown functions, run for every request, watched or not, are left alone."""
    trail = AuditTrail(store=False, sinks=[MemorySink()], capture={"routes": ROUTES},
                       actor={"sources": ["flask_g"]})
    app = Flask("adapter_after")

    @app.post("/assets/<id>/resync")
    def resync(id: str) -> dict[str, Any]:
        return {"id": id}

    @app.after_request
    def late_sign_in(response: Any) -> Any:
        g.user = {"id": "late", "name": "Late"}
        return response

    init_app(app, trail)
    assert not app.teardown_request_funcs
    with capture_audit_events(trail) as events:
        app.test_client().post("/assets/a1/resync").get_data()
        app.test_client().get("/elsewhere").get_data()  # unwatched: nothing recorded
    assert [e["actor"].get("id") for e in events] == ["late"]


def test_a_streamed_body_is_followed_a_list_body_is_not() -> None:
    """The adapter marks only a werkzeug body of byte strings in a list as finished: a
    streamed one is still followed by the door (its error makes the status unknown)."""
    from flask import Response

    from auditmw.context import FieldFacts, current_request
    from auditmw.event import Target

    trail = AuditTrail(store=False, sinks=[MemorySink()], delivery={"mode": "async"})
    app = Flask("adapter_bodies")

    def ran() -> None:
        state = current_request.get()
        assert state is not None
        state.executions += 1
        state.fields.append(FieldFacts(
            event="assetsResync", response_key="resync", operation_name=None,
            outcome="success", arguments={}, target=Target(id="a1")))

    @app.post("/graphql")
    def graphql() -> Any:
        ran()
        if request.args.get("stream"):
            def chunks() -> Any:
                yield b"{"
                raise RuntimeError("broken stream")
            return Response(chunks())
        return {"data": {}}

    init_app(app, trail, execution_hook=False)
    with capture_audit_events(trail) as events:
        app.test_client().post("/graphql", data=b"not quiet")
        with contextlib.suppress(RuntimeError):
            app.test_client().post("/graphql?stream=1", data=b"not quiet").get_data()
        assert trail.flush(10)
    assert [e["request"].get("status") for e in events] == [200, None]
