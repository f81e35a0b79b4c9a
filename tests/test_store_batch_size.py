"""The store lane's batch is ``store.batch_size``, its own, not ``delivery.batch_size``:
a store write ends in a durable commit, paid per batch (docs/store.md, "Batches")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditmw.store import Query
from auditmw.store.sink import StoreSink
from auditmw.testing import MemorySink
from auditmw.trail import AuditTrail


def test_each_lane_takes_its_own_batch_size(tmp_path: Path) -> None:
    memory = MemorySink()
    trail = AuditTrail(
        store={"url": f"sqlite:///{tmp_path / 'audit.db'}", "batch_size": 7},
        sinks=[memory],
        # Nothing written before a batch fills or the flush: what each lane takes is
        # decided by its batch size alone.
        delivery={"batch_size": 3, "flush_interval_s": 30})
    store_sink = next(s for s in trail.sinks if isinstance(s, StoreSink))
    sizes: dict[str, list[int]] = {"store": [], "memory": []}
    for name, sink in (("store", store_sink), ("memory", memory)):
        write = sink.write

        def counted(events: Any, write: Any = write, name: str = name) -> None:
            sizes[name].append(len(events))
            write(events)

        sink.write = counted  # type: ignore[method-assign]
    for i in range(40):
        trail.record("exportView", details={"i": i})
    assert trail.flush(30)
    assert trail.store is not None
    stored = trail.store.query(Query(), limit=100).items
    trail.close()
    assert sum(sizes["store"]) == 40
    assert len(stored) == 40
    assert sum(sizes["memory"]) == 40
    assert len(memory.events) == 40
    assert max(sizes["store"]) == 7, sizes
    assert max(sizes["memory"]) == 3, sizes


def test_a_store_sink_built_by_hand_takes_the_delivery_batch(tmp_path: Path) -> None:
    from auditmw.store import open_store

    sink = StoreSink(open_store(f"sqlite:///{tmp_path / 'audit.db'}"))
    try:
        assert sink.batch_size is None  # the lane then uses delivery.batch_size
    finally:
        sink.close()
