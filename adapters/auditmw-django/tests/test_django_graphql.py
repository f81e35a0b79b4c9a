"""graphene-django (/graphql) and strawberry-django (/graphql/strawberry sync view,
/graphql/async async view) in the example project: one event per field execution,
however the request reaches the resolver — the HTTP middleware and the execution hook
together, the hook alone (a body the middleware does not read), or a batch."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditmw.testing import capture_audit_events


def signed_in(name: str) -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    http = Client(REMOTE_ADDR="198.51.100.20")
    http.force_login(get_user_model()._default_manager.get(username=name))
    return http


def gql(http: Any, path: str, query: str, **variables: Any) -> dict[str, Any]:
    answer = http.post(path, json.dumps({"query": query, "variables": variables}),
                       content_type="application/json")
    assert answer.status_code == 200, answer.content
    body: dict[str, Any] = answer.json()
    return body


def summary(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["event"], e["outcome"], e["actor"]["name"], e["source"]) for e in events]


def test_graphene_django_mutation_once_with_user_and_target(audit: Any) -> None:
    http = signed_in("alice")
    with capture_audit_events(audit) as events:
        body = gql(http, "/graphql", "mutation M($n: String!) { createScope(name: $n) "
                   "{ id name } }", n="Warehouse")
    created = body["data"]["createScope"]
    assert summary(events) == [("createScope", "success", "alice", "graphql")]
    event = events[0]
    assert event["target"]["id"] == created["id"]
    assert event["details"] == {"name": "Warehouse"}
    assert event["client"]["ip"] == "198.51.100.20"
    assert event["request"]["operation"] == "M"


def test_graphene_django_permission_denied_in_resolver_is_denied(audit: Any) -> None:
    from assets.models import Scope

    scope = Scope.objects.create(name="Keep me")
    with capture_audit_events(audit) as events:
        body = gql(signed_in("bob"), "/graphql",
                   f'mutation {{ deleteScope(id: "{scope.pk}") }}')
    assert body["errors"][0]["message"] == "only staff may delete scopes"
    assert summary(events) == [("deleteScope", "denied", "bob", "graphql")]
    assert events[0]["error"]["type"] == "PermissionDenied"


@pytest.mark.parametrize("path", ["/graphql/strawberry", "/graphql/async"])
def test_strawberry_django_sync_and_async_views(audit: Any, path: str) -> None:
    http = signed_in("alice")
    with capture_audit_events(audit) as events:
        body = gql(http, path, "mutation { createAssetGroup(name: \"Routers\") { id name } }")
        refused = gql(http, path, 'mutation { deleteAssetGroup(id: "1") }')
    assert refused["errors"][0]["message"] == "only staff may delete asset groups"
    assert summary(events) == [("createAssetGroup", "success", "alice", "graphql"),
                               ("deleteAssetGroup", "denied", "alice", "graphql")]
    assert events[0]["target"]["id"] == body["data"]["createAssetGroup"]["id"]


async def test_strawberry_async_view_through_the_async_client(audit: Any) -> None:
    from asgiref.sync import sync_to_async
    from django.contrib.auth import get_user_model
    from django.test import AsyncClient

    user = await sync_to_async(get_user_model()._default_manager.get)(username="admin")
    http = AsyncClient()
    await http.aforce_login(user) if hasattr(http, "aforce_login") else \
        await sync_to_async(http.force_login)(user)
    with capture_audit_events(audit) as events:
        answer = await http.post("/graphql/async", json.dumps(
            {"query": 'mutation { createAssetGroup(name: "Async") { id } }'}),
            content_type="application/json")
    assert answer.status_code == 200
    assert summary(events) == [("createAssetGroup", "success", "admin", "graphql")]


def test_anonymous_graphql_is_denied_and_anonymous(audit: Any) -> None:
    from django.test import Client

    with capture_audit_events(audit) as events:
        gql(Client(), "/graphql/strawberry", 'mutation { createAssetGroup(name: "x") { id } }')
    assert summary(events) == [("createAssetGroup", "denied", None, "graphql")]
    assert events[0]["actor"]["type"] == "anonymous"


def test_uncatalogued_queries_record_nothing(audit: Any) -> None:
    http = signed_in("alice")
    with capture_audit_events(audit) as events:
        gql(http, "/graphql", "{ scopes { id } }")
        gql(http, "/graphql/strawberry", "{ assetGroups { id } }")
    assert events == []


def test_hook_alone_records_once_when_the_body_is_over_the_cap(make_audit: Any) -> None:
    """A body larger than capture.max_body_bytes is not read by the middleware: the
    execution hook records the field, still once, still with the request's user."""
    from django.conf import settings

    trail = make_audit(capture={**settings.AUDITMW["capture"], "max_body_bytes": 64})
    http = signed_in("alice")
    padding = " " * 200
    with capture_audit_events(trail) as events:
        gql(http, "/graphql", "mutation {" + padding + "createScope(name: \"Big\") { id } }")
    assert summary(events) == [("createScope", "success", "alice", "graphql")]


def test_graphql_hook_without_the_middleware(django_project: dict[str, str],
                                             make_audit: Any) -> None:
    """INSTALLED_APPS alone (no middleware): the hook ready() installed records the
    field by itself, naming the Django user from the GraphQL context."""
    from django.test import override_settings

    trail = make_audit()
    from auditmw_django.setup import activate

    activate(trail)
    middleware = [m for m in __import__("django.conf").conf.settings.MIDDLEWARE
                  if "auditmw" not in m]
    http = signed_in("alice")
    with override_settings(MIDDLEWARE=middleware), capture_audit_events(trail) as events:
        gql(http, "/graphql/strawberry",
            'mutation { createAssetGroup(name: "Hooked") { id } }')
    assert summary(events) == [("createAssetGroup", "success", "alice", "graphql")]
