"""A PostgreSQL batch over two connections at once (auditmw.store.pg_copy, issue 21):
all of it or nothing, exactly once, whichever half holds the trouble."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from auditmw.store import Query, StoreError, open_store
from auditmw.store.pg_copy import TWO_STREAMS_FROM, months_of
from auditmw.store.postgres import PostgresStore
from auditmw.store.sample import sample_events

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.postgres

BATCH = 2 * TWO_STREAMS_FROM


@pytest.fixture
def pg(postgres_url: str) -> Iterator[PostgresStore]:
    store = open_store(postgres_url)
    assert isinstance(store, PostgresStore)
    yield store
    store.close()


def batch(count: int = BATCH, seed: int = 1) -> list[dict[str, Any]]:
    return list(sample_events(count, end=datetime.now(UTC) - timedelta(minutes=1),
                              span=timedelta(days=40), seed=seed, tenants=4))


def backends(url: str) -> int:
    """Connections to this store's database, this test's own one aside."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND pid <> pg_backend_pid()").fetchone()
    assert row is not None
    return int(row[0])


def test_a_big_batch_goes_over_two_connections_and_is_stored_whole(
        pg: PostgresStore) -> None:
    events = batch()
    pg.write(events)
    assert backends(pg.url) == 2
    assert pg.count(Query()) == BATCH
    stored = [e["id"] for e in pg.iter_events(Query(), order="asc")]
    assert sorted(stored) == sorted(e["id"] for e in events)


def test_a_small_batch_keeps_to_one_connection(pg: PostgresStore) -> None:
    pg.write(batch(TWO_STREAMS_FROM - 1))
    assert backends(pg.url) == 1
    assert pg.count(Query()) == TWO_STREAMS_FROM - 1


@pytest.mark.parametrize("where", [3, BATCH - 3], ids=["first-half", "second-half"])
def test_a_bad_event_in_either_half_writes_nothing(pg: PostgresStore, where: int) -> None:
    events = batch()
    events[where] = {**events[where], "time": "yesterday"}
    with pytest.raises(StoreError, match="is not RFC 3339"):
        pg.write(events)
    assert pg.count(Query()) == 0
    pg.write(events[:where] + events[where + 1:])  # both connections usable again
    assert pg.count(Query()) == BATCH - 1


@pytest.mark.parametrize("where", [5, BATCH - 5], ids=["first-half", "second-half"])
def test_an_event_stored_already_in_either_half_is_skipped_once(
        pg: PostgresStore, where: int) -> None:
    events = batch()
    pg.write([events[where]])
    pg.write(events)
    assert pg.count(Query()) == BATCH
    assert len({e["id"] for e in pg.iter_events(Query())}) == BATCH


def test_a_batch_holding_one_id_twice_is_stored_once(pg: PostgresStore) -> None:
    events = batch()
    events[-1] = events[0]  # the same event in both halves
    pg.write(events)
    assert pg.count(Query()) == BATCH - 1


def test_the_partitions_come_from_the_time_text_or_its_parse() -> None:
    events = [{"time": "2026-03-31T23:59:59.000000Z"},
              {"time": "2026-03-31T22:30:00-05:00"},  # April in UTC
              {"time": "not a time"}, {"id": "no time"}]
    assert months_of(events) == {(2026, 3), (2026, 4)}
