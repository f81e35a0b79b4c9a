"""Delivery throughput: events per second through the async engine to each sink and
format (file, http and its envelopes, otel, syslog, nats, logging), and what a collector
outage costs the recording call.

Everything runs pinned to one CPU (``os.sched_setaffinity``), the local receivers too
(they are separate processes pinned to the same CPU), so the figures are "one core".
Besides the wall-clock rates, each engine run reports its events per CPU-second of this
process (the recording thread and the engine's together) and the CPU the local receiver
spent per event: on a machine shared with other work the wall clock mostly measures the
others, the CPU time measures the sink.
``AUDITMW_BENCH_DELIVERY_N`` sets the events per run (default 50,000);
``AUDITMW_BENCH_DELIVERY_ONLY`` (comma-separated label beginnings, e.g. ``file (,otel``)
measures only those rows.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from auditmw.config import DeliveryConfig
from auditmw.delivery import AsyncDispatcher
from auditmw.event import Actor, AuditEvent, Client, Target
from auditmw.trail import AuditTrail

N = int(os.environ.get("AUDITMW_BENCH_DELIVERY_N", "50000"))
NATS_LABEL = "nats (JetStream, acknowledged), auditmw"
ONLY = tuple(p for p in os.environ.get("AUDITMW_BENCH_DELIVERY_ONLY", "").split(",") if p)

RECEIVER = r'''
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The answer leaves in one segment: with the default unbuffered writes the headers
    # and the body are two sends, and Nagle holds the second until the client's delayed
    # ACK (40 ms on Linux) -- a stall per request that would be the receiver's, not the
    # sink's.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "16")
        self.end_headers()
        self.wfile.write(b'{"errors":false}')  # what _bulk answers; others ignore it
server = http.server.HTTPServer(("127.0.0.1", 0), H)
print(server.server_address[1], flush=True)
server.serve_forever()
'''


SYSLOG_RECEIVER = r'''
import socket, threading
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(4)
print(server.getsockname()[1], flush=True)
def drain(conn):
    while conn.recv(1 << 20):
        pass
    conn.close()
while True:
    conn, _ = server.accept()
    threading.Thread(target=drain, args=(conn,), daemon=True).start()
'''


def pin_to_one_cpu() -> int | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def start_receiver(cpu: int | None, code: str = RECEIVER) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            text=True)
    if cpu is not None:
        os.sched_setaffinity(proc.pid, {cpu})
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def events(n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        event = AuditEvent.create(
            "createAssetGroup", "inventory_configuration", "create",
            actor=Actor(id=f"u{i % 50}", name="Ann"), client=Client(ip="203.0.113.7"),
            channel="ui", source="graphql", target=Target(type="AssetGroup", id=str(i)),
            details={"name": f"group {i}", "assets": [1, 2, 3]})
        data = event.to_dict()
        data["service"] = {"name": "bench", "host": "h"}
        out.append(data)
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU time of this process and of the local receivers over a block."""

    def __init__(self, receivers: list[int]) -> None:
        self.receivers = receivers
        self.own = self.theirs = 0.0

    def __enter__(self) -> CpuMeter:
        self._own = time.process_time()
        self._theirs = sum(cpu_seconds(pid) for pid in self.receivers)
        return self

    def __exit__(self, *exc: object) -> None:
        self.own = time.process_time() - self._own
        self.theirs = sum(cpu_seconds(pid) for pid in self.receivers) - self._theirs


def throughput(sink: Any, batch: list[dict[str, Any]], spool: Path) -> float:
    # The queue holds the whole run: with a smaller one a loaded machine lets the producer
    # outrun the sink, the queue spills to the spool, and the row measures the spool's
    # replay instead of the sink.
    engine = AsyncDispatcher(DeliveryConfig(spool_dir=str(spool),
                                            queue_size=max(20_000, len(batch)),
                                            batch_size=500), [sink])
    started = time.perf_counter()
    for event in batch:
        engine.submit(event)
    assert engine.flush(300), "flush timed out"
    elapsed = time.perf_counter() - started
    stats = engine.stats()
    engine.close(10)
    delivered = sum(stats["delivered"].values())
    assert delivered == len(batch), stats
    return len(batch) / elapsed


def direct_baseline(sink: Any, batch: list[dict[str, Any]]) -> float:
    """The bare sink: the same events written in batches of 500 by the caller, no engine."""
    started = time.perf_counter()
    for i in range(0, len(batch), 500):
        sink.write(batch[i:i + 500])
    sink.flush()
    return len(batch) / (time.perf_counter() - started)


