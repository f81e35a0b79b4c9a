"""The Strawberry extension through Strawberry's own ASGI view (batching on), its
permission-class denials, the launcher patch, and its coexistence with the core patch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import auditmw_strawberry
import httpx
import pytest
import strawberry
from auditmw_strawberry import AuditExtension
from strawberry.asgi import GraphQL
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig

from auditmw.graphql import instrument as instrument_core
from auditmw.graphql import uninstrument as uninstrument_core
from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail


class LoggedIn(BasePermission):
    message = "log in first"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return bool(info.context["request"].headers.get("x-user"))


class CustomRefusal(BasePermission):
    message = "never"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False

    def on_unauthorized(self) -> None:
        raise RuntimeError("custom refusal")  # a class of the app's own


@strawberry.type
class Scope:
    id: strawberry.ID
    name: str


@strawberry.type
class Query:
    @strawberry.field
    def ok(self) -> bool:
        return True


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[LoggedIn])
    def create_scope(self, name: str) -> Scope | None:
        return Scope(id=strawberry.ID(f"s-{name}"), name=name)

    @strawberry.mutation(permission_classes=[CustomRefusal])
    async def delete_scope(self, id: strawberry.ID) -> bool | None:
        return True

    @strawberry.mutation
    def update_scope(self, id: strawberry.ID) -> bool | None:
        raise PermissionError("read-only")


@pytest.fixture
def trail() -> Iterator[AuditTrail]:
    audit = AuditTrail(store=False, sinks=[], delivery={"mode": "sync"})
    yield audit
    auditmw_strawberry.uninstrument()
    uninstrument_core()
    audit.close()


def schema_with(*extensions: Any) -> strawberry.Schema:
    return strawberry.Schema(query=Query, mutation=Mutation, extensions=list(extensions),
                             config=StrawberryConfig(batching_config={"max_operations": 5}))


async def post(app: Any, body: Any, user: str | None = "ann") -> httpx.Response:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post("/graphql", json=body,
                                 headers={"x-user": user} if user else {})


async def test_native_view_batched_with_permission_denials(trail: AuditTrail) -> None:
    app = GraphQL(schema_with(AuditExtension(trail)))
    body = [{"query": 'mutation { createScope(name: "a") { id } }'},
            {"query": "mutation { deleteScope(id: 1) updateScope(id: 2) }"}]
    with capture_audit_events(trail) as events:
        response = await post(app, body)
    assert response.status_code == 200
    # in completion order: graphql-core runs a sync resolver of a later mutation field
    # before it awaits an earlier async one, so compare without order
    assert sorted((e["event"], e["outcome"], e.get("error", {}).get("type")) for e in events) == [
        ("createScope", "success", None),
        ("deleteScope", "denied", "RuntimeError"),
        ("updateScope", "denied", "PermissionError"),
    ]
    created = next(e for e in events if e["event"] == "createScope")
    assert created["target"] == {"type": "Scope", "id": "s-a", "name": "a"}
    assert created["client"]["ip"] == "127.0.0.1"


async def test_default_permission_denial_is_denied(trail: AuditTrail) -> None:
    app = GraphQL(schema_with(AuditExtension(trail)))
    with capture_audit_events(trail) as events:
        await post(app, {"query": 'mutation { createScope(name: "a") { id } }'}, user=None)
    assert [(e["outcome"], e["error"]["message"]) for e in events] == [("denied", "log in first")]


async def test_instrument_installs_the_execution_hook_once(trail: AuditTrail) -> None:
    from auditmw.graphql import installed_hook

    assert auditmw_strawberry.instrument(trail) is True
    assert auditmw_strawberry.instrument(trail) is False
    hook = installed_hook()
    assert hook is not None
    assert auditmw_strawberry.is_denied in hook.denied_checks
    hand = AuditExtension(trail)  # by hand as well: still one event per execution
    for schema in (schema_with(), schema_with(hand)):
        with capture_audit_events(trail) as events:
            await post(GraphQL(schema), {"query": 'mutation { createScope(name: "b") { id } }'})
        assert [(e["event"], e["outcome"]) for e in events] == [("createScope", "success")]


async def test_core_patch_defers_to_the_extension(trail: AuditTrail) -> None:
    instrument_core(trail)
    app = GraphQL(schema_with(AuditExtension(trail)))
    with capture_audit_events(trail) as events:
        await post(app, {"query": "mutation { deleteScope(id: 1) }"})
    # one event, and still the Strawberry-aware verdict (the core rules alone say failure)
    assert [(e["event"], e["outcome"]) for e in events] == [("deleteScope", "denied")]


def test_launcher_entry_point_installs_on_import(trail: AuditTrail) -> None:
    from auditmw.graphql import installed_hook

    auditmw_strawberry.install(lambda: trail)  # strawberry is imported: runs at once
    hook = installed_hook()
    assert hook is not None
    assert hook.trail is trail
    assert auditmw_strawberry.is_denied in hook.denied_checks


class CountingContext:
    """A custom Strawberry context whose user is counted each time it is read."""

    def __init__(self) -> None:
        self.reads = 0

    @property
    def user(self) -> dict[str, str]:
        self.reads += 1
        return {"id": "ann", "name": "Ann"}


def test_the_context_user_is_read_once_per_catalogued_field(trail: AuditTrail) -> None:
    # Strawberry's context conventions are the core rule the hook applies last: the
    # adapter registers no copy of it, so the hook reads each context once (issue 21).
    from auditmw.graphql import installed_hook

    auditmw_strawberry.instrument(trail)
    hook = installed_hook()
    assert hook is not None
    assert auditmw_strawberry.actor_from_context not in hook.actor_sources
    context = CountingContext()
    with capture_audit_events(trail) as events:
        result = schema_with().execute_sync('mutation { updateScope(id: 2) }',
                                            context_value=context)
    assert result.errors  # the resolver refused: recorded as denied, with its actor
    assert [(e["event"], e["outcome"], e["actor"]["id"]) for e in events] == [
        ("updateScope", "denied", "ann")]
    assert context.reads == 1
