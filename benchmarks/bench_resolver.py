"""The execution hook's cost, against the bare schema in the same run.

graphql-core ``execute_sync`` in-process on a pre-parsed document (so parsing is not
counted): a mutation with one top-level field returning an object with two sub-fields.

First table, the execution hook (``auditmw.graphql.instrument``, what the code route and
``auditmw run`` install): a query and a mutation that nothing catalogues, inside a
request watched by the HTTP middleware; a catalogued mutation there (the hook deposits
its facts; arguments and target are finished where the door builds the event); a
catalogued one recorded by the hook itself in async mode. These rows are the request
thread's cost, timed with ``time.thread_time``: the trail's one sink discards, and the
events queued are built in its delivery thread, which the clock does not count (the
queue is drained, untimed, between blocks).

Second table, the older per-field middleware (``middleware=[AuditResolverMiddleware]``)
over a ``sync`` trail: the event built, processed (redaction, truncation, enrichment)
and handed to a dispatcher with no sinks, all in the calling thread.
``AUDITMW_BENCH_RESOLVER_N`` sets the iterations per sample.

Third table: a query of 20,000 field executions (a catalogued root field beside a list
of 1,000 objects of 20 fields) with graphql-core's execution hook installed and without,
interleaved: the hook audits root fields only, so the nested ones must not pay.
Times are the process's CPU time (``time.process_time``), not the wall clock.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import graphql

from auditmw.context import RequestState, current_request
from auditmw.event import Client
from auditmw.graphql import AuditResolverMiddleware, instrument, uninstrument
from auditmw.trail import AuditTrail

N = int(os.environ.get("AUDITMW_BENCH_RESOLVER_N", "3000"))
SAMPLES = 7
COMMAND = ".venv/bin/python -m benchmarks resolver"

SDL = """
type AssetGroup { id: ID! name: String! }
type Query { ok: Boolean }
type Mutation { createAssetGroup(name: String!, token: String): AssetGroup
                renameThing(name: String!): AssetGroup }
"""


def build_schema() -> graphql.GraphQLSchema:
    schema = graphql.build_schema(SDL)
    fields = schema.mutation_type.fields  # type: ignore[union-attr]

    def create(_: Any, __: Any, name: str, token: str | None = None) -> dict[str, str]:
        return {"id": "g-1", "name": name}

    fields["createAssetGroup"].resolve = create
    fields["renameThing"].resolve = lambda _, __, name: {"id": "t-1", "name": name}
    return schema


CATALOGUED = graphql.parse('mutation M { createAssetGroup(name: "a", token: "t") { id name } }')
UNCATALOGUED = graphql.parse('mutation M { renameThing(name: "a") { id name } }')


def per_call_us(cases: list[tuple[str, Callable[[], Any]]],
                prepare: Callable[[str], Any] = lambda name: None,
                clock: Callable[[], float] = time.process_time) -> list[tuple[str, float]]:
    """Median over samples of the mean time per call, in microseconds. The cases take
    turns within each sample, so load from other processes falls on all of them alike;
    ``prepare(name)`` runs untimed before each of a case's blocks."""
    for name, run in cases:
        prepare(name)
        run()  # warm caches (middleware resolver chains, catalogue)
    samples: dict[str, list[float]] = {name: [] for name, _ in cases}
    for _ in range(SAMPLES):
        for name, run in cases:
            prepare(name)
            started = clock()
            for _ in range(N):
                run()
            samples[name].append((clock() - started) / N * 1e6)
    return [(name, statistics.median(samples[name])) for name, _ in cases]


WIDE_FIELDS = [f"f{i}" for i in range(20)]
WIDE_SDL = ("type Item { " + " ".join(f"{f}: Int" for f in WIDE_FIELDS) + " }\n"
            "type Query { exportView(viewId: ID!): String  items: [Item!]! }")
WIDE = graphql.parse('query { exportView(viewId: "v") items { '
                     + " ".join(WIDE_FIELDS) + " } }")
WIDE_N = int(os.environ.get("AUDITMW_BENCH_WIDE_N", "5"))
WIDE_SAMPLES = 9


