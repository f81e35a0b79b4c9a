"""The async and sync engines in-process, with real sinks and real local servers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditmw.config import DeliveryConfig
from auditmw.delivery import AsyncDispatcher, SyncDispatcher, build_dispatcher
from auditmw.sinks.file import FileSink
from auditmw.sinks.http import HttpSink
from auditmw.trail import AuditTrail
from support.events import FAST, make_event
from support.net import free_port, wait_for
from support.receiver import Receiver


@pytest.fixture
def dispatchers() -> Iterator[Callable[..., AsyncDispatcher]]:
    made: list[AsyncDispatcher] = []

    def make(sinks: list[Any], cls: type[AsyncDispatcher] = AsyncDispatcher,
             **config: Any) -> AsyncDispatcher:
        made.append(cls(DeliveryConfig(**{**FAST, **config}), sinks))
        return made[-1]

    yield make
    for dispatcher in made:
        dispatcher.close(5)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_build_dispatcher_follows_the_mode(tmp_path: Path) -> None:
    sink = FileSink(tmp_path / "a.jsonl", fsync="always")
    made = [build_dispatcher(DeliveryConfig(mode=mode), [sink]) for mode in ("async", "sync")]
    assert [type(d) for d in made] == [AsyncDispatcher, SyncDispatcher]
    for dispatcher in made:
        dispatcher.close(1)


@pytest.mark.slow
def test_refusing_receiver_gets_every_id_once_it_is_back(tmp_path: Path) -> None:
    """The issue's 30 s outage, shortened: the receiver refuses connections until all
    10,000 events are recorded and at least a second has passed with retries failing."""
    receiver = Receiver(port=free_port())  # not started: connections are refused
    trail = AuditTrail(store=False, delivery={**FAST, "spool_dir": str(tmp_path / "spool")},
                       sinks=[{"type": "http", "url": receiver.url, "timeout_s": 2}])
    try:
        ids = [trail.record("createAssetGroup", details={"n": n}).id for n in range(10_000)]
        # The outage has been felt: retries failed and the lane moved events to its spool.
        wait_for(lambda: trail.stats()["sinks"][trail.sinks[0].name]["errors"] >= 3
                 and trail.stats()["spooled"] > 0)
        assert trail.stats()["dropped"] == 0
        receiver.start()
        assert trail.flush(60)
        assert receiver.ids() == set(ids)  # no gaps; duplicates would be allowed
        assert trail.stats()["queue_depth"] == 0
    finally:
        trail.close()
        receiver.stop()


def test_silent_receiver_never_holds_the_app_and_loses_nothing(tmp_path: Path) -> None:
    receiver = Receiver().start()
    receiver.mode = "hang"
    trail = AuditTrail(store=False, delivery={**FAST, "spool_dir": str(tmp_path / "spool")},
                       sinks=[{"type": "http", "url": receiver.url, "timeout_s": 0.3}])
    try:
        slowest, ids = 0.0, []
        for n in range(300):
            started = time.monotonic()
            ids.append(trail.record("createAssetGroup", details={"n": n}).id)
            slowest = max(slowest, time.monotonic() - started)
        # Recording never waits for the sink: far below the 0.3 s sink timeout.
        assert slowest < 0.3
        wait_for(lambda: receiver.hung_connections >= 2)
        receiver.mode = "ok"
        receiver.release.set()
        assert trail.flush(30)
        assert receiver.ids() == set(ids)
    finally:
        trail.close()
        receiver.stop()


@pytest.mark.parametrize("statuses", [
    pytest.param([(503, {"Retry-After": "0"})] * 2, id="503-retry-after"),
    pytest.param([(429, {})], id="429"),
    pytest.param([(408, {})], id="408"),
    pytest.param([(500, {}), (502, {})], id="5xx"),
])
def test_transient_answers_are_retried(dispatchers: Callable[..., AsyncDispatcher],
                                       tmp_path: Path, statuses: list[Any]) -> None:
    with Receiver() as receiver:
        receiver.script.extend(statuses)
        engine = dispatchers([HttpSink(receiver.url)], spool_dir=str(tmp_path / "s"))
        batch = [make_event(n) for n in range(30)]
        assert all(engine.submit(e) for e in batch)
        assert engine.flush(20)
        assert receiver.ids() == {e["id"] for e in batch}
        assert engine.stats()["retried"] >= 1
        assert not (tmp_path / "s" / "dead-letter.jsonl").exists()


def test_a_refusal_goes_to_the_dead_letter_file_with_its_reason(
        dispatchers: Callable[..., AsyncDispatcher], tmp_path: Path) -> None:
    with Receiver() as receiver:
        receiver.reject_field = "poison"
        engine = dispatchers([HttpSink(receiver.url)], spool_dir=str(tmp_path / "s"),
                             batch_size=1)
        good, bad = make_event(1), make_event(2, poison=True)
        engine.submit(good)
        engine.submit(bad)
        assert engine.flush(20)
        assert receiver.ids() == {good["id"]}
        (letter,) = lines(tmp_path / "s" / "dead-letter.jsonl")
        assert letter["event"]["id"] == bad["id"]
        assert letter["reason"].startswith("HTTP 400")
        assert letter["sink"] == engine.lanes[0].name
        assert engine.stats()["dead_lettered"] == 1
        assert engine.stats()["failed"][engine.lanes[0].name] == 1


def test_413_splits_the_batch_until_it_fits(dispatchers: Callable[..., AsyncDispatcher],
                                            tmp_path: Path) -> None:
    with Receiver() as receiver:
        receiver.max_batch = 7
        # flush_interval_s is the hung-write guard's threshold too: keep it well above a
        # loaded box's request time, so this test sees the 413 split alone, not the guard.
        engine = dispatchers([HttpSink(receiver.url)], spool_dir=str(tmp_path / "s"),
                             batch_size=100, flush_interval_s=2.0)
        batch = [make_event(n) for n in range(100)]
        for event in batch:
            engine.submit(event)
        assert engine.flush(20)
        assert receiver.ids() == {e["id"] for e in batch}
        accepted = [r["count"] for r in receiver.requests if r["status"] == 200]
        assert max(accepted) <= 7
        assert sum(accepted) == 100


def test_a_stuck_sink_delays_only_itself(dispatchers: Callable[..., AsyncDispatcher],
                                         tmp_path: Path) -> None:
    receiver = Receiver().start()
    receiver.mode = "hang"
    path = tmp_path / "a.jsonl"
    file_sink = FileSink(path)
    engine = dispatchers([HttpSink(receiver.url, timeout_s=30), file_sink],
                         spool_dir=str(tmp_path / "s"))
    try:
        batch = [make_event(n) for n in range(50)]
        for event in batch:
            assert engine.submit(event)
        file_lane = engine.lanes[1]
        wait_for(lambda: file_lane.stats()["delivered"] == 50)
        assert [e["id"] for e in lines(path)] == [e["id"] for e in batch]
        assert engine.lanes[0].stats()["delivered"] == 0
    finally:
        receiver.stop()


def test_sync_mode_is_durable_before_record_returns(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    trail = AuditTrail(store=False, delivery={"mode": "sync",
                                              "spool_dir": str(tmp_path / "s")},
                       sinks=[{"type": "file", "path": str(path), "fsync": "always"}])
    try:
        for n in range(5):
            event = trail.record("createAssetGroup", details={"n": n})
            assert lines(path)[-1]["id"] == event.id  # no flush: already on disk
        assert trail.healthy()
    finally:
        trail.close()


def test_sync_mode_reports_a_failing_durable_sink_and_recovers(tmp_path: Path) -> None:
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the sink wants a directory")
    path = blocker / "a.jsonl"
    engine = SyncDispatcher(DeliveryConfig(**FAST, spool_dir=str(tmp_path / "s")),
                            [FileSink(path, fsync="always")])
    try:
        event = make_event(1)
        assert engine.submit(event) is False  # not durable: fail_closed answers 503
        assert engine.healthy() is False
        blocker.unlink()  # the disk comes back
        wait_for(engine.healthy)  # the lane's retry proves it
        assert engine.flush(10)
        assert [e["id"] for e in lines(path)] == [event["id"]]
        later = make_event(2)
        assert engine.submit(later) is True
        assert lines(path)[-1]["id"] == later["id"]
    finally:
        engine.close(5)


def test_close_spools_what_a_dead_sink_holds_and_the_next_run_replays_it(
        tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/ingest"
    config = DeliveryConfig(**FAST, spool_dir=str(tmp_path / "s"), max_retries=100)
    first = AsyncDispatcher(config, [HttpSink(url, timeout_s=1)])
    batch = [make_event(n) for n in range(40)]
    for event in batch:
        assert first.submit(event)
    assert first.flush(0.3) is False  # the receiver is down: not delivered
    first.close(1)
    assert first.stats()["spooled"] >= 40
    assert first.submit(make_event(99)) is False  # closed: known not kept
    with Receiver(port=port) as receiver:
        second = AsyncDispatcher(config, [HttpSink(url)])
        assert second.flush(20)
        second.close(5)
        assert receiver.ids() == {e["id"] for e in batch}
    assert not list((tmp_path / "s").rglob("seg-*"))


def test_stats_and_opentelemetry_metrics(tmp_path: Path) -> None:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader

    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    sink = FileSink(tmp_path / "a.jsonl")
    engine = AsyncDispatcher(DeliveryConfig(**FAST, spool_dir=str(tmp_path / "s")), [sink],
                             meter_provider=provider)
    try:
        for n in range(12):
            engine.submit(make_event(n))
        assert engine.flush(10)
        stats = engine.stats()
        assert stats["delivered"] == {sink.name: 12}
        assert stats["failed"] == {sink.name: 0}
        assert {"retried", "spooled", "dropped", "queue_depth"} <= set(stats)
        data = reader.get_metrics_data()
        assert data is not None
        points = {m.name: list(m.data.data_points)
                  for rm in data.resource_metrics for sm in rm.scope_metrics
                  for m in sm.metrics}
        (delivered,) = points["auditmw.events.delivered"]
        assert delivered.value == 12
        assert delivered.attributes == {"auditmw.sink": sink.name}
        assert points["auditmw.queue.depth"][0].value == 0
    finally:
        engine.close(5)
        provider.shutdown()
