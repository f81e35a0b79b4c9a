"""Per-request cost of the HTTP capture, in process (the ASGI/WSGI app called directly,
no network): the bare app, a do-nothing pass-through middleware, auditmw, and the
OpenTelemetry ASGI/WSGI middleware (SDK tracer, in-memory exporter), measured in one
run in interleaved blocks; the medians of the blocks and the cost added over the bare
app.

Cases: (a) a GET that nothing catalogues, (b) a GraphQL query that matches nothing,
(c) a catalogued mutation, recorded with async delivery to the JSON-lines file sink.
For (a) and (b) the app is a minimal one (it reads the body and answers a fixed
GraphQL-shaped JSON), so what is measured is the middleware, not a framework. For (c)
the app executes the mutation with graphql-core (a cached parsed, validated document),
and the auditmw variants have graphql-core's execution hook installed — what ran is
decided where it runs, so its cost is part of auditmw's; the other variants run without
it.

Times are the process's CPU time (``time.process_time``: the request's thread and the
delivery thread alike), so other processes on a busy machine do not land in the blocks;
the "request thread" column times the same auditmw variant by its own thread's CPU
(``time.thread_time``). (It used a trail without sinks until issue 21; since such a
trail finishes its events at once, that had become all the CPU again.)

``AUDITMW_BENCH_CAPTURE_N`` sets requests per block, ``AUDITMW_BENCH_CAPTURE_BLOCKS``
the blocks per variant.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import graphql
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware as OtelASGI
from opentelemetry.instrumentation.wsgi import OpenTelemetryMiddleware as OtelWSGI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from auditmw import asgi as audit_asgi
from auditmw import wsgi as audit_wsgi
from auditmw.graphql import instrument, uninstrument
from auditmw.trail import AuditTrail

N = int(os.environ.get("AUDITMW_BENCH_CAPTURE_N", "1000"))
BLOCKS = int(os.environ.get("AUDITMW_BENCH_CAPTURE_BLOCKS", "9"))
COMMAND = ".venv/bin/python -m benchmarks capture"

QUERY = json.dumps({"query": "query Dashboard($site: ID!) { site(id: $site) { id name "
                    "assets(first: 20) { edges { node { id name type ipAddress } } } } }",
                    "variables": {"site": "s-1"}, "operationName": "Dashboard"}).encode()
MUTATION = json.dumps({"query": "mutation Make($input: AssetGroupInput!) { "
                       "createAssetGroup(input: $input) { id name } }",
                       "variables": {"input": {"name": "Production servers"}},
                       "operationName": "Make"}).encode()
ANSWER = b'{"data":{"createAssetGroup":{"id":"g-77","name":"Production servers"}}}'
CASES = {
    "a": ("(a) non-catalogued GET", "GET", "/api/assets", b""),
    "b": ("(b) GraphQL query matching nothing", "POST", "/graphql", QUERY),
    "c": ("(c) catalogued mutation → file sink", "POST", "/graphql", MUTATION),
}


# --- the apps -----------------------------------------------------------------------

SCHEMA = graphql.build_schema("""
input AssetGroupInput { name: String! }
type AssetGroup { id: ID! name: String! }
type Query { ok: Boolean }
type Mutation { createAssetGroup(input: AssetGroupInput!): AssetGroup }
""")
SCHEMA.mutation_type.fields["createAssetGroup"].resolve = (  # type: ignore[union-attr]
    lambda _, __, input: {"id": "g-77", "name": input["name"]})
_documents: dict[str, graphql.DocumentNode] = {}


def execute_graphql(body: bytes) -> bytes:
    """What a GraphQL server does with the body: parse (cached), execute, serialise."""
    request = json.loads(body)
    document = _documents.get(request["query"])
    if document is None:
        document = graphql.parse(request["query"])
        assert not graphql.validate(SCHEMA, document)
        _documents[request["query"]] = document
    result = graphql.execute_sync(SCHEMA, document, variable_values=request.get("variables"),
                                  operation_name=request.get("operationName"))
    assert not result.errors, result.errors
    return json.dumps({"data": result.data}).encode()


async def graphql_asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    answer = execute_graphql(b"".join(chunks))
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": answer})


def graphql_wsgi_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    answer = execute_graphql(environ["wsgi.input"].read(length))
    start_response("200 OK", [("Content-Type", "application/json")])
    return [answer]


async def asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": ANSWER})


class AsgiPassThrough:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


def wsgi_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    start_response("200 OK", [("Content-Type", "application/json")])
    return [ANSWER]


class WsgiPassThrough:
    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: Any, start_response: Any) -> Iterable[bytes]:
        return self.app(environ, start_response)


# --- driving ------------------------------------------------------------------------

def asgi_runner(app: Any, method: str, path: str, body: bytes,
                clock: Callable[[], float] = time.process_time) -> Callable[[int], float]:
    headers = [(b"host", b"bench"), (b"user-agent", b"bench/1.0"),
               (b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
    request = {"type": "http.request", "body": body, "more_body": False}

    async def receive() -> dict[str, Any]:
        return request

    async def send(message: dict[str, Any]) -> None:
        return None

    async def block(n: int) -> float:
        started = clock()
        for _ in range(n):
            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                     "method": method, "scheme": "http", "path": path,
                     "raw_path": path.encode(), "query_string": b"", "root_path": "",
                     "headers": headers, "client": ("203.0.113.7", 50000),
                     "server": ("bench", 80)}
            await app(scope, receive, send)
        return (clock() - started) / n

    loop = asyncio.new_event_loop()
    return lambda n: loop.run_until_complete(block(n))


def wsgi_runner(app: Any, method: str, path: str, body: bytes,
                clock: Callable[[], float] = time.process_time) -> Callable[[int], float]:
    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        return None

    def block(n: int) -> float:
        started = clock()
        for _ in range(n):
            environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "",
                       "QUERY_STRING": "", "SERVER_NAME": "bench", "SERVER_PORT": "80",
                       "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.7",
                       "HTTP_HOST": "bench", "HTTP_USER_AGENT": "bench/1.0",
                       "CONTENT_TYPE": "application/json",
                       "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
                       "wsgi.url_scheme": "http", "wsgi.errors": io.StringIO()}
            result = app(environ, start_response)
            for _chunk in result:
                pass
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return (clock() - started) / n

    return block


def measure(variants: dict[str, Callable[[int], float]],
            between: Callable[[], None],
            prepare: Callable[[str], None] = lambda name: None) -> dict[str, float]:
    """Median µs per request of each variant over interleaved blocks (``prepare(name)``
    runs untimed before each of a variant's blocks)."""
    for name, run in variants.items():  # warm caches, the document cache, the sink
        prepare(name)
        run(max(N // 10, 10))
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(BLOCKS):
        for name, run in variants.items():
            prepare(name)
            samples[name].append(run(N) * 1e6)
            between()
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> str:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        trail = AuditTrail(store=False, service="bench",
                           sinks=[{"type": "file", "path": str(Path(tmp) / "audit.jsonl")}],
                           delivery={"mode": "async"})


        def between() -> None:
            exporter.clear()
            trail.flush(30)

        def hook_for(name: str) -> None:
            """The execution hook belongs to the auditmw variants only."""
            if name in ("auditmw", "capture"):
                instrument(trail)
            else:
                uninstrument()

        stacks = {
            "ASGI": (asgi_runner, asgi_app, AsgiPassThrough,
                     lambda a: audit_asgi.AuditMiddleware(a, trail=trail),
                     lambda a: audit_asgi.AuditMiddleware(a, trail=trail),
                     lambda a: OtelASGI(a, tracer_provider=provider)),
            "WSGI": (wsgi_runner, wsgi_app, WsgiPassThrough,
                     lambda a: audit_wsgi.AuditMiddleware(a, trail=trail),
                     lambda a: audit_wsgi.AuditMiddleware(a, trail=trail),
                     lambda a: OtelWSGI(a, tracer_provider=provider)),
        }
        graphql_apps = {"ASGI": graphql_asgi_app, "WSGI": graphql_wsgi_app}
        for protocol, (runner, plain_app, passthrough, audited, bare_capture,
                       otel) in stacks.items():
            for case, (label, method, path, body) in CASES.items():
                app: Any = graphql_apps[protocol] if case == "c" else plain_app
                variants = {
                    "bare": runner(app, method, path, body),
                    "pass-through": runner(passthrough(app), method, path, body),
                    "auditmw": runner(audited(app), method, path, body),
                    # the same door, timed on the request's own thread only
                    # (time.thread_time): the delivery thread's work is left out
                    "capture": runner(bare_capture(app), method, path, body,
                                      time.thread_time),
                    "OpenTelemetry": runner(otel(app), method, path, body),
                }
                got = measure(variants, between, hook_for)
                base = got["bare"]
                rows.append(
                    f"| {protocol} | {label} | {base:.2f} | "
                    f"+{got['pass-through'] - base:.2f} | +{got['auditmw'] - base:.2f} | "
                    f"+{got['capture'] - base:.2f} | "
                    f"+{got['OpenTelemetry'] - base:.2f} | "
                    f"{(got['auditmw'] - base) / max(got['OpenTelemetry'] - base, 1e-9):.2f} |")
        uninstrument()
        trail.close(30)
    return "\n".join([
        "## HTTP capture overhead (per request, in process)",
        "",
        f"Median of {BLOCKS} interleaved blocks of {N} requests; µs added over the bare "
        "app. The app is minimal, so these are the middlewares' own costs. 'request "
        "thread' is what the request's own thread pays (analysis, the actor, queueing): "
        "the same middleware and trail timed by the thread's own CPU clock (the "
        "delivery thread's work left out). 'auditmw, all CPU' adds the "
        "delivery thread's work for (c) — building the event from the response, enrich, "
        "redact, truncate, chain, writing the JSON line — which in this single-threaded "
        "loop shares the GIL and so lands in the same timed blocks.",
        "",
        "| protocol | case | bare µs | pass-through | auditmw, all CPU | request thread "
        "| OpenTelemetry | auditmw ÷ OTel |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Command: `{COMMAND}` (or `make bench`).",
        "",
    ])


if __name__ == "__main__":
    print(main())
