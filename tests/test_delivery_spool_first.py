"""Spool first, one ``max_retries`` for every sink, the guard's takeover, the byte bound
on unbuilt requests — in-process, with real sinks and real local servers."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from auditmw.config import DeliveryConfig, load_config
from auditmw.delivery import AsyncDispatcher
from auditmw.delivery.guard import Guard
from auditmw.delivery.lane import Lane, LaneSettings
from auditmw.delivery.pending import Pending, closure_bytes
from auditmw.delivery.records import segment_events
from auditmw.delivery.spool import Spool
from auditmw.event import AuditEvent
from auditmw.sinks.file import FileSink
from auditmw.sinks.http import HttpSink
from auditmw.trail import AuditTrail
from support.events import FAST, make_event
from support.net import free_port, wait_for
from support.receiver import Receiver


def test_a_batch_that_fails_once_is_on_disk_before_any_retry(tmp_path: Path) -> None:
    # A long backoff: if the lane retried in place first, nothing would be spooled for
    # seconds. Spool first: one failed attempt, then the spool.
    config = DeliveryConfig(flush_interval_s=0.02, retry_backoff_s=30,
                            retry_max_backoff_s=60, spool_dir=str(tmp_path / "s"))
    engine = AsyncDispatcher(config, [HttpSink(f"http://127.0.0.1:{free_port()}/x")])
    try:
        batch = [make_event(n) for n in range(25)]
        assert all(engine.submit(e) for e in batch)
        wait_for(lambda: engine.stats()["spooled"] == 25
                 and engine.stats()["queue_depth"] == 0)  # out of memory, on disk
        lane = engine.stats()["sinks"][engine.lanes[0].name]
        assert lane["errors"] == 1  # exactly one attempt before the spool
        spooled = {e["id"] for s in (tmp_path / "s").rglob("seg-*.spool")
                   for e in segment_events(s)}
        assert spooled == {e["id"] for e in batch}
    finally:
        engine.close(1)


def test_max_retries_has_one_meaning_for_every_sink(tmp_path: Path) -> None:
    config = load_config({
        "store": {"enabled": False},
        "delivery": {"max_retries": 2, "spool_dir": str(tmp_path / "s")},
        "sinks": [{"type": "http", "url": "http://127.0.0.1:9/a"},
                  {"type": "http", "url": "http://127.0.0.1:9/b", "max_retries": 7},
                  {"type": "file", "path": str(tmp_path / "a.jsonl")}]})
    trail = AuditTrail(config)
    try:
        lanes = trail.dispatcher.lanes  # type: ignore[attr-defined]
        assert [lane.settings.max_retries for lane in lanes] == [2, 7, 2]
    finally:
        trail.close(1)


@pytest.mark.parametrize("max_retries", [0, 3])
def test_the_backoff_doubles_for_max_retries_steps_then_stays_at_the_cap(
        max_retries: int) -> None:
    settings = LaneSettings(max_retries=max_retries, backoff_s=1.0, max_backoff_s=100.0)
    lane = Lane(FileSink("/dev/null"), settings)
    random.seed(4)
    error = RuntimeError("down")
    for attempt in range(1, 9):
        step = 2.0 ** (attempt - 1) if attempt - 1 < max_retries else 100.0
        delay = lane._delay(attempt, error)
        assert step / 2 <= delay <= step, (attempt, delay)


def test_a_write_that_outlasts_the_flush_interval_is_spooled_and_not_sent_twice(
        tmp_path: Path) -> None:
    """The collector answers 200, but only after 0.6 s: the guard spools the batch being
    written (and the queue); the write then succeeds, so its spool record is skipped."""
    with Receiver() as receiver:
        receiver.delay = 0.6
        config = DeliveryConfig(**{**FAST, "flush_interval_s": 0.05},
                                spool_dir=str(tmp_path / "s"), batch_size=20)
        engine = AsyncDispatcher(config, [HttpSink(receiver.url, timeout_s=10)])
        try:
            batch = [make_event(n) for n in range(100)]
            for event in batch:
                assert engine.submit(event)
            wait_for(lambda: engine.stats()["spooled"] > 0)
            receiver.delay = 0
            assert engine.flush(60)
            ids = [e["id"] for e in receiver.events]
            assert sorted(ids) == sorted(e["id"] for e in batch)
            assert len(ids) == len(set(ids))  # none twice
            assert ids == [e["id"] for e in batch]  # and in order
        finally:
            engine.close(2)


def test_a_damaged_spool_record_is_counted_in_stats(tmp_path: Path) -> None:
    root = tmp_path / "s" / "sink"
    spool = Spool(root)
    spool.append([make_event(0)])
    spool.append([make_event(1)])
    spool.append([make_event(2)])
    spool.close()
    (segment,) = root.rglob("seg-*.spool")
    data = bytearray(segment.read_bytes())
    data[data.index(b"AMS1", 1) + 20] ^= 1
    segment.write_bytes(bytes(data))
    path = tmp_path / "out.jsonl"
    lane = Lane(FileSink(path), LaneSettings(flush_interval_s=0.01), spool=Spool(root))
    try:
        assert lane.flush(time.monotonic() + 30)
        assert lane.stats()["spool_damaged"] == 1
        assert path.read_text().count("\n") == 2
    finally:
        lane.begin_close()
        lane.finish_close(time.monotonic() + 2)


def test_unbuilt_requests_are_held_within_pending_max_bytes(tmp_path: Path) -> None:
    """A hung sink and a stream of requests each holding a 200 KB body: past the byte
    budget the oldest are built at once and their bodies let go."""
    receiver = Receiver().start()
    receiver.mode = "hang"
    budget = 2 * 1024 * 1024
    trail = AuditTrail(store=False, delivery={
        "flush_interval_s": 0.02, "pending_max_bytes": budget, "spool_dir": "",
        "queue_size": 10_000}, sinks=[{"type": "http", "url": receiver.url,
                                       "timeout_s": 60}])
    made: list[int] = []
    lock = threading.Lock()
    try:
        def build(n: int, body: bytes) -> Any:
            def events() -> Any:
                with lock:
                    made.append(n)
                yield AuditEvent.create("createAssetGroup", "inventory_configuration",
                                        "create", details={"n": n, "size": len(body)})
            return events

        trail.record("createAssetGroup", details={"n": -1})
        wait_for(lambda: receiver.hung_connections == 1)
        for n in range(200):
            body = bytes([n % 256]) * 200_000
            assert trail.emit_later(build(n, body))
        stats = trail.dispatcher.stats()
        assert stats["pending_bytes"] <= budget
        assert stats["built_early"] >= 200 - budget // 200_000 - 1
        assert made == sorted(made)  # built oldest first: the chain keeps the order
    finally:
        receiver.stop()
        trail.close(2)


def test_a_build_lets_its_bodies_go_once_built() -> None:
    body = b"x" * 50_000

    def build() -> list[Any]:
        assert body  # the closure holds the body until the build has run
        return []

    assert closure_bytes(build) == 50_000
    pending = Pending(build, {}, lambda e, t: {}, threading.Lock())
    assert pending.weight == 50_000
    assert pending.resolve() == []
    assert pending._source is None


class HeldSink:
    """A sink whose writes wait until ``release`` is set (a collector that hangs)."""

    name = "held"
    durable = False

    def __init__(self) -> None:
        self.release = threading.Event()
        self.writes = 0
        self.events: list[dict[str, Any]] = []

    def write(self, events: Any) -> None:
        self.writes += 1
        self.release.wait(30)
        self.events.extend(events)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


def _hung_write_spilled(engine: AsyncDispatcher, sink: HeldSink, first: int) -> None:
    """A batch of 5 whose write hangs is spilled to the spool; then the write ends."""
    spooled = engine.stats()["spooled"]
    sink.release.clear()
    assert all(engine.submit(make_event(n)) for n in range(first, first + 5))
    wait_for(lambda: engine.lanes[0]._writing_since is not None)
    wait_for(lambda: engine.stats()["spooled"] >= spooled + 5, timeout=10)
    sink.release.set()
    assert engine.flush(30)


def test_an_idle_guard_is_woken_by_a_write_that_then_hangs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Asleep for good (no watching after writes), the guard is woken by the write's
    start alone: the hung write is spilled."""
    monkeypatch.setattr("auditmw.delivery.guard.IDLE_WAIT_S", 3600.0)
    monkeypatch.setattr("auditmw.delivery.guard.BUSY_S", 0.0)
    sink = HeldSink()
    sink.release.set()
    config = DeliveryConfig(**{**FAST, "flush_interval_s": 0.05},
                            spool_dir=str(tmp_path / "s"), batch_size=5)
    engine = AsyncDispatcher(config, [sink])
    try:
        assert engine.submit(make_event(0))
        assert engine.flush(30)
        wait_for(lambda: engine.lanes[0].guard._idle)
        _hung_write_spilled(engine, sink, 1)
        ids = [e["id"] for e in sink.events]
        assert len(ids) == len(set(ids)) == 6  # each once
    finally:
        sink.release.set()
        engine.close(2)


def test_a_watching_guard_finds_a_hung_write_without_a_wake_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once it saw a write, the guard watches the clock by itself: a later hung write is
    spilled though nothing wakes the guard for it."""
    monkeypatch.setattr("auditmw.delivery.guard.IDLE_WAIT_S", 3600.0)
    monkeypatch.setattr("auditmw.delivery.guard.BUSY_S", 3600.0)
    sink = HeldSink()
    config = DeliveryConfig(**{**FAST, "flush_interval_s": 0.05},
                            spool_dir=str(tmp_path / "s"), batch_size=5)
    engine = AsyncDispatcher(config, [sink])
    try:
        _hung_write_spilled(engine, sink, 0)
        monkeypatch.setattr(Guard, "poke", lambda self: None)
        time.sleep(0.3)  # the guard past its last look at the first write, watching
        _hung_write_spilled(engine, sink, 5)
        ids = [e["id"] for e in sink.events]
        assert len(ids) == len(set(ids)) == 10  # each once
    finally:
        sink.release.set()
        engine.close(2)
