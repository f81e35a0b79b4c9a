"""The audit server: Leapwork export and Data API throughput over a real socket.

N sample events (``AUDITMW_BENCH_SERVER_N``, default 50,000) over 30 days go into a fresh
SQLite store; the server runs under uvicorn on 127.0.0.1 and is read with httpx. The bare
baseline, measured in the same run, is the store's own ``iter_events`` over the same range
(no mapping, no JSON, no HTTP). Key checks are timed against an in-process loop of the
same HMAC without the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from auditmw.server import create_app
from auditmw.store.sample import sample_events
from auditmw.trail import AuditTrail

N = int(os.environ.get("AUDITMW_BENCH_SERVER_N", "50000"))
COMMAND = ".venv/bin/python -m benchmarks server"


def _serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error",
                                           lifespan="off", ws="none"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        time.sleep(0.025)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


def _timed(fn: Any, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        end = datetime.now(UTC) - timedelta(minutes=5)
        trail = AuditTrail(store=f"sqlite:///{Path(tmp) / 'audit.db'}", sinks=[],
                           timezone="UTC", server={"max_export_days": 400})
        app = create_app(trail)
        ctx = app.state.audit
        batch: list[dict[str, Any]] = []
        for event in sample_events(N, end=end):
            batch.append(event)
            if len(batch) == 2000:
                ctx.store.write(batch)
                batch = []
        ctx.store.write(batch)
        _, key = ctx.keys.create("bench", ["audit_logs"])
        server, thread, url = _serve(app)
        first_day = (end - timedelta(days=31)).strftime("%Y-%m-%d")
        try:
            from auditmw.store.base import Query

            started = time.perf_counter()
            bare = sum(1 for _ in ctx.store.iter_events(Query(), order="asc"))
            bare_s = time.perf_counter() - started

            with httpx.Client(base_url=url, timeout=300,
                              headers={"accessKey": key}) as client:
                started = time.perf_counter()
                response = client.get("/api/v4/auditlogs/export",
                                      params={"fromDate": first_day})
                rows = len(response.json())
                export_s = time.perf_counter() - started
                size_mb = len(response.content) / 1e6

                started = time.perf_counter()
                csv_bytes = len(client.get("/api/audit-trail/export",
                                           params={"format": "csv"}).content)
                csv_s = time.perf_counter() - started

                page = _timed(lambda: client.get("/api/audit-trail",
                                                 params={"limit": 100}).raise_for_status(), 30)
                filtered = _timed(lambda: client.get(
                    "/api/audit-trail", params={"event": "deleteScope", "limit": 100}
                ).raise_for_status(), 30)
                refused = _timed(lambda: client.get(
                    "/api/audit-trail", headers={"accessKey": "amk_000000000000_x"}), 30)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            trail.close()
            ctx.close()

    digest = hashlib.sha256
    hmac_us = min(_timed(lambda: [hmac.new(b"k", b"s" * 43, digest).digest()
                                  for _ in range(1000)], 5))
    return "\n".join([
        "## Audit server",
        "",
        f"{N:,} sample events in SQLite; uvicorn on 127.0.0.1, one httpx client. "
        "Baseline: the store's own `iter_events` over every event (no mapping, JSON or HTTP).",
        "",
        "| measure | value | vs baseline |",
        "|---|---|---|",
        f"| store `iter_events` (baseline) | {bare / bare_s:,.0f} events/s | 1.00x |",
        f"| Leapwork export, {rows:,} rows, {size_mb:.1f} MB | {rows / export_s:,.0f} rows/s "
        f"| {(rows / export_s) / (bare / bare_s):.2f}x |",
        f"| Data API CSV export, {csv_bytes / 1e6:.1f} MB | {bare / csv_s:,.0f} events/s "
        f"| {(bare / csv_s) / (bare / bare_s):.2f}x |",
        f"| Data API first page (100, with total), p50 | {statistics.median(page):.1f} ms | |",
        f"| Data API filtered first page, p50 | {statistics.median(filtered):.1f} ms | |",
        f"| refused call (401 + self-audit), p50 | {statistics.median(refused):.1f} ms | |",
        f"| HMAC-SHA256 of one key, in process | {hmac_us:.1f} µs | |",
        "",
        f"Run: `make bench` or `{COMMAND}`; `AUDITMW_BENCH_SERVER_N=500000` for a bigger run.",
        "",
    ])


if __name__ == "__main__":
    print(main())
