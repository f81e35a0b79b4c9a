"""What the integrity chain costs per event, and how fast ``auditmw verify`` reads.

Rows, all on the same realistic event (a GraphQL mutation with actor, client, target,
request and a few redacted details), measured in the same run:

- bare baseline: one canonical ``codec.dumps`` of the event (what any sink pays anyway);
- the chain processor alone, SHA-256 and HMAC-SHA256;
- ``AuditTrail.process`` — the whole pipeline as the delivery thread runs it (to_dict,
  enrich, redaction, truncation, [chain]; no sink I/O) — with the chain off and on;
- the delivery thread's work for the default config without the writes' I/O: the
  pipeline, the file sink's ``write`` (to ``/dev/null``, batches of 100) and the store's
  rows (``event_to_row``, what the store binds);
- ``verify_files`` and ``verify_store`` (SQLite and PostgreSQL, ``AUDITMW_TEST_PG``'s
  server) over one trail of ``AUDITMW_BENCH_INTEGRITY_VERIFY_N`` distinct events.

``AUDITMW_BENCH_INTEGRITY_N`` sets the events per sample (default below).
"""

from __future__ import annotations

import copy
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from auditmw import codec
from auditmw.event import Actor, AuditEvent, Client, RequestInfo, Target
from auditmw.integrity import ChainProcessor, verify_files, verify_store
from auditmw.sinks.file import FileSink
from auditmw.store import open_store
from auditmw.store.rows import event_to_row
from auditmw.trail import AuditTrail
from benchmarks.bench_store import PG_ADMIN, _backend_cpu_s

N = int(os.environ.get("AUDITMW_BENCH_INTEGRITY_N", "4000"))
VERIFY_N = int(os.environ.get("AUDITMW_BENCH_INTEGRITY_VERIFY_N", "50000"))
SAMPLES = 7
BATCH = 100
COMMAND = ".venv/bin/python -m benchmarks integrity"


class DiscardSink:
    name = "discard"
    durable = False

    def write(self, events: Sequence[dict[str, Any]]) -> None:
        return None

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


def sample_event(n: int | None = None) -> AuditEvent:
    """The bench's mutation; with ``n``, one whose target, name and token are its own
    (what the pipeline's caches cannot have seen)."""
    name = "Production servers" if n is None else f"Servers of rack {n}"
    return AuditEvent.create(
        "createAssetGroup", "inventory_configuration", "create",
        actor=Actor(id="u-1042", name="Ann Example", team="inventory"),
        client=Client(ip="203.0.113.7", user_agent="Mozilla/5.0 (X11; Linux x86_64)"),
        channel="ui", source="graphql",
        target=Target(type="AssetGroup", id="g-77" if n is None else f"g-{n}", name=name),
        details={"name": name, "rules": [{"field": "os", "value": "linux"}],
                 "apiToken": "t-123" if n is None else f"t-{n:06d}", "tags": ["prod", "linux"]},
        request=RequestInfo(method="POST", path="/graphql", status=200,
                            operation="CreateAssetGroup"),
        duration_ms=12.5)


def per_event_us(cases: list[tuple[str, Callable[[], None], Callable[[], None]]]
                 ) -> dict[str, tuple[float, float]]:
    """Per case, the median over samples of the mean (CPU µs of the calling thread, wall
    µs) per call. CPU time of the calling thread is what the request pays in work and is
    steady on a shared machine; wall time also counts waiting for the CPU. Cases take
    turns within a sample; each has an untimed ``after``."""
    cpu: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    wall: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for _, run, after in cases:
        run()
        after()
    for _ in range(SAMPLES):
        for name, run, after in cases:
            started_cpu, started = time.thread_time(), time.perf_counter()
            for _ in range(N):
                run()
            wall[name].append((time.perf_counter() - started) / N * 1e6)
            cpu[name].append((time.thread_time() - started_cpu) / N * 1e6)
            after()
    return {name: (statistics.median(cpu[name]), statistics.median(wall[name]))
            for name, _, _ in cases}


def _trail(chain: bool, spool: Path) -> AuditTrail:
    return AuditTrail(store=False, sinks=[DiscardSink()], integrity={"chain": chain},
                      delivery={"spool_dir": str(spool), "queue_size": N * 2})


