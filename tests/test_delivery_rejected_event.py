"""One event a sink can never take costs only that event (``RejectedEvent``): the lane
splits the batch until it is alone and dead-letters it; its neighbours are written, and
the lane goes on (before, the store's error was retried forever from the spool, and
every later event for the store waited behind it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditmw.config import DeliveryConfig
from auditmw.delivery import AsyncDispatcher
from auditmw.ids import format_time
from auditmw.store import Query, open_store
from auditmw.store.base import StoreError, UnstorableEvent
from auditmw.store.orderkey import MAX_TS
from auditmw.store.rows import us_to_datetime
from auditmw.store.sink import StoreSink
from auditmw.types import PermanentError, RejectedEvent
from support.events import FAST, make_event


@pytest.fixture
def store_sink(store_url: str) -> Iterator[StoreSink]:
    sink = StoreSink(open_store(store_url), purge_interval_s=3600)
    yield sink
    sink.close()  # (closing twice is harmless)


def test_the_store_names_an_event_it_cannot_hold_as_rejected() -> None:
    assert issubclass(UnstorableEvent, StoreError)
    assert issubclass(UnstorableEvent, RejectedEvent)
    assert issubclass(RejectedEvent, PermanentError)


@pytest.mark.parametrize("bad_at", [0, 17, 39])
def test_only_the_unstorable_event_is_dead_lettered(store_sink: StoreSink, tmp_path: Path,
                                                    bad_at: int) -> None:
    spool = tmp_path / "spool"
    engine = AsyncDispatcher(DeliveryConfig(**{**FAST, "spool_dir": str(spool),
                                               "batch_size": 40,
                                               # the hung-write guard well above a
                                               # loaded box's write time: the split alone
                                               "flush_interval_s": 2.0}), [store_sink])
    try:
        batch: list[dict[str, Any]] = [make_event(n) for n in range(40)]
        batch[bad_at]["time"] = "not a time"
        for event in batch:
            assert engine.submit(event)
        assert engine.flush(30)
        later = [make_event(100 + n) for n in range(5)]  # the lane is not stuck after it
        for event in later:
            assert engine.submit(event)
        assert engine.flush(30)
        stats = engine.stats()
    finally:
        engine.close(10)
    good = {e["id"] for e in batch if e is not batch[bad_at]} | {e["id"] for e in later}
    reader = open_store(store_sink.store.url)
    try:
        stored = {e["id"] for e in reader.iter_events(Query())}
    finally:
        reader.close()
    assert stored == good
    letters = [json.loads(line) for line in
               (spool / "dead-letter.jsonl").read_text().splitlines()]
    assert [letter["event"]["id"] for letter in letters] == [batch[bad_at]["id"]]
    assert "is not RFC 3339" in letters[0]["reason"]
    assert stats["dead_lettered"] == 1


def _through_sqlite_lane(tmp_path: Path, batch: list[dict[str, Any]], flush_s: float
                         ) -> tuple[list[str], list[dict[str, Any]], dict[str, Any]]:
    """Submit ``batch`` as one batch to a SQLite store lane and flush it: the stored ids
    in order, the dead letters and the engine's stats."""
    sink = StoreSink(open_store(f"sqlite:///{tmp_path / 'audit.db'}"), purge_interval_s=3600)
    spool = tmp_path / "spool"
    engine = AsyncDispatcher(DeliveryConfig(**{**FAST, "spool_dir": str(spool),
                                               "batch_size": len(batch),
                                               "flush_interval_s": 5.0}), [sink])
    try:
        for event in batch:
            assert engine.submit(event)
        assert engine.flush(flush_s)
        stats = engine.stats()
    finally:
        engine.close(10)
    reader = open_store(f"sqlite:///{tmp_path / 'audit.db'}")
    try:
        stored = [e["id"] for e in reader.iter_events(Query())]
    finally:
        reader.close()
    letters = [json.loads(line) for line in
               (spool / "dead-letter.jsonl").read_text().splitlines()]
    return stored, letters, stats


def test_the_events_one_microsecond_cannot_hold_are_the_only_ones_lost(
        tmp_path: Path) -> None:
    """SQLite's order key holds 1,024 events a microsecond; the 1,025th onwards are
    dead-lettered one by one, the first 1,024 stored (times an app sets can tie)."""
    batch = [make_event(n) for n in range(1030)]
    for event in batch:
        event["time"] = "2026-12-01T10:00:00.000001Z"
    stored, dead, stats = _through_sqlite_lane(tmp_path, batch, flush_s=60)
    letters = [letter["event"]["id"] for letter in dead]
    assert len(stored) == 1024
    assert len(letters) == 6
    assert set(stored) | set(letters) == {e["id"] for e in batch}
    assert stats["dead_lettered"] == 6


def test_the_last_microseconds_the_sqlite_key_holds_lose_only_what_it_cannot_hold(
        tmp_path: Path) -> None:
    """June 2255, where SQLite's order key ends: 1,026 events of its last writable
    microsecond and 1,025 of the one after. The first 1,024 are stored, the others
    dead-lettered one by one, and the lane finishes (before, the 1,025th of the last
    microsecond had the key 2**63, which overflowed SQLite's integer: a raw
    ``IntegrityError`` that the lane retried forever, every later event waiting)."""
    last = format_time(us_to_datetime(MAX_TS))
    batch = [make_event(n) for n in range(2051)]
    for n, event in enumerate(batch):
        event["time"] = format_time(us_to_datetime(MAX_TS - 1)) if n < 1026 else last
    stored, letters, stats = _through_sqlite_lane(tmp_path, batch, flush_s=30)
    assert stored == [e["id"] for e in batch[:1024]]
    assert sorted(letter["event"]["id"] for letter in letters) == \
        sorted(e["id"] for e in batch[1024:])
    assert sum("years 1685 to 2255" in letter["reason"] for letter in letters) == 1025
    assert stats["dead_lettered"] == 1027
