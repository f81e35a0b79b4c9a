"""Login, failed login and logout from Django's auth signals; django-hijack's
impersonation; the audit pages in urls.py with Django's own login (host_auth)."""

from __future__ import annotations

import json
from typing import Any

from auditmw.testing import capture_audit_events


def client(**defaults: Any) -> Any:
    from django.test import Client

    return Client(**defaults)


def test_login_failed_login_and_logout(audit: Any) -> None:
    http = client(REMOTE_ADDR="203.0.113.50")
    with capture_audit_events(audit) as events:
        failed = http.post("/accounts/login/", {"username": "alice",
                                                "password": "wrong-Secret-123"})
        ok = http.post("/accounts/login/", {"username": "alice", "password": "inventory"})
        out = http.post("/accounts/logout/")
    assert failed.status_code == 200  # Django re-shows the form
    assert (ok.status_code, out.status_code) == (302, 302)
    assert [(e["event"], e["outcome"], e["details"]["kind"], e["actor"]["name"])
            for e in events] == [("siteAccess", "failure", "login_failed", "alice"),
                                 ("siteAccess", "success", "login", "alice"),
                                 ("siteAccess", "success", "logout", "alice")]
    assert events[0]["details"]["username"] == "alice"
    assert events[0]["actor"]["id"] is None  # tried, not proven
    assert events[1]["actor"]["id"] is not None
    assert {e["client"]["ip"] for e in events} == {"203.0.113.50"}
    assert "wrong-Secret-123" not in json.dumps(events)


def test_login_route_and_signal_record_one_event(make_audit: Any) -> None:
    """site_access.routes naming the login URL as well: the signal's event only."""
    from django.conf import settings

    trail = make_audit(capture={**settings.AUDITMW["capture"],
                                "site_access": {"routes": ["POST /accounts/login/"]}})
    with capture_audit_events(trail) as events:
        client().post("/accounts/login/", {"username": "bob", "password": "inventory"})
    assert [(e["event"], e["details"].get("kind")) for e in events] == [("siteAccess", "login")]


def test_auth_event_names_are_configurable(make_audit: Any) -> None:
    from django.test import override_settings

    with override_settings(AUDITMW_AUTH_EVENTS={"logout": "leaveSite", "login_failed": None}):
        trail = make_audit()
        http = client()
        with capture_audit_events(trail) as events:
            http.post("/accounts/login/", {"username": "bob", "password": "nope"})
            http.post("/accounts/login/", {"username": "bob", "password": "inventory"})
            http.post("/accounts/logout/")
    assert [(e["event"], e["details"]["kind"]) for e in events] == [
        ("siteAccess", "login"), ("leaveSite", "logout")]


def test_hijacked_session_names_the_impersonator(audit: Any) -> None:
    from django.contrib.auth import get_user_model

    users = get_user_model()._default_manager
    admin, bob = users.get(username="admin"), users.get(username="bob")
    http = client()
    http.force_login(admin)
    answer = http.post("/hijack/acquire/", {"user_pk": bob.pk, "next": "/health"})
    assert answer.status_code == 302, answer.content
    with capture_audit_events(audit) as events:
        created = http.post("/api/asset-groups/", {"name": "As bob"},
                            content_type="application/json")
    assert created.status_code == 201, created.content
    event = next(e for e in events if e["event"] == "createAssetGroup")
    assert event["actor"]["name"] == "bob"
    assert event["actor"]["id"] == str(bob.pk)
    assert event["actor"]["on_behalf_of"]["name"] == "admin"
    assert event["actor"]["on_behalf_of"]["id"] == str(admin.pk)
    # released: bob's own session again, nobody on his behalf
    assert http.post("/hijack/release/", {"next": "/health"}).status_code == 302
    with capture_audit_events(audit) as after:
        http.post("/api/asset-groups/", {"name": "As admin"}, content_type="application/json")
    mine = next(e for e in after if e["event"] == "createAssetGroup")
    assert mine["actor"]["name"] == "admin"
    assert "on_behalf_of" not in mine["actor"]


def _page_client(name: str | None) -> Any:
    from django.contrib.auth import get_user_model

    http = client()
    if name:
        http.force_login(get_user_model()._default_manager.get(username=name))
    return http


def _stored_trail(make_audit: Any) -> Any:
    """A trail on the project's own store (settings.AUDITMW's), as the pages read it."""
    from django.conf import settings

    return make_audit(store=settings.AUDITMW["store"]["url"])


def test_audit_pages_in_urls_with_django_login(make_audit: Any) -> None:
    trail = _stored_trail(make_audit)
    trail.record("createScope", actor={"id": "9", "name": "zed"})
    trail.flush()
    anonymous = _page_client(None).get("/audit/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=/audit/")
    staff = _page_client("admin")
    page = staff.get("/audit/")
    assert page.status_code == 200
    assert b"<html" in b"".join(page.streaming_content).lower()
    data = staff.get("/audit/api/audit-trail")
    assert data.status_code == 200
    body = json.loads(b"".join(data.streaming_content))
    assert any(e["event"] == "createScope" for e in body["items"])
    # signed in but not staff: the key rule, as for anyone
    assert _page_client("alice").get("/audit/api/audit-trail").status_code == 401


def test_manage_py_auditmw_keys_then_the_key_reads_the_pages(make_audit: Any,
                                                             capsys: Any) -> None:
    from django.core.management import call_command

    trail = _stored_trail(make_audit)
    trail.record("createScope", actor={"id": "7", "name": "kim"})
    trail.flush()
    call_command("auditmw", "keys", "create", "--name", "pages-test", "--scope", "audit_logs")
    key = capsys.readouterr().out.strip()
    assert key
    assert "\n" not in key
    http = _page_client(None)
    assert http.get("/audit/api/audit-trail").status_code == 401
    answer = http.get("/audit/api/audit-trail", HTTP_ACCESSKEY=key)
    assert answer.status_code == 200
    body = json.loads(b"".join(answer.streaming_content))
    assert any(e["actor"]["name"] == "kim" for e in body["items"])
