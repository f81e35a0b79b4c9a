"""The WSGI middleware against a real Flask + Ariadne + Flask-Login app."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw.delivery.direct import DirectDispatcher
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail
from auditmw.wsgi import AuditMiddleware
from support.capture_apps import flask_app


def make_trail(**options: Any) -> AuditTrail:
    return AuditTrail(store=False, sinks=[MemorySink()], **options)


def post(client: Any, query: str, path: str = "/graphql", **kwargs: Any) -> Any:
    response = client.post(path, json={"query": query}, **kwargs)
    response.get_data()  # the events are recorded once the body has been sent
    return response


def test_a_mutation_with_the_flask_login_user() -> None:
    trail = make_trail()
    client = flask_app(trail).test_client()
    with capture_audit_events(trail) as events:
        r = post(client, 'mutation { g: createAssetGroup(name: "Racks") { id name } }',
                 headers={"Authorization": "Bearer eve"},
                 environ_base={"REMOTE_ADDR": "198.51.100.23"})
    assert r.status_code == 200
    (event,) = events
    assert event["event"] == "createAssetGroup"
    assert event["actor"] == {"id": "eve", "name": "Eve", "type": "user"}
    assert event["client"]["ip"] == "198.51.100.23"
    assert event["channel"] == "api"
    assert event["target"]["id"] == r.get_json()["data"]["g"]["id"]


def test_g_user_is_the_actor_without_flask_login() -> None:
    trail = make_trail()
    client = flask_app(trail).test_client()
    with capture_audit_events(trail) as events:
        post(client, 'mutation { deleteAssetGroup(id: "9") }', path="/legacy/graphql")
    # not a configured GraphQL path, but it executed: the execution hook records it
    assert [(e["event"], e["request"]["path"]) for e in events] == [
        ("deleteAssetGroup", "/legacy/graphql")]
    trail = make_trail(capture={"graphql_paths": ["/graphql", "/legacy/graphql"]},
                       actor={"sources": ["flask_login", "flask_g"]})
    client = flask_app(trail).test_client()
    with capture_audit_events(trail) as events:
        post(client, 'mutation { deleteAssetGroup(id: "9") }', path="/legacy/graphql")
    assert [(e["event"], e["actor"]) for e in events] == [
        ("deleteAssetGroup", {"id": "legacy-7", "name": "Legacy", "type": "user"})]


@pytest.mark.parametrize(("query", "outcome", "error_type"), [
    pytest.param('mutation { deleteAssetGroup(id: "1") }', "success", None, id="success"),
    pytest.param('mutation { deleteAssetGroup(id: "missing") }', "failure", "ValueError",
                 id="resolver-error"),
    pytest.param('mutation { deleteScope(id: "1") }', "denied", "FORBIDDEN", id="forbidden"),
])
def test_outcomes(query: str, outcome: str, error_type: str | None) -> None:
    trail = make_trail()
    client = flask_app(trail).test_client()
    with capture_audit_events(trail) as events:
        post(client, query)
    (event,) = events
    assert event["outcome"] == outcome
    assert (event.get("error") or {}).get("type") == error_type


def test_a_document_refused_by_validation_ran_nothing_and_records_nothing() -> None:
    """Only what ran: init_app installed the execution hook, which saw no execution."""
    trail = make_trail()
    client = flask_app(trail).test_client()
    with capture_audit_events(trail) as events:
        answer = post(client, "mutation { deleteAssetGroup }")
    assert answer.status_code == 400
    assert events == []


def test_an_exception_in_the_view_is_recorded_and_the_app_answers_as_usual() -> None:
    trail = make_trail(capture={"routes": [{"method": "POST", "path": "/boom",
                                            "event": "assetsResync"}]})
    app = flask_app(trail)
    client = app.test_client()
    with capture_audit_events(trail) as events:
        r = client.post("/boom")
        r.get_data()
    assert r.status_code == 500  # Flask's own error handling, unchanged
    assert [(e["event"], e["outcome"], e["request"]["status"]) for e in events] == [
        ("assetsResync", "failure", 500)]


def test_streamed_responses_stay_streamed_and_are_recorded_at_the_end() -> None:
    trail = make_trail(capture={"routes": [{"method": "GET", "path": "/stream",
                                            "event": "exportView"}]})
    client = flask_app(trail).test_client()
    with capture_audit_events(trail) as events:
        r = client.get("/stream", buffered=False)
        first = next(iter(r.response))
        assert events == []  # not before the last chunk
        rest = b"".join(r.response)
        r.close()
    assert first + rest == b"part 0\npart 1\npart 2\npart 3\n"
    assert [e["event"] for e in events] == ["exportView"]


def test_the_request_state_is_visible_to_the_app_thread() -> None:
    from auditmw.context import current_request

    trail = make_trail()
    seen: list[Any] = []

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        seen.append(current_request.get())
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"data": {"deleteAssetGroup": true}}']

    wrapped = AuditMiddleware(app, trail=trail)
    body = b'{"query": "mutation { deleteAssetGroup(id: \\"1\\") }"}'
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/graphql", "SCRIPT_NAME": "",
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
               "wsgi.input": io.BytesIO(body), "REMOTE_ADDR": "192.0.2.5"}
    with capture_audit_events(trail) as events:
        b"".join(wrapped(environ, lambda *a: None))
    assert seen[0] is not None
    assert seen[0].path == "/graphql"
    assert current_request.get() is None  # nothing left behind in the thread
    assert [e["event"] for e in events] == ["deleteAssetGroup"]


class BrokenSink(MemorySink):
    def write(self, events: Sequence[dict[str, Any]]) -> None:
        raise OSError("disk full")


def test_fail_closed_for_wsgi() -> None:
    trail = AuditTrail(delivery={"mode": "sync", "fail_closed": True},
                       dispatcher=DirectDispatcher([BrokenSink("broken")]))
    client = flask_app(trail).test_client()
    first = post(client, 'mutation { deleteAssetGroup(id: "1") }')
    second = post(client, 'mutation { deleteAssetGroup(id: "2") }')
    harmless = client.get("/health")
    assert (first.status_code, second.status_code, harmless.status_code) == (503, 503, 200)
    assert first.get_json() == {"message": "Audit trail unavailable"}


# --- transparency (WSGI) ---------------------------------------------------------------

def echo(status: str, chunks: list[bytes]) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        data = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(status, [("Content-Type", "application/json"),
                                ("X-Len", str(len(data)))])
        yield data[:50]
        yield from chunks

    return app


def call(app: Any, body: bytes, path: str) -> tuple[list[Any], list[bytes]]:
    started: list[Any] = []
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "",
               "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/json",
               "wsgi.input": io.BytesIO(body), "REMOTE_ADDR": "192.0.2.9"}
    result = app(environ, lambda status, headers, *exc: started.append((status, headers)))
    chunks = list(result)
    getattr(result, "close", lambda: None)()
    return started, chunks


TRAIL = make_trail(capture={"max_body_bytes": 2048})
names = st.sampled_from(['{"query": "mutation { createAssetGroup(name: \\"x\\") { id } }"}',
                         "deleteScope", "{", "}", "mutation", '"', "\\u0063", "[", "]"])


@settings(max_examples=100, deadline=None)
@given(body=st.one_of(st.binary(max_size=400), st.lists(names, max_size=40).map(
           lambda p: "".join(p).encode())),
       status=st.sampled_from(["200 OK", "403 Forbidden", "500 Internal Server Error"]),
       chunks=st.lists(st.binary(max_size=100), max_size=5),
       path=st.sampled_from(["/graphql", "/graphql/", "/x"]))
def test_wsgi_changes_no_byte(body: bytes, status: str, chunks: list[bytes],
                              path: str) -> None:
    assert call(AuditMiddleware(echo(status, chunks), trail=TRAIL), body, path) == call(
        echo(status, chunks), body, path)
