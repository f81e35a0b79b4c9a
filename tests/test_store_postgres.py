"""What only the PostgreSQL store does: monthly partitions, dropping them, advisory locks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from auditmw.store import Query, StoreError, open_store, purge_store
from auditmw.store.base import safe_url
from auditmw.store.postgres import PostgresStore
from auditmw.store.sample import sample_events
from auditmw.store.schema import SCHEMA_VERSION

pytestmark = pytest.mark.postgres

NOW = datetime.now(UTC)


def month_events(year: int, month: int, count: int = 10, seed: int = 1) -> list[dict[str, Any]]:
    end = datetime(year, month, 28, tzinfo=UTC)
    return list(sample_events(count, end=end, span=timedelta(days=20), seed=seed))


def months_ago(n: int) -> tuple[int, int]:
    index = NOW.year * 12 + NOW.month - 1 - n
    return index // 12, index % 12 + 1


def test_schema_is_created_on_first_use_and_versioned(pg: PostgresStore,
                                                      postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT to_regclass('events')").fetchone() == (None,)
    assert pg.count(Query()) == 0
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        assert conn.execute("SELECT value FROM auditmw_meta WHERE key = 'schema_version'"
                            ).fetchone() == (str(SCHEMA_VERSION),)
        conn.execute("UPDATE auditmw_meta SET value = '99' WHERE key = 'schema_version'")
    newer = open_store(postgres_url)
    with pytest.raises(StoreError, match="schema version 99"):
        newer.count(Query())
    newer.close()


def test_one_partition_per_month_written(pg: PostgresStore) -> None:
    for n in (0, 1, 3):
        pg.write(month_events(*months_ago(n), seed=n))
    expected = sorted(f"events_p{y:04d}{m:02d}" for y, m in map(months_ago, (0, 1, 3)))
    assert pg.partitions() == expected
    assert pg.count(Query()) == 30


def test_purge_drops_whole_expired_months_and_deletes_inside_the_cut_month(
        pg: PostgresStore) -> None:
    for n in (16, 15, 13, 0):
        pg.write(month_events(*months_ago(n), seed=n))
    before = pg.partitions()
    assert len(before) == 4
    # retention 400 days: months 16 and 15 are wholly expired, 13 straddles the cut
    store = open_store(pg.url, retention_days=400)
    cutoff = NOW - timedelta(days=400)
    straddling = [e for e in month_events(*months_ago(13), seed=13)
                  if datetime.fromisoformat(e["time"].replace("Z", "+00:00")) < cutoff]
    deleted = store.purge(now=NOW)
    store.close()
    dropped = {f"events_p{y:04d}{m:02d}" for y, m in map(months_ago, (16, 15))}
    assert set(pg.partitions()) == set(before) - dropped
    assert deleted == 20 + len(straddling)
    assert len(list(pg.iter_by_chain(include_expired=True))) == 20 - len(straddling)


def test_a_month_purged_by_another_process_is_made_again(pg: PostgresStore) -> None:
    old = month_events(*months_ago(20), count=4)
    pg.write(old[:2])
    assert purge_store(pg.url, 365) == 2  # another "process" drops the partition
    pg.write(old[2:])  # this store still believed the partition existed
    assert len(list(pg.iter_by_chain(include_expired=True))) == 2


def test_concurrent_stores_create_the_same_partitions_safely(postgres_url: str) -> None:
    stores = [open_store(postgres_url) for _ in range(4)]
    errors: list[BaseException] = []

    def write(index: int) -> None:
        try:
            for n in range(6):
                stores[index].write(month_events(*months_ago(n), count=5, seed=index * 10 + n))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert stores[0].count(Query()) == 4 * 6 * 5
    for store in stores:
        store.close()


def test_the_postgres_scheme_alias_is_accepted(postgres_url: str) -> None:
    store = open_store(postgres_url.replace("postgresql://", "postgres://"))
    store.write(month_events(*months_ago(0), count=2))
    assert store.count(Query()) == 2
    store.close()


@pytest.mark.parametrize(("url", "shown"), [
    pytest.param("postgresql://u:s3cret@db:5432/x", "postgresql://u:***@db:5432/x", id="pw"),
    pytest.param("postgresql://u@db/x", "postgresql://u@db/x", id="no-pw"),
])
def test_passwords_never_reach_messages(url: str, shown: str) -> None:
    assert safe_url(url) == shown


def test_an_unreachable_server_fails_on_use_not_on_open() -> None:
    store = open_store("postgresql://postgres@127.0.0.1:1/none")
    with pytest.raises(psycopg.OperationalError):
        store.write(month_events(*months_ago(0), count=1))
    store.close()
