"""What the request's thread copies for the events built later (issue 21).

In async mode a request's events are built in a delivery thread, after the response:
everything they say must be what the request was when it was live. Each test holds the
trail's build lock while the request runs and then changes the request's own objects
(the user, the header list, the environ) before the build may run; the events must show
the request as it was.
"""

from __future__ import annotations

import asyncio
from typing import Any

from auditmw.asgi import AuditMiddleware as AsgiMiddleware
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail
from auditmw.wsgi import AuditMiddleware as WsgiMiddleware

ROUTES = [{"method": "POST", "path": "/api/assets/{id}/resync", "event": "assetsResync",
           "target": "id"}]


class User:
    def __init__(self, ident: str, name: str) -> None:
        self.id, self.name = ident, name


def make_trail() -> AuditTrail:
    trail = AuditTrail(store=False, sinks=[MemorySink()], capture={"routes": ROUTES},
                       delivery={"mode": "async"})
    assert trail.policy.build_later  # the events are built after the response
    return trail


def test_asgi_user_and_headers_as_they_were_when_the_response_ended() -> None:
    trail = make_trail()
    user = User("u1", "Ann")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        scope["user"] = user
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    audited = AsgiMiddleware(app, trail=trail)
    headers = [(b"user-agent", b"client/1"), (b"x-request-id", b"r-1")]
    scope = {"type": "http", "method": "POST", "path": "/api/assets/a7/resync",
             "query_string": b"", "headers": headers, "client": ("203.0.113.5", 1)}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_: Any) -> None:
        return None

    with capture_audit_events(trail) as events:
        with trail._prepare_lock:  # no event is built until the request is changed
            asyncio.run(audited(scope, receive, send))
            user.id, user.name = "u2", "Mallory"
            headers[:] = [(b"user-agent", b"changed/9"), (b"x-request-id", b"r-9")]
            scope["client"] = ("198.51.100.9", 2)
        assert trail.flush(10)
    assert len(events) == 1
    event = events[0]
    assert (event["actor"]["id"], event["actor"]["name"]) == ("u1", "Ann")
    assert event["client"]["user_agent"] == "client/1"
    assert event["client"]["ip"] == "203.0.113.5"
    assert event["request"]["id"] == "r-1"
    trail.close()


def test_wsgi_headers_as_they_were_when_the_request_came() -> None:
    trail = make_trail()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        environ["HTTP_USER_AGENT"] = "rewritten/2"  # the app's own change, too late
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]

    audited = WsgiMiddleware(app, trail=trail)
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/assets/a7/resync",
               "SCRIPT_NAME": "", "QUERY_STRING": "", "REMOTE_ADDR": "203.0.113.6",
               "HTTP_USER_AGENT": "client/1", "HTTP_X_REQUEST_ID": "r-1",
               "CONTENT_LENGTH": "0"}
    with capture_audit_events(trail) as events:
        with trail._prepare_lock:
            result = audited(environ, lambda *a: None)
            list(result)
            getattr(result, "close", lambda: None)()
            environ.update(HTTP_X_REQUEST_ID="r-9", REMOTE_ADDR="198.51.100.9")
        assert trail.flush(10)
    assert len(events) == 1
    event = events[0]
    assert event["client"]["user_agent"] == "client/1"
    assert event["client"]["ip"] == "203.0.113.6"
    assert event["request"]["id"] == "r-1"
    trail.close()


def test_wsgi_events_recorded_at_the_apps_return_only_for_a_finished_body() -> None:
    """With the execution hook's facts, a list body is not followed (the events are
    recorded when the app returns); a generator body still is, with the request's
    state current while it runs, and its error still makes the status unknown."""
    from auditmw.context import FieldFacts, current_request
    from auditmw.event import Target

    trail = make_trail()
    seen_states: list[object] = []

    def fact() -> FieldFacts:
        return FieldFacts(event="assetsResync", response_key="resync", operation_name=None,
                          outcome="success", arguments={}, target=Target(id="a1"))

    def finite(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        state = current_request.get()
        assert state is not None
        state.executions += 1
        state.fields.append(fact())
        start_response("200 OK", [])
        return [b"{}"]

    def lazy(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", [])
        state = current_request.get()
        assert state is not None
        state.executions += 1

        def body() -> Any:
            seen_states.append(current_request.get())
            state.fields.append(fact())
            yield b"{"
            raise RuntimeError("broken stream")

        return body()

    def environ() -> dict[str, Any]:
        return {"REQUEST_METHOD": "POST", "PATH_INFO": "/graphql", "SCRIPT_NAME": "",
                "QUERY_STRING": "", "REMOTE_ADDR": "203.0.113.6", "CONTENT_LENGTH": "2",
                "wsgi.input": __import__("io").BytesIO(b"{}")}

    with capture_audit_events(trail) as events:
        result = WsgiMiddleware(finite, trail=trail)(environ(), lambda *a: None)
        assert type(result) is list  # the app's own body, not followed
        result = WsgiMiddleware(lazy, trail=trail)(environ(), lambda *a: None)
        chunks = []
        try:
            for chunk in result:
                chunks.append(chunk)
        except RuntimeError:
            pass
        assert trail.flush(10)
    assert chunks == [b"{"]
    assert seen_states
    assert seen_states[0] is not None  # the state was current
    assert [(e["event"], e["request"].get("status")) for e in events] == [
        ("assetsResync", 200), ("assetsResync", None)]
    trail.close()
