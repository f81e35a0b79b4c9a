"""The doors' fast paths (issue 21) never change what is recorded.

- the GraphQL pre-filter's answers kept by body: a body seen before is answered from
  memory, and a catalogued body is still never taken for a quiet one;
- the ``Client`` of a request shared between requests with the same address, agent and
  proxy chain;
- a response body copied only when the wire's reading may still decide (the execution
  hook saw nothing run by the time the app answered) — and then the wire's fields are
  recorded: with the hook installed, a server it cannot see (not built on graphql-core)
  had its catalogued mutations go unrecorded before issue 21.

Real middlewares over small raw ASGI/WSGI apps that answer like a GraphQL server.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterable
from typing import Any

import pytest

from auditmw import asgi, wsgi
from auditmw.capture import recorder
from auditmw.capture.prefilter import MEMO_MAX_BODY, MEMO_SIZE
from auditmw.capture.recorder import Watch
from auditmw.context import current_request, execution_hook
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail

MUTATION = json.dumps({"query": 'mutation { createAssetGroup(name: "x") { id } }'}).encode()
ANSWER = b'{"data":{"createAssetGroup":{"id":"g-1"}}}'
QUIET_ANSWER = b'{"data":{"hello":"world"}}'


def quiet_body(size: int = len(MUTATION), tag: str = "") -> bytes:
    """A query nothing catalogues, padded to ``size`` bytes."""
    head = json.dumps({"query": "{ hello }", "pad": tag}).encode()
    return head[:-2] + b" " * (size - len(head)) + head[-2:]


@pytest.fixture(autouse=True)
def _no_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wire decides here (no graphql-core execution is hooked) unless a test says."""
    monkeypatch.setattr(execution_hook, "installed", False)


def trail() -> AuditTrail:
    return AuditTrail(store=False, sinks=[MemorySink()], delivery={"mode": "sync"})


def wsgi_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["seen.state"] = current_request.get()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [ANSWER if b"createAssetGroup" in body else QUIET_ANSWER]


def call_wsgi(app: Any, body: bytes, agent: str = "t/1", peer: str = "203.0.113.7"
              ) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/graphql", "SCRIPT_NAME": "",
        "QUERY_STRING": "", "REMOTE_ADDR": peer, "HTTP_USER_AGENT": agent,
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body)}
    result = app(environ, lambda status, headers, exc_info=None: None)
    assert b"".join(result) in (ANSWER, QUIET_ANSWER)
    getattr(result, "close", lambda: None)()
    return environ


def test_a_repeated_body_is_answered_from_memory_and_never_hides_a_mutation() -> None:
    quiet = quiet_body()
    assert len(quiet) == len(MUTATION)  # a memory keyed by anything short of the bytes fails
    audit = trail()
    app = wsgi.AuditMiddleware(wsgi_app, trail=audit)
    with capture_audit_events(audit) as events:
        states = [call_wsgi(app, b)["seen.state"]
                  for b in (quiet, MUTATION, quiet, MUTATION, MUTATION, quiet)]
    assert [e["event"] for e in events] == ["createAssetGroup"] * 3
    assert [s is None for s in states] == [True, False, True, False, False, True]
    assert app.capture.quiet_bodies.memo == {quiet: True, MUTATION: False}


def test_the_memory_is_bounded_and_skips_large_bodies() -> None:
    capture = wsgi.AuditMiddleware(wsgi_app, trail=trail()).capture
    for i in range(MEMO_SIZE + 5):
        assert capture.nothing_to_watch(quiet_body(80, str(i)))
    assert 0 < len(capture.quiet_bodies.memo) <= MEMO_SIZE
    large = json.dumps({"query": 'mutation { createAssetGroup(name: "x") { id } }',
                        "pad": "p" * MEMO_MAX_BODY}).encode()
    capture.quiet_bodies.memo.clear()
    assert not capture.nothing_to_watch(large)
    assert capture.nothing_to_watch(quiet_body(MEMO_MAX_BODY + 10))
    assert capture.quiet_bodies.memo == {}


def test_each_request_keeps_its_own_client() -> None:
    audit = trail()
    app = wsgi.AuditMiddleware(wsgi_app, trail=audit)
    calls = [("a/1", "203.0.113.7"), ("b/2", "203.0.113.7"), ("a/1", "198.51.100.9"),
             ("a/1", "203.0.113.7")]
    with capture_audit_events(audit) as events:
        for agent, peer in calls:
            call_wsgi(app, MUTATION, agent, peer)
    assert [(e["client"]["user_agent"], e["client"]["ip"]) for e in events] == calls


def test_the_client_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recorder, "CLIENT_MEMO_SIZE", 3)
    capture = wsgi.AuditMiddleware(wsgi_app, trail=trail()).capture
    for i in range(10):
        watch = capture.open("POST", "/graphql", b"", f"10.0.0.{i}", {})
        assert watch.state.client.ip == f"10.0.0.{i}"
    assert 0 < len(capture._clients) <= 3


# --- the response body, copied only when the wire may still decide -------------------

def asgi_app(*, runs: bool) -> Any:
    """Answers the mutation; ``runs``: the execution hook saw it execute (as a
    graphql-core server's would) before the answer started."""
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        state = current_request.get()
        if runs and state is not None:
            state.executions += 1  # what the hook notes; its facts would follow
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": ANSWER})
    return app


def run_asgi(app: Any) -> None:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": MUTATION, "more_body": False}

    async def send(_: dict[str, Any]) -> None:
        return None

    scope = {"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
             "headers": [(b"content-type", b"application/json")], "client": ("1.2.3.4", 1)}
    asyncio.run(app(scope, receive, send))


@pytest.mark.parametrize("door", ["asgi", "wsgi"])
@pytest.mark.parametrize("runs", [True, False])
def test_the_answer_is_copied_and_read_only_when_the_hook_saw_nothing_run(
        monkeypatch: pytest.MonkeyPatch, door: str, runs: bool) -> None:
    monkeypatch.setattr(execution_hook, "installed", True)
    seen: list[bytes | None] = []
    finish = Watch.finish

    def spy(self: Watch, status: int | None, encoding: str | None, body: bytes | None,
            exc: BaseException | None = None) -> bool:
        seen.append(body)
        return finish(self, status, encoding, body, exc)

    monkeypatch.setattr(Watch, "finish", spy)
    audit = trail()
    with capture_audit_events(audit) as events:
        if door == "asgi":
            run_asgi(asgi.AuditMiddleware(asgi_app(runs=runs), trail=audit))
        else:
            def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
                state = current_request.get()
                if runs and state is not None:
                    state.executions += 1
                return wsgi_app(environ, start_response)
            call_wsgi(wsgi.AuditMiddleware(app, trail=audit), MUTATION)
    if runs:  # the hook's facts are the events (none deposited here): the answer is moot
        assert seen == [None]
        assert events == []
    else:  # nothing ran that the hook saw: the wire records what the answer shows
        assert seen == [ANSWER]
        assert [e["event"] for e in events] == ["createAssetGroup"]
