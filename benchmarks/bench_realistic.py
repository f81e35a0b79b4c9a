"""What auditmw adds to a realistic app, next to OpenTelemetry's instrumentation of it.

Two apps serve the same Strawberry GraphQL schema and one REST route: Flask
(``strawberry.flask.views.GraphQLView``, WSGI) and Starlette (``strawberry.asgi.GraphQL``,
ASGI), each with the sign-in step a real app has (a ``before_request`` hook / an
``AuthenticationMiddleware``). Three requests: a catalogued mutation
(``createAssetGroup`` with four arguments), a GraphQL query nothing catalogues and a REST
GET nothing catalogues.

Variants, each its own app object, measured in one run in interleaved blocks:

- ``bare``: the app alone;
- ``default``: auditmw with the default configuration (the JSON-lines file and the SQLite
  store, async delivery) through the documented integration (``init_app`` /
  ``instrument_app``; graphql-core's execution hook with Strawberry's rules);
- ``file only``: the same with the store off (the JSON-lines file alone);
- ``OpenTelemetry``: opentelemetry-instrumentation-wsgi / -asgi around the app, the SDK's
  ``BatchSpanProcessor`` exporting to an in-memory exporter.

Two clocks per block: the request thread's CPU (``time.thread_time`` over the requests)
and all the process's CPU (``time.process_time``, stopped only after the trail has been
flushed or the span processor force-flushed, so the delivery threads' work on those
requests is inside). The blocks run in rounds (each variant once, back to back); what a
variant adds is the median over the rounds of its block minus the bare block of the same
round, so the load of the moment (on a shared machine, other work's cache misses and
steal) is taken out of the difference; the order within a round rotates. µs per request.

Every block is checked: an auditmw block must have made one event per catalogued
request, recorded and written to every sink (the file, and the store in ``default``),
and none for the others; an OpenTelemetry block one root span per request.

``AUDITMW_BENCH_REALISTIC_N`` sets the requests per block, ``AUDITMW_BENCH_REALISTIC_BLOCKS``
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import auditmw_strawberry
import strawberry
from auditmw_flask import init_app
from auditmw_starlette import instrument_app
from flask import Flask, g, jsonify
from flask import request as flask_request
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware as OtelASGI
from opentelemetry.instrumentation.wsgi import OpenTelemetryMiddleware as OtelWSGI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.flask.views import GraphQLView

from auditmw.trail import AuditTrail
from benchmarks import bytecodes

N = int(os.environ.get("AUDITMW_BENCH_REALISTIC_N", "100"))
BLOCKS = int(os.environ.get("AUDITMW_BENCH_REALISTIC_BLOCKS", "21"))
COUNTED = 10  # requests whose bytecodes are counted, per variant (the count is exact)
COMMAND = ".venv/bin/python -m benchmarks realistic"
VARIANTS = ("bare", "default", "file only", "OpenTelemetry")


# --- the app's domain -------------------------------------------------------------

@strawberry.type
class Asset:
    id: strawberry.ID
    name: str
    kind: str
    ip_address: str


@strawberry.type
class AssetGroup:
    id: strawberry.ID
    name: str
    description: str
    site_id: strawberry.ID
    tags: list[str]


ASSETS = [Asset(id=strawberry.ID(f"a-{i}"), name=f"server-{i:02d}", kind="linux",
                ip_address=f"10.0.0.{i}") for i in range(20)]


@strawberry.type
class Query:
    @strawberry.field
    def assets(self, first: int = 10) -> list[Asset]:
        return ASSETS[:first]


@strawberry.type
class Mutation:
    @strawberry.mutation
    def create_asset_group(self, name: str, description: str, site_id: strawberry.ID,
                           tags: list[str]) -> AssetGroup:
        return AssetGroup(id=strawberry.ID("g-77"), name=name, description=description,
                          site_id=site_id, tags=tags)


# A production app caches parsed and validated documents (Strawberry's own extensions):
# without them parsing and validation would dwarf everything measured here.
SCHEMA = strawberry.Schema(Query, Mutation, extensions=[ParserCache, ValidationCache])
ASSET_ROWS = [{"id": a.id, "name": a.name, "kind": a.kind, "ipAddress": a.ip_address}
              for a in ASSETS]

MUTATION = json.dumps({
    "query": "mutation Make($name: String!, $description: String!, $site: ID!, "
             "$tags: [String!]!) { createAssetGroup(name: $name, description: "
             "$description, siteId: $site, tags: $tags) { id name tags } }",
    "variables": {"name": "Production servers", "description": "Every production host",
                  "site": "s-1", "tags": ["prod", "linux"]},
    "operationName": "Make"}).encode()
QUERY = json.dumps({"query": "query Inventory { assets(first: 10) { id name kind "
                             "ipAddress } }", "operationName": "Inventory"}).encode()


@dataclass(frozen=True)
class Case:
    label: str
    method: str
    path: str
    body: bytes
    catalogued: bool = False


CASES = (
    Case("catalogued mutation (createAssetGroup)", "POST", "/graphql", MUTATION, True),
    Case("GraphQL query, not catalogued", "POST", "/graphql", QUERY),
    Case("REST GET, not catalogued", "GET", "/api/assets", b""),
)


# --- the two apps -------------------------------------------------------------------

# The apps' sign-in: a session token the client sends, looked up (a real app asks its
# session store or verifies a JWT; auditmw only reads the user the app settled on).
SESSIONS = {"Bearer s3ss10n-ann": "ann"}


def flask_app() -> Flask:
    app = Flask("realistic")

    @app.before_request
    def sign_in() -> None:
        g.user = SESSIONS.get(flask_request.headers.get("Authorization", ""))

    @app.get("/api/assets")
    def assets() -> Any:
        return jsonify(ASSET_ROWS)

    app.add_url_rule("/graphql", view_func=GraphQLView.as_view("graphql", schema=SCHEMA))
    return app


class SessionTokens(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials,
                                                                 SimpleUser] | None:
        name = SESSIONS.get(conn.headers.get("authorization", ""))
        return None if name is None else (AuthCredentials(["authenticated"]),
                                          SimpleUser(name))


async def list_assets(_: Request) -> JSONResponse:
    return JSONResponse(ASSET_ROWS)


def starlette_app() -> Starlette:
    return Starlette(routes=[Route("/graphql", GraphQL(SCHEMA), methods=["GET", "POST"]),
                             Route("/api/assets", list_assets)],
                     middleware=[Middleware(AuthenticationMiddleware, backend=SessionTokens())])


# --- driving the apps in process ------------------------------------------------------

Block = Callable[[int], None]


def wsgi_block(app: Any, case: Case) -> Block:
    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        return None

    def run(n: int) -> None:
        for _ in range(n):
            environ = {"REQUEST_METHOD": case.method, "PATH_INFO": case.path,
                       "SCRIPT_NAME": "", "QUERY_STRING": "", "SERVER_NAME": "bench",
                       "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
                       "REMOTE_ADDR": "203.0.113.7", "HTTP_HOST": "bench",
                       "HTTP_USER_AGENT": "bench/1.0", "HTTP_AUTHORIZATION": "Bearer s3ss10n-ann",
                       "CONTENT_TYPE": "application/json",
                       "CONTENT_LENGTH": str(len(case.body)),
                       "wsgi.input": io.BytesIO(case.body), "wsgi.url_scheme": "http",
                       "wsgi.errors": io.StringIO(), "wsgi.multithread": False,
                       "wsgi.multiprocess": False, "wsgi.run_once": False,
                       "wsgi.version": (1, 0)}
            result: Iterable[bytes] = app(environ, start_response)
            for _chunk in result:
                pass
            close = getattr(result, "close", None)
            if close is not None:
                close()

    return run


def asgi_block(app: Any, case: Case, loop: asyncio.AbstractEventLoop) -> Block:
    headers = [(b"host", b"bench"), (b"user-agent", b"bench/1.0"),
               (b"authorization", b"Bearer s3ss10n-ann"), (b"content-type", b"application/json"),
               (b"content-length", str(len(case.body)).encode())]
    message = {"type": "http.request", "body": case.body, "more_body": False}

    async def receive() -> dict[str, Any]:
        return message

    async def send(_: dict[str, Any]) -> None:
        return None

    async def requests(n: int) -> None:
        for _ in range(n):
            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                     "method": case.method, "scheme": "http", "path": case.path,
                     "raw_path": case.path.encode(), "query_string": b"",
                     "root_path": "", "headers": headers,
                     "client": ("203.0.113.7", 50000), "server": ("bench", 80)}
            await app(scope, receive, send)

    return lambda n: loop.run_until_complete(requests(n))


@dataclass
class Variant:
    """One app under one instrumentation: how to run a block of requests, what to do
    before a block (untimed), what must finish before the all-CPU clock stops, and how
    many records (events, spans) it has made so far."""
    run: Block
    prepare: Callable[[], object]
    drain: Callable[[], object]
    made: Callable[[], int]
    per_request: int  # records each request must make: a block that made others is wrong


@dataclass
class Sample:
    thread_us: float  # the request thread's CPU
    all_us: float  # the process's CPU, delivery drained


def timed(variant: Variant, n: int) -> Sample:
    variant.prepare()
    before = variant.made()
    cpu, thread = time.process_time(), time.thread_time()
    variant.run(n)
    thread = time.thread_time() - thread
    variant.drain()
    cpu = time.process_time() - cpu
    made = variant.made() - before
    if made != n * variant.per_request:  # it would be timing something else
        raise RuntimeError(f"{n} requests made {made} records, not "
                           f"{n * variant.per_request}")
    return Sample(thread * 1e6 / n, cpu * 1e6 / n)


def counted(variant: Variant, n: int) -> float:
    """The request thread's Python bytecodes per request (:mod:`benchmarks.bytecodes`),
    the block checked like a timed one."""
    variant.prepare()
    before = variant.made()
    executed = bytecodes.count(lambda: variant.run(n))
    variant.drain()
    if variant.made() - before != n * variant.per_request:
        raise RuntimeError(f"{n} counted requests made the wrong number of records")
    return executed / n


def measure(variants: dict[str, Variant], n: int, blocks: int
            ) -> tuple[Sample, dict[str, Sample], dict[str, float]]:
    """The bare app's CPU a request (median of its blocks) and what each other variant
    adds: the median over the rounds of the difference between its block and the bare
    block of the same round. A round's blocks run back to back, so they share the
    machine's load of that moment, which the difference cancels out; the order within a
    round rotates from one round to the next. A short untimed warm-up of each variant
    first; last, the bytecodes of :data:`COUNTED` requests of each variant, untimed."""
    for variant in variants.values():
        timed(variant, max(n // 10, 2))
    names = list(variants)
    rounds = []
    for i in range(blocks):
        # Each round starts at the next variant, so none always follows the same one
        # (whose delivery work, caches or allocator state it would inherit).
        order = names[i % len(names):] + names[:i % len(names)]
        rounds.append({name: timed(variants[name], n) for name in order})
    bare = Sample(statistics.median(r["bare"].thread_us for r in rounds),
                  statistics.median(r["bare"].all_us for r in rounds))
    added = {name: Sample(
        statistics.median(r[name].thread_us - r["bare"].thread_us for r in rounds),
        statistics.median(r[name].all_us - r["bare"].all_us for r in rounds))
        for name in variants if name != "bare"}
    work = {name: counted(variant, COUNTED) for name, variant in variants.items()}
    return bare, added, work


# --- the configurations ---------------------------------------------------------------

@dataclass
class Setup:
    """The trails and the tracer provider every app of the run shares."""
    default: AuditTrail
    file_only: AuditTrail
    provider: TracerProvider
    exporter: InMemorySpanExporter
    loop: asyncio.AbstractEventLoop  # the ASGI apps' one loop

    @classmethod
    def in_folder(cls, folder: Path) -> Setup:
        # The defaults, with their files in the run's folder rather than the cwd.
        default = AuditTrail(service="bench",
                             sinks=[{"type": "file", "path": str(folder / "default.jsonl")}],
                             store=f"sqlite:///{folder / 'default.db'}",
                             delivery={"spool_dir": str(folder / "spool")})
        file_only = AuditTrail(service="bench", store=False,
                               sinks=[{"type": "file", "path": str(folder / "file.jsonl")}],
                               delivery={"spool_dir": str(folder / "spool-file")})
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(BatchSpanProcessor(exporter))
        return cls(default, file_only, provider, exporter, asyncio.new_event_loop())

    def close(self) -> None:
        auditmw_strawberry.uninstrument()
        self.default.close(30)
        self.file_only.close(30)
        self.provider.shutdown()
        self.loop.close()

    def traced(self, run: Block) -> Variant:
        def prepare() -> None:
            auditmw_strawberry.uninstrument()
            self.exporter.clear()

        def roots() -> int:  # one server span a request (ASGI adds child send/receive spans)
            return sum(1 for span in self.exporter.get_finished_spans() if span.parent is None)

        return Variant(run, prepare, lambda: self.provider.force_flush(60_000),
                       roots, 1)

    def flask_variants(self, case: Case) -> dict[str, Variant]:
        traced = flask_app()
        traced.wsgi_app = OtelWSGI(traced.wsgi_app,  # type: ignore[method-assign]
                                   tracer_provider=self.provider)
        return {
            "bare": bare(wsgi_block(flask_app(), case)),
            "default": audited(self.default, wsgi_block(
                init_app(flask_app(), self.default), case), case),
            "file only": audited(self.file_only, wsgi_block(
                init_app(flask_app(), self.file_only), case), case),
            "OpenTelemetry": self.traced(wsgi_block(traced, case)),
        }

    def starlette_variants(self, case: Case) -> dict[str, Variant]:
        return {
            "bare": bare(asgi_block(starlette_app(), case, self.loop)),
            "default": audited(self.default, asgi_block(
                instrument_app(starlette_app(), self.default), case, self.loop), case),
            "file only": audited(self.file_only, asgi_block(
                instrument_app(starlette_app(), self.file_only), case, self.loop), case),
            "OpenTelemetry": self.traced(asgi_block(
                OtelASGI(starlette_app(), tracer_provider=self.provider), case, self.loop)),
        }


def audited(trail: AuditTrail, run: Block, case: Case) -> Variant:
    """An auditmw variant. The execution hook is process-wide: each block points it
    at its trail (and the other variants remove it)."""
    def drain() -> None:
        if not trail.flush(60):
            raise RuntimeError("the trail did not drain in 60 s")

    def made() -> int:
        # An event counts once it was recorded *and* written to every sink (the
        # file, and the store in the default config): the flush must have done it.
        stats = trail.stats()
        return min(int(stats["recorded"]), *map(int, stats["delivered"].values()))

    return Variant(run, lambda: auditmw_strawberry.instrument(trail), drain, made,
                   int(case.catalogued))


def bare(run: Block) -> Variant:
    return Variant(run, auditmw_strawberry.uninstrument, lambda: None, lambda: 0, 0)


# --- the run and its table --------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    app: str
    case: str
    bare: Sample
    added: dict[str, Sample]
    bytecodes: dict[str, float]  # the request thread's, per request, by variant


def run(n: int = N, blocks: int = BLOCKS) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        setup = Setup.in_folder(Path(tmp))
        try:
            for app, variants_of in (("Flask (WSGI)", setup.flask_variants),
                                     ("Starlette (ASGI)", setup.starlette_variants)):
                for case in CASES:
                    rows.append(Row(app, case.label, *measure(variants_of(case), n, blocks)))
        finally:
            setup.close()
    return rows


def _added(row: Row, variant: str, clock: str) -> float:
    return float(getattr(row.added[variant], clock))


def _ratio(mine: float, theirs: float) -> str:
    return f"{mine / theirs:.2f}" if theirs > 0 else "—"


def render(rows: list[Row], load: str, n: int = N, blocks: int = BLOCKS) -> str:
    thread = [f"| {r.app} | {r.case} | {r.bare.thread_us:.1f} | "
              f"{_added(r, 'default', 'thread_us'):+.1f} | "
              f"{_added(r, 'file only', 'thread_us'):+.1f} | "
              f"{_added(r, 'OpenTelemetry', 'thread_us'):+.1f} | "
              f"{r.bytecodes['bare']:,.0f} | "
              + " | ".join(f"{r.bytecodes[v] - r.bytecodes['bare']:+,.0f}"
                           for v in VARIANTS[1:]) + " |" for r in rows]
    everything = []
    for r in rows:
        default, file_only, otel = (_added(r, v, "all_us") for v in VARIANTS[1:])
        bare = r.bare.all_us
        everything.append(
            f"| {r.app} | {r.case} | {bare:.1f} | {default:+.1f} "
            f"({default / bare:+.1%}) | {file_only:+.1f} ({file_only / bare:+.1%}) | "
            f"{otel:+.1f} | {_ratio(default, otel)} | {_ratio(file_only, otel)} |")
    return "\n".join([
        "## Realistic apps: Flask and Starlette serving Strawberry (per request, in process)",
        "",
        f"{blocks} rounds of interleaved blocks of {n} requests; µs of CPU per request "
        "(bare: median of its blocks; added: median over the rounds of the difference "
        "to the bare block of the same round). "
        "'default' is auditmw's default configuration (JSON-lines file + SQLite store, "
        "async delivery), 'file only' the same without the store; 'OpenTelemetry' is "
        "opentelemetry-instrumentation-wsgi/-asgi with the SDK's BatchSpanProcessor and "
        "an in-memory exporter.",
        "",
        "**Request thread** (`time.thread_time` of the thread serving the requests; µs "
        "added over the bare app; and the Python bytecodes it executes per request, "
        f"counted over {COUNTED} requests with `sys.settrace` opcode events: exact and "
        "load-independent, but blind to C code and to the delivery threads):",
        "",
        "| app | request | bare µs | default | file only | OpenTelemetry "
        "| bare bytecodes | default | file only | OpenTelemetry |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *thread,
        "",
        "**All CPU** (`time.process_time`, the delivery threads included: the clock stops "
        "after the trail is flushed / the span processor force-flushed):",
        "",
        "| app | request | bare µs | default | file only | OpenTelemetry "
        "| default ÷ OTel | file only ÷ OTel |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *everything,
        "",
        f"Command: `{COMMAND}` (or `make bench`); box load at the start: {load}.",
        "",
    ])


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def main() -> str:
    load = _load()  # before the run: the run itself loads one core
    return render(run(), load)


if __name__ == "__main__":
    print(main())