def record_latency(url: str, spool: Path, count: int) -> list[float]:
    trail = AuditTrail(store=False, delivery={"spool_dir": str(spool),
                                              "retry_backoff_s": 0.2},
                       sinks=[{"type": "http", "url": url, "timeout_s": 2}])
    samples = []
    for i in range(count):
        started = time.perf_counter()
        trail.record("createAssetGroup", actor=Actor(id="u1", name="Ann"),
                     target=str(i), details={"name": f"g{i}"})
        samples.append(time.perf_counter() - started)
    trail.close(5)
    return samples


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def sinks_to_measure(root: Path, port: int, syslog_port: int) -> list[tuple[str, Any]]:
    import logging

    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.sdk.resources import Resource

    from auditmw.sinks.file import FileSink
    from auditmw.sinks.http import HttpSink
    from auditmw.sinks.logging import LoggingSink
    from auditmw.sinks.otel import OtelSink
    from auditmw.sinks.otlp import OtlpHttpSink
    from auditmw.sinks.syslog import SyslogSink

    url = f"http://127.0.0.1:{port}/ingest"
    logging.getLogger("bench.audit").addHandler(logging.NullHandler())
    logging.getLogger("bench.audit").propagate = False
    found: list[tuple[str, Any]] = [
        ("file (fsync = batch), auditmw", FileSink(root / "a.jsonl")),
        ("file, ocsf", FileSink(root / "o.jsonl", format="ocsf")),
        ("file, ecs", FileSink(root / "e.jsonl", format="ecs")),
        ("http (JSON array, local receiver), auditmw", HttpSink(url)),
        ("http (NDJSON + gzip + HMAC), auditmw",
         HttpSink(url, body="ndjson", gzip=True, signing_key="k")),
        ("http, ocsf", HttpSink(url, format="ocsf")),
        ("http, ecs", HttpSink(url, format="ecs")),
        ("http, splunk_hec", HttpSink(url, format="splunk_hec")),
        ("http, es_bulk (ecs)", HttpSink(url, format="es_bulk", index="audit")),
        ("otel (OTLP/HTTP protobuf, direct encoding)",
         OtlpHttpSink(f"http://127.0.0.1:{port}/v1/logs",
                      resource=Resource({"service.name": "bench"}))),
        ("otel through the SDK's exporter (before)",
         OtelSink(OTLPLogExporter(endpoint=f"http://127.0.0.1:{port}/v1/logs"))),
        ("syslog (TCP, octet counting), auditmw",
         SyslogSink(f"127.0.0.1:{syslog_port}", protocol="tcp")),
        ("syslog (TCP), ocsf", SyslogSink(f"127.0.0.1:{syslog_port}", protocol="tcp",
                                          format="ocsf")),
        ("logging (a NullHandler), auditmw", LoggingSink("bench.audit")),
    ]
    if ONLY and not NATS_LABEL.startswith(ONLY):
        return found  # not even created: its probe would leave the bench stream behind
    try:
        from auditmw.sinks.nats import NatsSink
        nats_sink = NatsSink("nats://127.0.0.1:4222", stream="AUDITBENCH",
                             subject="auditbench.{category}", ack_timeout_s=10)
        nats_sink.write(events(1))  # JetStream reachable? (creates the stream)
        found.append((NATS_LABEL, nats_sink))
    except Exception as exc:
        found.append((f"nats: not measured ({type(exc).__name__})", None))
    return found


def main() -> str:
    cpu = pin_to_one_cpu()
    receiver, port = start_receiver(cpu)
    syslog_receiver, syslog_port = start_receiver(cpu, SYSLOG_RECEIVER)
    batch = events(N)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            for label, sink in sinks_to_measure(root, port, syslog_port):
                if ONLY and not label.startswith(ONLY):
                    continue
                if sink is None:
                    rows.append(f"| {label} | | | | | |")
                    continue
                base = direct_baseline(sink, batch)
                with CpuMeter([receiver.pid, syslog_receiver.pid]) as cpu_used:
                    rate = throughput(sink, batch, root / "spool")
                per_cpu = f"{N / cpu_used.own:,.0f}" if cpu_used.own else "n/a"
                receiving = (f"{cpu_used.theirs / N * 1e6:.1f}"
                             if label.startswith(("http", "otel", "syslog")) else "")
                rows.append(f"| {label} | {rate:,.0f} | {base:,.0f} | {rate / base:.2f} | "
                            f"{per_cpu} | {receiving} |")
                if label.startswith("nats"):
                    _delete_bench_stream()
            count = max(2000, N // 5)
            normal = record_latency(f"http://127.0.0.1:{port}/ingest", root / "s1", count)
            outage = record_latency(f"http://127.0.0.1:{free_port()}/ingest", root / "s2",
                                    count)
    finally:
        for proc in (receiver, syslog_receiver):
            proc.terminate()
            proc.wait(10)

    def us(samples: list[float], q: float) -> float:
        return statistics.quantiles(samples, n=100)[int(q) - 1] * 1e6

    med_n, med_o = statistics.median(normal) * 1e6, statistics.median(outage) * 1e6
    return "\n".join([
        "## Delivery throughput",
        "",
        f"{N:,} pre-built events submitted one by one to the async engine and flushed; "
        "the bare baseline writes the same events straight to the sink in batches of "
        f"500 in the caller's thread. One CPU (cpu {cpu}) for everything, the local "
        "receiver included. Per CPU-second: the engine run's events ÷ this process's CPU "
        "time (submitting, engine, sink); receiver: the local receiver's CPU per event "
        f"in that run. Load average when done: {os.getloadavg()[0]:.2f}.",
        "",
        "| sink | engine events/s | bare sink events/s | engine ÷ bare "
        "| engine events per CPU-second | receiver CPU µs/event |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"`trail.record` latency in async mode ({count:,} calls, http sink), collector "
        "up vs refusing connections (events spooled meanwhile):",
        "",
        "| | median µs | p99 µs |",
        "|---|---:|---:|",
        f"| collector up | {med_n:.1f} | {us(normal, 99):.1f} |",
        f"| collector refusing | {med_o:.1f} | {us(outage, 99):.1f} |",
        f"| ratio (outage ÷ normal, median) | {med_o / med_n:.2f} | |",
        "",
        "Reproduce: `make bench` or `.venv/bin/python -m benchmarks delivery` "
        "(`AUDITMW_BENCH_DELIVERY_N` events per run).",
        "",
    ])


def _delete_bench_stream() -> None:
    import asyncio

    import nats

    async def delete() -> None:
        client = await nats.connect("nats://127.0.0.1:4222")
        try:
            await client.jetstream().delete_stream("AUDITBENCH")
        finally:
            await client.close()

    asyncio.run(delete())


if __name__ == "__main__":
    print(main())
