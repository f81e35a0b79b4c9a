"""PostgreSQL's version-6 schema: which indexes it keeps, its fallback without
``btree_gin``, and the in-place upgrade of a version-5 store (issue 21)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from auditmw.integrity import verify_store
from auditmw.integrity.chain import ChainProcessor
from auditmw.store import Query, open_store
from auditmw.store import postgres as postgres_module
from auditmw.store.postgres import month_start
from auditmw.store.rows import event_to_row, us_to_datetime
from auditmw.store.sample import sample_events
from auditmw.store.schema import COLUMN_LIST, SCHEMA_VERSION

if TYPE_CHECKING:
    from collections.abc import Sequence

pytestmark = pytest.mark.postgres

KEY = "schema-key"
V6_INDEXES = {"events_pkey", "events_event", "events_category", "events_outcome",
              "events_chain", "events_tenant", "events_filters"}
MANY_VALUED = {"events_actor_id", "events_actor_name", "events_target_id",
               "events_target_name", "events_client_ip"}

# What auditmw created for a PostgreSQL store at schema version 5, verbatim.
V5_POSTGRES: tuple[str, ...] = (
    "CREATE TABLE auditmw_meta (key text PRIMARY KEY, value text NOT NULL)",
    """CREATE TABLE events (id text NOT NULL, ts timestamptz NOT NULL, event text,
    category text, outcome text, actor_id text, actor_name text, target_id text,
    target_name text, client_ip text, chain text, seq bigint, hash text, tenant text,
    data text NOT NULL, PRIMARY KEY (ts, id)) PARTITION BY RANGE (ts)""",
    *(f"CREATE INDEX events_{c} ON events ({c}, ts, id)" for c in (
        "event", "category", "outcome", "actor_id", "actor_name", "target_id",
        "target_name", "client_ip", "tenant")),
    "CREATE INDEX events_chain ON events (chain, seq, id)",
    """CREATE TABLE checkpoints (n bigserial PRIMARY KEY,
    created timestamptz NOT NULL DEFAULT now(), record text NOT NULL)""",
    "CREATE OR REPLACE FUNCTION auditmw_append_only() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RAISE EXCEPTION 'auditmw: stored events are append-only'; END $$",
    "CREATE TRIGGER events_append_only BEFORE UPDATE ON events FOR EACH ROW "
    "EXECUTE FUNCTION auditmw_append_only()",
    """CREATE TABLE holds (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, category TEXT,
    reason TEXT NOT NULL, created_us BIGINT NOT NULL, removed_us BIGINT)""",
    """CREATE TABLE links (chain TEXT NOT NULL, seq BIGINT NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (chain, seq))""",
    "INSERT INTO auditmw_meta VALUES ('schema_version', '5')",
)


def run(url: str, statements: Sequence[str], *rows: Sequence[Any]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.encode())
        marks = ", ".join(["%s"] * len(rows[0])) if rows else ""
        for row in rows:
            conn.execute(f"INSERT INTO events ({COLUMN_LIST}) VALUES ({marks})".encode(),
                         row)


def indexes(url: str) -> dict[str, str]:
    """The partitioned indexes of ``events``: name -> access method."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname, am.amname FROM pg_index i JOIN pg_class c ON c.oid = "
            "i.indexrelid JOIN pg_am am ON am.oid = c.relam "
            "WHERE i.indrelid = 'events'::regclass").fetchall()
    return {str(name): str(method) for name, method in rows}


