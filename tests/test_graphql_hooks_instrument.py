"""Installing the hook without code changes (graphql-core's ``ExecutionContext.build``),
stacking hooks without doubling events, and never raising into the host execution."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import graphql
import pytest

from auditmw.context import RequestState, current_request
from auditmw.event import Actor, Client
from auditmw.graphql import (
    AuditResolverMiddleware,
    actor_from_user,
    default_actor_from_context,
    installed_hook,
    instrument,
    is_denied_error,
    request_view,
    uninstrument,
)
from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail

SDL = """
type Query { ok: Boolean }
type AssetGroup { id: ID! name: String! }
type Mutation { createAssetGroup(name: String!): AssetGroup  deleteScope(id: ID!): Boolean }
"""
CREATE = 'mutation { createAssetGroup(name: "n") { id } }'


def make_schema() -> graphql.GraphQLSchema:
    schema = graphql.build_schema(SDL)
    fields = schema.mutation_type.fields  # type: ignore[union-attr]
    fields["createAssetGroup"].resolve = lambda _, __, name: {"id": "g1", "name": name}

    def delete(_: Any, __: Any, id: str) -> bool:
        raise PermissionError("no")

    fields["deleteScope"].resolve = delete
    return schema


@pytest.fixture
def trail() -> Iterator[AuditTrail]:
    audit = AuditTrail(store=False, sinks=[], delivery={"mode": "sync"})
    yield audit
    uninstrument()
    audit.close()


def test_instrument_audits_executions_without_middleware(trail: AuditTrail) -> None:
    schema = make_schema()
    assert instrument(trail) is True
    with capture_audit_events(trail) as events:
        result = graphql.graphql_sync(schema, CREATE)
    assert result.errors is None
    assert [(e["event"], e["outcome"], e["target"]["id"]) for e in events] == \
        [("createAssetGroup", "success", "g1")]
    assert uninstrument() is True
    assert uninstrument() is False
    with capture_audit_events(trail) as events:
        graphql.graphql_sync(schema, CREATE)
    assert events == []


def test_instrument_is_idempotent_and_switches_trail(trail: AuditTrail) -> None:
    other = AuditTrail(store=False, sinks=[], delivery={"mode": "sync"})
    try:
        assert instrument(trail) is True
        assert instrument(other) is False
        hook = installed_hook()
        assert hook is not None
        assert hook.trail is other
        with capture_audit_events(trail) as first, capture_audit_events(other) as second:
            graphql.graphql_sync(make_schema(), CREATE)
        assert (len(first), len(second)) == (0, 1)
    finally:
        other.close()


def test_an_adapters_actor_source_added_later_comes_first(trail: AuditTrail) -> None:
    """The hook reads through the generic rule alone until an adapter adds its source
    (an instrument() after the first): from then on the adapter's source comes first."""
    schema = make_schema()
    context = {"user": "generic"}
    assert instrument(trail) is True
    with capture_audit_events(trail) as events:
        graphql.graphql_sync(schema, CREATE, context_value=context)
    assert events[-1]["actor"]["id"] == "generic"

    def adapters(found: Any) -> Actor | None:
        return Actor(id="adapter") if found is context else None

    assert instrument(trail, actor_from_context=adapters) is False
    with capture_audit_events(trail) as events:
        graphql.graphql_sync(schema, CREATE, context_value=context)
        graphql.graphql_sync(schema, CREATE, context_value={"user": "other"})
    assert [e["actor"]["id"] for e in events] == ["adapter", "other"]


@pytest.mark.parametrize("middleware", [
    pytest.param(lambda t: [AuditResolverMiddleware(t)], id="list"),
    pytest.param(lambda t: graphql.MiddlewareManager(AuditResolverMiddleware(t)), id="manager"),
])
def test_patch_and_hand_installed_middleware_record_once(trail: AuditTrail,
                                                         middleware: Any) -> None:
    instrument(trail)
    with capture_audit_events(trail) as events:
        graphql.graphql_sync(make_schema(), CREATE, middleware=middleware(trail))
    assert len(events) == 1


def test_two_hooks_in_one_chain_record_once(trail: AuditTrail) -> None:
    hooks = [AuditResolverMiddleware(trail), AuditResolverMiddleware(trail)]
    with capture_audit_events(trail) as events:
        asyncio.run(graphql.graphql(make_schema(), CREATE, middleware=hooks))
    assert len(events) == 1


def test_other_middleware_is_kept_and_the_hook_is_outermost(trail: AuditTrail) -> None:
    seen: list[str] = []

    def guard(next_: Any, root: Any, info: Any, **args: Any) -> Any:
        seen.append(info.field_name)
        if info.field_name == "createAssetGroup":
            raise graphql.GraphQLError("nope", extensions={"code": "UNAUTHENTICATED"})
        return next_(root, info, **args)

    instrument(trail)
    with capture_audit_events(trail) as events:
        result = graphql.graphql_sync(make_schema(), CREATE, middleware=[guard])
    assert seen == ["createAssetGroup"]
    assert result.errors
    assert result.errors[0].message == "nope"
    assert [(e["outcome"], e["error"]["type"]) for e in events] == [("denied", "UNAUTHENTICATED")]


