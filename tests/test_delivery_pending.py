"""Deferred work (``auditmw.delivery.pending``): resolved once, in recording order, never
under a lane's lock; and a test's listener sees the path production takes."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, cast

from auditmw.delivery.lane import Lane, LaneSettings
from auditmw.delivery.pending import TRIM_EVERY, Backlog, Pending, resolve_batch
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


class CountingLock:
    """A lock that counts how often it was taken."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.taken = 0

    def __enter__(self) -> None:
        self.lock.acquire()
        self.taken += 1

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def numbered(e: AuditEvent, trace: dict[str, str]) -> dict[str, Any]:
    return {"n": e.details["n"]}


def test_a_batch_is_resolved_in_order_under_one_taking_of_the_lock() -> None:
    counting = CountingLock()
    lock = cast("threading.Lock", counting)
    first = Pending(event(1), {}, numbered, lock)
    second = Pending(lambda: [event(2), event(3)], {}, numbered, lock, before=first)
    dropped = Pending(event(99), {}, numbered, lock, before=second)
    dropped.cancel()  # no lane took it: nothing, but it keeps its place
    fourth = Pending(event(4), {}, numbered, lock, before=dropped)
    batch: list[object] = [first, {"n": "dict"}, second, dropped, fourth]
    assert [e["n"] for e in resolve_batch(batch)] == [1, "dict", 2, 3, 4]
    assert counting.taken == 1
    assert all(p.done for p in (first, second, dropped, fourth))
    assert [e["n"] for e in resolve_batch(batch)] == [1, "dict", 2, 3, 4]  # once
    assert counting.taken == 1


def test_a_batch_of_two_trails_items_resolves_each() -> None:
    """Items of two recording orders (two locks) in one batch: every one is built."""
    one, other = threading.Lock(), threading.Lock()
    a1 = Pending(event(1), {}, numbered, one)
    b1 = Pending(event(2), {}, numbered, other)
    a2 = Pending(event(3), {}, numbered, one, before=a1)
    b2 = Pending(event(4), {}, numbered, other, before=b1)
    assert [e["n"] for e in resolve_batch([a1, b1, a2, b2])] == [1, 2, 3, 4]
    assert a2.resolve() == [{"n": 3}]


def test_the_backlog_counts_only_unbuilt_bytes_and_builds_only_those_early() -> None:
    lock = threading.Lock()
    built: list[int] = []

    def finish(e: AuditEvent, trace: dict[str, str]) -> dict[str, Any]:
        built.append(e.details["n"])
        return {"n": e.details["n"]}

    backlog = Backlog(max_bytes=1_000)
    items: list[Pending] = []
    for n in range(5):
        items.append(Pending(event(n), {}, finish, lock,
                             before=items[-1] if items else None, weight=150))
        backlog.hold(items[-1])
    assert backlog.pending_bytes() == 750
    items[2].resolve()  # a lane built the first three
    assert built == [0, 1, 2]
    assert backlog.pending_bytes() == 300  # exact at once, whatever the trim schedule
    for n in range(5, 10):  # 300 + 5 * 150 = 1,050: past the budget by one item
        items.append(Pending(event(n), {}, finish, lock, before=items[-1], weight=150))
        backlog.hold(items[-1])
    assert built == [0, 1, 2, 3]  # only the oldest unbuilt one, early
    assert backlog.built_early == 1
    assert backlog.pending_bytes() == 900


def test_the_backlog_lets_go_of_built_items() -> None:
    lock = threading.Lock()
    backlog = Backlog(max_bytes=10**9)
    last: Pending | None = None
    for n in range(TRIM_EVERY * 3):
        last = Pending(event(n), {}, numbered, lock, before=last, weight=10)
        backlog.hold(last)
        last.resolve()
    assert len(backlog._items) <= TRIM_EVERY
    assert backlog.pending_bytes() == 0
    assert not backlog._items


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


def test_queued_items_hold_no_objects_of_their_own_but_the_item(tmp_path: Path) -> None:
    """What the garbage collector scans per queued request: the items of one trail
    share their finishing step and their empty result until built; a built item's
    result is its own."""
    memory = MemorySink()
    trail = AuditTrail(store=False, sinks=[memory], delivery={
        "spool_dir": "", "batch_size": 100, "flush_interval_s": 60.0})
    try:
        trail.record("deleteRole", target="r1")
        trail.record("deleteRole", target="r2")
        first, second = list(trail.dispatcher.lanes[0]._queue)
        assert isinstance(first, Pending)
        assert isinstance(second, Pending)
        assert first._finish is second._finish
        assert first._result is second._result == []
        assert second.resolve()[0]["target"]["id"] == "r2"
        assert first.resolve()[0]["target"]["id"] == "r1"
        assert first._result is not second._result
        assert trail.flush(5)
    finally:
        trail.close(5)
    assert [e["target"]["id"] for e in memory.events] == ["r1", "r2"]
