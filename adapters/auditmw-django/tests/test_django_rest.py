"""The example project through Django's test client: DRF viewsets mapped by URL name,
a sync view by path template, an async view by URL name; actors from request.user and
DRF token auth; denials from permission classes and Django's PermissionDenied."""

from __future__ import annotations

from typing import Any

import pytest

from auditmw.testing import capture_audit_events


def only(events: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found = [e for e in events if e["event"] == name]
    assert len(found) == 1, [(e["event"], e["outcome"]) for e in events]
    return found[0]


def client(**defaults: Any) -> Any:
    from django.test import Client

    return Client(**defaults)


def test_drf_create_by_url_name_names_the_token_user(audit: Any,
                                                      django_project: dict[str, str]) -> None:
    http = client(REMOTE_ADDR="203.0.113.9")
    with capture_audit_events(audit) as events:
        answer = http.post("/api/asset-groups/", {"name": "Printers"},
                           content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {django_project['alice']}",
                           HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert answer.status_code == 201, answer.content
    event = only(events, "createAssetGroup")
    assert event["outcome"] == "success"
    assert event["actor"]["name"] == "alice"
    assert event["actor"]["type"] == "user"
    assert (event["source"], event["channel"]) == ("rest", "api")
    # no trusted proxy configured: the socket peer, never the header
    assert event["client"]["ip"] == "203.0.113.9"
    assert (event["request"]["status"], event["request"]["method"]) == (201, "POST")
    assert len(events) == 1


def test_drf_permission_class_403_is_denied(audit: Any, django_project: dict[str, str]) -> None:
    from assets.models import AssetGroup

    group = AssetGroup.objects.create(name="Doomed")
    http = client()
    with capture_audit_events(audit) as events:
        refused = http.delete(f"/api/asset-groups/{group.pk}/",
                              HTTP_AUTHORIZATION=f"Token {django_project['bob']}")
        allowed = http.delete(f"/api/asset-groups/{group.pk}/",
                              HTTP_AUTHORIZATION=f"Token {django_project['admin']}")
    assert (refused.status_code, allowed.status_code) == (403, 204)
    assert [(e["event"], e["outcome"], e["actor"]["name"], e["target"].get("id"))
            for e in events] == [("deleteAssetGroup", "denied", "bob", str(group.pk)),
                                 ("deleteAssetGroup", "success", "admin", str(group.pk))]


def test_drf_unauthenticated_is_denied_and_anonymous(audit: Any) -> None:
    with capture_audit_events(audit) as events:
        answer = client().post("/api/asset-groups/", {"name": "x"},
                               content_type="application/json")
    assert answer.status_code in (401, 403)
    event = only(events, "createAssetGroup")
    assert event["outcome"] == "denied"
    assert event["actor"] == {"id": None, "name": None, "type": "anonymous"}


def test_drf_update_targets_the_pk_and_session_user(audit: Any,
                                                    django_project: dict[str, str]) -> None:
    from assets.models import AssetGroup
    from django.contrib.auth import get_user_model

    group = AssetGroup.objects.create(name="Laptops")
    http = client()
    http.force_login(get_user_model()._default_manager.get(username="alice"))
    with capture_audit_events(audit) as events:
        answer = http.patch(f"/api/asset-groups/{group.pk}/", {"name": "Notebooks"},
                            content_type="application/json")
    assert answer.status_code == 200, answer.content
    event = only(events, "updateAssetGroup")
    assert event["target"]["id"] == str(group.pk)
    assert (event["actor"]["name"], event["channel"]) == ("alice", "ui")
    assert event["details"] == {"pk": str(group.pk)}


def test_sync_view_by_path_template(audit: Any, django_project: dict[str, str]) -> None:
    from assets.models import Asset

    asset = Asset.objects.create(name="sw-1")
    http = client()
    with capture_audit_events(audit) as events:
        refused = http.post(f"/api/assets/{asset.pk}/resync")
        done = http.post(f"/api/assets/{asset.pk}/resync",
                         HTTP_AUTHORIZATION=f"Token {django_project['alice']}")
        missing = http.post("/api/assets/999999/resync",
                            HTTP_AUTHORIZATION=f"Token {django_project['alice']}")
    assert (refused.status_code, done.status_code, missing.status_code) == (403, 200, 404)
    assert [(e["event"], e["outcome"], e["actor"]["name"], e["target"]["id"])
            for e in events] == [
        ("assetsResync", "denied", None, str(asset.pk)),
        ("assetsResync", "success", "alice", str(asset.pk)),
        ("assetsResync", "failure", "alice", "999999")]


async def test_async_view_by_url_name(audit: Any, django_project: dict[str, str]) -> None:
    from asgiref.sync import sync_to_async
    from assets.models import Scope
    from django.test import AsyncClient

    scope = await sync_to_async(Scope.objects.create)(name="Branch office")
    http = AsyncClient()
    with capture_audit_events(audit) as events:
        refused = await http.post(f"/api/scopes/{scope.pk}/delete",
                                  headers={"Authorization": f"Token {django_project['alice']}"})
        done = await http.post(f"/api/scopes/{scope.pk}/delete",
                               headers={"Authorization": f"Token {django_project['admin']}"})
    assert (refused.status_code, done.status_code) == (403, 200)
    # (the client IP over ASGI: test_django_servers.py, AsyncClient sets no peer)
    assert [(e["event"], e["outcome"], e["actor"]["name"], e["target"]["id"], e["channel"])
            for e in events] == [
        ("deleteScope", "denied", "alice", str(scope.pk), "api"),
        ("deleteScope", "success", "admin", str(scope.pk), "api")]


def test_unmapped_and_unresolved_requests_record_nothing(audit: Any,
                                                         django_project: dict[str, str]) -> None:
    http = client()
    with capture_audit_events(audit) as events:
        assert http.get("/api/asset-groups/",
                        HTTP_AUTHORIZATION=f"Token {django_project['alice']}"
                        ).status_code == 200  # GET list: not mapped
        assert http.post("/api/nowhere/").status_code == 404
        assert http.get("/health").status_code == 200
    assert events == []


@pytest.mark.parametrize("trusted", [True, False])
def test_trusted_proxy_header_by_the_core_rule(make_audit: Any, django_project: dict[str, str],
                                               trusted: bool) -> None:
    from django.conf import settings

    trail = make_audit(capture={**settings.AUDITMW["capture"],
                                "trusted_proxies": ["10.0.0.0/8"] if trusted else []})
    with capture_audit_events(trail) as events:
        client(REMOTE_ADDR="10.1.2.3").post(
            "/api/asset-groups/", {"name": "Proxied"}, content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {django_project['alice']}",
            HTTP_X_FORWARDED_FOR="198.51.100.77, 10.9.9.9")
    event = only(events, "createAssetGroup")
    assert event["client"]["ip"] == ("198.51.100.77" if trusted else "10.1.2.3")
