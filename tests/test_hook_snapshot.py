"""The execution hook leaves the event's building to the delivery thread (async mode), yet
records each field as it ran: arguments and returned values the app changes after the
resolver returned are recorded as they were.

A real file sink behind a gate: while its lane is held inside ``write`` (the first event),
nothing queued behind it can be built, so the app's later changes happen, for certain,
before the delivery thread builds the field's event.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import graphql
import pytest

from auditmw import asgi as audit_asgi
from auditmw.graphql import instrument, uninstrument
from auditmw.sinks.file import FileSink
from auditmw.trail import AuditTrail
from auditmw.types import EventDict

SDL = """
input AssetGroupInput { name: String!  tags: [String!] }
type AssetGroup { id: ID! name: String! }
type Query { ok: Boolean }
type Mutation { createAssetGroup(input: AssetGroupInput!): AssetGroup }
"""
MUTATION = ('mutation Make { createAssetGroup(input: {name: "Servers", tags: ["prod"]}) '
            "{ id name } }")


class GatedFileSink(FileSink):
    """The file sink, with its first write held until the test opens the gate."""

    def __init__(self, path: Path) -> None:
        super().__init__(path=str(path))
        self.entered = threading.Event()
        self.gate = threading.Event()

    def write(self, events: Sequence[EventDict]) -> None:
        if not self.entered.is_set():
            self.entered.set()
            assert self.gate.wait(30), "the test never opened the gate"
        super().write(events)


class KeepingApp:
    """A schema whose resolver keeps what it was handed and what it returned."""

    def __init__(self) -> None:
        self.schema = graphql.build_schema(SDL)
        self.kept: list[tuple[dict[str, Any], dict[str, Any]]] = []
        mutation = self.schema.mutation_type
        assert mutation is not None
        mutation.fields["createAssetGroup"].resolve = self.create

    def create(self, _root: Any, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        made = {"id": "g-1", "name": input["name"]}
        self.kept.append((input, made))
        return made

    def change_everything(self) -> None:
        """What an app may do later with objects it kept (a cache, a background job)."""
        for given, made in self.kept:
            given["name"] = "CHANGED"
            given["tags"].append("CHANGED")
            made["id"] = "g-CHANGED"


@pytest.fixture
def gated(tmp_path: Path) -> Iterator[tuple[AuditTrail, GatedFileSink, Path]]:
    path = tmp_path / "audit.jsonl"
    sink = GatedFileSink(path)
    trail = AuditTrail(store=False, sinks=[sink],
                       delivery={"mode": "async", "batch_size": 1,
                                 "flush_interval_s": 30})
    instrument(trail)
    try:
        trail.record("siteAccess", actor={"id": "warm-up"})  # the lane holds this one
        assert sink.entered.wait(10)
        yield trail, sink, path
    finally:
        sink.gate.set()
        uninstrument()
        trail.close(10)


def recorded(trail: AuditTrail, sink: GatedFileSink, path: Path) -> list[dict[str, Any]]:
    sink.gate.set()
    assert trail.flush(10)
    events = [json.loads(line) for line in path.read_text().splitlines()]
    return [e for e in events if e["event"] == "createAssetGroup"]


def test_hook_records_arguments_and_target_as_they_were(
        gated: tuple[AuditTrail, GatedFileSink, Path]) -> None:
    trail, sink, path = gated
    app = KeepingApp()
    result = graphql.graphql_sync(app.schema, MUTATION)
    assert result.errors is None
    app.change_everything()
    events = recorded(trail, sink, path)
    assert len(events) == 1
    assert events[0]["details"] == {"input": {"name": "Servers", "tags": ["prod"]}}
    assert events[0]["target"] == {"type": "AssetGroup", "id": "g-1", "name": "Servers"}
    assert events[0]["outcome"] == "success"


def test_http_door_records_the_hook_facts_as_they_were(
        gated: tuple[AuditTrail, GatedFileSink, Path]) -> None:
    trail, sink, path = gated
    app = KeepingApp()

    async def graphql_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = (await receive())["body"]
        result = graphql.graphql_sync(app.schema, json.loads(body)["query"])
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body",
                    "body": json.dumps({"data": result.data}).encode()})

    audited = audit_asgi.AuditMiddleware(graphql_app, trail=trail)
    body = json.dumps({"query": MUTATION}).encode()
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
             "headers": [(b"content-type", b"application/json")],
             "client": ("203.0.113.9", 4000)}
    asyncio.run(audited(scope, receive, send))
    assert sent[0]["status"] == 200
    app.change_everything()
    events = recorded(trail, sink, path)
    assert len(events) == 1
    assert events[0]["details"] == {"input": {"name": "Servers", "tags": ["prod"]}}
    assert events[0]["target"]["id"] == "g-1"
    assert events[0]["client"]["ip"] == "203.0.113.9"


def test_sync_mode_writes_the_event_before_the_execution_returns(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    trail = AuditTrail(store=False, sinks=[{"type": "file", "path": str(path)}],
                       delivery={"mode": "sync"})
    instrument(trail)
    try:
        app = KeepingApp()
        assert graphql.graphql_sync(app.schema, MUTATION).errors is None
        lines = path.read_text().splitlines()  # no flush: written in this thread
        assert [json.loads(line)["details"]["input"]["name"] for line in lines] == ["Servers"]
    finally:
        uninstrument()
        trail.close(10)


def test_a_list_argument_kept_and_changed_later_is_recorded_as_it_was(
        gated: tuple[AuditTrail, GatedFileSink, Path]) -> None:
    """A top-level list of scalars (``tags: [String!]``) is copied on the request
    thread, not only the lists inside input objects."""
    trail, sink, path = gated
    schema = graphql.build_schema("""
        type AssetGroup { id: ID! name: String! }
        type Query { ok: Boolean }
        type Mutation { createAssetGroup(name: String!, tags: [String!]!): AssetGroup }
    """)
    kept: list[list[str]] = []

    def create(_root: Any, _info: Any, name: str, tags: list[str]) -> dict[str, Any]:
        kept.append(tags)
        return {"id": "g-1", "name": name}

    mutation = schema.mutation_type
    assert mutation is not None
    mutation.fields["createAssetGroup"].resolve = create
    result = graphql.graphql_sync(
        schema, 'mutation { createAssetGroup(name: "Servers", tags: ["prod", "linux"]) '
                "{ id } }")
    assert result.errors is None
    kept[0].append("CHANGED")
    kept[0][0] = "CHANGED"
    events = recorded(trail, sink, path)
    assert len(events) == 1
    assert events[0]["details"] == {"name": "Servers", "tags": ["prod", "linux"]}
