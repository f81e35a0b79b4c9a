"""The Leapwork-compatible export endpoint, table-driven: every message of SPEC section 8,
both date forms, Europe/Brussels across both DST changes of 2024, toDate omitted, the
Platform edition, revoked / expired / scope-less keys, and the self-audit of each call."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from auditmw.event import Actor, AuditEvent, Client, Target
from auditmw.ids import format_time, uuid7
from auditmw.server import create_app
from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail

# The server's clock: 13:00 in Brussels (CET) on 2024-11-05.
NOW = datetime(2024, 11, 5, 12, 0, 0, tzinfo=UTC)
ZONE = "Europe/Brussels"

# name -> UTC time. Brussels jumps 02:00 CET -> 03:00 CEST at 2024-03-31 01:00Z and goes
# back 03:00 CEST -> 02:00 CET at 2024-10-27 01:00Z (02:xx local happens twice).
EVENTS: dict[str, str] = {
    "before_day": "2024-03-30T22:59:59.000000Z",  # 23:59:59 CET on the 30th
    "e1": "2024-03-30T23:30:00.000000Z",          # 00:30:00 CET
    "e2": "2024-03-31T00:59:59.900000Z",          # 01:59:59 CET, just before the gap
    "e3": "2024-03-31T01:00:00.000000Z",          # 03:00:00 CEST, just after it
    "e4": "2024-03-31T01:45:30.700000Z",          # 03:45:30 CEST
    "e5": "2024-03-31T22:30:00.000000Z",          # 00:30:00 CEST on April 1st
    "f4": "2024-10-27T00:29:59.000000Z",          # 02:29:59 CEST (first pass)
    "f1": "2024-10-27T00:30:10.000000Z",          # 02:30:10 CEST (first pass)
    "f2": "2024-10-27T01:30:20.000000Z",          # 02:30:20 CET (second pass)
    "f3": "2024-10-27T01:31:00.000000Z",          # 02:31:00 CET
    "n1": "2024-11-05T11:59:59.999999Z",          # 12:59:59 CET today, before now
    "n2": "2024-11-05T12:00:01.000000Z",          # after "now" (a writer's clock ahead)
}


def _event(name: str, when: str) -> dict[str, Any]:
    moment = datetime.fromisoformat(when)
    built = AuditEvent.create(
        "createAssetGroup", "inventory_configuration", "create",
        actor=Actor(id="u-7", name="Administrator", team="Team 1"),
        client=Client(ip="127.0.0.1", hostname="LAPTOP-UFSQU872"),
        target=Target(type="AssetGroup", id="g-1", name=name),
        details={"name": name, "b": [1, 2]}, channel="ui", source="graphql",
    )
    ns = int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000
    return built.with_(id=uuid7(ns), time=format_time(moment)).to_dict()


@dataclass
class Server:
    client: httpx.AsyncClient
    trail: AuditTrail
    db: Path
    keys: dict[str, str] = field(default_factory=dict)


KeyMaker = Callable[..., "AsyncIterator[Server]"]


async def _server(tmp_path: Path, **server_cfg: Any) -> Server:
    tmp_path.mkdir(parents=True, exist_ok=True)
    db = tmp_path / "audit.db"
    trail = AuditTrail(store={"url": f"sqlite:///{db}", "retention_days": 36500}, sinks=[],
                       timezone=ZONE, server=server_cfg)
    app = create_app(trail, clock=lambda: NOW)
    ctx = app.state.audit
    ctx.store.write([_event(name, when) for name, when in EVENTS.items()])
    keys = ctx.keys
    made = {
        "good": keys.create("exporter", ["audit_logs", "reports"])[1],
        "noscope": keys.create("reporter", ["reports"])[1],
        "expired": keys.create("old", ["audit_logs"], expires=datetime(2024, 11, 1, tzinfo=UTC))[1],
        "revoked": keys.create("gone", ["audit_logs"])[1],
    }
    keys.revoke("gone")
    good = made["good"]
    made["wrong_secret"] = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    made["garbage"] = "wITrC7cjthxW5pPg"
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5555))
    client = httpx.AsyncClient(transport=transport, base_url="http://audit.test")
    return Server(client, trail, db, made)


@pytest.fixture
async def make_server(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    made: list[Server] = []

    async def make(**server_cfg: Any) -> Server:
        server = await _server(tmp_path / str(len(made)), **server_cfg)
        made.append(server)
        return server

    yield make
    for server in made:
        await server.client.aclose()
        server.trail.close()


def _dates(*names: str) -> list[str]:
    """The expected local ``Date`` of each named event, written out by hand below."""
    return [LOCAL[name] for name in names]


LOCAL = {
    "e1": "2024-03-31 00:30:00", "e2": "2024-03-31 01:59:59", "e3": "2024-03-31 03:00:00",
    "e4": "2024-03-31 03:45:30", "e5": "2024-04-01 00:30:00", "f4": "2024-10-27 02:29:59",
    "f1": "2024-10-27 02:30:10", "f2": "2024-10-27 02:30:20", "f3": "2024-10-27 02:31:00",
    "n1": "2024-11-05 12:59:59", "n2": "2024-11-05 13:00:01",
}

E = "enterprise"
CASES = [
    # --- the key ------------------------------------------------------------------
    pytest.param(None, {"fromDate": "2024-03-31"}, E, 401, "Incorrect Accesskey", id="no-key"),
    pytest.param("garbage", {"fromDate": "2024-03-31"}, E, 401, "Incorrect Accesskey",
                 id="unknown-key"),
    pytest.param("wrong_secret", {"fromDate": "2024-03-31"}, E, 401, "Incorrect Accesskey",
                 id="wrong-secret"),
    pytest.param("revoked", {"fromDate": "2024-03-31"}, E, 401, "Incorrect Accesskey",
                 id="revoked-key"),
    pytest.param("expired", {"fromDate": "2024-03-31"}, E, 401, "Incorrect Accesskey",
                 id="expired-key"),
    pytest.param("noscope", {"fromDate": "2024-03-31"}, E, 403,
                 "AccessKey does not have the relevant scope permission", id="no-scope"),
    pytest.param("noscope", {}, E, 403,
                 "AccessKey does not have the relevant scope permission",
                 id="key-checked-before-dates"),
    # --- fromDate / toDate --------------------------------------------------------
    pytest.param("good", {}, E, 400, "From Date is mandatory", id="from-missing"),
    pytest.param("good", {"fromDate": "  "}, E, 400, "From Date is mandatory", id="from-blank"),
    pytest.param("good", {"toDate": "2024-03-31"}, E, 400, "From Date is mandatory",
                 id="only-to"),
    pytest.param("good", {"fromDate": "2024-13-01"}, E, 400, "Invalid From Date",
                 id="from-month-13"),
    pytest.param("good", {"fromDate": "18-04-2022"}, E, 400, "Invalid From Date",
                 id="from-wrong-order"),
    pytest.param("good", {"fromDate": "2024-03-31T00:00"}, E, 400, "Invalid From Date",
                 id="from-iso-T"),
    pytest.param("good", {"fromDate": "2024-03-31 24:00"}, E, 400, "Invalid From Date",
                 id="from-hour-24"),
    pytest.param("good", {"fromDate": "2024-03-31 10:00:00"}, E, 400, "Invalid From Date",
                 id="from-with-seconds"),
    pytest.param("good", {"fromDate": "0001-01-01"}, E, 400, "Invalid From Date",
                 id="from-before-utc-range"),
    pytest.param("good", {"fromDate": "2024-03-01", "toDate": "2024-02-30"}, E, 400,
                 "Invalid To Date", id="to-feb-30"),
    pytest.param("good", {"fromDate": "nope", "toDate": "nope"}, E, 400, "Invalid From Date",
                 id="both-invalid-from-first"),
    pytest.param("good", {"fromDate": "2024-11-06"}, E, 400,
                 "From Date and To Date cannot be set to a date in future", id="from-tomorrow"),
    pytest.param("good", {"fromDate": "2024-11-05 13:01"}, E, 400,
                 "From Date and To Date cannot be set to a date in future",
                 id="from-next-minute"),
    pytest.param("good", {"fromDate": "2024-11-01", "toDate": "2024-11-05 13:01"}, E, 400,
                 "From Date and To Date cannot be set to a date in future", id="to-next-minute"),
    pytest.param("good", {"fromDate": "2024-11-01", "toDate": "9999-12-31"}, E, 400,
                 "From Date and To Date cannot be set to a date in future", id="to-year-9999"),
    pytest.param("good", {"fromDate": "2024-10-27 02:31", "toDate": "2024-10-27 02:30"}, E,
                 400, "From Date cannot be greater than To Date", id="from-after-to-minute"),
    pytest.param("good", {"fromDate": "2024-04-01", "toDate": "2024-03-31"}, E, 400,
                 "From Date cannot be greater than To Date", id="from-after-to-day"),
    pytest.param("good", {"fromDate": "2023-11-01"}, E, 400,
                 "The date range cannot be longer than 366 days", id="max-export-days"),
    # --- granted: date-only and date-time, across DST -------------------------------
    pytest.param("good", {"fromDate": "2024-03-31", "toDate": "2024-03-31"}, E, 200,
                 _dates("e1", "e2", "e3", "e4"), id="day-with-spring-gap"),
    pytest.param("good", {"fromDate": "2024-03-31 03:00", "toDate": "2024-03-31 03:00"}, E,
                 200, _dates("e3"), id="same-minute-inclusive"),
    pytest.param("good", {"fromDate": "2024-03-31 02:30", "toDate": "2024-03-31 03:00"}, E,
                 200, _dates("e3"), id="from-in-gap-is-the-jump"),
    pytest.param("good", {"fromDate": "2024-03-31 01:59", "toDate": "2024-03-31 02:15"}, E,
                 200, _dates("e2"), id="to-in-gap-ends-at-the-jump"),
    pytest.param("good", {"fromDate": "2024-10-27 02:30", "toDate": "2024-10-27 02:30"}, E,
                 200, _dates("f1", "f2"), id="ambiguous-minute-both-passes"),
    pytest.param("good", {"fromDate": "2024-10-27 02:00", "toDate": "2024-10-27 02:29"}, E,
                 200, _dates("f4", "f1"), id="ambiguous-end-is-its-last-pass"),
    pytest.param("good", {"fromDate": "2024-10-27", "toDate": "2024-10-27"}, E, 200,
                 _dates("f4", "f1", "f2", "f3"), id="day-of-25-hours"),
    pytest.param("good", {"fromDate": "2024-11-05"}, E, 200, _dates("n1"),
                 id="to-omitted-means-now"),
    pytest.param("good", {"fromDate": "2024-11-05 13:00", "toDate": "2024-11-05 13:00"}, E,
                 200, _dates("n2"), id="current-minute-is-not-future"),
    pytest.param("good", {"fromDate": "2024-11-05", "toDate": "2024-11-05"}, E, 200,
                 _dates("n1", "n2"), id="today-is-not-future-and-whole"),
    pytest.param("good", {"fromDate": "2024-01-01", "toDate": "2024-01-02"}, E, 200, [],
                 id="empty-range"),
    pytest.param("good", {"fromDate": "2024-03-31", "toDate": "2024-04-01"}, "platform", 200,
                 _dates("e1", "e2", "e3", "e4", "e5"), id="platform-edition"),
]


@pytest.mark.parametrize(("key", "params", "edition", "status", "expected"), CASES)
async def test_export_endpoint(make_server: Callable[..., Any], key: str | None,
                               params: dict[str, str], edition: str, status: int,
                               expected: Any) -> None:
    server = await make_server(edition=edition)
    headers = {"accessKey": server.keys[key]} if key else {}
    with capture_audit_events(server.trail) as audit:
        response = await server.client.get("/api/v4/auditlogs/export", params=params,
                                           headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    if status != 200:
        assert body == {"message": expected}
    else:
        assert [row["Date"] for row in body] == expected
        for row in body:
            assert ("Team" in row) == (edition == "enterprise")
    # Self-audit: exactly one exportAuditTrail event, granted or refused.
    assert len(audit) == 1
    event = audit[0]
    assert event["event"] == "exportAuditTrail"
    assert event["outcome"] == {200: "success", 400: "failure"}.get(status, "denied")
    assert event["channel"] == "api"
    assert event["source"] == "rest"
    assert event["client"]["ip"] == "127.0.0.1"
    assert event["details"]["fromDate"] == params.get("fromDate")
    assert event["details"]["toDate"] == params.get("toDate")
    assert event["request"]["status"] == status
    if key in ("good", "noscope"):
        named = {"good": "exporter", "noscope": "reporter"}[key]
        assert event["actor"] == {"id": event["actor"]["id"], "name": named, "type": "api"}
    else:
        assert event["actor"] == {"id": None, "name": None, "type": "anonymous"}
    if status != 200:
        assert event["error"]["message"] == expected


async def test_record_shape_enterprise(make_server: Callable[..., Any]) -> None:
    server = await make_server()
    response = await server.client.get(
        "/api/v4/auditlogs/export", params={"fromDate": "2024-03-31 03:45"},
        headers={"accessKey": server.keys["good"]})
    first = response.json()[0]
    assert list(first) == ["Date", "IPAddress", "Hostname", "UserOrSystem", "Team", "Event",
                           "Asset", "Details"]
    assert first == {
        "Date": "2024-03-31 03:45:30", "IPAddress": "127.0.0.1", "Hostname": "LAPTOP-UFSQU872",
        "UserOrSystem": "Administrator", "Team": "Team 1", "Event": "createAssetGroup",
        "Asset": "e4", "Details": '{"b":[1,2],"name":"e4"}',
    }


async def test_max_export_days_is_configurable(make_server: Callable[..., Any]) -> None:
    server = await make_server(max_export_days=1)
    key = {"accessKey": server.keys["good"]}
    ok = await server.client.get("/api/v4/auditlogs/export", headers=key,
                                 params={"fromDate": "2024-10-27", "toDate": "2024-10-27"})
    assert ok.status_code == 200
    too_long = await server.client.get("/api/v4/auditlogs/export", headers=key,
                                       params={"fromDate": "2024-10-27",
                                               "toDate": "2024-10-28"})
    assert too_long.json() == {"message": "The date range cannot be longer than 1 days"}


async def test_store_failure_is_500_without_internals(make_server: Callable[..., Any]) -> None:
    server = await make_server()
    with sqlite3.connect(server.db) as conn:
        conn.execute("ALTER TABLE events RENAME TO events_moved")
    with capture_audit_events(server.trail) as audit:
        response = await server.client.get("/api/v4/auditlogs/export",
                                           params={"fromDate": "2024-03-31"},
                                           headers={"accessKey": server.keys["good"]})
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert [e["outcome"] for e in audit] == ["failure"]
