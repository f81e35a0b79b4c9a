"""What the checked retention purge costs: every expired row is proven expired by its own
signed time, its columns compared with its JSON and its HMAC checked before it goes.

``AUDITMW_BENCH_PURGE_N`` chained (HMAC) events 400 days old, plus 10% recent ones, go
into a fresh SQLite file and a fresh PostgreSQL database, twice each: one copy is purged
by ``store.purge`` with the purge checkpointer (the real thing), the other by a bare
``DELETE ... WHERE ts < cut`` (SQLite) or ``DROP`` of the expired partitions plus that
``DELETE`` (PostgreSQL) — what the purge did before it checked anything.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from auditmw.integrity import ChainProcessor, purge_checkpointer
from auditmw.store import open_store
from auditmw.store.sample import sample_events

N = int(os.environ.get("AUDITMW_BENCH_PURGE_N", "100000"))
KEY = "bench-purge-key"
PG_ADMIN = os.environ.get("AUDITMW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
COMMAND = ".venv/bin/python -m benchmarks purge"


def _events() -> list[dict[str, Any]]:
    chain = ChainProcessor(KEY)
    now = datetime.now(UTC)
    old = sample_events(N, end=now - timedelta(days=400), span=timedelta(days=60), seed=3)
    fresh = sample_events(N // 10, end=now, span=timedelta(days=30), seed=4)
    out = []
    for event in [*old, *fresh]:
        event.pop("integrity", None)
        out.append(chain(event))
    return out


def _bare(store: Any, name: str) -> None:
    from auditmw.store.rows import us_to_datetime

    cutoff = store.cutoff_us()
    if name == "SQLite":
        conn = store._connection()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM events WHERE ts < ?", (cutoff,))
        conn.execute("COMMIT")
        return
    conn = store._connection()
    when = us_to_datetime(cutoff)
    with conn.transaction():
        for partition in store._expired_partitions(conn, when):
            conn.execute(f"DROP TABLE {partition}".encode())
        conn.execute("DELETE FROM events WHERE ts < %s", (when,))


def main() -> str:
    import psycopg

    events = _events()
    directory = tempfile.mkdtemp(prefix="auditmw-bench-purge-")
    names = [f"auditmw_bench_purge_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for db in names:
            conn.execute(f'CREATE DATABASE "{db}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    rows: dict[str, list[str]] = {}
    try:
        for name, checked_url, bare_url in (
                ("SQLite", f"sqlite:///{directory}/checked.db", f"sqlite:///{directory}/bare.db"),
                ("PostgreSQL", f"{base}/{names[0]}", f"{base}/{names[1]}")):
            timings = []
            for url, checked in ((checked_url, True), (bare_url, False)):
                store = open_store(url)
                try:
                    for at in range(0, len(events), 1000):
                        store.write(events[at:at + 1000])
                    started = time.perf_counter()
                    if checked:
                        deleted = store.purge(on_purge=purge_checkpointer(KEY))
                        assert deleted == N, (deleted, N)
                    else:
                        _bare(store, name)
                    timings.append(time.perf_counter() - started)
                finally:
                    store.close()
            rows[name] = [f"{N / timings[0]:,.0f}", f"{timings[0]:.1f}",
                          f"{N / timings[1]:,.0f}", f"{timings[1]:.2f}"]
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for db in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        for file in os.listdir(directory):
            os.unlink(os.path.join(directory, file))
        os.rmdir(directory)
    lines = [f"## Retention purge ({N:,} expired HMAC-chained events, {N // 10:,} kept)", "",
             "| | checked purge, events/s | s | bare delete, events/s | s |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in rows.items()]
    lines += ["", f"`{COMMAND}` (`AUDITMW_BENCH_PURGE_N` sets the size)."]
    return "\n".join(lines) + "\n"
