"""The behavioural table of the resolver hooks: the same GraphQL calls against the same app
built with plain graphql-core, Ariadne, Strawberry and Graphene, each with and without the
HTTP middleware, give exactly one event per catalogued field execution, with the same
outcome, actor, target, details and error every time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail
from support.graphql_hooks_apps import (
    ariadne_app,
    graphene_app,
    persist,
    plain_app,
    strawberry_app,
)

FRAMEWORKS = {"graphql-core": plain_app, "ariadne": ariadne_app,
              "strawberry": strawberry_app, "graphene": graphene_app}
WSGI = {"graphene"}
MODES = ["hook-only", "with-middleware"]


@dataclass
class Expect:
    event: str
    outcome: str = "success"
    actor: str | None = "u-ann"
    target: str | None = None
    details: dict[str, Any] | None = None
    error: tuple[str, str] | None = None
    operation: str | None = None


@dataclass
class Case:
    body: Any
    expect: list[Expect]
    user: str | None = "ann"
    headers: dict[str, str] = field(default_factory=dict)
    channel: str = "ui"


def op(query: str, variables: dict[str, Any] | None = None,
       name: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if name is not None:
        body["operationName"] = name
    return body


CREATE = 'createAssetGroup(input: {name: "%s", token: "s3cr3t"}) { id name }'


def created(name: str, **kw: Any) -> Expect:
    return Expect("createAssetGroup", target=f"g-{name}",
                  details={"input": {"name": name, "token": "[REDACTED]"}}, **kw)


PERSISTED_QUERY = "mutation Persisted { " + CREATE % "persisted" + " }"

CASES = [
    pytest.param(Case(op("mutation { " + CREATE % "core" + " }"), [created("core")]),
                 id="one-mutation"),
    pytest.param(Case(op("mutation { made: " + CREATE % "aliased" + " }"),
                      [created("aliased")]), id="alias"),
    pytest.param(Case(op("mutation { a: " + CREATE % "one" + " b: " + CREATE % "two" + " }"),
                      [created("one"), created("two")]), id="same-field-twice-aliased"),
    pytest.param(Case(op("mutation { ...M ... on Mutation { deleteScope(id: 7) } } "
                         "fragment M on Mutation { " + CREATE % "frag" + " }"),
                      [created("frag"), Expect("deleteScope", target="7",
                                               details={"id": "7"})]),
                 id="fragment-and-inline-fragment"),
    pytest.param(Case(op("mutation Make($n: String!, $t: String) { createAssetGroup("
                         "input: {name: $n, token: $t}) { id } }",
                         {"n": "vars", "t": "hidden"}),
                      [created("vars", operation="Make")]), id="variables"),
    pytest.param(Case(op("mutation A { " + CREATE % "a" + " } mutation B { deleteScope(id: 2) }",
                         name="B"),
                      [Expect("deleteScope", target="2", details={"id": "2"}, operation="B")]),
                 id="operation-name-picks-one"),
    pytest.param(Case([op("mutation { " + CREATE % "first" + " }"),
                       op("mutation { updateScope(id: 3, name: \"x\") }")],
                      [created("first"), Expect("updateScope", target="3",
                                                details={"id": "3", "name": "x"})]),
                 id="batched"),
    pytest.param(Case({"extensions": {"persistedQuery": {"version": 1,
                                                         "sha256Hash": persist(PERSISTED_QUERY)}}},
                      [created("persisted", operation="Persisted")]), id="persisted-query"),
    pytest.param(Case(op("mutation { deleteScope(id: 9) }"),
                      [Expect("deleteScope", "denied", actor="u-bob", target="9",
                              details={"id": "9"})], user="bob"),
                 id="permission-denied"),
    pytest.param(Case(op("mutation { deleteScope(id: 9) }"),
                      [Expect("deleteScope", "denied", actor=None, target="9",
                              details={"id": "9"})], user=None),
                 id="anonymous-denied"),
    pytest.param(Case(op('mutation { updateScope(id: "locked", name: "x") }'),
                      [Expect("updateScope", "denied", target="locked",
                              details={"id": "locked", "name": "x"},
                              error=("FORBIDDEN", "scope is locked"))]),
                 id="forbidden-extension-code"),
    pytest.param(Case(op("mutation { " + CREATE % "boom" + " }"),
                      [Expect("createAssetGroup", "failure",
                              details={"input": {"name": "boom", "token": "[REDACTED]"}},
                              error=("ValueError", "boom"))]),
                 id="exception"),
    pytest.param(Case(op("mutation { ok: " + CREATE % "fine" + " bad: " + CREATE % "boom" + " }"),
                      [created("fine"),
                       Expect("createAssetGroup", "failure",
                              details={"input": {"name": "boom", "token": "[REDACTED]"}},
                              error=("ValueError", "boom"))]),
                 id="partial-failure"),
    pytest.param(Case(op("mutation { ping }"), []), id="uncatalogued-mutation"),
    pytest.param(Case(op("{ assetGroups { id name } }"), []), id="uncatalogued-query"),
    pytest.param(Case(op('query Export { exportView(viewId: "v1") }'),
                      [Expect("exportView", details={"viewId": "v1"},
                              operation="Export")]),
                 id="catalogued-query-field"),
    pytest.param(Case(op("mutation { " + CREATE % "key" + " }"), [created("key")],
                      headers={"Authorization": "Bearer abc"}, channel="api"),
                 id="api-channel"),
]


@pytest.fixture
def trail() -> Iterator[AuditTrail]:
    audit = AuditTrail(store=False, sinks=[MemorySink()], delivery={"mode": "sync"})
    yield audit
    audit.close()


def build_client(framework: str, mode: str, trail: AuditTrail) -> httpx.Client | httpx.AsyncClient:
    app = FRAMEWORKS[framework](trail)
    if mode == "with-middleware":
        if framework in WSGI:
            from auditmw.wsgi import AuditMiddleware as WsgiAudit

            app = WsgiAudit(app, trail=trail)
        else:
            from auditmw.asgi import AuditMiddleware as AsgiAudit

            app = AsgiAudit(app, trail=trail)
    if framework in WSGI:
        return httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://testserver")
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 5123)),
                             base_url="http://testserver")


async def post(client: httpx.Client | httpx.AsyncClient, case: Case) -> httpx.Response:
    headers = {**case.headers, **({"x-user": case.user} if case.user else {})}
    if isinstance(client, httpx.AsyncClient):
        async with client:
            return await client.post("/graphql", json=case.body, headers=headers)
    with client:
        return client.post("/graphql", json=case.body, headers=headers)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("framework", list(FRAMEWORKS))
@pytest.mark.parametrize("case", CASES)
async def test_one_event_per_field_execution(framework: str, mode: str, case: Case,
                                             trail: AuditTrail) -> None:
    client = build_client(framework, mode, trail)
    with capture_audit_events(trail) as events:
        response = await post(client, case)
    assert response.status_code == 200, response.text
    assert [(e["event"], e["outcome"]) for e in events] == \
        [(x.event, x.outcome) for x in case.expect]
    for event, want in zip(events, case.expect, strict=True):
        assert event["source"] == "graphql"
        assert event["channel"] == case.channel
        assert event["client"]["ip"] == "127.0.0.1"
        assert event["actor"].get("id") == want.actor
        assert event["actor"]["type"] == ("user" if want.actor else "anonymous")
        assert event["target"].get("id") == want.target
        if want.details is not None:
            assert event["details"] == want.details
        if want.error is not None:
            assert (event["error"]["type"], event["error"]["message"]) == want.error
        elif want.outcome == "success":
            assert "error" not in event
        assert event["request"].get("operation") == want.operation
        assert event["duration_ms"] >= 0
        # who recorded it: the middleware adds the response status, a lone hook cannot
        assert event["request"].get("status") == (200 if mode == "with-middleware" else None)
        assert (event["request"]["method"], event["request"]["path"]) == ("POST", "/graphql")


@pytest.mark.parametrize("framework", list(FRAMEWORKS))
async def test_target_names_the_returned_object_type(framework: str, trail: AuditTrail) -> None:
    client = build_client(framework, "hook-only", trail)
    with capture_audit_events(trail) as events:
        await post(client, Case(op("mutation { " + CREATE % "typed" + " }"), []))
    assert events[0]["target"] == {"type": "AssetGroup", "id": "g-typed", "name": "typed"}


@pytest.mark.parametrize("framework", list(FRAMEWORKS))
async def test_denied_error_message_is_kept_without_a_stack(framework: str,
                                                            trail: AuditTrail) -> None:
    client = build_client(framework, "hook-only", trail)
    with capture_audit_events(trail) as events:
        await post(client, Case(op("mutation { deleteScope(id: 1) }"), [], user="bob"))
    (event,) = events
    assert event["error"]["message"] == "admin only"
    assert set(event["error"]) == {"type", "message"}
