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
from test_delivery import wait_for
from test_delivery_support import Receiver, make_event

QUEUE = 1000
BURST = 40_000
PAYLOAD = 2048  # each event ~2.5 kB: the whole burst held in memory would be ~100 MB
RSS_BOUND = 40 * 1024 * 1024


def event(n: int) -> dict[str, Any]:
    return make_event(n, blob=f"{n:08d}" + "x" * PAYLOAD)


def release(receiver: Receiver) -> None:
    receiver.mode = "ok"
    receiver.release.set()  # the held request ends unanswered; the sink retries it


def stuck_engine(tmp_path: Path, overflow: str) -> tuple[Receiver, AsyncDispatcher]:
    receiver = Receiver().start()
    receiver.mode = "hang"
    config = DeliveryConfig(queue_size=QUEUE, batch_size=100, flush_interval_s=0.01,
                            overflow=overflow, spool_dir=str(tmp_path / "spool"),
                            retry_backoff_s=0.02, retry_max_backoff_s=0.2)
    engine = AsyncDispatcher(config, [HttpSink(receiver.url, timeout_s=60)])
    engine.submit(event(-1))
    wait_for(lambda: receiver.hung_connections == 1)  # the worker is now stuck
    return receiver, engine


@pytest.mark.slow
@pytest.mark.parametrize("overflow", ["drop", "spool"])
def test_burst_is_dropped_or_spooled_exactly_in_bounded_memory(tmp_path: Path,
                                                                overflow: str) -> None:
    receiver, engine = stuck_engine(tmp_path, overflow)
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
        if overflow == "drop":
            assert stats["dropped"] == len(refused) == BURST - QUEUE
        else:
            assert refused == []
            assert stats["dropped"] == 0
            assert stats["spooled"] == BURST - QUEUE
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
def test_burst_blocks_the_producer_until_there_is_room(tmp_path: Path) -> None:
    receiver, engine = stuck_engine(tmp_path, "block")
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