def _verify_rates(folder: Path) -> list[tuple[str, float, float, int]]:
    """``(what, CPU seconds, wall seconds, events)`` of ``verify_files`` and of
    ``verify_store`` on SQLite and PostgreSQL (CPU: this process and, for PostgreSQL,
    the server process serving the store), over one trail of ``VERIFY_N`` distinct
    events (the file and SQLite store written by one trail, PostgreSQL by another)."""
    import psycopg

    path = folder / "verify.jsonl"
    sqlite_url = f"sqlite:///{folder / 'verify.db'}"
    db_name = f"auditmw_bench_verify_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db_name}"')
    pg_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{db_name}"
    try:
        for n_trail, (target, sinks) in enumerate((
                (sqlite_url, [{"type": "file", "path": str(path), "fsync": "never"}]),
                (pg_url, []))):
            trail = AuditTrail(store={"url": target}, sinks=sinks,
                               delivery={"spool_dir": str(folder / f"spool{n_trail}"),
                                         "queue_size": VERIFY_N + 1})
            for n in range(VERIFY_N):
                trail.emit(sample_event(n))
            trail.close(timeout=600)
        rates = [_timed("a JSON-lines file", lambda: verify_files(path))]
        for name, url in (("the SQLite store", sqlite_url), ("the PostgreSQL store", pg_url)):
            store = open_store(url)
            try:
                rates.append(_timed(name, lambda s=store: verify_store(s), store))
            finally:
                store.close()
        return rates
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def _timed(what: str, verify: Callable[[], Any], store: Any = None
           ) -> tuple[str, float, float, int]:
    """The best of three runs (after one to warm the caches) of ``verify``."""
    verify()
    best: tuple[float, float] | None = None
    for _ in range(3):
        started_cpu, started = time.process_time(), time.perf_counter()
        server = _backend_cpu_s(store)
        report = verify()
        cpu = time.process_time() - started_cpu + _backend_cpu_s(store) - server
        wall = time.perf_counter() - started
        assert report.valid, report.summary()
        best = (cpu, wall) if best is None else (min(best[0], cpu), min(best[1], wall))
    assert best is not None
    return what, best[0], best[1], report.events


def main() -> str:
    event = sample_event()
    plain, keyed = ChainProcessor(""), ChainProcessor("bench-key")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        off, on = _trail(False, folder / "s1"), _trail(True, folder / "s2")
        processed = event.to_dict()
        for processor in off.processors:  # the event as the chain sees it
            processed = processor(processed)

        def bare() -> None:
            codec.dumps(processed)

        def chain_sha() -> None:
            plain(copy.copy(processed))

        def chain_hmac() -> None:
            keyed(copy.copy(processed))

        def emit_off() -> None:
            off.process(event)

        def emit_on() -> None:
            on.process(event)

        made = 0

        def fresh_events() -> Iterator[AuditEvent]:
            nonlocal made
            made += N + 1
            return iter([sample_event(n) for n in range(made - N - 1, made)])

        upcoming = fresh_events()

        def emit_varied() -> None:
            on.process(next(upcoming))

        def restart_varied() -> None:
            nonlocal upcoming
            on.flush()
            upcoming = fresh_events()  # never one seen before

        def nothing() -> None:
            return None

        devnull = FileSink(os.devnull, fsync="never", rotate_bytes=0)
        batch: list[dict[str, Any]] = []

        def deliver() -> None:
            batch.append(on.process(event))
            if len(batch) == BATCH:
                devnull.write(batch)
                for finished in batch:
                    event_to_row(finished)
                batch.clear()

        def drain_off() -> None:
            off.flush()

        def drain_on() -> None:
            on.flush()

        rows = per_event_us([
            ("bare: canonical JSON of the event (`codec.dumps`)", bare, nothing),
            ("chain processor alone, SHA-256", chain_sha, nothing),
            ("chain processor alone, HMAC-SHA256", chain_hmac, nothing),
            ("pipeline (`trail.process`), chain off", emit_off, drain_off),
            ("pipeline (`trail.process`), chain on (SHA-256)", emit_on, drain_on),
            ("pipeline, chain on, every event its own target, name and token",
             emit_varied, restart_varied),
            ("delivery thread, default config: pipeline (chain on), file sink line, "
             "store row (no I/O)", deliver, drain_on),
        ])
        devnull.close()
        off.close()
        on.close()
        verified = _verify_rates(folder)
    names = list(rows)
    bare = rows[names[0]][0]
    added = rows[names[4]][0] - rows[names[3]][0]
    added_wall = rows[names[4]][1] - rows[names[3]][1]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## Integrity: cost of the hash chain per event", "",
        f"One realistic GraphQL mutation event ({len(codec.dumps(processed))} bytes of "
        f"canonical JSON); median of {SAMPLES} samples × {N} events; the pipeline is "
        "`trail.process`, what the delivery thread runs per event (no sink I/O). CPU µs are "
        "the calling thread's CPU time (steady on a shared machine); wall µs also count "
        f"waiting for a CPU (load average at the end: {load:.1f} on {os.cpu_count()} CPUs).",
        "", "| case | CPU µs per event | wall µs per event | CPU ratio to bare |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {name} | {c:.2f} | {w:.2f} | {c / bare:.1f}× |"
              for name, (c, w) in rows.items()]
    lines += [
        "", f"Chaining adds **{added:.2f} µs** of CPU per event to the pipeline "
        f"({added_wall:.2f} µs wall; target: < 10 µs).",
        "", f"`auditmw verify` over {VERIFY_N:,} events (best of 3; CPU: this process, and "
        "the server process for PostgreSQL; target: 200,000 events/s each):", "",
        "| trail | events/s, CPU | events/s, wall |", "|---|---:|---:|",
        *[f"| {what} | {n / cpu:,.0f} | {n / wall:,.0f} |" for what, cpu, wall, n in verified],
        "", f"Command: `{COMMAND}` (or `make bench`)", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