def test_inside_a_watched_request_the_hook_only_deposits_facts(trail: AuditTrail) -> None:
    state = RequestState("POST", "/graphql", Client(ip="10.1.2.3"), "ui")
    token = current_request.set(state)
    try:
        with capture_audit_events(trail) as events:
            graphql.graphql_sync(make_schema(), 'mutation Op { x: createAssetGroup(name: "a")'
                                 " { id } deleteScope(id: 4) }",
                                 middleware=[AuditResolverMiddleware(trail)],
                                 context_value={"user": {"id": "u1", "name": "Ann"}})
    finally:
        current_request.reset(token)
    assert events == []
    assert [(f.event, f.response_key, f.operation_name, f.outcome) for f in state.fields] == \
        [("createAssetGroup", "x", "Op", "success"), ("deleteScope", "deleteScope", "Op",
                                                     "denied")]
    assert state.fields[0].actor == Actor(id="u1", name="Ann")
    assert state.fields[0].settled().target.id == "g1"
    assert state.fields[1].error is not None
    assert state.fields[1].error.type == "PermissionError"


def test_hook_failure_never_reaches_the_execution(trail: AuditTrail) -> None:
    def broken(context: Any) -> Actor | None:
        raise RuntimeError("actor lookup exploded")

    hook = AuditResolverMiddleware(trail, actor_from_context=broken)
    with capture_audit_events(trail) as events:
        result = graphql.graphql_sync(make_schema(), CREATE, middleware=[hook])
    assert result.errors is None
    assert result.data == {"createAssetGroup": {"id": "g1"}}
    assert events == []


def test_acting_as_names_the_actor_outside_requests(trail: AuditTrail) -> None:
    with trail.acting_as(Actor(id="cron", name="nightly", type="scheduler")), \
            capture_audit_events(trail) as events:
        graphql.graphql_sync(make_schema(), CREATE, middleware=[AuditResolverMiddleware(trail)])
    assert events[0]["actor"] == {"id": "cron", "name": "nightly", "type": "scheduler"}
    assert events[0]["channel"] == "system"
    assert events[0]["client"]["ip"] is None


@pytest.mark.parametrize(("user", "expected"), [
    pytest.param(None, None, id="none"),
    pytest.param("alice", Actor(id="alice", name="alice"), id="string"),
    pytest.param({"id": 7, "name": "Ann", "team": "ops"}, Actor(id="7", name="Ann", team="ops"),
                 id="mapping"),
    pytest.param({"username": "bob"}, Actor(id="bob", name="bob"), id="username-only"),
    pytest.param({"is_authenticated": False, "id": 1}, None, id="unauthenticated"),
    pytest.param({"type": "api", "id": "k1"}, Actor(id="k1", type="api"), id="api-type"),
    pytest.param({}, None, id="nothing-known"),
])
def test_actor_from_user(user: Any, expected: Actor | None) -> None:
    assert actor_from_user(user) == expected


def test_context_conventions() -> None:
    from starlette.authentication import SimpleUser
    from starlette.requests import Request

    scope = {"type": "http", "method": "POST", "path": "/graphql", "client": ("1.2.3.4", 5),
             "headers": [(b"x-api-key", b"k"), (b"user-agent", b"ua")],
             "user": SimpleUser("ann")}
    request = Request(scope)
    assert default_actor_from_context({"request": request}) == Actor(id="ann", name="ann")
    assert default_actor_from_context(request) == Actor(id="ann", name="ann")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/g", "REMOTE_ADDR": "5.6.7.8",
               "REMOTE_USER": "carl", "HTTP_USER_AGENT": "x"}
    assert default_actor_from_context({"request": environ}) == Actor(id="carl", name="carl")
    view = request_view({"request": request})
    assert view is not None
    assert (view.peer, view.method, view.path) == \
        ("1.2.3.4", "POST", "/graphql")
    assert view.headers["x-api-key"] == "k"
    wsgi = request_view({"request": environ})
    assert wsgi is not None
    assert (wsgi.peer, wsgi.headers["user-agent"]) == ("5.6.7.8", "x")
    assert request_view({"other": 1}) is None


@pytest.mark.parametrize(("error", "denied"), [
    pytest.param(PermissionError("x"), True, id="permission-error"),
    pytest.param(graphql.GraphQLError("x", extensions={"code": "FORBIDDEN"}), True,
                 id="forbidden"),
    pytest.param(graphql.GraphQLError("x", extensions={"code": "unauthenticated"}), True,
                 id="unauthenticated-lowercase"),
    pytest.param(graphql.GraphQLError("x", extensions={"code": "BAD_USER_INPUT"}), False,
                 id="other-code"),
    pytest.param(graphql.GraphQLError("x", original_error=PermissionError("y")), True,
                 id="wrapped"),
    pytest.param(ValueError("x"), False, id="plain-error"),
])
def test_is_denied_error(error: BaseException, denied: bool) -> None:
    assert is_denied_error(error) is denied