def wide_query_overhead() -> list[str]:
    """Median ms of a 20,000-field query, with and without the execution hook (which
    records the catalogued root field's event each time)."""
    trail = AuditTrail(store=False, sinks=[], delivery={"mode": "sync"})
    schema = graphql.build_schema(WIDE_SDL)
    row = dict.fromkeys(WIDE_FIELDS, 1)
    rows = [row] * 1000
    root = {"exportView": "id,name", "items": rows}
    assert graphql.validate(schema, WIDE) == []

    def execute() -> None:
        result = graphql.execute_sync(schema, WIDE, root_value=root)
        assert not result.errors, result.errors

    samples: dict[str, list[float]] = {"without the hook": [], "with the hook": []}
    for number in range(WIDE_SAMPLES + 1):
        for name, values in samples.items():
            if name == "with the hook":
                instrument(trail)
            else:
                uninstrument()
            started = time.process_time()
            for _ in range(WIDE_N):
                execute()
            if number:  # the first round warms up
                values.append((time.process_time() - started) / WIDE_N * 1e3)
    uninstrument()
    trail.close()
    without = statistics.median(samples["without the hook"])
    with_hook = statistics.median(samples["with the hook"])
    return [
        "## Execution hook on a 20,000-field query", "",
        f"graphql-core {graphql.__version__} `execute_sync`, pre-parsed, a catalogued root "
        "field beside 1,000 objects × 20 fields; median of "
        f"{WIDE_SAMPLES} interleaved samples × {WIDE_N} executions.", "",
        "| case | ms per execution | added |", "|---|---:|---:|",
        f"| without the hook | {without:.2f} | |",
        f"| with the hook | {with_hook:.2f} | {(with_hook / without - 1) * 100:+.2f} % |",
        "",
    ]


class DiscardSink:
    """A sink that keeps nothing: the trail has a delivery thread to build events in."""

    name = "discard"
    durable = False

    def write(self, events: Any) -> None:
        return None

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


QUERY = graphql.parse("query Q { ok }")


def execution_hook_rows() -> list[str]:
    """The execution hook's request-thread cost (first table)."""
    schema = build_schema()
    trail = AuditTrail(store=False, sinks=[DiscardSink()])  # async, one delivery thread
    submitted = [0]
    submit = trail.dispatcher.submit

    def counting(item: Any) -> bool:
        submitted[0] += 1
        return submit(item)

    trail.dispatcher.submit = counting  # type: ignore[method-assign,assignment]

    def execute(document: graphql.DocumentNode) -> None:
        result = graphql.execute_sync(schema, document)
        assert not result.errors, result.errors

    def in_request(document: graphql.DocumentNode, fields: int,
                   executions: int = 1) -> Callable[[], None]:
        def run() -> None:
            state = RequestState("POST", "/graphql", Client(ip="127.0.0.1"), "ui")
            token = current_request.set(state)
            try:
                execute(document)
            finally:
                current_request.reset(token)
            assert state.executions == executions
            assert len(state.fields) == fields

        return run

    cases = [
        ("bare schema, query, in a request", False, in_request(QUERY, 0, 0)),
        ("query, nothing catalogued, in a request", True, in_request(QUERY, 0)),
        ("bare schema, mutation, in a request", False, in_request(CATALOGUED, 0, 0)),
        ("uncatalogued mutation, in a request", True, in_request(UNCATALOGUED, 0)),
        ("catalogued mutation, facts handed to the HTTP middleware", True,
         in_request(CATALOGUED, 1)),
        ("bare schema, mutation, no request", False, lambda: execute(CATALOGUED)),
        ("catalogued mutation, event queued by the hook (async)", True,
         lambda: execute(CATALOGUED)),
    ]
    hooked = {name: hook for name, hook, _ in cases}

    def prepare(name: str) -> None:
        trail.flush()  # the delivery thread drained: the queue never blocks a block
        if hooked[name]:
            instrument(trail)
        else:
            uninstrument()

    rows = dict(per_call_us([(name, run) for name, _, run in cases], prepare,
                            time.thread_time))
    uninstrument()
    trail.flush()
    settled = [submitted[0], trail.stats()["recorded"]]
    trail.close()
    assert submitted[0] >= SAMPLES * N, submitted  # one queued build per execution
    assert settled[1] >= SAMPLES * N, settled  # and each built, in the delivery thread
    bare_for = {"query, nothing catalogued, in a request": "bare schema, query, in a request",
                "event queued by the hook": "bare schema, mutation, no request"}
    lines = [
        "## Execution hook: request-thread cost per execution", "",
        f"graphql-core {graphql.__version__} `execute_sync` in-process, pre-parsed document, "
        f"one top-level field; request thread's CPU (`time.thread_time`), median of "
        f"{SAMPLES} interleaved samples × {N} executions.",
        "", "| case | µs per execution | added µs |", "|---|---:|---:|",
    ]
    for name, value in rows.items():
        if name.startswith("bare"):
            lines.append(f"| {name} | {value:.1f} | |")
            continue
        bare = next((rows[b] for key, b in bare_for.items() if key in name),
                    rows["bare schema, mutation, in a request"])
        lines.append(f"| {name} | {value:.1f} | {value - bare:+.1f} |")
    lines += ["", "The hook's own work for a catalogued field in a watched request, timed "
              f"alone (best of 5 × {N} calls): {finish_alone_us():.1f} µs.", ""]
    return lines


