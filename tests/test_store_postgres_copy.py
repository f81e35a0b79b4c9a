"""A PostgreSQL batch by binary COPY with its rows built as they are sent
(auditmw.store.pg_copy, issue 21): all of it or nothing, exactly once, wherever in the
batch the trouble is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auditmw.store import Query, StoreError
from auditmw.store.pg_copy import months_of
from auditmw.store.postgres import PostgresStore
from auditmw.store.sample import sample_events

pytestmark = pytest.mark.postgres

BATCH = 200


def batch(count: int = BATCH, seed: int = 1) -> list[dict[str, Any]]:
    return list(sample_events(count, end=datetime.now(UTC) - timedelta(minutes=1),
                              span=timedelta(days=40), seed=seed, tenants=4))


def test_a_batch_across_months_is_stored_whole(pg: PostgresStore) -> None:
    events = batch()
    pg.write(events)
    assert len(pg.partitions()) >= 2
    stored = [e["id"] for e in pg.iter_events(Query(), order="asc")]
    assert sorted(stored) == sorted(e["id"] for e in events)


@pytest.mark.parametrize("where", [3, BATCH - 3], ids=["early", "late"])
def test_a_bad_event_anywhere_writes_nothing(pg: PostgresStore, where: int) -> None:
    events = batch()
    events[where] = {**events[where], "time": "yesterday"}
    with pytest.raises(StoreError, match="is not RFC 3339"):
        pg.write(events)
    assert pg.count(Query()) == 0
    pg.write(events[:where] + events[where + 1:])  # the connection is usable again
    assert pg.count(Query()) == BATCH - 1


@pytest.mark.parametrize("where", [5, BATCH - 5], ids=["early", "late"])
def test_an_event_stored_already_anywhere_is_skipped_once(
        pg: PostgresStore, where: int) -> None:
    events = batch()
    pg.write([events[where]])
    pg.write(events)
    assert pg.count(Query()) == BATCH
    assert len({e["id"] for e in pg.iter_events(Query())}) == BATCH


def test_a_batch_holding_one_id_twice_is_stored_once(pg: PostgresStore) -> None:
    events = batch()
    events[-1] = events[0]  # the same event twice
    pg.write(events)
    assert pg.count(Query()) == BATCH - 1


def test_the_partitions_come_from_the_time_text_or_its_parse() -> None:
    events = [{"time": "2026-03-31T23:59:59.000000Z"},
              {"time": "2026-03-31T22:30:00-05:00"},  # April in UTC
              {"time": "not a time"}, {"id": "no time"}]
    assert months_of(events) == {(2026, 3), (2026, 4)}
