"""WSGI in ``delivery.mode = "sync"``: the event is written before the response's last
chunk leaves the middleware, so a client never holds a complete answer whose event is
not durable yet."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from auditmw.testing import MemorySink
from auditmw.trail import AuditTrail
from auditmw.wsgi import AuditMiddleware

BODY = json.dumps({"query": 'mutation { createAssetGroup(name: "x") { id } }'}).encode()


def two_chunk_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "application/json")])
    return iter([b'{"data":{"createAssetGroup":', b'{"id":"g1"}}}'])


def environ() -> dict[str, Any]:
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/graphql", "SERVER_NAME": "t",
            "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(BODY)), "wsgi.input": io.BytesIO(BODY),
            "wsgi.url_scheme": "http"}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_last_chunk_waits_for_the_event_in_sync_mode(mode: str, tmp_path: Any) -> None:
    sink = MemorySink()
    trail = AuditTrail(store=False, sinks=[sink],
                       delivery={"mode": mode, "spool_dir": str(tmp_path / "s")})
    app = AuditMiddleware(two_chunk_app, trail=trail)
    body: Iterator[bytes] = iter(app(environ(), lambda status, headers, exc=None: None))
    first = next(body)
    last = next(body)
    recorded_before_last_chunk = [e["event"] for e in sink.events]
    with pytest.raises(StopIteration):
        next(body)
    assert first + last == b'{"data":{"createAssetGroup":{"id":"g1"}}}'  # unchanged bytes
    if mode == "sync":
        assert recorded_before_last_chunk == ["createAssetGroup"]
    trail.flush(5)
    assert [e["event"] for e in sink.events] == ["createAssetGroup"]
    assert sink.events[0]["target"] == {"id": "g1"}
    trail.close()


def test_an_empty_body_is_still_recorded_once(tmp_path: Any) -> None:
    def empty(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("403 Forbidden", [])  # refused without a GraphQL result
        return []

    sink = MemorySink()
    trail = AuditTrail(store=False, sinks=[sink],
                       delivery={"mode": "sync", "spool_dir": str(tmp_path / "s")})
    chunks = list(AuditMiddleware(empty, trail=trail)(environ(), lambda *a: None))
    assert chunks == []
    assert [(e["event"], e["outcome"]) for e in sink.events] == [("createAssetGroup", "denied")]
    trail.close()


def test_a_deferred_event_carries_the_time_of_the_call(tmp_path: Any) -> None:
    """In async mode events are built later in a delivery thread; their ``time`` is still
    the moment the response completed, not the moment they were built."""
    from auditmw.ids import parse_time

    sink = MemorySink()
    trail = AuditTrail(store=False, sinks=[sink],
                       delivery={"mode": "async", "flush_interval_s": 30,
                                 "spool_dir": str(tmp_path / "s")})
    app = AuditMiddleware(two_chunk_app, trail=trail)
    before = time.time_ns()
    assert b"".join(app(environ(), lambda status, headers, exc=None: None))
    after = time.time_ns()
    assert sink.events == []  # not built yet: the lane waits for its interval
    trail.flush(5)  # builds now, strictly after `after`
    [event] = sink.events
    stamped = int(parse_time(event["time"]).timestamp() * 1_000_000) * 1000
    assert before // 1000 * 1000 <= stamped <= after
    trail.close()
