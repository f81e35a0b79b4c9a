"""A burst far larger than the queue, under each overflow policy, with the sink stuck.

The sink is an http sink whose receiver accepts the connection and holds it, so the
lane's worker sits in its first write; everything else piles up against ``queue_size``.
Memory is measured as resident set size (psutil) while the burst is held back.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import psutil
import pytest

from auditmw.config import DeliveryConfig
from auditmw.delivery import AsyncDispatcher
from auditmw.sinks.http import HttpSink
from support.events import make_event
from support.net import wait_for
from support.receiver import Receiver

QUEUE = 1000
BURST = 40_000
PAYLOAD = 2048  # each event ~2.5 kB: the whole burst held in memory would be ~100 MB
RSS_BOUND = 40 * 1024 * 1024


def event(n: int) -> dict[str, Any]:
    return make_event(n, blob=f"{n:08d}" + "x" * PAYLOAD)


def release(receiver: Receiver) -> None:
    receiver.mode = "ok"
    receiver.release.set()  # the held request ends unanswered; the sink retries it


def stuck_engine(tmp_path: Path, overflow: str, spool: bool = True
                 ) -> tuple[Receiver, AsyncDispatcher]:
    receiver = Receiver().start()
    receiver.mode = "hang"
    config = DeliveryConfig(queue_size=QUEUE, batch_size=100, flush_interval_s=0.01,
                            overflow=overflow, spool_dir=str(tmp_path / "spool") if spool else "",
                            retry_backoff_s=0.02, retry_max_backoff_s=0.2)
    engine = AsyncDispatcher(config, [HttpSink(receiver.url, timeout_s=60)])
    engine.submit(event(-1))
    wait_for(lambda: receiver.hung_connections == 1)  # the worker is now stuck
    return receiver, engine


@pytest.mark.slow
def test_without_a_spool_a_burst_is_dropped_exactly_in_bounded_memory(tmp_path: Path) -> None:
    receiver, engine = stuck_engine(tmp_path, "drop", spool=False)
    process = psutil.Process()
    try:
        before = process.memory_info().rss
        refused: list[str] = []
        accepted: list[str] = []
        for n in range(BURST):
            item = event(n)
            (accepted if engine.submit(item) else refused).append(item["id"])
        grown = process.memory_info().rss - before
        stats = engine.stats()
        assert grown < RSS_BOUND, f"RSS grew by {grown / 2**20:.1f} MiB"
        assert stats["queue_depth"] <= QUEUE + 1  # the queue plus the held event
        assert stats["dropped"] == len(refused) == BURST - QUEUE
        release(receiver)
        assert engine.flush(120)
        arrived = receiver.ids()
        assert set(accepted) <= arrived
        assert not arrived & set(refused)
        assert len(arrived) == len(accepted) + 1  # + the event that got the worker stuck
    finally:
        engine.close(5)
        receiver.stop()


@pytest.mark.slow
@pytest.mark.parametrize("overflow", ["block", "spool"])
def test_a_hung_sink_never_holds_the_producer_while_the_spool_has_room(
        tmp_path: Path, overflow: str) -> None:
    """The collector accepts and never answers. Every submit returns while it still
    hangs (the queue moves to the spool instead of waiting or dropping); memory stays
    bounded; once it answers again every event arrives exactly once."""
    receiver, engine = stuck_engine(tmp_path, overflow)
    process = psutil.Process()
    results: list[bool] = []
    burst = [event(n) for n in range(BURST)]
    before = process.memory_info().rss

    def produce() -> None:
        results.extend(engine.submit(item) for item in burst)

    producer = threading.Thread(target=produce, daemon=True)
    try:
        producer.start()
        producer.join(120)
        assert not producer.is_alive(), "a submit waited on the hung sink"
        assert receiver.hung_connections >= 1
        assert not receiver.release.is_set()  # the collector still has not answered
        grown = process.memory_info().rss - before
        stats = engine.stats()
        assert results == [True] * BURST
        assert stats["dropped"] == 0
        assert stats["queue_depth"] <= QUEUE + 100  # the queue plus the batch held
        assert stats["spooled"] >= BURST - QUEUE
        assert grown < RSS_BOUND, f"RSS grew by {grown / 2**20:.1f} MiB"
        release(receiver)
        assert engine.flush(120)
        ids = [e["id"] for e in receiver.events]
        assert len(ids) == len(set(ids)) == BURST + 1  # every event once, none twice
    finally:
        engine.close(5)
        receiver.stop()


@pytest.mark.slow
def test_without_a_spool_a_burst_blocks_the_producer_until_there_is_room(
        tmp_path: Path) -> None:
    receiver, engine = stuck_engine(tmp_path, "block", spool=False)
    results: list[bool] = []
    burst = [event(n) for n in range(QUEUE * 3)]

    def produce() -> None:
        results.extend(engine.submit(item) for item in burst)

    producer = threading.Thread(target=produce, daemon=True)
    try:
        producer.start()
        wait_for(lambda: engine.stats()["queue_depth"] >= QUEUE)
        producer.join(0.5)
        assert producer.is_alive()  # held at the full queue, nothing dropped
        assert engine.stats()["dropped"] == 0
        release(receiver)
        producer.join(60)
        assert not producer.is_alive()
        assert results == [True] * len(burst)
        assert engine.flush(60)
        assert {e["id"] for e in burst} <= receiver.ids()
        assert engine.stats()["dropped"] == 0
    finally:
        engine.close(5)
        receiver.stop()
