"""Every event exactly once when a full queue spills to the spool (issue 16's promise).

A lane's worker lets go of its batch under the lane's lock some time after the batch was
delivered or spooled. A request that found the queue full in between spilled the queue
*and that batch* to the spool once more, and the replay delivered it a second time (the
bench saw 500 duplicates in 50,000 events, one batch). Here the real worker is stopped
at the moments that matter: a sink write just starting, and a batch just settled (written
or spooled, the lock let go). While it stands there the queue is filled past full, so a
spill runs exactly then; what the receiver got is then counted by event id. No timing
decides the outcome; the seeds vary the queue and batch sizes, where the worker stops and
how much arrives meanwhile.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import pytest

from auditmw.config import DeliveryConfig
from auditmw.delivery import AsyncDispatcher
from auditmw.delivery.writes import LaneWrites
from auditmw.sinks.file import FileSink
from auditmw.sinks.http import HttpSink
from support.events import make_event
from support.receiver import Receiver

PAUSE_S = 30.0  # only a bound on a broken run: every wait below ends on an event
Trace = Callable[[FrameType, str, Any], Any]


class WorkerGate:
    """Stops the lane's worker thread at a named point until the test lets it go:
    ``"write"`` as a sink write begins, ``"settled"`` as :meth:`LaneWrites._handle`
    returns (the batch written or spooled, the lane's lock let go, the worker not yet
    back for it)."""

    def __init__(self, sink_write: CodeType) -> None:
        self.points = {"write": sink_write, "settled": LaneWrites._handle.__code__}
        self.armed: str | None = None
        self.reached = threading.Event()
        self.go = threading.Event()
        self.hits: Counter[str] = Counter()

    def arm(self, point: str) -> None:
        self.reached = threading.Event()
        self.go = threading.Event()
        self.armed = point

    def release(self) -> None:
        self.go.set()

    def _stop_here(self, point: str) -> None:
        self.armed = None
        self.hits[point] += 1
        go = self.go
        self.reached.set()
        go.wait(PAUSE_S)

    def trace(self, frame: FrameType, event: str, arg: Any) -> Trace | None:
        """The threads' trace function (``threading.settrace``): called on each call."""
        code = frame.f_code
        if code is self.points["write"]:
            if self.armed == "write":
                self._stop_here("write")
            return None
        if code is self.points["settled"]:
            return self._on_handle_event
        return None

    def _on_handle_event(self, frame: FrameType, event: str, arg: Any) -> Trace:
        if event == "return" and self.armed == "settled":
            self._stop_here("settled")
        return self._on_handle_event


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def delivered_ids(kind: str, path: Path, receiver: Receiver) -> Counter[str]:
    if kind == "file":
        return Counter(json.loads(line)["id"] for line in path.read_text().splitlines())
    with receiver.lock:
        return Counter(event["id"] for event in receiver.events)


@pytest.mark.parametrize("kind", ["file", "http"])
@pytest.mark.parametrize("seed", range(6))
def test_a_spill_next_to_a_settled_batch_delivers_every_event_once(
        tmp_path: Path, receiver: Receiver, kind: str, seed: int) -> None:
    rng = random.Random(seed)
    queue_size = rng.randint(3, 12)
    batch_size = rng.randint(1, queue_size)
    out = tmp_path / "out.jsonl"
    sink = FileSink(out) if kind == "file" else HttpSink(receiver.url)
    gate = WorkerGate(type(sink).write.__code__)
    config = DeliveryConfig(spool_dir=str(tmp_path / "spool"), queue_size=queue_size,
                            batch_size=batch_size, flush_interval_s=0.02,
                            retry_backoff_s=0.02, retry_max_backoff_s=0.2)
    submitted: list[str] = []

    def submit(count: int) -> None:
        for _ in range(count):
            event = make_event(len(submitted))
            submitted.append(event["id"])
            assert engine.submit(event)

    threading.settrace(gate.trace)  # the lane's threads start after this, traced
    try:
        engine = AsyncDispatcher(config, [sink])
        # "settled" at least twice: once with the spool empty (a direct write), once
        # behind spooled events (the batch appended to the spool instead).
        plan = ["settled", "settled"] + [rng.choice(["write", "settled"]) for _ in range(4)]
        rng.shuffle(plan)
        for point in plan:
            gate.arm(point)
            # Feed the worker until it stops there, never filling the queue meanwhile (a
            # spill of everything would leave it nothing to take directly).
            lane = engine.lanes[0]
            for _ in range(4000):
                if gate.reached.is_set():
                    break
                if lane.stats()["queue_depth"] < queue_size:
                    submit(1)
                else:
                    gate.reached.wait(0.005)
            assert gate.reached.wait(PAUSE_S), f"the worker never reached {point!r}"
            # The worker stands still: more than a queue's worth makes a request find the
            # queue full, and the spill runs now, beside the batch the worker holds.
            submit(rng.randint(queue_size + 1, 2 * queue_size + 1))
            gate.release()
        submit(rng.randint(0, 3 * batch_size))
        assert engine.flush(PAUSE_S)
        stats = engine.lanes[0].stats()
        engine.close(PAUSE_S)
    finally:
        threading.settrace(None)  # type: ignore[arg-type]
        gate.release()

    assert gate.hits["settled"] >= 2
    assert stats["spooled"] > 0  # the spill path was taken...
    assert stats["replayed"] > 0  # ...and the spool read back
    got = delivered_ids(kind, out, receiver)
    twice = sorted(i for i, n in got.items() if n > 1)
    assert not twice, f"{len(twice)} event(s) delivered more than once"
    assert set(got) == set(submitted)
    assert stats["delivered"] == len(submitted)
    assert stats["failed"] == stats["dropped"] == stats["dead_lettered"] == 0
