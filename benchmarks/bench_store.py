"""The store at size: insert rate, filtered first pages, deep pages, full CSV export.

N generated events (``AUDITMW_BENCH_STORE_N``, default below) spread over 300 days go
into a fresh SQLite file and a fresh PostgreSQL database. Baselines measured in the same
run: a bare table (id + JSON, no index) for inserts, and ``LIMIT/OFFSET`` paging for the
deep pages. The CSV export runs in a subprocess whose peak RSS is reported.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from auditmw import codec
from auditmw.config.store import StoreConfig
from auditmw.integrity.chain import ChainProcessor
from auditmw.store import Query, open_store
from auditmw.store.cursors import Cursor
from auditmw.store.rows import time_text_to_us
from auditmw.store.sample import sample_events

# The issues' size by default (minutes on the 2-core machine, half an hour when it is
# loaded); AUDITMW_BENCH_STORE_N=10000000 for the big documented run.
N = int(os.environ.get("AUDITMW_BENCH_STORE_N", "1000000"))
# What the delivery lane gives the store sink at most in one write when events queue up
# (store.batch_size, its own default; AUDITMW_BENCH_STORE_BATCH for another size).
BATCH = int(os.environ.get("AUDITMW_BENCH_STORE_BATCH", str(StoreConfig().batch_size)))
TENANTS = 100  # every event belongs to one of 100 tenants (SPEC §15: a tenant key's reads)
BASELINE_N = min(N, 50_000)
PG_ADMIN = os.environ.get("AUDITMW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
COMMAND = ".venv/bin/python -m benchmarks store"
#: Which backends to run (``AUDITMW_BENCH_STORE_BACKENDS=sqlite`` for SQLite alone).
BACKENDS = os.environ.get("AUDITMW_BENCH_STORE_BACKENDS", "sqlite,postgresql").lower()

# VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork+exec from the (big) parent.
PEAK_RSS = """
def peak_rss_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
"""
EXPORT_CHILD = PEAK_RSS + """
import json, sys, time
from auditmw.exports import export_chunks
from auditmw.store import Query, open_store
store = open_store(sys.argv[1])
started = time.perf_counter()
size = rows = 0
with open(sys.argv[2], "wb") as out:
    for chunk in export_chunks(store.iter_events(Query(), chunk_size=2000), "csv"):
        out.write(chunk)
        size += len(chunk)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "bytes": size,
                  "peak_rss_kb": peak_rss_kb()}))
