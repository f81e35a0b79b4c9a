"""The ASGI middleware against a real Starlette + Strawberry app (httpx in process)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest

from auditmw.asgi import AuditMiddleware
from auditmw.context import FieldFacts, current_request
from auditmw.delivery.direct import DirectDispatcher
from auditmw.event import Actor, Target
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail
from support.capture_apps import lenient_app, starlette_app

ROUTES = [{"method": "POST", "path": "/api/assets/{id}/resync", "event": "assetsResync",
           "target": "id"}]


def make_trail(**capture: Any) -> AuditTrail:
    return AuditTrail(store=False, sinks=[MemorySink()], capture={"routes": ROUTES, **capture})


@pytest.fixture
def trail() -> AuditTrail:
    return make_trail()


@pytest.fixture
async def client(trail: AuditTrail) -> AsyncIterator[httpx.AsyncClient]:
    app = AuditMiddleware(starlette_app(), trail=trail)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def gql(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None, **extra: Any) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, "variables": variables,
                                               **extra}, headers=headers)


def names(events: Sequence[dict[str, Any]]) -> list[str]:
    return [e["event"] for e in events]


async def test_a_catalogued_mutation_is_one_event_with_target_actor_and_client(
        client: httpx.AsyncClient, trail: AuditTrail) -> None:
    with capture_audit_events(trail) as events:
        r = await gql(client, "mutation Make($n: String!) { createAssetGroup(name: $n) "
                      "{ id name } }", {"n": "Servers"}, {"authorization": "Bearer ann"})
    assert r.status_code == 200
    (event,) = events
    assert event["event"] == "createAssetGroup"
    assert event["category"] == "inventory_configuration"
    assert event["outcome"] == "success"
    assert event["source"] == "graphql"
    assert event["channel"] == "api"
    assert event["actor"] == {"id": "ann", "name": "ann", "type": "user"}
    assert event["client"]["ip"] == "203.0.113.9"
    assert event["details"] == {"name": "Servers"}
    returned = r.json()["data"]["createAssetGroup"]
    assert event["target"] == {"id": returned["id"], "name": "Servers"}
    assert event["request"] == {"method": "POST", "path": "/graphql", "status": 200,
                                "operation": "Make"}


async def test_an_aliased_mutation_matches_by_field_name(client: httpx.AsyncClient,
                                                          trail: AuditTrail) -> None:
    with capture_audit_events(trail) as events:
        r = await gql(client, 'mutation { mine: updateAssetGroup(id: "g7", name: "N") '
                      "{ id } other: renameWidget(name: \"w\") }")
    assert r.json()["data"]["mine"] == {"id": "g7"}
    assert names(events) == ["updateAssetGroup"]
    assert events[0]["target"]["id"] == "g7"
    assert events[0]["actor"]["type"] == "anonymous"
    assert events[0]["channel"] == "ui"


@pytest.mark.parametrize("query", [
    pytest.param('mutation { ...Both } fragment Both on Mutation { '
                 'deleteAssetGroup(id: "a") createAssetGroup(name: "b") { id } }',
                 id="named-fragment"),
    pytest.param('mutation { ... on Mutation { deleteAssetGroup(id: "a") } '
                 '... { createAssetGroup(name: "b") { id } } }', id="inline-fragments"),
    pytest.param('mutation { ...Outer } fragment Outer on Mutation { ...Inner } '
                 'fragment Inner on Mutation { deleteAssetGroup(id: "a") '
                 'createAssetGroup(name: "b") { id } }', id="nested-fragments"),
])
async def test_fields_in_fragments_on_mutation_are_recorded(
        client: httpx.AsyncClient, trail: AuditTrail, query: str) -> None:
    with capture_audit_events(trail) as events:
        r = await gql(client, query)
    assert "errors" not in r.json()
    assert sorted(names(events)) == ["createAssetGroup", "deleteAssetGroup"]
    assert all(e["outcome"] == "success" for e in events)


async def test_a_batch_of_three_mutations_is_three_events(client: httpx.AsyncClient,
                                                           trail: AuditTrail) -> None:
    batch = [
        {"query": 'mutation { createAssetGroup(name: "one") { id } }'},
        {"query": "{ hello }"},
        {"query": 'mutation A { deleteAssetGroup(id: "missing") }'},
        {"query": 'mutation B { deleteScope(id: "s1") }'},
    ]
    with capture_audit_events(trail) as events:
        r = await client.post("/graphql", json=batch)
    assert r.status_code == 200
    assert isinstance(r.json(), list)
    assert names(events) == ["createAssetGroup", "deleteAssetGroup", "deleteScope"]
    assert [e["outcome"] for e in events] == ["success", "failure", "denied"]
    assert events[1]["error"]["message"] == "no such asset group"
    assert [e["request"].get("operation") for e in events] == [None, "A", "B"]


async def test_a_graphql_permission_error_is_denied(client: httpx.AsyncClient,
                                                    trail: AuditTrail) -> None:
    with capture_audit_events(trail) as events:
        await gql(client, 'mutation { deleteScope(id: "s9") }', headers={"x-api-key": "k"})
    (event,) = events
    assert event["outcome"] == "denied"
    assert event["error"] == {"type": "FORBIDDEN", "message": "not allowed to delete scopes"}
    assert event["target"] == {"id": "s9"}
    assert event["channel"] == "api"


async def test_a_non_null_error_keeps_earlier_fields_and_marks_later_ones(
        client: httpx.AsyncClient, trail: AuditTrail) -> None:
    with capture_audit_events(trail) as events:
        r = await gql(client, 'mutation { createAssetGroup(name: "x") { id } '
                      'deleteScope(id: "s") deleteAssetGroup(id: "y") }')
    assert r.json()["data"] is None
    assert [(e["event"], e["outcome"]) for e in events] == [
        ("createAssetGroup", "success"), ("deleteScope", "denied"),
        ("deleteAssetGroup", "failure")]
    assert events[2]["error"]["type"] == "NotExecuted"


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("{ hello }", [], id="plain-query"),
    pytest.param('mutation { renameWidget(name: "w") }', [], id="uncatalogued-mutation"),
    pytest.param('{ exportView(viewId: "v1") }', ["exportView"], id="export-query"),
    pytest.param('query Q { exportView(viewId: "v1") } mutation M { createAssetGroup('
                 'name: "n") { id } }', ["exportView"], id="operation-name-picks"),
    pytest.param('mutation { createAssetGroup(name: "n") @skip(if: true) { id } }', [],
                 id="skipped-field"),
    pytest.param("mutation { createAssetGroup(name: ) { id } }", [], id="syntax-error"),
])
async def test_what_matches(client: httpx.AsyncClient, trail: AuditTrail, query: str,
                            expected: list[str]) -> None:
    with capture_audit_events(trail) as events:
        await gql(client, query, operationName="Q" if "query Q" in query else None)
    assert names(events) == expected


async def test_validation_errors_make_the_field_a_failure(client: httpx.AsyncClient,
                                                          trail: AuditTrail) -> None:
    with capture_audit_events(trail) as events:
        r = await gql(client, "mutation { deleteAssetGroup }")  # missing argument
    assert "errors" in r.json()
    (event,) = events
    assert event["outcome"] == "failure"
    assert event["error"]["type"] == "GraphQLError"


async def test_rest_routes_are_recorded_with_status_outcomes(client: httpx.AsyncClient,
                                                             trail: AuditTrail) -> None:
    with capture_audit_events(trail) as events:
        ok = await client.post("/api/assets/42/resync", headers={"authorization": "Bearer bo"})
        refused = await client.post("/api/assets/locked/resync")
        await client.get("/health")
        await client.post("/api/assets/42/other")
    assert (ok.status_code, refused.status_code) == (200, 403)
    assert [(e["event"], e["outcome"], e["target"].get("id")) for e in events] == [
        ("assetsResync", "success", "42"), ("assetsResync", "denied", "locked")]
    assert events[0]["source"] == "rest"
    assert events[0]["actor"]["id"] == "bo"
    assert events[1]["request"]["status"] == 403


async def test_site_access_on_login_routes_and_after_an_idle_gap() -> None:
    trail = make_trail(site_access={"routes": ["POST /login"], "idle_s": 3600})
    app = AuditMiddleware(starlette_app(), trail=trail)
    transport = httpx.ASGITransport(app=app, client=("198.51.100.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        with capture_audit_events(trail) as events:
            await client.post("/login", json={"password": "nope"})
            await client.get("/health", headers={"authorization": "Bearer cy"})
            await client.get("/health", headers={"authorization": "Bearer cy"})
            await client.get("/health", headers={"authorization": "Bearer di"})
            await client.get("/health")
    assert [(e["event"], e["outcome"], e["actor"].get("id")) for e in events] == [
        ("siteAccess", "denied", None), ("siteAccess", "success", "cy"),
        ("siteAccess", "success", "di")]


async def test_an_app_exception_is_a_failure_and_still_raises() -> None:
    trail = make_trail()

    async def broken(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        raise RuntimeError("database is down")

    app = AuditMiddleware(broken, trail=trail)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        with capture_audit_events(trail) as events, pytest.raises(RuntimeError):
            await gql(client, 'mutation { deleteAssetGroup(id: "1") }')
    (event,) = events
    assert event["outcome"] == "failure"
    assert event["error"] == {"type": "RuntimeError", "message": "database is down"}


# --- the seam with resolver hooks: exactly once -------------------------------------

def hooked_app(facts: list[FieldFacts]) -> Any:
    """Stands in for an app whose resolver hooks deposit facts into the request state."""
    inner = lenient_app()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        state = current_request.get()
        if state is not None and scope["type"] == "http":
            state.fields.extend(facts)
        await inner(scope, receive, send)

    return app


async def test_execution_facts_win_over_the_wire_reading() -> None:
    trail = make_trail()
    fact = FieldFacts(event="createAssetGroup", response_key="made", operation_name="Go",
                      outcome="failure", arguments={"name": "exact"},
                      target=Target(type="AssetGroup", id="g-77"),
                      actor=Actor(id="ctx-user", name="Context User"))
    app = AuditMiddleware(hooked_app([fact]), trail=trail)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        with capture_audit_events(trail) as events:
            await gql(client, 'mutation Go { made: createAssetGroup(name: "wire") { id } '
                      'deleteAssetGroup(id: "d1") }', headers={"authorization": "k"})
    # What ran is decided where it runs: the wire's deleteAssetGroup did not execute.
    assert names(events) == ["createAssetGroup"]
    merged, = events
    assert merged["outcome"] == "failure"  # the hook's exact word wins
    assert merged["details"] == {"name": "exact"}
    assert merged["target"] == {"type": "AssetGroup", "id": "g-77"}
    assert merged["actor"]["id"] == "ctx-user"
    assert merged["request"]["status"] == 200  # the HTTP layer's own facts
    assert merged["channel"] == "api"


async def test_fields_only_hooks_saw_are_recorded_from_their_facts() -> None:
    trail = make_trail()
    fact = FieldFacts(event="deleteAssetGroup", response_key="deleteAssetGroup",
                      operation_name=None, outcome="success", arguments={"id": "p1"},
                      target=Target(id="p1"))

    async def persisted(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        current_request.get().fields.append(fact)  # type: ignore[union-attr]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b'{"data":{}}'})

    app = AuditMiddleware(persisted, trail=trail)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        with capture_audit_events(trail) as events:
            await client.post("/graphql", json={"extensions": {"persistedQuery": {
                "version": 1, "sha256Hash": "ab" * 32}}})
    (event,) = events
    assert (event["event"], event["target"], event["request"]["status"]) == (
        "deleteAssetGroup", {"id": "p1"}, 200)


# --- fail closed --------------------------------------------------------------------

class BrokenSink(MemorySink):
    def __init__(self) -> None:
        super().__init__("broken")
        self.fail = True

    def write(self, events: Sequence[dict[str, Any]]) -> None:
        if self.fail:
            raise OSError("disk full")
        super().write(events)


async def test_fail_closed_turns_the_response_into_503_then_refuses_before_the_app() -> None:
    sink = BrokenSink()
    trail = AuditTrail(delivery={"mode": "sync", "fail_closed": True},
                       dispatcher=DirectDispatcher([sink]))
    calls: list[str] = []
    inner = starlette_app()

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            calls.append(scope["path"])
        await inner(scope, receive, send)

    app = AuditMiddleware(counting, trail=trail)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        first = await gql(client, 'mutation { createAssetGroup(name: "a") { id } }')
        second = await gql(client, 'mutation { createAssetGroup(name: "b") { id } }')
        harmless = await gql(client, "{ hello }")
        sink.fail = False
        trail.dispatcher.write_batch([{"probe": True}])  # the sink is back
        third = await gql(client, 'mutation { createAssetGroup(name: "c") { id } }')
    assert (first.status_code, second.status_code) == (503, 503)
    assert first.json() == {"message": "Audit trail unavailable"}
    assert calls == ["/graphql", "/graphql", "/graphql"]  # the second never reached it
    assert harmless.status_code == 200
    assert third.status_code == 200
    assert "createAssetGroup" in third.text
    assert [e["event"] for e in sink.events[1:]] == ["createAssetGroup"]
