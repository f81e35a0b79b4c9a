"""Deferred work (``auditmw.delivery.pending``): resolved once, in recording order, never
under a lane's lock; and a test's listener sees the path production takes."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from auditmw.delivery.lane import Lane, LaneSettings
from auditmw.delivery.pending import Pending
from auditmw.delivery.spool import Spool
from auditmw.event import AuditEvent
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail


def event(n: int) -> AuditEvent:
    return AuditEvent.create("deleteRole", "roles", "delete", details={"n": n})


def test_resolving_a_later_item_first_resolves_the_earlier_ones_in_order() -> None:
    order: list[int] = []

    def finish(e: AuditEvent, trace: dict[str, str]) -> dict[str, Any]:
        order.append(e.details["n"])
        return {"n": e.details["n"]}

    lock = threading.Lock()
    first = Pending(event(1), {}, finish, lock)
    second = Pending(lambda: [event(2), event(3)], {}, finish, lock, before=first)
    third = Pending(event(4), {}, finish, lock, before=second)
    assert third.resolve() == [{"n": 4}]
    assert order == [1, 2, 3, 4]
    assert first.done
    assert second.done
    assert first.resolve() == [{"n": 1}]  # once: nothing runs again
    assert order == [1, 2, 3, 4]


def test_an_event_no_lane_took_is_never_processed(tmp_path: Path) -> None:
    memory = MemorySink()
    trail = AuditTrail(store=False, sinks=[memory], delivery={
        "spool_dir": "", "overflow": "drop", "queue_size": 1, "batch_size": 100,
        "flush_interval_s": 60.0})
    try:
        with capture_audit_events(trail) as events:
            trail.record("deleteRole", target="kept")
            trail.record("deleteRole", target="dropped")  # the queue of one is full
            assert [e["target"]["id"] for e in events] == ["kept"]
            assert trail.flush(5)  # room in the queue again
            trail.record("deleteRole", target="after")  # resolves what came before it
            assert [e["target"]["id"] for e in events] == ["kept", "after"]
        assert trail.stats()["dropped"] == 1
        assert trail.stats()["recorded"] == 2  # the dropped one took no seq number
    finally:
        trail.close(5)
    assert [e["integrity"]["seq"] for e in memory.events] == [1, 2]


def test_a_full_queue_is_built_outside_the_lane_lock_then_spooled_in_order(
        tmp_path: Path) -> None:
    lane_holder: list[Lane] = []
    held_lock: list[bool] = []

    def finish(e: AuditEvent, trace: dict[str, str]) -> dict[str, Any]:
        held_lock.append(lane_holder[0]._lock._is_owned())  # type: ignore[attr-defined]
        return {"n": e.details["n"]}

    spool = Spool(tmp_path / "spool", name="memory")
    # The worker waits for a batch of 100 or a minute: the third offer finds the queue full.
    lane = Lane(MemorySink(), LaneSettings(queue_size=2, batch_size=100,
                                           flush_interval_s=60.0), spool=spool)
    lane_holder.append(lane)
    lock = threading.Lock()
    last: Pending | None = None
    try:
        for n in range(1, 4):
            last = Pending(event(n), {}, finish, lock, before=last)
            assert lane.offer(last)
        assert held_lock == [False, False]  # the two queued items, built by the request
        found = spool.peek(100)
        assert found is not None
        assert [e["n"] for e in found[0]] == [1, 2]
        assert lane.stats()["spooled"] == 2
    finally:
        lane.begin_close()
        lane.finish_close(5.0)
    assert held_lock == [False, False, False]


def test_capture_audit_events_listens_to_the_delivery_thread(tmp_path: Path) -> None:
    memory = MemorySink()
    trail = AuditTrail(store=False, sinks=[memory],
                       delivery={"spool_dir": str(tmp_path / "spool")})
    threads: list[str] = []

    def note_thread(data: dict[str, Any]) -> dict[str, Any]:
        threads.append(threading.current_thread().name)
        return data

    trail.processors.insert(0, note_thread)
    policy = trail.policy
    try:
        with capture_audit_events(trail) as events:
            trail.record("deleteRole", target="r1")
            assert trail.flush(5)  # let the lane get to it, as in production
            assert threads == ["auditmw-memory"]  # processed by the lane's worker
            assert [e["target"]["id"] for e in events] == ["r1"]
            trail.record("deleteRole", target="r2")
            # read at once: finished here, since no lane has reached it yet
            assert [e["target"]["id"] for e in events] == ["r1", "r2"]
        assert trail.policy is policy
        assert policy.process_later
        assert trail.stats()["recorded"] == 2
    finally:
        trail.close(5)
    assert [e["target"]["id"] for e in memory.events] == ["r1", "r2"]
