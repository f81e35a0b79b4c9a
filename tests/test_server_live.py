"""The audit server for real: uvicorn on 127.0.0.1 (port 0) in a thread, `auditmw serve` as
a subprocess, and schemathesis against `/openapi.json` (bounded examples)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from auditmw.event import Actor, AuditEvent, Client, Target
from auditmw.ids import format_time, uuid7
from auditmw.server import create_app
from auditmw.server.leapwork_api import CHUNK_ROWS
from auditmw.trail import AuditTrail

START = (datetime.now(UTC) - timedelta(days=3)).replace(hour=8, minute=0, second=0,
                                                        microsecond=0)


@dataclass
class Live:
    url: str
    key: str
    trail: AuditTrail


def _events(count: int) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        moment = START + timedelta(seconds=i)
        built = AuditEvent.create(
            "createAssetGroup", "inventory_configuration", "create",
            actor=Actor(id=f"u{i % 5}", name=f"User {i % 5}", team="ops"),
            client=Client(ip=f"10.0.0.{i % 250}"), target=Target(id=f"g{i}", name=f"bulk{i}"),
            details={"i": i}, channel="ui", source="graphql")
        out.append(built.with_(id=uuid7(int(moment.timestamp()) * 10**9 + i),
                               time=format_time(moment)).to_dict())
    return out


def _serve_in_thread(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                            lifespan="off", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    for _ in range(200):  # bounded wait for the socket (safety bound, not a timing test)
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    db = tmp_path_factory.mktemp("live") / "audit.db"
    trail = AuditTrail(store=f"sqlite:///{db}", sinks=[], timezone="Europe/Brussels")
    app = create_app(trail)
    ctx = app.state.audit
    ctx.store.write(_events(CHUNK_ROWS * 2 + 7))
    _, key = ctx.keys.create("live", ["audit_logs"])
    server, thread, url = _serve_in_thread(app)
    try:
        yield Live(url, key, trail)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        trail.close()
        ctx.close()


def test_export_streams_in_chunks_over_a_socket(live: Live) -> None:
    day = START.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Brussels")).date()
    chunks: list[bytes] = []
    with httpx.Client(base_url=live.url, timeout=30) as client, client.stream(
            "GET", "/api/v4/auditlogs/export", params={"fromDate": str(day), "toDate": str(day)},
            headers={"accessKey": live.key}) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers  # streamed, not buffered
        chunks.extend(response.iter_raw())
    rows = json.loads(b"".join(chunks))
    assert [r["Asset"] for r in rows] == [f"bulk{i}" for i in range(CHUNK_ROWS * 2 + 7)]
    assert rows[0]["Team"] == "ops"


def test_refused_and_granted_calls_reach_the_store(live: Live) -> None:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        refused = client.get("/api/v4/auditlogs/export", params={"fromDate": "2024-01-01"},
                             headers={"accessKey": "amk_000000000000_nope"})
        assert refused.status_code == 401
        granted = client.get("/api/audit-trail", params={"limit": 1},
                             headers={"accessKey": live.key})
        assert granted.status_code == 200
        assert live.trail.flush(timeout=10)
        mine = client.get("/api/audit-trail", headers={"accessKey": live.key},
                          params={"event": "exportAuditTrail", "limit": 1000,
                                  "order": "asc"}).json()["items"]
    pairs = [(e["outcome"], e["actor"].get("name"), e["details"]["endpoint"]) for e in mine]
    assert ("denied", None, "auditlogs/export") in pairs
    assert ("success", "live", "audit-trail") in pairs
    denied = next(e for e in mine if e["outcome"] == "denied")
    assert denied["client"]["ip"] == "127.0.0.1"
    assert denied["actor"]["type"] == "anonymous"


# --- schemathesis ----------------------------------------------------------------------------

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, ignored_auth]


def test_openapi_conformance(live: Live) -> None:
    """No 5xx, and every status, content type and body is the one the document gives;
    a call without the key must be refused (schemathesis's ``ignored_auth``)."""
    api = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert {op.path for op in operations} == {
        "/api/v4/auditlogs/export", "/api/audit-trail", "/api/audit-trail/export", "/graphql"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def conforms(case: Any) -> None:
            case.call_and_validate(headers={"accessKey": live.key}, checks=CHECKS)

        conforms()


# --- `auditmw serve` ----------------------------------------------------------------------

@pytest.mark.subprocess
def test_auditmw_serve_subprocess(tmp_path: Path) -> None:
    (tmp_path / "auditmw.toml").write_text(
        'timezone = "UTC"\n[store]\nurl = "sqlite:///./audit.db"\n'
        '[server]\nprefix = "/trail"\nedition = "platform"\n[delivery]\nmode = "sync"\n'
        '[[sinks]]\ntype = "stdout"\n',
        encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "AUDITMW_CONFIG"}
    made = subprocess.run([sys.executable, "-m", "auditmw", "keys", "create", "--name", "ops",
                           "--scope", "audit_logs"], cwd=tmp_path, env=env, text=True,
                          capture_output=True, timeout=60, check=True)
    key = made.stdout.strip()
    proc = subprocess.Popen([sys.executable, "-m", "auditmw", "serve", "--port", "0"],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        url = None
        assert proc.stderr is not None
        for _ in range(200):  # bounded: uvicorn announces its socket within a few lines
            line = proc.stderr.readline()
            found = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
            if found:
                url = found.group(1)
                break
            if not line and proc.poll() is not None:
                break
        assert url, "auditmw serve did not announce its address"
        today = datetime.now(UTC).strftime("%Y-%m-%d")
        with httpx.Client(base_url=url, timeout=30) as client:
            ok = client.get("/trail/api/v4/auditlogs/export", params={"fromDate": today},
                            headers={"accessKey": key})
            assert ok.status_code == 200
            assert ok.json() == []  # nothing recorded before this call
            again = client.get("/trail/api/v4/auditlogs/export", params={"fromDate": today},
                               headers={"accessKey": key})
            rows = again.json()
            assert [(r["Event"], r["UserOrSystem"]) for r in rows] == [
                ("exportAuditTrail", "API")]
            assert "Team" not in rows[0]  # edition = "platform"
            outside = client.get("/api/v4/auditlogs/export", params={"fromDate": today},
                                 headers={"accessKey": key})
            assert outside.status_code == 404  # served under server.prefix
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stderr is not None:
            proc.stderr.close()