def finish_alone_us() -> float:
    """The hook's own work for one catalogued field inside a watched request (its
    ``finish``: outcome, actor, snapshot, the value's target, one ``FieldFacts``), timed
    alone on a real ``info``: best of 5 runs of ``N`` calls, process CPU."""
    schema = build_schema()
    trail = AuditTrail(store=False, sinks=[])
    auditor = AuditResolverMiddleware(trail)
    seen: dict[str, Any] = {}

    def grab(next_: Callable[..., Any], root: Any, info: Any, **args: Any) -> Any:
        seen.update(info=info, args=args)
        return next_(root, info, **args)

    graphql.execute_sync(schema, CATALOGUED, middleware=[grab])
    entry = trail.catalog.match("createAssetGroup", "mutation")
    assert entry is not None
    state = RequestState("POST", "/graphql", Client(ip="127.0.0.1"), "ui")
    value = {"id": "g-1", "name": "a"}
    token = current_request.set(state)
    try:
        best = float("inf")
        for _ in range(5):
            started = time.process_time()
            for _ in range(N):
                auditor.finish(entry, seen["info"], seen["args"], started=0.0, result=value,
                               exc=None)
            best = min(best, (time.process_time() - started) / N * 1e6)
            assert len(state.fields) == N
            state.fields.clear()
    finally:
        current_request.reset(token)
        trail.close()
    return best


def main() -> str:
    schema = build_schema()
    trail = AuditTrail(store=False, sinks=[], delivery={"mode": "sync"})
    hook = [AuditResolverMiddleware(trail)]

    def execute(document: graphql.DocumentNode, middleware: Any = None) -> None:
        result = graphql.execute_sync(schema, document, middleware=middleware)
        assert not result.errors, result.errors

    def in_request() -> None:
        state = RequestState("POST", "/graphql", Client(ip="127.0.0.1"), "ui")
        token = current_request.set(state)
        try:
            execute(CATALOGUED, hook)
        finally:
            current_request.reset(token)
        assert len(state.fields) == 1

    before = trail.stats()["recorded"]
    rows = per_call_us([
        ("bare schema, no middleware", lambda: execute(CATALOGUED)),
        ("hook, uncatalogued mutation (pass-through)", lambda: execute(UNCATALOGUED, hook)),
        ("hook, catalogued mutation, event recorded by the hook",
         lambda: execute(CATALOGUED, hook)),
        ("hook, catalogued mutation, facts handed to the HTTP middleware", in_request),
    ])
    recorded = trail.stats()["recorded"] - before
    trail.close()
    assert recorded == (SAMPLES * N + 1), recorded  # one event per recorded execution
    bare = rows[0][1]
    lines = [
        *execution_hook_rows(),
        "## Per-field middleware over a sync trail: cost per mutation field", "",
        f"graphql-core {graphql.__version__} `execute_sync` in-process, pre-parsed document, "
        f"one top-level field; median of {SAMPLES} samples × {N} executions.", "",
        "| case | µs per execution | added µs | ratio to bare |",
        "|---|---:|---:|---:|",
    ]
    for name, value in rows:
        lines.append(f"| {name} | {value:.1f} | {value - bare:+.1f} | {value / bare:.2f}× |")
    lines += ["", *wide_query_overhead(), f"Command: `{COMMAND}` (or `make bench`)", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