def collations(url: str) -> set[str]:
    """The collations of the text columns the indexes compare."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT DISTINCT collation_name FROM information_schema.columns WHERE "
            "table_name = 'events' AND data_type = 'text' AND column_name NOT IN "
            "('data', 'hash')").fetchall()
    return {str(row[0]) for row in rows}


def chained(count: int, *, tenants: int = 3) -> list[dict[str, Any]]:
    chain = ChainProcessor(KEY)
    end = datetime.now(UTC) - timedelta(minutes=1)
    start = month_start(end.year, end.month)  # all in this month's partition
    span = min(timedelta(days=1), end - start)
    return [chain(event) for event in sample_events(count, end=end, span=span,
                                                    tenants=tenants)]


def test_a_new_store_keeps_btrees_for_few_values_and_one_gin_index(
        postgres_url: str) -> None:
    store = open_store(postgres_url)
    try:
        store.count(Query())
        found = indexes(postgres_url)
        assert set(found) == V6_INDEXES
        assert found["events_filters"] == "gin"
        assert collations(postgres_url) == {"C"}
    finally:
        store.close()


def test_without_btree_gin_the_store_falls_back_loudly_to_btrees(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(postgres_module, "POSTGRES_GIN",
                        ("CREATE EXTENSION auditmw_no_such_extension",))
    store = open_store(postgres_url)
    try:
        with caplog.at_level(logging.WARNING, logger="auditmw.store"):
            store.write(chained(20))
        assert "btree_gin extension could not be created" in caplog.text
        assert set(indexes(postgres_url)) == V6_INDEXES - {"events_filters"} | MANY_VALUED
        actor = store.query(Query(), limit=1).items[0]["actor"]["id"]
        assert store.query(Query(actor=(actor,))).items
    finally:
        store.close()


def test_a_version_5_store_upgrades_in_place_and_still_verifies(postgres_url: str) -> None:
    events = chained(60)
    now = datetime.now(UTC)
    partition = (f"CREATE TABLE events_p{now.year:04d}{now.month:02d} PARTITION OF events "
                 f"FOR VALUES FROM ('{month_start(now.year, now.month).isoformat()}') TO "
                 f"('{month_start(now.year, now.month + 1).isoformat()}')")
    rows = [(r[0], us_to_datetime(r[1]), *r[2:]) for r in map(event_to_row, events)]
    run(postgres_url, (*V5_POSTGRES, partition), *rows)
    probe = events[7]
    filters = [Query(), Query(actor=(probe["actor"]["id"],)),
               Query(target=(probe["target"]["name"],)), Query(ip=(probe["client"]["ip"],)),
               Query(tenant=(probe["tenant"],), event=(probe["event"],))]

    store = open_store(postgres_url)
    try:
        pages = [[e["id"] for e in store.query(q, limit=100).items] for q in filters]
        found = indexes(postgres_url)
        assert set(found) == V6_INDEXES
        assert found["events_filters"] == "gin"
        assert collations(postgres_url) == {"C"}
        assert all(probe["id"] in page for page in pages[1:])
        assert len(pages[0]) == 60
        assert verify_store(store, KEY).all_problems() == []
        with psycopg.connect(postgres_url) as conn:
            assert conn.execute("SELECT value FROM auditmw_meta WHERE key = "
                                "'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            run(postgres_url, ("UPDATE events SET event = 'x'",))
        store.write(events[:5])  # already stored: skipped, not doubled
        assert store.count(Query()) == 60
    finally:
        store.close()


def pending_pages(url: str) -> dict[str, int]:
    """Pages of unmerged entries in each partition's GIN index."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        rows = conn.execute(
            "SELECT t.relname, (pgstatginindex(i.indexrelid)).pending_pages FROM "
            "pg_inherits h JOIN pg_index i ON i.indrelid = h.inhrelid JOIN pg_class t ON "
            "t.oid = h.inhrelid JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON "
            "a.oid = c.relam WHERE h.inhparent = 'events'::regclass AND a.amname = 'gin'"
        ).fetchall()
    return {str(name): int(pages) for name, pages in rows}


def test_a_new_month_and_a_purge_merge_the_gin_pending_lists(postgres_url: str) -> None:
    now = datetime.now(UTC)
    last_month = month_start(now.year, now.month) - timedelta(days=3)
    store = open_store(postgres_url)
    try:
        store.write(list(sample_events(50, end=last_month, span=timedelta(days=1))))
        assert sum(pending_pages(postgres_url).values()) > 0  # what reads had to scan
        store.write(chained(50))  # this month: a new partition
        pending = pending_pages(postgres_url)
        assert pending[f"events_p{last_month.year:04d}{last_month.month:02d}"] == 0
        assert pending[f"events_p{now.year:04d}{now.month:02d}"] > 0
        store.purge()
        assert set(pending_pages(postgres_url).values()) == {0}
    finally:
        store.close()
