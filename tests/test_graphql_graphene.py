"""The core graphql-core hook with Graphene (no integration of its own, docs/graphene.md):
``schema.execute`` with ``AuditResolverMiddleware`` by hand, ``instrument`` or the
launcher's ``graphql_core`` entry point; the
user from ``info.context`` (the request, graphene-django style), and a ``graphene.Mutation``
payload whose wrapped object is the target."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import graphene
import pytest

from auditmw.graphql import AuditResolverMiddleware, instrument, uninstrument
from auditmw.launcher.builtin import install_graphql_core
from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail


class Role(graphene.ObjectType):
    id = graphene.ID()
    name = graphene.String()


class AddRole(graphene.Mutation):
    class Arguments:
        role_name = graphene.String(required=True)

    ok = graphene.Boolean()
    role = graphene.Field(Role)

    def mutate(root: Any, info: Any, role_name: str) -> AddRole:
        if not info.context.user.is_authenticated:
            raise PermissionError("sign in")
        return AddRole(ok=True, role=Role(id="r-1", name=role_name))


class Query(graphene.ObjectType):
    ok = graphene.Boolean()


class Mutation(graphene.ObjectType):
    add_role = AddRole.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
ADD = 'mutation { addRole(roleName: "auditor") { ok role { id } } }'


def request_as(user_id: int | None) -> SimpleNamespace:
    """A graphene-django-like request: ``request.user`` with ``is_authenticated``."""
    user = SimpleNamespace(is_authenticated=user_id is not None, pk=user_id,
                           username=f"user{user_id}")
    return SimpleNamespace(user=user, META={"REQUEST_METHOD": "POST", "PATH_INFO": "/graphql",
                                            "REMOTE_ADDR": "192.0.2.9"})


@pytest.fixture
def trail() -> Iterator[AuditTrail]:
    audit = AuditTrail(store=False, sinks=[], delivery={"mode": "sync"})
    yield audit
    uninstrument()
    audit.close()


@pytest.mark.parametrize("by_hand", [True, False], ids=["middleware", "instrument"])
def test_payload_mutation_and_request_user(trail: AuditTrail, by_hand: bool) -> None:
    kwargs: dict[str, Any] = {}
    if by_hand:
        kwargs["middleware"] = [AuditResolverMiddleware(trail)]
    else:
        instrument(trail)
    with capture_audit_events(trail) as events:
        ok = schema.execute(ADD, context_value=request_as(7), **kwargs)
        refused = schema.execute(ADD, context_value=request_as(None), **kwargs)
    assert ok.errors is None
    assert refused.errors
    assert [(e["event"], e["outcome"], e["actor"]) for e in events] == [
        ("addRole", "success", {"id": "7", "name": "user7", "type": "user"}),
        ("addRole", "denied", {"id": None, "name": None, "type": "anonymous"}),
    ]
    assert events[0]["target"] == {"type": "Role", "id": "r-1", "name": "auditor"}
    assert events[0]["details"] == {"roleName": "auditor"}
    assert events[0]["client"] == {"ip": "192.0.2.9"}


async def test_execute_async(trail: AuditTrail) -> None:
    with capture_audit_events(trail) as events:
        result = await schema.execute_async(
            ADD, context_value=request_as(3),
            middleware=[AuditResolverMiddleware(trail)])
    assert result.errors is None
    assert [e["event"] for e in events] == ["addRole"]


def test_launcher_entry_point(trail: AuditTrail) -> None:
    install_graphql_core(lambda: trail)
    with capture_audit_events(trail) as events:
        schema.execute(ADD, context_value=request_as(1))
    assert len(events) == 1