"""
IDLE_CHILD = PEAK_RSS + """
import json, sys
from auditmw.exports import export_chunks
from auditmw.store import Query, open_store
store = open_store(sys.argv[1]); store.count(Query(event=("none",)))
print(json.dumps({"peak_rss_kb": peak_rss_kb()}))
"""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _timed(fn: Any, repeat: int) -> list[float]:
    fn()  # warm: prepared statements, page cache
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _bare_insert_rate(url: str, events: list[dict[str, Any]]) -> float:
    """Events/s into a table holding only id + JSON: the floor any store pays."""
    rows = [(e["id"], codec.dumps_str(e)) for e in events]
    started = time.perf_counter()
    if url.startswith("sqlite"):
        import sqlite3
        conn = sqlite3.connect(url.removeprefix("sqlite:///") + ".bare", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("CREATE TABLE bare (id TEXT, data TEXT)")
        for i in range(0, len(rows), BATCH):
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO bare VALUES (?, ?)", rows[i:i + BATCH])
            conn.execute("COMMIT")
        conn.close()
    else:
        import psycopg
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE bare (id text, data text)")
            for i in range(0, len(rows), BATCH):
                with conn.transaction(), conn.cursor().copy("COPY bare FROM STDIN") as copy:
                    for row in rows[i:i + BATCH]:
                        copy.write_row(row)
            conn.execute("DROP TABLE bare")
    return len(rows) / (time.perf_counter() - started)


def _backend_cpu_s(store: Any) -> float:
    """CPU seconds the PostgreSQL server processes serving this store's connections have
    used (0 for SQLite, which works inside this process)."""
    return sum(_backend_cpu_split(store))


def _backend_cpu_split(store: Any) -> tuple[float, float]:
    """PostgreSQL's server CPU seconds: the backend of the writing thread's connection
    (the one a ``write`` waits for), and every other one of the store (the GIN merging
    thread's, auditmw.store.pg_merge), from ``/proc/PID/schedstat`` (nanoseconds)."""
    if not hasattr(store, "partitions"):
        return 0.0, 0.0
    writer = store._connection().info.backend_pid
    own = others = 0.0
    for conn in list(store._connections):
        if conn.closed:
            continue
        pid = conn.info.backend_pid
        with open(f"/proc/{pid}/schedstat") as stat:
            seconds = int(stat.read().split()[0]) / 1e9
        if pid == writer:
            own += seconds
        else:
            others += seconds
    return own, others


def _thread_cpu_s() -> float:
    used = resource.getrusage(resource.RUSAGE_THREAD)
    return used.ru_utime + used.ru_stime


def _helper_cpu_s(store: Any) -> float:
    """CPU seconds of the store's own helper thread (SQLite's WAL checkpointer)."""
    checkpointer = getattr(store, "_checkpointer", None)
    tid = getattr(getattr(checkpointer, "_thread", None), "native_id", None)
    if tid is None:
        return 0.0
    with open(f"/proc/self/task/{tid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _fill(stores: dict[str, Any]) -> tuple[dict[str, tuple[float, ...]],
                                           list[dict[str, Any]], list[Any]]:
    """Write N events to every store; returns (wall seconds, CPU seconds of all the work:
    the writing thread, the store's helper thread and the PostgreSQL server process,
    CPU seconds of the writing thread alone, PostgreSQL's writer backend and its other
    backends: :func:`_backend_cpu_split`) per store, a baseline sample and the
    (time, id) of every 1000th event (for deep-page cursors)."""
    wall = dict.fromkeys(stores, 0.0)
    cpu = dict.fromkeys(stores, 0.0)
    server_before = {name: _backend_cpu_split(store) for name, store in stores.items()}
    head: list[dict[str, Any]] = []
    marks: list[Any] = []
    batch: list[dict[str, Any]] = []

    def write(batch: list[dict[str, Any]]) -> None:
        # Each store gets its own copies, its JSON still to be made (what the chain left:
        # the first sink to ask makes the line), so neither gets it from the other.
        lines = [getattr(event, "_line", None) for event in batch]
        for name, store in stores.items():
            events = [codec.encoded(event, line) for event, line in zip(batch, lines,
                                                                       strict=True)]
            started, started_cpu = time.perf_counter(), _thread_cpu_s()
            store.write(events)
            wall[name] += time.perf_counter() - started
            cpu[name] += _thread_cpu_s() - started_cpu

    end = datetime.now(UTC)
    for index, event in enumerate(_as_delivered(sample_events(
            N, end=end, span=timedelta(days=300), tenants=TENANTS))):
        if len(head) < BASELINE_N:
            head.append(event)
        if index % 1000 == 0:
            marks.append((time_text_to_us(event["time"]), event["id"]))
        batch.append(event)
        if len(batch) == BATCH:
            write(batch)
            batch = []
    if batch:
        write(batch)
    time.sleep(3)  # the checkpoint thread's last round
    server = {name: tuple(after - before for after, before in zip(
        _backend_cpu_split(store), server_before[name], strict=True))
        for name, store in stores.items()}
    spent = {name: (wall[name], cpu[name] + _helper_cpu_s(store) + sum(server[name]),
                    cpu[name], *server[name])
             for name, store in stores.items()}
    return spent, head, marks


def _as_delivered(events: Any) -> Any:
    """The events as the store lane is handed them: stamped by the pipeline's chain, so
    each is a :class:`auditmw.codec.Encoded` carrying its JSON (made from the bytes the
    chain hashed when a sink first asks; here the store is the first). A plain dict
    would make the store serialise it again, which no pipeline event costs."""
    chain = ChainProcessor()
    for event in events:
        del event["integrity"]
        yield chain(event)


FILTERS: list[tuple[str, Query]] = [
    ("no filter", Query()),
    ("event=deleteScope", Query(event=("deleteScope",))),
    ("category=site_access", Query(category=("site_access",))),
    ("actor=u42 (id or name)", Query(actor=("u42",))),
    ("outcome=denied", Query(outcome=("denied",))),
    ("target=t1234", Query(target=("t1234",))),
    ("ip=10.5.0.7", Query(ip=("10.5.0.7",))),
    ("tenant=site7 (a tenant key: 1 of 100 tenants)", Query(tenant=("site7",))),
    ("tenant=site7, event=deleteScope", Query(tenant=("site7",), event=("deleteScope",))),
    # an event and a rare outcome: no index held both before PostgreSQL's schema 9
    ("event=deleteScope, outcome=denied", Query(event=("deleteScope",), outcome=("denied",))),
    ("last 7 days, event=triggerScan, outcome=failure", None),  # built at run time
]


def _export(url: str, directory: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = os.path.join(directory, "export.csv")
    done = subprocess.run([sys.executable, "-c", EXPORT_CHILD, url, out], env=env,
                          capture_output=True, text=True, check=True, timeout=900)
    idle = subprocess.run([sys.executable, "-c", IDLE_CHILD, url], env=env,
                          capture_output=True, text=True, check=True, timeout=120)
    os.unlink(out)
    result: dict[str, Any] = json.loads(done.stdout)
    result["idle_rss_kb"] = json.loads(idle.stdout)["peak_rss_kb"]
    return result


def main() -> str:
    import psycopg

    directory = tempfile.mkdtemp(prefix="auditmw-bench-")
    db_name = f"auditmw_bench_{uuid.uuid4().hex[:8]}"
    with_pg = "postgresql" in BACKENDS
    if with_pg:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
    urls = {"SQLite": f"sqlite:///{directory}/bench.db",
            "PostgreSQL": PG_ADMIN.rsplit("/", 1)[0] + f"/{db_name}"}
    urls = {name: url for name, url in urls.items() if name.lower() in BACKENDS}
    stores = {name: open_store(url) for name, url in urls.items()}
    try:
        return _run(stores, urls, directory)
    finally:
        for store in stores.values():
            store.close()
        if with_pg:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        for name in os.listdir(directory):
            os.unlink(os.path.join(directory, name))
        os.rmdir(directory)


def _run(stores: dict[str, Any], urls: dict[str, str], directory: str) -> str:
    spent, head, marks = _fill(stores)
    if "PostgreSQL" in stores:
        import psycopg
        with psycopg.connect(urls["PostgreSQL"], autocommit=True) as conn:
            conn.execute("ANALYZE events")
    for store in stores.values():
        store.purge()  # as the background purge does hourly; SQLite refreshes its statistics
    now = datetime.now(UTC)
    filters = [(label, q or Query(start=now - timedelta(days=7), event=("triggerScan",),
                                  outcome=("failure",))) for label, q in FILTERS]
    lines = [f"## Store ({N:,} events of {TENANTS} tenants over 300 days)", ""]
    lines += ["| | " + " | ".join(stores) + " |", "|---|" + "---:|" * len(stores)]
    bare = {name: _bare_insert_rate(urls[name], head) for name in stores}
    lines.append(f"| insert, events/s (batches of {BATCH}), wall | "
                 + " | ".join(f"{N / spent[n][0]:,.0f}" for n in stores) + " |")
    lines.append("| insert, CPU µs an event (writing thread + SQLite's checkpoint thread + "
                 "the PostgreSQL server process) | "
                 + " | ".join(f"{spent[n][1] / N * 1e6:.1f}" for n in stores) + " |")
    lines.append("| insert, CPU µs an event on the writing thread | "
                 + " | ".join(f"{spent[n][2] / N * 1e6:.1f}" for n in stores) + " |")
    lines.append("| insert, PostgreSQL server CPU µs an event: the writer's backend / the "
                 "GIN merging backend | "
                 + " | ".join(f"{spent[n][3] / N * 1e6:.1f} / {spent[n][4] / N * 1e6:.1f}"
                              if spent[n][3] else "—" for n in stores) + " |")
    lines.append("| insert, events/s one core's CPU allows | "
                 + " | ".join(f"{N / spent[n][1]:,.0f}" for n in stores) + " |")
    lines.append(f"| bare table id+JSON, no index (first {BASELINE_N:,}), events/s | "
                 + " | ".join(f"{bare[n]:,.0f}" for n in stores) + " |")
    lines.append("| store / bare (wall) | "
                 + " | ".join(f"{(N / spent[n][0]) / bare[n]:.2f}×" for n in stores) + " |")
    for label, query in filters:
        cells = []
        for store in stores.values():
            times = _timed(lambda s=store, q=query: s.query(q, limit=100, with_total=False), 30)
            cells.append(f"{_pct(times, 0.5):.2f} / {_pct(times, 0.95):.2f}")
        lines.append(f"| first page of 100, p50 / p95 ms: {label} | " + " | ".join(cells) + " |")
    for label, query in filters[:2]:
        cells = [f"{statistics.median(_timed(lambda s=s, q=query: s.count(q), 5)):.0f}"
                 for s in stores.values()]
        lines.append(f"| `total` (count), p50 ms: {label} | " + " | ".join(cells) + " |")
    depths = [d for d in (1_000, 10_000, 100_000, 1_000_000, N - 10_000) if d <= N - 10_000]
    for depth in depths:
        time_us, ident = marks[-1 - depth // 1000]  # newest first: depth events from the top
        cells = []
        for name, store in stores.items():
            cursor = store.encode_cursor(Cursor(time_us, ident, "desc", True))
            keyset = _timed(lambda s=store, c=cursor: s.query(Query(), limit=100, cursor=c,
                                                               with_total=False), 10)
            offset = _offset_ms(store, name, depth)
            cells.append(f"{statistics.median(keyset):.2f} (OFFSET: {offset:.0f})")
        lines.append(f"| page at depth {depth:,}, p50 ms (bare OFFSET) | "
                     + " | ".join(cells) + " |")
    if os.environ.get("AUDITMW_BENCH_STORE_EXPORT", "1") != "0":  # 0: skip the export
        exports = {name: _export(url, directory) for name, url in urls.items()}
        lines.append("| full CSV export, events/s | "
                     + " | ".join(f"{N / e['seconds']:,.0f}" for e in exports.values()) + " |")
        lines.append("| CSV export peak RSS, MB (idle process with the store open) | "
                     + " | ".join(f"{e['peak_rss_kb'] / 1024:.0f} ({e['idle_rss_kb'] / 1024:.0f})"
                                  for e in exports.values()) + " |")
        lines.append("| CSV size, MB | " + " | ".join(f"{e['bytes'] / 1e6:.0f}"
                                                     for e in exports.values()) + " |")
    lines += ["", f"Load average {os.getloadavg()[0]:.1f} at the end of the run "
              f"({os.cpu_count()} cores).", "",
              f"Command: `make bench` or `{COMMAND}` "
              f"(`AUDITMW_BENCH_STORE_N` sets the size: 1,000,000 by default, 10,000,000 "
              f"for the big run).", ""]
    return "\n".join(lines)


def _offset_ms(store: Any, name: str, depth: int) -> float:
    """The same page fetched with LIMIT/OFFSET, the usual naive paging (median of 3)."""
    placeholder = "?" if name == "SQLite" else "%s"
    cutoff = store._time_param(store.cutoff_us())
    sql = (f"SELECT ts, id, data FROM events WHERE ts >= {placeholder} "
           f"ORDER BY ts DESC, id DESC LIMIT 100 OFFSET {depth}")
    if name == "SQLite" and store._fetch(
            "SELECT 1 FROM pragma_table_info('events') WHERE name = 'k'", ()):
        # Schema 6 orders the table by k (no (ts, id) index): the same page in k order.
        cutoff <<= 10
        sql = f"SELECT ts, id, data FROM events WHERE k >= ? ORDER BY k DESC LIMIT 100 " \
              f"OFFSET {depth}"
    return statistics.median(_timed(lambda: store._fetch(sql, (cutoff,)), 3))


if __name__ == "__main__":
    print(main())
